// sklearn's feature selectors (VarianceThreshold, SelectKBest, SelectFromModel,
// RFE, ...; anything with get_support): the kept columns, in order. A copy, so
// exact for every number type and on every target.
// Params (generated): n_features, n_outputs, index[n_outputs] (ascending).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/detail/flash.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct select_features {
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = in_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_outputs;
  template <ValuePolicy P> using rebind = select_features<Params, P>;
  /// run_exact is a copy: no binary64 library needed (pipeline.hpp, AVR).
  static constexpr bool exact_in_integers = true;

 private:
  static_assert(in_extent < 65536, "ctml: select_features takes at most 65535 features");
  CTML_FLASH static constexpr auto index = [] {
    std::array<std::uint16_t, out_extent> t{};
    for (std::size_t j = 0; j < out_extent; ++j) t[j] = static_cast<std::uint16_t>(Params::index[j]);
    return t;
  }();
  static constexpr bool in_range = [] {
    for (std::size_t j = 0; j < out_extent; ++j)
      if (Params::index[j] >= in_extent) return false;
    return true;
  }();
  static_assert(in_range, "ctml: select_features: an index is not below n_features");

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(index); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 24; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return out_extent; }

  template <class T>
  static constexpr void copy(std::span<const T, in_extent> in, std::span<T, out_extent> out) noexcept {
    for (std::size_t j = 0; j < out_extent; ++j) out[j] = in[flash_load(&index[j])];
  }
  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out, no_state&) const noexcept {
    copy(in, out);
  }
  constexpr void run_exact(std::span<const double, in_extent> in, std::span<double, out_extent> out) const noexcept {
    copy(in, out);
  }
};

}  // namespace ctml
