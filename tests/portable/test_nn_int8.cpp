// ctml/nn on every port: the int8 requantisation (portable C++ and the AVR
// assembly) equals a reference of TFLite's MultiplyByQuantizedMultiplier
// written here in 64-bit arithmetic; a small hand-written network predicts
// as a double-precision reference written here (f32 everywhere; int8 away
// from decision boundaries), and its int8 predictions over an input grid
// hash to the same value on every port.
#include <array>
#include <cstdint>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"

namespace nn_portable {
namespace nn = ctml::nn;
struct d0 {
  static constexpr std::size_t n_in = 3, n_out = 4;
  static constexpr double weight[n_out][n_in] = {{1.0, -1.0, 0.5}, {0.5, 0.5, -0.25}, {-0.75, 0.1, 1.0}, {0.2, 0.3, 0.4}};
  static constexpr double bias[n_out] = {0.1, -0.2, 0.0, 0.05};
};
struct d1 {
  static constexpr std::size_t n_in = 4, n_out = 3;
  static constexpr double weight[n_out][n_in] = {{1.0, 0.0, -1.0, 0.5}, {0.0, 1.0, 0.5, -0.5}, {-1.0, -1.0, 0.25, 1.0}};
  static constexpr double bias[n_out] = {0.0, 0.1, -0.1};
};
struct net {
  using input = nn::shape<3>;
  using layers = nn::layers<nn::dense<d0>, nn::relu, nn::dense<d1>, nn::softmax>;
  static constexpr nn::head head = nn::head::argmax;
  static constexpr std::size_t n_layers = 4;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-1.0, 1.0};
  static constexpr double ranges[n_layers][2] = {{-2.5, 2.5}, {0, 2.5}, {-3, 3}, {0, 1}};
};

// TFLite's reference, written out: SaturatingRoundingDoublingHighMul then
// RoundingDivideByPOT, in int64 (no saturation case arises here).
std::int32_t tflite_requantize(std::int32_t acc, std::int32_t m0, int right) {
  const std::int64_t ab = static_cast<std::int64_t>(acc) * m0;
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  const auto x = static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
  if (right == 0) return x;
  const std::int32_t mask = (std::int32_t{1} << right) - 1;
  const std::int32_t rem = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> right) + (rem > threshold ? 1 : 0);
}

struct entry {  // the layout kernels::requantize_fast_avr reads
  std::int32_t c;
  std::uint16_t m;
  std::uint8_t s;
  std::int32_t round;
};
constexpr std::array<entry, 24> make_entries() {
  std::array<entry, 24> t{};
  for (int r = 0; r < 24; ++r) {
    const auto m = static_cast<std::uint16_t>(16384 + r * 677);
    const auto f = ctml::nn::quant::make_fast({static_cast<std::int32_t>(m) << 16, -r});
    t[static_cast<std::size_t>(r)] = entry{r * 1000 - 7000, m, f.s, f.round};
  }
  return t;
}
CTML_FLASH inline constexpr std::array<entry, 24> entries = make_entries();

// The network in exact integers: weights and biases are multiples of 1/20,
// inputs multiples of 1/4, so z * 1600 is an integer (no run-time double,
// which AVR lacks). Returns the class; `margin` is (best - second) * 1600.
constexpr std::int32_t x20(double v) { return static_cast<std::int32_t>(v * 20.0 + (v < 0 ? -0.5 : 0.5)); }
template <class D>
constexpr std::array<std::int32_t, D::n_out*(D::n_in + 1)> integer_layer() {
  std::array<std::int32_t, D::n_out*(D::n_in + 1)> t{};
  for (std::size_t o = 0; o < D::n_out; ++o) {
    for (std::size_t j = 0; j < D::n_in; ++j) t[o * (D::n_in + 1) + j] = x20(D::weight[o][j]);
    t[o * (D::n_in + 1) + D::n_in] = x20(D::bias[o]);
  }
  return t;
}
constexpr auto l0 = integer_layer<d0>();  // per output: 20 w..., 20 b
constexpr auto l1 = integer_layer<d1>();

int reference(const std::array<int, 3>& x4, std::int32_t& margin) {
  std::array<std::int32_t, 4> h{};  // h * 80
  for (std::size_t o = 0; o < 4; ++o) {
    std::int32_t s = l0[o * 4 + 3] * 4;
    for (std::size_t j = 0; j < 3; ++j) s += l0[o * 4 + j] * x4[j];
    h[o] = s > 0 ? s : 0;
  }
  std::array<std::int32_t, 3> z{};  // z * 1600
  for (std::size_t o = 0; o < 3; ++o) {
    std::int32_t s = l1[o * 5 + 4] * 80;
    for (std::size_t j = 0; j < 4; ++j) s += l1[o * 5 + j] * h[j];
    z[o] = s;
  }
  std::size_t best = 0;
  for (std::size_t o = 1; o < 3; ++o) best = z[o] > z[best] ? o : best;
  std::int32_t second = -2147483647;
  for (std::size_t o = 0; o < 3; ++o) second = o != best && z[o] > second ? z[o] : second;
  margin = z[best] - second;
  return static_cast<int>(best);
}
}  // namespace nn_portable

CTML_TEST(nn_fast_requantisation_equals_tflite_reference) {
  using namespace nn_portable;
  std::uint32_t state = 12345, bad = 0;
  for (int i = 0; i < 1200; ++i) {
    state = state * 1103515245u + 12345u;
    std::int32_t acc = static_cast<std::int32_t>((state >> 1) % 16000001u) - 8000000;
    if (i < 240) acc = i - 120;
    const auto k = static_cast<std::size_t>(i % 24);
    const entry en = ctml::flash_load(&entries[k]);
    const std::int32_t ref = tflite_requantize(acc, static_cast<std::int32_t>(en.m) << 16, static_cast<int>(k));
    bad += ctml::nn::quant::requantize_fast(acc, {en.round, en.m, en.s}) != ref;
    bad += ctml::nn::quant::requantize(acc, {static_cast<std::int32_t>(en.m) << 16, -static_cast<int>(k)}) != ref;
#if defined(__AVR__)
    bad += ctml::nn::kernels::requantize_fast_avr(acc - en.c, &entries[k]) != ref;
#endif
  }
  CTML_CHECK_EQ(bad, 0u);
}

CTML_TEST(nn_small_network_predicts_alike_on_every_port) {
  using namespace nn_portable;
  constexpr auto model = ctml::pipeline<ctml::nn::network<net>>{};
  constexpr auto q8 = model.with(ctml::int8{});
  constexpr auto q8f = model.with(ctml::int8_fast{});
  std::uint32_t f_bad = 0, q_bad = 0, hash = 2166136261u;
  for (int a = -4; a <= 4; ++a)
    for (int b = -4; b <= 4; ++b)
      for (int c = -4; c <= 4; ++c) {
        const std::array<float, 3> x{0.25f * static_cast<float>(a), 0.25f * static_cast<float>(b),
                                     0.25f * static_cast<float>(c)};
        std::int32_t margin = 0;
        const int ref = reference({a, b, c}, margin);
        if (margin > 0) f_bad += model.predict(x) != ref;
        const int p = q8.predict(x), pf = q8f.predict(x);
        if (margin > 240) q_bad += (p != ref) + (pf != ref);  // 0.15
        hash = (hash ^ static_cast<std::uint32_t>(p * 3 + pf)) * 16777619u;
      }
  CTML_CHECK_EQ(f_bad, 0u);
  CTML_CHECK_EQ(q_bad, 0u);
  CTML_CHECK_EQ(hash, 2252547027u);  // recorded on the host: every port must give the same
}
