// The Gaussian models take float32 or q<int16_t, F> inputs: an 8-bit format
// has no integer scores.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/anomaly/gaussian.hpp>

namespace {
struct gmm {
  static constexpr std::size_t n_features = 2, n_components = 2;
  static constexpr double means[2][2] = {{0.0, 0.0}, {1.0, 1.0}};
  static constexpr double factor[2][2][2] = {{{2.0, 1.0}, {0.0, 0.5}}, {{1.0, 0.0}, {0.0, 1.0}}};
  static constexpr double bias[2] = {0.0, -3.125};
  [[maybe_unused]] static constexpr double bias_magnitude[2] = {0.0, 3.125};
};
}  // namespace

#ifdef CTML_EXPECT_FAIL
using model = ctml::gaussian_mixture<gmm, ctml::q<std::int8_t, 4>>;
using in = std::array<std::int8_t, 2>;
#else
using model = ctml::gaussian_mixture<gmm, ctml::q<std::int16_t, 4>>;
using in = std::array<std::int16_t, 2>;
#endif
int predict_one(in x) { return model{}.predict(x); }
