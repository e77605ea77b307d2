// Additive tree ensembles: gradient boosting (scikit-learn's GradientBoosting
// and HistGradientBoosting, XGBoost) and IsolationForest's path lengths.
//
// Every such model sums one leaf value per tree into K raw scores and decides
// on the sums. The sum decides near thresholds, so ctml redoes the framework's
// arithmetic in its order:
//   - scikit-learn: binary64, the init constant first, then `scale * value`
//     of each tree in stage order (GradientBoosting's predict_stages;
//     HistGradientBoosting adds its baseline to 0.0, then the trees);
//   - XGBoost: binary32, base margin first, then each tree's leaf in order.
// The generator emits the trees as the forests' node tables (pre-order) plus:
//   n_outputs       K raw scores; tree t adds to score t % K
//   init[K]         the raw score before the first tree
//   scale           multiplies every leaf value (sklearn's learning rate)
//   sum_bits        64 (binary64 sums) or 32 (binary32 sums)
//   strict          the node test is `x < threshold` (XGBoost), else `x <= t`
//   decision        0: the score (regressors); 1: score > decision_threshold;
//                   2: first maximum of the K scores; 3: AdaBoost (scores / divisor,
//                   then -s0 + s1 > 0 for two classes, else the first maximum);
//                   4: AdaBoostRegressor (K = n_trees: each tree's prediction,
//                   then their weighted median with weights[n_trees])
//   default_left[]  optional: where a NaN input goes at each node (missing values)
//   categorical[]   optional: per node, -1 or a row of left_categories
//                   (256-bit sets of the categories that go left) and known_categories
// Layouts: unrolled code; the forests' table; and, for threshold decisions on
// chips without a float unit, heap tables (heap.hpp, heap_decision below).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>
#include <ctml/trees/forest.hpp>
#include <ctml/trees/split.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/boosting/heap.hpp>
#include <ctml/boosting/weighted_median.hpp>

namespace ctml::boosting {

template <class Params>
concept has_missing = requires { Params::default_left[0]; };
template <class Params>
concept has_categories = requires { Params::categorical[0]; Params::left_categories[0][0]; };

/// The largest float32 below c: `x < c` is `x <= below(c)` for every float x.
[[nodiscard]] constexpr float float_below(float c) noexcept {
  if (c == 0.0f) return -std::numeric_limits<float>::denorm_min();
  const auto bits = std::bit_cast<std::uint32_t>(c);
  return std::bit_cast<float>(c > 0.0f ? bits - 1 : bits + 1);
}

/// The node test: the forests' split rule (float bits or fixed point), with
/// XGBoost's strict compare turned into `<=` and NaN routed as the model says.
template <class Params, class Policy>
struct node_test {
  using rule = trees::split_rule<Policy>;
  using input_type = typename rule::input_type;
  static constexpr bool is_float = std::is_same_v<input_type, float>;

  [[nodiscard]] static constexpr double threshold(std::size_t node) noexcept {
    if constexpr (Params::strict)
      return static_cast<double>(float_below(static_cast<float>(Params::threshold[node])));
    else
      return Params::threshold[node];
  }
  [[nodiscard]] static constexpr bool is_nan(float x) noexcept {
    return (std::bit_cast<std::uint32_t>(x) << 1) > 0xff000000u;
  }
  [[nodiscard]] static constexpr bool missing_left(std::size_t node) noexcept {
    if constexpr (has_missing<Params>) return Params::default_left[node] != 0;
    else return false;
  }

  /// The rule's key; a threshold of DBL_MAX stands for +inf (x <= inf holds
  /// for every float but NaN, x <= FLT_MAX does not for +inf).
  [[nodiscard]] static constexpr typename rule::key_type threshold_key(std::size_t node) noexcept {
    if constexpr (is_float) {
      if (threshold(node) == std::numeric_limits<double>::max())
        return std::bit_cast<typename rule::key_type>(std::numeric_limits<float>::infinity());
    }
    return rule::key(threshold(node));
  }

