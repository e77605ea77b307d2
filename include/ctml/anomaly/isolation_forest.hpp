// scikit-learn's IsolationForest.
//
// sklearn sums, in float64 and tree order, each tree's path length to the
// leaf an input reaches (nodes on the path + c(samples at the leaf) - 1; the
// generator computes these per-leaf constants with sklearn's own function),
// and scores s = -2^(-sum / denominator). An input is an outlier when
// s - offset_ < 0. That is monotone in the sum, so predict compares the sum
// with the generator's threshold (found with sklearn's arithmetic): inlier
// iff sum > decision_threshold. The sum itself is sklearn's, bit for bit.
#pragma once

#include <cstddef>
#include <span>

#include <ctml/boosting/additive.hpp>
#include <ctml/number/math.hpp>

namespace ctml {

/// predict: +1 (inlier) or -1 (outlier), as sklearn's predict.
template <class Params, ValuePolicy Policy = f32>
struct isolation_forest : boosting::additive_base<Params, Policy> {
  using base = boosting::additive_base<Params, Policy>;
  using typename base::in_type;
  using out_type = int;
  template <ValuePolicy P>
    requires boosting::supports_policy<P>
  using rebind = isolation_forest<Params, P>;
  static_assert(Params::decision == 1 && Params::n_outputs == 1 && Params::sum_bits == 64,
                "ctml: an isolation forest sums path lengths in binary64 and decides by a threshold");

  /// sklearn's path-length sum over the trees (before its normalisation).
  [[nodiscard]] static constexpr double path_length_sum(std::span<const in_type, base::in_extent> x) noexcept {
    return base::raw(x)[0];
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, base::in_extent> x) const noexcept {
    return path_length_sum(x) > Params::decision_threshold ? 1 : -1;
  }
  /// sklearn's score_samples: -2^(-sum / denominator) (ctml's exp: within a few ulps).
  [[nodiscard]] static constexpr double score_samples(std::span<const in_type, base::in_extent> x) noexcept {
    if constexpr (Params::denominator == 0.0) {
      return -1.0;
    } else {
      constexpr double ln2 = 0.69314718055994530942;
      return -math::exp(-(path_length_sum(x) / Params::denominator) * ln2);
    }
  }
  /// sklearn's decision_function: score_samples - offset_ (negative: outlier).
  [[nodiscard]] static constexpr double decision_function(std::span<const in_type, base::in_extent> x) noexcept {
    return score_samples(x) - Params::offset;
  }
  constexpr void run(std::span<const in_type, base::in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

}  // namespace ctml
