// Predicts every parity-vector row with one network and policy, and prints
// `key value` lines: rows, agreement with scikit-learn and with the true
// labels, cost per prediction from float input (and, for int8, from an input
// already quantised: predict_quantized), peak stack, and the library's flash
// estimate. Costs are exact instructions on Cortex-M, cycles on AVR;
// bench_nn.py counts host instructions with callgrind (bench_predict*).
// CTML_BENCH_BASELINE: the same harness without the model.
#include <array>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml_measure.hpp>

#include "model.hpp"
#include "model_vectors.hpp"

namespace {
constexpr std::size_t n = model::n_features;
using qrow = std::array<std::int8_t, n>;

#if defined(CTML_BENCH_BASELINE)
struct no_model {
  static constexpr bool is_int8 = true;
  [[nodiscard]] int predict(std::span<const float, n> x) const noexcept { return x[0] > 0.5f ? 1 : 0; }
  [[nodiscard]] int predict_quantized(std::span<const std::int8_t, n> q) const noexcept { return q[0]; }
  static qrow quantize_input(std::span<const float, n> x) noexcept {
    qrow q{};
    q[0] = static_cast<std::int8_t>(x[0] > 0.5f);
    return q;
  }
  static constexpr std::size_t flash_bytes() noexcept { return 0; }
};
constexpr no_model net{};
#else
constexpr auto bench_model = model::model.with(CTML_BENCH_POLICY{});
constexpr auto net = decltype(bench_model)::first{};
#endif
using net_t = std::remove_cvref_t<decltype(net)>;

[[gnu::noinline]] int bench_predict(const std::array<float, n>& x) { return static_cast<int>(net.predict(x)); }
template <class N>
int predict_q(const N& m, const qrow& q) {
  if constexpr (N::is_int8) return static_cast<int>(m.predict_quantized(q));
  else return q[0];
}
template <class N>
qrow quantize(const N&, const std::array<float, n>& x) {
  if constexpr (N::is_int8) return N::quantize_input(x);
  else return qrow{};
}
[[gnu::noinline]] int bench_predict_quantized(const qrow& q) { return predict_q(net, q); }

std::array<float, n> row(std::size_t i) {
  std::array<float, n> x{};
  for (std::size_t j = 0; j < n; ++j) x[j] = ctml::flash_load(&model_vectors::x[i][j]);
  return x;
}
}  // namespace

int main() {
  std::uint32_t agree = 0, correct = 0, total = 0, total_q = 0, same_q = 1;
  for (std::size_t i = 0; i < model_vectors::n_rows; ++i) {
    const auto x = row(i);
    ctml_measure_begin();
    const int cls = bench_predict(x);
    const std::uint32_t cost = ctml_measure_end();
    ctml_keep(cls);
    total += cost;
    agree += cls == ctml::flash_load(&model_vectors::expected[i]);
    correct += cls == ctml::flash_load(&model_vectors::truth[i]);
    if constexpr (net_t::is_int8) {
      const qrow q = quantize(net, x);
      ctml_measure_begin();
      const int cls_q = bench_predict_quantized(q);
      const std::uint32_t cost_q = ctml_measure_end();
      ctml_keep(cls_q);
      total_q += cost_q;
      same_q = same_q && cls_q == cls;
    }
  }
  const auto x = row(0);
  ctml_stack_paint();
  ctml_keep(bench_predict(x));
  const std::uint32_t stack = ctml_stack_peak();
  ctml_report("rows", static_cast<std::uint32_t>(model_vectors::n_rows));
  ctml_report("agree", agree);
  ctml_report("correct", correct);
  ctml_report("cost_total", total);
  ctml_report("cost_q_total", total_q);
  ctml_report("stack", stack);
  ctml_report("flash_estimate", static_cast<std::uint32_t>(net.flash_bytes()));
  ctml_exit(same_q ? 0 : 1);
}