  /// Routed: NaN inputs were already replaced by a NaN whose sign sends them
  /// to the node's default child through the plain compare (see routed_input).
  template <std::size_t Node, bool Routed = false>
  [[nodiscard]] CTML_ALWAYS_INLINE static constexpr bool goes_left(input_type x) noexcept {
    if constexpr (has_categories<Params>) {
      if constexpr (Params::categorical[Node] >= 0) return category_left<Node>(x);
    }
    constexpr auto key = threshold_key(Node);
    if constexpr (is_float && !Routed && (has_missing<Params> || has_categories<Params>)) {
      if (is_nan(x)) return missing_left(Node);
    }
    return rule::template goes_left<key>(x);
  }

  // HistGradientBoosting's categorical split: NaN and negative values are
  // missing; the category is the value cast to uint8; listed categories go
  // left, other known ones right, unknown ones where missing values go.
  template <std::size_t Node>
  [[nodiscard]] static constexpr bool category_left(input_type x) noexcept {
    constexpr auto row = static_cast<std::size_t>(Params::categorical[Node]);
    constexpr auto known_row = static_cast<std::size_t>(Params::feature_category_row[Params::feature[Node]]);
    if constexpr (is_float) {
      if (is_nan(x) || x < 0.0f) return missing_left(Node);
    } else {
      if (x < 0) return missing_left(Node);
    }
    const auto c = static_cast<std::uint8_t>(static_cast<std::int32_t>(x));
    if (in_set(Params::left_categories[row], c)) return true;
    if (in_set(Params::known_categories[known_row], c)) return false;
    return missing_left(Node);
  }
  [[nodiscard]] static constexpr bool in_set(const std::uint32_t* set, std::uint8_t c) noexcept {
    return (flash_load(&set[c >> 5]) >> (c & 31)) & 1u;
  }
};

template <class Params>
using sum_type = std::conditional_t<Params::sum_bits == 32, float, double>;

/// What one tree adds: scale * value, rounded as the framework rounds it.
template <class Params, std::size_t Node>
inline constexpr sum_type<Params> leaf_value =
    static_cast<sum_type<Params>>(Params::scale * Params::values[static_cast<std::size_t>(Params::leaf[Node])]);

/// Whether the target adds this sum type in hardware. Where it does not
/// (Cortex-M0: neither; Cortex-M4F: no binary64), a threshold decision first
/// sums integers (see fixed_sum). Tests define CTML_FORCE_FIXED_SUMS.
/// (Target test: to move to include/ctml/arch/ once that exists.)
template <class Params>
inline constexpr bool native_sum =
#if defined(CTML_FORCE_FIXED_SUMS)
    false;
#else
    Params::sum_bits == 64 ? detail::has_binary64_unit : arch::has_binary32_unit;
#endif

/// Where the automatic layout takes the heap tables for threshold decisions
/// (heap.hpp): chips without a float unit. Tests define CTML_FORCE_FIXED_SUMS.
inline constexpr bool heap_preferred =
#if defined(CTML_FORCE_FIXED_SUMS)
    true;
#else
    !arch::has_binary32_unit;
#endif

/// Threshold decisions in integers. Every leaf value v becomes round(v * 2^s)
/// (int32; s is as large as the model's range allows). The integer sum A is
/// within n/2 + 1 units of the exact sum times 2^s, and the framework's own
/// float sum S within n * |sum| * eps of the exact sum; so A beyond
/// T * 2^s +- margin decides S > T exactly. Otherwise (near-ties only) the
/// framework's sum is redone in its type and order from the leaves reached.
template <class Params>
struct fixed_sum {
  static constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }
  static constexpr double leaf(std::size_t node) noexcept {
    return static_cast<double>(
        static_cast<sum_type<Params>>(Params::scale * Params::values[static_cast<std::size_t>(Params::leaf[node])]));
  }
  /// |init| + |threshold| + the largest |leaf| of every tree: bounds every partial sum.
  static constexpr double bound = [] {
    double b = abs(Params::init[0]) + abs(Params::decision_threshold) + 1.0;
    for (std::size_t t = 0; t < Params::n_trees; ++t) {
      const auto begin = static_cast<std::size_t>(Params::root[t]);
      const std::size_t end = t + 1 < Params::n_trees ? static_cast<std::size_t>(Params::root[t + 1]) : Params::n_nodes;
      double m = 0.0;
      for (std::size_t i = begin; i < end; ++i)
        if (Params::left[i] < 0 && abs(leaf(i)) > m) m = abs(leaf(i));
      b += m;
    }
    return b;
  }();
  static constexpr int shift = [] {  // the largest s with bound * 2^s < 2^30 (bound >= 1)
    int s = 30;
    while (bound * detail::pow2(s) >= detail::pow2(30)) --s;
    return s;
  }();
  static constexpr double unit = detail::pow2(shift);  // 2^s
  static constexpr double round(double v) noexcept {
    const double r = v * unit;  // exact: a power of two
    const auto k = static_cast<std::int64_t>(r < 0 ? r - 0.5 : r + 0.5);
    return static_cast<double>(k);
  }
  static constexpr std::int32_t fixed(double v) noexcept { return static_cast<std::int32_t>(round(v)); }
  static constexpr double eps = Params::sum_bits == 64 ? detail::pow2(-53) : detail::pow2(-24);
  /// Units of 2^-s between A and S * 2^s, at most (+2: the init's and the threshold's rounding).
  static constexpr double margin =
      static_cast<double>(Params::n_trees) / 2 + 2 + static_cast<double>(Params::n_trees + 1) * bound * unit * eps + 1;
  static constexpr std::int32_t hi = static_cast<std::int32_t>(round(Params::decision_threshold) + margin + 1);
  static constexpr std::int32_t lo = static_cast<std::int32_t>(round(Params::decision_threshold) - margin - 1);
  static constexpr std::int32_t init = fixed(Params::init[0]);
  template <std::size_t Node>
  static constexpr std::int32_t leaf_v = fixed(leaf(Node));
  static_assert(bound * unit < detail::pow2(31) && margin < detail::pow2(28), "ctml: fixed-point range");
};

