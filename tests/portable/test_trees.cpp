// Tree decisions on every port: float inputs decide as sklearn's float32
// compare, int16 inputs exactly as the float model (every int16 value), and
// near-ties go to sklearn's double arithmetic.
#include <array>
#include <cstdint>

#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>
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

namespace {
// MinMaxScaler(scale = 1 + 2^-12, min = -(1 + 2^-11)) at x = 1 + 2^-12:
// x * scale = 1 + 2^-11 + 2^-24 rounds (to even) to 1 + 2^-11, so the float
// step gives exactly 0; a fused multiply-add would give 2^-24.
struct fma_probe {
  static constexpr std::size_t n_features = 1;
  static constexpr double scale[1] = {1.0 + 0x1p-12};
  static constexpr double min[1] = {-(1.0 + 0x1p-11)};
  static constexpr bool clip = false;
};
// StandardScaler(mean 0.1, scale 3) before a stump at 0: sklearn sends x left
// iff double(x) <= 0.1; 0.1f is above 0.1, so it goes right (a float scaler
// would compute 0.1f - 0.1f = 0 and send it left).
struct tenth {
  static constexpr std::size_t n_features = 1;
  static constexpr double mean[1] = {0.1};
  static constexpr double scale[1] = {3.0};
};
struct stump {
  static constexpr std::size_t n_features = 1, n_classes = 2, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {0.0, 0, 0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2][2] = {{1, 0}, {0, 1}};
};
}  // namespace

CTML_TEST(float_scaler_without_fma_contraction) {
  constexpr auto s = ctml::min_max_scaler<fma_probe>{};
  std::array<float, 1> y{};
  ctml::no_state st;
  s.run(std::array<float, 1>{opaque(1.0f + 0x1p-12f)}, y, st);
  CTML_CHECK(y[0] == 0.0f);
}

CTML_TEST(scaler_folded_into_forest_decides_in_double) {
  constexpr auto model = ctml::standard_scaler<tenth>{} >> ctml::forest_classifier<stump>{};
  static_assert(decltype(model)::size == 1, "the scaler is folded into the forest");
  const float below = 0x1.999998p-4f;  // the float just below 0.1f (and below 0.1)
  for (int layout = 0; layout < 2; ++layout) {
    const auto p = [&](float x) {
      const std::array<float, 1> row{opaque(x)};
      return layout == 0 ? model.with(ctml::unrolled_layout{}).predict(row) : model.with(ctml::table_layout{}).predict(row);
    };
    CTML_CHECK_EQ(p(0.1f), 1);
    CTML_CHECK_EQ(p(below), 0);
    CTML_CHECK_EQ(p(-1e30f), 0);
    CTML_CHECK_EQ(p(3.4e38f), 1);
  }
  // q<int16, 0> on raw counts: x <= 0.1 iff raw <= 0.
  constexpr auto q = model.with(ctml::q<std::int16_t, 0>{});
  CTML_CHECK_EQ(q.predict(std::array<std::int16_t, 1>{opaque(std::int16_t{0})}), 0);
  CTML_CHECK_EQ(q.predict(std::array<std::int16_t, 1>{opaque(std::int16_t{1})}), 1);
}
