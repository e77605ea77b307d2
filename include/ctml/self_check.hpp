// A conversion the compiler proves: `convert --data X.npy` embeds a few rows
// and the original model's predictions for them; the generated header checks
// with static_assert that the model predicts them, so every compiler and port
// that includes the header evaluates the model at compile time and refuses to
// build if it disagrees. Define CTML_NO_SELF_CHECK to skip the checks.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace ctml {

namespace detail {

// The row, the expected and the computed value are template arguments, so
// GCC and Clang print them (a regressor's values as the bits of the double).
template <std::size_t Row, long long Expected, long long Got, bool Agree>
struct self_check_row {
  static_assert(Agree,
                "ctml: self check failed: the model does not predict what the original model predicted for check "
                "row Row (see self_check_row<Row, Expected, Got>; regressors: bits of the double). This compiler "
                "or port computes differently from the host: report it; define CTML_NO_SELF_CHECK to build anyway");
  static constexpr bool ok = Agree;
};

template <class T>
constexpr long long as_check_value(T y) noexcept {
  if constexpr (std::is_floating_point_v<T>) return std::bit_cast<long long>(static_cast<double>(y));
  else return static_cast<long long>(y);
}

template <class Model, class Rows>
constexpr auto self_check_predict(std::size_t row) {
  std::array<typename Model::in_type, Model::in_extent> x{};
  for (std::size_t j = 0; j < Model::in_extent; ++j) x[j] = static_cast<typename Model::in_type>(Rows::x[row][j]);
  typename Model::state_type state{};
  return Model{}.predict(x, state);
}

template <class Model, class Rows>
constexpr bool self_check_agrees(std::size_t row) {
  const auto y = self_check_predict<Model, Rows>(row);
  if constexpr (std::is_floating_point_v<decltype(y)>) {
    const double want = std::bit_cast<double>(Rows::expected[row]);
    const double got = static_cast<double>(y);
    const double diff = got > want ? got - want : want - got;
    const double magnitude = want < 0 ? -want : want;
    return diff <= Rows::tolerance * (magnitude > 1 ? magnitude : 1.0);
  } else {
    return static_cast<long long>(y) == Rows::expected[row];
  }
}

/// Every row's computed value and verdict, evaluated once.
template <class Model, class Rows>
struct self_check_results {
  std::array<long long, Rows::n_rows> value{};
  std::array<bool, Rows::n_rows> agrees{};
};
template <class Model, class Rows>
inline constexpr auto self_check_evaluated = [] {
  self_check_results<Model, Rows> r{};
  for (std::size_t i = 0; i < Rows::n_rows; ++i) {
    r.value[i] = as_check_value(self_check_predict<Model, Rows>(i));
    r.agrees[i] = self_check_agrees<Model, Rows>(i);
  }
  return r;
}();

template <class Model, class Rows, std::size_t... I>
constexpr bool self_check_all(std::index_sequence<I...>) {
  constexpr auto& r = self_check_evaluated<Model, Rows>;
  return (self_check_row<I, Rows::expected[I], r.value[I], r.agrees[I]>::ok && ...);
}

}  // namespace detail

/// True if `Model` predicts `Rows::expected[i]` for every `Rows::x[i]`
/// (classifiers: the class index; regressors: the value's double bits, equal
/// within `Rows::tolerance`, relative to max(1, |expected|)); a failing row is
/// a compile error that names it with both values.
template <class Model, class Rows>
inline constexpr bool self_check = detail::self_check_all<Model, Rows>(std::make_index_sequence<Rows::n_rows>{});

}  // namespace ctml
