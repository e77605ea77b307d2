# Firmware and model generation for ctml users.
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<prefix>/share/ctml/ports/cortex-m4f/toolchain.cmake
#         -DCMAKE_PREFIX_PATH=<prefix>            (or <ctml source>/ports/... and add_subdirectory)
#
#   find_package(ctml REQUIRED)                 # includes this file
#   ctml_generate_model(OUTPUT ${CMAKE_BINARY_DIR}/iris.hpp NAME iris SCRIPT train_iris.py)
#   ctml_add_firmware(app SOURCES main.cpp ${CMAKE_BINARY_DIR}/iris.hpp)
#   add_test(NAME app COMMAND app)   # runs under the port's emulator
include_guard(GLOBAL)

# The source tree's generator and headers, unless ctml-config.cmake (the
# installed package) set the installed ones.
get_filename_component(_ctml_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT DEFINED CTML_GENERATOR_DIR)
  set(CTML_GENERATOR_DIR "${_ctml_root}/generator")
endif()
if(NOT DEFINED CTML_INCLUDE_DIR)
  set(CTML_INCLUDE_DIR "${_ctml_root}/include")
endif()
if(NOT DEFINED CTML_PYTHON)
  include("${CMAKE_CURRENT_LIST_DIR}/ctml_python.cmake")
endif()

# The port runtime (startup, console, exit, measurement), built once.
function(_ctml_port_runtime)
  if(TARGET ctml_port_runtime)
    return()
  endif()
  add_library(ctml_port_runtime OBJECT ${CTML_PORT_RUNTIME_SOURCES})
  target_compile_features(ctml_port_runtime PUBLIC cxx_std_20)
  target_compile_definitions(ctml_port_runtime PRIVATE ${CTML_PORT_DEFINITIONS})
  target_include_directories(ctml_port_runtime PUBLIC "${CTML_PORT_DIR}" "${CTML_PORTS_DIR}/common")
  if(TARGET ctml_warnings)
    target_link_libraries(ctml_port_runtime PRIVATE ctml_warnings)
  endif()
endfunction()

# ctml_add_firmware(<target> SOURCES <src>...)
# An executable for the current port: startup code, linker script and the
# port include dir (ctml_port.hpp, ctml_measure.hpp); links ctml::ctml.
function(ctml_add_firmware target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  if(NOT CTML_PORT)
    message(FATAL_ERROR "ctml_add_firmware: no ctml port; configure with "
      "-DCMAKE_TOOLCHAIN_FILE=<ctml>/ports/<port>/toolchain.cmake")
  endif()
  _ctml_port_runtime()
  add_executable(${target} ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE ctml::ctml ctml_port_runtime)
  target_link_options(${target} PRIVATE ${CTML_PORT_LINK_OPTIONS})
  if(CTML_PORT_LINK_DEPENDS)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CTML_PORT_LINK_DEPENDS})
  endif()
  if(NOT CTML_PORT STREQUAL "host")
    set_target_properties(${target} PROPERTIES SUFFIX ".elf")
  endif()
endfunction()

# ctml_generate_model(OUTPUT <hpp> NAME <name> (MODEL <file.joblib> | SCRIPT <train.py>)
#                     [DATA <X.npy> [CHECK_ROWS <n>]] [DEPENDS <file>...])
# Converts a fitted scikit-learn model into a header at build time (its
# folder is created). SCRIPT first runs `<python> train.py <model path>`,
# which must write the fitted model to <model path> (<output folder>/<name>.joblib).
# DATA embeds CHECK_ROWS rows (default 8) and the framework's predictions:
# the header then static_asserts that the model predicts them (convert --data).
# The header is regenerated when the model, the script, DATA, DEPENDS or the
# generator change.
function(ctml_generate_model)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUTPUT;NAME;MODEL;SCRIPT;DATA;CHECK_ROWS" "DEPENDS")
  if(NOT arg_OUTPUT OR NOT arg_NAME OR (NOT arg_MODEL AND NOT arg_SCRIPT) OR (arg_MODEL AND arg_SCRIPT)
     OR (arg_CHECK_ROWS AND NOT arg_DATA))
    message(FATAL_ERROR "ctml_generate_model(OUTPUT <hpp> NAME <name> (MODEL <file> | SCRIPT <train.py>) "
      "[DATA <X.npy> [CHECK_ROWS <n>]] [DEPENDS ...])")
  endif()
  if(NOT CTML_PYTHON)
    message(FATAL_ERROR "ctml_generate_model: no Python with scikit-learn found; set CTML_PYTHON")
  endif()
  get_filename_component(output "${arg_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  file(GLOB_RECURSE generator_sources CONFIGURE_DEPENDS "${CTML_GENERATOR_DIR}/ctml/*.py")
  set(env ${CMAKE_COMMAND} -E env "PYTHONPATH=${CTML_GENERATOR_DIR}" "CTML_INCLUDE_DIR=${CTML_INCLUDE_DIR}")
  get_filename_component(dir "${output}" DIRECTORY)
  # Unix Makefiles (unlike Ninja) do not create an output's folder.
  set(commands COMMAND ${CMAKE_COMMAND} -E make_directory ${dir})
  set(byproducts "")
  set(depends ${arg_DEPENDS} ${generator_sources})
  set(check "")
  if(arg_DATA)
    get_filename_component(data "${arg_DATA}" ABSOLUTE)
    set(check --data ${data})
    if(arg_CHECK_ROWS)
      list(APPEND check --check-rows ${arg_CHECK_ROWS})
    endif()
    list(APPEND depends ${data})
  endif()
  if(arg_SCRIPT)
    get_filename_component(script "${arg_SCRIPT}" ABSOLUTE)
    set(model "${dir}/${arg_NAME}.joblib")
    list(APPEND commands COMMAND ${env} ${CTML_PYTHON} ${script} ${model})
    set(byproducts BYPRODUCTS ${model})
    list(APPEND depends ${script})
  else()
    get_filename_component(model "${arg_MODEL}" ABSOLUTE)
    list(APPEND depends ${model})
  endif()
  add_custom_command(OUTPUT ${output} ${byproducts}
    ${commands}
    COMMAND ${env} ${CTML_PYTHON} -m ctml convert ${model} --name ${arg_NAME} ${check} -o ${output}
    DEPENDS ${depends}
    COMMENT "ctml: generating ${arg_NAME} model header"
    VERBATIM)
endfunction()
