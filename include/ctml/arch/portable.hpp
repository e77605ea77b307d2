// Portable kernels: plain C++ for every target. Each target's header
// (arch/<family>.hpp) defines CTML_FLASH and ctml::arch::flash_load, includes
// this file, and takes these kernels or replaces one with its own version,
// which the port tests check against the portable twin here
// (tests/portable). Nothing here depends on the target: no target #if.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <ctml/arch/common.hpp>

namespace ctml::arch {
namespace portable {

// ---------------------------------------------------------------------------
// Float kernels.

/// A fast path for dot_f32 that is not there (arch/avr.hpp has one).
struct no_fast_dot {
  static constexpr bool enabled = false;
  std::uint32_t operator()(const float*, const float*, std::size_t) const noexcept { return 0xffffffffu; }
};

/// sum of w[j] * x[j] in float, in order j = 0, 1, ... (4 per iteration, one
/// accumulator, so the order is sklearn's); w in flash. `Fast` may compute
/// the same bits first (0xffffffff where it declines: then the loop runs).
template <std::size_t N, class Fast = no_fast_dot>
[[nodiscard]] inline float dot_f32(const float* w, const float* x, Fast fast = {}) noexcept {
  if constexpr (Fast::enabled)
    if (const std::uint32_t bits = fast(w, x, N); bits != 0xffffffffu) return std::bit_cast<float>(bits);
  constexpr std::size_t quads = N - N % 4;  // the tail loop's bounds are constants (GCC 12 misjudges it otherwise)
  float acc = 0.0f;
  for (std::size_t j = 0; j < quads; j += 4) {
    acc += flash_load(w + j) * x[j];
    acc += flash_load(w + j + 1) * x[j + 1];
    acc += flash_load(w + j + 2) * x[j + 2];
    acc += flash_load(w + j + 3) * x[j + 3];
  }
  if constexpr (quads < N)
    for (std::size_t j = quads; j < N; ++j) acc += flash_load(w + j) * x[j];
  return acc;
}

/// exp(x) in float arithmetic: x = k ln2 + r, |r| <= ln2 / 2, degree-7
/// Taylor (within 2 ulp), since run-time double does not exist on AVR.
[[nodiscard]] constexpr float exp_f(float x) noexcept {
  if (!(x == x)) return x;
  if (x > 88.7f) return std::bit_cast<float>(0x7f800000u);
  if (x < -103.9f) return 0.0f;
  const float kf = x * 1.44269504f;
  const int k = static_cast<int>(kf < 0 ? kf - 0.5f : kf + 0.5f);
  const float r = (x - static_cast<float>(k) * 0.693145752f) - static_cast<float>(k) * 1.42860677e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // p * 2^k in two steps (k may be below the normal range).
  const int k1 = k / 2;
  const int k2 = k - k1;
  const auto s1 = std::bit_cast<float>(static_cast<std::uint32_t>(k1 + 127) << 23);
  const auto s2 = std::bit_cast<float>(static_cast<std::uint32_t>(k2 + 127) << 23);
  return p * s1 * s2;
}

// ---------------------------------------------------------------------------
// Integer dot products: activations are stored as uint8 (u = q + 128) and
// weights as uint8 (wu = w + 128), so every product is an unsigned 8x8 ->
// 16-bit one; the caller folds the offsets into per-output constants and one
// per-layer correction, 128 * sum(u) (see nn/int8.hpp).

/// Rows computed together by dot_u8_block (their weights interleaved).
inline constexpr std::size_t u8_block = 4;

/// d[k] = sum x[j] * w[4 j + k], k < 4: each x[j] is loaded once for four
/// outputs (ldrb, then ldrb, muls, adds per product on Cortex-M0).
template <std::size_t N>
inline void dot_u8_block(const std::uint8_t* w, const std::uint8_t* x, std::uint32_t* d) noexcept {
  std::uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (std::size_t j = 0; j < N; ++j, w += 4) {
    const std::uint32_t v = x[j];
    a0 += v * w[0];
    a1 += v * w[1];
    a2 += v * w[2];
    a3 += v * w[3];
  }
  d[0] = a0;
  d[1] = a1;
  d[2] = a2;
  d[3] = a3;
}

/// sum x[j] * w[j] (ldrb, ldrb, muls, adds per product on Cortex-M0).
template <std::size_t N>
[[nodiscard]] inline std::uint32_t dot_u8(const std::uint8_t* w, const std::uint8_t* x) noexcept {
  std::uint32_t acc = 0;
  for (std::size_t k = 0; k < N / 4; ++k, x += 4, w += 4) {
    acc += static_cast<std::uint32_t>(x[0]) * w[0];
    acc += static_cast<std::uint32_t>(x[1]) * w[1];
    acc += static_cast<std::uint32_t>(x[2]) * w[2];
    acc += static_cast<std::uint32_t>(x[3]) * w[3];
  }
  for (std::size_t j = 0; j < N % 4; ++j) acc += static_cast<std::uint32_t>(x[j]) * w[j];
  return acc;
}

/// sum x[j], j < N.
template <std::size_t N>
[[nodiscard]] inline std::uint32_t sum_u8(const std::uint8_t* x) noexcept {
  std::uint32_t s = 0;
  for (std::size_t j = 0; j < N; ++j) s += x[j];
  return s;
}

/// round(x * 2^K) + zu (ties away from zero), saturated to [0, 255], from the
/// IEEE bits of x: integer operations only (no soft-float on M0 and AVR).
template <int K>
[[nodiscard]] constexpr std::uint8_t quantize_pow2(float x, std::int16_t zu) noexcept {
  const auto u = std::bit_cast<std::uint32_t>(x);
  const auto e = static_cast<int>((u >> 23) & 0xffu);
  std::int16_t r = 0;
  if (e == 0xff) {
    if ((u & 0x7fffffu) != 0) return static_cast<std::uint8_t>(zu);  // NaN: the real value 0
    r = 512;                                                        // inf: saturate
  } else {
    // |x| * 2^K = m * 2^(e - 150 + K); shift right by sh with rounding.
    const int sh = 150 - K - e;
    if (sh <= 8) {
      r = 512;  // |value| >= 2^15: saturates
    } else if (sh <= 24) {
      // floor((m + 2^(sh-1)) / 2^sh) == floor((floor(m / 2^8) / 2^(sh-9) + 1) / 2)
      const auto t = static_cast<std::uint16_t>(((u & 0x7fffffu) | 0x800000u) >> 8);
      r = static_cast<std::int16_t>(((t >> (sh - 9)) + 1u) >> 1);
    }  // sh > 24: |value| < 1/2 rounds to 0
  }
  if (r > 256) r = 256;
  const std::int16_t q = (u >> 31) != 0u ? static_cast<std::int16_t>(zu - r) : static_cast<std::int16_t>(zu + r);
  return static_cast<std::uint8_t>(q < 0 ? 0 : (q > 255 ? 255 : q));
}

/// y[i] = quantize_pow2<K>(x[i], zu) for i < n; returns the sum of the y[i] (mod 2^16).
template <int K>
inline std::uint16_t quantize_u8(const float* x, std::uint8_t* y, std::size_t n, std::int16_t zu) noexcept {
  std::uint16_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s = static_cast<std::uint16_t>(s + (y[i] = quantize_pow2<K>(x[i], zu)));
  return s;
}

/// floor(a / N) for a < 256 N (average pooling): the compiler's division by a constant.
template <std::size_t N, class T>
[[nodiscard]] constexpr std::uint8_t div_small(T a) noexcept {
  return static_cast<std::uint8_t>(a / N);
}

// ---------------------------------------------------------------------------
// Requantisation arithmetic (TFLite's; nn/quant.hpp builds on it).

/// Shift right by s in [0, 31] (arithmetic for signed y), as byte moves plus
/// at most 7 single-bit shifts (AVR has no barrel shifter; on Cortex-M0 GCC
/// also makes faster code of it than of y >> s: measured).
template <class T>
[[nodiscard]] constexpr T shift_right(T y, std::uint8_t s) noexcept {
  if (s & 16u) y >>= 16;
  if (s & 8u) y >>= 8;
  return static_cast<T>(y >> (s & 7u));
}

/// TFLite's SaturatingRoundingDoublingHighMul: (a * b + nudge) / 2^31,
/// truncated, with nudge = 2^30 for a * b >= 0 and 1 - 2^30 otherwise.
[[nodiscard]] constexpr std::int32_t srdhm(std::int32_t a, std::int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = static_cast<std::int64_t>(a) * b;
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));  // truncating division
}

