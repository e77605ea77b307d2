// ctml/nn at run time: the fast requantisation equals TFLite's reference on
// many accumulators, the bit-level input quantiser equals round-half-away of
// x * 2^K, and a small network predicts what a double computation predicts
// in f32 and (on its calibrated range) in int8.
#include <array>
#include <cstdint>
#include <random>

#include <catch2/catch.hpp>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

#include "nn_small_net.hpp"

namespace {
using nn_small::d0;
using nn_small::d1;

int reference(const std::array<float, 3>& x) {
  std::array<double, 4> h{};
  for (std::size_t o = 0; o < 4; ++o) {
    double s = 0;
    for (std::size_t j = 0; j < 3; ++j) s += d0::weight[o][j] * x[j];
    s += d0::bias[o];
    h[o] = s > 0 ? s : 0;
  }
  int best = 0;
  double best_v = 0;
  for (std::size_t o = 0; o < 3; ++o) {
    double s = 0;
    for (std::size_t j = 0; j < 4; ++j) s += d1::weight[o][j] * h[j];
    s += d1::bias[o];
    if (o == 0 || s > best_v) { best = static_cast<int>(o); best_v = s; }
  }
  return best;
}
}  // namespace

TEST_CASE("nn: 16x16 requantisation equals TFLite's reference") {
  namespace q = ctml::nn::quant;
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int32_t> acc(-(1 << 23) + 1, (1 << 23) - 1);
  std::uniform_int_distribution<int> mant(1 << 14, (1 << 15) - 1), sh(0, 20);
  std::size_t bad = 0;
  for (int i = 0; i < 200000; ++i) {
    const auto m = static_cast<std::uint16_t>(mant(rng));
    const int r = sh(rng);
    const std::int32_t a = i < 64 ? (i - 32) : acc(rng);
    bad += q::requantize_small(a, m, r) != q::requantize(a, {static_cast<std::int32_t>(m) << 16, -r});
  }
  CHECK(bad == 0);
}

TEST_CASE("nn: input quantisation from the float's bits rounds half away from zero") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> v(-300.0f, 300.0f);
  std::size_t bad = 0;
  for (int i = 0; i < 100000; ++i) {
    const float x = i < 2000 ? static_cast<float>(i - 1000) * 0.25f : v(rng);
    const double t = static_cast<double>(x) * 4.0;  // K = 2
    const auto r = static_cast<long long>(t < 0 ? t - 0.5 : t + 0.5);
    long long expect = 100 + r;
    expect = expect < 0 ? 0 : (expect > 255 ? 255 : expect);
    bad += ctml::arch::quantize_pow2<2>(x, 100) != expect;
  }
  CHECK(bad == 0);
}

TEST_CASE("nn: a small network predicts as double arithmetic does (f32), and int8 mostly agrees") {
  constexpr auto model = ctml::pipeline<ctml::nn::network<nn_small::net>>{};
  constexpr auto q8 = model.with(ctml::int8{});
  constexpr auto q8f = model.with(ctml::int8_fast{});
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> v(-1.0f, 1.0f);
  std::size_t f_bad = 0, q_bad = 0, q_diff = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::array<float, 3> x{v(rng), v(rng), v(rng)};
    const int ref = reference(x);
    f_bad += model.predict(x) != ref;
    q_bad += q8.predict(x) != ref;
    q_diff += q8.predict(x) != q8f.predict(x);
  }
  CHECK(f_bad == 0);
  CHECK(q_bad < 2000 / 20);  // int8 near ties only
  CHECK(q_diff < 2000 / 50);
  std::array<float, 3> out{};
  decltype(model)::first{}.outputs(std::array<float, 3>{0.5f, -0.5f, 0.25f}, out);
  CHECK(out[0] + out[1] + out[2] == Approx(1.0f));
}
