# The host as a port: no cross compiler (CMake picks the system one, or set
# CMAKE_CXX_COMPILER). It builds the same on-target runner and portable tests
# as the cross ports (tests/target), natively, with stdio as the console.
set(CTML_PORT host)
set(CTML_PORT_FAMILY host)
include(${CMAKE_CURRENT_LIST_DIR}/../common/port.cmake)
