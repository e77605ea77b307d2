# Fails unless the README shows EXAMPLE verbatim as a ```cpp block (so the
# README shows code that compiles and runs). cmake -DREADME=... -DEXAMPLE=... -P
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
string(FIND "${readme}" "```cpp\n${example}```" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README has no ```cpp block equal to ${EXAMPLE}: copy the file into the README")
endif()
message(STATUS "README shows ${EXAMPLE}")
