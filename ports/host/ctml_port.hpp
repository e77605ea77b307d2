// ctml port: host. The build machine (generous limits: budgets are for chips).
#pragma once

#include <ctml/budget.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::this_port {
inline constexpr const char* name = "host";
using budget = ctml::budget<std::size_t{1} << 30, std::size_t{1} << 30>;  // the chip's flash and RAM in bytes
// Hardware float everywhere.
using number_policy = ctml::f32;
}  // namespace ctml::this_port
