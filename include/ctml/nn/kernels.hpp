// Inner loops of the network stages, per target.
//
//   dot_f32:  sum of w[j] * x[j] in float, in order j = 0, 1, ... (4 per
//             iteration, one accumulator, so the order is sklearn's).
//   dot_u8:   sum of x[j] * w[j] for activations stored as uint8 (q + 128)
//             and weights stored as uint8 (w + 128), exact in uint32.
//             Portable C++ (ldrb, ldrb, muls, adds on Cortex-M0); on AVR an
//             assembly loop of 8x8->16 `mul`s into a 24-bit sum (no
//             __mulsi3, no 32-bit multiply).
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

// Integer dot products: activations are stored as uint8 (u = q + 128) and
// weights as uint8 (wu = w + 128), so every product is an unsigned 8x8 ->
// 16-bit one; the caller folds the offsets into per-output constants and one
// per-layer correction, 128 * sum(u) (see network.hpp).
#if defined(__AVR__)
/// sum x[j] * w[j], j < 8 * octs + rest (x in RAM, w in flash): 10 cycles
/// per product (ld, lpm, mul, 24-bit add), 8 per loop turn; n <= 256 keeps
/// 24 bits exact.
[[gnu::noinline]] inline std::uint32_t dot_u8_avr(const std::uint8_t* x, const std::uint8_t* w, std::uint8_t quads,
                                                  std::uint8_t rest) noexcept {
  // clang's AVR backend allocates at most 16-bit operands: the 24-bit sum is lo:hi.
  std::uint16_t lo = 0;
  std::uint8_t hi = 0;
  std::uint8_t a, b;
  std::uint8_t zero = 0;
  __asm__ volatile(
      "tst %[q]\n\t"
      "breq 2f\n\t"
      "1:\n\t"
      ".rept 8\n\t"
      "ld %[a], X+\n\t"
      "lpm %[b], Z+\n\t"
      "mul %[a], %[b]\n\t"
      "add %A[lo], r0\n\t"
      "adc %B[lo], r1\n\t"
      "adc %[hi], %[zero]\n\t"
      ".endr\n\t"
      "dec %[q]\n\t"
      "brne 1b\n\t"
      "2:\n\t"
      "tst %[r]\n\t"
      "breq 4f\n\t"
      "3:\n\t"
      "ld %[a], X+\n\t"
      "lpm %[b], Z+\n\t"
      "mul %[a], %[b]\n\t"
      "add %A[lo], r0\n\t"
      "adc %B[lo], r1\n\t"
      "adc %[hi], %[zero]\n\t"
      "dec %[r]\n\t"
      "brne 3b\n\t"
      "4:\n\t"
      "clr r1\n\t"
      : [lo] "+r"(lo), [hi] "+r"(hi), [x] "+x"(x), [w] "+z"(w), [q] "+r"(quads), [r] "+r"(rest), [a] "=&r"(a),
        [b] "=&r"(b), [zero] "+r"(zero)
      :
      : "r0", "memory");
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}

template <std::size_t N>
[[nodiscard]] CTML_ALWAYS_INLINE std::uint32_t dot_u8(const std::uint8_t* w, const std::uint8_t* x) noexcept {
  if constexpr (N <= 256) {
    return dot_u8_avr(x, w, static_cast<std::uint8_t>(N / 8), static_cast<std::uint8_t>(N % 8));
  } else {
    std::uint32_t acc = 0;
    for (std::size_t j = 0; j < N; j += 256) {
      const std::size_t n = N - j < 256 ? N - j : 256;
      acc += dot_u8_avr(x + j, w + j, static_cast<std::uint8_t>(n / 8), static_cast<std::uint8_t>(n % 8));
    }
    return acc;
  }
}

