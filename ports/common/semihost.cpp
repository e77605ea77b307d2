// Console and exit through semihosting (QEMU -semihosting-config
// enable=on,target=native), shared by the Cortex-M and RISC-V ports.
#include <cstdint>

#include "ctml_measure.hpp"

namespace {

constexpr std::uintptr_t sys_write0 = 0x04;
constexpr std::uintptr_t sys_exit_extended = 0x20;  // SYS_EXIT only reports 0 or 1
constexpr std::uintptr_t adp_stopped_application_exit = 0x20026;

std::uintptr_t semihost(std::uintptr_t op, const void* arg) noexcept {
  std::uintptr_t result;
#if defined(__arm__)
  __asm__ volatile("mov r0, %1\n\tmov r1, %2\n\tbkpt 0xAB\n\tmov %0, r0"
                   : "=r"(result) : "r"(op), "r"(arg) : "r0", "r1", "memory");
#elif defined(__riscv)
  // The magic sequence must be uncompressed and must not straddle a page.
  __asm__ volatile(
      "mv a0, %1\n\tmv a1, %2\n\t"
      ".option push\n\t.option norvc\n\t.balign 16\n\t"
      "slli zero, zero, 0x1f\n\tebreak\n\tsrai zero, zero, 7\n\t"
      ".option pop\n\tmv %0, a0"
      : "=r"(result) : "r"(op), "r"(arg) : "a0", "a1", "memory");
#else
#error "semihosting needs ARM or RISC-V"
#endif
  return result;
}

}  // namespace

extern "C" void ctml_print(const char* text) noexcept { semihost(sys_write0, text); }

extern "C" [[noreturn]] void ctml_exit(int code) noexcept {
  const std::uintptr_t block[2] = {adp_stopped_application_exit, static_cast<std::uintptr_t>(code)};
  semihost(sys_exit_extended, block);
  for (;;) {
  }
}
