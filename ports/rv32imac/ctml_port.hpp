// ctml port: rv32imac. GD32VF103CB-sized, QEMU `virt`.
#pragma once

#include <ctml/budget.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::this_port {
inline constexpr const char* name = "rv32imac";
using budget = ctml::budget<128u * 1024u, 32u * 1024u>;  // the chip's flash and RAM in bytes
// No FPU, so float is emulated; still f32 by default because it reproduces
// scikit-learn exactly for any input range. A q policy (e.g.
// ctml::q<std::int16_t, 12> for standardised inputs within +-8) is faster
// where the model's value range is known.
using number_policy = ctml::f32;
}  // namespace ctml::this_port
