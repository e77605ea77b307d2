// Input checks. scikit-learn rejects rows holding NaN or +-inf ("Input X
// contains NaN"); ctml's models do not test their input (it would cost every
// prediction). What they do with such rows:
//   trees (also after folded scalers): +-inf decide as sklearn's arithmetic
//     would (`float32(x) <= t`), NaN reaches some leaf: a valid class index
//     or leaf value, never undefined behaviour, but not a meaningful one;
//   scalers and networks in f32: IEEE arithmetic (NaN propagates).
// `ctml::finite(x)` is the cheap check to put in front when a sensor can
// deliver NaN or inf: one integer compare per value, no floating point.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace ctml {

/// True when no value of `x` is NaN or +-inf (all exponent bits set).
template <std::size_t N>
[[nodiscard]] constexpr bool finite(std::span<const float, N> x) noexcept {
  bool ok = true;
  for (const float v : x) ok &= (std::bit_cast<std::uint32_t>(v) & 0x7f800000u) != 0x7f800000u;
  return ok;
}

/// Integer (fixed-point) inputs are always finite.
template <class T, std::size_t N>
  requires(!std::is_same_v<T, float>)
[[nodiscard]] constexpr bool finite(std::span<const T, N>) noexcept {
  return true;
}

/// The same for arrays and anything else that converts to a span.
template <class T, std::size_t N>
[[nodiscard]] constexpr bool finite(const std::array<T, N>& x) noexcept {
  return finite(std::span<const T, N>(x));
}

}  // namespace ctml
