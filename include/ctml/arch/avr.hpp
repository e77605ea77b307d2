// AVR (ATmega, 8-bit, clang++ --target=avr): Harvard flash read with `lpm`,
// 8x8-bit `mul` only (a 16x16 product is a library call to __mulsi3, 64-bit
// products worse), no barrel shifter, and `double` is 32 bits wide. The
// inner loops are assembly: the float dot product (arch/avr_float.hpp), the
// int8 dot products, sums, requantisation, input quantisation, a whole int8
// dense layer (two rows per pass) and the int8 conv window; each is checked
// against its portable twin (arch/portable.hpp) on the AVR ports.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include <ctml/arch/common.hpp>
#include <ctml/arch/fitted.hpp>

#if defined(__clang__)
// clang has no progmem attribute; this is the section avr-gcc's selects.
#define CTML_FLASH __attribute__((__section__(".progmem.data")))
#else
#define CTML_FLASH __attribute__((__progmem__))
#endif

namespace ctml::arch {

/// Reads one trivially copyable object from a table marked CTML_FLASH.
template <class T>
  requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr T flash_load(const T* p) noexcept {
  if (std::is_constant_evaluated()) return *p;
  T out;
  auto* dst = reinterpret_cast<unsigned char*>(&out);
  auto addr = reinterpret_cast<std::uint16_t>(p);
  for (std::size_t i = 0; i < sizeof(T); ++i, ++addr) {
    unsigned char byte;
    __asm__("lpm %0, Z" : "=r"(byte) : "z"(addr));
    dst[i] = byte;
  }
  return out;
}

}  // namespace ctml::arch

#include <ctml/arch/avr_float.hpp>
#include <ctml/arch/portable.hpp>

