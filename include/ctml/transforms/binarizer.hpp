// sklearn's Binarizer (and BernoulliNB's binarize): x > threshold -> 1, else 0.
// Params (generated): n_features, threshold (double; float inputs compare exactly).
#pragma once

#include <cstddef>
#include <span>

#include <ctml/transforms/transform_base.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct binarizer : detail::double_transform<binarizer<Params, Policy>, Params::n_features, Params::n_features> {
  static_assert(std::same_as<Policy, f32>, "ctml: binarizer supports ctml::f32 only");
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = binarizer<Params, P>;

  static constexpr std::size_t d = Params::n_features;
  static constexpr std::size_t table_bytes = 0, code_bytes = 40, ops = d;

  static constexpr void exact(std::span<const double, d> x, std::span<double, d> out) noexcept {
    for (std::size_t i = 0; i < d; ++i) out[i] = x[i] > Params::threshold ? 1.0 : 0.0;
  }
};

}  // namespace ctml