/// sum x[j], j < n.
[[gnu::noinline]] inline std::uint16_t sum_u8_avr(const std::uint8_t* x, std::uint8_t n) noexcept {
  std::uint16_t s = 0;
  std::uint8_t a;
  __asm__ volatile(
      "1:\n\t"
      "ld %[a], X+\n\t"
      "add %A[s], %[a]\n\t"
      "adc %B[s], r1\n\t"
      "dec %[n]\n\t"
      "brne 1b\n\t"
      : [s] "+r"(s), [x] "+x"(x), [n] "+r"(n), [a] "=&r"(a)
      :
      : "memory");
  return s;
}
/// quant::requantize_fast(acc + c, {round, m, s}) for an entry
/// {int32 c; uint16 m; uint8 s; int32 round} in flash (11 bytes on AVR), with
/// |acc + c| < 2^23: six 8x8 `mul`s, about 100 cycles.
[[gnu::noinline]] inline std::int32_t requantize_fast_avr(std::int32_t acc, const void* entry) noexcept {
  auto a01 = static_cast<std::uint16_t>(acc);
  auto a23 = static_cast<std::uint16_t>(static_cast<std::uint32_t>(acc) >> 16);
  std::uint16_t m, y01, y23;
  std::uint8_t sh, t, zero;
  __asm__ volatile(
      // acc += c
      "lpm %[t], Z+\n\t"
      "add %A[a01], %[t]\n\t"
      "lpm %[t], Z+\n\t"
      "adc %B[a01], %[t]\n\t"
      "lpm %[t], Z+\n\t"
      "adc %A[a23], %[t]\n\t"
      "lpm %[t], Z+\n\t"
      "adc %B[a23], %[t]\n\t"
      "lpm %A[m], Z+\n\t"
      "lpm %B[m], Z+\n\t"
      "lpm %[sh], Z+\n\t"
      // y = floor(acc24 * m / 2^8), acc24 = acc mod 2^24 (unsigned): the low byte of the product is dropped
      "clr %[zero]\n\t"
      "mul %A[a23], %B[m]\n\t"
      "movw %A[y23], r0\n\t"
      "mul %A[a01], %A[m]\n\t"
      "mov %A[y01], r1\n\t"
      "clr %B[y01]\n\t"
      "mul %B[a01], %A[m]\n\t"
      "add %A[y01], r0\n\t"
      "adc %B[y01], r1\n\t"
      "adc %A[y23], %[zero]\n\t"
      "adc %B[y23], %[zero]\n\t"
      "mul %A[a01], %B[m]\n\t"
      "add %A[y01], r0\n\t"
      "adc %B[y01], r1\n\t"
      "adc %A[y23], %[zero]\n\t"
      "adc %B[y23], %[zero]\n\t"
      "mul %B[a01], %B[m]\n\t"
      "add %B[y01], r0\n\t"
      "adc %A[y23], r1\n\t"
      "adc %B[y23], %[zero]\n\t"
      "mul %A[a23], %A[m]\n\t"
      "add %B[y01], r0\n\t"
      "adc %A[y23], r1\n\t"
      "adc %B[y23], %[zero]\n\t"
      // acc < 0: acc24 = acc + 2^24, so subtract m * 2^16 from y
      "sbrs %B[a23], 7\n\t"
      "rjmp 1f\n\t"
      "sub %A[y23], %A[m]\n\t"
      "sbc %B[y23], %B[m]\n\t"
      "1:\n\t"
      // + 2^14 / 2^8
      "ldi %[t], 0x40\n\t"
      "add %A[y01], %[t]\n\t"
      "adc %B[y01], %[zero]\n\t"
      "adc %A[y23], %[zero]\n\t"
      "adc %B[y23], %[zero]\n\t"
      // + round (- 128 when y < 0 and round != 0)
      "lpm %A[a01], Z+\n\t"
      "lpm %B[a01], Z+\n\t"
      "lpm %A[a23], Z+\n\t"
      "lpm %B[a23], Z+\n\t"
      "sbrs %B[y23], 7\n\t"
      "rjmp 2f\n\t"
      "cp %A[a01], %[zero]\n\t"
      "cpc %B[a01], %[zero]\n\t"
      "cpc %A[a23], %[zero]\n\t"
      "cpc %B[a23], %[zero]\n\t"
      "breq 2f\n\t"
      "ldi %[t], 0x80\n\t"
      "sub %A[a01], %[t]\n\t"
      "sbc %B[a01], %[zero]\n\t"
      "sbc %A[a23], %[zero]\n\t"
      "sbc %B[a23], %[zero]\n\t"
      "2:\n\t"
      "add %A[y01], %A[a01]\n\t"
      "adc %B[y01], %B[a01]\n\t"
      "adc %A[y23], %A[a23]\n\t"
      "adc %B[y23], %B[a23]\n\t"
      // arithmetic shift right by sh: 16, 8, then single bits
      "sbrs %[sh], 4\n\t"
      "rjmp 3f\n\t"
      "movw %A[y01], %A[y23]\n\t"
      "mov %A[y23], %B[y23]\n\t"
      "lsl %A[y23]\n\t"
      "sbc %A[y23], %A[y23]\n\t"
      "mov %B[y23], %A[y23]\n\t"
      "3:\n\t"
      "sbrs %[sh], 3\n\t"
      "rjmp 4f\n\t"
      "mov %A[y01], %B[y01]\n\t"
      "mov %B[y01], %A[y23]\n\t"
      "mov %A[y23], %B[y23]\n\t"
      "lsl %B[y23]\n\t"
      "sbc %B[y23], %B[y23]\n\t"
      "4:\n\t"
      "andi %[sh], 7\n\t"
      "breq 6f\n\t"
      "5:\n\t"
      "asr %B[y23]\n\t"
      "ror %A[y23]\n\t"
      "ror %B[y01]\n\t"
      "ror %A[y01]\n\t"
      "dec %[sh]\n\t"
      "brne 5b\n\t"
      "6:\n\t"
      "clr r1\n\t"
      : [a01] "+r"(a01), [a23] "+r"(a23), [m] "=&r"(m), [y01] "=&r"(y01), [y23] "=&r"(y23), [sh] "=&d"(sh),
        [t] "=&d"(t), [zero] "=&r"(zero), [z] "+z"(entry)
      :
      : "r0", "memory");
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(y23) << 16) | y01);
}

