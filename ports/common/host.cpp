// The host "port": stdio, exit status, and wall-clock nanoseconds (not
// deterministic; use valgrind --tool=callgrind for instruction counts).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "ctml_measure.hpp"

namespace {
std::chrono::steady_clock::time_point start;
}

extern "C" void ctml_print(const char* text) noexcept { std::fputs(text, stdout); }

extern "C" [[noreturn]] void ctml_exit(int code) noexcept {
  std::fflush(stdout);
  std::exit(code);
}

extern "C" void ctml_measure_begin() noexcept { start = std::chrono::steady_clock::now(); }

extern "C" std::uint32_t ctml_measure_end() noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - start);
  return static_cast<std::uint32_t>(ns.count());
}

extern "C" std::uint32_t ctml_measure_overhead() noexcept { return 0; }
extern "C" void ctml_stack_paint() noexcept {}
extern "C" std::uint32_t ctml_stack_peak() noexcept { return 0; }
