// PolynomialFeatures(degree=2) as a stage, in sklearn's output order:
// [1] (include_bias), x_0 .. x_{n-1}, then x_i x_j for i <= j (i < j with
// interaction_only), i outer. Each product is one double rounding, as numpy's.
// Params (generated): n_features, include_bias, interaction_only.
#pragma once

#include <cstddef>
#include <span>

#include <ctml/transforms/transform_base.hpp>

namespace ctml {

namespace detail {
template <class Params>
inline constexpr std::size_t poly2_outputs =
    (Params::include_bias ? 1 : 0) + Params::n_features +
    (Params::interaction_only ? Params::n_features * (Params::n_features - 1) / 2
                              : Params::n_features * (Params::n_features + 1) / 2);
}

template <class Params, ValuePolicy Policy = f32>
struct polynomial_features
    : detail::double_transform<polynomial_features<Params, Policy>, Params::n_features, detail::poly2_outputs<Params>> {
  static_assert(std::same_as<Policy, f32>, "ctml: polynomial_features supports ctml::f32 only");
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = polynomial_features<Params, P>;

  static constexpr std::size_t d = Params::n_features, m = detail::poly2_outputs<Params>;
  static constexpr std::size_t table_bytes = 0, code_bytes = 120, ops = m;

  static constexpr void exact(std::span<const double, d> x, std::span<double, m> out) noexcept {
    std::size_t o = 0;
    if constexpr (Params::include_bias) out[o++] = 1.0;
    for (std::size_t i = 0; i < d; ++i) out[o++] = x[i];
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = Params::interaction_only ? i + 1 : i; j < d; ++j) out[o++] = x[i] * x[j];
  }
};

}  // namespace ctml
