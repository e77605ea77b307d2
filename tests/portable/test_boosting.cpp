// Boosted trees and isolation forests on every port: the sums in the
// framework's order and precision (XGBoost float32, scikit-learn float64),
// XGBoost's strict splits and missing values, HistGradientBoosting's
// categories, int16 inputs. Expected values are worked by hand (comments).
#include <array>
#include <cstdint>
#include <limits>

#include <ctml/anomaly/gaussian.hpp>
#include <ctml/anomaly/isolation_forest.hpp>
#include <ctml/boosting/additive.hpp>

#include "ctml_test.hpp"

namespace {

template <class T>
T opaque(T v) {
  __asm__ volatile("" : : "r"(&v) : "memory");
  return v;
}

// Three stumps on features 0, 1, 2 (split at 0.5), each adding L[t] when its
// feature goes left and R[t] when it goes right.
#define CTML_STUMPS(name, SUM_BITS, STRICT, DECISION, THRESHOLD, L0, R0, L1, R1, L2, R2)              \
  struct name {                                                                                   \
    static constexpr std::size_t n_features = 3, n_classes = 2, n_outputs = 1, n_trees = 3,       \
                                 n_nodes = 9, n_values = 6;                                       \
    static constexpr int sum_bits = SUM_BITS;                                                     \
    static constexpr bool strict = STRICT;                                                        \
    static constexpr int decision = DECISION;                                                     \
    static constexpr double decision_threshold = THRESHOLD;                                       \
    static constexpr double scale = 1.0;                                                          \
    static constexpr double init[1] = {0.0};                                                      \
    static constexpr std::int32_t root[3] = {0, 3, 6};                                            \
    static constexpr std::int32_t left[9] = {1, -1, -1, 4, -1, -1, 7, -1, -1};                    \
    static constexpr std::int32_t right[9] = {2, -1, -1, 5, -1, -1, 8, -1, -1};                   \
    static constexpr std::int32_t feature[9] = {0, -1, -1, 1, -1, -1, 2, -1, -1};                 \
    static constexpr double threshold[9] = {0.5, 0, 0, 0.5, 0, 0, 0.5, 0, 0};                     \
    static constexpr std::int32_t leaf[9] = {-1, 0, 1, -1, 2, 3, -1, 4, 5};                        \
    static constexpr double values[6] = {L0, R0, L1, R1, L2, R2};                                 \
    static constexpr std::uint8_t default_left[9] = {1, 0, 0, 0, 0, 0, 1, 0, 0};                  \
  }

// XGBoost binary:logistic: float32 sums, `x < 0.5f` goes left; class 1 iff
// the float32 sigmoid of the margin exceeds 0.5, i.e. margin > 1.5 * 2^-24.
// Left, left, left: (4 + 2^-22) rounds to 4 in float32, minus 4: margin 0,
// class 0 (a float64 sum would give 2^-22 and class 1).
CTML_STUMPS(xgb_stumps, 32, true, 1, 8.940696716308594e-08, 4.0, 0.0, 0x1p-22, 0x1.8p-24, -4.0, 0x1p-23);

template <class M>
int xgb(M m, float a, float b, float c) {
  return m.predict(std::array<float, 3>{opaque(a), opaque(b), opaque(c)});
}

}  // namespace

CTML_TEST(xgboost_float32_sums_strict_splits_and_missing_values) {
  constexpr ctml::boosted_classifier<xgb_stumps> m{};
  // left, left, left: 4 + 2^-22 - 4 = 0 in float32: class 0
  CTML_CHECK_EQ(xgb(m, 0.0f, 0.0f, 0.0f), 0);
  // right, right, right: 0 + 1.5*2^-24 + 2^-23: margin 3.5*2^-24 > threshold: class 1
  CTML_CHECK_EQ(xgb(m, 1.0f, 1.0f, 1.0f), 1);
  // right, right, left: 0 + 1.5*2^-24 - 4 = -4: class 0
  CTML_CHECK_EQ(xgb(m, 1.0f, 1.0f, 0.0f), 0);
  // x == 0.5f is not < 0.5f: goes right (sklearn's `<=` would go left)
  CTML_CHECK_EQ(xgb(m, 0.5f, 0.5f, 0.5f), 1);
  CTML_CHECK_EQ(xgb(m, 0.49999997f, 0.5f, 0.5f), 1);  // 4 + 1.5*2^-24 + 2^-23 = 4 in float32... then margin 4
  // NaN goes to the default child: left on features 0 and 2, right on feature 1
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CTML_CHECK_EQ(xgb(m, 1.0f, 1.0f, nan), 0);  // 0 + 1.5*2^-24 - 4: class 0
  CTML_CHECK_EQ(xgb(m, nan, nan, 1.0f), 1);  // 4 + 1.5*2^-24 + 2^-23 = 4 (float32): class 1
  CTML_CHECK_EQ(xgb(m, -nan, -nan, 1.0f), 1);  // the NaN's sign does not matter
}

