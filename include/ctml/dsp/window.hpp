// Window: y = x * w, w = scipy.signal.get_window(kind, n, fftbins=True).
//
// scipy's general_cosine: w[i] = sum_k a_k cos(k * fac[i]), fac =
// linspace(-pi, pi, n + 1); computed here at compile time in double (ctml::math)
// and rounded to float.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {

template <window_kind Kind, std::size_t N>
struct window_table {
  static constexpr std::array<double, 3> coefs() noexcept {
    if constexpr (Kind == window_kind::hann) return {0.5, 0.5, 0.0};
    else if constexpr (Kind == window_kind::hamming) return {0.54, 1.0 - 0.54, 0.0};
    else return {0.42, 0.50, 0.08};
  }
  static constexpr std::size_t n_coefs = Kind == window_kind::blackman ? 3 : 2;
  static constexpr std::array<float, N> make() noexcept {
    std::array<float, N> w{};
    constexpr auto a = coefs();
    for (std::size_t i = 0; i < N; ++i) {
      const double fac = linspace_at(-pi, pi, N + 1, i);
      double v = 0.0;
      for (std::size_t k = 0; k < n_coefs; ++k) v += a[k] * math::cos(static_cast<double>(k) * fac);
      w[i] = static_cast<float>(v);
    }
    return w;
  }
  CTML_FLASH static constexpr std::array<float, N> table = make();
};

}  // namespace detail

/// Params: `n` (values per frame), `window` (a window_kind).
template <class Params, ValuePolicy Policy = f32>
struct window {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::window supports the f32 policy");
  static_assert(Params::n >= 2, "ctml: a window needs at least 2 values");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = window<Params, P>;

 private:
  using table = detail::window_table<Params::window, Params::n>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + detail::loop_code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    for (std::size_t i = 0; i < in_extent; ++i) out[i] = in[i] * flash_load(&table::table[i]);
  }
};

}  // namespace ctml::dsp
