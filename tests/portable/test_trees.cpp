// Tree decisions on every port: float inputs decide as sklearn's float32
// compare, int16 inputs exactly as the float model (every int16 value), and
// near-ties go to sklearn's double arithmetic.
#include <array>
#include <cstdint>

#include <ctml/trees/forest.hpp>

#include "ctml_test.hpp"

namespace {

template <class T>
T opaque(T v) {
  __asm__ volatile("" : : "r"(&v) : "memory");
  return v;
}

// Two trees over 2 features; leaf counts 1:2 / 2:1 make exact ties.
//   tree 0: x0 <= 2.5 ? {1, 2} : {3, 0}
//   tree 1: x1 <= -0.75 ? {2, 1} : {0, 5}
struct tie_forest {
  static constexpr std::size_t n_features = 2, n_classes = 2, n_trees = 2, n_nodes = 6, n_values = 4;
  static constexpr std::int32_t root[2] = {0, 3};
  static constexpr std::int32_t left[6] = {1, -1, -1, 4, -1, -1};
  static constexpr std::int32_t right[6] = {2, -1, -1, 5, -1, -1};
  static constexpr std::int32_t feature[6] = {0, -1, -1, 1, -1, -1};
  static constexpr double threshold[6] = {2.5, 0, 0, -0.75, 0, 0};
  static constexpr std::int32_t leaf[6] = {-1, 0, 1, -1, 2, 3};
  static constexpr double values[4][2] = {{1, 2}, {3, 0}, {2, 1}, {0, 5}};
};

template <class Model>
int predict(Model m, float a, float b) {
  return m.predict(std::array<float, 2>{opaque(a), b});
}

}  // namespace

CTML_TEST(forest_ties_and_thresholds_as_sklearn) {
  for (auto m : {0, 1}) {
    const auto check = [](auto model) {
      // 1/3 + 2/3 vs 2/3 + 1/3: equal in double, the first class wins
      CTML_CHECK_EQ(predict(model, 2.5f, -0.75f), 0);
      // 1/3 + 0 vs 2/3 + 1: class 1
      CTML_CHECK_EQ(predict(model, 2.0f, 3.0f), 1);
      // 1 + 2/3 vs 0 + 1/3: class 0; just above 2.5 goes right
      CTML_CHECK_EQ(predict(model, 2.5000002f, -1.0f), 0);
      CTML_CHECK_EQ(predict(model, -0.0f, -0.7500001f), 0);
    };
    if (m == 0) check(ctml::forest_classifier<tie_forest, ctml::f32, ctml::unrolled_layout>{});
    else check(ctml::forest_classifier<tie_forest, ctml::f32, ctml::table_layout>{});
  }
}

CTML_TEST(int16_thresholds_decide_as_float_for_every_value) {
  using rule = ctml::trees::split_rule<ctml::q<std::int16_t, 0>>;
  // Thresholds in quarters (t = q / 4), so the reference needs no floating
  // point at run time: float32(v) <= t  <=>  4 v <= q for int16 v.
  constexpr std::int64_t quarters[] = {10, -3, 4000000000, -4000000000, 0, -131074, 131066, 401};
  constexpr auto keys = [&] {
    std::array<rule::key_type, 8> k{};
    for (std::size_t i = 0; i < 8; ++i) k[i] = rule::key(static_cast<double>(quarters[i]) / 4.0);
    return k;
  }();
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    for (std::int32_t v = -32768; v <= 32767; ++v) {
      const bool want = 4 * static_cast<std::int64_t>(v) <= quarters[i];
      bad += rule::goes_left(opaque(static_cast<std::int16_t>(v)), keys[i]) != want;
    }
  }
  CTML_CHECK_EQ(bad, 0u);
}
