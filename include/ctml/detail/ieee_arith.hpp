// IEEE binary64 and binary32 addition, multiplication and division on their
// bit patterns, in integers: what a double (float) unit computes, rounded to
// nearest, ties to even, with subnormals, infinities and NaN. Chips without
// such a unit redo the framework's float64 (XGBoost's float32) arithmetic
// with it for near-ties only, so it is built for size: one routine serves
// the three operations (they share unpacking, normalising and rounding), and
// shifts go bit by bit (a Cortex-M0 has no 64-bit shifter). Products use four
// 32-bit multiplies: bit by bit, near-tie rows of GaussianNB took 3x longer.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace ctml::detail {

/// The format: binary64 (Bits = uint64_t) or binary32 (uint32_t).
template <class Bits>
struct ieee {
  static constexpr int frac_bits = sizeof(Bits) == 8 ? 52 : 23;
  static constexpr int exp_max = sizeof(Bits) == 8 ? 2047 : 255;
  static constexpr Bits sign = Bits{1} << (8 * sizeof(Bits) - 1);
  static constexpr Bits frac_mask = (Bits{1} << frac_bits) - 1;
  static constexpr Bits hidden = Bits{1} << frac_bits;
  static constexpr Bits inf = static_cast<Bits>(exp_max) << frac_bits;
  static constexpr Bits quiet_nan = inf | (hidden >> 1);

  [[nodiscard]] static constexpr Bits add(Bits a, Bits b) noexcept { return arith(a, b, op::add); }
  [[nodiscard]] static constexpr Bits mul(Bits a, Bits b) noexcept { return arith(a, b, op::mul); }
  [[nodiscard]] static constexpr Bits div(Bits a, Bits b) noexcept { return arith(a, b, op::div); }
  /// -a (exact, as a unit negates).
  [[nodiscard]] static constexpr Bits neg(Bits a) noexcept { return a ^ sign; }

  [[nodiscard]] static constexpr bool is_nan(Bits a) noexcept { return (a & ~sign) > inf; }
  /// a > b as a unit compares: false when either is NaN, +0 == -0.
  [[nodiscard]] static constexpr bool greater(Bits a, Bits b) noexcept {
    return !is_nan(a) && !is_nan(b) && ordered(a) > ordered(b);
  }
  using signed_bits = std::conditional_t<sizeof(Bits) == 8, std::int64_t, std::int32_t>;
  /// The bits as an integer that orders numbers as their values (+0 == -0).
  [[nodiscard]] static constexpr signed_bits ordered(Bits a) noexcept {
    const auto m = static_cast<signed_bits>(a & ~sign);
    return (a & sign) ? -m : m;
  }

 private:
  enum class op : unsigned char { add, mul, div };
  static constexpr int width = 8 * sizeof(Bits);
  static constexpr int bias = exp_max / 2;
  static constexpr int guard = width - 1 - frac_bits;  // bits below a result's last, once left-aligned

  /// The top word of the double-width product, the rest as a sticky bit.
  [[nodiscard]] static constexpr Bits mul_high(Bits a, Bits b) noexcept {
    if constexpr (sizeof(Bits) == 4) {
      const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
      return static_cast<Bits>(p >> 32) | static_cast<Bits>(static_cast<std::uint32_t>(p) != 0);
    } else {
      const std::uint64_t a0 = static_cast<std::uint32_t>(a), a1 = a >> 32;
      const std::uint64_t b0 = static_cast<std::uint32_t>(b), b1 = b >> 32;
      std::uint64_t t = a0 * b0;
      Bits sticky = static_cast<std::uint32_t>(t);
      t = a1 * b0 + (t >> 32);
      const std::uint64_t w2 = t >> 32;
      t = a0 * b1 + static_cast<std::uint32_t>(t);
      sticky |= static_cast<std::uint32_t>(t);
      return (a1 * b1 + w2 + (t >> 32)) | (sticky != 0);
    }
  }

