// C runtime start shared by the Cortex-M and RISC-V ports: initialise .data
// and .bss, run static constructors (the test registry relies on them), call
// main and report its result as the exit status.
#include <cstdint>

#include "ctml_measure.hpp"

extern "C" {
extern std::uint32_t __data_start[], __data_end[], __bss_start[], __bss_end[];
extern const std::uint32_t __data_load[];
using ctml_init_fn = void (*)();
extern const ctml_init_fn __init_array_start[], __init_array_end[];
// C++ forbids naming ::main; an asm label reaches it anyway.
int ctml_application_main() __asm__("main");
[[noreturn]] void ctml_start() noexcept;
}

extern "C" [[noreturn]] void ctml_start() noexcept {
  const std::uint32_t* src = __data_load;
  for (std::uint32_t* dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (std::uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  for (const ctml_init_fn* f = __init_array_start; f < __init_array_end; ++f) (*f)();
  ctml_exit(ctml_application_main());
}