/// Integer leaf values as a flash table, for the table layout.
template <class Params>
struct fixed_table {
  CTML_FLASH static constexpr std::array<std::int32_t, Params::n_values> values = [] {
    std::array<std::int32_t, Params::n_values> v{};
    for (std::size_t r = 0; r < Params::n_values; ++r)
      v[r] = fixed_sum<Params>::fixed(static_cast<double>(static_cast<sum_type<Params>>(Params::scale * Params::values[r])));
    return v;
  }();
};

/// Leaf values as a flash table, for the table layout.
template <class Params>
struct leaf_table {
  CTML_FLASH static constexpr std::array<sum_type<Params>, Params::n_values> values = [] {
    std::array<sum_type<Params>, Params::n_values> v{};
    for (std::size_t r = 0; r < Params::n_values; ++r)
      v[r] = static_cast<sum_type<Params>>(Params::scale * Params::values[r]);
    return v;
  }();
};

/// AdaBoostRegressor's estimator weights as a flash table.
template <class Params>
struct weight_table {
  CTML_FLASH static constexpr std::array<double, Params::n_trees> values = [] {
    std::array<double, Params::n_trees> v{};
    for (std::size_t t = 0; t < Params::n_trees; ++t) v[t] = Params::weights[t];
    return v;
  }();
};

/// The K raw scores as the layouts of include/ctml/trees/ fill them: tree t
/// reached leaf row r (in the table layout) adds to score t % K.
template <class Params>
struct score_sink {
  std::array<sum_type<Params>, Params::n_outputs> acc;
  constexpr void add(std::size_t t, std::size_t r) noexcept {
    acc[t % Params::n_outputs] += flash_load(&leaf_table<Params>::values[r]);
  }
};

/// The integer sum and the leaves reached, for threshold decisions.
template <class Params>
struct fixed_sink {
  using row_type = trees::uint_for<Params::n_values>;
  std::int32_t acc = fixed_sum<Params>::init;
  std::array<row_type, Params::n_trees> seen{};
  constexpr void add(std::size_t t, std::size_t r) noexcept {
    acc += flash_load(&fixed_table<Params>::values[r]);
    seen[t] = static_cast<row_type>(r);
  }
  template <std::size_t Node, std::size_t Tree>
  CTML_ALWAYS_INLINE constexpr void add_leaf() noexcept {
    acc += fixed_sum<Params>::template leaf_v<Node>;
    seen[Tree] = static_cast<row_type>(Params::leaf[Node]);
  }
  /// Params::decision: the framework's `sum > threshold`.
  [[nodiscard]] constexpr bool above() const noexcept {
    if (acc > fixed_sum<Params>::hi) return true;
    if (acc < fixed_sum<Params>::lo) return false;
    return exact_above();
  }
  /// The framework's own sum, in its type and order (near-ties only).
  [[nodiscard, gnu::cold, gnu::noinline]] constexpr bool exact_above() const noexcept {
    auto sum = static_cast<sum_type<Params>>(Params::init[0]);
    for (std::size_t t = 0; t < Params::n_trees; ++t) sum += flash_load(&leaf_table<Params>::values[seen[t]]);
    return sum > static_cast<sum_type<Params>>(Params::decision_threshold);
  }
};

