// The README's example, compiled and run by the tests.
#include <array>
#include <cstdint>
#include <cstdio>

#include <ctml/ctml.hpp>

// What `python3 -m ctml convert` emits: fitted parameters as data.
struct scaler_params {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[2] = {5.0, 10.0};
  static constexpr double scale[2] = {2.0, 5.0};
};
struct tree_params {  // x0 <= 0 ? (x1 <= 0.5 ? class 0 : class 1) : class 1, on scaled inputs
  static constexpr std::size_t n_features = 2, n_classes = 2, n_trees = 1, n_nodes = 5, n_values = 2;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[5] = {1, 2, -1, -1, -1};
  static constexpr std::int32_t right[5] = {4, 3, -1, -1, -1};
  static constexpr std::int32_t feature[5] = {0, 1, -1, -1, -1};
  static constexpr double threshold[5] = {0.0, 0.5, 0.0, 0.0, 0.0};
  static constexpr std::int32_t leaf[5] = {-1, -1, 0, 1, 1};
  static constexpr double values[2][2] = {{9.0, 1.0}, {2.0, 8.0}};
};

// The pipeline is a type; the model object is an empty constexpr value.
constexpr auto model = ctml::standard_scaler<scaler_params>{} >> ctml::forest_classifier<tree_params>{};

// Budgets are checked by the compiler; a failure prints both numbers.
static_assert(ctml::fits<decltype(model), ctml::budget<2 * 1024, 128>>);

// The same model for a chip without FPU: 16-bit fixed point, compact table.
constexpr auto small = model.with(ctml::q<std::int16_t, 8>{}).with(ctml::table_layout{});

int main() {
  const std::array<float, 2> x{4.0f, 11.0f};
  const int cls = model.predict(x);  // index into sklearn's classes_
  const std::array<std::int16_t, 2> xq{4 * 256, 11 * 256};  // the same input in Q7.8
  const int cls_small = small.predict(xq);
  std::printf("class %d (float), %d (q7.8 table); flash %zu / %zu bytes, RAM %zu bytes, %zu compares\n", cls,
              cls_small, model.flash_bytes(), small.flash_bytes(), model.ram_bytes(), model.cost());
  return cls == 0 && cls_small == 0 ? 0 : 1;
}
