// Small hand-written parameter sets shared by the compile-fail tests.
#pragma once
#include <cstddef>
#include <cstdint>

struct scale3 {
  static constexpr std::size_t n_features = 3;
  static constexpr double mean[3] = {1.0, 2.0, 3.0};
  static constexpr double scale[3] = {2.0, 4.0, 0.5};
};
struct scale4 {
  static constexpr std::size_t n_features = 4;
  static constexpr double mean[4] = {1.0, 2.0, 3.0, 4.0};
  static constexpr double scale[4] = {2.0, 4.0, 0.5, 1.0};
};
// x[0] <= 0.5 ? class 0 : class 1, over 3 features.
struct stump3 {
  static constexpr std::size_t n_features = 3, n_classes = 2, n_trees = 1, n_nodes = 3, n_values = 2;
  static constexpr std::int32_t root[1] = {0};
  static constexpr std::int32_t left[3] = {1, -1, -1};
  static constexpr std::int32_t right[3] = {2, -1, -1};
  static constexpr std::int32_t feature[3] = {0, -1, -1};
  static constexpr double threshold[3] = {0.5, 0.0, 0.0};
  static constexpr std::int32_t leaf[3] = {-1, 0, 1};
  static constexpr double values[2][2] = {{3.0, 0.0}, {0.0, 5.0}};
};
struct scale1 {
  static constexpr std::size_t n_features = 1;
  static constexpr double mean[1] = {1.0};
  static constexpr double scale[1] = {2.0};
};
