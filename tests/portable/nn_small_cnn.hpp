// Three small hand-written convolutional networks (weights in sixteenths),
// shared by the network tests on every port (tests/portable/test_nn_conv.cpp)
// and usable for measurements. Each ends in a one-output dense layer read as
// a value (head::value), so a prediction is a weighted sum of every feature
// the convolutions and pooling produce: in int8 it is the head's exact int32
// accumulator times a constant, which exposes any one-step difference.
//
//   n1 (conv2d, depthwise): (2, 4, 5) -> conv2d 3x(3, 2) stride (2, 1) pad (1, 1)
//      -> (3, 2, 6) relu -> depthwise x2 (2, 3) stride (1, 2) pad (1, 0)
//      -> (6, 3, 2) -> flatten 36 -> dense 1
//   n2 (pooling):       (1, 6, 7) -> conv2d 2x(3, 3) pad (1, 0) -> (2, 6, 5) identity
//      -> max 2x2 stride (2, 1) -> (2, 3, 4) -> average 3x2 stride (1, 2)
//      -> (2, 1, 2) -> flatten 4 -> dense 1
//   n3 (1-d):           (2, 9) -> conv1d 3xk3 stride 2 pad 1 -> (3, 5) relu
//      -> average 2 -> (3, 2) -> conv1d 2xk2 pad 1 -> (2, 3) -> max 2 stride 1
//      -> (2, 2) -> flatten 4 -> dense 1
//   n4 (many taps):     (11, 5, 5) -> conv2d 2x(5, 5) stride (2, 1) pad (1, 0)
//      -> (2, 2, 1) -> flatten 4 -> dense 1: 275 taps per output, more than
//      one 24-bit window sum on AVR holds (int8 only; weights by formula)
//
// The calibration ranges are hand-picked: asymmetric, so every padded
// convolution's input has a zero point that is neither 0 nor -128 (the
// padding's value matters, and is not the byte 0; the relu ranges start below
// 0 for that, which calibration never gives but the arithmetic allows), and
// narrower than some activations, so requantised outputs saturate.
#pragma once

#include <array>
#include <cstddef>

#include <ctml/nn/network.hpp>

namespace nn_small_cnn {
namespace nn = ctml::nn;

struct n1_c0 {
  static constexpr std::size_t in_channels = 2, out_channels = 3, kernel_h = 3, kernel_w = 2;
  static constexpr std::size_t stride_h = 2, stride_w = 1, pad_h = 1, pad_w = 1;
  static constexpr double weight[3][2][3][2] = {
      {{{0.25, -0.4375}, {0.5625, -0.8125}, {-0.75, -0.625}}, {{0.4375, -0.8125}, {1.0, -0.1875}, {-0.875, -0.6875}}},
      {{{0.6875, 0.625}, {-0.75, -0.0625}, {-0.6875, 0.6875}}, {{-0.8125, -0.5625}, {-0.125, -0.8125}, {0.5625, -0.8125}}},
      {{{-0.125, -0.875}, {-0.5, 0.125}, {0.625, -0.4375}}, {{-0.5625, 0.1875}, {-0.3125, -0.625}, {-0.25, 0.4375}}}};
  static constexpr double bias[3] = {-0.625, 0.75, -0.8125};
};
struct n1_c1 {  // depthwise, multiplier 2: output channel o reads input channel o / 2
  static constexpr std::size_t in_channels = 3, out_channels = 6, kernel_h = 2, kernel_w = 3;
  static constexpr std::size_t stride_h = 1, stride_w = 2, pad_h = 1, pad_w = 0;
  static constexpr double weight[6][1][2][3] = {
      {{{-0.1875, 0.9375, 0.6875}, {0.25, 0.8125, 0.8125}}},  {{{0.4375, 0.1875, -0.0625}, {-0.3125, -0.0625, -0.6875}}},
      {{{0.1875, 0.9375, 0.3125}, {0.75, 0.125, -0.75}}},     {{{-0.5625, 1.0, 0.625}, {-0.375, 0.3125, -0.4375}}},
      {{{0.9375, 0.625, -0.875}, {-0.75, 0.25, 0.3125}}},     {{{0.375, 0.9375, 0.8125}, {-0.75, -0.6875, 0.0625}}}};
  static constexpr double bias[6] = {0.875, -0.75, -0.8125, 0.1875, 0.75, 0.125};
};
struct n1_d {
  static constexpr std::size_t n_in = 36, n_out = 1;
  static constexpr double weight[1][36] = {{0.5,     0.375,  -0.9375, 0.8125, 0.375,  -0.375, -0.5625, 0.9375, -0.8125,
                                            -0.1875, 0.125,  -0.5,    -0.0625, 0.5625, 0.5625, 0.9375,  -0.6875, -0.375,
                                            0.75,    0.5625, 0.0625,  -0.5,   0.6875, 0.0625, 0.625,   0.375,  0.5,
                                            -0.125,  -0.4375, -0.6875, -0.3125, -0.4375, -0.125, -0.125, -1.0,   0.9375}};
  static constexpr double bias[1] = {-0.3125};
};
struct n1 {
  using input = nn::shape<2, 4, 5>;
  using layers = nn::layers<nn::conv2d<n1_c0>, nn::relu, nn::depthwise_conv2d<n1_c1>, nn::flatten, nn::dense<n1_d>>;
  static constexpr nn::head head = nn::head::value;
  static constexpr std::size_t n_layers = 5;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-0.5, 1.5};
  static constexpr double ranges[n_layers][2] = {{-3.0, 2.5}, {-0.25, 2.0}, {-2.5, 3.0}, {-2.5, 3.0}, {-8.0, 8.0}};
};