/// Params::decision == 1 from the leaves reached (the heap layout): each
/// leaf value v (the framework's rounded scale * value, from the one table of
/// leaf values) becomes trunc(v * 2^s), computed from its bits; the integer
/// sum is then within n_trees + 1 units of the exact sum times 2^s, which
/// beyond the framework's own rounding error decides `sum > threshold`.
/// Near-ties redo the framework's float sum in its order, in integers
/// (detail/ieee_arith.hpp): no soft-float library.
template <class Params>
struct heap_decision {
  using Sum = fixed_sum<Params>;
  using number = sum_type<Params>;
  using bits = std::conditional_t<sizeof(number) == 8, std::uint64_t, std::uint32_t>;
  // The value's top 32 bits: sign, exponent, the fraction's high part.
  static constexpr int frac_hi = sizeof(number) == 8 ? 20 : 23;
  static constexpr int exp_offset = (sizeof(number) == 8 ? 1023 : 127) + frac_hi;
  static constexpr double max_leaf = [] {
    double m = 0.0;
    for (std::size_t r = 0; r < Params::n_values; ++r) {
      const double v = Sum::abs(static_cast<double>(static_cast<number>(Params::scale * Params::values[r])));
      m = v > m ? v : m;
    }
    return m;
  }();
  /// The scale 2^s: as fixed_sum's, and small enough that every leaf's
  /// integer part comes from its top 32 bits (|v| * 2^s < 2^frac_hi).
  static constexpr int shift = [] {
    int s = Sum::shift;
    while (max_leaf * detail::pow2(s) >= detail::pow2(frac_hi)) --s;
    return s;
  }();
  static constexpr double unit = detail::pow2(shift);
  static constexpr std::int32_t fixed(double v) noexcept {  // nearest
    const double r = v * unit;
    return static_cast<std::int32_t>(r < 0 ? r - 0.5 : r + 0.5);
  }
  /// Units of 2^-s between the integer sum and the framework's sum times 2^s:
  /// truncation (< 1 per leaf), the init's and threshold's rounding (1/2
  /// each), the framework's own float rounding.
  static constexpr double margin = static_cast<double>(Params::n_trees) + 2 +
                                   static_cast<double>(Params::n_trees + 1) * Sum::bound * unit * Sum::eps + 1;
  static constexpr std::int32_t hi = fixed(Params::decision_threshold) + static_cast<std::int32_t>(margin) + 1;
  static constexpr std::int32_t lo = fixed(Params::decision_threshold) - static_cast<std::int32_t>(margin) - 1;
  static constexpr std::int32_t init = fixed(Params::init[0]);
  static_assert(Sum::bound * unit < detail::pow2(30) && margin < detail::pow2(28), "ctml: fixed-point range");

  /// trunc(v * 2^s) from v's top 32 bits.
  [[nodiscard]] static constexpr std::int32_t leaf_fixed(std::uint32_t top) noexcept {
    const int e = static_cast<int>((top << 1) >> (32 - (sizeof(number) == 8 ? 11 : 8)));
    const int sh = exp_offset - shift - e;  // >= 0: |v| * 2^s < 2^frac_hi
    if (sh > frac_hi || e == 0) return 0;   // below one unit (subnormals too)
    const std::uint32_t m = ((top << (32 - frac_hi)) >> (32 - frac_hi)) | (std::uint32_t{1} << frac_hi);
    const auto mag = static_cast<std::int32_t>(m >> sh);
    return static_cast<std::int32_t>(top) < 0 ? -mag : mag;
  }
  [[nodiscard]] static constexpr std::uint32_t top_bits(const number* v) noexcept {
    if constexpr (sizeof(number) == 8) {
      return static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(flash_load(v)) >> 32);
    } else {
      return std::bit_cast<std::uint32_t>(flash_load(v));
    }
  }

  template <class Row, std::size_t N>
  [[nodiscard]] static constexpr bool above(const std::array<Row, N>& seen) noexcept {
    std::int32_t acc = init;
    for (std::size_t t = 0; t < N; ++t) acc += leaf_fixed(top_bits(&leaf_table<Params>::values[seen[t]]));
    if (acc > hi) return true;
    if (acc < lo) return false;
    return exact_above(seen);
  }
  /// The framework's sum, in its format and order, in integers.
  template <class Row, std::size_t N>
  [[nodiscard, gnu::noinline]] static constexpr bool exact_above(const std::array<Row, N>& seen) noexcept {
    using format = detail::ieee<bits>;
    auto sum = std::bit_cast<bits>(static_cast<number>(Params::init[0]));
    for (std::size_t t = 0; t < N; ++t)
      sum = format::add(sum, std::bit_cast<bits>(flash_load(&leaf_table<Params>::values[seen[t]])));
    return format::greater(sum, std::bit_cast<bits>(static_cast<number>(Params::decision_threshold)));
  }
};

