// GaussianNB takes float32 or q<int16_t, F> inputs: an 8-bit format has no
// integer scores.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/bayes/gaussian_nb.hpp>

namespace {
struct gnb {
  static constexpr std::size_t n_features = 2, n_classes = 2;
  static constexpr double theta[2][2] = {{-1.0, 0.5}, {1.0, 2.0}};
  static constexpr double var[2][2] = {{1.0, 0.25}, {1.1, 0.26}};
  static constexpr double log_prior[2] = {-0.6931471805599453, -0.6931471805599453};
  static constexpr double log_norm[2] = {-1.1447298858494, -1.2119953323282031};
};
}  // namespace

#ifdef CTML_EXPECT_FAIL
using model = ctml::gaussian_nb<gnb, ctml::q<std::int8_t, 4>>;
using in = std::array<std::int8_t, 2>;
#else
using model = ctml::gaussian_nb<gnb, ctml::q<std::int16_t, 4>>;
using in = std::array<std::int16_t, 2>;
#endif
int predict_one(in x) { return model{}.predict(x); }