/// TFLite's RoundingDivideByPOT: x / 2^exponent rounded half away from
/// zero, for exponent in [1, 31].
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << exponent) - 1u);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// The constants of requantize_fast.
struct fast_multiplier {
  std::int32_t round;  // added before the final shift when the value is >= 0
  std::uint16_t m;     // m0 >> 16
  std::uint8_t s;      // 7 - shift
};

/// TFLite's requantisation for a multiplier {m << 16, 7 - s}, |acc| < 2^23
/// and 7 <= s <= 30, in one pass (nn/quant.hpp): with
/// y = floor((acc * m + 2^14) / 2^8), SRDHM is floor(y / 2^7) and
/// RoundingDivideByPOT(SRDHM, s - 7) is floor((y + R) / 2^s), where R is
/// `round` = 2^(s-1) (s > 7, y >= 0), 2^(s-1) - 128 (s > 7, y < 0), or 0
/// (s == 7); one 16x16 and one 8x16 product.
[[nodiscard]] constexpr std::int32_t requantize_fast(std::int32_t acc, fast_multiplier f) noexcept {
  const auto hi = static_cast<std::int16_t>(acc >> 8);  // |hi| < 2^15
  const auto lo = static_cast<std::uint8_t>(acc);       // two's complement low byte
  const auto t = static_cast<std::int32_t>(static_cast<std::uint32_t>(lo) * f.m + (std::uint32_t{1} << 14));
  std::int32_t y = static_cast<std::int32_t>(hi) * static_cast<std::int32_t>(f.m) + (t >> 8);
  std::int32_t r = f.round;
  if (y < 0 && r != 0) r -= 128;
  return shift_right(y + r, f.s);
}