/// Whether the forests' table layout can hold the model: plain `x <= t`
/// splits (no missing values, no categories), and large enough to need it.
template <class Params>
inline constexpr bool table_possible = !Params::strict && !has_missing<Params> && !has_categories<Params>;
template <class Params, class Layout>
inline constexpr bool use_table =
    table_possible<Params> && (std::is_same_v<Layout, table_layout> ||
                               (std::is_same_v<Layout, automatic_layout> && trees::shape<Params>::n_decisions > 2048));

/// The inputs as the nodes read them.
template <class Params, class Policy>
struct plain_input {
  using test = node_test<Params, Policy>;
  const typename test::input_type* x;
  constexpr explicit plain_input(const typename test::input_type* in) noexcept : x(in) {}
  template <std::size_t Node>
  [[nodiscard]] CTML_ALWAYS_INLINE constexpr bool left() const noexcept {
    return test::template goes_left<Node>(x[Params::feature[Node]]);
  }
};

/// Float inputs of a model with missing values, NaN routed once per input,
/// not at every node. The split rule compares float bits as integers
/// (split.hpp); a node's left set of bit patterns u, NaN included where the
/// model sends it, is then one interval of the integers mod 2^32 in two cases:
///   default left, key K >= 0: [0x7f800001 (+NaN) .. wrapping .. K]
///   default right, key K < 0: [K .. 0xff800000 (-inf)]
/// so w = u - start (one subtraction per feature) and one unsigned compare of
/// w decide (`shift` slots). In the other two cases the node reads a copy of
/// the input whose NaN got the sign that the plain compare sends the default
/// way (`copy` slots). Each (feature, form) a node needs gets one slot.
template <class Params, class Policy>
struct routed_input {
  using test = node_test<Params, Policy>;
  static constexpr std::size_t N = Params::n_features;
  enum form : std::uint8_t { shift_left, shift_right, copy_left, copy_right };
  static constexpr std::uint32_t start[2] = {0x7f800001u, 0xff800001u};  // shift_left, shift_right

  static constexpr form form_of(std::size_t node) noexcept {
    const bool negative = (test::threshold_key(node) >> 31) != 0;
    if (test::missing_left(node)) return negative ? copy_left : shift_left;
    return negative ? shift_right : copy_right;
  }
  struct slots_t {
    std::array<std::array<std::uint16_t, 4>, N> slot{};  // 0: unused, else slot + 1
    std::size_t count = 0;
  };
  static constexpr slots_t slots = [] {
    slots_t s{};
    for (std::size_t i = 0; i < Params::n_nodes; ++i) {
      if (Params::left[i] < 0) continue;
      auto& v = s.slot[static_cast<std::size_t>(Params::feature[i])][form_of(i)];
      if (v == 0) v = static_cast<std::uint16_t>(++s.count);
    }
    return s;
  }();
  std::array<std::uint32_t, (slots.count > 0 ? slots.count : 1)> w{};

