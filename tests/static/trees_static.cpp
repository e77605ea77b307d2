// Compile-time facts of the tree stages.
#include <cstdint>
#include <limits>

#include <ctml/ctml.hpp>

namespace {
using f32_rule = ctml::trees::split_rule<ctml::f32>;
using i16_rule = ctml::trees::split_rule<ctml::q<std::int16_t, 0>>;

// The float32 bound of a float64 threshold is the largest float <= it.
static_assert(f32_rule::bound(0.5) == 0.5f);
static_assert(f32_rule::bound(0.1) < 0.1 && static_cast<double>(f32_rule::bound(0.1)) <= 0.1);
static_assert(f32_rule::bound(-0.0) == 0.0f);      // +0 bound: both zeros go left
static_assert(f32_rule::bound(-1e-300) < 0.0f);     // below zero: -0 goes right
static_assert(f32_rule::bound(1e300) == std::numeric_limits<float>::max());
static_assert(f32_rule::goes_left(-0.0f, f32_rule::key(0.0)));
static_assert(!f32_rule::goes_left(-0.0f, f32_rule::key(-1e-300)));
static_assert(f32_rule::goes_left(-2.0f, f32_rule::key(-1.5)) && !f32_rule::goes_left(-1.0f, f32_rule::key(-1.5)));

// Integer thresholds are floors, clamped just outside the int16 range.
static_assert(i16_rule::key(2.5) == 2 && i16_rule::key(-2.5) == -3 && i16_rule::key(3.0) == 3);
static_assert(i16_rule::key(1e9) == 32767 && i16_rule::key(-1e9) == -32769);
static_assert(!i16_rule::goes_left<i16_rule::key(-1e9)>(std::int16_t{-32768}));
static_assert(i16_rule::goes_left<i16_rule::key(1e9)>(std::int16_t{32767}));

// x[1] <= 2.5 ? {3, 1} : {0, 4}
struct stump {
  static constexpr std::size_t n_features = 2, n_classes = 2, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {1, -1, -1};
  static constexpr double threshold[3] = {2.5, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2][2] = {{3.0, 1.0}, {0.0, 4.0}};
};
using clf = ctml::forest_classifier<stump>;
static_assert(ctml::Predictor<clf>);
static_assert(clf::cost() == 1);
static_assert(std::is_same_v<clf::layout, ctml::trees::unrolled<stump, f32_rule>>);  // small: unrolled
static_assert(std::is_same_v<clf::rebind_layout<ctml::table_layout>::layout, ctml::trees::table<stump, f32_rule>>);
// fastest_within: the unrolled code when its whole flash figure fits; for a
// stump that is also the smallest (8 bytes fit nothing: tests/fail/no_layout_fits.cpp).
using unrolled_clf = clf::rebind_layout<ctml::unrolled_layout>;
static_assert(std::is_same_v<clf::rebind_layout<ctml::fastest_within<ctml::budget<unrolled_clf::flash_bytes(), 0>>>::layout,
                             ctml::trees::unrolled<stump, f32_rule>>);
// 3/4 and 1/4 are exact in binary: no exact-arithmetic fallback is compiled in.
static_assert(ctml::trees::class_rows<stump, false>::exact && ctml::trees::class_rows<stump, true>::exact);

// Predictions are constant expressions too.
constexpr auto model = ctml::make_pipeline(clf{});
static_assert(model.predict(std::array<float, 2>{0.0f, 2.5f}) == 0);
static_assert(model.predict(std::array<float, 2>{0.0f, 2.6f}) == 1);
static_assert(model.with(ctml::table_layout{}).predict(std::array<float, 2>{0.0f, 2.6f}) == 1);
static_assert(model.with(ctml::q<std::int16_t, 0>{}).predict(std::array<std::int16_t, 2>{0, 3}) == 1);
}  // namespace
