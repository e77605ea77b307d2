// Code-size estimates per instruction set, for the flash_bytes() of stages
// whose code grows with the model (unrolled trees) or is a fixed routine.
// Fitted to tests/bench/trees measurements (firmware minus a baseline
// firmware, minus the exact table bytes) of the digits forests; refit them
// when the code changes: the bench prints estimate and linker side by side.
#pragma once

#include <cstddef>
#include <cstdint>

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

/// The float arithmetic an f32 network links where float is software:
/// soft-float multiply and add (on AVR also the assembly dot product of
/// nn/avr_float.hpp), fitted to the benchmark networks G and D (within 6%).
/// RISC-V's is in its conv `fixed` only: no dense-only measurement there yet.
inline constexpr std::int32_t nn_soft_float_code =
#if defined(__AVR__)
    3200;
#elif defined(__thumb__) && !defined(__thumb2__)
    1700;
#else
    0;
#endif

/// Code of a network's convolution and pooling layers (nn/network.hpp), per
/// number policy: a network with such layers adds `fixed`, each conv layer
/// `conv` + `per_tap` per unrolled tap (AVR: kernel columns, the assembly
/// window's; Cortex-M0: rows x columns, twice for its output pairs; elsewhere
/// rows x columns) + `padded` when it pads, each pooling layer `pool`.
/// `fixed` holds what the dense layers' estimate (fitted to MLPs) misses in
/// a CNN: for f32 the float library on RISC-V (nn_soft_float_code elsewhere);
/// negative where the dense estimate overcounts a CNN's lone dense head.
/// Fitted (least squares) to the code of 24 small CNNs (1-d and 2-d, 1-5 wide
/// kernels, depthwise, padding, strides, max and average pooling; firmware
/// minus a baseline firmware, minus the exact table bytes): the estimate of
/// the whole network's flash is within 10% for most of them, within 30%
/// (Cortex-M0, int8_fast: GCC's unrolling) or 40% (x86-64) for all.
struct nn_conv_code {
  std::int32_t fixed, conv, per_tap, padded, pool;
};
struct nn_conv_code_size {
  nn_conv_code f32, int8, int8_fast;
};

inline constexpr nn_conv_code_size nn_conv_target_code =
#if defined(__AVR__)
    {{2040 - 3200, 360, 39, 80, 340}, {-140, 380, 35, 150, 165}, {120, 265, 21, 165, 165}};
#elif defined(__thumb__) && !defined(__thumb2__)  // Cortex-M0/M0+: Thumb-1
    {{990 - 1700, 90, 5, -35, 170}, {-760, 915, 18, 130, 160}, {-445, 310, 19, 95, 120}};
#elif defined(__thumb2__)  // Cortex-M3/M4/M7
    {{30, 125, 7, 20, 115}, {-530, 515, 20, 95, 125}, {35, 210, 22, 90, 105}};
#elif defined(__riscv)
    {{1110, 75, 11, 0, 170}, {-475, 410, 47, 130, 215}, {-75, 170, 42, 115, 150}};
#else  // hosts (x86-64)
    {{340, 20, 14, 105, 160}, {-2140, 525, 39, 135, 360}, {-1560, 345, 34, 150, 290}};
#endif

/// Code of the kernel-SVM and KNN stages (svm/svm.hpp, neighbors/neighbors.hpp)
/// including the float and binary64 library routines their near-tie paths
/// link: firmware minus a baseline minus the tables, of the wine SVC and the
/// iris KNN in tests/bench/kernels (one model each: a rough figure).
struct kernels_code {
  std::size_t svm, knn;
};
inline constexpr kernels_code kernels_target_code =
#if defined(__AVR__)
    {0, 3000};  // SVMs do not run there; the integer KNN only
#elif defined(__thumb__) && !defined(__thumb2__)
    {12600, 10800};
#elif defined(__thumb2__)
    {4500, 5850};
#elif defined(__riscv)
    {12900, 11700};
#else
    {4000, 5000};
#endif

}  // namespace ctml::detail
