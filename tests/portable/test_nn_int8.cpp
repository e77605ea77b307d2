// ctml/nn on every port: the int8 requantisation (portable C++ and the AVR
// assembly) equals a reference of TFLite's MultiplyByQuantizedMultiplier
// written here in 64-bit arithmetic; a small hand-written network predicts
// as a double-precision reference written here (f32 everywhere; int8 away
// from decision boundaries), and its int8 predictions equal, sample for
// sample, a TFLite-style integer reference of the same network written here.
#include <array>
#include <bit>
#include <cstdint>
#include <type_traits>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"
#include "nn_small_net.hpp"

namespace nn_portable {
namespace nn = ctml::nn;
using nn_small::d0;
using nn_small::d1;
using nn_small::net;

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

struct entry {  // the layout arch::requantize_fast_avr reads
  std::int32_t c;
  std::uint16_t m;
  std::uint8_t s;
};
constexpr std::array<entry, 24> make_entries() {
  std::array<entry, 24> t{};
  for (int r = 0; r < 24; ++r) {
    const auto m = static_cast<std::uint16_t>(16384 + r * 677);
    const auto f = ctml::nn::quant::make_fast({static_cast<std::int32_t>(m) << 16, -r});
    t[static_cast<std::size_t>(r)] = entry{r * 1000 - 7000, m, f.s};
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

CTML_TEST(nn_requantisation_with_31_bit_multipliers_equals_tflite_reference) {
  using namespace nn_portable;
  const std::int32_t edges[] = {0, 1, -1, 2, -2, 1 << 15, -(1 << 15), 0x7fffffff, -0x7fffffff - 1, 0x40000000,
                                -0x40000000, 12345678, -12345678};
  std::uint32_t state = 777, bad = 0;
  for (int i = 0; i < 3000; ++i) {
    state = state * 1103515245u + 12345u;
    const auto m0 = static_cast<std::int32_t>(0x40000000u | (state >> 2));  // [2^30, 2^31)
    state = state * 1103515245u + 12345u;
    std::int32_t acc = static_cast<std::int32_t>(state);
    if (i < 13 * 13) acc = edges[i % 13];
    const auto m = i < 13 * 13 ? (i / 13 < 2 ? 0x40000000 + i / 13 : 0x7fffffff - i / 13) : m0;
    const int right = i % 31;
    bad += ctml::nn::quant::requantize(acc, {m, -right}) != tflite_requantize(acc, m, right);
    bad += ctml::nn::quant::srdhm(acc, -m) != tflite_requantize(acc, -m, 0);  // negative too (ctml makes none)
  }
  CTML_CHECK_EQ(bad, 0u);
  CTML_CHECK_EQ(ctml::nn::quant::srdhm(-0x7fffffff - 1, -0x7fffffff - 1), 0x7fffffff);  // the one saturation
}

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
    bad += ctml::nn::quant::requantize_fast(acc, {ctml::nn::quant::fast_round(en.s), en.m, en.s}) != ref;
    bad += ctml::nn::quant::requantize(acc, {static_cast<std::int32_t>(en.m) << 16, -static_cast<int>(k)}) != ref;
#if defined(__AVR__)
    bad += ctml::arch::requantize_fast_avr(acc - en.c, &entries[k]) != ref;
#endif
  }
  CTML_CHECK_EQ(bad, 0u);
}

namespace nn_portable {
// quantize_u8 (the AVR assembly loop on AVR) against quantize_pow2, the
// portable reference, for every exponent, both signs, assorted mantissas,
// inf and NaN.
template <int K>
std::uint32_t quantize_mismatches(std::int16_t zu) {
  std::uint32_t bad = 0, state = 777;
  std::array<float, 64> x{};
  std::array<std::uint8_t, 64> y{};
  for (std::uint32_t round = 0; round < 24; ++round) {
    std::uint16_t sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      state = state * 1103515245u + 12345u;
      const std::uint32_t e = (round * 64u + static_cast<std::uint32_t>(i)) % 256u;
      std::uint32_t m = (state >> 9) & 0x7fffffu;
      if (i % 5 == 0) m &= 0x7f0000u;  // short mantissas: exact halves and integers
      if (i % 7 == 0) m = 0;
      const std::uint32_t sign = (state >> 3) & 1u;
      x[i] = std::bit_cast<float>((sign << 31) | (e << 23) | m);
      if (round == 23 && i < 16) x[i] = static_cast<float>(static_cast<int>(i) - 8) * 0.5f;  // ties
    }
    const std::uint16_t s = ctml::arch::quantize_u8<K>(x.data(), y.data(), x.size(), zu);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::uint8_t ref = ctml::arch::quantize_pow2<K>(x[i], zu);
      bad += y[i] != ref;
      sum = static_cast<std::uint16_t>(sum + ref);
    }
    bad += s != sum;
  }
  return bad;
}
}  // namespace nn_portable