namespace ctml::arch {

// The portable kernels AVR takes as they are (the others are replaced below).
using portable::conv_window2;
using portable::dense_pair_layer;
using portable::dot_u8_block;
using portable::exp_f;
using portable::fast_round;
using portable::quantize_pow2;
using portable::requantize_fast;
using portable::shift_right;

inline constexpr family target = family::avr;
inline constexpr bool has_binary64_unit = false;
inline constexpr bool has_binary32_unit = false;
/// No binary64 arithmetic at run time (avr-libc has no 64-bit double
/// library): what needs sklearn's binary64 at run time (forest regressors)
/// is a compile error here.
inline constexpr bool has_runtime_binary64 = false;

inline constexpr tree_code_size tree_code = fitted::avr.trees;
// f32: soft-float multiply and add and the assembly dot product, 3200 bytes.
// int8 fast: one shared layer routine (ctml_avr_dense) and the input
// quantisation, a little glue per layer, requantisation for an argmax head.
inline constexpr nn_dense_code_size nn_dense_code{160 + fitted::avr.nn_soft_float, {950, 60, 0, 285}, {2030, 320, 0, 0}};
inline constexpr nn_conv_code_size nn_conv_code = fitted::avr.nn_conv;
inline constexpr boosting_code_size boosting_code = fitted::avr.boosting;

inline constexpr bool has_dense_pairs = true;         // ctml_avr_dense
inline constexpr bool requantize_reads_bias = true;   // requantize_fast_avr adds the entry's c
inline constexpr std::int32_t conv_tap_offset = 32768;  // conv_window_avr's products are offset by 2^15
inline constexpr bool conv_output_pairs = false;
inline constexpr bool conv_unrolls_rows = false;  // conv_window_avr loops over rows: code per tap = columns

// ---------------------------------------------------------------------------
// Float

/// The assembly dot product (avr_float.hpp) as dot_f32's fast path: the same
/// bits as the loop, about half the cycles.
struct avr_fast_dot {
  static constexpr bool enabled = true;
  std::uint32_t operator()(const float* w, const float* x, std::size_t n) const noexcept {
    return ctml_avr_dot_f32(w, x, static_cast<std::uint16_t>(n));
  }
};

template <std::size_t N>
[[nodiscard]] CTML_ALWAYS_INLINE float dot_f32(const float* w, const float* x) noexcept {
  static_assert(N < 65536, "ctml: a float dot product on AVR has fewer than 65536 terms: split the layer");
  return portable::dot_f32<N>(w, x, avr_fast_dot{});
}

// ---------------------------------------------------------------------------
// int8 dot products and sums

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

template <std::size_t N>
[[nodiscard]] CTML_ALWAYS_INLINE std::uint32_t sum_u8(const std::uint8_t* x) noexcept {
  std::uint32_t s = 0;
  for (std::size_t j = 0; j < N; j += 255) s += sum_u8_avr(x + j, static_cast<std::uint8_t>(N - j < 255 ? N - j : 255));
  return s;
}
inline constexpr std::size_t u8_block = 1;  // no interleaved blocks: dot_u8 is the assembly loop

// ---------------------------------------------------------------------------
// Requantisation

/// a * b, 16 x 16 -> 32 bits, as four 8x8 `mul`s (clang calls a 32 x 32
/// multiply routine for it otherwise).
[[nodiscard]] inline std::uint32_t mul_u16(std::uint16_t a, std::uint16_t b) noexcept {
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

/// portable::srdhm without the 64-bit product (a library call: 503 cycles a
/// srdhm with it, 378 this way). On magnitudes the result is
/// floor((|a b| + 2^30 - (a b < 0)) / 2^31), from four 16 x 16 products.
[[nodiscard]] constexpr std::int32_t srdhm(std::int32_t a, std::int32_t b) noexcept {
  if (std::is_constant_evaluated()) return portable::srdhm(a, b);
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const bool negative = (a < 0) != (b < 0) && a != 0 && b != 0;
  const std::uint32_t ua = a < 0 ? 0u - static_cast<std::uint32_t>(a) : static_cast<std::uint32_t>(a);
  const std::uint32_t ub = b < 0 ? 0u - static_cast<std::uint32_t>(b) : static_cast<std::uint32_t>(b);
  const auto a0 = static_cast<std::uint16_t>(ua), a1 = static_cast<std::uint16_t>(ua >> 16);
  const auto b0 = static_cast<std::uint16_t>(ub), b1 = static_cast<std::uint16_t>(ub >> 16);
  const std::uint32_t ll = mul_u16(a0, b0), lh = mul_u16(a0, b1), hl = mul_u16(a1, b0);
  const std::uint32_t mid = (ll >> 16) + (lh & 0xffffu) + (hl & 0xffffu);  // < 3 * 2^16
  const std::uint32_t lo = (ll & 0xffffu) | (mid << 16);
  std::uint32_t hi = mul_u16(a1, b1) + (lh >> 16) + (hl >> 16) + (mid >> 16);  // |a b| < 2^62
  const std::uint32_t lo_nudged = lo + ((std::uint32_t{1} << 30) - (negative ? 1u : 0u));
  hi += lo_nudged < lo ? 1u : 0u;
  const std::uint32_t r = (hi << 1) | (lo_nudged >> 31);  // < 2^31
  return negative ? -static_cast<std::int32_t>(r) : static_cast<std::int32_t>(r);
}

/// portable::rounding_divide_by_pot with one shift instead of TFLite's mask,
/// remainder and shift (each a loop on AVR; 394 -> 267 cycles):
/// sign(x) * floor((|x| / 2^(exponent-1) + 1) / 2), exponent in [1, 31].
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  const std::uint32_t magnitude = x < 0 ? 0u - static_cast<std::uint32_t>(x) : static_cast<std::uint32_t>(x);
  const std::uint32_t r = (shift_right(magnitude, static_cast<std::uint8_t>(exponent - 1)) + 1u) >> 1;  // < 2^31
  return x < 0 ? -static_cast<std::int32_t>(r) : static_cast<std::int32_t>(r);
}

/// The fast requantisation's entry on AVR: 7 bytes, `round` derived from s.
struct fast_entry {  // this order: requantize_fast_avr and ctml_avr_dense read it with lpm
  std::int32_t c;
  std::uint16_t m;
  std::uint8_t s;
};
static_assert(sizeof(fast_entry) == 7, "ctml: requantize_fast_avr expects a packed 7-byte entry");
[[nodiscard]] constexpr fast_entry make_fast_entry(std::int32_t c, std::uint16_t m, std::uint8_t s) noexcept {
  return {c, m, s};
}

/// quant::requantize_fast(acc + c, {fast_round(s), m, s}) for an entry
/// {int32 c; uint16 m; uint8 s} in flash (7 bytes on AVR), with
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
      // s > 7: floor((y + 2^(s-1) (- 128 when y < 0)) / 2^s) is
      // (floor((y (- 128)) / 2^(s-1)) + 1) >> 1 (T flag: the last step pending)
      "clt\n\t"
      "cpi %[sh], 8\n\t"
      "brlo 2f\n\t"
      "set\n\t"
      "dec %[sh]\n\t"
      "sbrs %B[y23], 7\n\t"
      "rjmp 2f\n\t"
      "ldi %[t], 0x80\n\t"
      "sub %A[y01], %[t]\n\t"
      "sbc %B[y01], %[zero]\n\t"
      "sbc %A[y23], %[zero]\n\t"
      "sbc %B[y23], %[zero]\n\t"
      "2:\n\t"
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
      "brtc 7f\n\t"
      "sec\n\t"
      "adc %A[y01], %[zero]\n\t"
      "adc %B[y01], %[zero]\n\t"
      "adc %A[y23], %[zero]\n\t"
      "adc %B[y23], %[zero]\n\t"
      "asr %B[y23]\n\t"
      "ror %A[y23]\n\t"
      "ror %B[y01]\n\t"
      "ror %A[y01]\n\t"
      "7:\n\t"
      "clr r1\n\t"
      : [a01] "+r"(a01), [a23] "+r"(a23), [m] "=&r"(m), [y01] "=&r"(y01), [y23] "=&r"(y23), [sh] "=&d"(sh),
        [t] "=&d"(t), [zero] "=&r"(zero), [z] "+z"(entry)
      :
      : "r0", "memory");
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(y23) << 16) | y01);
}

