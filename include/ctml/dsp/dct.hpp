// DCT-II, orthonormal, first n_coefs outputs: scipy.fft.dct(x, type=2,
// norm="ortho")[:n_coefs] (MFCCs from log-mel rows).
//   y[k] = f_k sum_i x[i] cos(pi k (2i + 1) / (2n)),  f_0 = sqrt(1/n), f_k = sqrt(2/n)
// The scaled cosines are one compile-time table (n_coefs x n floats); the
// cosines come from the 4n values cos(pi j / (2n)), j = k (2i + 1) mod 4n.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {

template <std::size_t N, std::size_t K>
struct dct_table {
  static constexpr std::array<float, N * K> make() noexcept {
    std::array<double, 4 * N> c{};
    for (std::size_t j = 0; j < 4 * N; ++j) c[j] = math::cos(pi * static_cast<double>(j) / (2.0 * static_cast<double>(N)));
    std::array<float, N * K> t{};
    const double f0 = math::sqrt(1.0 / static_cast<double>(N)), fk = math::sqrt(2.0 / static_cast<double>(N));
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t i = 0; i < N; ++i)
        t[k * N + i] = static_cast<float>((k == 0 ? f0 : fk) * c[(k * (2 * i + 1)) % (4 * N)]);
    return t;
  }
  CTML_FLASH static constexpr std::array<float, N * K> table = make();
};

}  // namespace detail

/// Params: `n` (inputs), `n_coefs` (outputs, <= n).
template <class Params, ValuePolicy Policy = f32>
struct dct {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::dct supports the f32 policy");
  static_assert(Params::n_coefs >= 1 && Params::n_coefs <= Params::n, "ctml: dct needs 1 <= n_coefs <= n");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n_coefs;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = dct<Params, P>;

 private:
  using table = detail::dct_table<in_extent, out_extent>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + detail::loop_code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * in_extent * out_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    const float* c = table::table.data();
    for (std::size_t k = 0; k < out_extent; ++k) {
      float acc = 0.0f;
      for (std::size_t i = 0; i < in_extent; ++i) acc += detail::product(flash_load(c++), in[i]);
      out[k] = acc;
    }
  }
};

}  // namespace ctml::dsp
