# Shared part of every ports/<name>/toolchain.cmake. The port file sets
#   CTML_PORT             port name (= folder name)
#   CTML_PORT_FAMILY      cortex-m | riscv | avr | host
#   CTML_PORT_ARCH_FLAGS  code generation flags (compile and link)
#   CTML_PORT_EMULATOR    runner for ctest, as a list (cross ports)
#   CTML_PORT_DEFINITIONS preprocessor definitions for the port runtime
# and the compilers; this file adds the freestanding flags, the runtime
# sources and link options that cmake/ctml_ports.cmake gives each firmware.

get_filename_component(CTML_PORTS_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CTML_PORT_DIR "${CTML_PORTS_DIR}/${CTML_PORT}")
set(_common "${CTML_PORTS_DIR}/common")

if(NOT CTML_PORT_FAMILY STREQUAL "host")
  set(CMAKE_SYSTEM_NAME Generic)
  # Compiler checks cannot link without a port's startup code and memory map.
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
  set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CTML_PORT_EMULATOR})

  # Boost.Mp11 for the cross compiler: a folder holding only a `boost` link,
  # so host (glibc) headers in /usr/include cannot leak in.
  set(CTML_BOOST_INCLUDE_DIR "/usr/include" CACHE PATH "Folder that holds boost/ (header-only use)")
  set(_boost_dir "${CMAKE_BINARY_DIR}/ctml-port/include")
  if(NOT EXISTS "${_boost_dir}/boost")
    file(MAKE_DIRECTORY "${_boost_dir}")
    file(CREATE_LINK "${CTML_BOOST_INCLUDE_DIR}/boost" "${_boost_dir}/boost" SYMBOLIC)
  endif()
  string(APPEND CTML_PORT_ARCH_FLAGS " -isystem ${_boost_dir}")
endif()

# GCC/Clang for AVR and picolibc ship no libstdc++ headers: borrow the
# freestanding-safe ones from arm-none-eabi's newlib build.
file(GLOB _newlib_cxx LIST_DIRECTORIES true "/usr/include/newlib/c++/*")
list(GET _newlib_cxx -1 CTML_NEWLIB_CXX_INCLUDE)

# 32 KB of flash on AVR: size over speed there.
if(CTML_PORT_FAMILY STREQUAL "avr")
  set(_opt "-Os")
else()
  set(_opt "-O2")
endif()
set(_freestanding "-fno-exceptions -fno-rtti -fno-threadsafe-statics -ffunction-sections -fdata-sections")
# No FMA contraction (the M7's fpv5 has vfma.f32/f64): the same float results
# as the host that computed the expected vectors.
string(APPEND CTML_PORT_ARCH_FLAGS " -ffp-contract=off")
foreach(lang C CXX)
  set(CMAKE_${lang}_FLAGS_INIT "${CTML_PORT_ARCH_FLAGS} ${_opt}")
  # The optimisation level above holds for every build type (cache values set
  # here win over CMake's defaults, which would append -O3 to Release).
  set(CMAKE_${lang}_FLAGS_RELEASE "-DNDEBUG" CACHE STRING "")
  set(CMAKE_${lang}_FLAGS_MINSIZEREL "-Os -DNDEBUG" CACHE STRING "")
  set(CMAKE_${lang}_FLAGS_RELWITHDEBINFO "-g -DNDEBUG" CACHE STRING "")
  set(CMAKE_${lang}_FLAGS_DEBUG "-Og -g" CACHE STRING "")
endforeach()
string(APPEND CMAKE_CXX_FLAGS_INIT " ${_freestanding}")
string(APPEND CMAKE_C_FLAGS_INIT " -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CTML_PORT_ARCH_FLAGS} -Wl,--gc-sections")

