// The target layer: include/ctml/arch/ (arch/select.hpp picks <family>.hpp),
// the only files of the library with target #ifs. Each provides, in namespace ctml::arch:
//   - what the target is: `target`, `has_binary64_unit` (double in
//     hardware), `has_runtime_binary64` (false on AVR: no 64-bit double library);
//   - flash placement: CTML_FLASH and flash_load (AVR: `lpm`);
//   - inner kernels: dot products (float, uint8), exp, int8 requantisation,
//     input quantisation, pooling division, conv windows, whole dense layers
//     where the target has a routine for them; the portable twins are in
//     arch/portable.hpp and the port tests compare the two;
//   - kernel shape choices the stages read (`has_dense_pairs`,
//     `conv_output_pairs`, ...) and the fitted code-size constants of
//     flash_bytes().
// A target not listed here is a compile error: it needs its own header
// (start from arch/host.hpp), not another target's constants.
#pragma once

#include <ctml/arch/select.hpp>
