// A row of the wrong length passed to `model.predict`: one short diagnostic
// with both numbers instead of a page of overload candidates.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

namespace ctml::detail {

/// The compile-time length of a row type (std::dynamic_extent if it has none).
template <class Row> inline constexpr std::size_t row_extent = std::dynamic_extent;
template <class T, std::size_t N> inline constexpr std::size_t row_extent<std::array<T, N>> = N;
template <class T, std::size_t N> inline constexpr std::size_t row_extent<std::span<T, N>> = N;
template <class T, std::size_t N> inline constexpr std::size_t row_extent<T[N]> = N;

template <class Row, std::size_t Expected>
concept wrong_length_row = row_extent<std::remove_cvref_t<Row>> != std::dynamic_extent &&
                           row_extent<std::remove_cvref_t<Row>> != Expected;

template <std::size_t Given, std::size_t Expected>
struct check_row_length {
  static_assert(Given == Expected,
                "ctml: the input row has the wrong number of features (see check_row_length<given, expected>): "
                "pass a std::array<float, NAME::n_features> (the model's in_extent)");
  static constexpr bool ok = Given == Expected;
};

}  // namespace ctml::detail
