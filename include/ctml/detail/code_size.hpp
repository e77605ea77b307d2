// Code-size estimates per instruction set, for the flash_bytes() of stages
// whose code grows with the model (unrolled trees) or is a fixed routine.
// Fitted to tests/bench/trees measurements (firmware minus a baseline
// firmware, minus the exact table bytes) of the digits forests; refit them
// when the code changes: the bench prints estimate and linker side by side.
#pragma once

#include <cstddef>

namespace ctml::detail {

struct code_size {
  std::size_t unrolled_node_x10;     // per node of an unrolled tree, in tenths of a byte
  std::size_t unrolled_fixed;        // votes, argmax and sklearn's double arithmetic for near-ties
  std::size_t unrolled_exact_fixed;  // votes and argmax when no near-tie path is needed
  std::size_t table_fixed;           // the table layout's loop, votes and argmax
  std::size_t table_exact;           // its near-tie path (integer counts, binary64)
};

inline constexpr code_size target_code =
#if defined(__AVR__)
    {220, 5360, 800, 1200, 4600};
#elif defined(__thumb__) && !defined(__thumb2__)  // Cortex-M0/M0+: Thumb-1
    {96, 490, 200, 230, 1400};
#elif defined(__thumb2__)  // Cortex-M3/M4/M7
    {90, 790, 300, 680, 1150};
#elif defined(__riscv)
    {92, 770, 300, 570, 1400};
#else  // hosts (x86-64, AArch64)
    {104, 560, 250, 1010, 500};
#endif

}  // namespace ctml::detail
