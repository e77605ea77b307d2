# Port builds as users run them (script mode: cmake -P).
#   -DMODE=installed  -DPORT=<port> -DSOURCE=<ctml source> -DBINARY=<work dir> -DGENERATOR=<generator> -DCXX=<host compiler>
#     installs ctml to a prefix, then configures tests/consumer/firmware with
#     only that prefix and the port's toolchain file from it, builds, and runs
#     the firmware under the port's emulator (ctest).
#   -DMODE=makefiles  -DSOURCE -DBINARY -DCXX
#     configures ctml itself for the host port with the Unix Makefiles
#     generator (custom commands must create their folders), builds one
#     parity firmware and runs it.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY})
if(MODE STREQUAL "installed")
  set(prefix ${BINARY}/prefix)
  run(${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY}/ctml-build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DCTML_BUILD_TESTS=OFF -DCTML_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX=${prefix})
  run(${CMAKE_COMMAND} --install ${BINARY}/ctml-build)
  # The user's own flags must add to the port's (the firmware checks the macro).
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/consumer/firmware -B ${BINARY}/firmware -G ${GENERATOR}
      -DCMAKE_TOOLCHAIN_FILE=${prefix}/share/ctml/ports/${PORT}/toolchain.cmake -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_CXX_FLAGS=-DCTML_CONSUMER_FLAG=1 -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
  run(${CMAKE_COMMAND} --build ${BINARY}/firmware)
  # No host headers in the cross build (Boost::headers' -isystem /usr/include).
  if(EXISTS ${BINARY}/firmware/compile_commands.json)
    file(READ ${BINARY}/firmware/compile_commands.json commands)
    if(commands MATCHES "(-isystem |-I)/usr/include[ \"]")
      message(FATAL_ERROR "the cross build sees the host's /usr/include")
    endif()
    if(NOT commands MATCHES "ctml/generator|/prefix/include")
      message(FATAL_ERROR "the build does not use the installed ctml")
    endif()
  endif()
  run(${CMAKE_CTEST_COMMAND} --test-dir ${BINARY}/firmware --output-on-failure)
  message(STATUS "installed ctml: firmware for ${PORT} built (${GENERATOR}) and ran")
elseif(MODE STREQUAL "makefiles")
  run(${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY} -G "Unix Makefiles" -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_TOOLCHAIN_FILE=${SOURCE}/ports/host/toolchain.cmake -DCTML_BUILD_EXAMPLES=OFF)
  run(${CMAKE_COMMAND} --build ${BINARY} --target target_parity_xor_tree -j 2)
  run(${CMAKE_CTEST_COMMAND} --test-dir ${BINARY} -R "^target[.]parity[.]xor_tree$" --output-on-failure)
  message(STATUS "port build with Unix Makefiles: parity firmware built and ran")
else()
  message(FATAL_ERROR "MODE must be installed or makefiles")
endif()
