// Linear models as stages: classifiers (LogisticRegression, LinearSVC,
// SGDClassifier, RidgeClassifier, Perceptron, LinearDiscriminantAnalysis),
// regressors (LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor,
// LinearSVR) and k-means' predict, all on the affine core (affine.hpp).
//
//   f32: decisions equal sklearn's predict on float32 rows: the float scores
//     decide where their error bound proves it; otherwise, and wherever a
//     binary64 unit is there, sklearn's double arithmetic in its order.
//     Regressors return sklearn's double value (computed in double).
//   q<S, F>: integer weights and sums (affine_q); the accuracy cost against
//     f32 is measured in tests/generator/test_linear.py.
//
// Params: see affine.hpp; classifiers also `proba` (0: none, 1: logistic
// (binary: sigmoid; several outputs: one-vs-rest sigmoids normalised),
// 2: softmax) for predict_proba.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/detail/code_size.hpp>
#include <ctml/linear/affine.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace detail {
enum class linear_kind { classifier, regressor, clusterer };

template <class Params, linear_kind Kind>
inline constexpr affine_order order_of = Kind == linear_kind::clusterer ? affine_order::kmeans
                                                                           : affine_order::dot_then_intercept;
}  // namespace detail

/// K affine scores and what sklearn predicts from them.
template <class Params, ValuePolicy Policy, detail::linear_kind Kind>
struct affine_stage {
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_outputs;
  template <ValuePolicy P> using rebind = affine_stage<Params, P, Kind>;
  /// predict_exact needs no binary64 library (pipeline.hpp checks this on AVR).
  static constexpr bool exact_in_integers = !detail::has_binary64_unit;

 private:
  static constexpr detail::affine_order order = detail::order_of<Params, Kind>;
  using core = detail::affine<Params, order>;
  using qcore = detail::affine_q<Params, Policy, order>;
  static constexpr bool is_float = std::same_as<Policy, f32>;
  static constexpr std::size_t k = Params::n_outputs, d = Params::n_features;

