# Cortex-M4 with single-precision FPU, run on QEMU `mps2-an386`.
set(CTML_PORT cortex-m4f)
set(CTML_PORT_FAMILY cortex-m)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CTML_PORT_ARCH_FLAGS "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
# -icount: instruction counts (ports/common/cortex_m.cpp); MPS2 SYSCLK is 25 MHz.
# The chardev sends semihosting output to stdout (QEMU 7.2 defaults to stderr).
set(CTML_PORT_DEFINITIONS CTML_SYSTICK_HZ=25000000 CTML_ICOUNT_SHIFT=8)
set(CTML_PORT_EMULATOR qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none
    -chardev stdio,id=console -semihosting-config enable=on,target=native,chardev=console -icount shift=8 -kernel)
include(${CMAKE_CURRENT_LIST_DIR}/../common/port.cmake)