namespace {
// Margin on the threshold itself: only stump 1 adds (1.5 * 2^-24), the others 0.
CTML_STUMPS(xgb_edge, 32, true, 1, 8.940696716308594e-08, 0.0, 0.0, 0.0, 0x1.8p-24, 0.0, 0x1.800002p-24);
}  // namespace

CTML_TEST(xgboost_logistic_threshold) {
  constexpr ctml::boosted_classifier<xgb_edge> m{};
  CTML_CHECK_EQ(xgb(m, 0.0f, 1.0f, 0.0f), 0);  // margin 1.5*2^-24: XGBoost's sigmoid gives exactly 0.5
  CTML_CHECK_EQ(xgb(m, 0.0f, 0.0f, 1.0f), 1);  // the next float up: sigmoid 0.50000006, class 1
  CTML_CHECK_EQ(xgb(m, 0.0f, 1.0f, 1.0f), 1);
}

// int16 inputs: `x < 0.5f` is x <= 0 for integers.
CTML_TEST(xgboost_int16_inputs) {
  constexpr ctml::boosted_classifier<xgb_stumps, ctml::q<std::int16_t, 0>> m{};
  using in = std::array<std::int16_t, 3>;
  CTML_CHECK_EQ(m.predict(in{opaque<std::int16_t>(0), 0, 0}), 0);
  CTML_CHECK_EQ(m.predict(in{opaque<std::int16_t>(1), 1, 1}), 1);
  CTML_CHECK_EQ(m.predict(in{opaque<std::int16_t>(-32768), 1, 32767}), 1);  // 4 + ... = 4
  CTML_CHECK_EQ(m.predict(in{opaque<std::int16_t>(1), 1, 0}), 0);
}

namespace {
// NaN routing of every kind: three stumps at threshold T (`x <= T` left),
// NaN default left, right, left; leaves 1|2, 4|8, 16|32 (float32 sums are
// exact), so the sum names the path. T > 0 and T < 0 give the four forms of
// routed_input (shifted bits and sign-fixed copies).
template <int Sign>
struct nan_paths {
  static constexpr std::size_t n_features = 3, n_classes = 1, n_outputs = 1, n_trees = 3, n_nodes = 9, n_values = 6;
  static constexpr int sum_bits = 32;
  static constexpr bool strict = false;
  static constexpr int decision = 0;
  static constexpr double decision_threshold = 0.0, scale = 1.0;
  static constexpr double init[1] = {0.0};
  static constexpr std::int32_t root[3] = {0, 3, 6};
  static constexpr std::int32_t left[9] = {1, -1, -1, 4, -1, -1, 7, -1, -1};
  static constexpr std::int32_t right[9] = {2, -1, -1, 5, -1, -1, 8, -1, -1};
  static constexpr std::int32_t feature[9] = {0, -1, -1, 1, -1, -1, 2, -1, -1};
  static constexpr double threshold[9] = {Sign * 0.5, 0, 0, Sign * 0.5, 0, 0, Sign * 0.5, 0, 0};
  static constexpr std::int32_t leaf[9] = {-1, 0, 1, -1, 2, 3, -1, 4, 5};
  static constexpr double values[6] = {1, 2, 4, 8, 16, 32};
  static constexpr std::uint8_t default_left[9] = {1, 0, 0, 0, 0, 0, 1, 0, 0};
};
template <int Sign>
float path(float v) {  // the float32 raw score (predict's double does not link on AVR)
  constexpr ctml::boosted_regressor<nan_paths<Sign>> m{};
  return m.raw(std::array<float, 3>{opaque(v), opaque(v), opaque(v)})[0];
}
}  // namespace

