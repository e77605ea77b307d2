// Window: y = x * w, w = scipy.signal.get_window(kind, n, fftbins=True).
//
// scipy's general_cosine: w[i] = sum_k a_k cos(k * fac[i]), fac =
// linspace(-pi, pi, n + 1); computed here at compile time in double (ctml::math)
// and rounded to float (q15: to round(w * 2^15) as int16).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
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
  /// q15: round(w * 2^15), at most 32767 (hann's 1.0 at the centre).
  static constexpr std::array<std::int16_t, N> make_q15() noexcept {
    std::array<std::int16_t, N> w{};
    constexpr auto a = coefs();
    for (std::size_t i = 0; i < N; ++i) {
      const double fac = linspace_at(-pi, pi, N + 1, i);
      double v = 0.0;
      for (std::size_t k = 0; k < n_coefs; ++k) v += a[k] * math::cos(static_cast<double>(k) * fac);
      const double r = v * 32768.0 + 0.5;  // > -0.5 + 0.5: truncation is floor here
      w[i] = static_cast<std::int16_t>(r > 32767.0 ? 32767.0 : r);
    }
    return w;
  }
  CTML_FLASH static constexpr std::array<std::int16_t, N> table_q15 = make_q15();
};

}  // namespace detail

/// Params: `n` (values per frame), `window` (a window_kind).
template <class Params, ValuePolicy Policy = f32>
struct window {
  static_assert(SpectrumPolicy<Policy>, "ctml: ctml::dsp::window supports the f32 and q<std::int16_t, 15> policies");
  static_assert(Params::n >= 2, "ctml: a window needs at least 2 values");
  using policy = Policy;
  /// float, or int16 in q15: y = (x w + 2^14) >> 15 with w = round(window * 2^15) (cannot overflow).
  using value_type = typename Policy::value_type;
  using in_type = value_type;
  using out_type = value_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = window<Params, P>;

 private:
  using table = detail::window_table<Params::window, Params::n>;
  static constexpr bool fixed = !std::same_as<Policy, f32>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return fixed ? sizeof(table::table_q15) : sizeof(table::table);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + detail::loop_code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return in_extent; }

  constexpr void run(std::span<const value_type, in_extent> in, std::span<value_type, out_extent> out,
                     no_state&) const noexcept {
    if constexpr (fixed) {
      for (std::size_t i = 0; i < in_extent; ++i)
        // (v + 2^14) >> 15 as ((v >> 14) + 1) >> 1: the same value, no constant to load on Thumb-1
        out[i] = static_cast<std::int16_t>(((std::int32_t{in[i]} * flash_load(&table::table_q15[i]) >> 14) + 1) >> 1);
    } else {
      for (std::size_t i = 0; i < in_extent; ++i) out[i] = in[i] * flash_load(&table::table[i]);
    }
  }
};

}  // namespace ctml::dsp
