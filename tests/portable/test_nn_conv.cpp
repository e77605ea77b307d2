// ctml/nn convolutions and pooling in int8 on every port: the networks of
// nn_small_cnn.hpp (conv2d, depthwise conv2d with multiplier 2, conv1d,
// strides and padding, max and average pooling, flatten, 275-tap windows)
// with ctml::int8 and ctml::int8_fast, from float inputs (`predict`) and
// from int8 inputs (`predict_quantized`), against TFLite's reference kernels
// written in nn_cnn_reference.hpp: the head's int32 accumulator, bit for bit.
// On AVR also the window kernel (arch::conv_window_avr) against plain loops.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"
#include "nn_cnn_reference.hpp"

namespace conv_ref {
/// What the reference met on the samples (one constant evaluation each).
template <class R, int Bits, input_kind K>
constexpr stats met() {
  stats st{};
  int8_table<R, Bits, K>(&st);
  return st;
}
/// The samples reach saturation at both ends, padding and (with pooling)
/// inexact averages: the comparisons are not vacuous.
constexpr bool exercised(stats a, stats b, bool pools) {
  return a.clamped_high + b.clamped_high > 0 && a.clamped_low + b.clamped_low > 0 && a.padding_taps > 0 &&
         b.padding_taps > 0 && (!pools || a.average_rounded + b.average_rounded > 0);
}
static_assert(exercised(met<n1_ref, 31, input_kind::quantised>(), met<n1_ref, 15, input_kind::raw_int8>(), false));
static_assert(exercised(met<n2_ref, 31, input_kind::quantised>(), met<n2_ref, 15, input_kind::raw_int8>(), true));
static_assert(exercised(met<n3_ref, 31, input_kind::quantised>(), met<n3_ref, 15, input_kind::raw_int8>(), true));
static_assert(exercised(met<n4_ref, 31, input_kind::raw_int8>(), met<n4_ref, 15, input_kind::raw_int8>(), false));
/// Samples where the multipliers' precision (31 or 15 bits) shows.
template <class R>
constexpr std::uint32_t precision_shows() {
  using t = int8_tables<R>;
  std::uint32_t n = 0;
  for (std::size_t s = 0; s < R::samples; ++s) n += (t::acc31[s] != t::acc15[s]) + (t::acc31_q[s] != t::acc15_q[s]);
  return n;
}
static_assert(precision_shows<n1_ref>() + precision_shows<n2_ref>() + precision_shows<n3_ref>() > 0);

/// Samples where the library's head accumulator differs from the reference.
struct result {
  std::uint32_t int8_bad = 0, int8_fast_bad = 0;
};
template <class R, bool FloatInputs = true>
result run() {
  using t = int8_tables<R>;
  using net = typename R::net;
  constexpr std::size_t in = net::input::size;
  constexpr auto q8 = ctml::pipeline<ctml::nn::network<net, ctml::int8>>{};
  constexpr auto q8f = ctml::pipeline<ctml::nn::network<net, ctml::int8_fast>>{};
  using net8 = ctml::nn::network<net, ctml::int8>;
  using net8f = ctml::nn::network<net, ctml::int8_fast>;
  result r;
  std::array<std::int8_t, in> q{};
  for (std::size_t s = 0; s < R::samples; ++s) {
    if constexpr (FloatInputs) {
      std::array<float, in> x{};
      for (std::size_t i = 0; i < in; ++i) x[i] = input_x(R::id, s, i);
      r.int8_bad += recover(q8.predict(x), R::head_scale) != ctml::flash_load(&t::acc31[s]);
      r.int8_fast_bad += recover(q8f.predict(x), R::head_scale) != ctml::flash_load(&t::acc15[s]);
    }
    for (std::size_t i = 0; i < in; ++i) q[i] = input_q(R::id, s, i);
    r.int8_bad += recover(net8{}.predict_quantized(q), R::head_scale) != ctml::flash_load(&t::acc31_q[s]);
    r.int8_fast_bad += recover(net8f{}.predict_quantized(q), R::head_scale) != ctml::flash_load(&t::acc15_q[s]);
  }
  return r;
}
}  // namespace conv_ref

CTML_TEST(nn_int8_conv2d_depthwise_padding_stride_equal_tflite_reference) {
  const auto r = conv_ref::run<conv_ref::n1_ref>();
  CTML_CHECK_EQ(r.int8_bad, 0u);
  CTML_CHECK_EQ(r.int8_fast_bad, 0u);
}

CTML_TEST(nn_int8_max_and_average_pooling_equal_tflite_reference) {
  const auto r = conv_ref::run<conv_ref::n2_ref>();
  CTML_CHECK_EQ(r.int8_bad, 0u);
  CTML_CHECK_EQ(r.int8_fast_bad, 0u);
}