CTML_TEST(missing_values_every_routing_form) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float signalling = std::numeric_limits<float>::signaling_NaN();
  for (const float n : {nan, -nan, signalling, -signalling}) {
    CTML_CHECK(path<1>(n) == 1.0f + 8.0f + 16.0f);  // default left, right, left
    CTML_CHECK(path<-1>(n) == 1.0f + 8.0f + 16.0f);
  }
  // T = 0.5: left iff x <= 0.5 (all three trees)
  CTML_CHECK(path<1>(inf) == 2.0f + 8.0f + 32.0f);
  CTML_CHECK(path<1>(-inf) == 1.0f + 4.0f + 16.0f);
  CTML_CHECK(path<1>(0.5f) == 1.0f + 4.0f + 16.0f);
  CTML_CHECK(path<1>(0.50000006f) == 2.0f + 8.0f + 32.0f);
  CTML_CHECK(path<1>(-0.0f) == 1.0f + 4.0f + 16.0f);
  CTML_CHECK(path<1>(std::numeric_limits<float>::max()) == 2.0f + 8.0f + 32.0f);
  // T = -0.5
  CTML_CHECK(path<-1>(inf) == 2.0f + 8.0f + 32.0f);
  CTML_CHECK(path<-1>(-inf) == 1.0f + 4.0f + 16.0f);
  CTML_CHECK(path<-1>(-0.5f) == 1.0f + 4.0f + 16.0f);
  CTML_CHECK(path<-1>(-0.49999997f) == 2.0f + 8.0f + 32.0f);
  CTML_CHECK(path<-1>(-0.0f) == 2.0f + 8.0f + 32.0f);
  CTML_CHECK(path<-1>(-std::numeric_limits<float>::max()) == 1.0f + 4.0f + 16.0f);
}

#if !defined(__AVR__)  // binary64 sums: no double at run time on AVR
namespace {
// scikit-learn GradientBoosting, exponential loss: class 1 iff raw >= 0,
// i.e. raw > -denorm_min. Left, left, left: (0.1 + 0.2) - 0.30000000000000004
// in float64, in this order, is exactly 0: class 1 (the reverse order gives
// -2.8e-17: class 0).
CTML_STUMPS(gb_stumps, 64, false, 1, -4.9406564584124654e-324, 0.1, 0.3, 0.2, 0.2, -0.30000000000000004, -0.5);
// Regressor: 1e16 + 1 - 1e16 in float64 is 0 (1e16's ulp is 2), not 1.
CTML_STUMPS(gb_order, 64, false, 0, 0.0, 1e16, 0.0, 1.0, 0.0, 1.0, -1e16);
}  // namespace

CTML_TEST(sklearn_float64_sums_in_stage_order) {
  constexpr ctml::boosted_classifier<gb_stumps> c{};
  CTML_CHECK_EQ(xgb(c, 0.0f, 0.0f, 0.0f), 1);  // 0.1 + 0.2 - 0.30000000000000004 = 0
  CTML_CHECK_EQ(xgb(c, 1.0f, 1.0f, 1.0f), 1);  // 0.3 + 0.2 - 0.5 = 0: raw >= 0
  CTML_CHECK_EQ(xgb(c, 1.0f, 0.0f, 1.0f), 1);  // 0.3 + 0.2 - 0.5 = 0
  CTML_CHECK_EQ(xgb(c, 0.0f, 0.0f, 1.0f), 0);  // 0.1 + 0.2 - 0.5 = -0.2
  CTML_CHECK_EQ(xgb(c, 0.5f, 0.5f, 1.0f), 0);  // sklearn: 0.5 <= 0.5 goes left: 0.1 + 0.2 - 0.5
  CTML_CHECK_EQ(xgb(c, 0.50000006f, 0.5f, 1.0f), 1);  // right: 0.3 + 0.2 - 0.5 = 0
  constexpr ctml::boosted_regressor<gb_order> r{};
  const double sum = r.predict(std::array<float, 3>{opaque(0.0f), 0.0f, 1.0f});  // 1e16 + 1 - 1e16
  CTML_CHECK(sum == 0.0);
  const double two = r.predict(std::array<float, 3>{opaque(1.0f), 0.0f, 0.0f});  // 0 + 1 + 1 + 0
  CTML_CHECK(two == 2.0);
}

