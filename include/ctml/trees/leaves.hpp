// What a tree ensemble does at its leaves, with scikit-learn's arithmetic.
//
// Classifiers: sklearn sums the trees' probability rows (value / value.sum())
// in double, in tree order, divides by the number of trees and takes the first
// maximum. ctml adds the rows as unsigned fixed-point integers instead (one
// integer add per non-zero class), which gives the same answer whenever the
// best class wins by more than the rounding of those integers can hide:
//   - if every row is exactly representable (pure leaves, halves, ...) the
//     integer sums are exact, and so are sklearn's double sums: same argmax;
//   - otherwise a win by less than `margin` units re-does sklearn's double
//     arithmetic for that input (rare: near-ties only), so the result is
//     sklearn's in every case.
// Regressors: the leaf values are summed in double in tree order and divided
// by the number of trees, exactly as sklearn does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::trees {

/// The narrowest unsigned type that holds `max`.
template <std::size_t Max>
using uint_for = std::conditional_t<(Max <= 0xff), std::uint8_t,
                                    std::conditional_t<(Max <= 0xffff), std::uint16_t, std::uint32_t>>;

[[nodiscard]] constexpr int bit_width(std::size_t v) noexcept {
  int n = 0;
  for (; v != 0; v >>= 1) ++n;
  return n;
}

/// Derived, de-duplicated leaf rows of a classifier ensemble.
template <class Params>
struct class_rows {
  static constexpr std::size_t n_rows = Params::n_values;
  static constexpr std::size_t n_classes = Params::n_classes;
  static constexpr std::size_t n_trees = Params::n_trees;

  static constexpr double total(std::size_t r) noexcept {
    double s = 0.0;
    for (std::size_t c = 0; c < n_classes; ++c) s += Params::values[r][c];
    return s;
  }
  /// sklearn's predict_proba row entry.
  static constexpr double proba(std::size_t r, std::size_t c) noexcept {
    const double t = total(r);
    return t == 0.0 ? Params::values[r][c] : Params::values[r][c] / t;
  }

  // Votes are 32-bit fixed point: the low `index_bits` hold n_classes-1-c,
  // so all sums differ and the first maximum is a plain maximum; above them,
  // `frac_bits` of probability, with room for the sum of n_trees rows.
  static constexpr int index_bits = bit_width(n_classes - 1);
  static constexpr int frac_bits = 30 - bit_width(n_trees - 1) - index_bits;
  static_assert(frac_bits >= 8, "ctml: too many trees times classes for 32-bit votes");
  using acc_type = std::uint32_t;
  static constexpr double one = detail::pow2(frac_bits);

