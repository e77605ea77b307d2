// ctml's integer binary64 rounds exactly as the host's double unit does.
#include <cmath>
#include <cstdint>
#include <random>

#include <catch2/catch.hpp>

#include <ctml/detail/binary64.hpp>

using ctml::detail::binary64;

static double to_double(binary64 v) { return std::ldexp(static_cast<double>(v.m), v.e); }

TEST_CASE("binary64: integer ratios are correctly rounded") {
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::uint32_t> count(1, 65535);
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t c = count(rng), n = count(rng);
    const double want = static_cast<double>(c) / static_cast<double>(n);
    REQUIRE(to_double(binary64::ratio(c, n, 0)) == want);
  }
  CHECK(to_double(binary64::ratio(1, 3, 0)) == 1.0 / 3.0);
  CHECK(to_double(binary64::ratio(2, 3, 0)) == 2.0 / 3.0);
  CHECK(binary64::ratio(0, 7, 0).m == 0);
}

TEST_CASE("binary64: sums in order and the final division match double, including ties") {
  std::mt19937 rng(9);
  std::uniform_int_distribution<std::uint32_t> total(1, 200), trees(1, 120);
  for (int trial = 0; trial < 20000; ++trial) {
    const std::uint32_t n = trees(rng);
    binary64 s{};
    double d = 0.0;
    for (std::uint32_t t = 0; t < n; ++t) {
      const std::uint32_t den = total(rng);
      const std::uint32_t num = std::uniform_int_distribution<std::uint32_t>(0, den)(rng);
      s = s + binary64::ratio(num, den, 0);
      d += static_cast<double>(num) / den;
      REQUIRE(to_double(s) == d);
    }
    REQUIRE(to_double(s.divided_by(n)) == d / n);
  }
  // 1/3 + 1/3 == 2/3 in double, so these two classes tie: the first wins.
  const binary64 a = binary64::ratio(1, 3, 0) + binary64::ratio(1, 3, 0);
  const binary64 b = binary64::ratio(2, 3, 0);
  CHECK(a == b);
  CHECK_FALSE(a > b);
  CHECK(binary64::ratio(3, 4, 0) > binary64::ratio(2, 3, 0));
  CHECK(binary64::ratio(1, 1000, 0) > binary64{});
}
