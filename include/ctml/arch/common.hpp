// What every target header (arch/<family>.hpp) shares: the target families,
// the shapes of the per-target code-size constants, CTML_ALWAYS_INLINE.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__GNUC__) || defined(__clang__)
#define CTML_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define CTML_ALWAYS_INLINE inline
#endif

namespace ctml::arch {

/// The target families ctml knows (arch.hpp selects one).
enum class family : std::uint8_t { host, cortex_m0, cortex_m, avr, riscv };

// ---------------------------------------------------------------------------
// Code-size estimates (the numbers live in each target's header).

/// Trees: per instruction set, fitted to tests/bench/trees measurements
/// (firmware minus a baseline firmware, minus the exact table bytes) of the
/// digits forests; refit them when the code changes: the bench prints
/// estimate and linker side by side.
struct tree_code_size {
  std::size_t unrolled_node_x10;     // per node of an unrolled tree, in tenths of a byte
  std::size_t unrolled_fixed;        // votes, argmax and sklearn's double arithmetic for near-ties
  std::size_t unrolled_exact_fixed;  // votes and argmax when no near-tie path is needed
  std::size_t table_fixed;           // the table layout's loop, votes and argmax
  std::size_t table_exact;           // its near-tie path (integer counts, binary64)
  // A single DecisionTreeClassifier predicts the raw argmax: its one-hot
  // leaves fold into the code, and there are no votes to add.
  std::size_t single_node_x10;       // per node of such a tree, unrolled, in tenths of a byte
  std::size_t single_table_fixed;    // the table layout's walk for it
};

/// Boosted trees and the Gaussian models (include/ctml/boosting/, anomaly/):
/// per instruction set, fitted to tests/bench/boosting measurements (-Os;
/// scripts/fit-code-size, its "boosting" constants).
struct boosting_code_size {
  std::size_t unrolled_decision_x10;  // per decision node of unrolled boosted trees, tenths of a byte
  std::size_t unrolled_leaf_x10;      // per distinct leaf value of a tree (equal leaves share code)
  std::size_t unrolled_fixed;         // their fixed code: input routing, sums, decision, near-tie path
  std::size_t heap_fixed;         // the heap tables' walk, integer sum and integer binary64 adder
  std::size_t gaussian_term_x10;  // per non-zero factor entry of every component, tenths of a byte
  std::size_t gaussian_fixed;     // argmax or threshold and the binary64 recomputation
};

/// Code of a network's dense layers with predict, predict_quantized and
/// quantize_input: fitted to the linker's numbers for the benchmark networks
/// (tests/bench/nn, -O2). int8: `fixed + per_dense * dense layers +
/// per_dense16 * dense layers whose rows are a multiple of 16 long (hosts
/// vectorise them) + argmax` (an argmax head), per requantisation (fast:
/// every multiplier of 15 bits, int8_fast; exact: int8). f32: `f32_fixed`,
/// kernels and glue plus the float library where float is software (on AVR
/// also the assembly dot product), fitted to the benchmark networks G and D
/// (within 6%).
struct nn_dense_code_size {
  struct part {
    std::int32_t fixed, per_dense, per_dense16, argmax;
  };
  std::int32_t f32_fixed;
  part fast, exact;
};

/// Code of a network's convolution and pooling layers, per number policy: a
/// network with such layers adds `fixed`, each conv layer `conv` + `per_tap`
/// per unrolled tap + `padded` when it pads, each pooling layer `pool`.
/// `fixed` holds what the dense layers' estimate (fitted to MLPs) misses in
/// a CNN: for f32 the float library on RISC-V (the dense estimate's
/// elsewhere); negative where the dense estimate overcounts a CNN's lone
/// dense head. Fitted (least squares) to the code of 24 small CNNs (1-d and
/// 2-d, 1-5 wide kernels, depthwise, padding, strides, max and average
/// pooling; firmware minus a baseline firmware, minus the exact table
/// bytes): the estimate of the whole network's flash is within 10% for most
/// of them, within 30% (Cortex-M0, int8_fast: GCC's unrolling) or 40%
/// (x86-64) for all.
struct nn_conv_code_size {
  struct part {
    std::int32_t fixed, conv, per_tap, padded, pool;
  };
  part f32, int8, int8_fast;
};

}  // namespace ctml::arch
