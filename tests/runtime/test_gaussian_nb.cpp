// detail::square_bits (GaussianNB's x^2 without soft float) against the
// host's float multiply: equal, except on exact ties, where it rounds up
// (within 2^-24 relative either way, the bound the integer path assumes).
#include <bit>
#include <cstdint>
#include <random>

#include <catch2/catch.hpp>
#include <ctml/bayes/gaussian_nb.hpp>

namespace {
void check_square(std::uint32_t a) {
  const float x = std::bit_cast<float>(a);
  const std::uint32_t got = ctml::detail::square_bits(a);
  const std::uint32_t want = std::bit_cast<std::uint32_t>(x * x);
  if (got == want) return;
  // a tie: the exact square (exact in double) halfway between want and got, got above
  const double exact = static_cast<double>(x) * static_cast<double>(x);
  const double lo = std::bit_cast<float>(want), hi = std::bit_cast<float>(got);
  INFO("bits " << a);
  CHECK(got == want + 1);
  CHECK(exact - lo == hi - exact);
}
}  // namespace

TEST_CASE("square_bits rounds x^2 as a float multiply, ties up") {
  std::mt19937 rng(7);
  const auto g = [&] { return static_cast<std::uint32_t>(rng()); };
  for (std::uint32_t e = 64; e <= 190; ++e) {
    check_square(e << 23);                // a power of two
    check_square((e << 23) | 0x7fffffu);  // the largest significand
    check_square((e << 23) | 0x3504f3u);  // near sqrt(2): where the square crosses 2
    for (int i = 0; i < 20000; ++i) check_square((e << 23) | (g() & 0x7fffffu));
    for (int i = 0; i < 200; ++i) check_square((e << 23) | ((g() & 0xfffu) << 11));  // m a multiple of 2^11: ties
  }
}