template <std::size_t N>
[[nodiscard]] CTML_ALWAYS_INLINE std::uint32_t sum_u8(const std::uint8_t* x) noexcept {
  std::uint32_t s = 0;
  for (std::size_t j = 0; j < N; j += 255) s += sum_u8_avr(x + j, static_cast<std::uint8_t>(N - j < 255 ? N - j : 255));
  return s;
}
inline constexpr std::size_t block = 1;
template <std::size_t N>
inline void dot_u8_block(const std::uint8_t*, const std::uint8_t*, std::uint32_t*) noexcept {}
#else
/// Rows computed together by dot_u8_block (their weights interleaved).
inline constexpr std::size_t block = 4;

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
template <std::size_t N>
[[nodiscard]] inline std::uint32_t sum_u8(const std::uint8_t* x) noexcept {
  std::uint32_t s = 0;
  for (std::size_t j = 0; j < N; ++j) s += x[j];
  return s;
}
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

/// y[i] = quantize_pow2<K>(x[i], zu) for i < n; returns the sum of the y[i]
/// (mod 2^16). On AVR an assembly loop on the float's bytes (no shifts of
/// 32-bit values): about 50 cycles an input instead of 150.
#if defined(__AVR__)
/// The assembly loop for n in [1, 255], K in [-100, 100].
template <int K>
[[gnu::noinline]] inline std::uint16_t quantize_u8_avr(const float* x, std::uint8_t* y, std::uint8_t n,
                                                       std::uint8_t zu) noexcept {
  static_assert(K >= -100 && K <= 100);
  std::uint16_t sum = 0;
  std::uint8_t b0, b1, h, e, hx, t;
  __asm__ volatile(
      "1:\n\t"
      "ld %[b0], X+\n\t"
      "ld %[b1], X+\n\t"
      "ld %[h], X+\n\t"
      "ld %[e], X+\n\t"
      "bst %[e], 7\n\t"  // T = sign
      "mov %[t], %[h]\n\t"
      "lsl %[t]\n\t"
      "rol %[e]\n\t"  // e = biased exponent
      "cpi %[e], 255\n\t"
      "breq 7f\n\t"
      "cpi %[e], %[esat]\n\t"  // |x| * 2^K >= 2^(150 - 14 - 23 + ...) saturates
      "brsh 8f\n\t"
      "cpi %[e], %[ezero]\n\t"  // |x| * 2^K < 1/2: q = zu
      "brlo 9f\n\t"
      "ori %[h], 0x80\n\t"  // T = h:b1 = mantissa >> 8; W = hx:h = T >> 6
      "clr %[hx]\n\t"
      "lsl %[b1]\n\t"
      "rol %[h]\n\t"
      "rol %[hx]\n\t"
      "lsl %[b1]\n\t"
      "rol %[h]\n\t"
      "rol %[hx]\n\t"
      "ldi %[t], %[kmax]\n\t"  // k = 135 - K - e in [0, 9]
      "sub %[t], %[e]\n\t"
      "breq 3f\n\t"
      "2:\n\t"
      "lsr %[hx]\n\t"
      "ror %[h]\n\t"
      "dec %[t]\n\t"
      "brne 2b\n\t"
      "3:\n\t"  // r = ((W >> k) + 1) >> 1
      "lsr %[hx]\n\t"
      "ror %[h]\n\t"
      "adc %[h], r1\n\t"
      "adc %[hx], r1\n\t"
      "tst %[hx]\n\t"
      "brne 8f\n\t"  // r >= 256 saturates
      "mov %[t], %[zu]\n\t"
      "brts 4f\n\t"
      "add %[t], %[h]\n\t"
      "brcc 10f\n\t"
      "ldi %[t], 255\n\t"
      "rjmp 10f\n\t"
      "4:\n\t"
      "sub %[t], %[h]\n\t"
      "brcc 10f\n\t"
      "clr %[t]\n\t"
      "rjmp 10f\n\t"
      "7:\n\t"  // inf or NaN
      "andi %[h], 0x7f\n\t"
      "or %[h], %[b1]\n\t"
      "or %[h], %[b0]\n\t"
      "brne 9f\n\t"
      "8:\n\t"  // saturate by the sign
      "ldi %[t], 255\n\t"
      "brtc 10f\n\t"
      "clr %[t]\n\t"
      "rjmp 10f\n\t"
      "9:\n\t"
      "mov %[t], %[zu]\n\t"
      "10:\n\t"
      "st Z+, %[t]\n\t"
      "add %A[sum], %[t]\n\t"
      "adc %B[sum], r1\n\t"
      "dec %[n]\n\t"
      "breq 11f\n\t"
      "rjmp 1b\n\t"
      "11:\n\t"
      : [sum] "+r"(sum), [x] "+x"(x), [y] "+z"(y), [n] "+r"(n), [b0] "=&r"(b0), [b1] "=&r"(b1), [h] "=&d"(h),
        [e] "=&d"(e), [hx] "=&r"(hx), [t] "=&d"(t)
      : [zu] "r"(zu), [esat] "M"(136 - K), [ezero] "M"(126 - K), [kmax] "M"(135 - K)
      : "memory");
  return sum;
}
#endif

template <int K>
inline std::uint16_t quantize_u8(const float* x, std::uint8_t* y, std::size_t n, std::int16_t zu) noexcept {
#if defined(__AVR__)
  if constexpr (K >= -100 && K <= 100) {
    std::uint16_t s = 0;
    for (std::size_t i = 0; i < n; i += 255) {
      const std::size_t m = n - i < 255 ? n - i : 255;
      s = static_cast<std::uint16_t>(s + quantize_u8_avr<K>(x + i, y + i, static_cast<std::uint8_t>(m),
                                                            static_cast<std::uint8_t>(zu)));
    }
    return s;
  }
#endif
  std::uint16_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s = static_cast<std::uint16_t>(s + (y[i] = quantize_pow2<K>(x[i], zu)));
  return s;
}

}  // namespace ctml::nn::kernels
