# Warnings are errors for ctml's own targets (never on the INTERFACE target).
add_library(ctml_warnings INTERFACE)
target_compile_options(ctml_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror -Wconversion -Wshadow)
