// Cortex-M startup, fault handling and instruction counting.
//
// QEMU models no cycles and no DWT, but with `-icount shift=S` every
// instruction advances virtual time by exactly 2^S ns, and SysTick counts
// virtual time. With S = 8 one instruction is 4 or more SysTick ticks, so the
// rounded tick count converts back to the exact instruction count.
#include <cstdint>

#include "ctml_measure.hpp"

#ifndef CTML_SYSTICK_HZ
#error "the port defines CTML_SYSTICK_HZ (the emulated core clock)"
#endif
#ifndef CTML_ICOUNT_SHIFT
#error "the port defines CTML_ICOUNT_SHIFT (QEMU -icount shift)"
#endif

extern "C" {
extern std::uint32_t __stack_top[];
[[noreturn]] void ctml_start() noexcept;
[[noreturn]] void ctml_reset() noexcept;
void ctml_systick() noexcept;
[[noreturn]] void ctml_fault() noexcept;
}

namespace {

using handler = void (*)();

struct vector_table {
  std::uint32_t* initial_sp;
  handler exceptions[15];  // Reset .. SysTick
};

template <std::uintptr_t Address>
struct reg {
  static volatile std::uint32_t& ref() noexcept {
    return *reinterpret_cast<volatile std::uint32_t*>(Address);
  }
  static std::uint32_t read() noexcept { return ref(); }
  static void write(std::uint32_t v) noexcept { ref() = v; }
};
using cpacr = reg<0xE000ED88>;
using syst_csr = reg<0xE000E010>;
using syst_rvr = reg<0xE000E014>;
using syst_cvr = reg<0xE000E018>;

constexpr std::uint32_t systick_period = 1u << 24;  // 24-bit counter, reload 0xFFFFFF

volatile std::uint32_t systick_wraps = 0;

}  // namespace

// QEMU aborts with "Lockup" unless a vector table sits at address 0.
[[gnu::section(".vectors"), gnu::used]] constinit const vector_table ctml_vectors = {
    __stack_top,
    {ctml_reset, ctml_fault, ctml_fault, ctml_fault, ctml_fault, ctml_fault, nullptr, nullptr,
     nullptr, nullptr, ctml_fault, ctml_fault, nullptr, ctml_fault, ctml_systick}};

extern "C" [[noreturn]] void ctml_reset() noexcept {
#if defined(__ARM_FP)
  // Grant CP10/CP11 (the FPU) before any float instruction, or it faults.
  cpacr::write(cpacr::read() | (0xFu << 20));
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  // SysTick free-runs from the core clock and counts its wraps.
  syst_rvr::write(systick_period - 1);
  syst_cvr::write(0);
  syst_csr::write(0x7);  // CLKSOURCE = core, TICKINT, ENABLE
  ctml_start();
}

extern "C" void ctml_systick() noexcept { systick_wraps = systick_wraps + 1; }

extern "C" [[noreturn]] void ctml_fault() noexcept {
  ctml_print("FAULT\n");
  ctml_exit(3);
}

namespace {

struct stamp {
  std::uint32_t wraps, ticks;
};

// The interrupt counts a wrap at the exact instruction (icount), so a stable
// wrap count around the read pairs it with the right counter value.
inline stamp now() noexcept {
  std::uint32_t w, v;
  do {
    w = systick_wraps;
    v = syst_cvr::read();
  } while (w != systick_wraps);
  return {w, systick_period - 1 - v};
}

// Instructions of ctml_systick (ldr, ldr, adds, str, bx), run once per wrap;
// the wrap test in tests/target/measure.cpp checks this number.
constexpr std::uint32_t wrap_handler_instructions = 5;

// ns per tick = 1e9 / hz; instructions = ticks * ns_per_tick / 2^shift.
constexpr std::uint64_t gcd(std::uint64_t a, std::uint64_t b) { return b == 0 ? a : gcd(b, a % b); }
constexpr std::uint64_t ns_num = 1000000000ull / gcd(1000000000ull, CTML_SYSTICK_HZ);
constexpr std::uint64_t ns_den = std::uint64_t{CTML_SYSTICK_HZ} / gcd(1000000000ull, CTML_SYSTICK_HZ);
constexpr std::uint64_t insn_den = ns_den << CTML_ICOUNT_SHIFT;
static_assert(insn_den >= 4 * ns_num, "choose a larger -icount shift: fewer than 4 ticks per instruction");

stamp start;
std::uint32_t overhead = 0;
bool calibrated = false;

std::uint32_t elapsed_instructions(stamp from, stamp to) noexcept {
  const std::uint32_t wraps = to.wraps - from.wraps;
  const std::uint64_t ticks = std::uint64_t{wraps} * systick_period + to.ticks - from.ticks;
  const auto insns = static_cast<std::uint32_t>((ticks * ns_num + insn_den / 2) / insn_den);
  return insns - wraps * wrap_handler_instructions;
}

}  // namespace

extern "C" [[gnu::noinline]] void ctml_measure_begin() noexcept {
  if (!calibrated) {
    calibrated = true;
    ctml_measure_begin();
    overhead = ctml_measure_end();
  }
  start = now();
}

extern "C" [[gnu::noinline]] std::uint32_t ctml_measure_end() noexcept {
  const stamp end = now();
  return elapsed_instructions(start, end) - overhead;
}

extern "C" std::uint32_t ctml_measure_overhead() noexcept { return overhead; }