struct n2_c0 {
  static constexpr std::size_t in_channels = 1, out_channels = 2, kernel_h = 3, kernel_w = 3;
  static constexpr std::size_t stride_h = 1, stride_w = 1, pad_h = 1, pad_w = 0;
  static constexpr double weight[2][1][3][3] = {{{{0.125, -1.0, -0.4375}, {0.625, 0.4375, 0.25}, {-0.5, 1.0, -0.8125}}},
                                                {{{0.8125, 0.5625, 0.5625}, {0.5625, 0.5625, -0.625}, {0.875, 0.5625, -0.8125}}}};
  static constexpr double bias[2] = {-0.25, -0.75};
};
struct n2_d {
  static constexpr std::size_t n_in = 4, n_out = 1;
  static constexpr double weight[1][4] = {{-0.1875, 0.75, -0.375, -0.5625}};
  static constexpr double bias[1] = {0.3125};
};
struct n2 {
  using input = nn::shape<1, 6, 7>;
  using layers = nn::layers<nn::conv2d<n2_c0>, nn::identity, nn::max_pool2d<2, 2, 2, 1>, nn::avg_pool2d<3, 2, 1, 2>,
                            nn::flatten, nn::dense<n2_d>>;
  static constexpr nn::head head = nn::head::value;
  static constexpr std::size_t n_layers = 6;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-0.5, 1.5};
  static constexpr double ranges[n_layers][2] = {{-4.0, 3.0}, {-4.0, 3.0}, {-4.0, 3.0},
                                                {-4.0, 3.0}, {-4.0, 3.0}, {-4.0, 4.0}};
};

struct n3_e0 {
  static constexpr std::size_t in_channels = 2, out_channels = 3, kernel = 3, stride = 2, padding = 1;
  static constexpr double weight[3][2][3] = {{{-0.8125, -0.625, -1.0}, {-0.4375, -0.625, 0.4375}},
                                             {{-0.9375, -0.75, -0.1875}, {0.5, -0.4375, 0.375}},
                                             {{0.4375, 0.875, -0.5625}, {-0.5625, 0.9375, 0.8125}}};
  static constexpr double bias[3] = {0.875, 0.875, 0.1875};
};
struct n3_e1 {
  static constexpr std::size_t in_channels = 3, out_channels = 2, kernel = 2, stride = 1, padding = 1;
  static constexpr double weight[2][3][2] = {{{-0.6875, -0.4375}, {-0.625, 0.3125}, {0.875, -0.375}},
                                             {{-0.9375, -0.1875}, {0.4375, -0.4375}, {-0.9375, 0.1875}}};
  static constexpr double bias[2] = {-0.6875, 0.4375};
};
struct n3_d {
  static constexpr std::size_t n_in = 4, n_out = 1;
  static constexpr double weight[1][4] = {{-0.375, 0.375, -0.125, 1.0}};
  static constexpr double bias[1] = {0.3125};
};
struct n3 {
  using input = nn::shape<2, 9>;
  using layers = nn::layers<nn::conv1d<n3_e0>, nn::relu, nn::avg_pool1d<2>, nn::conv1d<n3_e1>, nn::max_pool1d<2, 1>,
                            nn::flatten, nn::dense<n3_d>>;
  static constexpr nn::head head = nn::head::value;
  static constexpr std::size_t n_layers = 7;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-0.5, 1.5};
  static constexpr double ranges[n_layers][2] = {{-3.0, 3.0}, {-0.5, 2.5}, {-0.5, 2.5}, {-2.0, 2.5},
                                                {-2.0, 2.5}, {-2.0, 2.5}, {-4.0, 4.0}};
};
using n4_weights = std::array<std::array<std::array<std::array<double, 5>, 5>, 11>, 2>;
constexpr n4_weights make_n4_weights() {  // sixteenths in [-15/16, 15/16]
  n4_weights w{};
  for (std::size_t o = 0; o < 2; ++o)
    for (std::size_t c = 0; c < 11; ++c)
      for (std::size_t ky = 0; ky < 5; ++ky)
        for (std::size_t kx = 0; kx < 5; ++kx)
          w[o][c][ky][kx] = static_cast<double>(static_cast<int>((o * 37 + c * 11 + ky * 5 + kx * 3) % 31) - 15) / 16.0;
  return w;
}
struct n4_c0 {
  static constexpr std::size_t in_channels = 11, out_channels = 2, kernel_h = 5, kernel_w = 5;
  static constexpr std::size_t stride_h = 2, stride_w = 1, pad_h = 1, pad_w = 0;
  static constexpr n4_weights weight = make_n4_weights();
  static constexpr double bias[2] = {0.375, -0.5};
};
struct n4_d {
  static constexpr std::size_t n_in = 4, n_out = 1;
  static constexpr double weight[1][4] = {{0.5, -0.75, 1.0, 0.25}};
  static constexpr double bias[1] = {0.125};
};
struct n4 {
  using input = nn::shape<11, 5, 5>;
  using layers = nn::layers<nn::conv2d<n4_c0>, nn::flatten, nn::dense<n4_d>>;
  static constexpr nn::head head = nn::head::value;
  static constexpr std::size_t n_layers = 3;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-0.5, 1.5};
  static constexpr double ranges[n_layers][2] = {{-6.0, 5.0}, {-6.0, 5.0}, {-8.0, 8.0}};
};
}  // namespace nn_small_cnn
