// Placement of constant tables in program memory.
//
// On Harvard-architecture AVR, a `static constexpr` table is copied to the
// 2 KB of RAM unless it is put in program memory and read with `lpm`. Every
// other target reads flash through ordinary loads, so the macro is empty and
// `flash_load` is a plain copy. Both come from the target's header
// (ctml/arch.hpp).
#pragma once

#include <ctml/arch.hpp>

namespace ctml {

using arch::flash_load;

}  // namespace ctml
