// Budgets are types: a chip's flash and RAM, and checks whose failure prints
// the numbers on GCC and Clang (they show the template arguments).
#pragma once

#include <concepts>
#include <cstddef>

namespace ctml {

/// A chip's (or a firmware part's) flash and RAM in bytes; ports fill it in.
template <std::size_t FlashBytes, std::size_t RamBytes>
struct budget {
  static constexpr std::size_t flash = FlashBytes;
  static constexpr std::size_t ram = RamBytes;
};

/// `static_assert(ctml::flash_budget<model.flash_bytes(), 16 * 1024>::ok);`
template <std::size_t Used, std::size_t Limit>
struct flash_budget {
  static_assert(Used <= Limit,
                "ctml: flash budget exceeded (bytes): see flash_budget<Used, Limit>; "
                "choose a compact layout or a narrower number policy, or raise the budget");
  static constexpr bool ok = Used <= Limit;
};

/// `static_assert(ctml::ram_budget<model.ram_bytes(), 2048>::ok);`
template <std::size_t Used, std::size_t Limit>
struct ram_budget {
  static_assert(Used <= Limit,
                "ctml: RAM budget exceeded (bytes): see ram_budget<Used, Limit>; "
                "reduce state or scratch (smaller extents, narrower policy), or raise the budget");
  static constexpr bool ok = Used <= Limit;
};

/// Anything that reports its sizes: a stage, a pipeline, a model.
template <class M>
concept Sized = requires {
  { M::flash_bytes() } -> std::same_as<std::size_t>;
  { M::ram_bytes() } -> std::same_as<std::size_t>;
};

/// `static_assert(ctml::fits<decltype(model), ctml::this_port::budget>);`
/// Checks flash and RAM; a failure names the one exceeded, with both numbers.
template <Sized M, class Budget>
inline constexpr bool fits =
    flash_budget<M::flash_bytes(), Budget::flash>::ok && ram_budget<M::ram_bytes(), Budget::ram>::ok;

}  // namespace ctml