template <bool AddBias, class Entry>
[[nodiscard]] CTML_ALWAYS_INLINE std::int32_t requantize_entry(std::int32_t acc, const Entry* en) noexcept {
  if constexpr (AddBias && std::is_same_v<Entry, fast_entry>) return requantize_fast_avr(acc, en);
  else return portable::requantize_entry<AddBias>(acc, en);
}

// ---------------------------------------------------------------------------
// A whole int8 dense layer

/// A hidden dense layer with the fast requantisation, whole, in assembly:
/// y[o] = clamp(requantize_fast(dot(x, row o) - 128 sum + c[o]) + zu_out, lo, 255)
/// for o < n_out, rows interleaved in pairs (each x[j] loaded once for two
/// rows: 9 cycles a product), the constants in flash:
///   struct { const uint8_t* w; const entry* e; uint8_t quads, rest, n_out, zu_out, lo; }
/// with entries {int32 c; uint16 m; uint8 s} (requantize_fast_avr's) and
/// sum = sum of x[j] (the offsets' correction), n_in = 4 quads + rest <= 256
/// (every sum fits 24 bits). With e == nullptr (a head), y is int32[n_out]
/// and gets dot - 128 sum. Arguments in registers only (x r24, y r22,
/// layer r20, sum r18).
extern "C" [[gnu::naked, gnu::noinline]] inline void ctml_avr_dense(const std::uint8_t*, std::uint8_t*, const void*,
                                                                    std::uint16_t) noexcept {
  __asm__ volatile(
      "push r2\n\t" "push r3\n\t" "push r4\n\t" "push r5\n\t" "push r6\n\t" "push r7\n\t"
      "push r8\n\t" "push r9\n\t" "push r10\n\t" "push r11\n\t" "push r12\n\t" "push r13\n\t"
      "push r14\n\t" "push r15\n\t" "push r16\n\t" "push r17\n\t" "push r28\n\t" "push r29\n\t"
      "movw r2, r24\n\t"  // x
      "movw r4, r22\n\t"  // y
      "movw r30, r20\n\t"
      "lpm r6, Z+\n\t" "lpm r7, Z+\n\t"  // w
      "lpm r8, Z+\n\t" "lpm r9, Z+\n\t"  // e
      "lpm r10, Z+\n\t" "lpm r11, Z+\n\t" "lpm r12, Z+\n\t" "lpm r13, Z+\n\t" "lpm r14, Z+\n\t"
      "clr r15\n\t"
      // r18:r17:r16 = -128 sum mod 2^24: the sums start there
      "clr r16\n\t" "lsr r19\n\t" "ror r18\n\t" "ror r16\n\t" "mov r17, r18\n\t" "mov r18, r19\n\t"
      "com r18\n\t" "com r17\n\t" "neg r16\n\t" "sbci r17, 0xff\n\t" "sbci r18, 0xff\n\t"
      ".Lctml_dense_pair:\n\t"
      "movw r20, r16\n\t" "mov r22, r18\n\t"  // row o: r22:r21:r20
      "movw r24, r16\n\t" "mov r19, r18\n\t"  // row o + 1: r19:r25:r24
      "movw r26, r2\n\t"
      "movw r30, r6\n\t"
      "mov r23, r10\n\t"
      "tst r23\n\t"
      "breq 2f\n\t"
      "1:\n\t"
      ".rept 4\n\t"
      "ld r28, X+\n\t" "lpm r29, Z+\n\t" "mul r28, r29\n\t" "add r20, r0\n\t" "adc r21, r1\n\t" "adc r22, r15\n\t"
      "lpm r29, Z+\n\t" "mul r28, r29\n\t" "add r24, r0\n\t" "adc r25, r1\n\t" "adc r19, r15\n\t"
      ".endr\n\t"
      "dec r23\n\t"
      "brne 1b\n\t"
      "2:\n\t"
      "mov r23, r11\n\t"
      "tst r23\n\t"
      "breq 4f\n\t"
      "3:\n\t"
      "ld r28, X+\n\t" "lpm r29, Z+\n\t" "mul r28, r29\n\t" "add r20, r0\n\t" "adc r21, r1\n\t" "adc r22, r15\n\t"
      "lpm r29, Z+\n\t" "mul r28, r29\n\t" "add r24, r0\n\t" "adc r25, r1\n\t" "adc r19, r15\n\t"
      "dec r23\n\t"
      "brne 3b\n\t"
      "4:\n\t"
      "movw r6, r30\n\t"
      "push r24\n\t" "push r25\n\t" "push r19\n\t"
      "rcall .Lctml_dense_out\n\t"
      "pop r22\n\t" "pop r21\n\t" "pop r20\n\t"
      "dec r12\n\t"
      "breq 5f\n\t"
      "rcall .Lctml_dense_out\n\t"
      "dec r12\n\t"
      "breq 5f\n\t"
      "rjmp .Lctml_dense_pair\n\t"
      "5:\n\t"
      "clr r1\n\t"
      "pop r29\n\t" "pop r28\n\t" "pop r17\n\t" "pop r16\n\t" "pop r15\n\t" "pop r14\n\t"
      "pop r13\n\t" "pop r12\n\t" "pop r11\n\t" "pop r10\n\t" "pop r9\n\t" "pop r8\n\t"
      "pop r7\n\t" "pop r6\n\t" "pop r5\n\t" "pop r4\n\t" "pop r3\n\t" "pop r2\n\t"
      "ret\n\t"
      ".Lctml_dense_raw:\n\t"  // e == nullptr: y[o] = a (below) as an int32
      "movw r30, r4\n\t" "st Z+, r20\n\t" "st Z+, r21\n\t" "st Z+, r22\n\t" "st Z+, r23\n\t" "movw r4, r30\n\t"
      "ret\n\t"
      // One output: a = r22:r21:r20 (dot - corr mod 2^24), entry at r9:r8,
      // stored at r5:r4 (both advanced); requantize_fast_avr's arithmetic.
      ".Lctml_dense_out:\n\t"
      "mov r23, r22\n\t" "lsl r23\n\t" "sbc r23, r23\n\t"  // a, sign-extended
      "mov r24, r8\n\t" "or r24, r9\n\t" "breq .Lctml_dense_raw\n\t"
      "movw r30, r8\n\t"
      "lpm r24, Z+\n\t" "add r20, r24\n\t" "lpm r24, Z+\n\t" "adc r21, r24\n\t"  // a += c
      "lpm r24, Z+\n\t" "adc r22, r24\n\t" "lpm r24, Z+\n\t" "adc r23, r24\n\t"
      "lpm r24, Z+\n\t" "lpm r25, Z+\n\t"  // m
      // y = r29:r28:r27:r26 = floor((a mod 2^24) * m / 2^8)
      "mul r22, r25\n\t" "movw r28, r0\n\t"
      "mul r20, r24\n\t" "mov r26, r1\n\t" "clr r27\n\t"
      "mul r21, r24\n\t" "add r26, r0\n\t" "adc r27, r1\n\t" "adc r28, r15\n\t" "adc r29, r15\n\t"
      "mul r20, r25\n\t" "add r26, r0\n\t" "adc r27, r1\n\t" "adc r28, r15\n\t" "adc r29, r15\n\t"
      "mul r21, r25\n\t" "add r27, r0\n\t" "adc r28, r1\n\t" "adc r29, r15\n\t"
      "mul r22, r24\n\t" "add r27, r0\n\t" "adc r28, r1\n\t" "adc r29, r15\n\t"
      "clr r1\n\t"
      "sbrs r23, 7\n\t" "rjmp 1f\n\t" "sub r28, r24\n\t" "sbc r29, r25\n\t"  // a < 0: - m * 2^16
      "1:\n\t"
      "ldi r21, 0x40\n\t" "add r26, r21\n\t" "adc r27, r15\n\t" "adc r28, r15\n\t" "adc r29, r15\n\t"
      "lpm r20, Z+\n\t"  // s
      "movw r8, r30\n\t"
      "clt\n\t" "cpi r20, 8\n\t" "brlo 2f\n\t" "set\n\t" "dec r20\n\t"
      "sbrs r29, 7\n\t" "rjmp 2f\n\t"
      "ldi r21, 0x80\n\t" "sub r26, r21\n\t" "sbc r27, r15\n\t" "sbc r28, r15\n\t" "sbc r29, r15\n\t"
      "2:\n\t"
      "sbrs r20, 4\n\t" "rjmp 3f\n\t"
      "movw r26, r28\n\t" "mov r28, r29\n\t" "lsl r28\n\t" "sbc r28, r28\n\t" "mov r29, r28\n\t"
      "3:\n\t"
      "sbrs r20, 3\n\t" "rjmp 4f\n\t"
      "mov r26, r27\n\t" "mov r27, r28\n\t" "mov r28, r29\n\t" "lsl r29\n\t" "sbc r29, r29\n\t"
      "4:\n\t"
      "andi r20, 7\n\t" "breq 6f\n\t"
      "5:\n\t"
      "asr r29\n\t" "ror r28\n\t" "ror r27\n\t" "ror r26\n\t" "dec r20\n\t" "brne 5b\n\t"
      "6:\n\t"
      "brtc 7f\n\t"
      "sec\n\t" "adc r26, r15\n\t" "adc r27, r15\n\t" "adc r28, r15\n\t" "adc r29, r15\n\t"
      "asr r29\n\t" "ror r28\n\t" "ror r27\n\t" "ror r26\n\t"
      "7:\n\t"
      // + zu_out, clamped to [lo, 255]
      "add r26, r13\n\t" "adc r27, r15\n\t" "adc r28, r15\n\t" "adc r29, r15\n\t"
      "brmi 8f\n\t"
      "or r27, r28\n\t" "or r27, r29\n\t" "brne 9f\n\t"
      "cp r26, r14\n\t" "brsh 10f\n\t"
      "8:\n\t"
      "mov r26, r14\n\t" "rjmp 10f\n\t"
      "9:\n\t"
      "ldi r26, 255\n\t"
      "10:\n\t"
      "movw r30, r4\n\t" "st Z+, r26\n\t" "movw r4, r30\n\t"
      "ret\n\t");
}

