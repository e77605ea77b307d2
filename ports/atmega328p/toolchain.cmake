# atmega328p at 16 MHz: clang++-14's AVR backend (Debian's avr-gcc 5.4 has no
# C++20) linking through avr-ld with avr-libc; run on simavr.
set(CTML_PORT atmega328p)
set(CTML_PORT_FAMILY avr)
set(CMAKE_SYSTEM_PROCESSOR avr)
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_C_COMPILER_TARGET avr)
set(CMAKE_CXX_COMPILER_TARGET avr)
# -mdouble=64: constexpr double math (thresholds, scales from the generated
# header) is IEEE binary64 as on the host. There is no run-time binary64
# library for AVR here, so run-time double fails to link (e.g. __eqdf2)
# instead of silently being float; never call avr-libc's double functions.
set(CTML_PORT_ARCH_FLAGS "-mmcu=atmega328p -mdouble=64")
set(CTML_PORT_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/../common/simavr-run atmega328p)
include(${CMAKE_CURRENT_LIST_DIR}/../common/port.cmake)
