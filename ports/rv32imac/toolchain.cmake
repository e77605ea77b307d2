# RV32IMAC (a GD32VF103-sized part), run on QEMU `virt` in machine mode.
set(CTML_PORT rv32imac)
set(CTML_PORT_FAMILY riscv)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CTML_PORT_ARCH_FLAGS "-march=rv32imac -mabi=ilp32 -mcmodel=medany")
# -icount makes instret the exact instruction count (ports/common/riscv.cpp).
# The chardev sends semihosting output to stdout (QEMU 7.2 defaults to stderr).
set(CTML_PORT_EMULATOR qemu-system-riscv32 -M virt -bios none -nographic -monitor none -serial none
    -chardev stdio,id=console -semihosting-config enable=on,target=native,chardev=console -icount shift=0 -kernel)
include(${CMAKE_CURRENT_LIST_DIR}/../common/port.cmake)