inline void dense_pairs(const std::uint8_t* x, std::uint8_t* y, const dense_pair_layer<fast_entry>* layer,
                        std::uint16_t sum) noexcept {
  ctml_avr_dense(x, y, layer, sum);
}

// ---------------------------------------------------------------------------
// Input quantisation

/// y[i] = quantize_pow2<K>(x[i], zu) for i < n, returning the sum of the
/// y[i] (mod 2^16): an assembly loop on the float's bytes (no shifts of
/// 32-bit values; the rounding shift is two `mul`s), about 40 cycles an input.
/// The assembly loop for n in [1, 255], K in [-100, 100].
template <int K>
[[gnu::noinline]] inline std::uint16_t quantize_u8_avr(const float* x, std::uint8_t* y, std::uint8_t n,
                                                       std::uint8_t zu) noexcept {
  static_assert(K >= -100 && K <= 100);
  std::uint16_t sum = 0;
  std::uint8_t b0, b1, h, e, f, t;
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
      "subi %[e], %[ezero]\n\t"  // n = e - (126 - K): |x| * 2^K in [2^(n-1), 2^n)
      "cpi %[e], 8\n\t"
      "brsh 12f\n\t"  // n < 0 (wrapped), n >= 8, inf or NaN
      // with T = h:b1 = mantissa >> 8 (implicit bit set), r = floor((T * 2^n + 2^15) / 2^16);
      // for n < 8 the low byte of T cannot carry: r = floor((h * 2^n + 2^7) / 2^8)
      "ori %[h], 0x80\n\t"
      "ldi %[f], 1\n\t"  // f = 2^n
      "sbrc %[e], 1\n\t"
      "ldi %[f], 4\n\t"
      "sbrc %[e], 0\n\t"
      "lsl %[f]\n\t"
      "sbrc %[e], 2\n\t"
      "swap %[f]\n\t"
      "mul %[h], %[f]\n\t"  // r = r1 + C <= 128, q = zu +- r
      "lsl r0\n\t"
      "mov %[t], %[zu]\n\t"
      "brts 13f\n\t"
      "adc %[t], r1\n\t"
      "clr r1\n\t"  // keeps C
      "brcc 10f\n\t"
      "rjmp 8f\n\t"
      "13:\n\t"
      "sbc %[t], r1\n\t"
      "clr r1\n\t"
      "brcc 10f\n\t"
      "rjmp 8f\n\t"
      "6:\n\t"  // q = zu +- h
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
      "5:\n\t"  // n = 8: r = h + bit 7 of b1, 256 saturates
      "ori %[h], 0x80\n\t"
      "lsl %[b1]\n\t"
      "adc %[h], r1\n\t"
      "brcc 6b\n\t"
      "rjmp 8f\n\t"
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
      "brne 1b\n\t"
      "rjmp 11f\n\t"
      "12:\n\t"
      "breq 5b\n\t"  // n = 8
      // e = n + 126 - K: 255 is inf or NaN, below 126 - K |x| * 2^K < 1/2
      "subi %[e], %[eneg]\n\t"
      "cpi %[e], 255\n\t"
      "breq 7b\n\t"
      "cpi %[e], %[ezero]\n\t"
      "brlo 9b\n\t"
      "rjmp 8b\n\t"
      "11:\n\t"
      : [sum] "+r"(sum), [x] "+x"(x), [y] "+z"(y), [n] "+r"(n), [b0] "=&r"(b0), [b1] "=&r"(b1), [h] "=&d"(h),
        [e] "=&d"(e), [f] "=&d"(f), [t] "=&d"(t)
      : [zu] "r"(zu), [ezero] "M"(126 - K), [eneg] "M"(130 + K)
      : "r0", "memory");
  return sum;
}