CTML_TEST(nn_int8_conv1d_and_pooling_1d_equal_tflite_reference) {
  const auto r = conv_ref::run<conv_ref::n3_ref>();
  CTML_CHECK_EQ(r.int8_bad, 0u);
  CTML_CHECK_EQ(r.int8_fast_bad, 0u);
}

CTML_TEST(nn_int8_conv_with_275_taps_equals_tflite_reference) {
  // int8 inputs only: 275 float inputs would not fit the ATmega328P's RAM.
  const auto r = conv_ref::run<conv_ref::n4_ref, false>();
  CTML_CHECK_EQ(r.int8_bad, 0u);
  CTML_CHECK_EQ(r.int8_fast_bad, 0u);
}

CTML_TEST(nn_int8_conv_buffers_hold_padded_inputs) {
  using namespace nn_small_cnn;
  // int8 layers alternate between two buffers (a flatten keeps its input's);
  // a padded conv's input is spread in place. n1: buffer 0 holds the input
  // (2, 4, 5) padded to (2, 6, 7) = 84 and the depthwise output 36; buffer 1
  // the conv output 36 padded to (3, 4, 6) = 72. n4: buffer 0 the input
  // (11, 5, 5) padded to (11, 7, 5) = 385, buffer 1 the 4 conv outputs.
  CTML_CHECK_EQ((ctml::nn::network<n1, ctml::int8>::ram_bytes()), 84u + 72u);
  CTML_CHECK_EQ((ctml::nn::network<n4, ctml::int8_fast>::ram_bytes()), 385u + 4u);
  CTML_CHECK_EQ((ctml::nn::network<n1>::ram_bytes()), 2u * 40u * sizeof(float));  // f32 skips padding taps
}

#if defined(__AVR__)
// arch::conv_window_avr (assembly: mulsu, 24-bit sums of products offset
// by 2^15) against plain loops: channels, rows and skips, up to 256 taps,
// extreme bytes and weights.
namespace conv_ref {
constexpr std::array<std::int8_t, 256> make_window_w() {
  std::array<std::int8_t, 256> t{};
  for (std::size_t i = 0; i < t.size(); ++i)
    t[i] = i < 16 ? static_cast<std::int8_t>(i % 2 ? 127 : -128)
                  : static_cast<std::int8_t>(mix(static_cast<std::uint32_t>(i)) >> 24);
  return t;
}
CTML_FLASH inline constexpr std::array<std::int8_t, 256> window_w = make_window_w();

template <std::size_t KW, std::size_t KH, std::size_t C, std::size_t RowSkip, std::size_t ChanSkip>
std::uint32_t window_mismatches(const std::uint8_t* x) {
  std::uint32_t bad = 0;
  for (std::size_t at = 0; at < 3; ++at) {  // a few window positions
    std::int32_t want = 0;
    const std::uint8_t* p = x + at;
    std::size_t k = 0;
    for (std::size_t c = 0; c < C; ++c, p += ChanSkip)
      for (std::size_t ky = 0; ky < KH; ++ky, p += RowSkip)
        for (std::size_t kx = 0; kx < KW; ++kx, ++p, ++k)
          want += static_cast<std::int32_t>(*p) * ctml::flash_load(&window_w[k]) + 32768;
    bad += ctml::arch::conv_window_avr<KW, KH, C, RowSkip, ChanSkip>(x + at, window_w.data()) !=
           static_cast<std::uint32_t>(want);
  }
  return bad;
}
}  // namespace conv_ref

CTML_TEST(nn_avr_conv_window_equals_portable) {
  using namespace conv_ref;
  std::array<std::uint8_t, 292> x{};
  std::uint32_t bad = 0;
  for (std::uint32_t trial = 0; trial < 3; ++trial) {
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = trial == 0 ? 255 : (trial == 1 ? static_cast<std::uint8_t>(i % 2 ? 0 : 255)
                                              : static_cast<std::uint8_t>(mix(static_cast<std::uint32_t>(i) + 99u)));
    // <KW, KH, C, RowSkip, ChanSkip>; every window stays inside x (at most 290 bytes from x + 2)
    bad += window_mismatches<3, 3, 28, 0, 0>(x.data());  // 252 taps, contiguous
    bad += window_mismatches<2, 2, 3, 4, 12>(x.data());  // 2x2 windows in (3, 4, 6) channels
    bad += window_mismatches<3, 2, 2, 5, 16>(x.data());  // 2x3 windows in (2, 4, 8) channels
    bad += window_mismatches<5, 1, 51, 0, 0>(x.data());  // 255 taps, one row per channel
    bad += window_mismatches<1, 16, 16, 0, 2>(x.data());  // 256 taps, a column per channel
  }
  CTML_CHECK_EQ(bad, 0u);
}
#endif
