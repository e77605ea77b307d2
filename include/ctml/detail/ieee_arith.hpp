// IEEE binary64 and binary32 addition and multiplication of signed numbers on
// their bit patterns, in integers: what a double (float) unit computes,
// rounded to nearest, ties to even, subnormals, overflow to infinity, and
// (the *_ieee forms) infinities and NaN included. Boosted models redo the
// framework's sum with it on chips without such a unit, linear models
// sklearn's dot products, for near-ties only: a few hundred bytes instead of
// a soft-float library's adder, multiplier and compares.
#pragma once

#include <bit>
#include <cstdint>

namespace ctml::detail {

/// The format: binary64 (Bits = uint64_t) or binary32 (uint32_t).
template <class Bits>
struct ieee {
  static constexpr int frac_bits = sizeof(Bits) == 8 ? 52 : 23;
  static constexpr int exp_max = sizeof(Bits) == 8 ? 2047 : 255;
  static constexpr Bits sign = Bits{1} << (8 * sizeof(Bits) - 1);
  static constexpr Bits frac_mask = (Bits{1} << frac_bits) - 1;
  static constexpr Bits hidden = Bits{1} << frac_bits;

  /// a + b, both finite (the sum may overflow to an infinity).
  [[nodiscard]] static constexpr Bits add(Bits a, Bits b) noexcept {
    if ((a & ~sign) < (b & ~sign)) {
      const Bits t = a;
      a = b;
      b = t;
    }
    const Bits sa = a & sign;
    const bool subtract = ((a ^ b) & sign) != 0;
    int ea = static_cast<int>((a & ~sign) >> frac_bits), eb = static_cast<int>((b & ~sign) >> frac_bits);
    // Significands with three more bits (guard, round, sticky): value = f * 2^(e - bias - frac_bits - 3).
    Bits fa = a & frac_mask, fb = b & frac_mask;
    if (ea != 0) fa |= hidden; else ea = 1;
    if (eb != 0) fb |= hidden; else eb = 1;
    fa <<= 3;
    fb <<= 3;
    const int d = ea - eb;
    if (d >= frac_bits + 5) {
      fb = fb != 0;
    } else if (d > 0) {
      const bool sticky = (fb & ((Bits{1} << d) - 1)) != 0;
      fb = (fb >> d) | static_cast<Bits>(sticky);
    }
    Bits f = subtract ? fa - fb : fa + fb;
    if (f == 0) return subtract ? Bits{0} : sa;  // x - x = +0; (-0) + (-0) = -0
    int e = ea;
    constexpr int top = frac_bits + 3;  // where the hidden bit sits
    if (f >> (top + 1)) {               // carry out: one step right, keeping the sticky bit
      f = (f >> 1) | (f & 1);
      ++e;
    } else {
      // Left until normal, or to the subnormal range (e = 1); exact: the
      // shifted-out bits were zero (a cancellation means d <= 1).
      const int lead = static_cast<int>(8 * sizeof(Bits)) - 1 - std::countl_zero(f);
      int shift = top - lead;
      if (shift > e - 1) shift = e - 1;
      if (shift > 0) {
        f <<= shift;
        e -= shift;
      }
    }
    const Bits low = f & 7;
    f >>= 3;
    if (low > 4 || (low == 4 && (f & 1))) {
      ++f;
      if (f >> (frac_bits + 1)) {
        f >>= 1;
        ++e;
      }
    }
    if (e >= exp_max) return sa | (static_cast<Bits>(exp_max) << frac_bits);
    const Bits field = (f & hidden) ? static_cast<Bits>(e) : Bits{0};  // subnormal: no hidden bit, field 0
    return sa | (field << frac_bits) | (f & frac_mask);
  }

