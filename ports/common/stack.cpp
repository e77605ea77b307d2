// Peak stack by painting: fill the free stack with a pattern, run, then find
// the lowest byte that was overwritten. Shared by all embedded ports.
#include <cstdint>

#include "ctml_measure.hpp"

#if defined(__AVR__)
#include <avr/io.h>
extern "C" char __heap_start[];  // avr-libc's linker scripts: end of .bss/.noinit
#define CTML_STACK_LIMIT __heap_start
#else
extern "C" char __stack_limit[];  // ports/common/sections.ld
#define CTML_STACK_LIMIT __stack_limit
#endif

namespace {

constexpr unsigned char pattern = 0xA5;
char* painted_top = nullptr;

char* stack_pointer() noexcept {
#if defined(__AVR__)
  return reinterpret_cast<char*>(SP);
#else
  char* sp;
#if defined(__arm__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
  __asm__ volatile("mv %0, sp" : "=r"(sp));
#endif
  return sp;
#endif
}

}  // namespace

extern "C" void ctml_stack_paint() noexcept {
  // Everything below the stack pointer is dead. Volatile stores keep the
  // compiler from calling memset, whose own frame would lie in the painted area.
  painted_top = stack_pointer();
  for (volatile unsigned char* p = reinterpret_cast<unsigned char*>(CTML_STACK_LIMIT);
       p < reinterpret_cast<unsigned char*>(painted_top); ++p) {
    *p = pattern;
  }
}

extern "C" std::uint32_t ctml_stack_peak() noexcept {
  const volatile unsigned char* p = reinterpret_cast<unsigned char*>(CTML_STACK_LIMIT);
  const auto* top = reinterpret_cast<const unsigned char*>(painted_top);
  while (p < top && *p == pattern) ++p;
  return static_cast<std::uint32_t>(top - p);
}
