// One network benchmark firmware: BENCH_GESTURE or BENCH_DIGITS, with
// BENCH_KERNEL = 0 (f32), 1 (int8), 2 (int8_fast), or BENCH_BASELINE (no
// model: the firmware's fixed size). Prints `bench.<what> <value>` lines:
// instructions (Cortex-M, RISC-V) or cycles (AVR) per prediction, and
// the predictions of the first rows against scikit-learn's.
#include <array>
#include <cstdint>

#include <ctml_measure.hpp>

#if !defined(BENCH_BASELINE)
#include <ctml/ctml.hpp>
#if defined(BENCH_GESTURE)
#include "gesture.hpp"
#include "gesture_vectors.hpp"
namespace net_ns = gesture;
namespace vec = gesture_vectors;
#else
#include "digits_mlp.hpp"
#include "digits_mlp_vectors.hpp"
namespace net_ns = digits_mlp;
namespace vec = digits_mlp_vectors;
#endif

namespace {
constexpr auto model() {
#if BENCH_KERNEL == 0
  return net_ns::model;
#elif BENCH_KERNEL == 1
  return net_ns::model.with(ctml::int8{});
#else
  return net_ns::model.with(ctml::int8_fast{});
#endif
}
using model_t = decltype(model());
using net_t = model_t::first;

[[gnu::noinline]] int run_float(const std::array<float, net_ns::n_features>& x) {
  ctml_measure_begin();
  const int y = static_cast<int>(model_t{}.predict(x));
  const std::uint32_t n = ctml_measure_end();
  ctml_keep(y);
  ctml_report("bench.predict_float", n);
  return y;
}

#if BENCH_KERNEL != 0
[[gnu::noinline]] int run_quantized(const std::array<std::int8_t, net_ns::n_features>& q) {
  ctml_measure_begin();
  const int y = static_cast<int>(net_t{}.predict_quantized(q));
  const std::uint32_t n = ctml_measure_end();
  ctml_keep(y);
  ctml_report("bench.predict_quantized", n);
  return y;
}
#endif
}  // namespace
#endif

int main() {
#if !defined(BENCH_BASELINE)
  int agree = 0;
  for (std::size_t i = 0; i < vec::n_rows; ++i) {
    std::array<float, net_ns::n_features> x{};
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = ctml::flash_load(&vec::x[i][j]);
    const int y = run_float(x);
    agree += y == ctml::flash_load(&vec::expected[i]);
#if BENCH_KERNEL != 0 && defined(BENCH_GESTURE)
    std::array<std::int8_t, net_ns::n_features> q{};
    for (std::size_t j = 0; j < q.size(); ++j) q[j] = static_cast<std::int8_t>(x[j]);  // raw counts
    if (run_quantized(q) != y) ctml_exit(3);
#endif
  }
  ctml_report("bench.agree", static_cast<std::uint32_t>(agree));
  ctml_report("bench.rows", static_cast<std::uint32_t>(vec::n_rows));
  ctml_report("bench.estimated_flash", static_cast<std::uint32_t>(model_t::flash_bytes()));
#endif
  ctml_exit(0);
}
