// Arm Cortex-M: ARMv6-M (Cortex-M0/M0+, Thumb-1, no FPU) and ARMv7-M /
// ARMv7E-M / ARMv8-M (M3, M4F, M7, M33: Thumb-2, single- and on some
// double-precision FPUs). The portable kernels; on ARMv6-M conv layers
// compute two neighbouring outputs per pass (ldrsb has no immediate offset
// in Thumb-1, so each weight load is shared). Code-size constants fitted on
// Cortex-M0 and Cortex-M4F (-O2).
#pragma once

#include <ctml/arch/common.hpp>
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

/// A double-precision FPU (Cortex-M7 with fpv5-d16): __ARM_FP bit 3.
inline constexpr bool has_binary64_unit =
#if defined(__ARM_FP)
    (__ARM_FP & 8) != 0;
#else
    false;
#endif
inline constexpr bool has_runtime_binary64 = true;  // in hardware or a soft-float library

inline constexpr tree_code_size tree_code =
    is_armv6m ? tree_code_size{96, 490, 200, 230, 1400} : tree_code_size{90, 790, 300, 680, 1150};
// f32 on ARMv6-M: soft-float multiply and add, 1700 bytes.
inline constexpr nn_dense_code_size nn_dense_code{is_armv6m ? 160 + 1700 : 160, {0, 330, 0, 0}, {560, 530, 0, 0}};
inline constexpr nn_conv_code_size nn_conv_code =
    is_armv6m ? nn_conv_code_size{{990 - 1700, 90, 5, -35, 170}, {-760, 915, 18, 130, 160}, {-445, 310, 19, 95, 120}}
              : nn_conv_code_size{{30, 125, 7, 20, 115}, {-530, 515, 20, 95, 125}, {35, 210, 22, 90, 105}};

inline constexpr bool has_dense_pairs = false;
inline constexpr bool requantize_reads_bias = false;
inline constexpr std::int32_t conv_tap_offset = 0;
inline constexpr bool conv_output_pairs = is_armv6m;  // conv_window2
inline constexpr bool conv_unrolls_rows = true;

}  // namespace ctml::arch
