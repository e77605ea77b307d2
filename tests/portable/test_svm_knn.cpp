// Kernel SVMs and nearest neighbours on every port: small models converted by
// ctml (svm_knn_fixture.hpp) predict what scikit-learn predicted for dataset
// rows, rows one float32 step either side of an SVM's decision boundary, and
// integer-grid queries full of exact distance ties. AVR has no binary64 at
// run time, so there only the integer KNN runs (q<int16_t, 1>: exact, ties
// included, on the half-integer grid).
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/neighbors/learner.hpp>
#include <ctml/neighbors/neighbors.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/svm/svm.hpp>

#include "ctml_test.hpp"
#include "svm_knn_fixture.hpp"

namespace {
namespace fx = svm_knn_fixture;

template <std::size_t N>
std::array<float, N> row(const float (*x)[N], std::size_t i) {
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

// The same rows as Q14.1 integers (the grid queries are multiples of 1/2).
template <class Model, std::size_t N, std::size_t R>
std::size_t wrong_q1(const Model& model, const float (&x)[R][N], const std::int8_t (&y)[R]) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < R; ++i) {
    std::array<std::int16_t, N> xq{};
    for (std::size_t j = 0; j < N; ++j) xq[j] = static_cast<std::int16_t>(ctml::flash_load(&x[i][j]) * 2.0f);
    bad += model.predict(xq) != ctml::flash_load(&y[i]);
  }
  return bad;
}
}  // namespace

CTML_TEST(knn_int16_ties_as_sklearn) {
  constexpr auto l1 = fx::fx_grid_l1::model.with(ctml::q<std::int16_t, 1>{});
  constexpr auto l2 = fx::fx_grid_l2::model.with(ctml::q<std::int16_t, 1>{});
  CTML_CHECK_EQ(wrong_q1(l1, fx::grid_l1_x, fx::grid_l1_y), 0u);
  CTML_CHECK_EQ(wrong_q1(l2, fx::grid_l2_x, fx::grid_l2_y), 0u);
}

CTML_TEST(knn_learner_learns_as_sklearn_refits) {
  using learner = ctml::knn_learner<ctml::knn_learner_config<3, 3, 12, 3>>;
  learner::state_type store{};
  const std::array<std::int16_t, 3> probe{0, 0, 0};
  CTML_CHECK_EQ(learner{}.predict(probe, store), -1);  // nothing learnt yet
  auto check = [&](const std::int8_t* expected) {
    std::size_t bad = 0;
    for (std::size_t q = 0; q < 30; ++q) {
      std::array<std::int16_t, 3> x{};
      for (std::size_t i = 0; i < 3; ++i) x[i] = ctml::flash_load(&fx::learn_queries[q][i]);
      bad += learner{}.predict(x, store) != ctml::flash_load(&expected[q]);
    }
    return bad;
  };
  for (std::size_t t = 0; t < 24; ++t) {
    std::array<std::int16_t, 3> x{};
    for (std::size_t i = 0; i < 3; ++i) x[i] = ctml::flash_load(&fx::learn_adds_x[t][i]);
    learner{}.learn(x, static_cast<std::size_t>(ctml::flash_load(&fx::learn_adds_y[t])), store);
    if (t + 1 == 6) CTML_CHECK_EQ(check(fx::learn_y6), 0u);
  }
  CTML_CHECK_EQ(store.size, 12u);
  CTML_CHECK_EQ(check(fx::learn_y24), 0u);
}

#if !defined(__AVR__)
CTML_TEST(svc_rbf_votes_as_libsvm) { CTML_CHECK_EQ(wrong(fx::fx_svc::model, fx::svc_x, fx::svc_y), 0u); }

CTML_TEST(svc_linear_votes_as_libsvm) { CTML_CHECK_EQ(wrong(fx::fx_linear::model, fx::linear_x, fx::linear_y), 0u); }

CTML_TEST(one_class_svm_signs) { CTML_CHECK_EQ(wrong(fx::fx_ocsvm::model, fx::ocsvm_x, fx::ocsvm_y), 0u); }

// Scores in double: within 1e-12 relative of sklearn's (libm's exp vs ctml's, BLAS's order).
template <class Model, std::size_t N, std::size_t R>
bool scores_close(const Model& model, const float (&x)[R][N], const double (&want)[R]) {
  bool ok = true;
  for (std::size_t i = 0; i < R; ++i) {
    const double got = model.score_samples(row(x, i)), w = ctml::flash_load(&want[i]);
    ok = ok && (got > w ? got - w : w - got) <= 1e-12 * (w < 0 ? -w : w) + 1e-15;
  }
  return ok;
}

CTML_TEST(outlier_scores_as_sklearn) {
  constexpr auto ocsvm = fx::fx_ocsvm::model;
  CTML_CHECK(scores_close(boost::mp11::mp_front<decltype(ocsvm)::stages>{}, fx::ocsvm_x, fx::ocsvm_score));
  constexpr auto lof = boost::mp11::mp_front<decltype(fx::fx_lof::model)::stages>{};
  CTML_CHECK(scores_close(lof, fx::lof_x, fx::lof_score));
  CTML_CHECK_EQ(wrong(fx::fx_lof::model, fx::lof_x, fx::lof_y), 0u);
}