  /// a * b, both finite (the product may overflow to an infinity or
  /// underflow to a subnormal or zero).
  [[nodiscard]] static constexpr Bits mul(Bits a, Bits b) noexcept {
    const Bits s = (a ^ b) & sign;
    int ea = static_cast<int>((a & ~sign) >> frac_bits), eb = static_cast<int>((b & ~sign) >> frac_bits);
    Bits fa = a & frac_mask, fb = b & frac_mask;
    if (ea != 0) fa |= hidden; else ea = 1;
    if (eb != 0) fb |= hidden; else eb = 1;
    if (fa == 0 || fb == 0) return s;
    // Subnormal operands: normalise (the exponent may go below 1).
    while (!(fa & hidden)) { fa <<= 1; --ea; }
    while (!(fb & hidden)) { fb <<= 1; --eb; }
    // The product fa fb in [2^(2F), 2^(2F+2)) as two words hi:lo.
    constexpr int w = 8 * sizeof(Bits);
    Bits hi, lo;
    if constexpr (sizeof(Bits) == 4) {
      const std::uint64_t p = static_cast<std::uint64_t>(fa) * fb;
      hi = static_cast<Bits>(p >> 32);
      lo = static_cast<Bits>(p);
    } else {
      const std::uint64_t a0 = fa & 0xffffffffu, a1 = fa >> 32, b0 = fb & 0xffffffffu, b1 = fb >> 32;
      const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
      const std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
      lo = (mid << 32) | (p00 & 0xffffffffu);
      hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    }
    // value = fa fb 2^(ea + eb - 2 bias - 2F); keep F + 4 bits (guard, round,
    // sticky below the significand) with the leading one at bit F + 3.
    constexpr int bias = exp_max / 2;
    const bool carry = (hi >> (2 * frac_bits + 1 - w)) != 0;  // product >= 2^(2F+1)
    // (constant shifts: AVR's runtime has no variable 32-bit shift routines)
    constexpr int sh = frac_bits - 3;
    Bits f = carry ? (hi << (w - sh - 1)) | (lo >> (sh + 1)) | static_cast<Bits>((lo & ((Bits{1} << (sh + 1)) - 1)) != 0)
                   : (hi << (w - sh)) | (lo >> sh) | static_cast<Bits>((lo & ((Bits{1} << sh) - 1)) != 0);
    return round_pack(s, f, ea + eb - bias + (carry ? 1 : 0));
  }

  /// a / b, both finite, b not zero (the quotient may overflow or underflow).
  [[nodiscard]] static constexpr Bits div(Bits a, Bits b) noexcept {
    const Bits s = (a ^ b) & sign;
    int ea = static_cast<int>((a & ~sign) >> frac_bits), eb = static_cast<int>((b & ~sign) >> frac_bits);
    Bits fa = a & frac_mask, fb = b & frac_mask;
    if (ea != 0) fa |= hidden; else ea = 1;
    if (eb != 0) fb |= hidden; else eb = 1;
    if (fa == 0) return s;
    while (!(fa & hidden)) { fa <<= 1; --ea; }
    while (!(fb & hidden)) { fb <<= 1; --eb; }
    constexpr int bias = exp_max / 2;
    int e = ea - eb + bias;
    if (fa < fb) {
      fa <<= 1;
      --e;
    }
    // 1 <= fa / fb < 2: F + 4 quotient bits by long division, then a sticky bit.
    Bits q = 0;
    for (int i = 0; i < frac_bits + 4; ++i) {
      q <<= 1;
      if (fa >= fb) {
        fa -= fb;
        q |= 1;
      }
      fa <<= 1;
    }
    return round_pack(s, q | static_cast<Bits>(fa != 0), e);
  }

  /// Sign s, significand f with its leading one at bit F + 3 (guard, round
  /// and sticky bits below; the lowest bit may hold sticky information),
  /// biased exponent e (may be below 1): rounded to nearest even and packed.
  [[nodiscard]] static constexpr Bits round_pack(Bits s, Bits f, int e) noexcept {
    if (e < 1) {  // subnormal result: shift right to exponent 1, keeping the sticky bit
      const int d = 1 - e;
      f = d >= frac_bits + 5 ? Bits{f != 0} : (f >> d) | static_cast<Bits>((f & ((Bits{1} << d) - 1)) != 0);
      e = 1;
    }
    const Bits low = f & 7;
    f >>= 3;
    if (low > 4 || (low == 4 && (f & 1))) {
      ++f;
      if (f >> (frac_bits + 1)) {
        f >>= 1;
        ++e;
      }
    }
    if (e >= exp_max) return s | (static_cast<Bits>(exp_max) << frac_bits);
    const Bits field = (f & hidden) ? static_cast<Bits>(e) : Bits{0};
    return s | (field << frac_bits) | (f & frac_mask);
  }

