// Arm Cortex-M: ARMv6-M (Cortex-M0/M0+, Thumb-1, no FPU) and ARMv7-M /
// ARMv7E-M / ARMv8-M (M3, M4F, M7, M33: Thumb-2, single- and on some
// double-precision FPUs). The portable kernels; on ARMv6-M conv layers
// compute two neighbouring outputs per pass (ldrsb has no immediate offset
// in Thumb-1, so each weight load is shared). Code-size constants fitted on
// Cortex-M0 and Cortex-M4F (-O2).
#pragma once

#include <ctml/arch/common.hpp>
#include <ctml/arch/fitted.hpp>
#include <ctml/arch/flash_plain.hpp>
#include <ctml/arch/portable.hpp>

namespace ctml::arch {

using namespace portable;

#if defined(__thumb2__)
inline constexpr family target = family::cortex_m;
#else
inline constexpr family target = family::cortex_m0;
#endif
inline constexpr bool is_armv6m = target == family::cortex_m0;

/// A single-precision FPU (Cortex-M4F, M7): __ARM_FP bit 2.
inline constexpr bool has_binary32_unit =
#if defined(__ARM_FP)
    (__ARM_FP & 4) != 0;
#else
    false;
#endif
/// A double-precision FPU (Cortex-M7 with fpv5-d16): __ARM_FP bit 3.
inline constexpr bool has_binary64_unit =
#if defined(__ARM_FP)
    (__ARM_FP & 8) != 0;
#else
    false;
#endif
inline constexpr bool has_runtime_binary64 = true;  // in hardware or a soft-float library

inline constexpr tree_code_size tree_code =
    is_armv6m ? fitted::thumb1.trees : fitted::thumb2.trees;
// f32 on ARMv6-M: soft-float multiply and add, 1700 bytes.
inline constexpr nn_dense_code_size nn_dense_code{
    160 + (is_armv6m ? fitted::thumb1 : fitted::thumb2).nn_soft_float, {0, 330, 0, 0}, {560, 530, 0, 0}};
inline constexpr nn_conv_code_size nn_conv_code =
    is_armv6m ? fitted::thumb1.nn_conv : fitted::thumb2.nn_conv;
inline constexpr boosting_code_size boosting_code = is_armv6m ? fitted::thumb1.boosting : fitted::thumb2.boosting;

inline constexpr bool has_dense_pairs = false;
inline constexpr bool requantize_reads_bias = false;
inline constexpr std::int32_t conv_tap_offset = 0;
inline constexpr bool conv_output_pairs = is_armv6m;  // conv_window2
inline constexpr bool conv_unrolls_rows = true;

}  // namespace ctml::arch