  static constexpr acc_type quantised(std::size_t r, std::size_t c) noexcept {
    const double v = proba(r, c) * one;  // exact: scaling by a power of two
    auto k = static_cast<acc_type>(v);
    if (v - static_cast<double>(k) >= 0.5) ++k;
    return static_cast<acc_type>(k << index_bits);
  }
  static constexpr std::size_t count_entries() noexcept {
    std::size_t n = 0;
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c) n += Params::values[r][c] != 0.0;
    return n;
  }
  static constexpr std::size_t n_entries = count_entries();

  // Exactness of the integer path.
  static constexpr bool all_exact() noexcept {
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c)
        if (static_cast<double>(quantised(r, c) >> index_bits) != proba(r, c) * one) return false;
    return true;
  }
  static constexpr bool exact = all_exact();
  /// Each row entry is off by at most half a unit, so two class sums are off by
  /// at most n_trees units; +2 absorbs the rounding of sklearn's double sums,
  /// the index bits the rest.
  static constexpr acc_type margin = static_cast<acc_type>(((n_trees + 2) << index_bits) + (1u << index_bits));
  /// The largest possible sum of all classes' votes.
  static constexpr acc_type most_votes = [] {
    acc_type most = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      acc_type sum = 0;
      for (std::size_t c = 0; c < n_classes; ++c) sum += quantised(r, c);
      most = sum > most ? sum : most;
    }
    return static_cast<acc_type>(most * n_trees + (1u << index_bits));
  }();
  /// Initial votes: the class index, reversed, in the low bits.
  static constexpr std::array<acc_type, n_classes> initial_votes = [] {
    std::array<acc_type, n_classes> v{};
    for (std::size_t c = 0; c < n_classes; ++c) v[c] = static_cast<acc_type>(n_classes - 1 - c);
    return v;
  }();

  // Counts are stored as small integers when they are integers (the usual
  // case), so sklearn's double probabilities can be recomputed on demand.
  static constexpr bool integral_counts() noexcept {
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c) {
        const double v = Params::values[r][c];
        if (v < 0 || v > 65535.0 || v != static_cast<double>(static_cast<std::uint32_t>(v))) return false;
      }
    return true;
  }
  static constexpr std::size_t max_total() noexcept {
    double m = 0;
    for (std::size_t r = 0; r < n_rows; ++r) m = total(r) > m ? total(r) : m;
    return static_cast<std::size_t>(m);
  }
  using count_type = std::conditional_t<integral_counts() && (max_total() <= 0xffffffffu),
                                        uint_for<integral_counts() ? max_total() : 0>, double>;
  using class_type = uint_for<n_classes>;
  using index_type = uint_for<n_entries>;

  /// Sparse rows: the non-zero entries of row r are [begin[r], begin[r + 1]).
  struct tables_t {
    std::array<index_type, n_rows + 1> begin{};
    std::array<class_type, n_entries> cls{};
    std::array<acc_type, n_entries> value{};
    std::array<count_type, n_entries> count{};
    std::array<count_type, n_rows> total{};
  };
  static constexpr tables_t make() noexcept {
    tables_t t{};
    std::size_t e = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      t.begin[r] = static_cast<index_type>(e);
      t.total[r] = static_cast<count_type>(total(r));
      for (std::size_t c = 0; c < n_classes; ++c) {
        if (Params::values[r][c] == 0.0) continue;
        t.cls[e] = static_cast<class_type>(c);
        t.value[e] = quantised(r, c);
        t.count[e] = static_cast<count_type>(Params::values[r][c]);
        ++e;
      }
    }
    t.begin[n_rows] = static_cast<index_type>(e);
    return t;
  }
  CTML_FLASH static constexpr tables_t tables = make();

  // Compile-time view of one row for unrolled code.
  template <std::size_t R>
  struct row {
    static constexpr std::size_t begin = tables.begin[R];
    static constexpr std::size_t end = tables.begin[R + 1];
  };

  /// Bytes of the sparse tables a layout keeps in flash.
  static constexpr std::size_t value_bytes = sizeof(tables.begin) + sizeof(tables.cls) + sizeof(tables.value);
  static constexpr std::size_t exact_bytes =
      exact ? 0 : sizeof(tables.begin) + sizeof(tables.cls) + sizeof(tables.count) + sizeof(tables.total);
};

/// Accumulates one input's leaf rows and picks the class as sklearn does.
template <class Params>
class class_votes {
  using rows = class_rows<Params>;
  using acc_type = typename rows::acc_type;
  using row_index = uint_for<Params::n_values>;
  std::array<acc_type, Params::n_classes> acc_ = rows::initial_votes;
  // The rows reached, kept for sklearn's double arithmetic on near-ties.
  [[no_unique_address]] std::conditional_t<rows::exact, no_state, std::array<row_index, Params::n_trees>> seen_{};


 public:
  static constexpr std::size_t ram_bytes = sizeof(acc_) + (rows::exact ? 0 : Params::n_trees * sizeof(row_index));

  /// Tree t reached leaf row R (known at compile time: constants in code).
  template <std::size_t R>
  constexpr void add([[maybe_unused]] std::size_t t) noexcept {
    if constexpr (!rows::exact) seen_[t] = static_cast<row_index>(R);
    [this]<std::size_t... E>(std::index_sequence<E...>) {
      constexpr std::size_t b = rows::template row<R>::begin;
      ((acc_[rows::tables.cls[b + E]] += rows::tables.value[b + E]), ...);
    }(std::make_index_sequence<rows::template row<R>::end - rows::template row<R>::begin>{});
  }

