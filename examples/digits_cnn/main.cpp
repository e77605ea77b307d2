// A PyTorch CNN on the 8x8 digits (conv + batch norm + depthwise conv + max
// and average pooling + linear, trained by train.py), converted by
// `python3 -m ctml convert digits_cnn.pt`: accuracy of the float and int8
// models on the test split, and agreement with PyTorch's own predictions.
#include <array>
#include <cstdio>

#include "digits_cnn.hpp"
#include "digits_cnn_data.hpp"

int main() {
  namespace d = digits_cnn_data;
  constexpr auto f32 = digits_cnn::model;
  constexpr auto q8 = digits_cnn::model.with(ctml::int8{});
  constexpr auto q8f = digits_cnn::model.with(ctml::int8_fast{});
  static_assert(digits_cnn::n_features == 64 && digits_cnn::n_classes == 10);
  // A Cortex-M0 part such as the nRF51822: 256 KB of flash, 16 KB of RAM.
  static_assert(ctml::fits<decltype(q8f), ctml::budget<256 * 1024, 16 * 1024>>);

  std::size_t f_ok = 0, f_agree = 0, q_ok = 0, q_agree = 0, qf_ok = 0, qf_agree = 0;
  for (std::size_t i = 0; i < d::n_rows; ++i) {
    std::array<float, 64> x{};
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = d::x[i][j];
    const int f = f32.predict(x), q = q8.predict(x), qf = q8f.predict(x);
    f_ok += f == d::truth[i];
    f_agree += f == d::torch_pred[i];
    q_ok += q == d::truth[i];
    q_agree += q == d::torch_pred[i];
    qf_ok += qf == d::truth[i];
    qf_agree += qf == d::torch_pred[i];
  }
  const auto pct = [](std::size_t n) { return 100.0 * static_cast<double>(n) / static_cast<double>(d::n_rows); };
  std::printf("digits CNN (%zu MACs) on %zu test digits:\n", f32.cost(), d::n_rows);
  std::printf("  f32:       accuracy %.2f%%, agrees with PyTorch %zu/%zu, flash ~%zu B, RAM %zu B\n", pct(f_ok),
              f_agree, d::n_rows, f32.flash_bytes(), f32.ram_bytes());
  std::printf("  int8:      accuracy %.2f%%, agrees with PyTorch %zu/%zu, flash ~%zu B, RAM %zu B\n", pct(q_ok),
              q_agree, d::n_rows, q8.flash_bytes(), q8.ram_bytes());
  std::printf("  int8_fast: accuracy %.2f%%, agrees with PyTorch %zu/%zu, flash ~%zu B\n", pct(qf_ok), qf_agree,
              d::n_rows, q8f.flash_bytes());
  // float: every prediction PyTorch's (up to float rounding at near ties);
  // int8: within 2 points of float accuracy.
  const bool ok = f_agree + 1 >= d::n_rows && pct(f_ok) - pct(q_ok) <= 2.0 && pct(f_ok) - pct(qf_ok) <= 2.0;
  return ok ? 0 : 1;
}