namespace {
// HistGradientBoosting: one categorical node on feature 0 (categories 1 and 3
// go left, known categories 0..4; missing and unknown go right), then a
// numeric node on feature 1 (x <= 2.0, NaN goes left) in the right subtree.
struct hgb_tree {
  static constexpr std::size_t n_features = 2, n_classes = 1, n_outputs = 1, n_trees = 1, n_nodes = 5, n_values = 3;
  static constexpr int sum_bits = 64;
  static constexpr bool strict = false;
  static constexpr int decision = 0;
  static constexpr double decision_threshold = 0.0;
  static constexpr double scale = 1.0;
  static constexpr double init[1] = {0.5};
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[5] = {1, -1, 3, -1, -1};
  static constexpr std::int32_t right[5] = {2, -1, 4, -1, -1};
  static constexpr std::int32_t feature[5] = {0, -1, 1, -1, -1};
  static constexpr double threshold[5] = {0.0, 0.0, 2.0, 0.0, 0.0};
  static constexpr std::int32_t leaf[5] = {-1, 0, -1, 1, 2};
  static constexpr double values[3] = {10.0, 20.0, 30.0};
  static constexpr std::uint8_t default_left[5] = {0, 0, 1, 0, 0};
  static constexpr std::int32_t categorical[5] = {0, -1, -1, -1, -1};
  static constexpr std::int32_t feature_category_row[2] = {0, -1};
  static constexpr std::uint32_t left_categories[1][8] = {{0b1010u, 0, 0, 0, 0, 0, 0, 0}};
  static constexpr std::uint32_t known_categories[1][8] = {{0b11111u, 0, 0, 0, 0, 0, 0, 0}};
};

double hgb(float a, float b) {
  return ctml::boosted_regressor<hgb_tree>{}.predict(std::array<float, 2>{opaque(a), opaque(b)});
}
}  // namespace

CTML_TEST(histgradientboosting_categories_and_missing_values) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CTML_CHECK(hgb(1.0f, 0.0f) == 10.5);    // category 1: left
  CTML_CHECK(hgb(3.7f, 0.0f) == 10.5);    // cast to 3: left
  CTML_CHECK(hgb(2.0f, 2.0f) == 20.5);    // known, not listed: right; 2 <= 2: left
  CTML_CHECK(hgb(0.0f, 2.0000002f) == 30.5);
  CTML_CHECK(hgb(7.0f, nan) == 20.5);     // unknown: like missing (right); NaN: left
  CTML_CHECK(hgb(-1.0f, 5.0f) == 30.5);   // negative: missing
  CTML_CHECK(hgb(nan, -nan) == 20.5);
  const float inf = std::numeric_limits<float>::infinity();
  CTML_CHECK(hgb(2.0f, -inf) == 20.5);
  CTML_CHECK(hgb(2.0f, inf) == 30.5);
}

namespace {
// IsolationForest of one stump: path lengths 2 (left) and 3.5 (right);
// inlier iff the sum > 2.75.
struct iforest {
  static constexpr std::size_t n_features = 1, n_classes = 1, n_outputs = 1, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr int sum_bits = 64;
  static constexpr bool strict = false;
  static constexpr int decision = 1;
  static constexpr double decision_threshold = 2.75;
  static constexpr double scale = 1.0;
  static constexpr double init[1] = {0.0};
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {1.25, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2] = {2.0, 3.5};
  static constexpr double denominator = 3.5;
  static constexpr double offset = -0.5;
};
}  // namespace

CTML_TEST(isolation_forest_predict_and_scores) {
  constexpr ctml::isolation_forest<iforest> m{};
  CTML_CHECK_EQ(m.predict(std::array<float, 1>{opaque(1.25f)}), -1);
  CTML_CHECK_EQ(m.predict(std::array<float, 1>{opaque(1.2500001f)}), 1);
  // score = -2^(-3.5 / 3.5) = -0.5; decision = -0.5 + 0.5 = 0
  const double s = m.score_samples(std::array<float, 1>{opaque(2.0f)});
  CTML_CHECK((s > -0.5000001 && s < -0.4999999));
  const double d = m.decision_function(std::array<float, 1>{opaque(0.0f)});  // -2^(-2/3.5) + 0.5
  CTML_CHECK((d > -0.1730 && d < -0.1729));
}