CTML_TEST(nn_input_quantisation_equals_reference) {
  using namespace nn_portable;
  std::uint32_t bad = 0;
  for (const int z : {0, 1, 37, 128, 200, 255}) {
    const auto zu = static_cast<std::int16_t>(z);
    bad += quantize_mismatches<0>(zu);
    bad += quantize_mismatches<3>(zu);
    bad += quantize_mismatches<-2>(zu);
    bad += quantize_mismatches<7>(zu);
    bad += quantize_mismatches<100>(zu);
    bad += quantize_mismatches<-100>(zu);
  }
  CTML_CHECK_EQ(bad, 0u);
}

// The int8 network again, as TFLite's reference kernels compute it (one
// plain loop per output, int8 values, int32 sums, 64-bit requantisation),
// with every scale, zero point and multiplier derived here at compile time
// from the float network and its ranges, following docs/generated-header.md
// ("Networks"): the input gets the smallest power-of-two scale covering its
// range; other tensors TFLite's ChooseQuantizationParams; weights per output
// channel symmetric (max |w| / 127); a relu fuses into the dense layer before
// it (clamp at the zero point); the head's outputs are compared after
// requantising by 0.5 * s_o / max(s). Written without the library's code, so
// any port whose library result differs from it fails.
namespace ref8 {
constexpr double round_half_away(double v) { return v < 0 ? -static_cast<double>(static_cast<std::int64_t>(-v + 0.5)) : static_cast<double>(static_cast<std::int64_t>(v + 0.5)); }
constexpr std::int32_t to_i32(double v) { return static_cast<std::int32_t>(round_half_away(v)); }
struct tensor { double scale; std::int32_t zp; };
constexpr tensor pow2_tensor(double lo, double hi) {
  const double need = (hi - lo) / 255.0;
  double s = 1.0;
  while (s < need) s *= 2.0;
  while (s / 2.0 >= need) s /= 2.0;
  return {s, to_i32(-128.0 - lo / s)};
}
constexpr tensor choose(double lo, double hi) {
  lo = lo < 0 ? lo : 0.0;
  hi = hi > 0 ? hi : 0.0;
  const double s = (hi - lo) / 255.0;
  std::int32_t z = to_i32(-128.0 - lo / s);
  return {s, z < -128 ? -128 : (z > 127 ? 127 : z)};
}
struct mult { std::int32_t m0; int right; };
// m = m0 * 2^-31 * 2^-right with m0 holding `bits` significant bits.
constexpr mult make_mult(double m, int bits) {
  int e = 0;
  while (m >= 1.0) { m /= 2.0; ++e; }
  while (m < 0.5) { m *= 2.0; --e; }
  double scaled = m;
  for (int i = 0; i < bits; ++i) scaled *= 2.0;
  auto q = static_cast<std::int64_t>(round_half_away(scaled));
  if (q == (std::int64_t{1} << bits)) { q /= 2; ++e; }
  return {static_cast<std::int32_t>(q << (31 - bits)), -e};
}
template <class D, int Bits, bool Head>
struct layer {
  static constexpr std::size_t n_in = D::n_in, n_out = D::n_out;
  std::array<std::int8_t, n_out * n_in> w{};
  std::array<std::int32_t, n_out> b{};
  std::array<mult, n_out> m{};
};
template <class D, int Bits, bool Head>
constexpr layer<D, Bits, Head> make_layer(tensor in, tensor out) {
  layer<D, Bits, Head> l{};
  double s[D::n_out]{}, max_s = 0;
  for (std::size_t o = 0; o < D::n_out; ++o) {
    for (std::size_t j = 0; j < D::n_in; ++j) {
      const double a = D::weight[o][j] < 0 ? -D::weight[o][j] : D::weight[o][j];
      s[o] = a > s[o] ? a : s[o];
    }
    s[o] /= 127.0;
    max_s = s[o] > max_s ? s[o] : max_s;
  }
  for (std::size_t o = 0; o < D::n_out; ++o) {
    for (std::size_t j = 0; j < D::n_in; ++j) l.w[o * D::n_in + j] = static_cast<std::int8_t>(to_i32(D::weight[o][j] / s[o]));
    l.b[o] = to_i32(D::bias[o] / (in.scale * s[o]));
    l.m[o] = make_mult(Head ? 0.5 * s[o] / max_s : in.scale * s[o] / out.scale, Bits);
  }
  return l;
}
constexpr tensor t_in = pow2_tensor(nn_portable::net::input_range[0], nn_portable::net::input_range[1]);
constexpr tensor t_hidden = choose(nn_portable::net::ranges[1][0], nn_portable::net::ranges[1][1]);  // relu output
template <int Bits>
struct network {
  static constexpr auto l0 = make_layer<nn_portable::d0, Bits, false>(t_in, t_hidden);
  static constexpr auto l1 = make_layer<nn_portable::d1, Bits, true>(t_hidden, t_hidden);
};
template <class L>
constexpr bool shifts_right(const L& l) {
  for (const auto& m : l.m) if (m.right < 0 || m.right > 31) return false;
  return true;
}
static_assert(shifts_right(network<31>::l0) && shifts_right(network<31>::l1) && shifts_right(network<15>::l0) &&
              shifts_right(network<15>::l1), "the reference handles multipliers below 1 only");
static_assert(t_in.scale == 1.0 / 64 && t_in.zp == -64, "inputs a / 4 quantise to 16 a - 64");

template <int Bits>
int predict(const std::array<std::int8_t, 3>& q) {
  using n = network<Bits>;
  std::array<std::int8_t, 4> h{};
  for (std::size_t o = 0; o < 4; ++o) {
    std::int32_t acc = n::l0.b[o];
    for (std::size_t j = 0; j < 3; ++j) acc += (q[j] - t_in.zp) * n::l0.w[o * 3 + j];
    std::int32_t v = nn_portable::tflite_requantize(acc, n::l0.m[o].m0, n::l0.m[o].right) + t_hidden.zp;
    v = v < t_hidden.zp ? t_hidden.zp : v;  // fused relu
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    h[o] = static_cast<std::int8_t>(v);
  }
  int best = 0;
  std::int32_t best_v = 0;
  for (std::size_t o = 0; o < 3; ++o) {
    std::int32_t acc = n::l1.b[o];
    for (std::size_t j = 0; j < 4; ++j) acc += (h[j] - t_hidden.zp) * n::l1.w[o * 4 + j];
    const std::int32_t v = nn_portable::tflite_requantize(acc, n::l1.m[o].m0, n::l1.m[o].right);
    if (o == 0 || v > best_v) { best = static_cast<int>(o); best_v = v; }
  }
  return best;
}
}  // namespace ref8

