// A neural network as one pipeline stage: `ctml::nn::network<P>` runs the
// layers of `P::layers` on `P::input` and predicts by `P::head`.
//
//   f32 (default, nn/f32.hpp): float32 weights and activations, float
//     accumulation in scikit-learn's order (x @ W, then + b, per output).
//     sklearn computes in float64, so this is not bit-exact: a prediction
//     can differ only when two class scores are within float rounding of
//     each other (measured: 450/450 on the digits MLP). Predict never
//     evaluates softmax or the final sigmoid: the class is the argmax of the
//     last dense layer (or its sign for sklearn's binary logistic output);
//     `predict_proba` evaluates them (float32, tolerance below).
//   int8 (`model.with(ctml::int8{})`, or ctml::int8_fast; nn/int8.hpp):
//     TFLite's affine int8 scheme (nn/quant.hpp), every scale, zero point
//     and multiplier derived here from the header's float parameters and
//     calibration ranges, per-channel weights (nn/per_channel.hpp). The
//     float input is quantised with a power-of-two scale (the smallest one
//     covering the calibrated input range) by integer operations on its
//     bits, so no float arithmetic runs (regressors multiply once at the
//     end). `predict_quantized(q)` takes inputs already quantised with
//     `input_scale` / `input_zero_point`.
//   Convolutions (conv1d, conv2d, depthwise_conv2d) and pooling run on
//   channels-first tensors. The int8 layers alternate between two
//   activation buffers (nn/buffers.hpp). Shapes, the head and fusion are
//   planned in nn/plan.hpp; flash estimates in nn/code_size.hpp; inner
//   loops are the target's (ctml/arch.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/arch.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/nn/buffers.hpp>
#include <ctml/nn/code_size.hpp>
#include <ctml/nn/f32.hpp>
#include <ctml/nn/int8.hpp>
#include <ctml/nn/layers.hpp>
#include <ctml/nn/plan.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::nn {

/// float32 tolerance of `predict_proba` against scikit-learn's float64
/// predict_proba (and PyTorch's softmax in float64), absolute per
/// probability: float32 rounding of the sums and of exp (arch::exp_f, within
/// 2 ulp), for networks of sklearn's sizes. Tested on the digits, iris,
/// breast-cancer and wine MLPs (tests/runtime, tests/generator).
inline constexpr float proba_tolerance = 1e-5f;

template <class P, class Policy = f32>
  requires(detail::check_policy<Policy>::ok)
struct network {
 private:
  using plan = detail::plan<P, Policy>;
  using f32_path = detail::f32_path<plan>;
  using int8_path = detail::int8_path<plan>;
  static constexpr std::size_t n_layers = plan::n_layers;
  static constexpr std::size_t head_at = plan::head_at;
  template <std::size_t I> using layer = typename plan::template layer<I>;
  template <std::size_t T> static constexpr std::size_t tensor_size = plan::template tensor_size<T>;
  static constexpr std::size_t n_outputs = plan::n_outputs;
  static constexpr std::array<std::size_t, 2> int8_buffers() noexcept {
    return detail::int8_buffer_plan<plan>::bytes;
  }

 public:
  using policy = Policy;
  using in_type = float;
  using out_type = typename plan::out_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = P::input::size;
  static constexpr std::size_t out_extent = 1;
  static constexpr bool is_int8 = plan::is_int8;

  template <class Q>
    requires(std::same_as<Q, f32> || ctml::detail::is_int8_affine<Q>)
  using rebind = network<P, Q>;

  static constexpr std::size_t n_classes =
      P::head == head::argmax ? n_outputs : (P::head == head::logistic ? 2 : 0);

  /// int8: the input's quantisation (q = round(x / input_scale) + input_zero_point).
  static constexpr double input_scale = [] {
    if constexpr (is_int8) return plan::template tensor_params<0>().scale;
    else return 1.0;
  }();
  static constexpr std::int32_t input_zero_point = [] {
    if constexpr (is_int8) return plan::template tensor_params<0>().zero_point;
    else return std::int32_t{0};
  }();

 private:
  template <std::size_t... I>
  static constexpr std::size_t sum_tables(std::index_sequence<I...>) noexcept {
    if constexpr (is_int8) return (std::size_t{0} + ... + int8_path::template table_bytes<I>());
    else return (std::size_t{0} + ... + f32_path::template table_bytes<I>());
  }
  template <std::size_t... I>
  static constexpr std::size_t count_macs(std::index_sequence<I...>) noexcept {
    std::size_t n = 0;
    ((n += [] {
       if constexpr (is_dense<layer<I>>) {
         return layer<I>::n_in * layer<I>::n_out;
       } else if constexpr (is_conv<layer<I>>) {
         using L = layer<I>;
         return tensor_size<I + 1> * (L::in_channels / L::groups) * L::kernel_h * L::kernel_w;
       } else {
         return std::size_t{0};
       }
     }()),
     ...);
    return n;
  }
  static constexpr auto zu_input = static_cast<std::int16_t>(input_zero_point + 128);

