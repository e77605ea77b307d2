// Uses ctml as a consumer would: a scaler feeding a one-split tree.
#include <array>
#include <cstdint>

#include <ctml/ctml.hpp>

struct scaler_params {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[2] = {10.0, 0.0};
  static constexpr double scale[2] = {2.0, 1.0};
};
struct tree_params {  // x[0] <= 0.25 ? class 0 : class 1
  static constexpr std::size_t n_features = 2, n_classes = 2, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {0.25, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2][2] = {{4.0, 1.0}, {0.0, 7.0}};
};

constexpr auto model = ctml::standard_scaler<scaler_params>{} >> ctml::forest_classifier<tree_params>{};
static_assert(ctml::fits<decltype(model), ctml::budget<4096, 256>>);

int main() {
  const std::array<float, 2> low{10.5f, 0.0f};   // scaled 0.25: left
  const std::array<float, 2> high{10.6f, 0.0f};  // scaled 0.3: right
  return model.predict(low) == 0 && model.predict(high) == 1 ? 0 : 1;
}
