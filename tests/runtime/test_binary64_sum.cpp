// ctml::detail::ieee<>::add against the host's double and float units
// (the reference): random operands with close and distant exponents,
// cancellations, subnormals, ties.
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include <catch2/catch.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/linear/exact.hpp>

namespace {
template <class F, class Bits>
Bits random_operand(std::mt19937_64& g, Bits base) {
  using I = ctml::detail::ieee<Bits>;
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
  using I = ctml::detail::ieee<Bits>;
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

namespace {
/// The unit's result (any NaN for a NaN).
template <class F, class Bits>
bool as_unit(F want, Bits got) {
  return std::isnan(want) ? ctml::detail::ieee<Bits>::is_nan(got) : std::bit_cast<Bits>(want) == got;
}
// Operands for products: exponents anywhere, or pairs whose product lands near
// the subnormal range or near overflow; significands full, short (products
// of few bits: exact results and exact ties) or subnormal; specials.
template <class Bits>
Bits mul_operand(std::mt19937_64& g, int target_sum) {
  using I = ctml::detail::ieee<Bits>;
  const Bits r = static_cast<Bits>(g());
  Bits frac = r & I::frac_mask;
  switch (g() % 4) {
    case 0: frac &= ~((Bits{1} << (I::frac_bits / 2)) - 1); break;   // short
    case 1: frac &= ~((Bits{1} << (I::frac_bits - 3)) - 1); break;   // very short
    default: break;
  }
  const Bits s = (g() & 1) ? I::sign : Bits{0};
  const auto pick = g() % 16;
  if (pick == 0) return s | (r & I::frac_mask);  // subnormal
  if (pick == 1) {
    switch (g() % 4) {
      case 0: return s;                                     // zero
      case 1: return s | I::inf;                            // infinity
      case 2: return s | I::inf | (frac | 1);              // NaN
      default: return s | (Bits{1} << I::frac_bits) | frac; // smallest normals
    }
  }
  int e = pick < 8 ? static_cast<int>(g() % (I::exp_max - 1)) + 1 : target_sum + static_cast<int>(g() % 9) - 4;
  if (e < 1) e = 1;
  if (e > I::exp_max - 1) e = I::exp_max - 1;
  return s | (static_cast<Bits>(e) << I::frac_bits) | frac;
}
template <class F, class Bits>
void check_products(std::uint64_t seed) {
  using I = ctml::detail::ieee<Bits>;
  constexpr int bias = I::exp_max / 2;
  std::mt19937_64 g(seed);
  std::size_t differ = 0, subnormal = 0, overflow = 0, ties = 0, non_finite = 0;
  for (int i = 0; i < 1000000; ++i) {
    const Bits a = mul_operand<Bits>(g, bias);
    const int ea = static_cast<int>((a & ~I::sign) >> I::frac_bits);
    // b's exponent: anywhere, or so that the product's is near 0 or near the top
    const int aim = (g() & 1) ? bias - ea + 1 : bias + I::exp_max - 1 - ea;
    const Bits b = mul_operand<Bits>(g, aim);
    const F fa = std::bit_cast<F>(a), fb = std::bit_cast<F>(b);
    const F want = fa * fb;
    const Bits got = I::mul(a, b);
    non_finite += !std::isfinite(fa) || !std::isfinite(fb);
    differ += !as_unit(want, got);
    if (std::isfinite(fa) && std::isfinite(fb) && std::isfinite(want)) {
      subnormal += want != 0 && std::fpclassify(want) == FP_SUBNORMAL;
      // an exact tie: the product needs exactly one bit more than the result has
      const long double exact = static_cast<long double>(fa) * static_cast<long double>(fb);
      if (sizeof(F) == 4 && std::fpclassify(want) == FP_NORMAL) {
        const F lo = std::nextafter(want, F{0});
        ties += exact == (static_cast<long double>(lo) + static_cast<long double>(want)) / 2;
      }
    }
    overflow += std::isinf(want) && std::isfinite(fa) && std::isfinite(fb);
    CHECK(I::greater(a, b) == (fa > fb));
    differ += !as_unit(fa + fb, I::add(a, b));
  }
  CHECK(differ == 0);
  CHECK(subnormal > 10000);
  CHECK(overflow > 10000);
  CHECK(non_finite > 1000);
  if (sizeof(F) == 4) CHECK(ties > 1000);
}
}  // namespace

TEST_CASE("binary64 products in integers equal the double unit") { check_products<double, std::uint64_t>(4); }
TEST_CASE("binary32 products in integers equal the float unit") { check_products<float, std::uint32_t>(5); }

TEST_CASE("binary64 products: exact ties round to even") {
  using I = ctml::detail::ieee<std::uint64_t>;
  std::mt19937_64 g(6);
  std::size_t ties = 0;
  for (int i = 0; i < 1000000; ++i) {
    // (1 + u 2^-26)(1 + v 2^-27) with odd u, v: the product has 54 or 55
    // significant bits, often an exact tie at 53.
    const double a = std::ldexp(static_cast<double>((g() & ((1u << 26) - 1)) | (1u << 26) | 1u), static_cast<int>(g() % 200) - 100);
    const double b = std::ldexp(static_cast<double>((g() & ((1u << 27) - 1)) | (1u << 27) | 1u), static_cast<int>(g() % 200) - 100);
    const double c = (g() & 1) ? -a : a;
    const double want = c * b;
    const double err = std::fma(c, b, -want);  // exact remainder
    ties += std::abs(err) == std::ldexp(std::abs(std::nextafter(want, 0.0) - want), -1) ||
            std::abs(err) == std::ldexp(std::abs(std::nextafter(want, 2 * want) - want), -1);
    REQUIRE(I::mul(std::bit_cast<std::uint64_t>(c), std::bit_cast<std::uint64_t>(b)) == std::bit_cast<std::uint64_t>(want));
  }
  CHECK(ties > 10000);
}

TEST_CASE("binary32 to binary64 bits equal the conversion") {
  std::mt19937_64 g(11);
  for (int i = 0; i < 2000000; ++i) {
    // every exponent class often: zero and subnormal, normal, inf and NaN
    auto a = static_cast<std::uint32_t>(g());
    if (i % 4 == 1) a &= 0x807fffffu;
    if (i % 4 == 2) a |= 0x7f800000u;
    const float f = std::bit_cast<float>(a);
    const std::uint64_t got = ctml::detail::binary64_of_binary32(a);
    if (std::isnan(f)) REQUIRE(std::isnan(std::bit_cast<double>(got)));
    else REQUIRE(got == std::bit_cast<std::uint64_t>(static_cast<double>(f)));
  }
  for (std::uint32_t a : {0u, 0x80000000u, 1u, 0x80000001u, 0x807fffffu, 0x7f800000u, 0xff800000u, 0x00800000u})
    REQUIRE(ctml::detail::binary64_of_binary32(a) == std::bit_cast<std::uint64_t>(static_cast<double>(std::bit_cast<float>(a))));
}

namespace {
template <class F, class Bits>
void check_quotients(std::uint64_t seed) {
  using I = ctml::detail::ieee<Bits>;
  constexpr int bias = I::exp_max / 2;
  std::mt19937_64 g(seed);
  std::size_t differ = 0, subnormal = 0, overflow = 0, exact = 0;
  for (int i = 0; i < 1000000; ++i) {
    const Bits a = mul_operand<Bits>(g, bias);
    const int ea = static_cast<int>((a & ~I::sign) >> I::frac_bits);
    // b's exponent so that the quotient's is near 0 or near the top
    const int aim = (g() & 1) ? ea + bias - 1 : ea - (I::exp_max - 1 - bias);
    Bits b = mul_operand<Bits>(g, aim);
    if (g() % 8 == 0) b = (a & ~I::frac_mask) | (b & I::frac_mask & ~((Bits{1} << (I::frac_bits - 4)) - 1));  // quotients of few bits
    const F fa = std::bit_cast<F>(a), fb = std::bit_cast<F>(b);
    const F want = fa / fb;
    differ += !as_unit(want, I::div(a, b));
    if (std::isfinite(fa) && std::isfinite(fb) && fb != 0) {
      subnormal += want != 0 && std::fpclassify(want) == FP_SUBNORMAL;
      overflow += std::isinf(want);
      exact += std::fpclassify(want) == FP_NORMAL && want * fb == fa;
    }
  }
  CHECK(differ == 0);
  CHECK(subnormal > 10000);
  CHECK(overflow > 10000);
  CHECK(exact > 1000);
}
}  // namespace

TEST_CASE("binary64 quotients in integers equal the double unit") { check_quotients<double, std::uint64_t>(8); }
TEST_CASE("binary32 quotients in integers equal the float unit") { check_quotients<float, std::uint32_t>(9); }