CTML_TEST(nn_small_network_predicts_alike_on_every_port) {
  using namespace nn_portable;
  constexpr auto model = ctml::pipeline<ctml::nn::network<net>>{};
  constexpr auto q8 = model.with(ctml::int8{});
  constexpr auto q8f = model.with(ctml::int8_fast{});
  using net8 = ctml::nn::network<net, ctml::int8>;
  using net8f = ctml::nn::network<net, ctml::int8_fast>;
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(q8)>, ctml::pipeline<net8>>);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(q8f)>, ctml::pipeline<net8f>>);
  std::uint32_t f_bad = 0, q_bad = 0, in_bad = 0, ref_bad = 0, ref_fast_bad = 0, differs = 0;
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
        // Bit identity on every port: the library's int8 equals the test's own
        // TFLite-style integer network, input quantisation included.
        const std::array<std::int8_t, 3> q{static_cast<std::int8_t>(16 * a - 64), static_cast<std::int8_t>(16 * b - 64),
                                           static_cast<std::int8_t>(16 * c - 64)};
        const auto lq = net8::quantize_input(x);
        in_bad += (lq[0] != q[0]) + (lq[1] != q[1]) + (lq[2] != q[2]);
        const int r31 = ref8::predict<31>(q), r15 = ref8::predict<15>(q);
        ref_bad += (p != r31) + (net8{}.predict_quantized(q) != r31);
        ref_fast_bad += (pf != r15) + (net8f{}.predict_quantized(q) != r15);
        differs += r31 != ref;
      }
  CTML_CHECK_EQ(f_bad, 0u);
  CTML_CHECK_EQ(q_bad, 0u);
  CTML_CHECK_EQ(in_bad, 0u);
  CTML_CHECK_EQ(ref_bad, 0u);
  CTML_CHECK_EQ(ref_fast_bad, 0u);
  CTML_CHECK(differs > 0u);  // the grid reaches int8 rounding: the comparison is not vacuous
}