template <int K>
inline std::uint16_t quantize_u8(const float* x, std::uint8_t* y, std::size_t n, std::int16_t zu) noexcept {
  if constexpr (K >= -100 && K <= 100) {
    std::uint16_t s = 0;
    for (std::size_t i = 0; i < n; i += 255) {
      const std::size_t m = n - i < 255 ? n - i : 255;
      s = static_cast<std::uint16_t>(s + quantize_u8_avr<K>(x + i, y + i, static_cast<std::uint8_t>(m),
                                                            static_cast<std::uint8_t>(zu)));
    }
    return s;
  } else {
    return portable::quantize_u8<K>(x, y, n, zu);
  }
}

// ---------------------------------------------------------------------------
// Pooling and convolution

/// floor(a / N) for a < 256 N: for N not a power of two, eight
/// compare-and-subtract steps instead of a division routine (__divmodhi4).
template <std::size_t N, class T>
[[nodiscard]] constexpr std::uint8_t div_small(T a) noexcept {
  if constexpr ((N & (N - 1)) != 0) {
    std::uint8_t q = 0;
#pragma GCC unroll 8
    for (int b = 7; b >= 0; --b)
      if (a >= static_cast<T>(N << b)) {
        a = static_cast<T>(a - (N << b));
        q = static_cast<std::uint8_t>(q | (1u << b));
      }
    return q;
  } else {
    return portable::div_small<N>(a);
  }
}

