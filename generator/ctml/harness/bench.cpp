// The one benchmark firmware of ctml (generator/ctml/measure.py builds it for
// `python3 -m ctml report` and for tests/bench): predicts every parity-vector
// row with one model variant and prints `key value` lines -- rows, agreement
// with the framework (and with the true labels when the vectors hold them),
// cost per prediction (exact instructions on Cortex-M/RISC-V, cycles on AVR;
// measure.py counts host instructions with callgrind in bench_predict*),
// peak stack, and the library's compile-time estimates.
//
//   CTML_BENCH_WITH=T      the model is model::model.with(T{}) (a policy or a layout)
//   CTML_BENCH_WITH2=U     and then .with(U{}) (a layout after a policy)
//   CTML_BENCH_BASELINE    the same harness without the model: flash(model) =
//                          flash(firmware) - flash(baseline)
//   CTML_BENCH_INT8        the baseline keeps the int8 input path (for networks' baselines)
//   CTML_BENCH_TRUTH       the vectors hold truth[] (true labels)
//   CTML_BENCH_EXPECT_AGREE  exit 1 unless every row agrees (parity tests)
//   CTML_BENCH_PER_STAGE   instead: cost and estimates of each stage of a pipeline
//                          (a separate firmware: measuring stages one by one links
//                          their code a second time)
#include <array>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml_measure.hpp>

#include "model.hpp"
#include "model_vectors.hpp"

