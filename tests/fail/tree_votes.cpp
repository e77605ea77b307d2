// Votes are 32-bit fixed point: 1024 trees x 8192 classes leave fewer than
// 8 bits of probability and are rejected; 2 classes fit.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

#ifdef CTML_EXPECT_FAIL
constexpr std::size_t classes = 8192;
#else
constexpr std::size_t classes = 2;
#endif
// 1024 copies of one stump (x[0] <= 0.5 ? class 0 : class 1).
struct many_stumps {
  static constexpr std::size_t n_features = 1, n_classes = classes, n_trees = 1024, n_nodes = 3, n_values = 2;
  static constexpr std::array<std::int32_t, n_trees> root{};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {0.5, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr std::array<std::array<double, n_classes>, 2> values = [] {
    std::array<std::array<double, n_classes>, 2> v{};
    v[0][0] = 1.0;
    v[1][1] = 1.0;
    return v;
  }();
};
constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<many_stumps>{}).with(ctml::table_layout{});
int f() {
  std::array<float, 1> x{};
  return model.predict(x);
}
