// Kernel SVMs and nearest neighbours on every port: small models converted by
// ctml (svm_knn_fixture.hpp) predict what scikit-learn predicted for dataset
// rows, rows one float32 step either side of an SVM's decision boundary, and
// integer-grid queries full of exact distance ties.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

#include "ctml_test.hpp"
#include "svm_knn_fixture.hpp"

namespace {
namespace fx = svm_knn_fixture;

template <std::size_t N, std::size_t R>
std::array<float, N> row(const float (&x)[R][N], std::size_t i) {
  std::array<float, N> r{};
  for (std::size_t j = 0; j < N; ++j) r[j] = ctml::flash_load(&x[i][j]);
  return r;
}

// Rows a model got wrong (0 expected).
template <class Model, std::size_t N, std::size_t R>
std::size_t wrong(const Model& model, const float (&x)[R][N], const std::int8_t (&y)[R]) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < R; ++i) bad += model.predict(row(x, i)) != ctml::flash_load(&y[i]);
  return bad;
}

// Near-ties are settled in binary64; AVR's double is 32 bits (see svm.hpp).
constexpr bool binary64 = sizeof(double) == 8;
}  // namespace

CTML_TEST(svc_rbf_votes_as_libsvm) {
  if constexpr (binary64) CTML_CHECK_EQ(wrong(fx::fx_svc::model, fx::svc_x, fx::svc_y), 0u);
  else CTML_CHECK(wrong(fx::fx_svc::model, fx::svc_x, fx::svc_y) <= 6u);
}

CTML_TEST(svc_linear_votes_as_libsvm) {
  if constexpr (binary64) CTML_CHECK_EQ(wrong(fx::fx_linear::model, fx::linear_x, fx::linear_y), 0u);
  else CTML_CHECK(wrong(fx::fx_linear::model, fx::linear_x, fx::linear_y) <= 4u);
}

CTML_TEST(one_class_svm_signs) {
  if constexpr (binary64) CTML_CHECK_EQ(wrong(fx::fx_ocsvm::model, fx::ocsvm_x, fx::ocsvm_y), 0u);
  else CTML_CHECK(wrong(fx::fx_ocsvm::model, fx::ocsvm_x, fx::ocsvm_y) <= 4u);
}

CTML_TEST(svr_values) {
  for (std::size_t i = 0; i < fx::svr_rows; ++i) {
    const double got = fx::fx_svr::model.predict(row(fx::svr_x, i));
    const double want = ctml::flash_load(&fx::svr_y[i]);
    const double err = got > want ? got - want : want - got;
    CTML_CHECK(err <= (binary64 ? 1e-12 : 1e-4));
  }
}

CTML_TEST(knn_iris_votes) { CTML_CHECK_EQ(wrong(fx::fx_knn::model, fx::knn_x, fx::knn_y), 0u); }

CTML_TEST(knn_ties_as_sklearn) {
  if constexpr (binary64) {
    CTML_CHECK_EQ(wrong(fx::fx_grid_l1::model, fx::grid_l1_x, fx::grid_l1_y), 0u);
    CTML_CHECK_EQ(wrong(fx::fx_grid_dist::model, fx::grid_dist_x, fx::grid_dist_y), 0u);
    for (std::size_t i = 0; i < fx::grid_reg_rows; ++i)
      CTML_CHECK(fx::fx_grid_reg::model.predict(row(fx::grid_reg_x, i)) == ctml::flash_load(&fx::grid_reg_y[i]));
  } else {
    CTML_CHECK_EQ(wrong(fx::fx_grid_l1::model, fx::grid_l1_x, fx::grid_l1_y), 0u);
  }
}