  [[nodiscard, gnu::noinline]] static constexpr Bits arith(Bits a, Bits b, op o) noexcept {
    Bits ma = a & ~sign, mb = b & ~sign;
    bool negative = a >> (width - 1);
    const bool differ = (a ^ b) >> (width - 1);  // signs: a product's; whether a sum subtracts
    if (o == op::add && ma < mb) {  // a sum: the larger magnitude first
      const Bits t = ma;
      ma = mb;
      mb = t;
      negative = negative != differ;
    } else if (o != op::add) {
      negative = differ;
    }
    const Bits s = negative ? sign : 0;
    int ea = static_cast<int>(ma >> frac_bits), eb = static_cast<int>(mb >> frac_bits);
    // Infinities, NaN and division by zero, as a unit treats them.
    if (ea == exp_max || eb == exp_max || (o == op::div && mb == 0)) {
      if (ma > inf || mb > inf) return quiet_nan;
      if (o == op::add) return ma == mb && differ ? quiet_nan : s | inf;  // the larger is inf; inf - inf
      // a product or quotient is infinite, zero, or both (NaN: inf * 0, 0 / 0, inf / inf)
      const bool huge = ea == exp_max || (o == op::mul ? eb == exp_max : mb == 0);
      const bool nil = ma == 0 || (o == op::mul ? mb == 0 : eb == exp_max);
      return huge ? (nil ? quiet_nan : s | inf) : s;
    }
    // Significands left-aligned (zero stays zero), exponents biased; a
    // subnormal's exponent goes below 1 as it is normalised.
    ma = (ma << guard) | sign;
    mb = (mb << guard) | sign;
    if (ea == 0) {
      ma ^= sign;
      ea = 1;
    }
    if (eb == 0) {
      mb ^= sign;
      eb = 1;
    }
    for (; ma && !(ma & sign); --ea) ma <<= 1;
    for (; mb && !(mb & sign); --eb) mb <<= 1;
    Bits m = 0;  // the exact result's significand, its lowest bit sticky
    int e;       // and the biased exponent of its top bit
    if (o == op::add) {
      // One bit of headroom for a carry; exact when the operands cancel
      // (then they are at most one binade apart).
      ma >>= 1;
      mb >>= 1;
      for (int d = ea - eb; d > 0 && mb > 1; --d) mb = (mb >> 1) | (mb & 1);
      m = differ ? ma - mb : ma + mb;
      if (m == 0) return ma == 0 && negative && !differ ? sign : 0;  // x - x = +0; -0 + -0 = -0
      e = ea + 1;
    } else if (o == op::mul) {
      if (ma == 0 || mb == 0) return s;
      m = mul_high(ma, mb);
      e = ea + eb - bias + 1;
    } else {
      ma >>= 1;
      mb >>= 1;
      for (int i = 0; i < width; ++i, ma <<= 1) {
        m <<= 1;
        if (ma >= mb) {
          ma -= mb;
          m |= 1;
        }
      }
      if (m == 0) return s;
      m |= ma != 0;
      e = ea - eb + bias;
    }
    // Normalise (at most two places when the sticky bit is set), go down to
    // exponent 1 for a subnormal, round to nearest even.
    for (; !(m & sign); --e) m <<= 1;
    for (; e < 1; ++e) m = (m >> 1) | (m & 1);
    constexpr Bits half = Bits{1} << (guard - 1);
    const Bits low = m & ((Bits{1} << guard) - 1);
    m >>= guard;
    if (low > half || (low == half && (m & 1))) ++m;
    // m's hidden bit adds one to the exponent field (a subnormal's is 0); a
    // rounding carry to 2^(frac_bits + 1) adds another.
    const Bits out = (static_cast<Bits>(e - 1) << frac_bits) + m;
    return s | (out < inf ? out : inf);
  }
};

/// The binary64 bits of a binary32 value (exact, as a conversion to double):
/// the fields moved into place and rebiased; a zero or subnormal float,
/// placed as a double subnormal 2^-896 times its value, by one exact product.
[[nodiscard]] constexpr std::uint64_t binary64_of_binary32(std::uint32_t a) noexcept {
  const std::uint32_t mag = a << 1, e = mag >> 24;
  const std::uint64_t moved = static_cast<std::uint64_t>((a & 0x80000000u) | (mag >> 4)) << 32 | (a << 29);
  if (e == 0) return ieee<std::uint64_t>::mul(moved, std::bit_cast<std::uint64_t>(0x1p896));
  return moved + (static_cast<std::uint64_t>(e == 255 ? 1792u : 896u) << 52);
}

}  // namespace ctml::detail
