// The arithmetic the SVM and KNN stages rely on, against the host's libm and
// straightforward references: float exp's error bound (svm/kernel.hpp),
// correctly rounded sqrt, tanh, numpy's summation order.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <ctml/neighbors/neighbors.hpp>
#include <ctml/svm/kernel.hpp>

TEST_CASE("svm float exp stays within 4 * 2^-24 relative of exp") {
  double worst = 0.0;
  for (float a = -85.99f; a <= 0.0f; a += 0.000731f) {
    const double want = std::exp(static_cast<double>(a));
    const double got = ctml::svm::detail::exp_neg(a);
    worst = std::max(worst, std::abs(got - want) / want);
  }
  WARN("exp_neg worst relative error " << worst / 0x1p-24 << " * 2^-24");
  CHECK(worst <= 4 * 0x1p-24);
  CHECK(ctml::svm::detail::exp_neg(0.0f) == 1.0f);
  CHECK(ctml::svm::detail::exp_neg(-90.0f) == 0.0f);
  CHECK(std::exp(-86.0) < 0x1p-123);  // the documented absolute error where it flushes to 0
  CHECK(ctml::svm::detail::exp_neg(-std::numeric_limits<float>::infinity()) == 0.0f);
}

TEST_CASE("tanh for the sigmoid kernel is within 4 ulp") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-30.0, 30.0);
  for (int i = 0; i < 200000; ++i) {
    const double z = i % 2 ? u(rng) : u(rng) * 1e-3;
    const double want = std::tanh(z), got = ctml::svm::detail::tanh(z);
    INFO(z);
    REQUIRE(std::abs(got - want) <= 4 * std::abs(std::nextafter(want, 2.0) - want) + 1e-300);
  }
}

TEST_CASE("libsvm powi is square and multiply") {
  CHECK(ctml::svm::detail::powi(1.5, 0) == 1.0);
  CHECK(ctml::svm::detail::powi(1.5, 3) == 1.5 * 1.5 * 1.5);
  CHECK(ctml::svm::detail::powi(-2.0, 5) == -32.0);
}

TEST_CASE("sqrt_rounded is IEEE's sqrt") {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 500000; ++i) {
    const double x = std::ldexp(std::uniform_real_distribution<double>(1, 4)(rng), static_cast<int>(rng() % 2000) - 1000);
    REQUIRE(ctml::neighbors::sqrt_rounded(x) == std::sqrt(x));
  }
  for (double x : {0.0, 1.0, 2.0, 4.0, 1e-310, 5e-324, 1.7976931348623157e308, 0.5})
    CHECK(ctml::neighbors::sqrt_rounded(x) == std::sqrt(x));
}

TEST_CASE("numpy_sum follows numpy's pairwise order") {
  // numpy: below 8 values one running sum; from 8, eight partial sums. The
  // expected value is numpy 1.24's np.array([v]).sum(axis=1)[0]; a running
  // sum gives -12800930.465341132.
  const std::vector<double> v = {-8.019314252534474e-05, -13243589.95628145, -2.4836162209524853e-07,
                                 420445.23806552147, 11360.465324896428, 10970.639932180819,
                                 -5.526473205362324e-08, -0.007847803553442783, 74.87457707345911,
                                 0.16347830429585775, 27.276877584472174, -123.33286640307716,
                                 -95.82652054360888};
  auto get = [&](std::size_t i) { return v[i]; };
  CHECK(ctml::neighbors::numpy_sum(v.size(), get) == -12800930.465341136);
  double seq = 0.0;
  for (std::size_t i = 0; i < 7; ++i) seq += v[i];
  CHECK(ctml::neighbors::numpy_sum(7, get) == seq);
}
