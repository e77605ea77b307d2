// Code-size estimates per instruction set, for the flash_bytes() of stages
// whose code grows with the model (unrolled trees) or is a fixed routine.
// The numbers are the target's (ctml/arch/<family>.hpp; what they count:
// ctml/arch/common.hpp).
#pragma once

#include <ctml/arch.hpp>

namespace ctml::detail {

using code_size = arch::tree_code_size;
inline constexpr const code_size& target_code = arch::tree_code;

}  // namespace ctml::detail