  template <std::size_t F, form Form>
  CTML_ALWAYS_INLINE constexpr void fill(std::uint32_t bits) noexcept {
    constexpr auto k = slots.slot[F][Form];
    if constexpr (k != 0) {
      if constexpr (Form == shift_left || Form == shift_right) {
        w[k - 1] = bits - start[Form];
      } else {
        const bool nan = (bits << 1) > 0xff000000u;
        w[k - 1] = nan ? (Form == copy_left ? 0xffc00000u : 0x7fc00000u) : bits;
      }
    }
  }
  template <std::size_t F>
  CTML_ALWAYS_INLINE constexpr void fill_feature(const float* in) noexcept {
    constexpr auto& used = slots.slot[F];
    if constexpr (used[0] != 0 || used[1] != 0 || used[2] != 0 || used[3] != 0) {
      const auto bits = std::bit_cast<std::uint32_t>(in[F]);
      fill<F, shift_left>(bits);
      fill<F, shift_right>(bits);
      fill<F, copy_left>(bits);
      fill<F, copy_right>(bits);
    }
  }
  constexpr explicit routed_input(const float* in) noexcept {
    [&]<std::size_t... F>(std::index_sequence<F...>) { (fill_feature<F>(in), ...); }(std::make_index_sequence<N>{});
  }
  template <std::size_t Node>
  [[nodiscard]] CTML_ALWAYS_INLINE constexpr bool left() const noexcept {
    constexpr auto f = static_cast<std::size_t>(Params::feature[Node]);
    constexpr form fm = form_of(Node);
    constexpr auto key = test::threshold_key(Node);
    const std::uint32_t v = w[slots.slot[f][fm] - 1];
    if constexpr (fm == shift_left) return v <= key - start[shift_left];
    else if constexpr (fm == shift_right) return v >= key - start[shift_right];
    else return test::template goes_left<Node, true>(std::bit_cast<float>(v));
  }
};

template <class Params, class Policy>
using input_view = std::conditional_t<node_test<Params, Policy>::is_float && has_missing<Params> &&
                                          !has_categories<Params>,
                                      routed_input<Params, Policy>, plain_input<Params, Policy>>;

/// The K raw scores, init first, trees in order.
template <class Params, class Policy, class Layout = automatic_layout>
struct scores {
  using test = node_test<Params, Policy>;
  using input_type = typename test::input_type;
  using number = sum_type<Params>;
  static constexpr std::size_t K = Params::n_outputs;
  using result = std::array<number, K>;
  using table = trees::table<Params, typename test::rule>;

  using view = input_view<Params, Policy>;
  template <std::size_t Node>
  CTML_ALWAYS_INLINE static constexpr void visit(const view& x, number& acc) noexcept {
    if constexpr (Params::left[Node] < 0) {
      acc += leaf_value<Params, Node>;
    } else if (x.template left<Node>()) {
      visit<static_cast<std::size_t>(Params::left[Node])>(x, acc);
    } else {
      visit<static_cast<std::size_t>(Params::right[Node])>(x, acc);
    }
  }
  template <std::size_t... T>
  CTML_ALWAYS_INLINE static constexpr void run_trees(const view& x, result& acc, std::index_sequence<T...>) noexcept {
    (visit<static_cast<std::size_t>(Params::root[T])>(x, acc[T % K]), ...);
  }

  // The integer fast path of threshold decisions (fixed_sum).
  static constexpr bool fixed = Params::decision == 1 && K == 1 && !native_sum<Params>;
  // Automatic layout on chips without a float unit (their unrolled code is
  // the largest), no missing values or categories, shallow full trees: the
  // heap tables (heap.hpp), about 40% of the unrolled code's flash.
  static constexpr bool heap = [] {
    if constexpr (fixed && heap_preferred && std::is_same_v<Layout, automatic_layout> && !has_missing<Params> &&
                  !has_categories<Params>)
      return heap_fits<Params>;
    else
      return false;
  }();
  using heap_t = heap_layout<Params, test>;
  template <std::size_t Node, std::size_t Tree>
  CTML_ALWAYS_INLINE static constexpr void visit_fixed(const view& x, fixed_sink<Params>& sink) noexcept {
    if constexpr (Params::left[Node] < 0) {
      sink.template add_leaf<Node, Tree>();
    } else if (x.template left<Node>()) {
      visit_fixed<static_cast<std::size_t>(Params::left[Node]), Tree>(x, sink);
    } else {
      visit_fixed<static_cast<std::size_t>(Params::right[Node]), Tree>(x, sink);
    }
  }
  template <std::size_t... T>
  CTML_ALWAYS_INLINE static constexpr void run_fixed(const view& x, fixed_sink<Params>& sink,
                                                    std::index_sequence<T...>) noexcept {
    (visit_fixed<static_cast<std::size_t>(Params::root[T]), T>(x, sink), ...);
  }
  /// Params::decision == 1: whether the framework's sum exceeds the threshold.
  [[nodiscard]] static constexpr bool above(const input_type* x) noexcept {
    if constexpr (heap) {
      std::array<typename heap_t::row_type, Params::n_trees> seen{};
      heap_t::run(x, seen);
      return heap_decision<Params>::above(seen);
    } else if constexpr (fixed) {
      fixed_sink<Params> sink;
      if constexpr (use_table<Params, Layout>) table::run(x, sink);
      else run_fixed(view{x}, sink, std::make_index_sequence<Params::n_trees>{});
      return sink.above();
    } else {
      return run(x)[0] > static_cast<number>(Params::decision_threshold);
    }
  }

