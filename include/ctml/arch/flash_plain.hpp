// Flash access where flash is in the data address space (every target but
// AVR): tables need no section and are read with ordinary loads.
#pragma once

#include <type_traits>

#define CTML_FLASH

namespace ctml::arch {

/// Reads one trivially copyable object from a table marked CTML_FLASH.
template <class T>
  requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr T flash_load(const T* p) noexcept {
  return *p;
}

}  // namespace ctml::arch
