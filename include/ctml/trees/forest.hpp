// Tree ensembles from scikit-learn: DecisionTree, RandomForest and ExtraTrees
// classifiers and regressors (a single tree is a forest of one).
//
// Parameters are the generator's data (docs/generated-header.md); everything
// else (float32 or integer thresholds, the layout, leaf tables, sizes) is
// derived here at compile time. With any policy and layout the decisions are
// scikit-learn's: `x <= threshold` on the input as float32.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/arch.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/scalers.hpp>
#include <ctml/stage.hpp>
#include <ctml/trees/layouts.hpp>
#include <ctml/trees/leaves.hpp>
#include <ctml/trees/split.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy, TreeLayout Layout, class Map>
struct forest_classifier;
template <class Params, ValuePolicy Policy, TreeLayout Layout, class Map>
struct forest_regressor;

namespace trees {

/// Depth of the deepest leaf (a root leaf has depth 0).
template <class Params>
constexpr std::size_t max_depth() noexcept {
  // sklearn numbers a node after its parent, so depths fill forwards.
  std::array<std::uint16_t, Params::n_nodes> depth{};
  std::size_t deepest = 0;
  for_n(Params::n_nodes, [&](std::size_t i) {
    deepest = depth[i] > deepest ? depth[i] : deepest;
    if (Params::left[i] < 0) return;
    depth[static_cast<std::size_t>(Params::left[i])] = static_cast<std::uint16_t>(depth[i] + 1);
    depth[static_cast<std::size_t>(Params::right[i])] = static_cast<std::uint16_t>(depth[i] + 1);
  });
  return deepest;
}

/// The unrolled layout nests one template instance (and, evaluated at compile
/// time, one call) per level: compilers cap both (GCC: 900 instances, 512
/// constexpr calls; Clang: 1024), so deeper trees take the table.
inline constexpr std::size_t unrolled_depth_limit = 256;
template <class Params>
inline constexpr bool unrolls = shape<Params>::n_decisions <= 2048 && max_depth<Params>() <= unrolled_depth_limit;

/// The stage with another layout, for flash figures (Kind: forest_classifier or forest_regressor).
struct classifier_kind {};
struct regressor_kind {};
template <class Kind, class Params, class Policy, class Layout, class Map>
using forest_with = std::conditional_t<std::is_same_v<Kind, classifier_kind>, forest_classifier<Params, Policy, Layout, Map>,
                                       forest_regressor<Params, Policy, Layout, Map>>;

/// fastest_within<budget>: no layout fits; both flash figures are template
/// arguments, so the compiler prints them.
template <std::size_t UnrolledFlash, std::size_t TableFlash, std::size_t BudgetFlash>
struct no_layout_fits {
  static_assert(UnrolledFlash <= BudgetFlash || TableFlash <= BudgetFlash,
                "ctml: fastest_within: no tree layout fits the flash budget (see no_layout_fits<unrolled bytes, "
                "table bytes, budget bytes>): raise the budget, or use fewer or shallower trees");
  static constexpr bool ok = UnrolledFlash <= BudgetFlash || TableFlash <= BudgetFlash;
};

template <class Params, class Rule, class Layout, class Kind, class Policy, class Map>
struct choose_layout;
template <class Params, class Rule, class Kind, class Policy, class Map>
struct choose_layout<Params, Rule, unrolled_layout, Kind, Policy, Map> { using type = unrolled<Params, Rule>; };
template <class Params, class Rule, class Kind, class Policy, class Map>
struct choose_layout<Params, Rule, table_layout, Kind, Policy, Map> { using type = table<Params, Rule>; };
template <class Params, class Rule, class Kind, class Policy, class Map>
struct choose_layout<Params, Rule, automatic_layout, Kind, Policy, Map> {
  using type = std::conditional_t<unrolls<Params>, unrolled<Params, Rule>, table<Params, Rule>>;
};
/// The fastest layout whose whole flash (tables, code, fixed parts) fits:
/// unrolled if it fits (and unrolls), else the table, else a compile error.
template <class Params, class Rule, class Budget, class Kind, class Policy, class Map>
struct choose_layout<Params, Rule, fastest_within<Budget>, Kind, Policy, Map> {
  static constexpr std::size_t table_flash = forest_with<Kind, Params, Policy, table_layout, Map>::flash_bytes();
  static constexpr std::size_t unrolled_flash = [] {
    if constexpr (unrolls<Params>) return forest_with<Kind, Params, Policy, unrolled_layout, Map>::flash_bytes();
    else return std::size_t(-1);
  }();
  static_assert(no_layout_fits<unrolled_flash, table_flash, Budget::flash>::ok);
  using type = std::conditional_t<(unrolled_flash <= Budget::flash), unrolled<Params, Rule>, table<Params, Rule>>;
};

/// Operations per prediction, worst case: the deepest path of every tree.
template <class Params>
constexpr std::size_t worst_path_compares() noexcept {
  // sklearn numbers a node after its parent, so depths fill forwards.
  std::array<std::uint16_t, Params::n_nodes> depth{};
  for_n(Params::n_nodes, [&](std::size_t i) {
    if (Params::left[i] < 0) return;
    depth[static_cast<std::size_t>(Params::left[i])] = static_cast<std::uint16_t>(depth[i] + 1);
    depth[static_cast<std::size_t>(Params::right[i])] = static_cast<std::uint16_t>(depth[i] + 1);
  });
  std::size_t total = 0;
  for (std::size_t t = 0; t < Params::n_trees; ++t) {
    const auto begin = static_cast<std::size_t>(Params::root[t]);
    const std::size_t end = t + 1 < Params::n_trees ? static_cast<std::size_t>(Params::root[t + 1]) : Params::n_nodes;
    std::size_t deepest = 0;
    for (std::size_t i = begin; i < end; ++i) deepest = depth[i] > deepest ? depth[i] : deepest;
    total += deepest;
  }
  return total;
}

}  // namespace trees

