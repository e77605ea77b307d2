// Hosts (x86-64, x86, AArch64): the portable kernels; double in hardware.
// Code-size constants fitted on x86-64 (g++ -O2).
#pragma once

#include <ctml/arch/common.hpp>
#include <ctml/arch/fitted.hpp>
#include <ctml/arch/flash_plain.hpp>
#include <ctml/arch/portable.hpp>

namespace ctml::arch {

using namespace portable;

inline constexpr family target = family::host;
inline constexpr bool has_binary64_unit = true;
inline constexpr bool has_binary32_unit = true;
inline constexpr bool has_runtime_binary64 = true;  // in hardware or a soft-float library

inline constexpr tree_code_size tree_code = fitted::host.trees;
// Hosts vectorise dense rows that are a multiple of 16 long (per_dense16).
inline constexpr nn_dense_code_size nn_dense_code{160, {2080, 0, 1050, 0}, {3040, 0, 950, 0}};
inline constexpr nn_conv_code_size nn_conv_code = fitted::host.nn_conv;
inline constexpr boosting_code_size boosting_code = fitted::host.boosting;

// Kernel choices.
inline constexpr bool has_dense_pairs = false;         // no whole-layer routine
inline constexpr bool requantize_reads_bias = false;   // conv layers add their bias once per channel
inline constexpr std::int32_t conv_tap_offset = 0;     // conv_window adds nothing per tap
inline constexpr bool conv_output_pairs = false;       // one output per window pass
inline constexpr bool conv_unrolls_rows = true;        // code per tap: rows x columns (estimate)

}  // namespace ctml::arch
