// The library's integer arithmetic runs bit-identically on every port: each
// result is checked against an independent reference written here with
// 64-bit integers (no floating point, so the same on AVR and on the host).
#include <cstdint>
#include <limits>

#include <ctml/detail/binary64.hpp>
#include <ctml/number/convert.hpp>
#include <ctml/number/policy.hpp>

#include "ctml_test.hpp"

namespace {

template <class T>
T opaque(T v) {
  __asm__ volatile("" : : "r"(&v) : "memory");
  return v;
}

// round(a * b / 2^f), ties towards +inf, saturated to int8/int16.
std::int64_t reference_mul(std::int64_t a, std::int64_t b, int f, std::int64_t lo, std::int64_t hi) {
  const std::int64_t p = a * b;
  std::int64_t r = p >> f;  // floor
  if (f > 0 && ((p >> (f - 1)) & 1)) ++r;
  return r < lo ? lo : (r > hi ? hi : r);
}

}  // namespace

CTML_TEST(q_int8_mul_add_sub_exhaustive) {
  using q = ctml::q<std::int8_t, 4>;
  std::uint32_t bad = 0;
  for (int a = -128; a < 128; ++a) {
    for (int b = -128; b < 128; ++b) {
      const auto x = opaque(static_cast<std::int8_t>(a)), y = static_cast<std::int8_t>(b);
      bad += q::mul(x, y) != reference_mul(a, b, 4, -128, 127);
      const int sum = a + b, diff = a - b;
      bad += q::add(x, y) != (sum < -128 ? -128 : (sum > 127 ? 127 : sum));
      bad += q::sub(x, y) != (diff < -128 ? -128 : (diff > 127 ? 127 : diff));
    }
  }
  CTML_CHECK_EQ(bad, 0u);
}

CTML_TEST(q_int16_mul_and_mac) {
  using q = ctml::q<std::int16_t, 12>;
  std::uint32_t bad = 0;
  std::uint32_t state = 12345;
  for (int i = 0; i < 3000; ++i) {
    state = state * 1103515245u + 12345u;  // the same sequence on every port
    const auto a = static_cast<std::int16_t>(state >> 8), b = static_cast<std::int16_t>(state >> 16);
    bad += q::mul(opaque(a), b) != reference_mul(a, b, 12, -32768, 32767);
    bad += q::mac(1000, a, b) != 1000 + static_cast<std::int32_t>(a) * b;
  }
  CTML_CHECK_EQ(bad, 0u);
  CTML_CHECK_EQ(q::from_double(1.0), 4096);  // constant folding, same on every port
  CTML_CHECK_EQ(q::from_double(-100.0), -32768);
}

CTML_TEST(binary64_matches_ieee_bit_patterns) {
  using ctml::detail::binary64;
  // IEEE 754 binary64 encodings (facts, not outputs of this code).
  const auto bits = [](binary64 v) { return ((static_cast<std::uint64_t>(v.e + 1075)) << 52) | (v.m & ((std::uint64_t{1} << 52) - 1)); };
  CTML_CHECK(bits(binary64::ratio(opaque(1u), 3u, 0)) == 0x3FD5555555555555ull);  // 1/3
  CTML_CHECK(bits(binary64::ratio(opaque(2u), 3u, 0)) == 0x3FE5555555555555ull);  // 2/3
  CTML_CHECK(bits(binary64::ratio(opaque(1u), 10u, 0)) == 0x3FB999999999999Aull);  // 0.1
  // 0.1 + 0.2 = 0.30000000000000004 (0x3FD3333333333334), not 0.3
  const binary64 s = binary64::ratio(opaque(1u), 10u, 0) + binary64::ratio(2u, 10u, 0);
  CTML_CHECK(bits(s) == 0x3FD3333333333334ull);
  // 1/3 + 1/3 == 2/3 exactly in binary64: a tie the first class wins
  CTML_CHECK(binary64::ratio(1u, 3u, 0) + binary64::ratio(1u, 3u, 0) == binary64::ratio(2u, 3u, 0));
  // 0.3 / 3 == 0.09999999999999999 (0x3FB9999999999999)
  CTML_CHECK(bits(binary64::ratio(3u, 10u, 0).divided_by(opaque(3u))) == 0x3FB9999999999999ull);
}

// The conversion stages between number types, over every int16 value. The
// references are integer arithmetic (and exact float identities).
CTML_TEST(conversions_every_int16) {
  using q11 = ctml::q<std::int16_t, 11>;
  using to_q11 = ctml::requantize<ctml::q15, q11, 1>;
  using from_q15 = ctml::dequantize<ctml::q15, 1>;
  using to_q15 = ctml::quantize<ctml::q15, 1>;
  std::uint32_t bad = 0;
  for (std::int32_t x = -32768; x < 32768; ++x) {
    const auto v = opaque(static_cast<std::int16_t>(x));
    // q15 -> q4.11: x / 16 rounded to nearest, ties towards +inf (floor(x / 16 + 1/2)).
    const std::int32_t shifted = (x + 8) >= 0 ? (x + 8) / 16 : -((-(x + 8) + 15) / 16);
    bad += to_q11::one(v) != shifted;
    // q15 -> float is exact: scaling back by 2^15 gives the integer.
    const float f = from_q15::one(v);
    bad += f * 32768.0f != static_cast<float>(x);
    // float -> q15 round-trips, and half-LSB ties go away from zero.
    bad += to_q15::one(f) != x;
    if (x < 32767) {
      const float tie = (static_cast<float>(x) + 0.5f) / 32768.0f;  // exact
      bad += to_q15::one(opaque(tie)) != (x >= 0 ? x + 1 : x);
    }
  }
  CTML_CHECK_EQ(bad, 0u);
  CTML_CHECK_EQ(to_q15::one(opaque(2.0f)), 32767);
  CTML_CHECK_EQ(to_q15::one(opaque(-2.0f)), -32768);
}
