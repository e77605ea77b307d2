// Compile-time checks of ctml/nn: shapes, TFLite's quantisation arithmetic
// (values worked out by hand from the reference formulas), and a network's
// derived constants. Compiling this file is the test.
#include <cstdint>
#include <type_traits>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

namespace {

namespace nn = ctml::nn;
namespace q = ctml::nn::quant;

static_assert(nn::shape<1, 8, 8>::size == 64 && nn::shape<150>::rank == 1);
static_assert(std::is_same_v<nn::flatten::out_shape<nn::shape<2, 3, 4>>, nn::shape<24>>);

// ChooseQuantizationParams: [-128, 127] -> scale 1, zero point 0; [0, 1] -> 1/255, -128.
static_assert(q::choose(-128, 127).scale == 1.0 && q::choose(-128, 127).zero_point == 0);
static_assert(q::choose(0, 1).zero_point == -128 && q::choose(0.5, 1).zero_point == -128);
static_assert(q::choose(-1, 0).zero_point == 127);
static_assert(q::quantize(0.5, {0.25, 3}) == 5 && q::quantize(-100, {0.25, 3}) == -128);

// QuantizeMultiplier: 0.75 = 0.75 * 2^0 -> M0 = 0.75 * 2^31; 3 = 0.75 * 2^2.
static_assert(q::quantize_multiplier(0.75).m0 == 1610612736 && q::quantize_multiplier(0.75).shift == 0);
static_assert(q::quantize_multiplier(3.0).m0 == 1610612736 && q::quantize_multiplier(3.0).shift == 2);
static_assert(q::quantize_multiplier(0.75, 15).m0 == (24576 << 16));

// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT.
static_assert(q::srdhm(INT32_MIN, INT32_MIN) == INT32_MAX);
static_assert(q::srdhm(1 << 30, 1 << 30) == 1 << 29);
static_assert(q::srdhm(3, 1 << 30) == 2 && q::srdhm(-3, 1 << 30) == -1);  // 1.5 -> 2, -1.5 -> -1
static_assert(q::rounding_divide_by_pot(5, 1) == 3 && q::rounding_divide_by_pot(-5, 1) == -3);
static_assert(q::rounding_divide_by_pot(6, 2) == 2 && q::rounding_divide_by_pot(-6, 2) == -2);
static_assert(q::requantize(1000, q::quantize_multiplier(0.01)) == 10);
static_assert(q::requantize_small(1000, 0x51ec, 6) == q::requantize(1000, {0x51ec << 16, -6}));
static_assert(q::requantize_small(-8388607, 0x7fff, 3) == q::requantize(-8388607, {0x7fff << 16, -3}));

// Input quantisation from the float's bits: round half away from zero.
static_assert(ctml::arch::quantize_pow2<0>(2.5f, 128) == 131 && ctml::arch::quantize_pow2<0>(-2.5f, 128) == 125);
static_assert(ctml::arch::quantize_pow2<8>(1.0f, 0) == 255 && ctml::arch::quantize_pow2<8>(0.5f, 0) == 128);
static_assert(ctml::arch::quantize_pow2<0>(1e9f, 128) == 255 && ctml::arch::quantize_pow2<0>(-1e9f, 128) == 0);
static_assert(ctml::arch::quantize_pow2<0>(0.49f, 128) == 128 && ctml::arch::quantize_pow2<0>(0.0f, 7) == 7);

}  // namespace

// A 2 -> 2 -> 3 network (named namespace: clang would call unused members unused).
namespace nn_static {
namespace nn = ctml::nn;
struct d0 {
  static constexpr std::size_t n_in = 2, n_out = 2;
  static constexpr double weight[n_out][n_in] = {{1.0, -1.0}, {0.5, 0.5}};
  static constexpr double bias[n_out] = {0.0, 0.25};
};
struct d1 {
  static constexpr std::size_t n_in = 2, n_out = 3;
  static constexpr double weight[n_out][n_in] = {{1.0, 0.0}, {0.0, 1.0}, {-1.0, -1.0}};
  static constexpr double bias[n_out] = {0.0, 0.0, 0.5};
};
struct net {
  using input = nn::shape<2>;
  using layers = nn::layers<nn::dense<d0>, nn::relu, nn::dense<d1>, nn::softmax>;
  static constexpr nn::head head = nn::head::argmax;
  static constexpr std::size_t n_layers = 4;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-1.0, 1.0};
  static constexpr double ranges[n_layers][2] = {{-2, 2}, {0, 2}, {-3, 2}, {0, 1}};
};
}  // namespace nn_static

namespace {
using nn_static::net;
using model = ctml::pipeline<nn::network<net>>;
static_assert(ctml::Predictor<nn::network<net>> && model::in_extent == 2 && model::cost() == 10);
using small = decltype(model::with(ctml::int8_fast{}));
static_assert(std::is_same_v<small, ctml::pipeline<nn::network<net, ctml::int8_fast>>>);
// Input range [-1, 1]: 2/255 -> the power-of-two scale 2^-6, zero point round(-128 + 64) = -64.
static_assert(small::first::input_scale == 0.015625 && small::first::input_zero_point == -64);
// RAM: f32 two buffers of the largest tensor; int8 two buffers sized for
// what each receives (the input; the hidden layer, which the head reads).
static_assert(small::ram_bytes() == 2 + 2 && model::ram_bytes() == 2 * 3 * sizeof(float));

}  // namespace

// Convolution and pooling shapes (PyTorch's: floor((n + 2p - k) / s) + 1).
namespace nn_static_cnn {
namespace nn = ctml::nn;
struct c2 {
  static constexpr std::size_t in_channels = 3, out_channels = 4, kernel_h = 3, kernel_w = 2;
  static constexpr std::size_t stride_h = 2, stride_w = 1, pad_h = 1, pad_w = 0;
};
struct c1 {
  static constexpr std::size_t in_channels = 2, out_channels = 5, kernel = 4, stride = 3, padding = 2;
};
struct dw {
  static constexpr std::size_t in_channels = 4, out_channels = 8, kernel_h = 3, kernel_w = 3;
  static constexpr std::size_t stride_h = 1, stride_w = 1, pad_h = 1, pad_w = 1;
};
static_assert(std::is_same_v<nn::conv2d<c2>::out_shape<nn::shape<3, 9, 6>>, nn::shape<4, 5, 5>>);
static_assert(std::is_same_v<nn::conv1d<c1>::out_shape<nn::shape<2, 10>>, nn::shape<5, 4>>);
static_assert(std::is_same_v<nn::depthwise_conv2d<dw>::out_shape<nn::shape<4, 7, 7>>, nn::shape<8, 7, 7>>);
static_assert(std::is_same_v<nn::max_pool2d<2>::out_shape<nn::shape<4, 7, 6>>, nn::shape<4, 3, 3>>);
static_assert(std::is_same_v<nn::avg_pool2d<3, 2, 1, 2>::out_shape<nn::shape<1, 5, 5>>, nn::shape<1, 3, 2>>);
static_assert(std::is_same_v<nn::max_pool1d<2, 1>::out_shape<nn::shape<3, 5>>, nn::shape<3, 4>>);
static_assert(std::is_same_v<nn::avg_pool1d<4>::out_shape<nn::shape<3, 9>>, nn::shape<3, 2>>);
static_assert(nn::is_conv<nn::conv1d<c1>> && nn::is_pool<nn::max_pool2d<2>> && !nn::is_conv<nn::flatten>);
}  // namespace nn_static_cnn
