// RISC-V (rv32imac; rv32gc with the D extension has double in hardware):
// the portable kernels. Code-size constants fitted on rv32imac (-O2).
#pragma once

#include <ctml/arch/common.hpp>
#include <ctml/arch/fitted.hpp>
#include <ctml/arch/flash_plain.hpp>
#include <ctml/arch/portable.hpp>

namespace ctml::arch {

using namespace portable;

inline constexpr family target = family::riscv;
/// The F extension: single precision in hardware.
inline constexpr bool has_binary32_unit =
#if defined(__riscv_f)
    true;
#else
    false;
#endif
inline constexpr bool has_binary64_unit =
#if defined(__riscv_d)
    true;
#else
    false;
#endif
inline constexpr bool has_runtime_binary64 = true;  // in hardware or a soft-float library

inline constexpr tree_code_size tree_code = fitted::riscv.trees;
// f32: the float library is in the conv `fixed` only (no dense-only measurement yet).
inline constexpr nn_dense_code_size nn_dense_code{160, {0, 330, 0, 0}, {560, 530, 0, 0}};
inline constexpr nn_conv_code_size nn_conv_code = fitted::riscv.nn_conv;
inline constexpr boosting_code_size boosting_code = fitted::riscv.boosting;

inline constexpr bool has_dense_pairs = false;
inline constexpr bool requantize_reads_bias = false;
inline constexpr std::int32_t conv_tap_offset = 0;
inline constexpr bool conv_output_pairs = false;
inline constexpr bool conv_unrolls_rows = true;

}  // namespace ctml::arch
