// IEEE binary64 arithmetic on positive numbers, in integers.
//
// scikit-learn averages a forest's class probabilities in double. To give its
// answer on near-ties on every chip (AVR has no binary64 at run time, and
// Cortex-M0 would need a soft-float library), ctml redoes that arithmetic
// here: correctly rounded (to nearest, ties to even) division of integers and
// addition, exactly as an IEEE double unit computes them, for the positive,
// normal values a probability sum holds.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <ctml/arch.hpp>
#include <ctml/detail/ieee_arith.hpp>

namespace ctml::detail {

/// Whether the target computes binary64 in hardware (then ctml uses it).
/// Tests define CTML_FORCE_INTEGER_BINARY64 to run the integer path on the host.
inline constexpr bool has_binary64_unit =
#if defined(CTML_FORCE_INTEGER_BINARY64)
    false;
#else
    arch::has_binary64_unit;
#endif

/// AVR: clang's double is binary64, but avr-libc has no binary64 arithmetic
/// to link, so stages that need double arithmetic at run time are not offered
/// there; those that redo it in integers (the trees below, boosting and the
/// linear family with detail/ieee_arith.hpp) are.
inline constexpr bool binary64_links = arch::has_runtime_binary64;

/// A float, or a double that holds binary64 bits, as those bits for
/// detail/ieee_arith.hpp (exact).
template <class T>
[[nodiscard]] constexpr std::uint64_t binary64_bits(T x) noexcept {
  if constexpr (std::is_same_v<T, float>) return binary64_of_binary32(std::bit_cast<std::uint32_t>(x));
  else return std::bit_cast<std::uint64_t>(x);
}

/// Float inputs as doubles for the exact paths; without a binary64 unit the
/// doubles hold binary64 bit patterns for detail/ieee_arith.hpp, so no soft
/// float is linked.
constexpr void widen(const float* in, double* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (has_binary64_unit) out[i] = static_cast<double>(in[i]);
    else out[i] = std::bit_cast<double>(binary64_bits(in[i]));
  }
}


/// A positive binary64 value m * 2^e with m in [2^52, 2^53), or zero (m == 0).
struct binary64 {
  std::uint64_t m = 0;
  int e = 0;

  static constexpr std::uint64_t hidden = std::uint64_t{1} << 52;

  /// Rounds a 55-bit significand (53 bits, a guard bit, a sticky bit) with
  /// value q * 2^(e - 2), plus extra sticky bits, to nearest even.
  [[nodiscard]] static constexpr binary64 round(std::uint64_t q, int exponent, bool sticky) noexcept {
    std::uint64_t sig = q >> 2;
    const bool guard = (q >> 1) & 1;
    sticky = sticky || (q & 1);
    if (guard && (sticky || (sig & 1))) ++sig;
    if (sig == hidden << 1) {  // rounding carried into one more bit
      sig >>= 1;
      ++exponent;
    }
    return {sig, exponent};
  }

  /// num / den * 2^exp, correctly rounded (num, den > 0 and below 2^62).
  [[nodiscard, gnu::noinline]] static constexpr binary64 ratio(std::uint64_t num, std::uint64_t den, int exp) noexcept {
    if (num == 0) return {};
    int k = 0;
    while (num < den) { num <<= 1; --k; }
    while (num >= den << 1) { den <<= 1; ++k; }
    // 1 <= num / den < 2: long division gives 53 bits, a guard and a round bit.
    std::uint64_t q = 0;
    for (int i = 0; i < 55; ++i) {
      q <<= 1;
      if (num >= den) {
        num -= den;
        q |= 1;
      }
      num <<= 1;
    }
    // q = quotient * 2^54, so its value is q * 2^(k + exp - 54).
    return round(q, k + exp - 52, num != 0);
  }

  /// a + b, correctly rounded.
  [[nodiscard, gnu::noinline]] friend constexpr binary64 operator+(binary64 a, binary64 b) noexcept {
    if (b.m == 0) return a;
    if (a.m == 0) return b;
    if (a.e < b.e) {
      const binary64 t = a;
      a = b;
      b = t;
    }
    // Three extra bits below the significand: guard, round, sticky.
    std::uint64_t x = a.m << 3, y = b.m << 3;
    const int d = a.e - b.e;
    if (d >= 64) {
      y = 1;  // only a sticky bit remains
    } else if (d > 0) {
      const bool lost = (y & ((std::uint64_t{1} << d) - 1)) != 0;
      y = (y >> d) | (lost ? 1 : 0);
    }
    std::uint64_t s = x + y;  // in [2^55, 2^57): the value is s * 2^(a.e - 3)
    int exponent = a.e;
    if (s >> 56) {  // carry: drop a bit into sticky
      s = (s >> 1) | (s & 1);
      ++exponent;
    }
    // 53 bits, guard, then round and sticky folded into one sticky bit.
    return round((s >> 1) | (s & 1), exponent, false);
  }

  /// The value of IEEE binary64 bits (positive normal numbers and zero).
  [[nodiscard]] static constexpr binary64 from_bits(std::uint64_t bits) noexcept {
    if (bits == 0) return {};
    return {(bits & (hidden - 1)) | hidden, static_cast<int>(bits >> 52) - 1075};
  }

  /// Whether a <= b lies within 2^-40 of b: only then can a / n and b / n
  /// round to the same double.
  [[nodiscard]] static constexpr bool near_below(binary64 a, binary64 b) noexcept {
    if (a.m == 0 || b.m == 0) return a.m == b.m;
    const int d = b.e - a.e;
    if (d < 0 || d > 1) return false;
    const std::uint64_t bm = b.m << d;
    return bm >= a.m && bm - a.m <= (bm >> 40);
  }

  /// a / n for a positive integer n, correctly rounded.
  [[nodiscard]] constexpr binary64 divided_by(std::uint64_t n) const noexcept { return ratio(m, n, e); }

  [[nodiscard]] friend constexpr bool operator>(binary64 a, binary64 b) noexcept {
    if (a.m == 0 || b.m == 0) return a.m > b.m;
    return a.e != b.e ? a.e > b.e : a.m > b.m;
  }
  [[nodiscard]] friend constexpr bool operator==(binary64, binary64) noexcept = default;
};

}  // namespace ctml::detail
