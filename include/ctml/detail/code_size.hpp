// Code-size estimates per instruction set, for the flash_bytes() of stages
// whose code grows with the model (unrolled trees) or is a fixed routine.
// Measured with tests/bench/trees (firmware minus a baseline firmware, minus
// the exact table bytes), so that estimates stay within 10% of the linker.
#pragma once

#include <cstddef>

namespace ctml::detail {

struct code_size {
  std::size_t unrolled_node;  // per node (decision or leaf) of an unrolled tree
  std::size_t table_loop;     // the table layout's traversal loop
  std::size_t votes;          // accumulating votes and the argmax, fixed part
  std::size_t per_class;      // ... and per class
  std::size_t exact_path;     // sklearn's double arithmetic for near-ties
};

inline constexpr code_size target_code =
#if defined(__AVR__)
    {30, 700, 300, 30, 4500};
#elif defined(__thumb__) && !defined(__thumb2__)  // Cortex-M0/M0+: Thumb-1
    {10, 300, 100, 12, 1100};
#elif defined(__thumb2__)  // Cortex-M3/M4/M7
    {10, 250, 100, 10, 800};
#elif defined(__riscv)
    {12, 300, 100, 12, 900};
#else  // hosts (x86-64, AArch64)
    {11, 400, 150, 12, 700};
#endif

}  // namespace ctml::detail