// arch::dense_pairs (on AVR the whole hidden layer in assembly,
// ctml_avr_dense) and its portable twin against the requantisation
// arithmetic: every output byte, and the raw sums of head mode, for
// an odd number of outputs (the last pair padded), shifts with and without
// the rounding term and with byte shifts, and the saturation at both ends.
namespace nn_portable {
using fentry = ctml::arch::fast_entry;
using avr_layer_t = ctml::arch::dense_pair_layer<fentry>;
constexpr std::size_t dn = 150, dout = 5;
constexpr std::array<std::uint8_t, dn*(dout + 1)> make_dense_w() {
  std::array<std::uint8_t, dn*(dout + 1)> t{};
  std::uint32_t state = 99;
  for (auto& v : t) {
    state = state * 1103515245u + 12345u;
    v = static_cast<std::uint8_t>(state >> 16);
  }
  return t;
}
constexpr std::array<fentry, dout> make_dense_e() {
  constexpr std::array<int, dout> right{0, 8, 13, 14, 16};
  constexpr std::array<std::int32_t, dout> c{120000, -5000, 700000, -900000, 3};
  std::array<fentry, dout> t{};
  for (std::size_t o = 0; o < dout; ++o) {
    const auto m = static_cast<std::uint16_t>(16384 + 3001 * o);
    const auto f = ctml::nn::quant::make_fast({static_cast<std::int32_t>(m) << 16, -right[o]});
    t[o] = ctml::arch::make_fast_entry(c[o], m, f.s);
  }
  return t;
}
CTML_FLASH inline constexpr std::array<std::uint8_t, dn*(dout + 1)> dense_w = make_dense_w();
CTML_FLASH inline constexpr std::array<fentry, dout> dense_e = make_dense_e();
CTML_FLASH inline constexpr avr_layer_t dense_l{dense_w.data(), dense_e.data(), dn / 4, dn % 4, dout, 100, 40};
CTML_FLASH inline constexpr avr_layer_t dense_raw{dense_w.data(), nullptr, dn / 4, dn % 4, dout, 0, 0};
}  // namespace nn_portable

CTML_TEST(nn_dense_pairs_equal_requantisation) {
  using namespace nn_portable;
  std::uint32_t state = 7, bad = 0, mid = 0;
  std::array<std::uint8_t, dn> x{};
  for (int trial = 0; trial < 24; ++trial) {
    std::uint16_t sum = 0;
    for (auto& v : x) {
      state = state * 1103515245u + 12345u;
      v = static_cast<std::uint8_t>(trial < 2 ? (trial == 0 ? 0 : 255) : state >> 16);
      sum = static_cast<std::uint16_t>(sum + v);
    }
    std::array<std::uint8_t, dout> y{}, yp{};
    std::array<std::int32_t, dout + 1> raw{}, rawp{};
    ctml::arch::dense_pairs(x.data(), y.data(), &dense_l, sum);
    ctml::arch::dense_pairs(x.data(), reinterpret_cast<std::uint8_t*>(raw.data()), &dense_raw, sum);
    ctml::arch::portable::dense_pairs(x.data(), yp.data(), &dense_l, sum);
    ctml::arch::portable::dense_pairs(x.data(), reinterpret_cast<std::uint8_t*>(rawp.data()), &dense_raw, sum);
    for (std::size_t o = 0; o < dout; ++o) {
      std::int32_t dot = 0;
      for (std::size_t j = 0; j < dn; ++j)
        dot += static_cast<std::int32_t>(x[j]) * ctml::flash_load(&dense_w[(o - o % 2) * dn + 2 * j + o % 2]);
      const std::int32_t acc = dot - 128 * static_cast<std::int32_t>(sum);
      const fentry en = ctml::flash_load(&dense_e[o]);
      std::int32_t v = ctml::nn::quant::requantize_fast(acc + en.c, {ctml::nn::quant::fast_round(en.s), en.m, en.s}) + 100;
      mid += v > 40 && v < 255;
      v = v < 40 ? 40 : (v > 255 ? 255 : v);
      bad += (y[o] != v) + (raw[o] != acc) + (yp[o] != v) + (rawp[o] != acc);
    }
  }
  CTML_CHECK_EQ(bad, 0u);
  CTML_CHECK(mid > 10u);  // not only saturated outputs
}