namespace {
// AdaBoostRegressor: three stumps on features 0, 1, 2 predicting (left,
// right) (2, 4), (2, 2), (3, 0) with weights 0.1, 0.2, 0.3. sklearn: argsort
// the predictions, cumsum the weights in that order, take the first entry
// with cdf >= half of the last (values worked with numpy below).
struct ada_median {
  static constexpr std::size_t n_features = 3, n_classes = 1, n_outputs = 3, n_trees = 3, n_nodes = 9, n_values = 4;
  static constexpr int sum_bits = 64;
  static constexpr bool strict = false;
  static constexpr int decision = 4;
  static constexpr double decision_threshold = 0.0, scale = 1.0;
  static constexpr double init[3] = {0.0, 0.0, 0.0};
  static constexpr std::int32_t root[3] = {0, 3, 6};
  static constexpr std::int32_t left[9] = {1, -1, -1, 4, -1, -1, 7, -1, -1};
  static constexpr std::int32_t right[9] = {2, -1, -1, 5, -1, -1, 8, -1, -1};
  static constexpr std::int32_t feature[9] = {0, -1, -1, 1, -1, -1, 2, -1, -1};
  static constexpr double threshold[9] = {0.5, 0, 0, 0.5, 0, 0, 0.5, 0, 0};
  static constexpr std::int32_t leaf[9] = {-1, 0, 1, -1, 0, 0, -1, 2, 3};
  static constexpr double values[4] = {2.0, 4.0, 3.0, 0.0};
  static constexpr double weights[3] = {0.1, 0.2, 0.3};
};
double ada(float a, float b, float c) {
  constexpr ctml::boosted_regressor<ada_median> m{};
  return m.predict(std::array<float, 3>{opaque(a), opaque(b), opaque(c)});
}
}  // namespace

CTML_TEST(adaboost_regressor_weighted_median) {
  // (2, 2, 3): order 0 1 2, cdf 0.1, 0.30000000000000004 >= half (0.30000000000000004): 2
  CTML_CHECK(ada(0.0f, 0.0f, 0.0f) == 2.0);
  // (2, 2, 0): order 2 0 1, cdf 0.3 < half 0.30000000000000004 (0.1 + 0.2 + 0.3 rounds up), then 0.4: 2
  // (exact arithmetic would stop at 0.3 and predict 0)
  CTML_CHECK(ada(0.0f, 1.0f, 1.0f) == 2.0);
  CTML_CHECK(ada(0.5f, 0.0f, 0.50000006f) == 2.0);
  // (4, 2, 0): order 2 1 0, cdf 0.3 >= half of 0.3 + 0.2 + 0.1 = 0.6: 0
  CTML_CHECK(ada(1.0f, 0.0f, 1.0f) == 0.0);
  // (4, 2, 3): order 1 2 0, cdf 0.2, 0.5 >= 0.3: 3
  CTML_CHECK(ada(1.0f, 1.0f, 0.0f) == 3.0);
  CTML_CHECK(ada(0.50000006f, 0.5f, 0.5f) == 3.0);
}
#endif

namespace {
// GaussianMixture, two components in 2-d (hand-worked): component 0 has
// mean 0 and factor U = [[2, 1], [0, 0.5]] (y = x U), component 1 mean (1, 1)
// and U = I, with biases 0 and -3.125. At x = (1, 1): y0 = (2, 1.5),
// q0 = 6.25, s0 = -3.125 = s1: an exact tie, the first component wins.
struct gmm2 {
  static constexpr std::size_t n_features = 2, n_components = 2;
  static constexpr double means[2][2] = {{0.0, 0.0}, {1.0, 1.0}};
  static constexpr double factor[2][2][2] = {{{2.0, 1.0}, {0.0, 0.5}}, {{1.0, 0.0}, {0.0, 1.0}}};
  [[maybe_unused]] static constexpr double bias[2] = {0.0, -3.125};
  [[maybe_unused]] static constexpr double bias_magnitude[2] = {0.0, 3.125};
};
// EllipticEnvelope at (1, 2) with precision I and offset -4: inlier iff the
// squared distance <= 4.
struct envelope {
  static constexpr std::size_t n_features = 2, n_components = 1;
  static constexpr double means[1][2] = {{1.0, 2.0}};
  static constexpr double factor[1][2][2] = {{{1.0, 0.0}, {0.0, 1.0}}};
  [[maybe_unused]] static constexpr double bias[1] = {0.0};
  [[maybe_unused]] static constexpr double bias_magnitude[1] = {0.0};
  [[maybe_unused]] static constexpr double offset = -4.0;
  [[maybe_unused]] static constexpr double precision[2][2] = {{1.0, 0.0}, {0.0, 1.0}};
  static constexpr double inlier_max = 4.000000000000001;
};
template <class M>
int predict2(M m, float a, float b) {
  return m.predict(std::array<float, 2>{opaque(a), opaque(b)});
}
template <class M>
int predict_q(M m, std::int16_t a, std::int16_t b) {
  return m.predict(std::array<std::int16_t, 2>{opaque(a), opaque(b)});
}
}  // namespace