 public:
  /// Scores: float (f32), or the integer sums (q<>; one unit is qcore::unit).
  using out_type = std::conditional_t<is_float, float, typename qcore::acc_type>;
  /// What predict returns: the class index / label, or the value (sklearn's
  /// double with f32; float from the integer sum with q<>, no double on AVR).
  using value_type = std::conditional_t<Kind != detail::linear_kind::regressor, int,
                                        std::conditional_t<is_float, double, float>>;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    if constexpr (!is_float) return sizeof(qcore::tables);
    else if constexpr (detail::direct_double) return sizeof(core::coef64) + sizeof(core::intercept64);
    else if constexpr (Kind == detail::linear_kind::regressor) return sizeof(core::coef64) + sizeof(core::intercept64);
    else if constexpr (!detail::has_binary32_unit && core::int_path && core::offsets_in_coef64) return sizeof(core::int_w) + sizeof(core::int_intercept) + sizeof(core::coef64) + sizeof(core::intercept64);
    else if constexpr (!detail::has_binary32_unit && core::int_path) return sizeof(core::int_tables) + sizeof(core::int_intercept) + sizeof(core::coef64) + sizeof(core::intercept64);
    else return sizeof(core::f32_tables) + sizeof(core::coef64) + sizeof(core::intercept64);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    if constexpr (!is_float) return data_bytes() + 160;
    else return data_bytes() + (k == 1 ? detail::linear_target_code.one_output : detail::linear_target_code.outputs);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return k * (is_float ? sizeof(double) : sizeof(typename qcore::acc_type)) + d * sizeof(double);
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return (k + 1) * d; }

  /// The scores (decision_function, or k-means' -2 x.c + |c|^2).
  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out,
                     no_state&) const noexcept {
    if constexpr (is_float) {
      (void)core::scores_f32(in, out);
    } else {
      for (std::size_t j = 0; j < k; ++j) out[j] = qcore::score(j, in);
    }
  }

  // ---- f32: the fast path and sklearn's double arithmetic ----------------
  [[nodiscard]] constexpr decision<value_type> try_predict(std::span<const in_type, in_extent> in) const noexcept
    requires is_float
  {
    if constexpr (Kind == detail::linear_kind::regressor || detail::direct_double) {
      return {value_type{}, false};
    } else {
      return core::try_decision(in);
    }
  }
  /// The fast path on the raw input of a scaler before this stage (Pre has
  /// fold_slope/fold_offset): the scaler folded into the weights.
  template <class Pre>
  [[nodiscard]] constexpr decision<value_type> try_predict_after(std::span<const in_type, in_extent> raw) const noexcept
    requires is_float
  {
    if constexpr (Kind == detail::linear_kind::regressor || detail::direct_double) {
      return {value_type{}, false};
    } else {
      using folded = detail::folded_params<Params, Pre, Kind == detail::linear_kind::clusterer>;
      return detail::affine<folded, order>::try_decision(raw);
    }
  }
  [[nodiscard]] constexpr value_type predict_exact(std::span<const double, in_extent> x) const noexcept
    requires is_float
  {
    if constexpr (Kind == detail::linear_kind::regressor) return core::exact(0, x);
    else return core::exact_decision(x);
  }

  /// sklearn's predict: class index, value, or cluster label.
  [[nodiscard]] constexpr value_type predict(std::span<const in_type, in_extent> in, no_state&) const noexcept {
    return predict(in);
  }
  [[nodiscard]] constexpr value_type predict(std::span<const in_type, in_extent> in) const noexcept {
    if constexpr (is_float) {
      // without a binary64 unit (AVR included) the double arithmetic is integer binary64: no library needed
      const auto fast = try_predict(in);
      if (fast.sure) return fast.value;
      return from_float(in);
    } else if constexpr (Kind == detail::linear_kind::regressor) {
      return static_cast<float>(qcore::score(0, in)) * static_cast<float>(qcore::unit);
    } else {
      return qcore::decide(in);
    }
  }

  /// sklearn's decision_function (float; within the error bound of exact.hpp).
  constexpr void decision_function(std::span<const in_type, in_extent> in, std::span<float, k> out) const noexcept {
    if constexpr (is_float) {
      (void)core::scores_f32(in, out);
    } else {
      for (std::size_t j = 0; j < k; ++j) out[j] = static_cast<float>(qcore::score(j, in)) * static_cast<float>(qcore::unit);
    }
  }

  /// sklearn's predict_proba for the classifiers that have it (Params::proba).
  template <std::size_t C>
  constexpr void predict_proba(std::span<const in_type, in_extent> in, std::span<float, C> out) const noexcept
    requires(Kind == detail::linear_kind::classifier)
  {
    static_assert(Params::proba != 0, "ctml: this classifier has no predict_proba in scikit-learn");
    static_assert(C == (k == 1 ? 2 : k), "ctml: predict_proba writes one value per class");
    static_assert(detail::binary64_links || sizeof(Params) == 0,
                  "ctml: on this target (AVR) predict_proba needs a binary64 exp that avr-libc lacks: "
                  "call decision_function and apply the sigmoid or softmax yourself");
    std::array<float, k> s{};
    decision_function(in, s);
    if constexpr (k == 1) {
      // binary softmax (multinomial LogisticRegression) is softmax(-s, s) = sigmoid(2 s)
      const float z = Params::proba == 2 ? 2 * s[0] : s[0];
      const float p = 1.0f / (1.0f + math::exp(-z));
      out[0] = 1.0f - p;
      out[1] = p;
    } else if constexpr (Params::proba == 2) {
      float top = s[0];
      for (std::size_t j = 1; j < k; ++j) top = s[j] > top ? s[j] : top;
      float total = 0;
      for (std::size_t j = 0; j < k; ++j) total += (out[j] = math::exp(s[j] - top));
      for (std::size_t j = 0; j < k; ++j) out[j] /= total;
    } else {
      float total = 0;
      for (std::size_t j = 0; j < k; ++j) total += (out[j] = 1.0f / (1.0f + math::exp(-s[j])));
      for (std::size_t j = 0; j < k; ++j) out[j] /= total;
    }
  }

 private:
  static constexpr value_type from_float(std::span<const float, in_extent> in) noexcept {
    if constexpr (!detail::has_binary64_unit) {  // integer binary64 on the widened bits
      if constexpr (Kind == detail::linear_kind::regressor) return std::bit_cast<double>(core::exact_bits(0, in));
      else return core::exact_decision_bits(in);
    } else {
      std::array<double, d> x;
      detail::widen(in.data(), x.data(), d);
      if constexpr (Kind == detail::linear_kind::regressor) return core::exact(0, x);
      else return core::exact_decision(x);
    }
  }
};

template <class Params, ValuePolicy Policy = f32>
using linear_classifier = affine_stage<Params, Policy, detail::linear_kind::classifier>;
template <class Params, ValuePolicy Policy = f32>
using linear_regressor = affine_stage<Params, Policy, detail::linear_kind::regressor>;
/// KMeans / MiniBatchKMeans predict: Params::coef are the centres,
/// Params::intercept their squared norms as sklearn computes them.
template <class Params, ValuePolicy Policy = f32>
using kmeans = affine_stage<Params, Policy, detail::linear_kind::clusterer>;

}  // namespace ctml