/// The `round` of requantize_fast, from the shift s alone.
[[nodiscard]] constexpr std::int32_t fast_round(std::uint8_t s) noexcept {
  return s > 7 ? static_cast<std::int32_t>(std::uint32_t{1} << (s - 1)) : 0;  // s <= 31
}

/// The per-output constants of the fast requantisation: the accumulator's
/// start c, and requantize_fast's m, s and round.
struct fast_entry {
  std::int32_t c;
  std::uint16_t m;
  std::uint8_t s;
  std::int32_t round;
};
[[nodiscard]] constexpr fast_entry make_fast_entry(std::int32_t c, std::uint16_t m, std::uint8_t s) noexcept {
  return {c, m, s, fast_round(s)};
}

/// requantize_fast of acc (+ the entry's c when AddBias) with the entry's
/// constants, read from flash (an entry without `round` derives it from s).
template <bool AddBias, class Entry>
[[nodiscard]] CTML_ALWAYS_INLINE constexpr std::int32_t requantize_entry(std::int32_t acc, const Entry* en) noexcept {
  if constexpr (AddBias) acc = flash_load(&en->c) + acc;
  if constexpr (requires { en->round; })
    return requantize_fast(acc, {flash_load(&en->round), flash_load(&en->m), flash_load(&en->s)});
  else
    return requantize_fast(acc, {fast_round(flash_load(&en->s)), flash_load(&en->m), flash_load(&en->s)});
}

