// ctml port: cortex-m4f. STM32F407-class, QEMU `mps2-an386`.
#pragma once

#include <ctml/budget.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::this_port {
inline constexpr const char* name = "cortex-m4f";
using budget = ctml::budget<1024u * 1024u, 128u * 1024u>;  // the chip's flash and RAM in bytes
// A hardware FPU: f32 is fast and reproduces scikit-learn's float32 trees exactly.
using number_policy = ctml::f32;
}  // namespace ctml::this_port
