// A boosted regressor returns its one raw score: params that decide by a
// threshold (a binary classifier's) do not make a regressor.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/boosting/additive.hpp>

namespace {
template <int Decision>
struct stump {
  static constexpr std::size_t n_features = 1, n_classes = 2, n_outputs = 1, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr int sum_bits = 32;
  static constexpr bool strict = true;
  static constexpr int decision = Decision;
  static constexpr double decision_threshold = 0.0;
  static constexpr double scale = 1.0;
  static constexpr double init[1] = {0.0};
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {0.5, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2] = {-1.0, 1.0};
};
}  // namespace

#ifdef CTML_EXPECT_FAIL
using model = ctml::boosted_regressor<stump<1>>;
#else
using model = ctml::boosted_regressor<stump<0>>;
#endif
double predict_one(float x) { return model{}.predict(std::array<float, 1>{x}); }
