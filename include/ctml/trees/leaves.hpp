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
//     sklearn's in every case, on every chip (ctml's integer binary64 where
//     there is no double unit).
// Regressors: the leaf values are summed in double in tree order and divided
// by the number of trees, exactly as sklearn does.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
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

/// numpy's pairwise summation (`np.add.reduce` over a contiguous axis):
/// plain below 8 values, 8 interleaved partial sums up to 128, halves above.
/// The order matters from 8 classes on: sums of the same values in another
/// order can differ in the last bit, and so can the probabilities.
constexpr double numpy_sum(const double* a, std::size_t n) noexcept {
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    double r[8] = {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]};
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return numpy_sum(a, half) + numpy_sum(a + half, n - half);
}

/// A single DecisionTreeClassifier predicts the first maximum of its leaf's
/// raw (weighted) values, not of the normalised row: as votes, a row of one
/// 1 at that class (Params::raw_argmax, docs/generated-header.md).
template <class Params>
struct argmax_rows : Params {
  using row = std::array<double, Params::n_classes>;
  static constexpr std::array<row, Params::n_values> values = [] {
    std::array<row, Params::n_values> v{};
    for (std::size_t r = 0; r < Params::n_values; ++r) {
      std::size_t best = 0;
      for (std::size_t c = 1; c < Params::n_classes; ++c)
        if (Params::values[r][c] > Params::values[r][best]) best = c;
      v[r][best] = 1.0;
    }
    return v;
  }();
};

template <class Params>
constexpr bool raw_argmax() noexcept {
  if constexpr (requires { Params::raw_argmax; }) return Params::raw_argmax;
  else return false;
}

/// Derived leaf rows of a classifier ensemble, as sparse tables in flash.
/// `Compact` (the table layout) stores 16-bit votes; unrolled code holds its
/// votes as immediates and keeps 30 bits of precision.
template <class Params, bool Compact>
struct class_rows {
  static constexpr std::size_t n_rows = Params::n_values;
  static constexpr std::size_t n_classes = Params::n_classes;
  static constexpr std::size_t n_trees = Params::n_trees;

  /// The row's sum as numpy's `sum(axis=1)` computes it (pairwise from 8 classes).
  static constexpr double total(std::size_t r) noexcept { return 0.0 + numpy_sum(&Params::values[r][0], n_classes); }
  /// sklearn's predict_proba entry (a zero row stays as it is, as in sklearn).
  static constexpr double proba(std::size_t r, std::size_t c) noexcept {
    const double t = total(r);
    return t == 0.0 ? Params::values[r][c] : Params::values[r][c] / t;
  }