  [[nodiscard]] static constexpr result run(const input_type* x) noexcept {
    result acc{};
    for (std::size_t k = 0; k < K; ++k) acc[k] = static_cast<number>(Params::init[k]);
    if constexpr (use_table<Params, Layout>) {
      score_sink<Params> sink{acc};
      table::run(x, sink);
      return sink.acc;
    } else {
      run_trees(view{x}, acc, std::make_index_sequence<Params::n_trees>{});
      return acc;
    }
  }
  /// First maximum (numpy's argmax).
  [[nodiscard]] static constexpr int argmax(const result& s) noexcept {
    std::size_t best = 0;
    for (std::size_t k = 1; k < K; ++k)
      if (s[k] > s[best]) best = k;
    return static_cast<int>(best);
  }
};

/// Layouts: unrolled and automatic always; the table for plain `<=` splits.
template <class Params, class L>
concept layout_supported = std::is_same_v<L, unrolled_layout> || std::is_same_v<L, automatic_layout> ||
                           (std::is_same_v<L, table_layout> && table_possible<Params>);

template <class P>
inline constexpr bool supports_policy = std::is_same_v<P, f32> || (detail::is_fixed<P> && sizeof(typename P::value_type) <= 2);

/// Shared by the classifier, the regressor and the outlier detector.
template <class Params, ValuePolicy Policy, class Layout>
struct additive_base {
  using policy = Policy;
  using scores_t = scores<Params, Policy, Layout>;
  using in_type = typename scores_t::input_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static_assert(Params::sum_bits == 32 || Params::sum_bits == 64, "ctml: sum_bits must be 32 or 64");
  static_assert(Params::n_values >= 1 && Params::n_classes >= 1 && Params::n_outputs >= 1 && Params::n_trees >= 1,
                "ctml: a boosted model needs trees, leaf values, outputs and classes (regressors: 1)");
  static_assert(Params::decision_threshold == Params::decision_threshold && Params::scale == Params::scale,
                "ctml: decision_threshold and scale must be numbers (not NaN)");
  static_assert(arch::has_runtime_binary64 || Params::sum_bits == 32,
                "ctml: this model sums in binary64 as scikit-learn does, and AVR has no binary64 at run time; "
                "use another port");

