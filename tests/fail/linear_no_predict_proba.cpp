// LinearSVC-like classifiers (Params::proba == 0) have no predict_proba, as in sklearn.
#include <array>
#include <span>

#include <ctml/ctml.hpp>

namespace {
struct svc_params {
  static constexpr std::size_t n_features = 2, n_outputs = 3;
#ifdef CTML_EXPECT_FAIL
  static constexpr int proba = 0;
#else
  static constexpr int proba = 2;
#endif
  static constexpr double coef[3][2] = {{1.0, 0.0}, {0.0, 1.0}, {-1.0, -1.0}};
  static constexpr double intercept[3] = {0.0, 0.0, 0.0};
};
}  // namespace

float first_probability(float a, float b) {
  std::array<float, 3> p{};
  ctml::linear_classifier<svc_params>{}.predict_proba(std::array<float, 2>{a, b}, std::span(p));
  return p[0];
}
