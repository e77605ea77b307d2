// Boosted trees as complete binary trees in flash, for threshold decisions
// on chips without hardware for the framework's sums (Cortex-M0, AVR):
// boosting grows shallow trees of one depth D, so each tree is stored as
// 2^D - 1 (feature, key) pairs in heap order (children of h at 2h+1, 2h+2)
// and 2^D leaf rows. A leaf above depth D fills every heap leaf below it
// with its row, so any path through the padding reaches it. A walk is D
// loads and compares, with no decoding.
//
// The decision on the leaves reached: heap_decision in additive.hpp.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <ctml/detail/flash.hpp>
#include <ctml/trees/forest.hpp>

namespace ctml::boosting {

template <class Params>
struct heap_shape {
  static constexpr std::size_t depth = trees::max_depth<Params>();
  static constexpr std::size_t inner = (std::size_t{1} << depth) - 1, leaves = std::size_t{1} << depth;
};

/// Heap nodes cost 5 bytes each: taken when the trees are full enough that
/// the padding stays below the decision nodes they hold (and D <= 8).
template <class Params>
inline constexpr bool heap_fits = [] {
  if constexpr (heap_shape<Params>::depth < 1 || heap_shape<Params>::depth > 8) {
    return false;
  } else {
    return Params::n_trees * heap_shape<Params>::inner <= 2 * trees::shape<Params>::n_decisions;
  }
}();

template <class Params, class Test>
struct heap_layout {
  using shape = heap_shape<Params>;
  using rule = typename Test::rule;
  using input_type = typename rule::input_type;
  using feature_type = trees::uint_for<Params::n_features>;
  using row_type = trees::uint_for<Params::n_values>;
  static constexpr std::size_t D = shape::depth, H = shape::inner, L = shape::leaves, T = Params::n_trees;
  static constexpr std::size_t N = Params::n_features;

  // Float inputs are compared as ordered integers: o(u) = u ^ (sign ? 0x7fffffff : 0)
  // orders float bit patterns as the floats (-0 just below +0, which no key
  // separates: the split rule's keys are never -0), so each node is one
  // signed compare; the inputs are mapped once. Fixed-point inputs compare
  // with their keys as they are.
  static constexpr bool is_float = std::is_same_v<input_type, float>;
  using key_type = std::conditional_t<is_float, std::int32_t, typename rule::key_type>;
  [[nodiscard]] static constexpr std::int32_t ordered(std::uint32_t u) noexcept {
    return static_cast<std::int32_t>(u ^ (static_cast<std::uint32_t>(static_cast<std::int32_t>(u) >> 31) >> 1));
  }
  [[nodiscard]] static constexpr key_type node_key(std::size_t node) noexcept {
    if constexpr (is_float) return ordered(Test::threshold_key(node));
    else return Test::threshold_key(node);
  }

  struct tables_t {
    std::array<feature_type, T * H> feature{};
    std::array<key_type, T * H> key{};
    std::array<row_type, T * L> row{};
  };
  /// Node `node` of the model at heap position h (level `level`) of tree t.
  static constexpr void place(tables_t& s, std::size_t t, std::size_t node, std::size_t h, std::size_t level) noexcept {
    if (Params::left[node] < 0) {  // a leaf: its row in every heap leaf below h
      const std::size_t span = std::size_t{1} << (D - level);
      std::size_t first = h;
      for (std::size_t l = level; l < D; ++l) first = 2 * first + 1;
      for (std::size_t i = 0; i < span; ++i)
        s.row[t * L + first - H + i] = static_cast<row_type>(Params::leaf[node]);
      return;
    }
    s.feature[t * H + h] = static_cast<feature_type>(Params::feature[node]);
    s.key[t * H + h] = node_key(node);
    place(s, t, static_cast<std::size_t>(Params::left[node]), 2 * h + 1, level + 1);
    place(s, t, static_cast<std::size_t>(Params::right[node]), 2 * h + 2, level + 1);
  }
  static constexpr tables_t make() noexcept {
    tables_t s{};
    for (std::size_t t = 0; t < T; ++t) place(s, t, static_cast<std::size_t>(Params::root[t]), 0, 0);
    return s;
  }
  static constexpr tables_t tables = make();
  CTML_FLASH static constexpr auto feature = tables.feature;
  CTML_FLASH static constexpr auto key = tables.key;
  CTML_FLASH static constexpr auto row = tables.row;
  static constexpr std::size_t data_bytes = sizeof(feature) + sizeof(key) + sizeof(row);

  template <std::size_t Level, class X>
  CTML_ALWAYS_INLINE static constexpr std::size_t walk(const X* x, const feature_type* f, const key_type* k,
                                                       std::size_t h) noexcept {
    if constexpr (Level == D) {
      return h;
    } else {
      const bool left = x[flash_load(&f[h])] <= flash_load(&k[h]);
      return walk<Level + 1>(x, f, k, 2 * h + (left ? 1 : 2));
    }
  }
  template <class X, class Row>
  CTML_ALWAYS_INLINE static constexpr void walk_all(const X* x, Row* seen) noexcept {
    const feature_type* f = feature.data();
    const key_type* k = key.data();
    const row_type* r = row.data();
    for (std::size_t t = 0; t < T; ++t, f += H, k += H, r += L) seen[t] = flash_load(&r[walk<0>(x, f, k, 0) - H]);
  }

  /// The leaf row each tree reaches.
  static constexpr void run(const input_type* x, std::array<row_type, T>& seen) noexcept {
    if constexpr (is_float) {
      std::array<std::int32_t, N> o{};
      for (std::size_t i = 0; i < N; ++i) o[i] = ordered(std::bit_cast<std::uint32_t>(x[i]));
      walk_all(o.data(), seen.data());
    } else {
      walk_all(x, seen.data());
    }
  }
};

}  // namespace ctml::boosting