/// sum of (x * w + 2^15) over C channels of KH rows of KW taps: x unsigned
/// bytes in RAM, advancing RowSkip bytes after each row and ChanSkip more
/// after each channel; w signed bytes in flash, consecutive. Per tap ld,
/// lpm, mulsu, the product's sign bit flipped (+ 2^15 makes it unsigned) and
/// a 24-bit add: 11 cycles. C * KH * KW <= 256 keeps the sum exact.
template <std::size_t KW, std::size_t KH, std::size_t C, std::size_t RowSkip, std::size_t ChanSkip>
[[gnu::noinline]] inline std::uint32_t conv_window_avr(const std::uint8_t* x, const std::int8_t* w) noexcept {
  static_assert(C * KH * KW <= 256 && KW >= 1 && KH >= 1 && C >= 1 && KH <= 255 && C <= 255 && RowSkip < 65536 &&
                ChanSkip < 65536);
  std::uint16_t lo = 0;
  std::uint8_t hi = 0, a, b, rows, chans;
  std::uint8_t zero = 0;  // an output, so that it is not r1 (the products' high byte)
  const std::uint8_t flip = 0x80;
  __asm__ volatile(
      "ldi %[chans], %[nc]\n\t"
      "1:\n\t"
      "ldi %[rows], %[nr]\n\t"
      "2:\n\t"
      ".rept %[nk]\n\t"
      "ld %[a], X+\n\t"
      "lpm %[b], Z+\n\t"
      "mulsu %[b], %[a]\n\t"
      "eor r1, %[flip]\n\t"
      "add %A[lo], r0\n\t"
      "adc %B[lo], r1\n\t"
      "adc %[hi], %[zero]\n\t"
      ".endr\n\t"
      "subi %A[x], lo8(-(%[rs]))\n\t"
      "sbci %B[x], hi8(-(%[rs]))\n\t"
      "dec %[rows]\n\t"
      "brne 2b\n\t"
      "subi %A[x], lo8(-(%[cs]))\n\t"
      "sbci %B[x], hi8(-(%[cs]))\n\t"
      "dec %[chans]\n\t"
      "brne 1b\n\t"
      "clr r1\n\t"
      : [lo] "+r"(lo), [hi] "+r"(hi), [x] "+x"(x), [w] "+z"(w), [a] "=&a"(a), [b] "=&a"(b), [rows] "=&d"(rows),
        [chans] "=&d"(chans), [zero] "+r"(zero)
      : [flip] "r"(flip), [nc] "M"(C), [nr] "M"(KH), [nk] "n"(KW), [rs] "n"(RowSkip),
        [cs] "n"(ChanSkip)
      : "r0", "memory");
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}

