// A target without a header in include/ctml/arch/ is a compile error, not the
// host's constants (compiled for MSP430; the twin for AVR).
#include <ctml/arch.hpp>
