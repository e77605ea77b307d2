// Linear models, LDA-like classifiers, k-means, GaussianNB and a projection
// on every port: hand-worked decisions, including rows where the float32
// scores cannot decide and sklearn's double arithmetic must (e.g.
// 0.1 + 0.2 - 0.3 = 2^-54 > 0 in binary64, 0 in real numbers, 0 in float).
#include <array>
#include <bit>
#include <cstdint>

#include <ctml/bayes/gaussian_nb.hpp>
#include <ctml/linear/linear.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>
#include <ctml/transforms/projection.hpp>

#include "ctml_test.hpp"

// The f32 policy on every port: without a binary64 unit (AVR, Cortex-M0,
// RV32IMAC) sklearn's double arithmetic runs in integers (detail/ieee_arith.hpp).
#define CTML_LINEAR_F32 1

namespace {

template <class T>
T opaque(T v) {
  __asm__ volatile("" : : "r"(&v) : "memory");
  return v;
}

// score = 0.1 x0 + 0.2 x1 - 0.3
struct binary_params {
  static constexpr std::size_t n_features = 2, n_outputs = 1;
  [[maybe_unused]] static constexpr int proba = 1;
  static constexpr double coef[1][2] = {{0.1, 0.2}};
  static constexpr double intercept[1] = {-0.3};
};
// three classes; class 2 = class 0 + tiny, class 1 far
struct multi_params {
  static constexpr std::size_t n_features = 2, n_outputs = 3;
  [[maybe_unused]] static constexpr int proba = 2;
  static constexpr double coef[3][2] = {{0.1, 0.2}, {-1.0, -1.0}, {0.3, 0.0}};
  static constexpr double intercept[3] = {0.0, 0.0, 0.0};
};
// k-means: centres (0, 0), (2, 0), (1, 5); squared norms as sklearn's row_norms
struct centres_params {
  static constexpr std::size_t n_features = 2, n_outputs = 3;
  static constexpr double coef[3][2] = {{0.0, 0.0}, {2.0, 0.0}, {1.0, 5.0}};
  static constexpr double intercept[3] = {0.0, 4.0, 26.0};
};
#if CTML_LINEAR_F32
#if !defined(__AVR__)
// score = 0.001 x0 + 4096 x1 - 1: terms 2^22 apart (the integer fast path of
// soft-float chips aligns them per row)
struct wide_params {
  static constexpr std::size_t n_features = 2, n_outputs = 1;
  static constexpr double coef[1][2] = {{1.0e-3, 4096.0}};
  static constexpr double intercept[1] = {-1.0};
};
// two Gaussian classes at -1 and +1, unit variance, equal priors
struct gnb_params {
  static constexpr std::size_t n_features = 2, n_classes = 2;
  static constexpr double theta[2][2] = {{-1.0, -1.0}, {1.0, 1.0}};
  static constexpr double var[2][2] = {{1.0, 1.0}, {1.0, 1.0}};
  static constexpr double log_prior[2] = {-0.6931471805599453, -0.6931471805599453};
  static constexpr double log_norm[2] = {-1.8378770664093453, -1.8378770664093453};
};
#endif
// unequal variances: the x^2 terms differ between the classes (the integer
// path of soft-float chips expands the likelihood in x and x^2)
struct gnb_near_params {
  static constexpr std::size_t n_features = 2, n_classes = 2;
  static constexpr double theta[2][2] = {{-1.0, 0.5}, {1.0, 2.0}};
  static constexpr double var[2][2] = {{1.0, 0.25}, {1.1, 0.26}};
  static constexpr double log_prior[2] = {-0.6931471805599453, -0.6931471805599453};
  static constexpr double log_norm[2] = {-1.1447298858494, -1.2119953323282031};  // numpy
};
struct scaler_params {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[2] = {10.0, 20.0};
  static constexpr double scale[2] = {2.0, 4.0};
};
#endif

template <class Model>
auto predict(Model m, float a, float b) {
  return m.predict(std::array<float, 2>{opaque(a), opaque(b)});
}

}  // namespace

