// The node test of every policy decides as sklearn does: float32(x) <= t with
// a float64 threshold t. Checked exhaustively for int16 inputs and on every
// float near each threshold.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <ctml/trees/split.hpp>

namespace {

using f32_rule = ctml::trees::split_rule<ctml::f32>;

std::vector<double> thresholds() {
  std::vector<double> t = {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1e-45, -1e-45, 1e-40, -1e-40, 0.1, -0.1,
                           3.4028234663852886e38, -3.4028234663852886e38, 1e300, -1e300, 16.5, 2.5e-8};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> wide(-1e6, 1e6), unit(-2, 2);
  std::uniform_int_distribution<int> exponent(-140, 120);
  for (int i = 0; i < 2000; ++i) {
    t.push_back(wide(rng));
    t.push_back(std::ldexp(unit(rng), exponent(rng)));
    // exactly a float32, and the midpoint between two float32 (sklearn's thresholds)
    const auto f = static_cast<float>(unit(rng) * 100);
    t.push_back(f);
    t.push_back((static_cast<double>(f) + static_cast<double>(std::nextafter(f, 1e30f))) / 2);
  }
  return t;
}

}  // namespace

TEST_CASE("f32 rule: float x <= b iff double(x) <= t, for the floats around every threshold") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::uint32_t> any_bits;
  std::size_t checks = 0;
  for (const double t : thresholds()) {
    const float b = f32_rule::bound(t);
    const auto key = f32_rule::key(t);
    std::vector<float> xs = {b, 0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                             -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::max(),
                             std::numeric_limits<float>::lowest()};
    float up = b, down = b;
    for (int i = 0; i < 4; ++i) {
      up = std::nextafter(up, std::numeric_limits<float>::infinity());
      down = std::nextafter(down, -std::numeric_limits<float>::infinity());
      xs.push_back(up);
      xs.push_back(down);
    }
    for (int i = 0; i < 16; ++i) {
      const auto x = std::bit_cast<float>(any_bits(rng));
      if (!std::isnan(x)) xs.push_back(x);
    }
    for (const float x : xs) {
      const bool sklearn = static_cast<double>(x) <= t;
      INFO("t = " << t << ", x = " << x);
      REQUIRE(f32_rule::goes_left(x, key) == sklearn);
      ++checks;
    }
  }
  CHECK(checks > 100000);
}

TEST_CASE("f32 rule: compile-time keys give the same decisions as run-time keys") {
  constexpr double t1 = -0.25, t2 = 7.5, t3 = 0.0;
  for (float x = -10.0f; x <= 10.0f; x += 0.125f) {
    CHECK(f32_rule::goes_left<f32_rule::key(t1)>(x) == (x <= t1));
    CHECK(f32_rule::goes_left<f32_rule::key(t2)>(x) == (x <= t2));
    CHECK(f32_rule::goes_left<f32_rule::key(t3)>(x) == (x <= t3));
  }
  CHECK(f32_rule::goes_left<f32_rule::key(t3)>(-0.0f));
}

template <class Policy>
static void check_every_int16(double scale) {
  using rule = ctml::trees::split_rule<Policy>;
  for (const double t : thresholds()) {
    const auto key = rule::key(t);
    for (std::int32_t v = std::numeric_limits<std::int16_t>::min(); v <= std::numeric_limits<std::int16_t>::max(); ++v) {
      const auto x = static_cast<std::int16_t>(v);
      // sklearn sees the value as float32: exact for int16 raw * 2^-F
      const bool sklearn = static_cast<double>(static_cast<float>(v * scale)) <= t;
      if (rule::goes_left(x, key) != sklearn) {
        FAIL("t = " << t << ", raw = " << v);
      }
    }
  }
}

TEST_CASE("q<int16_t, 0> rule: every int16 input decides as float32 does, for every threshold") {
  check_every_int16<ctml::q<std::int16_t, 0>>(1.0);
}

TEST_CASE("q<int16_t, 4> rule: every raw input decides as its real value does") {
  check_every_int16<ctml::q<std::int16_t, 4>>(1.0 / 16);
}