# Port runtime (console, exit, measurement, startup) and link options.
set(CTML_PORT_RUNTIME_SOURCES "${_common}/print.cpp")
set(CTML_PORT_LINK_OPTIONS "")
set(CTML_PORT_LINK_DEPENDS "")
if(CTML_PORT_FAMILY STREQUAL "cortex-m" OR CTML_PORT_FAMILY STREQUAL "riscv")
  list(APPEND CTML_PORT_RUNTIME_SOURCES "${_common}/crt.cpp" "${_common}/semihost.cpp" "${_common}/stack.cpp")
  list(APPEND CTML_PORT_LINK_OPTIONS "-T${CTML_PORT_DIR}/memory.ld" "-L${_common}")
  list(APPEND CTML_PORT_LINK_DEPENDS "${CTML_PORT_DIR}/memory.ld" "${_common}/sections.ld")
endif()
if(CTML_PORT_FAMILY STREQUAL "cortex-m")
  list(APPEND CTML_PORT_RUNTIME_SOURCES "${_common}/cortex_m.cpp")
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -nostartfiles --specs=nano.specs --specs=nosys.specs")
elseif(CTML_PORT_FAMILY STREQUAL "riscv")
  list(APPEND CTML_PORT_RUNTIME_SOURCES "${_common}/riscv.cpp")
  foreach(lang C CXX)
    string(APPEND CMAKE_${lang}_FLAGS_INIT " --specs=picolibc.specs")
  endforeach()
  string(APPEND CMAKE_CXX_FLAGS_INIT " -nostdinc++ -isystem ${CTML_NEWLIB_CXX_INCLUDE} -isystem ${CTML_NEWLIB_CXX_INCLUDE}/arm-none-eabi")
  # g++ links -lstdc++, which picolibc does not ship; nothing in it is used.
  set(_stub_lib "${CMAKE_BINARY_DIR}/ctml-port/lib")
  if(NOT EXISTS "${_stub_lib}/libstdc++.a")
    file(WRITE "${_stub_lib}/libstdc++.a" "!<arch>\n")
  endif()
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -nostartfiles -L${_stub_lib}")
elseif(CTML_PORT_FAMILY STREQUAL "avr")
  list(APPEND CTML_PORT_RUNTIME_SOURCES "${_common}/avr.cpp" "${_common}/stack.cpp")
  foreach(lang C CXX)
    string(APPEND CMAKE_${lang}_FLAGS_INIT " -nostdlibinc -isystem /usr/lib/avr/include")
  endforeach()
  string(APPEND CMAKE_CXX_FLAGS_INIT " -nostdinc++ -isystem ${CTML_NEWLIB_CXX_INCLUDE} -isystem ${CTML_NEWLIB_CXX_INCLUDE}/arm-none-eabi")
  # CMake passes the compile flags to the link too, where clang calls them unused.
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wno-unused-command-line-argument")
elseif(CTML_PORT_FAMILY STREQUAL "host")
  list(APPEND CTML_PORT_RUNTIME_SOURCES "${_common}/host.cpp")
else()
  message(FATAL_ERROR "ctml: unknown CTML_PORT_FAMILY '${CTML_PORT_FAMILY}'")
endif()

# User flags (-DCMAKE_CXX_FLAGS=...) add to the port's flags, never replace
# them: CMake uses *_INIT only when the cache holds no value, so a value given
# by the user gets the port's flags put in front, once (a value that already
# holds them, as on a re-run or in try_compile, is left alone).
foreach(_var C_FLAGS CXX_FLAGS EXE_LINKER_FLAGS)
  if(DEFINED CACHE{CMAKE_${_var}})
    string(STRIP "${CMAKE_${_var}_INIT}" _port_flags)
    string(FIND " $CACHE{CMAKE_${_var}} " " ${_port_flags} " _at)
    if(_at EQUAL -1)
      get_property(_doc CACHE CMAKE_${_var} PROPERTY HELPSTRING)
      set(CMAKE_${_var} "${_port_flags} $CACHE{CMAKE_${_var}}" CACHE STRING "${_doc}" FORCE)
    endif()
  endif()
endforeach()