  /// Integer counts (the usual case) up to 65535 can be stored as such.
  static constexpr bool integral_counts = [] {
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c) {
        const double v = Params::values[r][c];
        if (!(v >= 0 && v <= 65535.0) || v != static_cast<double>(static_cast<std::uint32_t>(v))) return false;
      }
    for (std::size_t r = 0; r < n_rows; ++r)
      if (total(r) > 65535.0) return false;
    return true;
  }();
  /// The table layout stores counts and derives votes and probabilities from them.
  static constexpr bool from_counts = Compact && integral_counts;

  // Votes are 32-bit fixed point: the low `index_bits` hold n_classes-1-c,
  // so all sums differ and the first maximum is a plain maximum; above them,
  // `frac_bits` of probability, with room for the sum of n_trees rows.
  static constexpr int index_bits = bit_width(n_classes - 1);
  static constexpr int room = 30 - bit_width(n_trees - 1) - index_bits;
  static constexpr int frac_bits = Compact && room > 15 ? 15 : room;
  static_assert(frac_bits >= 8,
                "ctml: too many trees times classes for 32-bit votes (fewer than 8 bits of probability left): "
                "use fewer trees or merge classes");
  using acc_type = std::uint32_t;
  using value_type = std::conditional_t<Compact, std::uint16_t, std::uint32_t>;  // a vote, before the index shift
  static constexpr double one = detail::pow2(frac_bits);

  static constexpr value_type vote(std::size_t r, std::size_t c) noexcept {
    if constexpr (from_counts) {
      return count_vote(static_cast<std::uint16_t>(Params::values[r][c]), static_cast<std::uint16_t>(total(r)));
    } else {
      const double v = proba(r, c) * one;  // exact: scaling by a power of two
      auto k = static_cast<value_type>(v);
      if (v - static_cast<double>(k) >= 0.5) ++k;
      return k;
    }
  }
  /// The table layout computes votes from the counts it stores anyway: a
  /// division for impure leaves only, and 0.5 unit more rounding.
  static constexpr value_type count_vote(std::uint16_t count, std::uint16_t total) noexcept {
    if (count == total) return static_cast<value_type>(1u << frac_bits);
    return static_cast<value_type>((static_cast<std::uint32_t>(count) << frac_bits) / total);
  }

  /// Whether the integer votes are exactly sklearn's probabilities.
  static constexpr bool exact = [] {
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c)
        if (static_cast<double>(vote(r, c)) != proba(r, c) * one) return false;
    return true;
  }();
  /// Each vote is off by at most half a unit (a unit when computed from counts),
  /// so two class sums are off by at most n_trees units (twice that); +2
  /// absorbs the rounding of sklearn's double sums.
  static constexpr acc_type margin = static_cast<acc_type>(((from_counts ? 2 : 1) * n_trees + 2) << index_bits);
  /// The largest possible sum of all classes' votes.
  static constexpr acc_type most_votes = [] {
    std::size_t most = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      std::size_t sum = 0;
      for (std::size_t c = 0; c < n_classes; ++c) sum += vote(r, c);
      most = sum > most ? sum : most;
    }
    return static_cast<acc_type>((most * n_trees + 1) << index_bits);
  }();
  // Sparse rows: the non-zero entries of row r are [row_begin[r], row_begin[r + 1]).
  static constexpr std::size_t n_entries = [] {
    std::size_t n = 0;
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c) n += Params::values[r][c] != 0.0;
    return n;
  }();
  using entry_index = uint_for<n_entries>;
  using class_type = uint_for<n_classes>;

  template <class T, class F>
  static constexpr std::array<T, n_entries> per_entry(F f) noexcept {
    std::array<T, n_entries> a{};
    std::size_t e = 0;
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t c = 0; c < n_classes; ++c)
        if (Params::values[r][c] != 0.0) a[e++] = f(r, c);
    return a;
  }
  CTML_FLASH static constexpr std::array<entry_index, n_rows + 1> row_begin = [] {
    std::array<entry_index, n_rows + 1> b{};
    std::size_t e = 0;
    for (std::size_t r = 0; r < n_rows; ++r) {
      b[r] = static_cast<entry_index>(e);
      for (std::size_t c = 0; c < n_classes; ++c) e += Params::values[r][c] != 0.0;
    }
    b[n_rows] = static_cast<entry_index>(e);
    return b;
  }();
  CTML_FLASH static constexpr auto entry_class =
      per_entry<class_type>([](std::size_t, std::size_t c) { return static_cast<class_type>(c); });
  CTML_FLASH static constexpr auto entry_vote = per_entry<value_type>(vote);

  // sklearn's probabilities for the exact path: as IEEE bits, or (smaller)
  // as the integer counts they are computed from.
  CTML_FLASH static constexpr auto entry_proba_bits =
      per_entry<std::uint64_t>([](std::size_t r, std::size_t c) { return std::bit_cast<std::uint64_t>(proba(r, c)); });
  CTML_FLASH static constexpr auto entry_count = per_entry<std::uint16_t>(
      [](std::size_t r, std::size_t c) { return static_cast<std::uint16_t>(integral_counts ? Params::values[r][c] : 0); });
  CTML_FLASH static constexpr std::array<std::uint16_t, n_rows> row_total = [] {
    std::array<std::uint16_t, n_rows> t{};
    for (std::size_t r = 0; r < n_rows; ++r) t[r] = static_cast<std::uint16_t>(integral_counts ? total(r) : 0);
    return t;
  }();
  /// Flash of the tables a layout reads (those not read are not linked).
  static constexpr std::size_t flash_bytes(bool reads_votes) noexcept {
    std::size_t b = 0;
    if (reads_votes || !exact) b += sizeof(row_begin) + sizeof(entry_class);
    if (from_counts) return b + ((reads_votes || !exact) ? sizeof(entry_count) + sizeof(row_total) : 0);
    if (reads_votes) b += sizeof(entry_vote);
    if (!exact) b += sizeof(entry_proba_bits);
    return b;
  }
};

/// Accumulates one input's leaf rows and picks the class as sklearn does.
template <class Params, bool Compact>
class class_votes {
 public:
  using rows = class_rows<Params, Compact>;

 private:
  using acc_type = typename rows::acc_type;
  using row_index = uint_for<Params::n_values>;
  // Each class starts with its index, reversed, in the low bits (see class_rows).
  std::array<acc_type, Params::n_classes> acc_ = []<std::size_t... C>(std::index_sequence<C...>) {
    return std::array<acc_type, Params::n_classes>{static_cast<acc_type>(Params::n_classes - 1 - C)...};
  }(std::make_index_sequence<Params::n_classes>{});
  // The rows reached, kept for sklearn's double arithmetic on near-ties.
  [[no_unique_address]] std::conditional_t<rows::exact, no_state, std::array<row_index, Params::n_trees>> seen_{};

 public:
  static constexpr std::size_t ram_bytes = sizeof(acc_) + (rows::exact ? 0 : Params::n_trees * sizeof(row_index));

  template <std::size_t R, std::size_t C>
  static constexpr acc_type vote_v = static_cast<acc_type>(static_cast<acc_type>(rows::vote(R, C)) << rows::index_bits);

