// Linear projections as pipeline stages: PCA (whiten or not), TruncatedSVD
// and LinearDiscriminantAnalysis.transform, all y_j = (sum_i (x_i - mean_i) W_ji) / scale_j
// in sklearn's order: the centring first (x - 0.0 = x where sklearn does not
// centre), a sequential dot product (numpy's matmul on the reference BLAS),
// then the division (PCA whiten by sqrt(explained_variance_); x / 1.0 = x).
//
// Params (generated): n_features, n_outputs, mean[n_features],
// components[n_outputs][n_features], scale[n_outputs].
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/detail/flash.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/transforms/transform_base.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct projection : detail::double_transform<projection<Params, Policy>, Params::n_features, Params::n_outputs> {
  static_assert(std::same_as<Policy, f32>, "ctml: projection (PCA, TruncatedSVD) supports ctml::f32 only");
  template <ValuePolicy P>
    requires std::same_as<P, f32>
  using rebind = projection<Params, P>;

  static constexpr std::size_t d = Params::n_features, m = Params::n_outputs;
  struct tables_t {
    std::array<double, d> mean{};
    std::array<double, m * d> w{};
    std::array<double, m> scale{};
  };
  CTML_FLASH static constexpr tables_t tables = [] {
    tables_t t{};
    for (std::size_t i = 0; i < d; ++i) t.mean[i] = Params::mean[i];
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t i = 0; i < d; ++i) t.w[j * d + i] = Params::components[j][i];
      t.scale[j] = Params::scale[j];
    }
    return t;
  }();
  static constexpr std::size_t table_bytes = sizeof(tables), code_bytes = 120, ops = m * d + d + m;

  CTML_NO_FP_CONTRACT static constexpr void exact(std::span<const double, d> in, std::span<double, m> out) noexcept {
    std::array<double, d> x{};
    for (std::size_t i = 0; i < d; ++i) x[i] = in[i] - flash_load(&tables.mean[i]);
    for (std::size_t j = 0; j < m; ++j) {
      double s = x[0] * flash_load(&tables.w[j * d]);
      for (std::size_t i = 1; i < d; ++i) {
        const double p = x[i] * flash_load(&tables.w[j * d + i]);
        s = s + p;
      }
      out[j] = s / flash_load(&tables.scale[j]);
    }
  }
};

}  // namespace ctml
