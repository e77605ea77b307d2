// A tiny test API that runs on microcontrollers and maps onto Catch2 v2.
//
//   CTML_TEST(adds_numbers) {
//     CTML_CHECK(1 + 1 == 2);       // records a failure, goes on
//     CTML_CHECK_EQ(2 * 2, 4);
//     CTML_REQUIRE(ptr != nullptr);  // records a failure, leaves the test
//   }
//
// With -DCTML_TEST_CATCH2 the macros become TEST_CASE/CHECK/REQUIRE (host).
// Otherwise each test is a static object linked into an intrusive list (no
// heap, no array to size); tests/target/runner.cpp runs the list and prints
// `PASS <name>` or `FAIL <name> <file>:<line> <expression>` lines.
#pragma once

#if defined(CTML_TEST_CATCH2)

#include <catch2/catch.hpp>

#define CTML_TEST(name) TEST_CASE(#name)
#define CTML_CHECK(...) CHECK(__VA_ARGS__)
#define CTML_CHECK_EQ(a, b) CHECK((a) == (b))
#define CTML_REQUIRE(...) REQUIRE(__VA_ARGS__)

#else

#include <ctml/detail/flash.hpp>

// Test names, expressions and file names are constant strings; on AVR they
// would fill the 2 KB of RAM, so they go to flash there (printed by the runner
// through ctml::flash_load).
#if defined(__AVR__)
#define CTML_TEST_TEXT(s) \
  ([]() noexcept -> const char* { CTML_FLASH static constexpr char text[] = s; return text; }())
#else
#define CTML_TEST_TEXT(s) s
#endif

namespace ctml::test {

struct test_case {
  const char* name;  // CTML_TEST_TEXT
  void (*run)();
  test_case* next = nullptr;
};

// Constant-initialised, so registration order across files does not matter.
inline test_case* first = nullptr;
inline test_case* last = nullptr;

struct registrar {
  explicit registrar(test_case& t) noexcept {
    (last != nullptr ? last->next : first) = &t;
    last = &t;
  }
};

/// Records a failed check of the running test (CTML_TEST_TEXT strings);
/// defined by the runner.
void fail(const char* expression, const char* file, int line) noexcept;

}  // namespace ctml::test

#define CTML_TEST(name)                                                               \
  static void ctml_test_##name();                                                     \
  static ::ctml::test::test_case ctml_test_case_##name{CTML_TEST_TEXT(#name), &ctml_test_##name}; \
  static const ::ctml::test::registrar ctml_test_registrar_##name{ctml_test_case_##name}; \
  static void ctml_test_##name()

#define CTML_CHECK(...)                                             \
  do {                                                              \
    if (!static_cast<bool>(__VA_ARGS__))                            \
      ::ctml::test::fail(CTML_TEST_TEXT(#__VA_ARGS__), CTML_TEST_TEXT(__FILE__), __LINE__); \
  } while (false)

#define CTML_CHECK_EQ(a, b)                                         \
  do {                                                              \
    if (!((a) == (b)))                                              \
      ::ctml::test::fail(CTML_TEST_TEXT(#a " == " #b), CTML_TEST_TEXT(__FILE__), __LINE__); \
  } while (false)

#define CTML_REQUIRE(...)                                           \
  do {                                                              \
    if (!static_cast<bool>(__VA_ARGS__)) {                          \
      ::ctml::test::fail(CTML_TEST_TEXT(#__VA_ARGS__), CTML_TEST_TEXT(__FILE__), __LINE__); \
      return;                                                       \
    }                                                               \
  } while (false)

#endif
