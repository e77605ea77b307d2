// Shared shape of the f32 transforms in this folder (PCA, Normalizer, ...):
// each computes sklearn's double output (`exact`, in sklearn's order) and
// `run` rounds it to float, so a following refining stage (linear/exact.hpp)
// sees inputs within half an ulp of sklearn's and can redo the chain in double.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::detail {

/// Derived: `static constexpr void exact(span<const double, In>, span<double, Out>)`,
/// `static constexpr std::size_t table_bytes, code_bytes, ops`.
template <class Derived, std::size_t In, std::size_t Out>
struct double_transform {
  using policy = f32;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = In;
  static constexpr std::size_t out_extent = Out;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return Derived::table_bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return Derived::table_bytes + Derived::code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return (In + Out) * sizeof(double); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Derived::ops; }

  constexpr void run(std::span<const float, In> in, std::span<float, Out> out, no_state&) const noexcept {
    std::array<double, In> x{};
    std::array<double, Out> y{};
    for (std::size_t i = 0; i < In; ++i) x[i] = in[i];
    Derived::exact(x, y);
    for (std::size_t j = 0; j < Out; ++j) out[j] = static_cast<float>(y[j]);
  }
  constexpr void run_exact(std::span<const double, In> in, std::span<double, Out> out) const noexcept {
    Derived::exact(in, out);
  }
};

}  // namespace ctml::detail