#if CTML_LINEAR_F32
CTML_TEST(linear_binary_decides_as_sklearn_double) {
  constexpr ctml::linear_classifier<binary_params> m{};
  CTML_CHECK_EQ(predict(m, 0.0f, 0.0f), 0);    // -0.3
  CTML_CHECK_EQ(predict(m, 10.0f, 0.0f), 1);   // 0.7
  CTML_CHECK_EQ(predict(m, 1.0f, 0.5f), 0);    // 0.1 + 0.1 - 0.3
  if constexpr (ctml::detail::double_is_binary64) {
    // -0.1 + 0.4 = 0.30000000000000004; - 0.3 = 5.551115123125783e-17 > 0
    CTML_CHECK_EQ(predict(m, -1.0f, 2.0f), 1);
    // 0.1 + 0.2 = 0.30000000000000004; - 0.3 = 5.551115123125783e-17 > 0: sklearn says 1
    CTML_CHECK_EQ(predict(m, 1.0f, 1.0f), 1);
    // 0.30000000000000004 - 0.3 again (3 * 0.1 = 0.30000000000000004)
    CTML_CHECK_EQ(predict(m, 3.0f, 0.0f), 1);
  }
}

#if !defined(__AVR__)  // the ATmega328P image holds a subset
// a zero weight: the fast path's exponents come from a table, not from the
// double weights (affine::offsets_in_coef64)
struct zero_weight_params {
  static constexpr std::size_t n_features = 2, n_outputs = 1;
  static constexpr double coef[1][2] = {{0.0, 0.2}};
  static constexpr double intercept[1] = {-0.3};
};
CTML_TEST(linear_zero_weight_decides_as_sklearn_double) {
  static_assert(ctml::detail::affine<binary_params>::offsets_in_coef64);
  static_assert(!ctml::detail::affine<zero_weight_params>::offsets_in_coef64);
  constexpr ctml::linear_classifier<zero_weight_params> m{};
  CTML_CHECK_EQ(predict(m, 7.0f, 1.0f), 0);  // -0.1
  if constexpr (ctml::detail::double_is_binary64) {
    // 1.5 * 0.2 = 0.30000000000000004 (a tie, to even); - 0.3 = 5.551115123125783e-17 > 0 (numpy)
    CTML_CHECK_EQ(predict(m, 7.0f, 1.5f), 1);
    CTML_CHECK_EQ(predict(m, -2.0f, 1.5f), 1);
  }
}

CTML_TEST(linear_wide_terms_subnormal_and_huge_inputs) {
  // expected: numpy, sklearn's order (x0 w0 + x1 w1 + b in double)
  constexpr ctml::linear_classifier<wide_params> m{};
  CTML_CHECK_EQ(predict(m, 1000.0f, 0.0f), 0);               // 0.001 * 1000 = 1.0 in double: 0.0
  CTML_CHECK_EQ(predict(m, 1000.0f, 0x1p-20f), 1);           // 2^-8
  CTML_CHECK_EQ(predict(m, 1000.0f, -0x1p-20f), 0);          // -2^-8
  CTML_CHECK_EQ(predict(m, 1000.0f, 1.4e-45f), 0);           // 1.0 + 2^-137 = 1.0 in double: 0.0
  CTML_CHECK_EQ(predict(m, 0.0f, 3.0e38f), 1);               // 1.2288e42 (float scores overflow)
  CTML_CHECK_EQ(predict(m, -3.0e38f, 0.0f), 0);              // -3e35
  CTML_CHECK_EQ(predict(m, 1.4e-45f, 0.0f), 0);              // -1.0
  CTML_CHECK_EQ(predict(m, 1000.0f, 0x1p-40f), 1);           // 4096 * 2^-40 = 2^-28 > 0
}
#endif

