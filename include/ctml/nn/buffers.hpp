// The int8 activation buffers of a network: the layers alternate between two
// byte buffers (a flatten keeps its input's), each sized for the largest
// tensor it receives, a conv layer's padded input included (ram_bytes()).
// f32 networks use two float buffers of the largest tensor (nn/f32.hpp).
#pragma once

#include <array>
#include <cstddef>

#include <ctml/nn/layers.hpp>

namespace ctml::nn::detail {

template <class Plan>
struct int8_buffer_plan {
  template <std::size_t I>
  static constexpr void needs(std::array<std::size_t, 2>& need, std::size_t at) noexcept {
    using L = typename Plan::template layer<I>;
    const auto grow = [&](std::size_t buf, std::size_t n) { need[buf] = n > need[buf] ? n : need[buf]; };
    grow(at, Plan::template tensor_size<I>);
    if constexpr (I != Plan::head_at) {
      if constexpr (is_flatten<L>) {
        needs<I + 1>(need, at);
      } else {
        grow(at, Plan::template padded_input<I>());
        grow(1 - at, Plan::template tensor_size<I + 1>);
        needs<Plan::template output_of<I>>(need, 1 - at);
      }
    }
  }
  static constexpr std::array<std::size_t, 2> make() noexcept {
    std::array<std::size_t, 2> need{1, 1};
    needs<0>(need, 0);
    return need;
  }
  /// Bytes of buffer 0 (holds the input) and buffer 1.
  static constexpr std::array<std::size_t, 2> bytes = make();
};

}  // namespace ctml::nn::detail
