// Output, exit, and measurement for firmware that runs on every ctml port.
//
//   ctml_stack_paint();
//   ctml_measure_begin();
//   run();
//   std::uint32_t n = ctml_measure_end();   // ctml_measure_unit
//   ctml_report("forest.predict", n);
//   ctml_report("forest.stack", ctml_stack_peak());
//
// Units: Cortex-M and RISC-V count executed instructions (QEMU -icount,
// exact); AVR counts CPU cycles (simavr, Timer1, exact); the host reports
// nanoseconds (not deterministic; use callgrind there). The fixed cost of the
// two calls is subtracted, so an empty region measures 0.
#pragma once

#include <cstdint>

extern "C" {
void ctml_print(const char* text) noexcept;
void ctml_print_u32(std::uint32_t value) noexcept;
[[noreturn]] void ctml_exit(int code) noexcept;

void ctml_measure_begin() noexcept;
std::uint32_t ctml_measure_end() noexcept;
std::uint32_t ctml_measure_overhead() noexcept;  // what ctml_measure_end subtracts

void ctml_stack_paint() noexcept;        // fill the free stack below the caller
std::uint32_t ctml_stack_peak() noexcept;  // deepest use since the paint, bytes (host: 0)
}

#if defined(__AVR__)
inline constexpr const char* ctml_measure_unit = "cycles";
#elif defined(__arm__) || defined(__riscv)
inline constexpr const char* ctml_measure_unit = "instructions";
#else
inline constexpr const char* ctml_measure_unit = "ns";
#endif

/// Prints `name value` on one line.
inline void ctml_report(const char* name, std::uint32_t value) noexcept {
  ctml_print(name);
  ctml_print(" ");
  ctml_print_u32(value);
  ctml_print("\n");
}

/// Forces `value` to be computed before this point and kept: put it after the
/// measured work, or the compiler may move pure work past ctml_measure_end.
template <class T>
inline void ctml_keep(const T& value) noexcept {
  __asm__ volatile("" : : "r"(&value) : "memory");
}