  /// Tree t reached leaf row r (read from the flash tables).
  constexpr void add(std::size_t t, std::size_t r) noexcept {
    if constexpr (!rows::exact) seen_[t] = static_cast<row_index>(r);
    else (void)t;
    const std::size_t end = flash_load(&rows::tables.begin[r + 1]);
    for (std::size_t e = flash_load(&rows::tables.begin[r]); e < end; ++e)
      acc_[flash_load(&rows::tables.cls[e])] += flash_load(&rows::tables.value[e]);
  }

  [[nodiscard]] constexpr int winner() const noexcept {
    // Folds over the classes, so the compiler emits straight-line code.
    return [this]<std::size_t... C>(std::index_sequence<C...>) {
      acc_type top = 0;  // all votes differ: the maximum is numpy's first argmax
      ((top = acc_[C] > top ? acc_[C] : top), ...);
      const auto best = static_cast<int>(Params::n_classes - 1 - (top & ((1u << rows::index_bits) - 1)));
      if constexpr (!rows::exact) {
        // A class holding more than half of all votes by the margin wins in
        // sklearn's doubles too; otherwise look for a class within the margin.
        if (top > rows::most_votes + rows::margin - top) return best;
        const acc_type floor = top > rows::margin ? top - rows::margin : 0;
        if ((unsigned{acc_[C] >= floor} + ...) > 1) return sklearn_winner();
      }
      return best;
    }(std::make_index_sequence<Params::n_classes>{});
  }

  /// sklearn's own arithmetic: double probabilities summed in tree order,
  /// divided by the number of trees, first maximum. Chips without a binary64
  /// unit use ctml's integer binary64 for integer counts (the usual case);
  /// both round identically, so every chip gives sklearn's answer.
  [[nodiscard]] constexpr int sklearn_winner() const noexcept {
    using number = std::conditional_t<detail::has_binary64_unit || std::is_floating_point_v<typename rows::count_type>,
                                      double, detail::binary64>;
    std::array<number, Params::n_classes> sum{};
    if constexpr (!rows::exact) {
      for (std::size_t t = 0; t < Params::n_trees; ++t) {
        const std::size_t r = seen_[t];
        const auto total = flash_load(&rows::tables.total[r]);
        const std::size_t end = flash_load(&rows::tables.begin[r + 1]);
        for (std::size_t e = flash_load(&rows::tables.begin[r]); e < end; ++e) {
          const auto count = flash_load(&rows::tables.count[e]);
          auto& s = sum[flash_load(&rows::tables.cls[e])];
          if constexpr (std::is_same_v<number, double>)
            s += total == 0 ? static_cast<double>(count) : static_cast<double>(count) / static_cast<double>(total);
          else s = s + detail::binary64::ratio(count, total, 0);
        }
      }
    }
    std::size_t best = 0;
    for (std::size_t c = 0; c < Params::n_classes; ++c) {
      if constexpr (std::is_same_v<number, double>) sum[c] /= static_cast<double>(Params::n_trees);
      else sum[c] = sum[c].divided_by(Params::n_trees);
    }
    for (std::size_t c = 1; c < Params::n_classes; ++c)
      if (sum[c] > sum[best]) best = c;
    return static_cast<int>(best);
  }
};

/// Leaf values of a regressor ensemble, de-duplicated, in flash.
template <class Params>
struct value_rows {
  static constexpr std::array<double, Params::n_values> make() noexcept {
    std::array<double, Params::n_values> t{};
    for (std::size_t r = 0; r < Params::n_values; ++r) t[r] = Params::values[r][0];
    return t;
  }
  CTML_FLASH static constexpr std::array<double, Params::n_values> table = make();
  static constexpr std::size_t bytes = sizeof(table);
};

/// sklearn's regressor average: leaf values summed in double in tree order.
template <class Params>
class value_sum {
  double sum_ = 0.0;

 public:
  static constexpr std::size_t ram_bytes = sizeof(double);
  template <std::size_t R>
  constexpr void add(std::size_t) noexcept { sum_ += Params::values[R][0]; }
  constexpr void add(std::size_t, std::size_t r) noexcept { sum_ += flash_load(&value_rows<Params>::table[r]); }
  [[nodiscard]] constexpr double result() const noexcept { return sum_ / static_cast<double>(Params::n_trees); }
};

}  // namespace ctml::trees
