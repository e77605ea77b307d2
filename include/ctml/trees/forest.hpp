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

#include <ctml/number/policy.hpp>
#include <ctml/scalers.hpp>
#include <ctml/stage.hpp>
#include <ctml/trees/layouts.hpp>
#include <ctml/trees/leaves.hpp>
#include <ctml/trees/split.hpp>

namespace ctml {

namespace trees {

template <class Params, class Rule, class Layout>
struct choose_layout;
template <class Params, class Rule>
struct choose_layout<Params, Rule, unrolled_layout> { using type = unrolled<Params, Rule>; };
template <class Params, class Rule>
struct choose_layout<Params, Rule, table_layout> { using type = table<Params, Rule>; };
template <class Params, class Rule>
struct choose_layout<Params, Rule, automatic_layout> {
  using type = std::conditional_t<(shape<Params>::n_decisions <= 2048), unrolled<Params, Rule>, table<Params, Rule>>;
};
template <class Params, class Rule, class Budget>
struct choose_layout<Params, Rule, fastest_within<Budget>> {
  using type = std::conditional_t<(unrolled<Params, Rule>::code_bytes <= Budget::flash), unrolled<Params, Rule>,
                                  table<Params, Rule>>;
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
template <class Params, NumberPolicy Policy, TreeLayout Layout, class Map>
struct forest_base {
  using policy = Policy;
  using rule = std::conditional_t<Map::identity, trees::split_rule<Policy>, trees::folded_rule<Policy, Map>>;
  using in_type = typename rule::input_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  using layout = typename trees::choose_layout<Params, rule, Layout>::type;

  [[nodiscard]] static constexpr std::size_t cost() noexcept { return trees::worst_path_compares<Params>(); }
};

/// Returns the index of the predicted class in sklearn's `classes_`.
template <class Params, NumberPolicy Policy = f32, TreeLayout Layout = automatic_layout,
          class Map = detail::scaler_map<>>
struct forest_classifier : forest_base<Params, Policy, Layout, Map> {
  using base = forest_base<Params, Policy, Layout, Map>;
  using typename base::in_type;
  using typename base::layout;
  using out_type = int;
  template <NumberPolicy P> using rebind = forest_classifier<Params, P, Layout, Map>;
  template <TreeLayout L> using rebind_option = forest_classifier<Params, Policy, L, Map>;
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
    if constexpr (layout::compact)
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
template <class Params, NumberPolicy Policy = f32, TreeLayout Layout = automatic_layout,
          class Map = detail::scaler_map<>>
struct forest_regressor : forest_base<Params, Policy, Layout, Map> {
  using base = forest_base<Params, Policy, Layout, Map>;
  using typename base::in_type;
  using typename base::layout;
  using out_type = double;
  template <NumberPolicy P> using rebind = forest_regressor<Params, P, Layout, Map>;
  /// `scalers >> forest`: the scalers folded into the thresholds.
  template <class A>
    requires detail::is_scaler_chain<A> && std::is_same_v<typename A::policy, Policy> &&
             (A::out_extent == Params::n_features)
  using fused_after =
      forest_regressor<Params, Policy, Layout, typename detail::concat_maps<typename A::map, Map>::type>;
#if defined(__AVR__)
  static_assert(sizeof(Params) == 0,
                "ctml: forest regressors average in binary64 as sklearn does, and AVR has no binary64 at run time; "
                "use a classifier, or another port");
#endif
  template <TreeLayout L> using rebind_option = forest_regressor<Params, Policy, L, Map>;

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