/// A hidden int8 dense layer with the fast requantisation, two rows per
/// pass: y[o] = clamp(requantize_entry<true>(dot(x, row o) - 128 sum, e[o])
/// + zu_out, lo, 255) for o < n_out, with rows interleaved in pairs in w (an
/// odd last row paired with a zero row) and n_in = 4 quads + rest <= 256.
/// With e == nullptr (a head) y is int32[n_out] and gets dot - 128 sum. The
/// descriptor lives in flash.
template <class Entry>
struct dense_pair_layer {
  const std::uint8_t* w;
  const Entry* e;
  std::uint8_t quads, rest, n_out, zu_out, lo;
};
template <class Entry>
inline void dense_pairs(const std::uint8_t* x, std::uint8_t* y, const dense_pair_layer<Entry>* layer, std::uint16_t sum) noexcept {
  const dense_pair_layer<Entry> d = flash_load(layer);
  const std::size_t n_in = 4u * d.quads + d.rest;
  const std::uint32_t start = 0u - std::uint32_t{128} * sum;  // 32 bits also where int is 16 (AVR)
  const std::uint8_t* w = d.w;
  const Entry* e = d.e;
  const auto out = [&](std::uint32_t a) {
    const auto v = static_cast<std::int32_t>(a << 8) >> 8;  // 24 bits, sign-extended
    if (e == nullptr) {
      const auto bytes = std::bit_cast<std::array<std::uint8_t, 4>>(v);
      for (std::uint8_t b : bytes) *y++ = b;
      return;
    }
    std::int32_t r = portable::requantize_entry<true>(v, e++) + d.zu_out;
    r = r < d.lo ? d.lo : (r > 255 ? 255 : r);
    *y++ = static_cast<std::uint8_t>(r);
  };
  for (std::size_t o = 0; o < d.n_out; o += 2) {
    std::uint32_t a0 = start, a1 = start;
    for (std::size_t j = 0; j < n_in; ++j, w += 2) {
      a0 += static_cast<std::uint32_t>(x[j]) * flash_load(w);
      a1 += static_cast<std::uint32_t>(x[j]) * flash_load(w + 1);
    }
    out(a0);
    if (o + 1 < d.n_out) out(a1);
  }
}

// ---------------------------------------------------------------------------
// Convolution windows (nn/int8.hpp, int8_conv).

/// sum of x * w over C channels of KH rows of KW taps, x unsigned bytes in a
/// (C, HP, WP) tensor, w signed bytes (w[(c KH + ky) KW + kx]) in flash.
template <std::size_t C, std::size_t KH, std::size_t KW, std::size_t HP, std::size_t WP>
CTML_ALWAYS_INLINE std::int32_t conv_window(const std::uint8_t* x, const std::int8_t* w) noexcept {
  std::int32_t acc = 0;
#pragma GCC unroll 1
  for (std::size_t c = 0; c < C; ++c)  // not unrolled: code size kh * kw taps, whatever C
#pragma GCC unroll 16
    for (std::size_t ky = 0; ky < KH; ++ky)
#pragma GCC unroll 16
      for (std::size_t kx = 0; kx < KW; ++kx)
        acc += static_cast<std::int32_t>(x[(c * HP + ky) * WP + kx]) * flash_load(&w[(c * KH + ky) * KW + kx]);
  return acc;
}

/// The windows at x and x + Stride: two neighbouring outputs per weight load.
template <std::size_t C, std::size_t KH, std::size_t KW, std::size_t HP, std::size_t WP, std::size_t Stride>
CTML_ALWAYS_INLINE void conv_window2(const std::uint8_t* x, const std::int8_t* w, std::int32_t& a0,
                                     std::int32_t& a1) noexcept {
  std::int32_t s0 = 0, s1 = 0;
#pragma GCC unroll 1
  for (std::size_t c = 0; c < C; ++c)
#pragma GCC unroll 16
    for (std::size_t ky = 0; ky < KH; ++ky)
#pragma GCC unroll 16
      for (std::size_t kx = 0; kx < KW; ++kx) {
        const std::int32_t wv = flash_load(&w[(c * KH + ky) * KW + kx]);
        s0 += static_cast<std::int32_t>(x[(c * HP + ky) * WP + kx]) * wv;
        s1 += static_cast<std::int32_t>(x[(c * HP + ky) * WP + kx + Stride]) * wv;
      }
  a0 = s0;
  a1 = s1;
}

}  // namespace portable
}  // namespace ctml::arch
