// Runs every CTML_TEST linked into the firmware and prints one line per test
// through the port's console; the exit status is the number of failed tests.
#include <ctml/detail/flash.hpp>
#include <ctml_measure.hpp>

#include <cstddef>

#include "ctml_test.hpp"

namespace {
unsigned failures_in_test = 0;

// Prints a CTML_TEST_TEXT string (in flash on AVR).
void print_text(const char* text) noexcept {
  char chunk[17];
  std::size_t n = 0;
  for (char c; (c = ctml::flash_load(text)) != '\0'; ++text) {
    chunk[n++] = c;
    if (n == sizeof chunk - 1) {
      chunk[n] = '\0';
      ctml_print(chunk);
      n = 0;
    }
  }
  chunk[n] = '\0';
  ctml_print(chunk);
}

const ctml::test::test_case* running = nullptr;
}  // namespace

void ctml::test::fail(const char* expression, const char* file, int line) noexcept {
  ++failures_in_test;
  ctml_print("FAIL ");
  print_text(running->name);
  ctml_print(" ");
  print_text(file);
  ctml_print(":");
  ctml_print_u32(static_cast<std::uint32_t>(line));
  ctml_print(" ");
  print_text(expression);
  ctml_print("\n");
}

int main() {
  unsigned total = 0;
  unsigned failed = 0;
  for (const auto* t = ctml::test::first; t != nullptr; t = t->next) {
    running = t;
    failures_in_test = 0;
    t->run();
    ++total;
    if (failures_in_test == 0) {
      ctml_print("PASS ");
      print_text(t->name);
      ctml_print("\n");
    } else {
      ++failed;
    }
  }
  if (total == 0) {
    ctml_print("FAIL no tests registered (static constructors did not run?)\n");
    return 1;
  }
  ctml_report(failed == 0 ? "ALL PASSED, tests:" : "SOME FAILED, failed tests:", failed == 0 ? total : failed);
  return failed == 0 ? 0 : 1;
}
