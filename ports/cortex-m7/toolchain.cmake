# Cortex-M7 with double-precision FPU (fpv5-d16), run on QEMU `mps2-an500`.
set(CTML_PORT cortex-m7)
set(CTML_PORT_FAMILY cortex-m)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CTML_PORT_ARCH_FLAGS "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard")
# -icount: instruction counts (ports/common/cortex_m.cpp); MPS2 SYSCLK is 25 MHz.
# The chardev sends semihosting output to stdout (QEMU 7.2 defaults to stderr).
set(CTML_PORT_DEFINITIONS CTML_SYSTICK_HZ=25000000 CTML_ICOUNT_SHIFT=8)
set(CTML_PORT_EMULATOR qemu-system-arm -M mps2-an500 -nographic -monitor none -serial none
    -chardev stdio,id=console -semihosting-config enable=on,target=native,chardev=console -icount shift=8 -kernel)
include(${CMAKE_CURRENT_LIST_DIR}/../common/port.cmake)
