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

/// Shift right by s in [0, 31] (arithmetic for signed y), as byte moves plus
/// at most 7 single-bit shifts (AVR has no barrel shifter; on Cortex-M0 GCC
/// also makes faster code of it than of y >> s: measured).
template <class T>
[[nodiscard]] constexpr T shift_right(T y, std::uint8_t s) noexcept {
  if (s & 16u) y >>= 16;
  if (s & 8u) y >>= 8;
  return static_cast<T>(y >> (s & 7u));
}

#if defined(__AVR__)
/// a * b, 16 x 16 -> 32 bits, as four 8x8 `mul`s (clang calls a 32 x 32
/// multiply routine for it otherwise).
[[nodiscard]] inline std::uint32_t mul_u16_avr(std::uint16_t a, std::uint16_t b) noexcept {
  std::uint16_t lo, hi;
  std::uint8_t zero = 0;  // an output, so that it is not r1 (the products' high byte)
  __asm__("mul %A[a], %A[b]\n\t" "movw %A[lo], r0\n\t"
          "mul %B[a], %B[b]\n\t" "movw %A[hi], r0\n\t"
          "mul %A[a], %B[b]\n\t" "add %B[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[zero]\n\t"
          "mul %B[a], %A[b]\n\t" "add %B[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[zero]\n\t"
          "clr r1\n\t"
          : [lo] "=&r"(lo), [hi] "=&r"(hi), [zero] "+r"(zero)
          : [a] "r"(a), [b] "r"(b)
          : "r0");
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}
#endif

/// TFLite's SaturatingRoundingDoublingHighMul: (a * b + nudge) / 2^31,
/// truncated, with nudge = 2^30 for a * b >= 0 and 1 - 2^30 otherwise.
[[nodiscard]] constexpr std::int32_t srdhm(std::int32_t a, std::int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
#if defined(__AVR__)
  // AVR: the 64-bit product is a library call (503 cycles a srdhm with it,
  // 378 this way). On magnitudes the result is
  // floor((|a b| + 2^30 - (a b < 0)) / 2^31), from four 16 x 16 products.
  if (!std::is_constant_evaluated()) {
    const bool negative = (a < 0) != (b < 0) && a != 0 && b != 0;
    const std::uint32_t ua = a < 0 ? 0u - static_cast<std::uint32_t>(a) : static_cast<std::uint32_t>(a);
    const std::uint32_t ub = b < 0 ? 0u - static_cast<std::uint32_t>(b) : static_cast<std::uint32_t>(b);
    const auto a0 = static_cast<std::uint16_t>(ua), a1 = static_cast<std::uint16_t>(ua >> 16);
    const auto b0 = static_cast<std::uint16_t>(ub), b1 = static_cast<std::uint16_t>(ub >> 16);
    const std::uint32_t ll = mul_u16_avr(a0, b0), lh = mul_u16_avr(a0, b1), hl = mul_u16_avr(a1, b0);
    const std::uint32_t mid = (ll >> 16) + (lh & 0xffffu) + (hl & 0xffffu);  // < 3 * 2^16
    const std::uint32_t lo = (ll & 0xffffu) | (mid << 16);
    std::uint32_t hi = mul_u16_avr(a1, b1) + (lh >> 16) + (hl >> 16) + (mid >> 16);  // |a b| < 2^62
    const std::uint32_t lo_nudged = lo + ((std::uint32_t{1} << 30) - (negative ? 1u : 0u));
    hi += lo_nudged < lo ? 1u : 0u;
    const std::uint32_t r = (hi << 1) | (lo_nudged >> 31);  // < 2^31
    return negative ? -static_cast<std::int32_t>(r) : static_cast<std::int32_t>(r);
  }
#endif
  const std::int64_t ab = static_cast<std::int64_t>(a) * b;
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));  // truncating division
}

/// TFLite's RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;  // TFLite's exponents stay below 32
#if defined(__AVR__)
  // One shift instead of TFLite's mask, remainder and shift (each a loop on
  // AVR; 394 -> 267 cycles): sign(x) * floor((|x| / 2^(exponent-1) + 1) / 2).
  const std::uint32_t magnitude = x < 0 ? 0u - static_cast<std::uint32_t>(x) : static_cast<std::uint32_t>(x);
  const std::uint32_t r = (shift_right(magnitude, static_cast<std::uint8_t>(exponent - 1)) + 1u) >> 1;  // < 2^31
  return x < 0 ? -static_cast<std::int32_t>(r) : static_cast<std::int32_t>(r);
#else
  const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << exponent) - 1u);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
#endif
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
[[nodiscard]] constexpr std::int32_t fast_round(std::uint8_t s) noexcept {
  return s > 7 ? static_cast<std::int32_t>(std::uint32_t{1} << (s - 1)) : 0;  // s <= 31
}

/// `requantize(acc, {m << 16, 7 - s})` for |acc| < 2^23 and 7 <= s <= 30, in
/// one pass: with y = floor((acc * m + 2^14) / 2^8), SRDHM is floor(y / 2^7)
/// and RoundingDivideByPOT(SRDHM, s - 7) is floor((y + R) / 2^s), where R is
/// 2^(s-1) (s > 7, y >= 0), 2^(s-1) - 128 (s > 7, y < 0), or 0 (s == 7):
/// TFLite's two roundings exactly, with one 16x16 and one 8x16 product.
[[nodiscard]] constexpr std::int32_t requantize_fast(std::int32_t acc, fast_multiplier f) noexcept {
  const auto hi = static_cast<std::int16_t>(acc >> 8);  // |hi| < 2^15
  const auto lo = static_cast<std::uint8_t>(acc);       // two's complement low byte
  const auto t = static_cast<std::int32_t>(static_cast<std::uint32_t>(lo) * f.m + (std::uint32_t{1} << 14));
  std::int32_t y = static_cast<std::int32_t>(hi) * static_cast<std::int32_t>(f.m) + (t >> 8);
  std::int32_t r = f.round;
  if (y < 0 && r != 0) r -= 128;
  return shift_right(y + r, f.s);
}

}  // namespace nn::quant
}  // namespace ctml
