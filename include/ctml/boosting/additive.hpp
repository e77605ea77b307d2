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
//                   2: first maximum of the K scores
//   default_left[]  optional: where a NaN input goes at each node (missing values)
//   categorical[]   optional: per node, -1 or a row of left_categories
//                   (256-bit sets of the categories that go left) and known_categories
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

  template <std::size_t Node>
  [[nodiscard]] CTML_ALWAYS_INLINE static constexpr bool goes_left(input_type x) noexcept {
    if constexpr (has_categories<Params>) {
      if constexpr (Params::categorical[Node] >= 0) return category_left<Node>(x);
    }
    constexpr auto key = threshold_key(Node);
    if constexpr (is_float && (has_missing<Params> || has_categories<Params>)) {
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

/// The K raw scores as the layouts of include/ctml/trees/ fill them: tree t
/// reached leaf row r (in the table layout) adds to score t % K.
template <class Params>
struct score_sink {
  std::array<sum_type<Params>, Params::n_outputs> acc;
  constexpr void add(std::size_t t, std::size_t r) noexcept {
    acc[t % Params::n_outputs] += flash_load(&leaf_table<Params>::values[r]);
  }
};

/// Whether the forests' table layout can hold the model: plain `x <= t`
/// splits (no missing values, no categories), and large enough to need it.
template <class Params>
inline constexpr bool use_table = !Params::strict && !has_missing<Params> && !has_categories<Params> &&
                                  trees::shape<Params>::n_decisions > 2048;

/// The K raw scores, init first, trees in order.
template <class Params, class Policy>
struct scores {
  using test = node_test<Params, Policy>;
  using input_type = typename test::input_type;
  using number = sum_type<Params>;
  static constexpr std::size_t K = Params::n_outputs;
  using result = std::array<number, K>;
  using table = trees::table<Params, typename test::rule>;

  template <std::size_t Node>
  CTML_ALWAYS_INLINE static constexpr void visit(const input_type* x, number& acc) noexcept {
    if constexpr (Params::left[Node] < 0) {
      acc += leaf_value<Params, Node>;
    } else if (test::template goes_left<Node>(x[Params::feature[Node]])) {
      visit<static_cast<std::size_t>(Params::left[Node])>(x, acc);
    } else {
      visit<static_cast<std::size_t>(Params::right[Node])>(x, acc);
    }
  }
  template <std::size_t... T>
  CTML_ALWAYS_INLINE static constexpr void run_trees(const input_type* x, result& acc,
                                                    std::index_sequence<T...>) noexcept {
    (visit<static_cast<std::size_t>(Params::root[T])>(x, acc[T % K]), ...);
  }
  [[nodiscard]] static constexpr result run(const input_type* x) noexcept {
    result acc{};
    for (std::size_t k = 0; k < K; ++k) acc[k] = static_cast<number>(Params::init[k]);
    if constexpr (use_table<Params>) {
      score_sink<Params> sink{acc};
      table::run(x, sink);
      return sink.acc;
    } else {
      run_trees(x, acc, std::make_index_sequence<Params::n_trees>{});
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

template <class P>
inline constexpr bool supports_policy = std::is_same_v<P, f32> || (detail::is_fixed<P> && sizeof(typename P::value_type) <= 2);

/// Shared by the classifier, the regressor and the outlier detector.
template <class Params, ValuePolicy Policy>
struct additive_base {
  using policy = Policy;
  using scores_t = scores<Params, Policy>;
  using in_type = typename scores_t::input_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static_assert(Params::sum_bits == 32 || Params::sum_bits == 64, "ctml: sum_bits must be 32 or 64");
  static_assert(Params::n_values >= 1 && Params::n_classes >= 1 && Params::n_outputs >= 1 && Params::n_trees >= 1,
                "ctml: a boosted model needs trees, leaf values, outputs and classes (regressors: 1)");
#if defined(__AVR__)
  static_assert(Params::sum_bits == 32,
                "ctml: this model sums in binary64 as scikit-learn does, and AVR has no binary64 at run time; "
                "use another port");
#endif

  [[nodiscard]] static constexpr std::size_t cost() noexcept { return trees::worst_path_compares<Params>(); }
  static constexpr bool table = boosting::use_table<Params>;
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    if constexpr (table) return scores_t::table::data_bytes + sizeof(leaf_table<Params>::values);
    else return 0;
  }
  /// Unrolled code (per node as the forests) or the table, plus the sums' arithmetic.
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    if constexpr (table) return data_bytes() + detail::target_code.table_fixed;
    else return Params::n_nodes * detail::target_code.unrolled_node_x10 / 10 + detail::target_code.unrolled_exact_fixed;
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return sizeof(typename scores_t::result);
  }
  [[nodiscard]] static constexpr typename scores_t::result raw(std::span<const in_type, in_extent> x) noexcept {
    return scores_t::run(x.data());
  }
};

}  // namespace ctml::boosting

namespace ctml {

/// A boosted classifier: the index of the class in the framework's classes_.
template <class Params, ValuePolicy Policy = f32>
struct boosted_classifier : boosting::additive_base<Params, Policy> {
  using base = boosting::additive_base<Params, Policy>;
  using typename base::in_type;
  using out_type = int;
  template <ValuePolicy P>
    requires boosting::supports_policy<P>
  using rebind = boosted_classifier<Params, P>;
  static constexpr std::size_t n_classes = Params::n_classes;
  static_assert(Params::decision == 1 || Params::decision == 2, "ctml: a classifier decides by threshold or argmax");

  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x) const noexcept {
    const auto s = base::raw(x);
    if constexpr (Params::decision == 1)
      return s[0] > static_cast<typename base::scores_t::number>(Params::decision_threshold) ? 1 : 0;
    else
      return base::scores_t::argmax(s);
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

/// A boosted regressor: the raw score (sklearn's and XGBoost's predict).
template <class Params, ValuePolicy Policy = f32>
struct boosted_regressor : boosting::additive_base<Params, Policy> {
  using base = boosting::additive_base<Params, Policy>;
  using typename base::in_type;
  using out_type = double;
  template <ValuePolicy P>
    requires boosting::supports_policy<P>
  using rebind = boosted_regressor<Params, P>;
  static_assert(Params::decision == 0 && Params::n_outputs == 1, "ctml: a regressor returns its one score");

  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x) const noexcept {
    return static_cast<double>(base::raw(x)[0]);
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<double, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

}  // namespace ctml
