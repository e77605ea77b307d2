// ctml::boosting::ieee<>::add against the host's double and float units
// (the reference): random operands with close and distant exponents,
// cancellations, subnormals, ties; and fixed_trunc against exact scaling.
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include <catch2/catch.hpp>
#include <ctml/boosting/binary64_sum.hpp>

namespace {
template <class F, class Bits>
Bits random_operand(std::mt19937_64& g, Bits base) {
  using I = ctml::boosting::ieee<Bits>;
  const Bits r = static_cast<Bits>(g());
  switch (g() % 6) {
    case 0: return (r & ~(static_cast<Bits>(I::exp_max) << I::frac_bits)) | (base & (static_cast<Bits>(I::exp_max) << I::frac_bits));  // same exponent
    case 1: return base ^ (r & 0xff) ^ ((r >> 20) & 1 ? I::sign : Bits{0});  // near +-base: cancellations
    case 2: return r & (I::frac_mask | I::sign);  // subnormal
    case 3: return (base + ((r & 0x3f) << I::frac_bits)) ^ (r & I::sign);  // a few binades away
    default: {
      const Bits v = r & ~(Bits{1} << (8 * sizeof(Bits) - 2));  // exponent below the top half: finite
      return v;
    }
  }
}
template <class F, class Bits>
void check_adds(std::uint64_t seed) {
  using I = ctml::boosting::ieee<Bits>;
  std::mt19937_64 g(seed);
  std::size_t differ = 0, checked = 0;
  for (int i = 0; i < 2000000; ++i) {
    const Bits a = random_operand<F, Bits>(g, static_cast<Bits>(g()) & ~(Bits{1} << (8 * sizeof(Bits) - 2)));
    const Bits b = random_operand<F, Bits>(g, a);
    const F fa = std::bit_cast<F>(a), fb = std::bit_cast<F>(b);
    if (!std::isfinite(fa) || !std::isfinite(fb)) continue;
    const F want = fa + fb;
    ++checked;
    differ += std::bit_cast<Bits>(want) != I::add(a, b);
    CHECK(I::greater(a, b) == (fa > fb));
  }
  CHECK(checked > 1000000);
  CHECK(differ == 0);
}
}  // namespace

TEST_CASE("binary64 addition in integers equals the double unit") { check_adds<double, std::uint64_t>(1); }
TEST_CASE("binary32 addition in integers equals the float unit") { check_adds<float, std::uint32_t>(2); }

TEST_CASE("fixed_trunc scales and truncates towards zero") {
  using I = ctml::boosting::ieee<std::uint64_t>;
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> u(-60.0, 60.0);
  for (int i = 0; i < 100000; ++i) {
    const double v = i % 7 == 0 ? std::ldexp(u(g), -30) : u(g);
    const double want = std::trunc(std::ldexp(v, 24));  // exact: a power of two, then trunc
    REQUIRE(I::fixed_trunc<24>(std::bit_cast<std::uint64_t>(v)) == static_cast<std::int32_t>(want));
  }
  using J = ctml::boosting::ieee<std::uint32_t>;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<float>(i % 5 == 0 ? std::ldexp(u(g), -20) : u(g));
    const double want = std::trunc(std::ldexp(static_cast<double>(v), 24));
    REQUIRE(J::fixed_trunc<24>(std::bit_cast<std::uint32_t>(v)) == static_cast<std::int32_t>(want));
  }
}