  /// Tree t reached leaf row R (known at compile time: constants in code).
  template <std::size_t R>
  constexpr void add([[maybe_unused]] std::size_t t) noexcept {
    if constexpr (!rows::exact) seen_[t] = static_cast<row_index>(R);
    [this]<std::size_t... C>(std::index_sequence<C...>) {
      ((vote_v<R, C> != 0 ? void(acc_[C] += vote_v<R, C>) : void()), ...);
    }(std::make_index_sequence<Params::n_classes>{});
  }

  /// Tree t reached leaf row r (read from the flash tables).
  constexpr void add(std::size_t t, std::size_t r) noexcept {
    if constexpr (!rows::exact) seen_[t] = static_cast<row_index>(r);
    else (void)t;
    const std::size_t end = flash_load(&rows::row_begin[r + 1]);
    for (std::size_t e = flash_load(&rows::row_begin[r]); e < end; ++e) {
      acc_type vote;
      if constexpr (rows::from_counts)
        vote = rows::count_vote(flash_load(&rows::entry_count[e]), flash_load(&rows::row_total[r]));
      else
        vote = flash_load(&rows::entry_vote[e]);
      acc_[flash_load(&rows::entry_class[e])] += vote << rows::index_bits;
    }
  }

  /// The average of the trees' probability rows, from the votes.
  constexpr void probabilities(std::span<float, Params::n_classes> out) const noexcept {
    constexpr float scale = static_cast<float>(rows::one * static_cast<double>(Params::n_trees));
    for (std::size_t c = 0; c < Params::n_classes; ++c)
      out[c] = static_cast<float>(acc_[c] >> rows::index_bits) / scale;
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
        if ((unsigned{acc_[C] >= floor} + ...) > 1) return sklearn_winner(floor);
      }
      return best;
    }(std::make_index_sequence<Params::n_classes>{});
  }

 private:
  // sklearn's double arithmetic: the target's double unit, or ctml's integer
  // binary64 (identical results) where there is none.
  struct native {
    using number = double;
    static constexpr double ratio(std::uint16_t count, std::uint16_t total) noexcept {
      return static_cast<double>(count) / total;
    }
    static constexpr double from_bits(std::uint64_t bits) noexcept { return std::bit_cast<double>(bits); }
    static constexpr bool near_below(double, double) noexcept { return true; }  // dividing is cheap
    static constexpr double divide(double v) noexcept { return v / static_cast<double>(Params::n_trees); }
  };
  struct integer {
    using number = detail::binary64;
    static constexpr number ratio(std::uint16_t count, std::uint16_t total) noexcept {
      return number::ratio(count, total, 0);
    }
    static constexpr number from_bits(std::uint64_t bits) noexcept { return number::from_bits(bits); }
    static constexpr bool near_below(number a, number b) noexcept { return number::near_below(a, b); }
    static constexpr number divide(number v) noexcept { return v.divided_by(Params::n_trees); }
  };
  using arith = std::conditional_t<detail::has_binary64_unit, native, integer>;
  using number = typename arith::number;

  static constexpr number probability(std::size_t entry, std::size_t row) noexcept {
    if constexpr (rows::from_counts)
      return arith::ratio(flash_load(&rows::entry_count[entry]), flash_load(&rows::row_total[row]));
    else
      return arith::from_bits(flash_load(&rows::entry_proba_bits[entry]));
  }

  /// sklearn's own arithmetic: probabilities summed in double in tree order,
  /// divided by the number of trees, first maximum. Only the classes whose
  /// votes reach `floor` can win; the others are skipped. Rare: compiled for size.
  [[nodiscard, gnu::cold, gnu::noinline]] constexpr int sklearn_winner(acc_type floor) const noexcept {
    std::array<number, Params::n_classes> sum{};
    if constexpr (!rows::exact) {
      for (std::size_t t = 0; t < Params::n_trees; ++t) {
        const std::size_t r = seen_[t];
        const std::size_t end = flash_load(&rows::row_begin[r + 1]);
        for (std::size_t e = flash_load(&rows::row_begin[r]); e < end; ++e) {
          const std::size_t c = flash_load(&rows::entry_class[e]);
          if (acc_[c] >= floor) sum[c] = sum[c] + probability(e, r);
        }
      }
    }
    // Division by n keeps the order of the sums but may merge two of them:
    // then the earlier class wins. Only classes before the best sum can.
    std::size_t best = Params::n_classes;
    for (std::size_t c = 0; c < Params::n_classes; ++c)
      if (acc_[c] >= floor && (best == Params::n_classes || sum[c] > sum[best])) best = c;
    for (std::size_t c = 0; c < best; ++c)
      if (acc_[c] >= floor && arith::near_below(sum[c], sum[best]) &&
          arith::divide(sum[c]) == arith::divide(sum[best]))
        return static_cast<int>(c);
    return static_cast<int>(best);
  }
};

/// Leaf values of a regressor ensemble, de-duplicated, in flash.
template <class Params>
struct value_rows {
  CTML_FLASH static constexpr std::array<double, Params::n_values> table = [] {
    std::array<double, Params::n_values> t{};
    for (std::size_t r = 0; r < Params::n_values; ++r) t[r] = Params::values[r][0];
    return t;
  }();
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