namespace {
constexpr std::size_t n = model::n_features;
using qrow = std::array<std::int8_t, n>;

#if defined(CTML_BENCH_BASELINE)
// Same harness, no model: what the firmware costs without it.
struct no_model {
#if defined(CTML_BENCH_INT8)
  static constexpr bool is_int8 = true;
#else
  static constexpr bool is_int8 = false;
#endif
  [[nodiscard]] int predict(std::span<const float, n> x) const noexcept { return x[0] > 0.5f ? 1 : 0; }
  [[nodiscard]] int predict_quantized(std::span<const std::int8_t, n> q) const noexcept { return q[0]; }
  static qrow quantize_input(std::span<const float, n> x) noexcept {
    qrow q{};
    q[0] = static_cast<std::int8_t>(x[0] > 0.5f);
    return q;
  }
  static constexpr std::size_t flash_bytes() noexcept { return 0; }
  static constexpr std::size_t data_bytes() noexcept { return 0; }
  static constexpr std::size_t ram_bytes() noexcept { return 0; }
  static constexpr std::size_t cost() noexcept { return 0; }
};
constexpr no_model net{};
#else
#if defined(CTML_BENCH_WITH) && defined(CTML_BENCH_WITH2)
constexpr auto bench_model = model::model.with(CTML_BENCH_WITH{}).with(CTML_BENCH_WITH2{});
#elif defined(CTML_BENCH_WITH)
constexpr auto bench_model = model::model.with(CTML_BENCH_WITH{});
#else
constexpr auto bench_model = model::model;
#endif
using pipeline_t = std::remove_cvref_t<decltype(bench_model)>;
// A one-stage model is measured as that stage (its int8 input path is reachable).
constexpr auto net = [] {
  if constexpr (pipeline_t::size == 1) return typename pipeline_t::first{};
  else return pipeline_t{};
}();
#endif
using net_t = std::remove_cvref_t<decltype(net)>;

template <class N>
constexpr bool int8_input = [] {
  if constexpr (requires { N::is_int8; }) return N::is_int8;
  else return false;
}();
template <class N>
constexpr std::size_t data_bytes_of() {
  if constexpr (requires { N::data_bytes(); }) return N::data_bytes();
  else return N::flash_bytes();
}

// A class index, or a regressor's value (compared exactly: the float policy reproduces it).
using result_t = std::conditional_t<
    std::is_floating_point_v<decltype(net.predict(std::declval<std::span<const float, n>>()))>, double, int>;
template <class N>
constexpr bool stateful = [] {
  if constexpr (requires { typename N::state_type; }) return !std::is_empty_v<typename N::state_type>;
  else return false;
}();
template <class N>
auto predict_row(const N& m, const std::array<float, n>& x) {
  if constexpr (stateful<N>) {
    static typename N::state_type state{};  // a stateful model keeps its state across rows
    return m.predict(x, state);
  } else {
    return m.predict(x);
  }
}
[[gnu::noinline, maybe_unused]] result_t bench_predict(const std::array<float, n>& x) {
  return static_cast<result_t>(predict_row(net, x));
}
template <class N>
int predict_q(const N& m, const qrow& q) {
  if constexpr (int8_input<N>) return static_cast<int>(m.predict_quantized(q));
  else return q[0];
}
template <class N>
qrow quantize(const N&, const std::array<float, n>& x) {
  if constexpr (int8_input<N>) return N::quantize_input(x);
  else return qrow{};
}
[[gnu::noinline, maybe_unused]] int bench_predict_quantized(const qrow& q) { return predict_q(net, q); }

std::array<float, n> row(std::size_t i) {
  std::array<float, n> x{};
  for (std::size_t j = 0; j < n; ++j) x[j] = ctml::flash_load(&model_vectors::x[i][j]);
  return x;
}

#if defined(CTML_BENCH_PER_STAGE) && !defined(CTML_BENCH_BASELINE)
template <std::size_t I> using stage = boost::mp11::mp_at_c<typename pipeline_t::stages, I>;
std::array<std::uint32_t, pipeline_t::size> stage_cost{};

// Each stage on its own, noinline so callgrind counts it on the host; the
// measurement around the calls counts it on the targets.
template <std::size_t I>
[[gnu::noinline]] void bench_run(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in,
                                 std::span<typename stage<I>::out_type, stage<I>::out_extent> out) {
  typename stage<I>::state_type state{};
  stage<I>{}.run(in, out, state);
}
[[gnu::noinline]] result_t bench_last(std::span<const typename stage<pipeline_t::size - 1>::in_type,
                                                 stage<pipeline_t::size - 1>::in_extent>
                                          in) {
  typename stage<pipeline_t::size - 1>::state_type state{};
  return static_cast<result_t>(stage<pipeline_t::size - 1>{}.predict(in, state));
}
template <std::size_t I>
result_t bench_stage(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in) {
  if constexpr (I + 1 == pipeline_t::size) {
    ctml_measure_begin();
    const result_t out = bench_last(in);
    stage_cost[I] += ctml_measure_end();
    return out;
  } else {
    std::array<typename stage<I>::out_type, stage<I>::out_extent> mid;
    ctml_measure_begin();
    bench_run<I>(in, std::span(mid));
    stage_cost[I] += ctml_measure_end();
    ctml_keep(mid);
    return bench_stage<I + 1>(mid);
  }
}

void report_stages() {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const char* cost_names[] = {"stage_cost_0", "stage_cost_1", "stage_cost_2", "stage_cost_3",
                                "stage_cost_4", "stage_cost_5", "stage_cost_6", "stage_cost_7"};
    const char* flash_names[] = {"stage_flash_0", "stage_flash_1", "stage_flash_2", "stage_flash_3",
                                 "stage_flash_4", "stage_flash_5", "stage_flash_6", "stage_flash_7"};
    const char* data_names[] = {"stage_data_0", "stage_data_1", "stage_data_2", "stage_data_3",
                                "stage_data_4", "stage_data_5", "stage_data_6", "stage_data_7"};
    const char* ram_names[] = {"stage_ram_0", "stage_ram_1", "stage_ram_2", "stage_ram_3",
                               "stage_ram_4", "stage_ram_5", "stage_ram_6", "stage_ram_7"};
    const char* state_names[] = {"stage_state_0", "stage_state_1", "stage_state_2", "stage_state_3",
                                 "stage_state_4", "stage_state_5", "stage_state_6", "stage_state_7"};
    const char* ops_names[] = {"stage_ops_0", "stage_ops_1", "stage_ops_2", "stage_ops_3",
                               "stage_ops_4", "stage_ops_5", "stage_ops_6", "stage_ops_7"};
    static_assert(sizeof...(I) <= 8, "ctml: the benchmark harness reports at most 8 stages");
    ((ctml_report(cost_names[I], stage_cost[I]),
      ctml_report(flash_names[I], std::integral_constant<std::uint32_t, stage<I>::flash_bytes()>::value),
      ctml_report(data_names[I], std::integral_constant<std::uint32_t, data_bytes_of<stage<I>>()>::value),
      ctml_report(ram_names[I], std::integral_constant<std::uint32_t, stage<I>::ram_bytes()>::value),
      ctml_report(state_names[I],
                  std::integral_constant<std::uint32_t, std::is_empty_v<typename stage<I>::state_type>
                                                            ? 0
                                                            : sizeof(typename stage<I>::state_type)>::value),
      ctml_report(ops_names[I], std::integral_constant<std::uint32_t, stage<I>::cost()>::value)),
     ...);
  }(std::make_index_sequence<pipeline_t::size>{});
}
#endif
}  // namespace

