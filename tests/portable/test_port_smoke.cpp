// Smoke tests that every port passes: start-up, arithmetic the library relies
// on (including the helpers soft-float and 8/16-bit cores call), and constant
// tables in program memory read back through ctml::flash_load.
#include <ctml/detail/flash.hpp>
#include <ctml_port.hpp>

#include <bit>
#include <cstdint>
#include <limits>

#include "ctml_test.hpp"

namespace {

// Opaque to the optimiser, so the arithmetic below happens at run time.
template <class T>
T opaque(T v) {
  __asm__ volatile("" : : "r"(&v) : "memory");
  return v;
}

std::int32_t initialised = 0x12345678;  // .data, copied from flash at start-up
std::int32_t zeroed;                     // .bss

struct split {
  std::int16_t feature;
  float threshold;
};

struct table_params {
  CTML_FLASH static constexpr std::int16_t left[] = {1, -1, 3, -1, -32768, 32767};
  CTML_FLASH static constexpr split nodes[] = {{0, 0.5f}, {3, -1.25f}, {-1, 1e30f}};
};
CTML_FLASH inline constexpr std::uint8_t bytes[] = {0x00, 0x7F, 0x80, 0xFF, 0xA5};
CTML_FLASH inline constexpr double doubles[] = {0.1, -2.5e10};

}  // namespace

CTML_TEST(startup_initialises_memory) {
  CTML_CHECK_EQ(opaque(initialised), 0x12345678);
  CTML_CHECK_EQ(opaque(zeroed), 0);
}

CTML_TEST(integer_arithmetic) {
  const std::int16_t a = opaque<std::int16_t>(-300), b = opaque<std::int16_t>(250);
  CTML_CHECK_EQ(std::int32_t{a} * b, -75000);
  CTML_CHECK_EQ(opaque<std::int32_t>(-75000) / 7, -10714);
  CTML_CHECK_EQ(opaque<std::int32_t>(-75000) % 7, -2);
  CTML_CHECK_EQ(opaque<std::int64_t>(3037000499) * 3037000499, std::int64_t{9223372030926249001});
  CTML_CHECK_EQ(opaque<std::uint64_t>(~std::uint64_t{0}) / 1000000007u, std::uint64_t{18446743944});
  CTML_CHECK_EQ(opaque<std::int32_t>(-8) >> 1, -4);
  CTML_CHECK_EQ(static_cast<std::uint16_t>(opaque<std::uint16_t>(65535) + 1u), 0u);
}

CTML_TEST(float_arithmetic) {
  const float x = opaque(0.1f), y = opaque(0.2f);
  CTML_CHECK_EQ(x + y, 0.3f);  // binary32 rounding, as sklearn's float32 inputs
  CTML_CHECK_EQ(x * y, 0.020000001f);
  CTML_CHECK_EQ(static_cast<std::int32_t>(opaque(-2.75f)), -2);
  CTML_CHECK(opaque(1.0f) / opaque(0.0f) == std::numeric_limits<float>::infinity());
  CTML_CHECK(opaque(0.5f) <= opaque(0.5f));
}

CTML_TEST(flash_tables_read_back) {
  constexpr std::int16_t expected[] = {1, -1, 3, -1, -32768, 32767};
  for (std::size_t i = 0; i < 6; ++i) {
    CTML_CHECK_EQ(ctml::flash_load(&table_params::left[opaque(i)]), expected[i]);
  }
  const split s = ctml::flash_load(&table_params::nodes[opaque<std::size_t>(1)]);
  CTML_CHECK_EQ(s.feature, 3);
  CTML_CHECK_EQ(s.threshold, -1.25f);
  CTML_CHECK_EQ(ctml::flash_load(&table_params::nodes[2]).threshold, 1e30f);
  CTML_CHECK_EQ(ctml::flash_load(&bytes[opaque<std::size_t>(3)]), 0xFF);
  CTML_CHECK_EQ(ctml::flash_load(&bytes[4]), 0xA5);
  // Compared as bits: AVR has no run-time binary64 arithmetic.
  CTML_CHECK_EQ(std::bit_cast<std::uint64_t>(ctml::flash_load(&doubles[opaque<std::size_t>(1)])),
                std::bit_cast<std::uint64_t>(-2.5e10));
}

CTML_TEST(port_header) {
  CTML_CHECK(ctml::this_port::name[0] != '\0');
  CTML_CHECK(ctml::this_port::budget::ram <= ctml::this_port::budget::flash);
  CTML_CHECK(sizeof(ctml::this_port::number_policy::value_type) <= 4);
}
