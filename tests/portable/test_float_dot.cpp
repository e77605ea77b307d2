// The float dot product of the network stages (arch::dot_f32) equals the
// plain loop `acc += w[j] * x[j]` bit for bit. On AVR that compares the
// assembly fast path (arch/avr_float.hpp) with avr-libc's __mulsf3/__addsf3 and
// also checks that the fast path, not its fallback, produced the result; on
// the other targets dot_f32 is that loop, and the test checks the test.
#include <bit>
#include <cstddef>
#include <cstdint>

#include <ctml/detail/flash.hpp>
#include <ctml/arch.hpp>

#include "ctml_test.hpp"

namespace {

constexpr std::size_t terms = 40;

struct rng {
  std::uint32_t s;
  constexpr std::uint32_t next() noexcept {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  constexpr std::uint32_t below(std::uint32_t n) noexcept { return next() % n; }
};

/// A float from its parts: sign, biased exponent, 23-bit fraction.
constexpr float make(std::uint32_t sign, std::uint32_t exponent, std::uint32_t fraction) noexcept {
  return std::bit_cast<float>((sign << 31) | (exponent << 23) | (fraction & 0x7fffffu));
}

// The kinds of rows: each stresses another part of the arithmetic.
enum class kind : std::uint8_t {
  near,    // exponents within 2^+-7, random fractions: the common case
  wide,    // exponents 2^+-60: long alignment shifts, sticky bits
  ties,    // 1 + a/2^12 times 1 + b/2^12: odd a b gives a product on a tie
  cancel,  // large terms of both signs that cancel, small ones left over
  zeros,   // a third of the terms +-0
};

constexpr float draw(kind k, rng& r) noexcept {
  const std::uint32_t sign = r.below(2);
  switch (k) {
    case kind::near: return make(sign, 120 + r.below(15), r.next());
    case kind::wide: return make(sign, 67 + r.below(121), r.next());
    case kind::ties: return make(sign, 126 + r.below(3), r.below(1u << 12) << 11);
    case kind::cancel: return make(sign, r.below(4) == 0 ? 100 + r.below(10) : 150, r.below(8) << 20);
    case kind::zeros: return r.below(3) == 0 ? make(sign, 0, 0) : make(sign, 124 + r.below(6), r.next());
  }
  return 0.0f;
}

constexpr kind kinds[] = {kind::near, kind::wide, kind::ties, kind::cancel, kind::zeros};
constexpr std::size_t n_kinds = sizeof(kinds) / sizeof(kinds[0]);

// The weights live in flash, as a network's do: one row per kind.
struct weight_table {
  float w[n_kinds][terms];
};
constexpr weight_table make_weights() noexcept {
  weight_table t{};
  rng r{0x2545f491u};
  for (std::size_t k = 0; k < n_kinds; ++k)
    for (std::size_t j = 0; j < terms; ++j) t.w[k][j] = draw(kinds[k], r);
  return t;
}
CTML_FLASH constexpr weight_table weights = make_weights();

std::uint32_t plain_loop(const float* w, const float* x, std::size_t n) {
  float acc = 0.0f;
  for (std::size_t j = 0; j < n; ++j) acc += ctml::flash_load(w + j) * x[j];
  return std::bit_cast<std::uint32_t>(acc);
}

bool is_nan(std::uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu) != 0; }

}  // namespace

CTML_TEST(float_dot_equals_the_plain_loop_bit_for_bit) {
  rng r{12345u};
  float x[terms];
  std::uint32_t mismatches = 0, fallbacks = 0;
  for (std::size_t k = 0; k < n_kinds; ++k) {
    const float* w = weights.w[k];
    for (int row = 0; row < 120; ++row) {
      for (float& v : x) v = draw(kinds[k], r);
      const auto fast = std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<terms>(w, x));
      mismatches += fast != plain_loop(w, x, terms);
#if defined(__AVR__)
      fallbacks += ctml::arch::ctml_avr_dot_f32(w, x, terms) == 0xffffffffu;
#endif
    }
  }
  CTML_CHECK_EQ(mismatches, 0u);
  CTML_CHECK_EQ(fallbacks, 0u);  // normal-range rows never leave the fast path
}

// Sums whose rounding depends on bits beyond the guard byte (sticky), on the
// bit a carry shifts out, and on exact cancellation; the products are the x
// themselves (w = 1).
CTML_FLASH constexpr float ones[3] = {1.0f, 1.0f, 1.0f};

CTML_TEST(float_dot_rounds_sums_at_their_edges) {
  const float cases[][3] = {
      {1.0f, std::bit_cast<float>(0x33800080u), 0.0f},         // 1 + 2^-24 (1 + 2^-16): rounds up
      {1.0f, std::bit_cast<float>(0xb3000100u), 0.0f},         // 1 - 2^-25 (1 + 2^-15): rounds down
      {std::bit_cast<float>(0x3ffffffdu), std::bit_cast<float>(0x3b800001u), 0.0f},  // carry, odd lost bit
      {3.0f, -3.0f, 0.0f},                                     // +0
      {-3.0f, 3.0f, -0.0f},                                    // +0
      {3.0f, -3.0f, 0.0009765625f},                            // 2^-10
      {-0.0f, -0.0f, -0.0f},                                   // +0
  };
  for (const auto& x : cases) {
    const auto fast = std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, x));
    CTML_CHECK_EQ(fast, plain_loop(ones, x, 3));
  }
  // Independently of the plain loop (IEEE float sums, worked out by hand):
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, cases[0])), 0x3f800001u);
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, cases[1])), 0x3f7fffffu);
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, cases[2])), 0x40003fffu);
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, cases[3])), 0u);
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<3>(ones, cases[6])), 0u);
}

CTML_TEST(float_dot_handles_the_cases_it_hands_to_the_plain_loop) {
  const float* w = weights.w[0];  // exponents 2^-7 .. 2^7
  const float inf = std::bit_cast<float>(0x7f800000u);
  const float specials[] = {
      inf, -inf, std::bit_cast<float>(0x7fc00000u),  // inf and NaN
      make(0, 0, 0x1234u), make(1, 0, 0x400000u),     // subnormals
      make(0, 254, 0x7fffffu), make(1, 250, 0),       // products that overflow
      make(0, 1, 0), make(1, 3, 0x7fffffu),           // products below the normal range
  };
  const std::size_t positions[] = {0, terms / 2, terms - 1};
  rng r{777u};
  float x[terms];
  std::uint32_t mismatches = 0;
  for (float s : specials) {
    for (const std::size_t at : positions) {
      for (float& v : x) v = draw(kind::near, r);
      x[at] = s;
      const auto fast = std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<terms>(w, x));
      const auto plain = plain_loop(w, x, terms);
      mismatches += !(fast == plain || (is_nan(fast) && is_nan(plain)));
    }
  }
  CTML_CHECK_EQ(mismatches, 0u);
  // An empty sum and a sum of zeros are +0.
  for (float& v : x) v = 0.0f;
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<terms>(w, x)), 0u);
  CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(ctml::arch::dot_f32<0>(w, x)), 0u);
}
