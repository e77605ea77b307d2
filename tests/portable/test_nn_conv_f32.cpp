// ctml/nn convolutions and pooling in float on every port: the networks of
// nn_small_cnn.hpp (conv2d, depthwise conv2d with multiplier 2, conv1d,
// strides and padding, max and average pooling, flatten) against the
// double-precision reference of nn_cnn_reference.hpp, within 1e-4 (float
// sums of at most 40 terms of magnitude below 10), and their cost in
// multiply-accumulates (padding taps included) against a count by hand.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"
#include "nn_cnn_reference.hpp"

namespace conv_ref {
/// Samples where the library is farther than 1e-4 from the reference.
template <class R>
std::uint32_t f32_mismatches() {
  using net = typename R::net;
  constexpr std::size_t in = net::input::size;
  constexpr auto model = ctml::pipeline<ctml::nn::network<net>>{};
  static_assert(model.cost() == R::macs);
  std::uint32_t bad = 0;
  std::array<float, in> x{};
  for (std::size_t s = 0; s < R::samples; ++s) {
    for (std::size_t i = 0; i < in; ++i) x[i] = input_x(R::id, s, i);
    const float want = ctml::flash_load(&f32_tables<R>::f32[s]);
    const float got = model.predict(x);
    const float err = got > want ? got - want : want - got;
    bad += !(err <= 1e-4f);
  }
  return bad;
}
}  // namespace conv_ref

CTML_TEST(nn_f32_conv2d_depthwise_padding_stride_equal_double_reference) {
  CTML_CHECK_EQ(conv_ref::f32_mismatches<conv_ref::n1_ref>(), 0u);
}

CTML_TEST(nn_f32_max_and_average_pooling_equal_double_reference) {
  CTML_CHECK_EQ(conv_ref::f32_mismatches<conv_ref::n2_ref>(), 0u);
}

CTML_TEST(nn_f32_conv1d_and_pooling_1d_equal_double_reference) {
  CTML_CHECK_EQ(conv_ref::f32_mismatches<conv_ref::n3_ref>(), 0u);
}
