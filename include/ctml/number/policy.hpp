// Number policies: how a stage stores and computes its values.
//
// A policy is a type with static members only, so it can be a template
// argument and costs nothing at run time:
//   ctml::f32                      IEEE binary32, as scikit-learn's trees see X
//   ctml::q<Storage, FracBits>     two's-complement fixed point: a value v is
//                                  stored as the integer round(v * 2^FracBits)
//   ctml::int8, ctml::int8_fast    TFLite's affine int8 arithmetic inside a
//                                  network (float in and out, scales per tensor)
// Each stage says which policies it takes; `model.with(policy{})` rebinds
// those stages (see pipeline.hpp). f32 and q<> also name the values passed
// between stages ("value policies": they have a value_type).
//
// Fixed-point rules (all operations are constexpr and without UB):
//   - conversion from double rounds to nearest, ties away from zero, and
//     saturates to [min, max]; NaN converts to 0;
//   - add/sub/mul saturate; mul rounds to nearest, ties towards +infinity
//     (add half an LSB, then arithmetic shift), as CMSIS-DSP and TFLite do;
//   - multiply-accumulate widens: int8/int16 storage accumulate in int32,
//     int32 storage in int64, and the accumulator saturates too.
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace ctml {

/// IEEE binary32: the type scikit-learn casts tree inputs to.
struct f32 {
  using value_type = float;
  static constexpr const char* name = "f32";
  [[nodiscard]] static constexpr value_type from_double(double v) noexcept {
    return static_cast<float>(v);
  }
  [[nodiscard]] static constexpr double to_double(value_type v) noexcept { return v; }
};

namespace detail {
template <class Storage> struct wide;
template <> struct wide<std::int8_t> { using type = std::int32_t; };
template <> struct wide<std::int16_t> { using type = std::int32_t; };
template <> struct wide<std::int32_t> { using type = std::int64_t; };

/// Clamps a wider integer into T's range.
template <std::integral T, std::integral W>
[[nodiscard]] constexpr T clamp_to(W v) noexcept {
  if (v > static_cast<W>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  if (v < static_cast<W>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  return static_cast<T>(v);
}

/// Saturating a + b in W, without signed overflow.
template <std::signed_integral W>
[[nodiscard]] constexpr W add_sat(W a, W b) noexcept {
  if (b > 0 && a > std::numeric_limits<W>::max() - b) return std::numeric_limits<W>::max();
  if (b < 0 && a < std::numeric_limits<W>::min() - b) return std::numeric_limits<W>::min();
  return static_cast<W>(a + b);
}

/// round(v), ties away from zero, saturated to T; NaN gives 0.
template <std::signed_integral T>
[[nodiscard]] constexpr T round_sat(double v) noexcept {
  if (!(v == v)) return 0;
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
  if (v >= hi + 0.5) return std::numeric_limits<T>::max();  // also +inf
  if (v <= lo - 0.5) return std::numeric_limits<T>::min();  // also -inf
  // |v| < 2^63 here, so the cast is exact truncation and v - t is exact.
  const auto t = static_cast<std::int64_t>(v);
  const double frac = v - static_cast<double>(t);
  std::int64_t r = t;
  if (frac >= 0.5) ++r;
  if (frac <= -0.5) --r;
  return clamp_to<T>(r);
}

/// v * 2^-shift rounded to nearest (ties towards +inf) for shift > 0, and
/// v * 2^-shift with saturation for shift <= 0.
template <std::signed_integral W>
[[nodiscard]] constexpr W rounding_shift(W v, int shift) noexcept {
  // floor(v / 2^shift) plus the first dropped bit: no intermediate overflow.
  if (shift >= std::numeric_limits<W>::digits + 1) return 0;  // |v / 2^shift| <= 1/2 rounds to 0
  if (shift > 0) return static_cast<W>((v >> shift) + ((v >> (shift - 1)) & 1));
  // Left shifts past the width saturate (any shift is defined; no 2^31-step loop).
  if (shift < -std::numeric_limits<W>::digits)
    return v > 0 ? std::numeric_limits<W>::max() : (v < 0 ? std::numeric_limits<W>::min() : W{0});
  for (int i = 0; i < -shift; ++i) {
    if (v > std::numeric_limits<W>::max() / 2) return std::numeric_limits<W>::max();
    if (v < std::numeric_limits<W>::min() / 2) return std::numeric_limits<W>::min();
    v = static_cast<W>(v * 2);
  }
  return v;
}

/// 2^e from its bit pattern: exact, +inf above the binary64 range, 0 below
/// (arithmetic that overflows is not a constant expression).
[[nodiscard]] constexpr double pow2(int e) noexcept {
  if (e > 1023) return std::numeric_limits<double>::infinity();
  if (e < -1074) return 0.0;
  if (e < -1022) return std::bit_cast<double>(std::uint64_t{1} << (e + 1074));  // subnormal
  return std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52);
}

/// floor(log2 |v|) of a finite nonzero v, subnormals included.
[[nodiscard]] constexpr int binary_exponent(double v) noexcept {
  const std::uint64_t b = std::bit_cast<std::uint64_t>(v) & ~(std::uint64_t{1} << 63);
  const int e = static_cast<int>(b >> 52);
  return e != 0 ? e - 1023 : static_cast<int>(std::bit_width(b)) - 1075;
}
}  // namespace detail

/// Fixed point: `Storage` holds round(v * 2^FracBits).
template <std::signed_integral Storage, int FracBits>
  requires(sizeof(Storage) <= 4 && FracBits >= 0 && FracBits <= std::numeric_limits<Storage>::digits)
struct q {
  using value_type = Storage;
  using wide_type = typename detail::wide<Storage>::type;  // multiply-accumulate type
  static constexpr int frac_bits = FracBits;
  static constexpr const char* name = "q";
  static constexpr value_type max = std::numeric_limits<Storage>::max();
  static constexpr value_type min = std::numeric_limits<Storage>::min();
  /// One LSB as a real number.
  static constexpr double resolution = detail::pow2(-FracBits);

  [[nodiscard]] static constexpr value_type from_double(double v) noexcept {
    if (v != v) return 0;  // NaN, before it reaches arithmetic (not constant on clang)
    return detail::round_sat<Storage>(v * detail::pow2(FracBits));
  }
  [[nodiscard]] static constexpr double to_double(value_type v) noexcept {
    return static_cast<double>(v) * resolution;
  }
  [[nodiscard]] static constexpr value_type add(value_type a, value_type b) noexcept {
    return detail::clamp_to<Storage>(static_cast<wide_type>(a) + static_cast<wide_type>(b));
  }
  [[nodiscard]] static constexpr value_type sub(value_type a, value_type b) noexcept {
    return detail::clamp_to<Storage>(static_cast<wide_type>(a) - static_cast<wide_type>(b));
  }
  /// a * b, rounded to nearest (ties towards +inf) and saturated.
  [[nodiscard]] static constexpr value_type mul(value_type a, value_type b) noexcept {
    return narrow<2 * FracBits>(static_cast<wide_type>(static_cast<wide_type>(a) * b));
  }
  /// acc + a * b in the wide type (the product has 2*FracBits fraction bits).
  [[nodiscard]] static constexpr wide_type mac(wide_type acc, value_type a, value_type b) noexcept {
    return detail::add_sat<wide_type>(acc, static_cast<wide_type>(static_cast<wide_type>(a) * b));
  }
  /// Rounds a wide value with `Frac` fraction bits back to this format; Frac
  /// is checked at compile time (0 .. the wide type's bits).
  template <int Frac>
  [[nodiscard]] static constexpr value_type narrow(wide_type v) noexcept {
    static_assert(Frac >= 0 && Frac <= std::numeric_limits<wide_type>::digits,
                  "ctml: narrow<Frac>: a wide value has 0 to (its bits - 1) fraction bits; Frac is out of range");
    return detail::clamp_to<Storage>(detail::rounding_shift<wide_type>(v, Frac - FracBits));
  }
  /// The same with `frac` known at run time: any int is defined (frac outside
  /// the wide type's range saturates or rounds to 0, without overflow).
  [[nodiscard]] static constexpr value_type narrow(wide_type v, int frac) noexcept {
    constexpr int limit = 2 * std::numeric_limits<wide_type>::digits + 2;
    const int shift = (frac > limit ? limit : (frac < -limit ? -limit : frac)) - FracBits;
    return detail::clamp_to<Storage>(detail::rounding_shift<wide_type>(v, shift));
  }
};

/// Short names for the usual formats.
using q7 = q<std::int8_t, 7>;
using q15 = q<std::int16_t, 15>;
using q31 = q<std::int32_t, 31>;

namespace detail {
template <class P> inline constexpr bool is_fixed = false;
template <class S, int F> inline constexpr bool is_fixed<q<S, F>> = true;
}  // namespace detail

/// TFLite's affine int8 arithmetic for networks: `model.with(ctml::int8{})`.
/// Requantisation multipliers keep `MultiplierBits` significant bits.
template <int MultiplierBits = 31>
  requires(MultiplierBits >= 8 && MultiplierBits <= 31)
struct int8_affine {
  static constexpr int multiplier_bits = MultiplierBits;
  static constexpr const char* name = "int8";
};
using int8 = int8_affine<31>;
/// Multipliers of 15 significant bits: requantisation without 32x32 products.
using int8_fast = int8_affine<15>;

namespace detail {
template <class T> inline constexpr bool is_int8_affine = false;
template <int B> inline constexpr bool is_int8_affine<int8_affine<B>> = true;
}  // namespace detail

/// A policy whose values pass between stages: f32 or a q<> format.
template <class P>
concept ValuePolicy = std::same_as<P, f32> || detail::is_fixed<P>;

/// Any number policy: a value policy, or int8 arithmetic inside a network.
template <class P>
concept NumberPolicy = ValuePolicy<P> || detail::is_int8_affine<P>;

}  // namespace ctml