int main() {
#if defined(CTML_BENCH_PER_STAGE) && !defined(CTML_BENCH_BASELINE)
  std::uint32_t agree = 0;
  for (std::size_t i = 0; i < model_vectors::n_rows; ++i) {
    const auto x = row(i);
    agree += bench_stage<0>(x) == ctml::flash_load(&model_vectors::expected[i]);
  }
  ctml_report("rows", static_cast<std::uint32_t>(model_vectors::n_rows));
  ctml_report("stages", static_cast<std::uint32_t>(pipeline_t::size));
  ctml_report("agree", agree);
  report_stages();
  ctml_exit(0);
#else
  std::uint32_t agree = 0, total = 0, worst = 0, total_q = 0, same_q = 1;
#if defined(CTML_BENCH_TRUTH)
  std::uint32_t correct = 0;
#endif
  for (std::size_t i = 0; i < model_vectors::n_rows; ++i) {
    const auto x = row(i);
    ctml_measure_begin();
    const result_t cls = bench_predict(x);
    const std::uint32_t cost = ctml_measure_end();
    ctml_keep(cls);
    total += cost;
    worst = cost > worst ? cost : worst;
    agree += cls == ctml::flash_load(&model_vectors::expected[i]);
#if defined(CTML_BENCH_TRUTH)
    correct += cls == ctml::flash_load(&model_vectors::truth[i]);
#endif
    if constexpr (int8_input<net_t>) {
      const qrow q = quantize(net, x);
      ctml_measure_begin();
      const int cls_q = bench_predict_quantized(q);
      const std::uint32_t cost_q = ctml_measure_end();
      ctml_keep(cls_q);
      total_q += cost_q;
      same_q = same_q && static_cast<result_t>(cls_q) == cls;
    }
  }
  const auto x = row(0);
  ctml_stack_paint();
  ctml_keep(bench_predict(x));
  const std::uint32_t stack = ctml_stack_peak();
  // Only the keys this build has: on AVR every key's string takes RAM.
  ctml_report("rows", static_cast<std::uint32_t>(model_vectors::n_rows));
  ctml_report("agree", agree);
#if defined(CTML_BENCH_TRUTH)
  ctml_report("correct", correct);
#endif
  ctml_report("cost_total", total);
  ctml_report("cost_worst", worst);
#if defined(CTML_BENCH_EXPECT_AGREE)
  if constexpr (int8_input<net_t>) ctml_report("cost_q_total", total_q);
#else
  ctml_report("cost_q_total", total_q);
#endif
  ctml_report("stack", stack);
#if !defined(CTML_BENCH_EXPECT_AGREE)
  // constexpr: evaluated by the compiler (at run time they would link the model's arrays into RAM on AVR)
  constexpr auto flash_estimate = static_cast<std::uint32_t>(net_t::flash_bytes());
  constexpr auto data_estimate = static_cast<std::uint32_t>(data_bytes_of<net_t>());
  constexpr auto ram_estimate = static_cast<std::uint32_t>(net_t::ram_bytes());
  constexpr auto ops_estimate = static_cast<std::uint32_t>(net_t::cost());
  ctml_report("flash_estimate", flash_estimate);
  ctml_report("data_estimate", data_estimate);
  ctml_report("ram_estimate", ram_estimate);
  ctml_report("ops_estimate", ops_estimate);
#endif
  // The int8 input path must predict what the float path predicts.
#if defined(CTML_BENCH_EXPECT_AGREE)
  ctml_exit(same_q && agree == model_vectors::n_rows ? 0 : 1);
#else
  ctml_exit(same_q ? 0 : 1);
#endif
#endif
}
