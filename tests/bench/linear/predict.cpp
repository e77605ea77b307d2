// Predicts every parity-vector row with one model, and prints
// `key value` lines: rows, agreement with scikit-learn, cost per prediction
// (exact instructions on Cortex-M/RISC-V, cycles on AVR), peak stack, and the
// library's compile-time flash estimate.
#include <array>
#include <cstdint>
#include <span>

#include <ctml_measure.hpp>

#include "model.hpp"
#include "model_vectors.hpp"

namespace {
constexpr std::size_t n = model::n_features;

#if defined(CTML_BENCH_BASELINE)
// Same harness, no model: what the firmware costs without it.
struct no_model {
  [[nodiscard]] int predict(std::span<const float, n> x) const noexcept { return x[0] > 0.5f ? 1 : 0; }
  static constexpr std::size_t flash_bytes() noexcept { return 0; }
  static constexpr std::size_t data_bytes() noexcept { return 0; }
};
constexpr no_model bench_model{};
#else
constexpr auto bench_model = model::model;
#endif

[[gnu::noinline]] int bench_predict(const std::array<float, n>& x) { return bench_model.predict(x); }

std::array<float, n> row(std::size_t i) {
  std::array<float, n> x{};
  for (std::size_t j = 0; j < n; ++j) x[j] = ctml::flash_load(&model_vectors::x[i][j]);
  return x;
}
}  // namespace

int main() {
  std::uint32_t agree = 0, total = 0, worst = 0;
  for (std::size_t i = 0; i < model_vectors::n_rows; ++i) {
    const auto x = row(i);
    ctml_measure_begin();
    const int cls = bench_predict(x);
    const std::uint32_t cost = ctml_measure_end();
    total += cost;
    worst = cost > worst ? cost : worst;
    agree += cls == ctml::flash_load(&model_vectors::expected[i]);
  }
  const auto x = row(0);
  ctml_stack_paint();
  ctml_keep(bench_predict(x));
  const std::uint32_t stack = ctml_stack_peak();
  ctml_report("rows", static_cast<std::uint32_t>(model_vectors::n_rows));
  ctml_report("agree", agree);
  ctml_report("cost_total", total);
  ctml_report("cost_worst", worst);
  ctml_report("stack", stack);
  ctml_report("flash_estimate", static_cast<std::uint32_t>(bench_model.flash_bytes()));
  ctml_report("data_estimate", static_cast<std::uint32_t>(bench_model.data_bytes()));
#if defined(CTML_BENCH_BASELINE)
  ctml_exit(0);
#else
  ctml_exit(agree == model_vectors::n_rows ? 0 : 1);
#endif
}
