// sklearn's Normalizer (normalize(X, norm)): x / |x| per row, with sklearn's
// norms in its order and its rule for (near) zero norms (< 10 eps -> 1):
//   l2:  sqrt of numpy.einsum("ij,ij->i") -- two lanes, each summing
//        blocks of 8 terms in the order 6, 4, 2, 0 (lane 0) and 7, 5, 3, 1
//        (lane 1), then the tail in pairs, then lane 0 + lane 1 (checked bit
//        for bit against numpy in tests/generator/test_transforms.py)
//   l1:  numpy's pairwise sum of |x_i|;   max: max |x_i|.
// Params (generated): n_features, norm (0: l1, 1: l2, 2: max).
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/bayes/gaussian_nb.hpp>
#include <ctml/number/math.hpp>
#include <ctml/transforms/transform_base.hpp>

namespace ctml {

namespace detail {
/// numpy.einsum("ij,ij->i", x, x) for one row (numpy 1.24, SSE2 baseline).
template <std::size_t N>
CTML_NO_FP_CONTRACT [[nodiscard]] constexpr double einsum_squared_norm(std::span<const double, N> x) noexcept {
  double lane0 = 0.0, lane1 = 0.0;
  std::size_t c = 0;
  constexpr std::size_t order[4] = {6, 4, 2, 0};
  for (; N - c >= 8; c += 8)
    for (const std::size_t e : order) {
      const double p0 = x[c + e] * x[c + e], p1 = x[c + e + 1] * x[c + e + 1];
      lane0 = lane0 + p0;
      lane1 = lane1 + p1;
    }
  for (; c < N; c += 2) {
    const double p0 = x[c] * x[c];
    lane0 = lane0 + p0;
    if (c + 1 < N) {
      const double p1 = x[c + 1] * x[c + 1];
      lane1 = lane1 + p1;
    }
  }
  return lane0 + lane1;
}
}  // namespace detail

template <class Params, ValuePolicy Policy = f32>
struct normalizer : detail::double_transform<normalizer<Params, Policy>, Params::n_features, Params::n_features> {
  static_assert(std::same_as<Policy, f32>, "ctml: normalizer supports ctml::f32 only");
  static_assert(Params::norm >= 0 && Params::norm <= 2, "ctml: Params::norm must be 0 (l1), 1 (l2) or 2 (max)");
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = normalizer<Params, P>;

  static constexpr std::size_t d = Params::n_features;
  static constexpr std::size_t table_bytes = 0, code_bytes = 160, ops = 3 * d;

  static constexpr void exact(std::span<const double, d> x, std::span<double, d> out) noexcept {
    double norm = 0;
    if constexpr (Params::norm == 1) {
      norm = math::sqrt(detail::einsum_squared_norm<d>(x));
    } else if constexpr (Params::norm == 0) {
      norm = detail::numpy_sum([&](std::size_t i) { return detail::abs_d(x[i]); }, 0, d);
    } else {
      for (std::size_t i = 0; i < d; ++i) norm = detail::abs_d(x[i]) > norm ? detail::abs_d(x[i]) : norm;
    }
    if (norm < 10 * 2.220446049250313e-16) norm = 1.0;
    for (std::size_t i = 0; i < d; ++i) out[i] = x[i] / norm;
  }
};

}  // namespace ctml