  [[nodiscard]] static constexpr std::size_t cost() noexcept { return trees::worst_path_compares<Params>(); }
  static constexpr bool heap = scores_t::heap;
  static constexpr bool table = boosting::use_table<Params, Layout> && !heap;
  static constexpr bool fixed = scores_t::fixed;
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    std::size_t b = 0;
    if constexpr (heap) b += scores_t::heap_t::data_bytes;
    if constexpr (table) b += scores_t::table::data_bytes + (fixed ? sizeof(fixed_table<Params>::values) : 0);
    if constexpr (table || fixed) b += sizeof(leaf_table<Params>::values);
    if constexpr (Params::decision == 4) b += sizeof(weight_table<Params>::values);
    return b;
  }
  /// The tables plus the code: the heap walk, the forests' table loop, or
  /// unrolled nodes (fitted per instruction set: detail/code_size.hpp).
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    if constexpr (heap) return data_bytes() + detail::boosting_code.heap_fixed;
    else if constexpr (table) return data_bytes() + detail::target_code.table_fixed;
    else
      return data_bytes() +
             (trees::shape<Params>::n_decisions * detail::boosting_code.unrolled_decision_x10 +
              leaf_pairs * detail::boosting_code.unrolled_leaf_x10) / 10 +
             detail::boosting_code.unrolled_fixed;
  }
  /// Distinct (tree, leaf row) pairs: leaves adding the same value to the same
  /// tree's sum compile to one piece of code.
  static constexpr std::size_t leaf_pairs = [] {
    std::size_t n = 0;
    for (std::size_t t = 0; t < Params::n_trees; ++t) {
      const auto begin = static_cast<std::size_t>(Params::root[t]);
      const std::size_t end = t + 1 < Params::n_trees ? static_cast<std::size_t>(Params::root[t + 1]) : Params::n_nodes;
      for (std::size_t i = begin; i < end; ++i) {
        if (Params::left[i] >= 0) continue;
        bool seen = false;
        for (std::size_t j = begin; j < i && !seen; ++j) seen = Params::left[j] < 0 && Params::leaf[j] == Params::leaf[i];
        n += !seen;
      }
    }
    return n;
  }();
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    if constexpr (heap) return Params::n_trees * sizeof(typename scores_t::heap_t::row_type);
    else if constexpr (fixed) return sizeof(fixed_sink<Params>);
    else if constexpr (Params::decision == 4)  // the predictions and numpy's argsort order
      return sizeof(typename scores_t::result) + Params::n_trees * (Params::n_trees <= 0xff ? 1 : 2);
    else return sizeof(typename scores_t::result);
  }
  [[nodiscard]] static constexpr typename scores_t::result raw(std::span<const in_type, in_extent> x) noexcept {
    return scores_t::run(x.data());
  }
};

}  // namespace ctml::boosting

namespace ctml {

/// A boosted classifier: the index of the class in the framework's classes_.
template <class Params, ValuePolicy Policy = f32, TreeLayout Layout = automatic_layout>
struct boosted_classifier : boosting::additive_base<Params, Policy, Layout> {
  using base = boosting::additive_base<Params, Policy, Layout>;
  using typename base::in_type;
  using out_type = int;
  template <ValuePolicy P>
    requires boosting::supports_policy<P>
  using rebind = boosted_classifier<Params, P, Layout>;
  template <TreeLayout L>
    requires boosting::layout_supported<Params, L>
  using rebind_layout = boosted_classifier<Params, Policy, L>;
  static constexpr std::size_t n_classes = Params::n_classes;
  static_assert(Params::decision >= 1 && Params::decision <= 3,
                "ctml: a classifier decides by threshold (1), argmax (2) or AdaBoost's normalised vote (3)");

  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x) const noexcept {
    if constexpr (Params::decision == 1) {
      return base::scores_t::above(x.data()) ? 1 : 0;
    } else if constexpr (Params::decision == 3) {
      // AdaBoostClassifier.decision_function: the sums divided by the sum of
      // the estimator weights; two classes: -s0 + s1 > 0.
      auto s = base::raw(x);
      for (auto& v : s) v = v / Params::divisor;
      if constexpr (Params::n_outputs == 2) return -s[0] + s[1] > 0 ? 1 : 0;
      else return base::scores_t::argmax(s);
    } else {
      return base::scores_t::argmax(base::raw(x));
    }
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

/// A boosted regressor: the raw score (sklearn's and XGBoost's predict).
template <class Params, ValuePolicy Policy = f32, TreeLayout Layout = automatic_layout>
struct boosted_regressor : boosting::additive_base<Params, Policy, Layout> {
  using base = boosting::additive_base<Params, Policy, Layout>;
  using typename base::in_type;
  using out_type = double;
  template <ValuePolicy P>
    requires boosting::supports_policy<P>
  using rebind = boosted_regressor<Params, P, Layout>;
  template <TreeLayout L>
    requires boosting::layout_supported<Params, L>
  using rebind_layout = boosted_regressor<Params, Policy, L>;
  static constexpr bool median = Params::decision == 4;
  static_assert((Params::decision == 0 && Params::n_outputs == 1) || (median && Params::n_outputs == Params::n_trees),
                "ctml: a regressor returns its one score (decision 0) or the weighted median of its n_trees "
                "predictions (decision 4, n_outputs == n_trees)");

  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x) const noexcept {
    if constexpr (median) return boosting::weighted_median<boosting::weight_table<Params>>(base::raw(x));
    else return static_cast<double>(base::raw(x)[0]);
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<double, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

}  // namespace ctml
