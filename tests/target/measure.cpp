// Checks the port's measurement tooling and prints `name value` lines:
// an empty region must count 0, a spin loop must cost exactly its known
// instructions (cycles on AVR) per iteration, also across counter wraps, and
// stack painting must see a known frame.
#include <ctml_measure.hpp>

#include <cstdint>

namespace {

#if defined(__AVR__)
using count_t = std::uint16_t;
constexpr std::uint32_t per_iteration = 4;  // sbiw (2) + brne taken (2)
constexpr count_t long_run = 60000;          // 240k cycles: 3+ Timer1 overflows
inline void spin(count_t n) { __asm__ volatile("1: sbiw %0, 1\n\tbrne 1b" : "+w"(n)); }
#elif defined(__arm__)
using count_t = std::uint32_t;
constexpr std::uint32_t per_iteration = 2;   // subs, bne
constexpr count_t long_run = 3000000;         // 6M instructions: SysTick wraps
inline void spin(count_t n) { __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc"); }
#elif defined(__riscv)
using count_t = std::uint32_t;
constexpr std::uint32_t per_iteration = 2;   // addi, bnez
constexpr count_t long_run = 3000000;
inline void spin(count_t n) { __asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n)); }
#else
#define CTML_HOST_PORT 1
using count_t = std::uint32_t;
constexpr std::uint32_t per_iteration = 1;
constexpr count_t long_run = 3000000;
inline void spin(count_t n) {
  for (; n != 0; --n) __asm__ volatile("");
}
#endif

// ctml_keep after ctml_measure_end stops a tail call, whose epilogue would
// otherwise run inside the region.
[[gnu::noinline]] std::uint32_t measure_empty() {
  ctml_measure_begin();
  const std::uint32_t n = ctml_measure_end();
  ctml_keep(n);
  return n;
}

[[gnu::noinline]] std::uint32_t measure_spin(count_t n) {
  ctml_measure_begin();
  spin(n);
  const std::uint32_t count = ctml_measure_end();
  ctml_keep(count);
  return count;
}

[[gnu::noinline]] void use_stack() {
  volatile unsigned char frame[256];
  for (unsigned i = 0; i < sizeof frame; ++i) frame[i] = static_cast<unsigned char>(i);
}

int failures = 0;

void expect(const char* name, std::uint32_t got, std::uint32_t lo, std::uint32_t hi) {
  ctml_report(name, got);
#if !defined(CTML_HOST_PORT)  // host nanoseconds are not reproducible
  if (got < lo || got > hi) {
    ctml_print("FAIL ");
    ctml_print(name);
    ctml_print("\n");
    ++failures;
  }
#else
  (void)lo;
  (void)hi;
#endif
}

}  // namespace

int main() {
  ctml_print("unit ");
  ctml_print(ctml_measure_unit);
  ctml_print("\n");
  const std::uint32_t empty = measure_empty();
  ctml_report("measure.overhead", ctml_measure_overhead());
  expect("measure.empty", empty, 0, 0);

  const std::uint32_t s10 = measure_spin(10), s1000 = measure_spin(1000);
  ctml_report("measure.spin10", s10);
  ctml_report("measure.spin1000", s1000);
  expect("measure.per_iteration_x990", s1000 - s10, 990 * per_iteration, 990 * per_iteration);
  // Long runs cross counter wraps/overflows (handled by an interrupt).
  const count_t long_runs[] = {long_run / 2, long_run};
  for (const count_t n : long_runs) {
    const std::uint32_t s = measure_spin(n);
    ctml_report("measure.spin_long", s);
    const std::uint32_t delta = (std::uint32_t{n} - 10) * per_iteration;
    expect("measure.long_minus_spin10", s - s10, delta, delta);
  }

  ctml_stack_paint();
  use_stack();
  expect("stack.use_256", ctml_stack_peak(), 256, 256 + 64);

  ctml_print(failures == 0 ? "PASS measure\n" : "FAIL measure\n");
  return failures;
}
