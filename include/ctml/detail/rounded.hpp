// A product rounded on its own, never fused into a following add.
//
// Where ctml redoes a framework's double arithmetic bit for bit, a * b + c
// must round twice as on x86-64 (no FMA). GCC fuses across statements when
// the target has FMA (Cortex-M7's vfma.f64) unless -ffp-contract=off;
// __builtin_assoc_barrier stops it (it then emits the unfused vmla). Clang
// fuses within one expression only, so a separate statement suffices.
#pragma once

namespace ctml::detail {

template <class T>
[[nodiscard]] constexpr T rounded_product(T a, T b) noexcept {
#if defined(__GNUC__) && !defined(__clang__)
  return __builtin_assoc_barrier(a * b);
#else
  const T p = a * b;
  return p;
#endif
}

}  // namespace ctml::detail
