// Float arithmetic in the written order on every target.
//
// Compilers fuse `a * b + c` into one fused multiply-add where the target has
// one (GCC does so across statements by default on Cortex-M4F, M7 and RISC-V
// with F; clang within an expression). A fused result is rounded once, so it
// differs from the two-rounding result the host and numpy compute. ctml's
// float DSP stages promise the same bits on every port, so each product goes
// through `ctml::arch::product`, which hides it from the fusing pass with an
// empty asm statement on a floating-point register: no instruction is
// emitted. Targets without a float unit have no fused instruction to form.
// (DSP engineer: the one target-specific branch of the DSP stages.)
#pragma once

#include <type_traits>

namespace ctml::arch {

/// `x`, opaque to the optimiser: a product passed through it is never fused.
[[nodiscard]] [[gnu::always_inline]] inline constexpr float opaque(float x) noexcept {
  if (std::is_constant_evaluated()) return x;
#if defined(__ARM_FP) || defined(__ARM_NEON)
#if defined(__aarch64__)
  __asm__("" : "+w"(x));
#else
  __asm__("" : "+t"(x));
#endif
#elif defined(__riscv_flen)
  __asm__("" : "+f"(x));
#elif defined(__SSE__) || defined(__x86_64__)
  __asm__("" : "+x"(x));
#elif defined(__powerpc__) || defined(__s390__)
  __asm__("" : "+f"(x));
#endif
  return x;
}

/// a * b, rounded on its own (never fused with a following addition).
[[nodiscard]] [[gnu::always_inline]] inline constexpr float product(float a, float b) noexcept { return opaque(a * b); }

}  // namespace ctml::arch
