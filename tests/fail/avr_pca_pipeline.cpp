// On AVR a float pipeline whose refinement needs binary64 arithmetic at run
// time (a PCA projection computes in double) is rejected; scalers and linear
// models redo sklearn's double arithmetic in integers and are offered.
#include <array>
#include <cstddef>

#include <ctml/ctml.hpp>

struct linear2 {
  static constexpr std::size_t n_features = 2, n_outputs = 1;
  static constexpr double coef[1][2] = {{0.1, 0.2}};
  static constexpr double intercept[1] = {-0.3};
};
struct scaler2 {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[2] = {10.0, 20.0};
  static constexpr double scale[2] = {2.0, 4.0};
};
struct pca2 {
  static constexpr std::size_t n_features = 2, n_outputs = 2;
  static constexpr double mean[2] = {1.0, 2.0};
  static constexpr double components[2][2] = {{0.6, 0.8}, {-0.8, 0.6}};
  static constexpr double scale[2] = {1.0, 1.0};
};

#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::projection<pca2>{} >> ctml::linear_classifier<linear2>{};
#else
constexpr auto model = ctml::standard_scaler<scaler2>{} >> ctml::linear_classifier<linear2>{};
#endif
int f() {
  std::array<float, 2> x{};
  return model.predict(x);
}