CTML_TEST(linear_multiclass_first_maximum) {
  constexpr ctml::linear_classifier<multi_params> m{};
  CTML_CHECK_EQ(predict(m, -1.0f, -1.0f), 1);  // 2 beats -0.3
  CTML_CHECK_EQ(predict(m, 0.0f, 0.0f), 0);    // three zeros: the first
  CTML_CHECK_EQ(predict(m, 1.0f, 0.0f), 2);    // 0.1 vs 0.3
  if constexpr (ctml::detail::double_is_binary64) {
    // class 0: 0.1 * 1 + 0.2 * 1 = 0.30000000000000004; class 2: 0.3 * 1 = 0.3
    CTML_CHECK_EQ(predict(m, 1.0f, 1.0f), 0);
    // class 0: 0.2 + 0.1 = 0.30000000000000004 < class 2: 0.6
    CTML_CHECK_EQ(predict(m, 2.0f, 0.5f), 2);
  }
}

#if !defined(__AVR__)  // the ATmega328P image holds a subset
CTML_TEST(kmeans_nearest_centre_first_on_ties) {
  constexpr ctml::kmeans<centres_params> m{};
  CTML_CHECK_EQ(predict(m, 0.25f, 0.0f), 0);
  CTML_CHECK_EQ(predict(m, 1.75f, 0.5f), 1);
  CTML_CHECK_EQ(predict(m, 1.0f, 4.0f), 2);
  CTML_CHECK_EQ(predict(m, 1.0f, 0.0f), 0);  // equidistant from centres 0 and 1: the first
  CTML_CHECK_EQ(predict(m, 1.0f, -3.0f), 0);
}
#endif

CTML_TEST(linear_regressor_value_is_sklearn_double) {
  constexpr ctml::linear_regressor<binary_params> m{};
  // bit for bit (no double compare: AVR links no binary64 library)
  const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
  CTML_CHECK(bits(predict(m, 1.0f, 1.0f)) == bits(5.551115123125783e-17));
  CTML_CHECK(bits(predict(m, 10.0f, 1.0f)) == bits(0.8999999999999999));  // 1.0 + 0.2 = 1.2; - 0.3
  CTML_CHECK(bits(predict(m, 0.0f, 0.0f)) == bits(-0.3));
}

#if !defined(__AVR__)  // the ATmega328P image holds a subset
CTML_TEST(gaussian_nb_symmetric_classes) {
  constexpr ctml::gaussian_nb<gnb_params> m{};
  CTML_CHECK_EQ(predict(m, -0.5f, -0.2f), 0);
  CTML_CHECK_EQ(predict(m, 0.5f, 0.2f), 1);
  CTML_CHECK_EQ(predict(m, 0.0f, 0.0f), 0);   // exact tie: the first class
  CTML_CHECK_EQ(predict(m, 1.0f, -1.0f), 0);  // tie again
  CTML_CHECK_EQ(predict(m, 1.0f, -0.99999994f), 1);
}

CTML_TEST(gaussian_nb_int16_policy) {
  // symmetric classes, q<int16, 8>: jll_1 - jll_0 = 2 (x0 + x1), ties to the first class
  constexpr ctml::gaussian_nb<gnb_params, ctml::q<std::int16_t, 8>> m{};
  const auto p = [&](std::int16_t a, std::int16_t b) { return m.predict(std::array<std::int16_t, 2>{opaque(a), b}); };
  CTML_CHECK_EQ(p(-128, -51), 0);
  CTML_CHECK_EQ(p(128, 51), 1);
  CTML_CHECK_EQ(p(0, 0), 0);
  CTML_CHECK_EQ(p(256, -256), 0);
  CTML_CHECK_EQ(p(256, -255), 1);
  // unequal variances (the x^2 terms differ); expected: numpy's jll in double
  constexpr ctml::gaussian_nb<gnb_near_params, ctml::q<std::int16_t, 8>> n{};
  const auto pn = [&](std::int16_t a, std::int16_t b) { return n.predict(std::array<std::int16_t, 2>{opaque(a), b}); };
  CTML_CHECK_EQ(pn(0, 0), 0);           // jll_1 - jll_0 = -7.21
  CTML_CHECK_EQ(pn(256, 512), 1);       // 6.43
  CTML_CHECK_EQ(pn(-884, 579), 1);      // 0.0034
  CTML_CHECK_EQ(pn(-884, 578), 0);      // -0.020
  CTML_CHECK_EQ(pn(717, 68), 1);        // 0.0068
}
#endif