// The same models with q<int16_t, 4> inputs (raw / 16), scores in integers:
// these rows are exact there too (the factors are powers of two).
CTML_TEST(gaussian_models_int16_inputs) {
  constexpr auto g = ctml::gaussian_mixture<gmm2>::rebind<ctml::q<std::int16_t, 4>>{};
  CTML_CHECK_EQ(predict_q(g, 16, 16), 0);  // (1, 1): the exact tie, the first component wins
  CTML_CHECK_EQ(predict_q(g, 16, 17), 1);  // (1, 1.0625): s0 = -3.1724 < s1 = -3.12695
  CTML_CHECK_EQ(predict_q(g, 0, 0), 0);
  CTML_CHECK_EQ(predict_q(g, 48, 0), 1);    // (3, 0): s0 = -22.5, s1 = -5.625
  CTML_CHECK_EQ(predict_q(g, -48, 112), 0);  // (-3, 7): s0 = -18.125, s1 = -29.125
  constexpr auto e = ctml::elliptic_envelope<envelope>::rebind<ctml::q<std::int16_t, 4>>{};
  CTML_CHECK_EQ(predict_q(e, 16, 64), 1);   // (1, 4): distance^2 = 4, inlier
  CTML_CHECK_EQ(predict_q(e, 16, 65), -1);  // (1, 4.0625): 4.13
  CTML_CHECK_EQ(predict_q(e, 48, 32), 1);   // (3, 2): 4
  CTML_CHECK_EQ(predict_q(e, 40, 56), -1);  // (2.5, 3.5): 4.5
  CTML_CHECK_EQ(predict_q(e, 32767, -32768), -1);  // the corners of the range: no overflow
  CTML_CHECK_EQ(predict_q(g, -32768, 32767), 1);   // (-2048, 2048): s0 = -8.9e6 < s1 = -4.2e6
}

#if !defined(__AVR__)

CTML_TEST(gaussian_mixture_and_elliptic_envelope) {
  constexpr ctml::gaussian_mixture<gmm2> g{};
  CTML_CHECK_EQ(predict2(g, 1.0f, 1.0f), 0);        // exact tie
  CTML_CHECK_EQ(predict2(g, 1.0f, 1.0000001f), 1);  // q0 = 6.25000018 > 6.25 + q1
  CTML_CHECK_EQ(predict2(g, 0.0f, 0.0f), 0);        // s0 = 0 > -3.125 - 1
  CTML_CHECK_EQ(predict2(g, -3.0f, 7.0f), 0);       // y0 = (-6, 0.5): s0 = -18.125; s1 = -3.125 - 52 / 2
  CTML_CHECK_EQ(predict2(g, 3.0f, 0.0f), 1);        // y0 = (6, 3): s0 = -22.5; s1 = -3.125 - 5 / 2
  constexpr ctml::elliptic_envelope<envelope> e{};
  CTML_CHECK_EQ(predict2(e, 1.0f, 4.0f), 1);         // distance^2 = 4: on the boundary, inlier
  CTML_CHECK_EQ(predict2(e, 3.0f, 2.0f), 1);
  CTML_CHECK_EQ(predict2(e, 1.0f, 4.0000005f), -1);  // 4.000002
  CTML_CHECK_EQ(predict2(e, 2.5f, 3.5f), -1);        // 4.5
  CTML_CHECK_EQ(predict2(e, 1.0f, 2.0f), 1);
  const double d = e.decision_function(std::array<float, 2>{opaque(2.0f), 2.0f});  // -1 + 4
  CTML_CHECK((d > 2.9999999 && d < 3.0000001));
}
#endif
