// CategoricalNB as a stage: sklearn's joint log likelihood, in its order,
//   jll_k = ((0 + flp[0][k][x_0]) + flp[1][k][x_1] + ...) + class_log_prior[k]
// and its first maximum.
//
// Params (generated): n_features, n_classes, n_categories[n_features]
// (sklearn's n_categories_, min_categories included), log_prob[n_values][n_classes]
// (feature_log_prob_[i][:, c] for every feature i and category c, features
// one after the other) and log_prior[n_classes] (class_log_prior_).
//
// Inputs are floats that sklearn casts to int (astype: toward zero), so 2.7 is
// category 2 and -0.5 category 0. Where sklearn raises (a NaN or infinite
// value, a negative category, a category >= n_categories_[i]) predict returns
// -1: no class.
//
// f32: every term is <= 0, so the float sum's distance to sklearn's double sum
// is at most (D + 4) u |sum| (rounding the table to float and D + 1 float
// additions; 10% slack); when the first maximum beats every other class by the
// two bounds, it is sklearn's. Otherwise the double sums, in sklearn's order;
// where there is no double unit (AVR has none to link) in detail/binary64.hpp's
// integer binary64: every term is <= 0, so sklearn's sum is minus the sum of the
// magnitudes, rounded the same way (round to nearest is symmetric).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <bit>
#include <span>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct categorical_nb {
  static_assert(std::same_as<Policy, f32>, "ctml: categorical_nb supports ctml::f32 only");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_classes;
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = categorical_nb<Params, P>;

 private:
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes;
  /// Row of category 0 of feature i in log_prob.
  static constexpr std::array<std::uint32_t, d + 1> offset = [] {
    std::array<std::uint32_t, d + 1> o{};
    for (std::size_t i = 0; i < d; ++i) o[i + 1] = o[i] + static_cast<std::uint32_t>(Params::n_categories[i]);
    return o;
  }();
  static constexpr std::size_t rows = offset[d];
  static constexpr bool integer_exact = !detail::has_binary64_unit;  // as the trees: no double unit

  CTML_FLASH static constexpr auto table_d = [] {
    std::array<double, integer_exact ? 0 : rows * k> t{};
    if constexpr (!integer_exact)
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < k; ++j) t[r * k + j] = Params::log_prob[r][j];
    return t;
  }();
  CTML_FLASH static constexpr auto table_f = [] {
    std::array<float, rows * k> t{};
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < k; ++j) t[r * k + j] = static_cast<float>(Params::log_prob[r][j]);
    return t;
  }();
  CTML_FLASH static constexpr auto prior_d = [] {
    std::array<double, integer_exact ? 0 : k> p{};
    if constexpr (!integer_exact)
      for (std::size_t j = 0; j < k; ++j) p[j] = Params::log_prior[j];
    return p;
  }();
  CTML_FLASH static constexpr auto prior_f = [] {
    std::array<float, k> p{};
    for (std::size_t j = 0; j < k; ++j) p[j] = static_cast<float>(Params::log_prior[j]);
    return p;
  }();
  static constexpr float factor = static_cast<float>(d + 4) * detail::f32_unit * 1.1f;

  // Without a double unit (AVR, Cortex-M0/M4F, RV32): the magnitudes' binary64 bits, added in integers.
  static constexpr bool magnitudes_ok = [] {
    const auto ok = [](double v) { return v == 0.0 || (v < 0.0 && -v >= 0x1p-1022); };  // no subnormals
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < k; ++j)
        if (!ok(Params::log_prob[r][j])) return false;
    for (std::size_t j = 0; j < k; ++j)
      if (!ok(Params::log_prior[j])) return false;
    return true;
  }();
  static_assert(!integer_exact || magnitudes_ok,
                "ctml: categorical_nb needs log probabilities <= 0 where there is no double unit (sklearn's are "
                "unless class_prior has values above 1)");
  CTML_FLASH static constexpr auto table_bits = [] {
    std::array<std::uint64_t, integer_exact ? rows * k : 0> t{};
    if constexpr (integer_exact)
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < k; ++j) t[r * k + j] = std::bit_cast<std::uint64_t>(0.0 - Params::log_prob[r][j]);
    return t;
  }();
  CTML_FLASH static constexpr auto prior_bits = [] {
    std::array<std::uint64_t, integer_exact ? k : 0> t{};
    if constexpr (integer_exact)
      for (std::size_t j = 0; j < k; ++j) t[j] = std::bit_cast<std::uint64_t>(0.0 - Params::log_prior[j]);
    return t;
  }();

  /// The table rows of x's categories (sklearn's astype(int)); false where sklearn raises.
  template <class T>
  static constexpr bool categories(std::span<const T, d> x, std::array<std::uint32_t, d>& row) noexcept {
    for (std::size_t i = 0; i < d; ++i) {
      // NaN fails both tests; (-1, 0) truncates to category 0 as in numpy.
      if (!(x[i] > T(-1)) || !(x[i] < static_cast<T>(Params::n_categories[i]))) return false;
      row[i] = offset[i] + static_cast<std::uint32_t>(x[i]);
    }
    return true;
  }

  static constexpr void scores_f32(const std::array<std::uint32_t, d>& row, std::span<float, k> s) noexcept {
    for (std::size_t j = 0; j < k; ++j) {
      float sum = 0.0f;
      for (std::size_t i = 0; i < d; ++i) sum += flash_load(&table_f[static_cast<std::size_t>(row[i]) * k + j]);
      s[j] = sum + flash_load(&prior_f[j]);
    }
  }

  CTML_NO_FP_CONTRACT static constexpr int argmax_double(const std::array<std::uint32_t, d>& row) noexcept {
    if constexpr (integer_exact) {
      // the largest jll is the smallest sum of magnitudes; the first on ties
      int best = 0;
      detail::binary64 top{};
      for (std::size_t j = 0; j < k; ++j) {
        detail::binary64 sum{};
        for (std::size_t i = 0; i < d; ++i)
          sum = sum + detail::binary64::from_bits(flash_load(&table_bits[static_cast<std::size_t>(row[i]) * k + j]));
        sum = sum + detail::binary64::from_bits(flash_load(&prior_bits[j]));
        if (j == 0 || top > sum) {
          top = sum;
          best = static_cast<int>(j);
        }
      }
      return best;
    } else {
      return argmax_binary64(row);
    }
  }

  CTML_NO_FP_CONTRACT static constexpr int argmax_binary64(const std::array<std::uint32_t, d>& row) noexcept {
    int best = 0;
    double top = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      double sum = 0.0;
      for (std::size_t i = 0; i < d; ++i) sum += flash_load(&table_d[static_cast<std::size_t>(row[i]) * k + j]);
      const double s = sum + flash_load(&prior_d[j]);
      if (j == 0 || s > top) {
        top = s;
        best = static_cast<int>(j);
      }
    }
    return best;
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return sizeof(table_d) + sizeof(table_f) + sizeof(prior_d) + sizeof(prior_f) + sizeof(table_bits) +
           sizeof(prior_bits);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 240; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return d * 4 + k * 8 + 16; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * k * d + d; }

  /// The joint log likelihoods in float (every class -inf where sklearn raises).
  constexpr void run(std::span<const float, d> in, std::span<float, k> out, no_state&) const noexcept {
    std::array<std::uint32_t, d> row{};
    if (!categories(in, row)) {
      for (auto& o : out) o = -std::numeric_limits<float>::infinity();
      return;
    }
    scores_f32(row, out);
  }

  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, d> x) const noexcept {
    std::array<std::uint32_t, d> row{};
    if (!categories(x, row)) return {-1, true};
    std::array<float, k> s{};
    scores_f32(row, s);
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j)
      if (s[j] > s[best]) best = j;
    const auto bound = [&](std::size_t j) { return detail::abs_f(s[j]) * factor + detail::affine_error_floor; };
    bool sure = s[best] == s[best] && bound(best) < 1.0e38f;
    for (std::size_t j = 0; j < k; ++j)
      if (j != best) sure = sure && s[best] - s[j] > bound(best) + bound(j);
    return {static_cast<int>(best), sure};
  }

  [[nodiscard]] constexpr int predict_exact(std::span<const double, d> x) const noexcept {
    std::array<std::uint32_t, d> row{};
    if (!categories(x, row)) return -1;
    return argmax_double(row);
  }

  /// sklearn's class index, or -1 where sklearn raises (see above).
  [[nodiscard]] constexpr int predict(std::span<const float, d> in) const noexcept {
    const auto fast = try_predict(in);
    if (fast.sure) return fast.value;
    return refine(in);
  }
  [[nodiscard]] constexpr int predict(std::span<const float, d> in, no_state&) const noexcept { return predict(in); }

  /// sklearn's predict_proba in float (exp of the scores minus their maximum,
  /// normalised); all zero where sklearn raises.
  constexpr void predict_proba(std::span<const float, d> in, std::span<float, k> out) const noexcept {
    std::array<std::uint32_t, d> row{};
    if (!categories(in, row)) {
      for (auto& o : out) o = 0.0f;
      return;
    }
    scores_f32(row, out);
    float top = out[0];
    for (std::size_t j = 1; j < k; ++j) top = out[j] > top ? out[j] : top;
    float total = 0;
    for (std::size_t j = 0; j < k; ++j) total += (out[j] = math::exp(out[j] - top));
    for (std::size_t j = 0; j < k; ++j) out[j] /= total;
  }

 private:
  [[gnu::noinline]] constexpr int refine(std::span<const float, d> in) const noexcept {
    std::array<std::uint32_t, d> row{};
    if (!categories(in, row)) return -1;
    return argmax_double(row);
  }
};

}  // namespace ctml
