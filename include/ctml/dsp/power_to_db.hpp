// Power to decibels: y = 10 log10(max(x, amin)), in float arithmetic only
// (no double, no libm: the same bits on every port and in ctml.dsp).
//
// x = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1),
// |s| <= 0.172, to s^9; y = (10 / ln 10) (e ln 2 + ln m). Error against float64
// numpy: within 1e-5 dB + 3e-7 relative (2 float ulps) over the normal floats.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {

/// 10 log10(x) for a positive normal float x (also the mirror in generator/ctml/dsp.py).
[[nodiscard]] constexpr float decibels(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  int e = static_cast<int>((bits >> 23) & 0xffu) - 127;
  float m = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);
  if (m > 1.41421354f) {
    m = product(m, 0.5f);
    ++e;
  }
  const float s = (m - 1.0f) / (m + 1.0f);
  const float z = product(s, s);
  float p = product(z, 1.0f / 9.0f) + 1.0f / 7.0f;
  p = product(p, z) + 1.0f / 5.0f;
  p = product(p, z) + 1.0f / 3.0f;
  const float t = s + s;
  const float ln_m = t + product(t, product(z, p));
  return product(product(static_cast<float>(e), 0.693147182f) + ln_m, 4.34294462f);
}

}  // namespace detail

/// Params: `n` (values), `amin` (double, a normal float: >= 2^-126).
template <class Params, ValuePolicy Policy = f32>
struct power_to_db {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::power_to_db supports the f32 and q<std::int16_t, 15> policies");
  static_assert(static_cast<float>(Params::amin) >= 0x1p-126f,
                "ctml: power_to_db needs amin >= 2^-126 (the smallest normal float)");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = power_to_db<Params, P>;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return 160; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 16 * in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    constexpr auto amin = static_cast<float>(Params::amin);
    for (std::size_t i = 0; i < in_extent; ++i) out[i] = detail::decibels(in[i] > amin ? in[i] : amin);
  }
};

namespace detail {

/// log2(1 + i/64), i = 0..64, in q20 (rounded): the q15 dB's table.
[[nodiscard]] constexpr std::array<std::uint32_t, 65> make_log2_table() noexcept {
  std::array<std::uint32_t, 65> t{};
  for (std::size_t i = 0; i <= 64; ++i)
    t[i] = static_cast<std::uint32_t>(math::log(1.0 + static_cast<double>(i) / 64.0) / 0.6931471805599453 * 1048576.0 + 0.5);
  return t;
}
struct log2_table {
  CTML_FLASH static constexpr std::array<std::uint32_t, 65> table = make_log2_table();
};

/// 10 log10(x) for a positive normal float, in integers: log2 x = e + log2(1 + f)
/// in q20, log2(1 + f) interpolated linearly between the 65 points of log2_table
/// (error <= 4.5e-5 in log2, 1.4e-4 dB), then one conversion to float and one
/// product with 10 log10(2) / 2^20 (also the mirror in generator/ctml/dsp_spectrum_q15.py).
[[nodiscard]] constexpr float decibels_q(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  const std::int32_t e = static_cast<std::int32_t>((bits >> 23) & 0xffu) - 127;
  const std::uint32_t frac = bits & 0x7fffffu, rem = frac & 0x1ffffu;
  const auto i = static_cast<std::size_t>(frac >> 17);  // 0..63
  const std::uint32_t lo = flash_load(&log2_table::table[i]), hi = flash_load(&log2_table::table[i + 1]);
  const std::uint32_t f = lo + (((hi - lo) * rem + (std::uint32_t{1} << 16)) >> 17);  // (hi - lo) < 2^15: no overflow
  const std::int32_t l = e * (std::int32_t{1} << 20) + static_cast<std::int32_t>(f);
  return product(static_cast<float>(l), 3.0102999566398120f / 1048576.0f);  // 10 log10(2) / 2^20
}

}  // namespace detail

/// power_to_db in q15 (with the q15 spectrum and mel): float in and out, the
/// logarithm in integers (detail::decibels_q, within 2e-4 dB; cheap without an FPU).
template <class Params>
struct power_to_db<Params, q<std::int16_t, 15>> {
  static_assert(static_cast<float>(Params::amin) >= 0x1p-126f,
                "ctml: power_to_db needs amin >= 2^-126 (the smallest normal float)");
  using policy = q<std::int16_t, 15>;
  using in_type = float;
  using out_type = float;
  using in_number = f32;
  using out_number = f32;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = power_to_db<Params, P>;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(detail::log2_table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 120; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 12 * in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    constexpr auto amin = static_cast<float>(Params::amin);
    for (std::size_t i = 0; i < in_extent; ++i) out[i] = detail::decibels_q(in[i] > amin ? in[i] : amin);
  }
};

}  // namespace ctml::dsp
