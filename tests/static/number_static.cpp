// Compile-time checks of ctml/number: the constexpr math functions at known
// points and the fixed-point policies' conversions, rounding and saturation.
// Compiling this file is the test.
//
// Expected values are exact by construction (perfect squares, powers of two,
// hand-computed integers) or are the host libm's results written out as hex
// literals (python3: math.sin(1.0).hex()); none comes from ctml.
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>

namespace {

namespace m = ctml::math;
using ctml::q;

// ---------------------------------------------------------------------------
// Helpers (independent of ctml)

// Distance in representable values between two finite numbers of one type.
template <class T>
constexpr std::int64_t ordered(T v) {
  using bits_t = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  using sbits_t = std::make_signed_t<bits_t>;
  const auto s = static_cast<sbits_t>(std::bit_cast<bits_t>(v));
  // Negative numbers: reflect, so that integer order is numeric order and -0 == +0.
  return s < 0 ? static_cast<std::int64_t>(std::numeric_limits<sbits_t>::min()) - s : s;
}
template <class T>
constexpr std::int64_t ulps(T a, T b) {
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}
static_assert(ulps(1.0, 1.0) == 0);
static_assert(ulps(1.0f, 0x1.000002p+0f) == 1);
static_assert(ulps(-0.0, 0.0) == 0);
static_assert(ulps(-0x1p-1074, 0x1p-1074) == 2);

template <class T>
constexpr bool is_neg_zero(T v) {
  return v == 0 && std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(v) != 0;
}
template <class T>
constexpr bool is_pos_zero(T v) {
  return v == 0 && !is_neg_zero(v);
}

constexpr double dinf = std::numeric_limits<double>::infinity();
constexpr float finf = std::numeric_limits<float>::infinity();
constexpr double dnan = std::numeric_limits<double>::quiet_NaN();
constexpr float fnan = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------------------
// math: sqrt (exact where the root is representable)

static_assert(m::sqrt(4.0) == 2.0);
static_assert(m::sqrt(1.0) == 1.0);
static_assert(m::sqrt(0.25) == 0.5);
static_assert(m::sqrt(2.25) == 1.5);
static_assert(m::sqrt(1e10) == 1e5);
static_assert(m::sqrt(0x1p1022) == 0x1p511);
static_assert(m::sqrt(0x1p-1022) == 0x1p-511);
static_assert(m::sqrt(0x1p-1074) == 0x1p-537);  // smallest subnormal
static_assert(ulps(m::sqrt(0x1p1023), 0x1.6a09e667f3bcdp+511) <= 4);
static_assert(ulps(m::sqrt(2.0), 0x1.6a09e667f3bcdp+0) <= 4);
static_assert(is_pos_zero(m::sqrt(0.0)));
static_assert(is_neg_zero(m::sqrt(-0.0)));  // IEEE: sqrt(-0) = -0
static_assert(m::sqrt(dinf) == dinf);
static_assert(m::isnan(m::sqrt(-1.0)));
static_assert(m::isnan(m::sqrt(-dinf)));
static_assert(m::isnan(m::sqrt(dnan)));

static_assert(m::sqrt(16.0f) == 4.0f);
static_assert(m::sqrt(0x1p-126f) == 0x1p-63f);
static_assert(m::sqrt(0x1p-148f) == 0x1p-74f);  // float subnormal
static_assert(ulps(m::sqrt(2.0f), 0x1.6a09e6p+0f) <= 1);
static_assert(m::sqrt(std::numeric_limits<float>::max()) > 1.8e19f);
static_assert(is_neg_zero(m::sqrt(-0.0f)));
static_assert(m::sqrt(finf) == finf);
static_assert(m::isnan(m::sqrt(-1.0f)));
static_assert(std::is_same_v<decltype(m::sqrt(1.0f)), float>);
static_assert(std::is_same_v<decltype(m::sqrt(1.0)), double>);

// ---------------------------------------------------------------------------
// math: exp

static_assert(m::exp(0.0) == 1.0);
static_assert(m::exp(-0.0) == 1.0);
static_assert(m::exp(0.0f) == 1.0f);
static_assert(ulps(m::exp(1.0), 0x1.5bf0a8b145769p+1) <= 4);
static_assert(ulps(m::exp(-1.0), 0x1.78b56362cef38p-2) <= 4);
static_assert(ulps(m::exp(1.0f), 0x1.5bf0a8p+1f) <= 1);
static_assert(ulps(m::exp(88.0f), 0x1.f1056ep+126f) <= 1);  // top of the float range
static_assert(m::exp(dinf) == dinf);
static_assert(is_pos_zero(m::exp(-dinf)));
static_assert(m::exp(710.0) == dinf);   // overflow
static_assert(m::exp(-746.0) == 0.0);   // underflow
static_assert(m::exp(89.0f) == finf);   // float overflow
static_assert(m::exp(-110.0f) == 0.0f); // below half the smallest float subnormal
static_assert(m::isnan(m::exp(dnan)));
static_assert(m::isnan(m::exp(fnan)));

// ---------------------------------------------------------------------------
// math: log

static_assert(m::log(1.0) == 0.0);
static_assert(m::log(1.0f) == 0.0f);
static_assert(ulps(m::log(2.0), 0x1.62e42fefa39efp-1) <= 4);
static_assert(ulps(m::log(10.0), 0x1.26bb1bbb55516p+1) <= 4);
static_assert(ulps(m::log(0.5), -0x1.62e42fefa39efp-1) <= 4);
static_assert(ulps(m::log(2.0f), 0x1.62e430p-1f) <= 1);
static_assert(ulps(m::log(0x1p-1074), -0x1.74385446d71c3p+9) <= 4);  // -1074 ln 2
static_assert(m::log(0.0) == -dinf);
static_assert(m::log(-0.0) == -dinf);
static_assert(m::log(0.0f) == -finf);
static_assert(m::log(dinf) == dinf);
static_assert(m::isnan(m::log(-1.0)));
static_assert(m::isnan(m::log(-dinf)));
static_assert(m::isnan(m::log(dnan)));
static_assert(m::isnan(m::log(-1.0f)));

// ---------------------------------------------------------------------------
// math: sin, cos

static_assert(is_pos_zero(m::sin(0.0)));
static_assert(is_neg_zero(m::sin(-0.0)));
static_assert(is_neg_zero(m::sin(-0.0f)));
static_assert(m::cos(0.0) == 1.0);
static_assert(m::cos(-0.0) == 1.0);
static_assert(m::cos(0.0f) == 1.0f);
static_assert(m::sin(0x1p-1074) == 0x1p-1074);  // sin x = x for tiny x
static_assert(m::sin(1e-30f) == 1e-30f);
static_assert(ulps(m::sin(1.0), 0x1.aed548f090ceep-1) <= 4);
static_assert(ulps(m::cos(1.0), 0x1.14a280fb5068cp-1) <= 4);
static_assert(ulps(m::sin(100.0), -0x1.03425b78c4db8p-1) <= 4);
static_assert(ulps(m::sin(1.0f), 0x1.aed548p-1f) <= 1);
static_assert(ulps(m::cos(1.0f), 0x1.14a280p-1f) <= 1);
static_assert(ulps(m::cos(1e5f), -0x1.ffac38p-1f) <= 1);  // end of the documented range
static_assert(ulps(m::sin(-1.0), -0x1.aed548f090ceep-1) <= 4);  // odd
static_assert(ulps(m::cos(-1.0), 0x1.14a280fb5068cp-1) <= 4);  // even
static_assert(m::isnan(m::sin(dinf)));
static_assert(m::isnan(m::cos(-dinf)));
static_assert(m::isnan(m::sin(dnan)));
static_assert(m::isnan(m::cos(fnan)));

// Classification helpers.
static_assert(m::isnan(dnan) && !m::isnan(dinf) && !m::isnan(0.0));
static_assert(m::isinf(dinf) && m::isinf(-dinf) && !m::isinf(1e308));
static_assert(m::isfinite(0.0) && !m::isfinite(dnan) && !m::isfinite(-dinf));
static_assert(m::fabs(-2.5) == 2.5 && m::fabs(2.5) == 2.5);
static_assert(is_pos_zero(m::fabs(-0.0)));

// ---------------------------------------------------------------------------
// f32 policy

static_assert(ctml::NumberPolicy<ctml::f32>);
static_assert(std::is_same_v<ctml::f32::value_type, float>);
static_assert(ctml::f32::from_double(0.1) == 0.1f);
static_assert(ctml::f32::to_double(0.5f) == 0.5);

// ---------------------------------------------------------------------------
// q<> policy: format and types

using q8_4 = q<std::int8_t, 4>;    // LSB 1/16, range [-8, 7.9375]
using q16_8 = q<std::int16_t, 8>;  // LSB 1/256
using q32_16 = q<std::int32_t, 16>;

static_assert(ctml::NumberPolicy<q8_4> && ctml::NumberPolicy<ctml::q31>);
static_assert(!ctml::NumberPolicy<int> && !ctml::NumberPolicy<float>);
static_assert(std::is_same_v<ctml::q7, q<std::int8_t, 7>>);
static_assert(std::is_same_v<ctml::q15, q<std::int16_t, 15>>);
static_assert(std::is_same_v<ctml::q31, q<std::int32_t, 31>>);
static_assert(std::is_same_v<q8_4::wide_type, std::int32_t>);
static_assert(std::is_same_v<q16_8::wide_type, std::int32_t>);
static_assert(std::is_same_v<q32_16::wide_type, std::int64_t>);
static_assert(q8_4::frac_bits == 4 && q8_4::max == 127 && q8_4::min == -128);
static_assert(q8_4::resolution == 0.0625);
static_assert(ctml::q31::resolution == 0x1p-31);

// The constraints of q<> reject formats it cannot hold.
template <class S, int F>
concept valid_q = requires { typename q<S, F>::value_type; };
static_assert(valid_q<std::int8_t, 0> && valid_q<std::int8_t, 7>);
static_assert(!valid_q<std::int8_t, 8>);
static_assert(!valid_q<std::int16_t, -1>);
static_assert(!valid_q<std::uint8_t, 4>);
static_assert(!valid_q<std::int64_t, 8>);

// ---------------------------------------------------------------------------
// q<>::from_double: round to nearest, ties away from zero, saturate, NaN -> 0

static_assert(q8_4::from_double(1.0) == 16);
static_assert(q8_4::from_double(-1.0) == -16);
static_assert(q8_4::from_double(0.0) == 0 && q8_4::from_double(-0.0) == 0);
static_assert(q8_4::from_double(0.03125) == 1);     // +0.5 LSB: away from zero
static_assert(q8_4::from_double(-0.03125) == -1);   // -0.5 LSB: away from zero
static_assert(q8_4::from_double(0.09375) == 2);     // 1.5 LSB
static_assert(q8_4::from_double(-0.09375) == -2);
static_assert(q8_4::from_double(0.0312499) == 0);
static_assert(q8_4::from_double(-0.0312499) == 0);
static_assert(q8_4::from_double(7.9375) == 127);    // max exactly
static_assert(q8_4::from_double(7.96875) == 127);   // 127.5 LSB: rounds to 128, saturates
static_assert(q8_4::from_double(-8.0) == -128);     // min exactly
static_assert(q8_4::from_double(-8.03125) == -128); // -128.5 LSB saturates
static_assert(q8_4::from_double(1e300) == 127 && q8_4::from_double(-1e300) == -128);
static_assert(q8_4::from_double(dinf) == 127 && q8_4::from_double(-dinf) == -128);
static_assert(q8_4::from_double(dnan) == 0);
static_assert(q8_4::from_double(0x1p-1074) == 0);
static_assert(q16_8::from_double(-3.5) == -896);
static_assert(q16_8::from_double(127.998046875) == 32767);  // 32767.5 LSB saturates
static_assert(ctml::q15::from_double(0.5) == 16384);
static_assert(ctml::q15::from_double(1.0) == 32767);
static_assert(ctml::q15::from_double(-1.0) == -32768);
static_assert(ctml::q31::from_double(1.0) == std::numeric_limits<std::int32_t>::max());
static_assert(ctml::q31::from_double(-1.0) == std::numeric_limits<std::int32_t>::min());
static_assert(ctml::q31::from_double(0.25) == (1 << 29));
static_assert(ctml::q31::from_double(0x1p-32) == 1);    // half an LSB of q31: away from zero
static_assert(ctml::q31::from_double(-0x1p-32) == -1);
static_assert(q<std::int32_t, 0>::from_double(2147483647.4) == 2147483647);
static_assert(q<std::int32_t, 0>::from_double(2147483647.5) == 2147483647);
static_assert(q<std::int32_t, 0>::from_double(-2147483648.4) == -2147483647 - 1);
static_assert(q<std::int32_t, 0>::from_double(-2147483648.5) == -2147483647 - 1);
static_assert(q<std::int32_t, 0>::from_double(4503599627370495.5) == 2147483647);  // 2^52 - 0.5
static_assert(q<std::int32_t, 0>::from_double(0.49999999999999994) == 0);  // floor(x + 0.5) would give 1
static_assert(q<std::int32_t, 0>::from_double(-0.49999999999999994) == 0);
static_assert(q<std::int32_t, 0>::from_double(2.5) == 3 && q<std::int32_t, 0>::from_double(-2.5) == -3);

static_assert(q8_4::to_double(16) == 1.0);
static_assert(q8_4::to_double(-128) == -8.0);
static_assert(q8_4::to_double(1) == 0.0625);
static_assert(ctml::q31::to_double(std::numeric_limits<std::int32_t>::min()) == -1.0);

// detail::round_sat directly, for a wider target.
static_assert(ctml::detail::round_sat<std::int64_t>(1e30) == std::numeric_limits<std::int64_t>::max());
static_assert(ctml::detail::round_sat<std::int64_t>(-1e30) == std::numeric_limits<std::int64_t>::min());
static_assert(ctml::detail::round_sat<std::int64_t>(-0x1p63) == std::numeric_limits<std::int64_t>::min());
static_assert(ctml::detail::round_sat<std::int64_t>(0x1p62) == (std::int64_t{1} << 62));
static_assert(ctml::detail::round_sat<std::int16_t>(-32768.5) == -32768);
static_assert(ctml::detail::round_sat<std::int16_t>(-32767.5) == -32768);
static_assert(ctml::detail::round_sat<std::int16_t>(32766.5) == 32767);
static_assert(ctml::detail::round_sat<std::int8_t>(dnan) == 0);

// ---------------------------------------------------------------------------
// q<>::add / sub: exact in range, saturating outside

static_assert(q8_4::add(16, 32) == 48);
static_assert(q8_4::add(100, 100) == 127);
static_assert(q8_4::add(-100, -100) == -128);
static_assert(q8_4::add(127, -128) == -1);
static_assert(q8_4::sub(-100, 100) == -128);
static_assert(q8_4::sub(100, -100) == 127);
static_assert(q8_4::sub(0, -128) == 127);   // -(-128) does not fit
static_assert(q8_4::sub(-1, 127) == -128);
static_assert(ctml::q31::add(std::numeric_limits<std::int32_t>::max(), 1) == std::numeric_limits<std::int32_t>::max());
static_assert(ctml::q31::sub(std::numeric_limits<std::int32_t>::min(), 1) == std::numeric_limits<std::int32_t>::min());
static_assert(ctml::q31::sub(0, std::numeric_limits<std::int32_t>::min()) == std::numeric_limits<std::int32_t>::max());

// ---------------------------------------------------------------------------
// q<>::mul: the product of two values with F fraction bits has 2F; the result
// is rounded back to F bits (to nearest, ties towards +inf) and saturated.

static_assert(q<std::int8_t, 0>::mul(3, 4) == 12);
static_assert(q<std::int8_t, 0>::mul(16, 16) == 127);
static_assert(q8_4::mul(16, 16) == 16);      // 1.0 * 1.0 = 1.0
static_assert(q8_4::mul(32, 24) == 48);      // 2.0 * 1.5 = 3.0
static_assert(q8_4::mul(-16, 16) == -16);    // -1.0 * 1.0
static_assert(q8_4::mul(1, 8) == 1);         // 0.5 LSB: ties towards +inf
static_assert(q8_4::mul(-1, 8) == 0);        // -0.5 LSB: ties towards +inf
static_assert(q8_4::mul(3, 8) == 2);         // 1.5 LSB -> 2
static_assert(q8_4::mul(-3, 8) == -1);       // -1.5 LSB -> -1
static_assert(q8_4::mul(1, 1) == 0);         // 1/256 rounds to 0
static_assert(q8_4::mul(127, 127) == 127);   // 63.0 saturates
static_assert(q8_4::mul(-128, 127) == -128);
static_assert(q8_4::mul(-128, -128) == 127); // 64.0 saturates
static_assert(ctml::q15::mul(16384, 16384) == 8192);    // 0.5 * 0.5
static_assert(ctml::q15::mul(-32768, -32768) == 32767); // (-1)^2 = 1 saturates
static_assert(ctml::q15::mul(-32768, 16384) == -16384);
static_assert(ctml::q31::mul(std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::min()) ==
              std::numeric_limits<std::int32_t>::max());
static_assert(ctml::q31::mul(1 << 30, 1 << 30) == (1 << 29));  // 0.5 * 0.5
static_assert(q32_16::mul(3 << 16, -(5 << 16)) == -(15 << 16));

// mac: acc + a*b in the wide type, with 2F fraction bits, saturating.
static_assert(q8_4::mac(0, 16, 16) == 256);
static_assert(q8_4::mac(10, -128, 127) == 10 - 128 * 127);
static_assert(ctml::q15::mac(std::numeric_limits<std::int32_t>::max() - 5, 1, 6) == std::numeric_limits<std::int32_t>::max());
static_assert(ctml::q15::mac(std::numeric_limits<std::int32_t>::min() + 5, -1, 6) == std::numeric_limits<std::int32_t>::min());
static_assert(ctml::q31::mac(0, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::min()) ==
              (std::int64_t{1} << 62));
static_assert(ctml::q31::mac(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int32_t>::min(),
                             std::numeric_limits<std::int32_t>::min()) == std::numeric_limits<std::int64_t>::max());

// narrow: from `frac` fraction bits to F, right shifts round, left shifts saturate.
static_assert(q8_4::narrow(256, 8) == 16);   // 1.0 with 8 fraction bits
static_assert(q8_4::narrow(8, 8) == 1);      // 0.5 LSB -> up
static_assert(q8_4::narrow(-8, 8) == 0);     // -0.5 LSB -> up
static_assert(q8_4::narrow(-9, 8) == -1);
static_assert(q8_4::narrow(7, 4) == 7);      // same format: unchanged
static_assert(q8_4::narrow(7, 2) == 28);     // fewer fraction bits: shift left
static_assert(q8_4::narrow(32, 2) == 127);   // 8.0 saturates
static_assert(q8_4::narrow(-32, 2) == -128); // -8.0 fits exactly
static_assert(q8_4::narrow(-33, 2) == -128);
static_assert(q8_4::narrow(1 << 20, 8) == 127);
static_assert(ctml::q31::narrow(std::int64_t{1} << 61, 62) == (1 << 30));

// detail::rounding_shift directly.
using ctml::detail::rounding_shift;
static_assert(rounding_shift<std::int32_t>(3, 1) == 2);     // 1.5 -> 2
static_assert(rounding_shift<std::int32_t>(-3, 1) == -1);   // -1.5 -> -1
static_assert(rounding_shift<std::int32_t>(5, 2) == 1);     // 1.25 -> 1
static_assert(rounding_shift<std::int32_t>(6, 2) == 2);     // 1.5 -> 2
static_assert(rounding_shift<std::int32_t>(-6, 2) == -1);   // -1.5 -> -1
static_assert(rounding_shift<std::int32_t>(-7, 2) == -2);   // -1.75 -> -2
static_assert(rounding_shift<std::int32_t>(-5, 2) == -1);   // -1.25 -> -1
static_assert(rounding_shift<std::int32_t>(5, 0) == 5);
static_assert(rounding_shift<std::int32_t>(3, -2) == 12);
static_assert(rounding_shift<std::int32_t>(0x3fffffff, -1) == 0x7ffffffe);
static_assert(rounding_shift<std::int32_t>(0x40000000, -1) == 0x7fffffff);          // saturates
static_assert(rounding_shift<std::int32_t>(-0x40000000, -1) == -0x7fffffff - 1);    // exactly min
static_assert(rounding_shift<std::int32_t>(-0x40000001, -1) == -0x7fffffff - 1);    // saturates
static_assert(rounding_shift<std::int32_t>(1, -31) == 0x7fffffff);
static_assert(rounding_shift<std::int32_t>(-1, -31) == -0x7fffffff - 1);
static_assert(rounding_shift<std::int64_t>(std::int64_t{-1} << 62, 62) == -1);
static_assert(rounding_shift<std::int32_t>(std::numeric_limits<std::int32_t>::min(), 31) == -1);
static_assert(rounding_shift<std::int32_t>(std::numeric_limits<std::int32_t>::min(), 1) == -0x40000000);
// Near the top of the wide type: 2^31-1 over 2 is 2^30 - 0.5, a tie, so 2^30.
static_assert(rounding_shift<std::int32_t>(std::numeric_limits<std::int32_t>::max(), 1) == 0x40000000);
static_assert(rounding_shift<std::int32_t>(std::numeric_limits<std::int32_t>::max(), 31) == 1);

}  // namespace
