// Fixed-point policies (ctml::q<Storage, FracBits>) against a reference
// computed in 128-bit integers and <cmath>, following the rules documented in
// include/ctml/number/policy.hpp:
//   - from_double: round to nearest, ties away from zero; saturate; NaN -> 0;
//   - add/sub/mul saturate; mul rounds to nearest, ties towards +infinity;
//   - mac accumulates exactly in the wide type and saturates there.
// Exhaustive for int8 x int8, spot + random (std::mt19937, seed 1) for int16,
// limits + random for int32. Runs under -fsanitize=undefined too.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <ctml/number/policy.hpp>

namespace {

__extension__ typedef __int128 i128;  // exact reference arithmetic

/// floor(a / 2^s) for s >= 0.
i128 floor_shift(i128 a, int s) {
  const i128 d = static_cast<i128>(1) << s;
  return a >= 0 ? a / d : -((-a + d - 1) / d);
}

/// a * 2^-s rounded to nearest, ties towards +infinity: floor(a / 2^s + 1/2).
i128 round_half_up(i128 a, int s) {
  if (s <= 0) {
    // Left shift; beyond 2^64 the value saturates any storage anyway.
    if (-s > 64) return a == 0 ? 0 : (a > 0 ? static_cast<i128>(1) << 100 : -(static_cast<i128>(1) << 100));
    return a * (static_cast<i128>(1) << -s);
  }
  return floor_shift(2 * a + (static_cast<i128>(1) << s), s + 1);
}

template <class T>
T saturate(i128 v) {
  if (v > std::numeric_limits<T>::max()) return std::numeric_limits<T>::max();
  if (v < std::numeric_limits<T>::min()) return std::numeric_limits<T>::min();
  return static_cast<T>(v);
}

/// Reference from_double: std::round rounds halfway cases away from zero.
template <class T>
T ref_from_double(double v, int frac) {
  if (std::isnan(v)) return 0;
  const double r = std::round(std::ldexp(v, frac));  // exact scaling by 2^frac
  if (r >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  if (r <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  return static_cast<T>(r);
}

template <class T>
std::vector<T> edge_values() {
  constexpr T lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  constexpr T half = static_cast<T>(T{1} << (std::numeric_limits<T>::digits - 1));
  return {lo, static_cast<T>(lo + 1), static_cast<T>(lo / 2), static_cast<T>(-half - 1), static_cast<T>(-half + 1),
          -3, -2, -1, 0, 1, 2, 3, static_cast<T>(half - 1), half, static_cast<T>(half + 1), static_cast<T>(hi / 2),
          static_cast<T>(hi - 1), hi};
}

/// Checks add, sub, mul and mac of Q on one pair against the reference;
/// returns false (after reporting) on the first mismatch.
template <class Q>
bool check_pair(typename Q::value_type a, typename Q::value_type b, typename Q::wide_type acc) {
  using T = typename Q::value_type;
  using W = typename Q::wide_type;
  const i128 prod = static_cast<i128>(a) * static_cast<i128>(b);
  const T want_add = saturate<T>(static_cast<i128>(a) + b);
  const T want_sub = saturate<T>(static_cast<i128>(a) - b);
  const T want_mul = saturate<T>(round_half_up(prod, Q::frac_bits));
  const W want_mac = saturate<W>(static_cast<i128>(acc) + prod);
  const T got_add = Q::add(a, b), got_sub = Q::sub(a, b), got_mul = Q::mul(a, b);
  const W got_mac = Q::mac(acc, a, b);
  if (got_add == want_add && got_sub == want_sub && got_mul == want_mul && got_mac == want_mac) return true;
  INFO("q<int" << 8 * sizeof(T) << ", " << Q::frac_bits << ">: a = " << +a << ", b = " << +b
               << ", acc = " << static_cast<long long>(acc));
  CHECK(+got_add == +want_add);
  CHECK(+got_sub == +want_sub);
  CHECK(+got_mul == +want_mul);
  CHECK(static_cast<long long>(got_mac) == static_cast<long long>(want_mac));
  return false;
}

template <int F>
void exhaustive_int8() {
  using Q = ctml::q<std::int8_t, F>;
  std::size_t failures = 0;
  for (int a = -128; a <= 127; ++a)
    for (int b = -128; b <= 127; ++b) {
      // acc walks over small values and the int32 limits.
      const std::int32_t acc = (a & 3) == 0   ? std::numeric_limits<std::int32_t>::max() - (b & 0xff) * 64
                               : (a & 3) == 1 ? std::numeric_limits<std::int32_t>::min() + (b & 0xff) * 64
                                              : a * 1000 + b;
      if (!check_pair<Q>(static_cast<std::int8_t>(a), static_cast<std::int8_t>(b), acc) && ++failures >= 5) return;
    }
}

template <class Q>
void edges_and_random(std::size_t n_random) {
  using T = typename Q::value_type;
  using W = typename Q::wide_type;
  std::size_t failures = 0;
  const auto edges = edge_values<T>();
  const std::vector<W> accs = {0, 1, -1, std::numeric_limits<W>::max(), std::numeric_limits<W>::min(),
                               std::numeric_limits<W>::max() - 12345, std::numeric_limits<W>::min() + 12345};
  for (T a : edges)
    for (T b : edges)
      for (W acc : accs)
        if (!check_pair<Q>(a, b, acc) && ++failures >= 5) return;
  std::mt19937 gen(1);
  std::uniform_int_distribution<long long> value(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::uniform_int_distribution<long long> acc_value(std::numeric_limits<W>::min(), std::numeric_limits<W>::max());
  for (std::size_t i = 0; i < n_random; ++i) {
    const auto a = static_cast<T>(value(gen)), b = static_cast<T>(value(gen));
    const auto acc = static_cast<W>(acc_value(gen) >> (i % (8 * sizeof(W))));  // many magnitudes
    if (!check_pair<Q>(a, b, acc) && ++failures >= 5) return;
  }
}

}  // namespace

TEST_CASE("policy: int8 add/sub/mul/mac, exhaustive over all pairs, every FracBits", "[policy][int8]") {
  SECTION("F = 0") { exhaustive_int8<0>(); }
  SECTION("F = 1") { exhaustive_int8<1>(); }
  SECTION("F = 3") { exhaustive_int8<3>(); }
  SECTION("F = 4") { exhaustive_int8<4>(); }
  SECTION("F = 6") { exhaustive_int8<6>(); }
  SECTION("F = 7 (q7)") { exhaustive_int8<7>(); }
}

TEST_CASE("policy: int16 add/sub/mul/mac at the edges and on 100k random pairs", "[policy][int16]") {
  SECTION("F = 0") { edges_and_random<ctml::q<std::int16_t, 0>>(100000); }
  SECTION("F = 8") { edges_and_random<ctml::q<std::int16_t, 8>>(100000); }
  SECTION("F = 11") { edges_and_random<ctml::q<std::int16_t, 11>>(100000); }
  SECTION("F = 15 (q15)") { edges_and_random<ctml::q15>(100000); }
}

TEST_CASE("policy: int32 add/sub/mul/mac near the limits and on 100k random pairs", "[policy][int32]") {
  SECTION("F = 0") { edges_and_random<ctml::q<std::int32_t, 0>>(100000); }
  SECTION("F = 16") { edges_and_random<ctml::q<std::int32_t, 16>>(100000); }
  SECTION("F = 24") { edges_and_random<ctml::q<std::int32_t, 24>>(100000); }
  SECTION("F = 31 (q31)") { edges_and_random<ctml::q31>(100000); }
}

TEST_CASE("policy: mul rounds ties towards +infinity", "[policy]") {
  using Q = ctml::q<std::int16_t, 4>;
  // 8/16 = 0.5 LSB: a * 8 is a / 2 LSB exactly.
  CHECK(Q::mul(1, 8) == 1);    //  0.5 ->  1
  CHECK(Q::mul(-1, 8) == 0);   // -0.5 ->  0
  CHECK(Q::mul(3, 8) == 2);    //  1.5 ->  2
  CHECK(Q::mul(-3, 8) == -1);  // -1.5 -> -1
  CHECK(Q::mul(5, 8) == 3);    //  2.5 ->  3
  CHECK(Q::mul(-5, 8) == -2);  // -2.5 -> -2
  CHECK(Q::mul(1, 7) == 0);    //  7/16 -> 0
  CHECK(Q::mul(1, 9) == 1);    //  9/16 -> 1
  CHECK(Q::mul(-1, 9) == -1);  // -9/16 -> -1
  CHECK(Q::mul(16, 16) == 16); // 1.0 * 1.0
  CHECK(Q::mul(-48, 40) == -120);  // -3.0 * 2.5 = -7.5
}

// ---------------------------------------------------------------------------
// from_double / to_double

namespace {
template <class Q>
void check_from_double(double v) {
  using T = typename Q::value_type;
  const T want = ref_from_double<T>(v, Q::frac_bits);
  const T got = Q::from_double(v);
  if (got != want) {
    INFO("q<int" << 8 * sizeof(T) << ", " << Q::frac_bits << ">::from_double(" << v << ")");
    CHECK(static_cast<long long>(got) == static_cast<long long>(want));
  }
}

template <class Q>
void from_double_suite() {
  using T = typename Q::value_type;
  const double lsb = std::ldexp(1.0, -Q::frac_bits);
  const auto lo = static_cast<long long>(std::numeric_limits<T>::min());
  const auto hi = static_cast<long long>(std::numeric_limits<T>::max());
  // Every half-LSB point (ties) and neighbours, across and beyond the range,
  // sampled for wide storage.
  const long long step = sizeof(T) == 4 ? 65537 : 1;
  for (long long k = lo - 3; k <= hi + 3; k += step) {
    const double tie = (static_cast<double>(k) + 0.5) * lsb;
    check_from_double<Q>(tie);
    check_from_double<Q>(std::nextafter(tie, 0.0));
    check_from_double<Q>(std::nextafter(tie, tie < 0 ? -1e300 : 1e300));
    check_from_double<Q>(static_cast<double>(k) * lsb);
  }
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> d(2.5 * static_cast<double>(lo) * lsb, 2.5 * static_cast<double>(hi) * lsb);
  for (int i = 0; i < 20000; ++i) check_from_double<Q>(d(gen));
}
}  // namespace

TEST_CASE("policy: from_double rounds ties away from zero and saturates, for int8/int16/int32 storage",
          "[policy][from_double]") {
  from_double_suite<ctml::q<std::int8_t, 0>>();
  from_double_suite<ctml::q<std::int8_t, 4>>();
  from_double_suite<ctml::q7>();
  from_double_suite<ctml::q<std::int16_t, 8>>();
  from_double_suite<ctml::q15>();
  from_double_suite<ctml::q<std::int32_t, 0>>();
  from_double_suite<ctml::q<std::int32_t, 16>>();
  from_double_suite<ctml::q31>();
}

TEST_CASE("policy: from_double examples: ties, NaN -> 0, infinities saturate", "[policy][from_double]") {
  using Q = ctml::q<std::int16_t, 8>;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(Q::from_double(0.5 / 256) == 1);
  CHECK(Q::from_double(-0.5 / 256) == -1);
  CHECK(Q::from_double(2.5 / 256) == 3);
  CHECK(Q::from_double(-2.5 / 256) == -3);
  CHECK(Q::from_double(0.49999999999999994) == 128);  // 127.99999999999998 LSB
  CHECK(Q::from_double(nan) == 0);
  CHECK(Q::from_double(-nan) == 0);
  CHECK(Q::from_double(inf) == 32767);
  CHECK(Q::from_double(-inf) == -32768);
  CHECK(Q::from_double(1e308) == 32767);
  CHECK(Q::from_double(-1e308) == -32768);
  CHECK(ctml::q31::from_double(nan) == 0);
  CHECK(ctml::q31::from_double(inf) == std::numeric_limits<std::int32_t>::max());
  CHECK(ctml::q31::from_double(-inf) == std::numeric_limits<std::int32_t>::min());
  CHECK(ctml::q7::from_double(nan) == 0);
  CHECK(ctml::q7::from_double(-inf) == -128);
  CHECK(ctml::q<std::int32_t, 0>::from_double(-2147483648.5) == std::numeric_limits<std::int32_t>::min());
  CHECK(ctml::q<std::int32_t, 0>::from_double(2147483646.5) == 2147483647);
  CHECK(ctml::q<std::int32_t, 0>::from_double(-2147483647.5) == std::numeric_limits<std::int32_t>::min());
  CHECK(ctml::q<std::int32_t, 0>::from_double(0x1p31) == 2147483647);
}

TEST_CASE("policy: to_double is exact and inverts from_double on every int16 value", "[policy]") {
  using Q = ctml::q<std::int16_t, 8>;
  for (int v = -32768; v <= 32767; ++v) {
    const auto s = static_cast<std::int16_t>(v);
    const double want = std::ldexp(static_cast<double>(v), -8);
    if (Q::to_double(s) != want || Q::from_double(Q::to_double(s)) != s) {
      INFO("v = " << v);
      CHECK(Q::to_double(s) == want);
      CHECK(Q::from_double(Q::to_double(s)) == s);
      break;
    }
  }
  CHECK(ctml::q31::to_double(std::numeric_limits<std::int32_t>::min()) == -1.0);
  CHECK(ctml::q31::to_double(1) == 0x1p-31);
}

// ---------------------------------------------------------------------------
// narrow and detail::rounding_shift

namespace {
template <class Q>
void narrow_suite(std::size_t n_random) {
  using T = typename Q::value_type;
  using W = typename Q::wide_type;
  constexpr int max_frac = 2 * std::numeric_limits<T>::digits;  // a product's fraction bits
  std::mt19937 gen(1);
  std::uniform_int_distribution<long long> wide(std::numeric_limits<W>::min(), std::numeric_limits<W>::max());
  std::vector<W> values = {0, 1, -1, 2, -2, 3, -3, std::numeric_limits<W>::max(), std::numeric_limits<W>::min(),
                           static_cast<W>(std::numeric_limits<W>::max() - 1), static_cast<W>(std::numeric_limits<W>::min() + 1)};
  for (std::size_t i = 0; i < n_random; ++i) values.push_back(static_cast<W>(wide(gen) >> (i % (8 * sizeof(W)))));
  std::size_t failures = 0;
  for (W v : values)
    for (int frac = 0; frac <= max_frac; ++frac) {
      const T want = saturate<T>(round_half_up(v, frac - Q::frac_bits));
      const T got = Q::narrow(v, frac);
      if (got != want) {
        INFO("q<int" << 8 * sizeof(T) << ", " << Q::frac_bits << ">::narrow(" << static_cast<long long>(v) << ", "
                     << frac << ")");
        CHECK(static_cast<long long>(got) == static_cast<long long>(want));
        if (++failures >= 5) return;
      }
    }
}

template <class W>
void rounding_shift_suite(std::size_t n_random) {
  constexpr int bits = 8 * static_cast<int>(sizeof(W));
  std::mt19937 gen(1);
  std::uniform_int_distribution<long long> wide(std::numeric_limits<W>::min(), std::numeric_limits<W>::max());
  std::vector<W> values = {0, 1, -1, 3, -3, 5, -5, std::numeric_limits<W>::max(), std::numeric_limits<W>::min(),
                           static_cast<W>(std::numeric_limits<W>::max() - 1), static_cast<W>(std::numeric_limits<W>::min() + 1),
                           static_cast<W>(std::numeric_limits<W>::max() / 2), static_cast<W>(std::numeric_limits<W>::min() / 2)};
  for (std::size_t i = 0; i < n_random; ++i) values.push_back(static_cast<W>(wide(gen) >> (i % bits)));
  std::size_t failures = 0;
  for (W v : values)
    for (int shift = -(bits + 1); shift <= bits + 4; ++shift) {
      const W want = saturate<W>(round_half_up(v, shift));
      const W got = ctml::detail::rounding_shift<W>(v, shift);
      if (got != want) {
        INFO("rounding_shift<int" << bits << ">(" << static_cast<long long>(v) << ", " << shift << ")");
        CHECK(static_cast<long long>(got) == static_cast<long long>(want));
        if (++failures >= 5) return;
      }
    }
}
}  // namespace

TEST_CASE("policy: narrow() rounds right shifts and saturates left shifts", "[policy][narrow]") {
  SECTION("q<int8, 4>") { narrow_suite<ctml::q<std::int8_t, 4>>(2000); }
  SECTION("q<int16, 8>") { narrow_suite<ctml::q<std::int16_t, 8>>(2000); }
  SECTION("q15") { narrow_suite<ctml::q15>(2000); }
  SECTION("q<int32, 16>") { narrow_suite<ctml::q<std::int32_t, 16>>(2000); }
  SECTION("q31") { narrow_suite<ctml::q31>(2000); }
  SECTION("examples") {
    using Q = ctml::q<std::int16_t, 8>;
    CHECK(Q::narrow(3 << 24, 24) == 3 << 8);   // 3.0 with 24 fraction bits
    CHECK(Q::narrow(0x80, 16) == 1);           // 0.5 LSB -> up
    CHECK(Q::narrow(-0x80, 16) == 0);          // -0.5 LSB -> up
    CHECK(Q::narrow(-0x81, 16) == -1);
    CHECK(Q::narrow(5, 8) == 5);               // same format
    CHECK(Q::narrow(5, 4) == 80);              // left shift by 4
    CHECK(Q::narrow(2048, 4) == 32767);        // 128.0 saturates
    CHECK(Q::narrow(-2048, 4) == -32768);      // -128.0 fits
    CHECK(Q::narrow(-2049, 4) == -32768);
    CHECK(Q::narrow(std::numeric_limits<std::int32_t>::max(), 0) == 32767);
  }
}

TEST_CASE("policy: detail::rounding_shift over every shift, both directions, int32 and int64", "[policy][narrow]") {
  SECTION("int32") { rounding_shift_suite<std::int32_t>(3000); }
  SECTION("int64") { rounding_shift_suite<std::int64_t>(3000); }
}

TEST_CASE("policy: int32 products at the limits do not overflow", "[policy][int32]") {
  constexpr std::int32_t lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
  using Q0 = ctml::q<std::int32_t, 0>;
  CHECK(Q0::mul(lo, lo) == hi);
  CHECK(Q0::mul(lo, hi) == lo);
  CHECK(Q0::mul(hi, hi) == hi);
  CHECK(Q0::mul(lo, -1) == hi);  // -INT32_MIN does not fit
  CHECK(Q0::mul(lo, 1) == lo);
  CHECK(ctml::q31::mul(lo, lo) == hi);   // (-1)(-1) = 1 saturates
  CHECK(ctml::q31::mul(lo, hi) == -hi);  // -(1 - 2^-31) exactly
  CHECK(ctml::q31::mul(hi, hi) == hi - 1);  // (1 - 2^-31)^2 = 1 - 2^-30 + 2^-62
  CHECK(ctml::q31::mul(lo, 1) == -1);    // -2^-31 exactly
  CHECK(ctml::q31::mul(1, 1) == 0);      // 2^-62 rounds to 0
  CHECK(ctml::q31::mac(std::numeric_limits<std::int64_t>::max(), lo, lo) == std::numeric_limits<std::int64_t>::max());
  CHECK(ctml::q31::mac(std::numeric_limits<std::int64_t>::min(), lo, hi) == std::numeric_limits<std::int64_t>::min());
  CHECK(ctml::q31::mac(0, lo, lo) == std::int64_t{1} << 62);
  CHECK(ctml::q31::add(hi, hi) == hi);
  CHECK(ctml::q31::sub(lo, hi) == lo);
}

TEST_CASE("policy: narrow() and rounding_shift are defined for every int shift (INT_MIN, INT_MAX)", "[policy][narrow]") {
  using Q = ctml::q<std::int16_t, 8>;
  constexpr int lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  CHECK(Q::narrow(5, hi) == 0);        // 5 * 2^-huge rounds to 0
  CHECK(Q::narrow(5, lo) == 32767);    // 5 * 2^huge saturates
  CHECK(Q::narrow(-5, lo) == -32768);
  CHECK(Q::narrow(0, lo) == 0);
  CHECK(ctml::detail::rounding_shift<std::int32_t>(7, lo + 1) == std::numeric_limits<std::int32_t>::max());
  CHECK(ctml::detail::rounding_shift<std::int64_t>(-7, lo) == std::numeric_limits<std::int64_t>::min());
  CHECK(ctml::detail::rounding_shift<std::int64_t>(-7, hi) == 0);
  STATIC_REQUIRE(Q::narrow<16>(0x80) == 1);  // compile-time fraction count
  STATIC_REQUIRE(ctml::detail::pow2(lo) == 0.0);
}