 public:
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return sum_tables(std::make_index_sequence<n_layers>{}) + detail::code_estimate<plan>::bytes();
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return is_int8 ? int8_buffers()[0] + int8_buffers()[1] : 2 * plan::max_tensor() * sizeof(float);
  }
  /// Multiply-accumulates per prediction.
  [[nodiscard]] static constexpr std::size_t cost() noexcept {
    return count_macs(std::make_index_sequence<n_layers>{});
  }

  [[nodiscard]] out_type predict(std::span<const float, in_extent> x) const noexcept {
    if constexpr (is_int8) {
      if constexpr (detail::check_calibrated<P::calibrated>::ok) {
        std::array<std::uint8_t, int8_buffers()[0]> a;
        std::array<std::uint8_t, int8_buffers()[1]> b;
        const std::uint16_t sum = arch::quantize_u8<plan::input_shift()>(x.data(), a.data(), in_extent, zu_input);
        return int8_path::run_from_input(a.data(), b.data(), sum);
      } else {
        return out_type{};
      }
    } else {
      std::array<float, plan::max_tensor()> a, b;
      for (std::size_t i = 0; i < in_extent; ++i) a[i] = x[i];
      f32_path::template run<0, head_at>(a.data(), b.data());
      return f32_path::read_head(a.data());
    }
  }
  [[nodiscard]] out_type predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }

  /// int8: the input quantised as `predict` does (q = round(x / input_scale)
  /// + input_zero_point, saturated; NaN -> the zero point).
  [[nodiscard]] static std::array<std::int8_t, in_extent> quantize_input(std::span<const float, in_extent> x) noexcept
    requires(is_int8)
  {
    std::array<std::int8_t, in_extent> q{};
    std::array<std::uint8_t, in_extent> u;
    arch::quantize_u8<plan::input_shift()>(x.data(), u.data(), in_extent, zu_input);
    for (std::size_t i = 0; i < in_extent; ++i) q[i] = static_cast<std::int8_t>(u[i] ^ 0x80u);
    return q;
  }

  /// int8: the prediction for an input already quantised (int8 q values).
  [[nodiscard]] out_type predict_quantized(std::span<const std::int8_t, in_extent> q) const noexcept
    requires(is_int8)
  {
    if constexpr (detail::check_calibrated<P::calibrated>::ok) {
      std::array<std::uint8_t, int8_buffers()[0]> a;
      std::array<std::uint8_t, int8_buffers()[1]> b;
      std::uint16_t sum = 0;
      for (std::size_t i = 0; i < in_extent; ++i)
        sum = static_cast<std::uint16_t>(sum + (a[i] = static_cast<std::uint8_t>(q[i] ^ 0x80)));
      return int8_path::run_from_input(a.data(), b.data(), sum);
    } else {
      return out_type{};
    }
  }

  /// f32: the outputs of the last layer (softmax/sigmoid applied if present).
  void outputs(std::span<const float, in_extent> x, std::span<float, tensor_size<n_layers>> y) const noexcept
    requires(!is_int8)
  {
    std::array<float, plan::max_tensor()> a, b;
    for (std::size_t i = 0; i < in_extent; ++i) a[i] = x[i];
    f32_path::template run<0, n_layers - 1>(a.data(), b.data());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = a[i];
  }

  /// f32 classifiers: the class probabilities, as scikit-learn's
  /// predict_proba (PyTorch: the softmax of a classifier's outputs), within
  /// proba_tolerance: for an argmax head the softmax of the last dense
  /// layer's outputs (the network's own softmax, or applied here when it
  /// ends in logits); for a logistic head {1 - p, p} with p the sigmoid of
  /// its output. A network with one output and an argmax head (an
  /// MLPClassifier fitted on one class) gives {1}.
  void predict_proba(std::span<const float, in_extent> x, std::span<float, n_classes> p) const noexcept
    requires(!is_int8 && P::head != head::value)
  {
    std::array<float, plan::max_tensor()> a, b;
    for (std::size_t i = 0; i < in_extent; ++i) a[i] = x[i];
    f32_path::template run<0, head_at>(a.data(), b.data());
    if constexpr (P::head == head::logistic) {
      const float p1 = 1.0f / (1.0f + arch::exp_f(-a[0]));
      p[0] = 1.0f - p1;
      p[1] = p1;
    } else {
      f32_path::template activation<act::softmax, n_outputs>(a.data(), p.data());
    }
  }

  void run(std::span<const float, in_extent> x, std::span<out_type, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }
};

}  // namespace ctml::nn

namespace ctml {
using nn::network;
}  // namespace ctml
