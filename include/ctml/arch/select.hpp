// Selects this target's header of the arch layer (see ctml/arch.hpp).
#pragma once

#if defined(__AVR__)
#include <ctml/arch/avr.hpp>
#elif defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#include <ctml/arch/cortex_m.hpp>
#elif defined(__riscv)
#include <ctml/arch/riscv.hpp>
#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
#include <ctml/arch/host.hpp>
#else
#error "ctml: unknown target: add include/ctml/arch/<family>.hpp (start from arch/host.hpp) and select it in ctml/arch/select.hpp"
#endif
