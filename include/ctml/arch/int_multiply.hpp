// Integer products by compile-time constants as one multiply instruction.
//
// GCC expands `c * x` for a constant c into shifts and adds when its cost
// model says so; for Cortex-M0 it does so for 16-bit q15 coefficients, with
// up to a dozen instructions per product where MULS takes one (measured on
// the q15 biquad: 330 instructions per sample instead of < 250). `factor(c)`
// hides the constant from that rewrite on targets with a fast multiplier
// (Arm, RISC-V with M): it is loaded into a register and multiplied. Other
// targets (AVR, where a 32-bit product is a library call) and constant
// evaluation keep the constant as it is. The value is never changed.
#pragma once

#include <cstdint>
#include <type_traits>

namespace ctml::arch {

[[nodiscard]] [[gnu::always_inline]] inline constexpr std::int32_t factor(std::int32_t c) noexcept {
  if (std::is_constant_evaluated()) return c;
#if defined(__arm__) || defined(__thumb__) || (defined(__riscv) && defined(__riscv_mul))
  __asm__("" : "+r"(c));
#endif
  return c;
}

}  // namespace ctml::arch
