// Small network parameter sets shared by the network compile-fail tests.
#pragma once
#include <cstddef>

#include <ctml/nn/network.hpp>

namespace fail_nn {
namespace nn = ctml::nn;

template <std::size_t In, std::size_t Out>
struct dense_p {
  static constexpr std::size_t n_in = In, n_out = Out;
  static constexpr double weight[Out][In] = {};
  static constexpr double bias[Out] = {};
};

template <std::size_t IC, std::size_t OC, std::size_t K, std::size_t Stride = 1, std::size_t Pad = 0,
          std::size_t WC = IC>
struct conv_p {
  static constexpr std::size_t in_channels = IC, out_channels = OC, kernel_h = K, kernel_w = K;
  static constexpr std::size_t stride_h = Stride, stride_w = Stride, pad_h = Pad, pad_w = Pad;
  static constexpr double weight[OC][WC][K][K] = {};
  static constexpr double bias[OC] = {};
};

template <class Input, class Layers, nn::head Head = nn::head::argmax, bool Calibrated = true>
struct net_p {
  using input = Input;
  using layers = Layers;
  static constexpr nn::head head = Head;
  static constexpr std::size_t n_layers = 8;
  static constexpr bool calibrated = Calibrated;
  static constexpr double input_range[2] = {-1.0, 1.0};
  static constexpr double ranges[n_layers][2] = {{-1, 1}, {-1, 1}, {-1, 1}, {-1, 1},
                                                 {-1, 1}, {-1, 1}, {-1, 1}, {-1, 1}};
};

/// Instantiates everything predict needs (the checks fire there).
template <class Model>
inline int use(Model m) {
  std::array<float, Model::in_extent> x{};
  return static_cast<int>(m.predict(x));
}

}  // namespace fail_nn