CTML_TEST(gaussian_nb_rows_one_float_step_apart) {
  // rows a float32 step apart across the boundary; expected: sklearn's
  // GaussianNB.predict (joint log likelihoods within 1e-7 of each other)
  constexpr ctml::gaussian_nb<gnb_near_params> m{};
  CTML_CHECK_EQ(predict(m, 2.7923563f, 0.26761144f), 0);
  CTML_CHECK_EQ(predict(m, 2.7923563f, 0.2676115f), 0);
  CTML_CHECK_EQ(predict(m, 2.7923563f, 0.26761153f), 1);
  CTML_CHECK_EQ(predict(m, 2.7923563f, 0.2676116f), 1);
  CTML_CHECK_EQ(predict(m, -3.452723f, 2.2610424f), 0);
  CTML_CHECK_EQ(predict(m, -3.452723f, 2.2610426f), 1);
}

CTML_TEST(scaler_then_linear_refines_through_the_scaler) {
  // scaled: (x0 - 10) / 2, (x1 - 20) / 4; x = (12, 24) gives (1, 1): the 2^-54 case
  constexpr auto m = ctml::standard_scaler<scaler_params>{} >> ctml::linear_classifier<binary_params>{};
  CTML_CHECK_EQ(predict(m, 10.0f, 20.0f), 0);
  if constexpr (ctml::detail::double_is_binary64) CTML_CHECK_EQ(predict(m, 12.0f, 24.0f), 1);
}

#endif

CTML_TEST(linear_int16_policy) {
  constexpr ctml::linear_classifier<multi_params, ctml::q<std::int16_t, 8>> m{};
  const auto p = [&](std::int16_t a, std::int16_t b) { return m.predict(std::array<std::int16_t, 2>{opaque(a), b}); };
  CTML_CHECK_EQ(p(-256, -256), 1);
  CTML_CHECK_EQ(p(256, 0), 2);
  CTML_CHECK_EQ(p(0, 512), 0);
  CTML_CHECK_EQ(p(0, 0), 0);
  constexpr ctml::kmeans<centres_params, ctml::q<std::int16_t, 4>> km{};
  CTML_CHECK_EQ(km.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(28), 8}), 1);
  CTML_CHECK_EQ(km.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(16), 0}), 0);
  // raw integers (q<int16, 0>): 0.1 x0 + 0.2 x1 - 0.3
  constexpr ctml::linear_classifier<binary_params, ctml::q<std::int16_t, 0>> b{};
  CTML_CHECK_EQ(b.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(0), 1}), 0);   // -0.1
  CTML_CHECK_EQ(b.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(1000), -499}), 0);  // -0.1
  CTML_CHECK_EQ(b.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(1000), -498}), 1);  // 0.1
  constexpr ctml::linear_regressor<binary_params, ctml::q<std::int16_t, 0>> r{};
  const float v = r.predict(std::array<std::int16_t, 2>{opaque<std::int16_t>(100), 50});  // 10 + 10 - 0.3
  CTML_CHECK((v > 19.69f && v < 19.71f));
}

// predict_proba's exp is double arithmetic: not on AVR
#if CTML_LINEAR_F32 && !defined(__AVR__)
CTML_TEST(linear_predict_proba) {
  std::array<float, 2> p{};
  ctml::linear_classifier<binary_params>{}.predict_proba(std::array<float, 2>{opaque(0.0f), 0.0f}, std::span(p));
  CTML_CHECK((p[1] > 0.4255574f && p[1] < 0.4255576f));  // 1 / (1 + e^0.3) = 0.42555748318834
  CTML_CHECK((p[0] > 0.5744424f && p[0] < 0.5744426f));
  std::array<float, 3> q{};
  ctml::linear_classifier<multi_params>{}.predict_proba(std::array<float, 2>{opaque(1.0f), 0.0f}, std::span(q));
  // softmax(0.1, -1, 0.3) = 0.3915007, 0.13031926, 0.47818004 (numpy)
  CTML_CHECK((q[0] > 0.391499f && q[0] < 0.391502f));
  CTML_CHECK((q[1] > 0.130318f && q[1] < 0.130321f));
  CTML_CHECK((q[2] > 0.478178f && q[2] < 0.478182f));
}
#endif
