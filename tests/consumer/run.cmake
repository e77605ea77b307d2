# Configures, builds and runs a consumer project (script mode: cmake -P).
#   -DMODE=find_package|add_subdirectory -DSOURCE=<ctml source> -DBINARY=<work dir>
#   -DCXX=<compiler> -DGENERATOR=<generator>
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY})
set(common -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX})
if(MODE STREQUAL "find_package")
  # Install ctml alone, then consume the installed package.
  run(${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY}/ctml-build ${common}
      -DCTML_BUILD_TESTS=OFF -DCTML_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX=${BINARY}/prefix)
  run(${CMAKE_COMMAND} --install ${BINARY}/ctml-build)
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/consumer/find_package -B ${BINARY}/consumer ${common}
      -DCMAKE_PREFIX_PATH=${BINARY}/prefix)
else()
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/consumer/add_subdirectory -B ${BINARY}/consumer ${common}
      -DCTML_SOURCE_DIR=${SOURCE})
endif()
run(${CMAKE_COMMAND} --build ${BINARY}/consumer)
run(${BINARY}/consumer/consumer)
message(STATUS "consumer (${MODE}) built and ran")