  // ---- any operands: infinities and NaN as an IEEE unit treats them ------
  static constexpr Bits inf = static_cast<Bits>(exp_max) << frac_bits;
  static constexpr Bits quiet_nan = inf | (hidden >> 1);
  [[nodiscard]] static constexpr bool is_nan(Bits a) noexcept { return (a & ~sign) > inf; }
  [[nodiscard]] static constexpr bool is_finite(Bits a) noexcept { return (a & ~sign) < inf; }
  [[nodiscard]] static constexpr Bits add_ieee(Bits a, Bits b) noexcept {
    if (is_finite(a) && is_finite(b)) return add(a, b);
    if (is_nan(a) || is_nan(b)) return quiet_nan;
    if (is_finite(b)) return a;
    if (is_finite(a)) return b;
    return a == b ? a : quiet_nan;  // inf - inf
  }
  [[nodiscard]] static constexpr Bits mul_ieee(Bits a, Bits b) noexcept {
    if (is_finite(a) && is_finite(b)) return mul(a, b);
    if (is_nan(a) || is_nan(b)) return quiet_nan;
    if ((a & ~sign) == 0 || (b & ~sign) == 0) return quiet_nan;  // inf * 0
    return ((a ^ b) & sign) | inf;
  }
  [[nodiscard]] static constexpr Bits div_ieee(Bits a, Bits b) noexcept {
    const bool a_zero = (a & ~sign) == 0, b_zero = (b & ~sign) == 0;
    if (is_nan(a) || is_nan(b) || (a_zero && b_zero) || (!is_finite(a) && !is_finite(b))) return quiet_nan;
    if (!is_finite(a) || b_zero) return ((a ^ b) & sign) | inf;
    if (!is_finite(b)) return (a ^ b) & sign;
    return div(a, b);
  }
  /// -a (exact, as a unit negates).
  [[nodiscard]] static constexpr Bits neg(Bits a) noexcept { return a ^ sign; }
  /// a > b as an IEEE compare: false when either is NaN, +0 == -0.
  [[nodiscard]] static constexpr bool greater_ieee(Bits a, Bits b) noexcept {
    return !is_nan(a) && !is_nan(b) && ordered(a) > ordered(b);
  }

  /// a > b for finite numbers (+0 == -0).
  [[nodiscard]] static constexpr bool greater(Bits a, Bits b) noexcept { return ordered(a) > ordered(b); }
  using signed_bits = std::conditional_t<sizeof(Bits) == 8, std::int64_t, std::int32_t>;
  [[nodiscard]] static constexpr signed_bits ordered(Bits a) noexcept {
    const auto m = static_cast<signed_bits>(a & ~sign);
    return (a & sign) ? -m : m;
  }

  /// The magnitude of the value times 2^s, truncated towards zero, with its
  /// sign: for |value| * 2^s < 2^30 (the caller's bound), in 32-bit steps.
  template <int S>
  [[nodiscard]] static constexpr std::int32_t fixed_trunc(Bits a) noexcept {
    constexpr int bias = exp_max / 2;
    const int e = static_cast<int>((a & ~sign) >> frac_bits);
    if (e == 0) return 0;  // subnormal: |value| * 2^s < 1
    const Bits m = (a & frac_mask) | hidden;
    // value * 2^s = m * 2^(e - bias - frac_bits + s): shift right by sh >= 0
    const int sh = bias + frac_bits - S - e;
    std::uint32_t mag;
    if (sh >= frac_bits + 1) {
      mag = 0;
    } else if constexpr (sizeof(Bits) == 8) {
      const auto hi = static_cast<std::uint32_t>(m >> 32), lo = static_cast<std::uint32_t>(m);
      mag = sh >= 32 ? hi >> (sh - 32) : (sh == 0 ? lo : (hi << (32 - sh)) | (lo >> sh));
    } else {
      mag = sh >= 0 ? static_cast<std::uint32_t>(m) >> sh : static_cast<std::uint32_t>(m) << -sh;
    }
    return (a & sign) ? -static_cast<std::int32_t>(mag) : static_cast<std::int32_t>(mag);
  }
};

/// The binary64 bits of a binary32 value (exact, as a conversion to double).
[[nodiscard]] constexpr std::uint64_t binary64_of_binary32(std::uint32_t a) noexcept {
  const std::uint64_t s = static_cast<std::uint64_t>(a >> 31) << 63;
  int e = static_cast<int>((a >> 23) & 0xff);
  std::uint64_t f = a & 0x7fffffu;
  if (e == 0xff) return s | (std::uint64_t{0x7ff} << 52) | (f << 29) | (f != 0 ? std::uint64_t{1} << 51 : 0);
  if (e == 0) {
    if (f == 0) return s;
    e = 1;
    while (!(f & 0x800000u)) { f <<= 1; --e; }
    f &= 0x7fffffu;
  }
  return s | (static_cast<std::uint64_t>(e + 1023 - 127) << 52) | (f << 29);
}

}  // namespace ctml::detail
