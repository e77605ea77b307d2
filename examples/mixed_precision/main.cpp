// Per-stage number types: an int16 sensor, a fixed-point scaler, a float forest.
#include <array>
#include <cstdint>
#include <cstdio>

#include <ctml/ctml.hpp>

// A 3-axis accelerometer gives int16 samples in Q15 (full scale = 1.0).
struct scaler_params {
  static constexpr std::size_t n_features = 3;
  static constexpr double mean[3] = {0.10, -0.05, 0.50};
  static constexpr double scale[3] = {0.25, 0.25, 0.125};
};
struct tree_params {  // x2 <= 2.5 ? (x0 <= 0 ? class 0 : class 1) : class 2, on scaled values
  static constexpr std::size_t n_features = 3, n_classes = 3, n_trees = 1, n_nodes = 5, n_values = 3;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[5] = {1, 2, -1, -1, -1};
  static constexpr std::int32_t right[5] = {4, 3, -1, -1, -1};
  static constexpr std::int32_t feature[5] = {2, 0, -1, -1, -1};
  static constexpr double threshold[5] = {2.5, 0.0, 0.0, 0.0, 0.0};
  static constexpr std::int32_t leaf[5] = {-1, -1, 0, 1, 2};
  static constexpr double values[3][3] = {{5.0, 0.0, 0.0}, {0.0, 7.0, 0.0}, {0.0, 0.0, 4.0}};
};

using q4_11 = ctml::q<std::int16_t, 11>;  // room for standardised values up to +-16

// Q15 samples -> Q4.11 -> scaler in Q4.11 -> float -> forest. Each `>>` checks
// that the number types meet; leaving out a conversion is a compile error
// that names the one to insert.
constexpr auto model = ctml::requantize<ctml::q15, q4_11, 3>{} >> ctml::standard_scaler<scaler_params, q4_11>{} >>
                       ctml::dequantize<q4_11, 3>{} >> ctml::forest_classifier<tree_params>{};

// Rebind one stage: the forest (stage 3) as a compact table.
constexpr auto compact = model.with<3>(ctml::table_layout{});

static_assert(std::is_same_v<decltype(model)::in_type, std::int16_t>);
// 0.2, 0.0, 0.75 of full scale: x0 = (0.2 - 0.1) / 0.25 = 0.4 > 0, x2 = 2.0 <= 2.5 -> class 1.
static_assert(model.predict(std::array<std::int16_t, 3>{6554, 0, 24576}) == 1);

int main() {
  const std::array<std::int16_t, 3> walking{6554, 0, 24576};   // class 1 (above)
  const std::array<std::int16_t, 3> resting{1638, 0, 24576};   // x0 = (0.05 - 0.1) / 0.25 < 0: class 0
  const std::array<std::int16_t, 3> falling{0, 0, 32767};      // x2 = (1.0 - 0.5) / 0.125 = 4 > 2.5: class 2
  const int a = model.predict(walking), b = model.predict(resting), c = compact.predict(falling);
  std::printf("classes %d %d %d; flash %zu bytes, RAM %zu bytes\n", a, b, c, model.flash_bytes(), model.ram_bytes());
  return a == 1 && b == 0 && c == 2 ? 0 : 1;
}
