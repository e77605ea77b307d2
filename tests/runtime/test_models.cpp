// Models trained and converted at build time (models/make_models.py): every
// layout and policy predicts exactly what scikit-learn predicts.
#include <array>
#include <cstdint>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "diabetes_rf.hpp"
#include "diabetes_rf_vectors.hpp"
#include "digits_dt.hpp"
#include "digits_dt_vectors.hpp"
#include "digits_mlp.hpp"
#include "digits_mlp_vectors.hpp"
#include "digits_rf.hpp"
#include "digits_rf_vectors.hpp"
#include "iris_pipe.hpp"
#include "iris_pipe_vectors.hpp"
#include "noisy_rf.hpp"
#include "noisy_rf_vectors.hpp"

namespace {

template <std::size_t N, class Row>
std::array<float, N> row(const Row& r) {
  std::array<float, N> x{};
  for (std::size_t j = 0; j < N; ++j) x[j] = r[j];
  return x;
}

// Counts rows where the model differs from sklearn's expected output.
template <class Model, class Vectors>
std::size_t mismatches(Model model, Vectors) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < Vectors::n_rows; ++i) {
    const auto x = row<Vectors::n_features>(Vectors::x[i]);
    bad += model.predict(x) != Vectors::expected[i];
  }
  return bad;
}

}  // namespace

#define CTML_VECTORS(ns)                                                  \
  struct ns##_v {                                                         \
    static constexpr auto n_rows = ns##_vectors::n_rows;                  \
    static constexpr auto n_features = ns##_vectors::n_features;          \
    static constexpr const auto& x = ns##_vectors::x;                     \
    static constexpr const auto& expected = ns##_vectors::expected;       \
  }

CTML_VECTORS(digits_rf);
CTML_VECTORS(digits_dt);
CTML_VECTORS(noisy_rf);
CTML_VECTORS(iris_pipe);
CTML_VECTORS(diabetes_rf);
CTML_VECTORS(digits_mlp);

TEST_CASE("digits forest: unrolled and table layouts agree with sklearn on every test row") {
  CHECK(mismatches(digits_rf::model.with(ctml::unrolled_layout{}), digits_rf_v{}) == 0);
  CHECK(mismatches(digits_rf::model.with(ctml::table_layout{}), digits_rf_v{}) == 0);
}

TEST_CASE("digits tree: both layouts agree with sklearn") {
  CHECK(mismatches(digits_dt::model.with(ctml::unrolled_layout{}), digits_dt_v{}) == 0);
  CHECK(mismatches(digits_dt::model.with(ctml::table_layout{}), digits_dt_v{}) == 0);
}

TEST_CASE("noisy forest with impure leaves: near-ties resolved as sklearn's doubles resolve them") {
  CHECK(mismatches(noisy_rf::model.with(ctml::unrolled_layout{}), noisy_rf_v{}) == 0);
  CHECK(mismatches(noisy_rf::model.with(ctml::table_layout{}), noisy_rf_v{}) == 0);
}

TEST_CASE("scaler pipeline with string labels agrees with sklearn and carries the labels") {
  CHECK(mismatches(iris_pipe::model, iris_pipe_v{}) == 0);
  CHECK(mismatches(iris_pipe::model.with(ctml::table_layout{}), iris_pipe_v{}) == 0);
  CHECK(std::string(iris_pipe::labels[2]) == "virginica");
}

TEST_CASE("forest regressor: bit-identical to sklearn's averaged prediction") {
  CHECK(mismatches(diabetes_rf::model.with(ctml::unrolled_layout{}), diabetes_rf_v{}) == 0);
  CHECK(mismatches(diabetes_rf::model.with(ctml::table_layout{}), diabetes_rf_v{}) == 0);
}

TEST_CASE("int16 inputs: the q<int16_t, 0> policy decides as the float model on integer grids") {
  // Digits features are integers 0..16: sensors deliver such counts.
  constexpr auto as_float = digits_rf::model.with(ctml::table_layout{});
  constexpr auto as_int = digits_rf::model.with(ctml::q<std::int16_t, 0>{});
  constexpr auto as_int_table = as_int.with(ctml::table_layout{});
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> small(-2, 20), any(-32768, 32767);
  for (int i = 0; i < 20000; ++i) {
    std::array<float, 64> xf{};
    std::array<std::int16_t, 64> xi{};
    for (std::size_t j = 0; j < 64; ++j) {
      xi[j] = static_cast<std::int16_t>(i % 4 == 0 ? any(rng) : small(rng));
      xf[j] = xi[j];
    }
    const int want = as_float.predict(xf);
    REQUIRE(as_int.predict(xi) == want);
    REQUIRE(as_int_table.predict(xi) == want);
  }
  // and on sklearn's test rows
  for (std::size_t i = 0; i < digits_rf_v::n_rows; ++i) {
    std::array<std::int16_t, 64> xi{};
    for (std::size_t j = 0; j < 64; ++j) xi[j] = static_cast<std::int16_t>(digits_rf_v::x[i][j]);
    CHECK(as_int.predict(xi) == digits_rf_v::expected[i]);
  }
}

TEST_CASE("sizes and costs are reported and the table is the smaller layout") {
  constexpr auto unrolled = digits_rf::model.with(ctml::unrolled_layout{});
  constexpr auto table = digits_rf::model.with(ctml::table_layout{});
  STATIC_REQUIRE(table.flash_bytes() < unrolled.flash_bytes());
  STATIC_REQUIRE(table.ram_bytes() > 0);
  STATIC_REQUIRE(table.cost() == unrolled.cost());
  STATIC_REQUIRE(ctml::fits<decltype(table), ctml::budget<16 * 1024, 1024>>);
}

TEST_CASE("digits MLP: float agrees with sklearn on every test row, int8 on nearly all") {
  CHECK(mismatches(digits_mlp::model, digits_mlp_v{}) == 0);
  // int8 rounds activations: a few rows near a decision boundary may change.
  CHECK(mismatches(digits_mlp::model.with(ctml::int8{}), digits_mlp_v{}) <= digits_mlp_v::n_rows / 50);
  CHECK(mismatches(digits_mlp::model.with(ctml::int8_fast{}), digits_mlp_v{}) <= digits_mlp_v::n_rows / 50);
}
