// Decimal printing shared by all ports (no printf: it is large on AVR/M0).
#include "ctml_measure.hpp"

extern "C" void ctml_print_u32(std::uint32_t value) noexcept {
  char digits[11];
  char* p = digits + sizeof digits;
  *--p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  ctml_print(p);
}