/// Shared by the classifier and the regressor. `Map` is the scaler chain
/// folded into the thresholds (scalers.hpp), or none.
template <class Params, ValuePolicy Policy, TreeLayout Layout, class Kind, class Map>
struct forest_base {
  using policy = Policy;
  using rule = std::conditional_t<Map::identity, trees::split_rule<Policy>, trees::folded_rule<Policy, Map>>;
  using in_type = typename rule::input_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  using layout = typename trees::choose_layout<Params, rule, Layout, Kind, Policy, Map>::type;

  [[nodiscard]] static constexpr std::size_t cost() noexcept { return trees::worst_path_compares<Params>(); }
};

/// Returns the index of the predicted class in sklearn's `classes_`.
template <class Params, ValuePolicy Policy = f32, TreeLayout Layout = automatic_layout,
          class Map = detail::scaler_map<>>
struct forest_classifier : forest_base<Params, Policy, Layout, trees::classifier_kind, Map> {
  using base = forest_base<Params, Policy, Layout, trees::classifier_kind, Map>;
  using typename base::in_type;
  using typename base::layout;
  using out_type = int;
  template <ValuePolicy P> using rebind = forest_classifier<Params, P, Layout, Map>;
  template <TreeLayout L> using rebind_layout = forest_classifier<Params, Policy, L, Map>;
  /// `scalers >> forest`: the scalers folded into the thresholds.
  template <class A>
    requires detail::is_scaler_chain<A> && std::is_same_v<typename A::policy, Policy> &&
             (A::out_extent == Params::n_features)
  using fused_after =
      forest_classifier<Params, Policy, Layout, typename detail::concat_maps<typename A::map, Map>::type>;

 private:
  // A single DecisionTreeClassifier predicts the raw argmax (leaves.hpp).
  using vote_params = std::conditional_t<trees::raw_argmax<Params>(), trees::argmax_rows<Params>, Params>;
  using votes = trees::class_votes<vote_params, layout::compact>;
  using proba_votes = trees::class_votes<Params, layout::compact>;

 public:
  static constexpr std::size_t n_classes = Params::n_classes;
  /// predict_proba's largest difference from sklearn's (float64) value: the
  /// votes' rounding (none when they are exact) plus float32's rounding.
  static constexpr double proba_tolerance =
      (proba_votes::rows::exact ? 0.0 : (proba_votes::rows::from_counts ? 1.0 : 0.5) / proba_votes::rows::one) +
      detail::pow2(-23);

  /// Bytes of constant tables in flash (exact: they are sizeof of the tables).
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return layout::data_bytes + votes::rows::flash_bytes(layout::compact);
  }
  /// Tables plus an estimate of the code (detail/code_size.hpp).
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    constexpr auto& code = detail::target_code;
    constexpr bool exact = votes::rows::exact;
    if constexpr (trees::raw_argmax<Params>() && layout::compact)
      return data_bytes() + code.single_table_fixed;
    else if constexpr (trees::raw_argmax<Params>())
      return data_bytes() + Params::n_nodes * code.single_node_x10 / 10;
    else if constexpr (layout::compact)
      return data_bytes() + code.table_fixed + (exact ? 0 : code.table_exact);
    else
      return data_bytes() + layout::code_bytes + (exact ? code.unrolled_exact_fixed : code.unrolled_fixed);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return votes::ram_bytes; }

  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x) const noexcept {
    votes v;
    layout::run(x.data(), v);
    return v.winner();
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
  /// sklearn's predict_proba (the trees' normalised leaf rows, averaged) in
  /// float, within `proba_tolerance` of sklearn's.
  constexpr void predict_proba(std::span<const in_type, base::in_extent> x,
                               std::span<float, n_classes> proba) const noexcept {
    proba_votes v;
    layout::run(x.data(), v);
    v.probabilities(proba);
  }
};

/// Returns the predicted value, averaged over the trees as sklearn does.
template <class Params, ValuePolicy Policy = f32, TreeLayout Layout = automatic_layout,
          class Map = detail::scaler_map<>>
struct forest_regressor : forest_base<Params, Policy, Layout, trees::regressor_kind, Map> {
  using base = forest_base<Params, Policy, Layout, trees::regressor_kind, Map>;
  using typename base::in_type;
  using typename base::layout;
  using out_type = double;
  template <ValuePolicy P> using rebind = forest_regressor<Params, P, Layout, Map>;
  template <TreeLayout L> using rebind_layout = forest_regressor<Params, Policy, L, Map>;
  /// `scalers >> forest`: the scalers folded into the thresholds.
  template <class A>
    requires detail::is_scaler_chain<A> && std::is_same_v<typename A::policy, Policy> &&
             (A::out_extent == Params::n_features)
  using fused_after =
      forest_regressor<Params, Policy, Layout, typename detail::concat_maps<typename A::map, Map>::type>;
  static_assert(arch::has_runtime_binary64 || sizeof(Params) == 0,
                "ctml: forest regressors average in binary64 as sklearn does, and this target (AVR) has no binary64 "
                "arithmetic at run time; use a classifier, or another port");

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return layout::data_bytes + (layout::compact ? trees::value_rows<Params>::bytes : 0);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + layout::code_bytes + detail::target_code.unrolled_exact_fixed;
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return trees::value_sum<Params>::ram_bytes; }

  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr double predict(std::span<const in_type, base::in_extent> x) const noexcept {
    trees::value_sum<Params> sum;
    layout::run(x.data(), sum);
    return sum.result();
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<double, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

}  // namespace ctml
