// QuadraticDiscriminantAnalysis as a stage, in sklearn's double arithmetic:
//   X2 = (x - mean_k) @ (R_k * S_k^-1/2)   (sequential dot per column)
//   d_k = -0.5 * (sum_j X2_j^2 + sum log S_k) + log prior_k   (numpy pairwise sums)
// and the first maximum. No float fast path yet: every row is decided in
// double (hardware or the compiler's soft double; not on AVR, see exact.hpp),
// after transforms on their double output (stage.hpp, ExactPredictor).
//
// Params (generated): n_features, n_classes, rank, mean[n_classes][n_features],
// w[n_classes * rank][n_features] (column j of class c's R * S^-1/2 as numpy computes it, row c * rank + j),
// log_det[n_classes] (np.sum(np.log(S_k))), log_prior[n_classes].
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/bayes/gaussian_nb.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct quadratic_discriminant {
  static_assert(std::same_as<Policy, f32>, "ctml: quadratic_discriminant supports ctml::f32 only");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_classes;
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = quadratic_discriminant<Params, P>;

 private:
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes, r = Params::rank;
  struct tables_t {
    std::array<double, k * d> mean{};
    std::array<double, k * r * d> w{};
    std::array<double, k> log_det{}, log_prior{};
  };
  CTML_FLASH static constexpr tables_t tables = [] {
    tables_t t{};
    for (std::size_t c = 0; c < k; ++c) {
      for (std::size_t i = 0; i < d; ++i) t.mean[c * d + i] = Params::mean[c][i];
      for (std::size_t j = 0; j < r; ++j)
        for (std::size_t i = 0; i < d; ++i) t.w[(c * r + j) * d + i] = Params::w[c * r + j][i];
      t.log_det[c] = Params::log_det[c];
      t.log_prior[c] = Params::log_prior[c];
    }
    return t;
  }();

  CTML_NO_FP_CONTRACT static constexpr double score(std::size_t c, std::span<const double, d> x) noexcept {
    std::array<double, d> xm{};
    for (std::size_t i = 0; i < d; ++i) xm[i] = x[i] - flash_load(&tables.mean[c * d + i]);
    std::array<double, r> sq{};
    for (std::size_t j = 0; j < r; ++j) {
      double s = xm[0] * flash_load(&tables.w[(c * r + j) * d]);
      for (std::size_t i = 1; i < d; ++i) {
        const double p = xm[i] * flash_load(&tables.w[(c * r + j) * d + i]);
        s = s + p;
      }
      sq[j] = s * s;
    }
    const double norm2 = detail::numpy_sum([&](std::size_t j) { return sq[j]; }, 0, r);
    const double inner = norm2 + flash_load(&tables.log_det[c]);
    const double half = -0.5 * inner;
    return half + flash_load(&tables.log_prior[c]);
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(tables); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return sizeof(tables) + 240; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return (2 * d + r + k) * sizeof(double); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return k * (r * d + d + r); }

  /// The decision function (sklearn's `_decision_function`), rounded to float.
  constexpr void run(std::span<const float, d> in, std::span<float, k> out, no_state&) const noexcept {
    std::array<double, d> x{};
    for (std::size_t i = 0; i < d; ++i) x[i] = in[i];
    for (std::size_t c = 0; c < k; ++c) out[c] = static_cast<float>(score(c, x));
  }
  [[nodiscard]] constexpr int predict_exact(std::span<const double, d> x) const noexcept {
    int best = 0;
    double top = score(0, x);
    for (std::size_t c = 1; c < k; ++c) {
      const double s = score(c, x);
      if (s > top) {
        top = s;
        best = static_cast<int>(c);
      }
    }
    return best;
  }
  [[nodiscard]] constexpr int predict(std::span<const float, d> in) const noexcept {
    static_assert(detail::binary64_links || sizeof(Params) == 0,
                  "ctml: on AVR quadratic_discriminant needs binary64 arithmetic that avr-libc lacks");
    std::array<double, d> x{};
    for (std::size_t i = 0; i < d; ++i) x[i] = in[i];
    return predict_exact(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const float, d> in, no_state&) const noexcept { return predict(in); }
};

}  // namespace ctml
