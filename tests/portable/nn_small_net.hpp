// A small hand-written network (3 -> dense 4 relu -> dense 3 softmax) shared
// by the network tests on the host (tests/runtime) and on every port.
#pragma once

#include <cstddef>

#include <ctml/nn/network.hpp>

namespace nn_small {
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
}  // namespace nn_small