template <std::size_t KH, std::size_t KW, std::size_t HP, std::size_t WP>
struct check_conv_window {
  static_assert(KH * KW <= 256 && KH <= 255 && KW <= 255 && HP * WP <= 65535,
                "ctml: an int8 conv layer on AVR needs kernels of at most 256 taps (KH x KW) and padded input "
                "channels of at most 65535 bytes (HP x WP; see check_conv_window<KH, KW, HP, WP>): use smaller "
                "kernels or inputs, or the f32 policy");
  static constexpr bool ok = KH * KW <= 256 && KH <= 255 && KW <= 255 && HP * WP <= 65535;
};

/// portable::conv_window plus conv_tap_offset (2^15) per tap, by
/// conv_window_avr, at most 256 taps per call (24-bit sums).
template <std::size_t C, std::size_t KH, std::size_t KW, std::size_t HP, std::size_t WP>
CTML_ALWAYS_INLINE std::int32_t conv_window(const std::uint8_t* x, const std::int8_t* w) noexcept {
  if constexpr (check_conv_window<KH, KW, HP, WP>::ok) {
    constexpr std::size_t chunk = [] {  // channels per call
      std::size_t n = 256 / (KH * KW);
      n = n < 255 ? n : 255;
      return n < C ? n : C;
    }();
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return static_cast<std::int32_t>(
          (std::uint32_t{0} + ... +
           conv_window_avr<KW, KH, (C - K * chunk < chunk ? C - K * chunk : chunk), WP - KW, WP * (HP - KH)>(
               x + K * chunk * HP * WP, w + K * chunk * KH * KW)));
    }(std::make_index_sequence<(C + chunk - 1) / chunk>{});
  } else {
    return 0;
  }
}

}  // namespace ctml::arch