CTML_TEST(svr_values) {
  for (std::size_t i = 0; i < fx::svr_rows; ++i) {
    const double got = fx::fx_svr::model.predict(row(fx::svr_x, i));
    const double want = ctml::flash_load(&fx::svr_y[i]);
    CTML_CHECK((got > want ? got - want : want - got) <= 1e-12);
  }
}

CTML_TEST(knn_iris_votes) { CTML_CHECK_EQ(wrong(fx::fx_knn::model, fx::knn_x, fx::knn_y), 0u); }

CTML_TEST(knn_ties_as_sklearn) {
  CTML_CHECK_EQ(wrong(fx::fx_grid_l1::model, fx::grid_l1_x, fx::grid_l1_y), 0u);
  CTML_CHECK_EQ(wrong(fx::fx_grid_l2::model, fx::grid_l2_x, fx::grid_l2_y), 0u);
  for (std::size_t i = 0; i < fx::grid_reg_rows; ++i)
    CTML_CHECK(fx::fx_grid_reg::model.predict(row(fx::grid_reg_x, i)) == ctml::flash_load(&fx::grid_reg_y[i]));
}
#endif

// CategoricalNB, NearestCentroid, RadiusNeighborsClassifier and SVC outputs
// (classic_more_fixture.hpp, tests/portable/make_classic_more_fixture.py).
#include <ctml/bayes/categorical.hpp>
#include <ctml/neighbors/centroid.hpp>
#include <ctml/neighbors/radius.hpp>

#include "classic_more_fixture.hpp"

namespace {
namespace cm = classic_more_fixture;
}  // namespace

CTML_TEST(nearest_centroid_int16_exact) {
  constexpr auto model = cm::fx_centroid_q::model.with(ctml::q<std::int16_t, 0>{});
  std::size_t bad = 0;
  for (std::size_t i = 0; i < cm::centroid_q_rows; ++i) {
    std::array<std::int16_t, 4> x{};
    for (std::size_t j = 0; j < 4; ++j) x[j] = static_cast<std::int16_t>(ctml::flash_load(&cm::centroid_q_x[i][j]));
    bad += model.predict(x) != ctml::flash_load(&cm::centroid_q_y[i]);
  }
  CTML_CHECK_EQ(bad, 0u);
}

// Exact where binary64 runs; on AVR the mean is summed in float32.
CTML_TEST(knn_regressor_int16_as_sklearn) {
  constexpr auto model = cm::fx_knnreg_q::model.with(ctml::q<std::int16_t, 0>{});
  std::size_t bad = 0;
  for (std::size_t i = 0; i < cm::knnreg_q_rows; ++i) {
    std::array<std::int16_t, 3> x{};
    for (std::size_t j = 0; j < 3; ++j) x[j] = static_cast<std::int16_t>(ctml::flash_load(&cm::knnreg_q_x[i][j]));
    const auto got = model.predict(x);
#if defined(__AVR__)
    const float want = ctml::flash_load(&cm::knnreg_q_yf[i]);
    bad += (got > want ? got - want : want - got) > 1e-5f;
#else
    bad += got != ctml::flash_load(&cm::knnreg_q_y[i]);
#endif
  }
  CTML_CHECK_EQ(bad, 0u);
}

// Near-ties in integer binary64 where there is no double unit (AVR too).
CTML_TEST(categorical_nb_as_sklearn) { CTML_CHECK_EQ(wrong(cm::fx_cnb::model, cm::cnb_x, cm::cnb_y), 0u); }

#if !defined(__AVR__)

CTML_TEST(nearest_centroid_boundaries) {
  CTML_CHECK_EQ(wrong(cm::fx_centroid::model, cm::centroid_x, cm::centroid_y), 0u);
}

CTML_TEST(radius_neighbors_ties_and_outliers) {
  CTML_CHECK_EQ(wrong(cm::fx_radius::model, cm::radius_x, cm::radius_y), 0u);
}

CTML_TEST(svc_decision_function_and_proba) {
  CTML_CHECK_EQ(wrong(cm::fx_svc_proba::model, cm::svc_proba_x, cm::svc_proba_class), 0u);
  constexpr auto svc = boost::mp11::mp_front<decltype(cm::fx_svc_proba::model)::stages>{};
  bool dec_ok = true, proba_ok = true;
  for (std::size_t i = 0; i < cm::svc_proba_rows; ++i) {
    std::array<double, 3> dec{};
    std::array<float, 3> p{};
    svc.decision_function(row(cm::svc_proba_x, i), dec);
    cm::fx_svc_proba::model.predict_proba(row(cm::svc_proba_x, i), p);
    for (std::size_t c = 0; c < 3; ++c) {
      const double dw = ctml::flash_load(&cm::svc_proba_dec[3 * i + c]), pw = ctml::flash_load(&cm::svc_proba_p[3 * i + c]);
      dec_ok = dec_ok && (dec[c] > dw ? dec[c] - dw : dw - dec[c]) <= 1e-9;
      proba_ok = proba_ok && (p[c] > pw ? p[c] - pw : pw - p[c]) <= 1e-6;
    }
  }
  CTML_CHECK(dec_ok);
  CTML_CHECK(proba_ok);
}
#endif
