// Inner loops of the network stages, per target.
//
//   dot_f32:  sum of w[j] * x[j] in float, in order j = 0, 1, ... (4 per
//             iteration, one accumulator, so the order is sklearn's).
//   dot_u8:   sum of x[j] * w[j] for activations stored as uint8 (q + 128)
//             and int8 weights, exact in int32. Portable C++ (ldrb, ldrsb,
//             muls, adds on Cortex-M0); on AVR an assembly loop over uint8
//             weights (w + 128) built from 8x8->16 `mul`s into a 24-bit sum,
//             corrected by 128 * sum(x) (no __mulsi3, no 32-bit multiply).
//   exp_f:    float exp for sigmoid/tanh at run time (float arithmetic only,
//             within 2 ulp), since run-time double does not exist on AVR.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include <ctml/detail/flash.hpp>

namespace ctml::nn::kernels {

template <std::size_t N>
[[nodiscard]] inline float dot_f32(const float* w, const float* x) noexcept {
  float acc = 0.0f;
  std::size_t j = 0;
  for (; j + 4 <= N; j += 4) {
    acc += flash_load(w + j) * x[j];
    acc += flash_load(w + j + 1) * x[j + 1];
    acc += flash_load(w + j + 2) * x[j + 2];
    acc += flash_load(w + j + 3) * x[j + 3];
  }
  for (; j < N; ++j) acc += flash_load(w + j) * x[j];
  return acc;
}

#if defined(__AVR__)
/// Weights are stored as uint8 (w + 128) on AVR.
using weight_t = std::uint8_t;
inline constexpr std::int32_t weight_offset = 128;

/// sum x[j] * wu[j] over n <= 252 elements (n a multiple of 4), 24 bits.
inline std::uint32_t dot_u8_chunk(const std::uint8_t*& x, const std::uint8_t*& w, std::uint8_t quads) noexcept {
  // clang's AVR backend allocates at most 16-bit operands: the 24-bit sum is lo:hi.
  std::uint16_t lo = 0;
  std::uint8_t hi = 0;
  std::uint8_t a, b;
  std::uint8_t zero = 0;
  __asm__ volatile(
      "1:\n\t"
      ".rept 4\n\t"
      "ld %[a], X+\n\t"
      "lpm %[b], Z+\n\t"
      "mul %[a], %[b]\n\t"
      "add %A[lo], r0\n\t"
      "adc %B[lo], r1\n\t"
      "adc %[hi], %[zero]\n\t"
      ".endr\n\t"
      "dec %[n]\n\t"
      "brne 1b\n\t"
      "clr r1\n\t"
      : [lo] "+r"(lo), [hi] "+r"(hi), [x] "+x"(x), [w] "+z"(w), [n] "+r"(quads), [a] "=&r"(a), [b] "=&r"(b),
        [zero] "+r"(zero)
      :
      : "r0", "memory");
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}

/// sum x[j] * (wu[j] - 128) = sum x*wu - 128 * sum_x; `sum_x` is sum of x[j].
template <std::size_t N>
[[nodiscard]] inline std::int32_t dot_u8(const weight_t* w, const std::uint8_t* x, std::int32_t sum_x) noexcept {
  std::uint32_t acc = 0;
  constexpr std::size_t quads = N / 4;
  if constexpr (quads > 0) {
    const std::uint8_t* xp = x;
    const std::uint8_t* wp = w;
    std::size_t left = quads;
    while (left > 0) {
      const std::size_t now = left > 63 ? 63 : left;  // 252 products: below 2^24
      acc += dot_u8_chunk(xp, wp, static_cast<std::uint8_t>(now));
      left -= now;
    }
  }
  for (std::size_t j = quads * 4; j < N; ++j)
    acc += static_cast<std::uint16_t>(static_cast<std::uint16_t>(x[j]) * flash_load(w + j));
  return static_cast<std::int32_t>(acc) - 128 * sum_x;
}

template <std::size_t N>
[[nodiscard]] inline std::int32_t sum_u8(const std::uint8_t* x) noexcept {
  std::uint16_t s = 0;
  std::int32_t total = 0;
  for (std::size_t j = 0; j < N; ++j) {
    s = static_cast<std::uint16_t>(s + x[j]);
    if ((j & 0xff) == 0xff) { total += s; s = 0; }
  }
  return total + s;
}
inline constexpr bool needs_sum_x = true;
#else
using weight_t = std::int8_t;
inline constexpr std::int32_t weight_offset = 0;

template <std::size_t N>
[[nodiscard]] inline std::int32_t dot_u8(const weight_t* w, const std::uint8_t* x, std::int32_t) noexcept {
  std::int32_t acc = 0;
  std::size_t j = 0;
  for (; j + 4 <= N; j += 4) {
    acc += static_cast<std::int32_t>(x[j]) * w[j];
    acc += static_cast<std::int32_t>(x[j + 1]) * w[j + 1];
    acc += static_cast<std::int32_t>(x[j + 2]) * w[j + 2];
    acc += static_cast<std::int32_t>(x[j + 3]) * w[j + 3];
  }
  for (; j < N; ++j) acc += static_cast<std::int32_t>(x[j]) * w[j];
  return acc;
}
template <std::size_t N>
[[nodiscard]] inline std::int32_t sum_u8(const std::uint8_t*) noexcept { return 0; }
inline constexpr bool needs_sum_x = false;
#endif

/// exp(x) in float arithmetic: x = k ln2 + r, |r| <= ln2 / 2, degree-7 Taylor.
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

}  // namespace ctml::nn::kernels
