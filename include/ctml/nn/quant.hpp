// Affine int8 quantisation for networks (the scheme of TFLite's int8 kernels):
//
//   real = scale * (q - zero_point)
//   activations: per tensor, asymmetric, q in [-128, 127], scale and zero
//                point chosen from the calibrated range (nudged to hold 0);
//   weights:     per output channel, symmetric, q in [-127, 127];
//   bias:        int32, scale = input scale * weight scale;
//   accumulate:  int32; requantise by a fixed-point multiplier M0 and a
//                shift (M = M0 * 2^(shift - 31)), with TFLite's reference
//                rounding: SaturatingRoundingDoublingHighMul, then
//                RoundingDivideByPOT (half away from zero).
//
// `int8_affine<MultiplierBits>` keeps MultiplierBits significant bits of M0
// (31 as TFLite; 15 lets AVR requantise with 8x8->16 multiplies): the low
// bits of M0 are zero, the arithmetic is TFLite's exactly.
//
// Everything here is constexpr and without UB; the library derives all
// scales, zero points and multipliers at compile time from the float
// parameters and the calibration ranges in the generated header.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include <ctml/arch.hpp>
#include <ctml/number/policy.hpp>

namespace ctml {

namespace nn::quant {

/// Scale and zero point of one tensor.
struct params {
  double scale;
  std::int32_t zero_point;  // in [-128, 127]
};

/// TFLite's ChooseQuantizationParams for int8, from a calibrated range.
[[nodiscard]] constexpr params choose(double lo, double hi) noexcept {
  if (lo > 0) lo = 0;
  if (hi < 0) hi = 0;
  if (hi - lo <= 0) return {1.0, 0};
  const double scale = (hi - lo) / 255.0;
  const double zp_real = -128.0 - lo / scale;
  std::int32_t zp = ctml::detail::round_sat<std::int32_t>(zp_real);
  if (zp < -128) zp = -128;
  if (zp > 127) zp = 127;
  return {scale, zp};
}

/// round(v / scale) + zero_point, saturated to int8 (ties away from zero).
[[nodiscard]] constexpr std::int8_t quantize(double v, params p) noexcept {
  std::int32_t q = ctml::detail::round_sat<std::int32_t>(v / p.scale) + p.zero_point;
  return static_cast<std::int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
}

/// A real multiplier as M0 (Q31, in [2^30, 2^31)) and a shift:
/// M = M0 * 2^(shift - 31). Keeps `bits` significant bits of M0.
struct multiplier {
  std::int32_t m0;
  int shift;
};
[[nodiscard]] constexpr multiplier quantize_multiplier(double m, int bits = 31) noexcept {
  if (m <= 0) return {0, 0};
  int shift = 0;
  while (m >= 1.0) { m *= 0.5; ++shift; }
  while (m < 0.5) { m *= 2.0; --shift; }
  auto q = ctml::detail::round_sat<std::int64_t>(m * ctml::detail::pow2(bits));
  if (q == (std::int64_t{1} << bits)) { q >>= 1; ++shift; }
  return {static_cast<std::int32_t>(q << (31 - bits)), shift};
}

/// TFLite's SaturatingRoundingDoublingHighMul: (a * b + nudge) / 2^31,
/// truncated, with nudge = 2^30 for a * b >= 0 and 1 - 2^30 otherwise (the
/// target's kernel: on AVR without the 64-bit product).
[[nodiscard]] constexpr std::int32_t srdhm(std::int32_t a, std::int32_t b) noexcept { return arch::srdhm(a, b); }

/// TFLite's RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;  // TFLite's exponents stay below 32
  return arch::rounding_divide_by_pot(x, exponent);
}

/// Saturating x * 2^n for n >= 0.
[[nodiscard]] constexpr std::int32_t shift_left_sat(std::int32_t x, int n) noexcept {
  std::int64_t v = x;
  for (int i = 0; i < n; ++i) {
    v *= 2;
    if (v > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
    if (v < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
  }
  return static_cast<std::int32_t>(v);
}

/// TFLite's MultiplyByQuantizedMultiplier: the reference requantisation.
[[nodiscard]] constexpr std::int32_t requantize(std::int32_t acc, multiplier m) noexcept {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  return rounding_divide_by_pot(srdhm(shift_left_sat(acc, left), m.m0), right);
}

/// The same result as `requantize(acc, {m0, shift})` when m0's low 16 bits
/// are zero (MultiplierBits <= 15), shift <= 0 and |acc| < 2^23, computed
/// with 16x16 products only (no 64-bit arithmetic): SRDHM(a, m << 16) is
/// floor((a * m + 2^14) / 2^15) for every sign of a.
[[nodiscard]] constexpr std::int32_t requantize_small(std::int32_t acc, std::uint16_t m, int right) noexcept {
  // a = hi * 2^8 + lo with lo in [0, 256): a * m = hi * m * 2^8 + lo * m.
  const std::int32_t hi = acc >> 8;              // |hi| < 2^15
  const auto lo = static_cast<std::uint8_t>(acc);  // two's complement low byte
  const std::int32_t t = static_cast<std::int32_t>(static_cast<std::uint32_t>(lo) * m) + (std::int32_t{1} << 14);
  // floor((hi*m*2^8 + t) / 2^15) = floor((hi*m + floor(t / 2^8)) / 2^7)
  const std::int32_t high = static_cast<std::int32_t>(static_cast<std::int32_t>(static_cast<std::int16_t>(hi)) *
                                                      static_cast<std::int32_t>(m));
  const std::int32_t r = (high + (t >> 8)) >> 7;
  return rounding_divide_by_pot(r, right);
}

/// The constants of `requantize_fast` for a multiplier {m0, shift} with m0's
/// low 16 bits zero and shift <= 0 (TFLite's arithmetic, regrouped).
struct fast_multiplier {
  std::int32_t round;  // added before the final shift when the value is >= 0
  std::uint16_t m;     // m0 >> 16
  std::uint8_t s;      // 7 - shift
};
[[nodiscard]] constexpr fast_multiplier make_fast(multiplier q) noexcept {
  const int right = -q.shift;
  const auto s = static_cast<std::uint8_t>(7 + right);
  return {right >= 1 ? static_cast<std::int32_t>(std::int64_t{1} << (s - 1)) : 0,
          static_cast<std::uint16_t>(q.m0 >> 16), s};
}

/// The `round` of make_fast, from the shift s alone.
[[nodiscard]] constexpr std::int32_t fast_round(std::uint8_t s) noexcept { return arch::portable::fast_round(s); }

/// `requantize(acc, {m << 16, 7 - s})` for |acc| < 2^23 and 7 <= s <= 30, in
/// one pass (arch::portable::requantize_fast): TFLite's two roundings
/// exactly, with one 16x16 and one 8x16 product.
[[nodiscard]] constexpr std::int32_t requantize_fast(std::int32_t acc, fast_multiplier f) noexcept {
  return arch::portable::requantize_fast(acc, f.round, f.m, f.s);
}

}  // namespace nn::quant
}  // namespace ctml
