// RISC-V (QEMU virt, machine mode) startup, trap handling and instruction
// counting. Under `-icount` QEMU's instret is the executed-instruction count.
#include <cstdint>

#include "ctml_measure.hpp"

extern "C" {
[[noreturn]] void ctml_start() noexcept;
[[noreturn, gnu::aligned(4)]] void ctml_trap() noexcept;  // mtvec needs 4-byte alignment
}

// GCC 12 wants Zicsr spelled out for CSR instructions, but picolibc's multilib
// is selected by plain rv32imac, so only these instructions enable it.
#define CTML_CSR(insn) ".option push\n\t.option arch, +zicsr\n\t" insn "\n\t.option pop"

// QEMU virt with -bios none jumps to the start of RAM, where sections.ld puts
// this. gp must be set without relaxation (the relaxed form would use gp).
__asm__(R"(
  .pushsection .text.ctml.entry, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la t0, ctml_trap
  .option push
  .option arch, +zicsr
  csrw mtvec, t0
  .option pop
  j ctml_start
  .popsection
)");

extern "C" [[noreturn]] void ctml_trap() noexcept {
  std::uint32_t cause;
  __asm__ volatile(CTML_CSR("csrr %0, mcause") : "=r"(cause));
  ctml_print("FAULT mcause=");
  ctml_print_u32(cause);
  ctml_print("\n");
  ctml_exit(3);
}

namespace {

inline std::uint64_t instret() noexcept {
  std::uint32_t hi, lo, hi2;
  do {
    __asm__ volatile(CTML_CSR("rdinstreth %0") : "=r"(hi));
    __asm__ volatile(CTML_CSR("rdinstret %0") : "=r"(lo));
    __asm__ volatile(CTML_CSR("rdinstreth %0") : "=r"(hi2));
  } while (hi != hi2);
  return (std::uint64_t{hi} << 32) | lo;
}

std::uint64_t start;
std::uint32_t overhead = 0;
bool calibrated = false;

}  // namespace

extern "C" [[gnu::noinline]] void ctml_measure_begin() noexcept {
  if (!calibrated) {
    calibrated = true;
    ctml_measure_begin();
    overhead = ctml_measure_end();
  }
  start = instret();
}

extern "C" [[gnu::noinline]] std::uint32_t ctml_measure_end() noexcept {
  const std::uint64_t end = instret();
  return static_cast<std::uint32_t>(end - start) - overhead;
}

extern "C" std::uint32_t ctml_measure_overhead() noexcept { return overhead; }
