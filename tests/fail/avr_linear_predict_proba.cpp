// On AVR a linear classifier's predict_proba (its exp runs in binary64,
// which avr-libc lacks) is rejected; its decision_function is fine.
#include <array>
#include <span>

#include <ctml/ctml.hpp>

struct lr3 {
  static constexpr std::size_t n_features = 2, n_outputs = 3;
  static constexpr int proba = 2;
  static constexpr double coef[3][2] = {{1.0, 0.0}, {0.0, 1.0}, {-1.0, -1.0}};
  static constexpr double intercept[3] = {0.0, 0.0, 0.0};
};

float first(float a, float b) {
  std::array<float, 3> out{};
#ifdef CTML_EXPECT_FAIL
  ctml::linear_classifier<lr3>{}.predict_proba(std::array<float, 2>{a, b}, std::span(out));
#else
  ctml::linear_classifier<lr3>{}.decision_function(std::array<float, 2>{a, b}, std::span(out));
#endif
  return out[0];
}
