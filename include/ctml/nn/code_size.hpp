// The code-size part of a network's flash_bytes(): fitted per target
// (ctml/arch/<family>.hpp: nn_dense_code, nn_conv_code; what they count:
// ctml/arch/common.hpp), with conv taps counted as the target's kernels
// unroll them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include <ctml/arch.hpp>
#include <ctml/nn/layers.hpp>

namespace ctml::nn::detail {

template <class Plan>
struct code_estimate {
  template <std::size_t I> using layer = typename Plan::template layer<I>;
  static constexpr std::size_t n_layers = Plan::n_layers;
  static constexpr bool fast_only = Plan::is_int8 && Plan::mbits <= 15;

  // Code of predict, predict_quantized and quantize_input with the dense layers.
  static constexpr std::int32_t dense_code() noexcept {
    std::int32_t dense = 0, dense16 = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((dense += is_dense<layer<I>> ? 1 : 0), ...);
      ((dense16 += [] {
         if constexpr (is_dense<layer<I>>) return layer<I>::n_in % 16 == 0 ? 1 : 0;
         else return 0;
       }()),
       ...);
    }(std::make_index_sequence<n_layers>{});
    if constexpr (!Plan::is_int8) return arch::nn_dense_code.f32_fixed;
    constexpr auto& k = fast_only ? arch::nn_dense_code.fast : arch::nn_dense_code.exact;
    return k.fixed + k.per_dense * dense + k.per_dense16 * dense16 +
           (Plan::params::head == head::argmax ? k.argmax : 0);
  }

  // Code of conv layer or pooling layer I.
  template <std::size_t I>
  static constexpr std::int32_t conv_layer_code(const arch::nn_conv_code_size::part& k) noexcept {
    using L = layer<I>;
    if constexpr (is_conv<L>) {
      constexpr std::size_t kw = L::kernel_w < 16 ? L::kernel_w : 16;  // rows and columns unroll up to 16
      constexpr std::size_t rows = arch::conv_unrolls_rows ? (L::kernel_h < 16 ? L::kernel_h : 16) : 1;
      constexpr std::size_t pairs = arch::conv_output_pairs && Plan::template geom<I>::ow >= 2 ? 2 : 1;
      constexpr std::size_t taps = rows * kw * pairs;
      return k.conv + k.per_tap * static_cast<std::int32_t>(taps) + (L::pad_h + L::pad_w > 0 ? k.padded : 0);
    } else if constexpr (is_pool<L>) {
      return k.pool;
    } else {
      return 0;
    }
  }

  static constexpr std::size_t bytes() noexcept {
    constexpr auto& k = !Plan::is_int8 ? arch::nn_conv_code.f32
                                       : (fast_only ? arch::nn_conv_code.int8_fast : arch::nn_conv_code.int8);
    std::int32_t conv = 0;
    bool any = false;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((conv += conv_layer_code<I>(k)), ...);
      any = (... || (is_conv<layer<I>> || is_pool<layer<I>>));
    }(std::make_index_sequence<n_layers>{});
    const std::int32_t total = dense_code() + conv + (any ? k.fixed : 0);
    return total > 0 ? static_cast<std::size_t>(total) : 0;
  }
};

}  // namespace ctml::nn::detail
