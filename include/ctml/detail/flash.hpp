// Placement of constant tables in program memory.
//
// On Harvard-architecture AVR, a `static constexpr` table is copied to the
// 2 KB of RAM unless it is put in program memory and read with `lpm`. Every
// other target reads flash through ordinary loads, so the macro is empty and
// `flash_load` is a plain copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__AVR__) && defined(__clang__)
// clang has no progmem attribute; this is the section avr-gcc's selects.
#define CTML_FLASH __attribute__((__section__(".progmem.data")))
#elif defined(__AVR__)
#define CTML_FLASH __attribute__((__progmem__))
#else
#define CTML_FLASH
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CTML_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define CTML_ALWAYS_INLINE inline
#endif

namespace ctml {

/// Reads one trivially copyable object from a table marked CTML_FLASH.
template <class T>
  requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr T flash_load(const T* p) noexcept {
#if defined(__AVR__)
  if (std::is_constant_evaluated()) return *p;
  T out;
  auto* dst = reinterpret_cast<unsigned char*>(&out);
  auto addr = reinterpret_cast<std::uint16_t>(p);
  for (std::size_t i = 0; i < sizeof(T); ++i, ++addr) {
    unsigned char byte;
    __asm__("lpm %0, Z" : "=r"(byte) : "z"(addr));
    dst[i] = byte;
  }
  return out;
#else
  return *p;
#endif
}

}  // namespace ctml
