// Compile-time checks of ctml/stage.hpp, ctml/pipeline.hpp and ctml/budget.hpp:
// the Stage concept on sample types, `>>` flattening, extents and policies,
// `.with(...)` rebinding, state packs, flash/RAM/cost sums and `ctml::fits`.
// Compiling this file is the test.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/budget.hpp>
#include <ctml/number/convert.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/stage.hpp>

namespace {

using ctml::f32;
using ctml::pipeline;
using q16_8 = ctml::q<std::int16_t, 8>;

// ---------------------------------------------------------------------------
// Sample stages with hand-chosen sizes, so every expected sum below is known.

/// out[i] = 2 * in[i % In]; reports the given flash/RAM/cost.
template <std::size_t In, std::size_t Out, std::size_t Flash, std::size_t Ram, std::size_t Cost,
          class Policy = f32, class State = ctml::no_state>
struct toy {
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = in_type;
  using state_type = State;
  static constexpr std::size_t in_extent = In;
  static constexpr std::size_t out_extent = Out;
  template <ctml::ValuePolicy P> using rebind = toy<In, Out, Flash, Ram, Cost, P, State>;

  static constexpr std::size_t flash_bytes() noexcept { return Flash; }
  static constexpr std::size_t ram_bytes() noexcept { return Ram; }
  static constexpr std::size_t cost() noexcept { return Cost; }

  constexpr void run(std::span<const in_type, In> in, std::span<out_type, Out> out, State& state) const {
    for (std::size_t i = 0; i < Out; ++i) out[i] = static_cast<out_type>(2 * in[i % In]);
    if constexpr (!std::is_empty_v<State>) ++state.calls;
  }
};

struct counter {
  std::int32_t calls = 0;
};

/// A stage whose state counts its calls.
template <std::size_t N, class Policy = f32>
using counting = toy<N, N, 10, sizeof(counter), 1, Policy, counter>;

/// A predictor: the index of the largest input.
template <std::size_t N, class Policy = f32>
struct argmax {
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = int;
  using state_type = ctml::no_state;
  static constexpr std::size_t in_extent = N;
  static constexpr std::size_t out_extent = 1;
  template <ctml::ValuePolicy P> using rebind = argmax<N, P>;
  static constexpr std::size_t flash_bytes() noexcept { return 30; }
  static constexpr std::size_t ram_bytes() noexcept { return 0; }
  static constexpr std::size_t cost() noexcept { return N; }

  constexpr int predict(std::span<const in_type, N> in, state_type&) const {
    int best = 0;
    for (std::size_t i = 1; i < N; ++i)
      if (in[i] > in[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
    return best;
  }
  constexpr void run(std::span<const in_type, N> in, std::span<int, 1> out, state_type& s) const {
    out[0] = predict(in, s);
  }
};

/// Layout options: a stage that has layouts, and tags.
struct fast_layout {};
struct small_layout {};
template <class Layout = fast_layout>
struct layered : toy<3, 3, 50, 0, 3> {
  using layout = Layout;
  template <ctml::ValuePolicy P> using rebind = layered<Layout>;  // f32 only, for this test
  template <class L> using rebind_layout = layered<L>;
};

// ---------------------------------------------------------------------------
// The Stage concept

using a_t = toy<4, 3, 100, 8, 7>;    // 4 -> 3
using b_t = toy<3, 3, 20, 4, 5>;     // 3 -> 3
using c_t = toy<3, 2, 1000, 16, 11>; // 3 -> 2
using d_t = toy<2, 5, 3, 0, 1>;      // 2 -> 5

static_assert(ctml::Stage<a_t> && ctml::Stage<b_t> && ctml::Stage<c_t> && ctml::Stage<d_t>);
static_assert(ctml::Stage<toy<4, 4, 0, 0, 0, q16_8>>);
static_assert(ctml::Stage<counting<4>>);
static_assert(ctml::Stage<argmax<3>>);
static_assert(ctml::Predictor<argmax<3>>);
static_assert(!ctml::Predictor<a_t>);

struct stage_base {
  using policy = f32;
  using in_type = float;
  using out_type = float;
  using state_type = ctml::no_state;
  static constexpr std::size_t in_extent = 2;
  static constexpr std::size_t out_extent = 2;
  static constexpr std::size_t flash_bytes() noexcept { return 0; }
  static constexpr std::size_t ram_bytes() noexcept { return 0; }
};
struct complete : stage_base {
  static constexpr std::size_t cost() noexcept { return 0; }
  void run(std::span<const float, 2>, std::span<float, 2>, ctml::no_state&) const {}
};
struct missing_cost : stage_base {
  void run(std::span<const float, 2>, std::span<float, 2>, ctml::no_state&) const {}
};
struct int_cost : stage_base {
  static constexpr int cost() noexcept { return 0; }  // must be std::size_t
  void run(std::span<const float, 2>, std::span<float, 2>, ctml::no_state&) const {}
};
struct no_run : stage_base {
  static constexpr std::size_t cost() noexcept { return 0; }
};
struct wrong_extent_run : stage_base {
  static constexpr std::size_t cost() noexcept { return 0; }
  void run(std::span<const float, 3>, std::span<float, 2>, ctml::no_state&) const {}
};
struct mutating_run : stage_base {  // run is not const
  static constexpr std::size_t cost() noexcept { return 0; }
  void run(std::span<const float, 2>, std::span<float, 2>, ctml::no_state&) {}
};
struct bad_policy : complete {
  using policy = double;  // not a NumberPolicy
};
struct missing_state : complete {
  using state_type = void;
};
struct non_static_sizes : stage_base {  // flash_bytes() must be static
  std::size_t cost() const noexcept { return 0; }
  void run(std::span<const float, 2>, std::span<float, 2>, ctml::no_state&) const {}
};

static_assert(ctml::Stage<complete>);  // the base the negative cases vary
static_assert(!ctml::Stage<missing_cost>);
static_assert(!ctml::Stage<int_cost>);
static_assert(!ctml::Stage<no_run>);
static_assert(!ctml::Stage<wrong_extent_run>);
static_assert(!ctml::Stage<mutating_run>);
static_assert(!ctml::Stage<bad_policy>);
static_assert(!ctml::Stage<missing_state>);
static_assert(!ctml::Stage<non_static_sizes>);
static_assert(!ctml::Stage<int>);
static_assert(!ctml::Stage<float[4]>);

static_assert(ctml::state_bytes<ctml::no_state> == 0);
static_assert(ctml::state_bytes<counter> == sizeof(std::int32_t));

// ---------------------------------------------------------------------------
// `>>` builds one flat pipeline, whatever the grouping

constexpr a_t a{};
constexpr b_t b{};
constexpr c_t c{};
constexpr d_t d{};

using ab = decltype(a >> b);
using abc = decltype(a >> b >> c);
static_assert(std::is_same_v<ab, pipeline<a_t, b_t>>);
static_assert(std::is_same_v<abc, pipeline<a_t, b_t, c_t>>);
static_assert(std::is_same_v<decltype(a >> (b >> c)), abc>);
static_assert(std::is_same_v<decltype((a >> b) >> c), abc>);
static_assert(std::is_same_v<decltype((a >> b) >> (c >> d)), pipeline<a_t, b_t, c_t, d_t>>);
static_assert(std::is_same_v<decltype(a >> ((b >> c) >> d)), pipeline<a_t, b_t, c_t, d_t>>);
static_assert(std::is_same_v<decltype(a >> ctml::make_pipeline(b)), ab>);
static_assert(std::is_same_v<decltype(b >> b >> b), pipeline<b_t, b_t, b_t>>);  // a stage may repeat

// A pipeline is itself a Stage; make_pipeline wraps a stage once and only once.
static_assert(ctml::Stage<abc>);
static_assert(std::is_same_v<decltype(ctml::make_pipeline(a)), pipeline<a_t>>);
static_assert(std::is_same_v<decltype(ctml::make_pipeline(a >> b)), ab>);
static_assert(std::is_same_v<decltype(ctml::make_pipeline<a_t>()), pipeline<a_t>>);

// Extents, element types and policy come from the ends.
static_assert(abc::size == 3);
static_assert(abc::in_extent == 4 && abc::out_extent == 2);
static_assert(decltype(a >> b >> c >> d)::out_extent == 5);
static_assert(std::is_same_v<abc::first, a_t> && std::is_same_v<abc::last, c_t>);
static_assert(std::is_same_v<abc::policy, f32>);
static_assert(std::is_same_v<abc::in_type, float> && std::is_same_v<abc::out_type, float>);
using ab_argmax = decltype(a >> b >> argmax<3>{});
static_assert(std::is_same_v<ab_argmax::out_type, int> && ab_argmax::out_extent == 1);
static_assert(ctml::Predictor<ab_argmax>);
static_assert(!ctml::Predictor<abc>);

// ---------------------------------------------------------------------------
// Sums: flash and cost add up; RAM adds the stages' RAM and the buffers
// between stages (all but the last stage's output).

static_assert(pipeline<a_t>::flash_bytes() == 100);
static_assert(pipeline<a_t>::ram_bytes() == 8);  // no intermediate buffer
static_assert(pipeline<a_t>::cost() == 7);
static_assert(ab::flash_bytes() == 120);
static_assert(ab::ram_bytes() == 8 + 4 + 3 * sizeof(float));
static_assert(ab::cost() == 12);
static_assert(abc::flash_bytes() == 1120);
static_assert(abc::ram_bytes() == 8 + 4 + 16 + (3 + 3) * sizeof(float));
static_assert(abc::cost() == 23);
static_assert(decltype(a >> b >> c >> d)::ram_bytes() == 28 + (3 + 3 + 2) * sizeof(float));
static_assert(ab_argmax::flash_bytes() == 150 && ab_argmax::cost() == 15);
static_assert(std::is_same_v<decltype(abc::flash_bytes()), std::size_t>);

// ---------------------------------------------------------------------------
// .with(policy) rebinds every stage; .with(layout) only those with layouts

using abc_q = decltype(abc{}.with(q16_8{}));
static_assert(std::is_same_v<abc_q, pipeline<toy<4, 3, 100, 8, 7, q16_8>, toy<3, 3, 20, 4, 5, q16_8>,
                                             toy<3, 2, 1000, 16, 11, q16_8>>>);
static_assert(std::is_same_v<decltype(abc::with<q16_8>()), abc_q>);
static_assert(std::is_same_v<abc_q::policy, q16_8>);
static_assert(std::is_same_v<abc_q::in_type, std::int16_t> && std::is_same_v<abc_q::out_type, std::int16_t>);
static_assert(abc_q::in_extent == 4 && abc_q::out_extent == 2);
static_assert(abc_q::flash_bytes() == 1120);
static_assert(abc_q::ram_bytes() == 28 + (3 + 3) * sizeof(std::int16_t));  // narrower buffers
static_assert(std::is_same_v<decltype(abc_q{}.with(f32{})), abc>);            // and back
static_assert(std::is_same_v<decltype(abc{}.with(f32{})), abc>);
static_assert(std::is_same_v<decltype(ab_argmax{}.with(ctml::q7{})),
                             pipeline<toy<4, 3, 100, 8, 7, ctml::q7>, toy<3, 3, 20, 4, 5, ctml::q7>,
                                      argmax<3, ctml::q7>>>);
static_assert(ctml::Stage<abc_q>);

// with(policy) of a constexpr object, as firmware writes it.
constexpr auto model = a >> b >> argmax<3>{};
constexpr auto small = model.with(ctml::q7{});
static_assert(std::is_same_v<std::remove_const_t<decltype(small)>, decltype(ab_argmax{}.with(ctml::q7{}))>);

using with_layers = pipeline<b_t, layered<>, b_t>;
static_assert(std::is_same_v<decltype(with_layers::with(small_layout{})), pipeline<b_t, layered<small_layout>, b_t>>);

// Only stage I, or stages [First, Last): the rest stay; the joins are checked
// again (tests/fail/with_breaks_join.cpp).
static_assert(std::is_same_v<decltype(abc_q::with<0, 2>(q16_8{})), abc_q>);
static_assert(std::is_same_v<decltype(with_layers::with<1>(small_layout{})), pipeline<b_t, layered<small_layout>, b_t>>);
static_assert(std::is_same_v<decltype(abc::with<0, 3>(f32{})), abc>);

/// A network-like predictor: float in, class out, computing in f32 or int8.
template <class Policy = f32>
struct net : argmax<3> {
  using policy = Policy;
  template <class P>
    requires(std::same_as<P, f32> || ctml::detail::is_int8_affine<P>)
  using rebind = net<P>;
};
using a_b_net = decltype(a >> b >> net<>{});
static_assert(std::is_same_v<decltype(a_b_net::with(ctml::int8{})), pipeline<a_t, b_t, net<ctml::int8>>>);
static_assert(std::is_same_v<decltype(a_b_net::with<2>(ctml::int8_fast{})), pipeline<a_t, b_t, net<ctml::int8_fast>>>);
// q<> reaches the value stages only, and then net would read int16: `.with`
// rejects that (tests/fail/with_breaks_join.cpp); the bare type shows why.
static_assert(!a_b_net::rebind<q16_8>::joins_ok &&
              std::is_same_v<a_b_net::rebind<q16_8>, pipeline<toy<4, 3, 100, 8, 7, q16_8>, toy<3, 3, 20, 4, 5, q16_8>, net<>>>);

// int8 is a number policy of networks, not a value policy (a policy that no
// stage takes is a compile error: tests/fail/with_unused_policy.cpp).
static_assert(ctml::NumberPolicy<ctml::int8> && !ctml::ValuePolicy<ctml::int8>);
static_assert(!ctml::NumberPolicy<int> && !ctml::NumberPolicy<double>);

// ---------------------------------------------------------------------------
// Per-stage number types: each stage's input and output, checked by `>>`, and
// the conversion stages that join different ones.

using q15 = ctml::q15;
using q16_0 = ctml::q<std::int16_t, 0>;
using to_q15 = ctml::quantize<q15, 3>;
using from_q15 = ctml::dequantize<q15, 3>;
using q15_to_q16_8 = ctml::requantize<q15, q16_8, 3>;
static_assert(ctml::Stage<to_q15> && ctml::Stage<from_q15> && ctml::Stage<q15_to_q16_8>);

// int16 sensor (raw counts) -> q7.8 stage -> float model.
using mixed = decltype(ctml::requantize<q16_0, q16_8, 3>{} >> toy<3, 3, 20, 4, 5, q16_8>{} >>
                       ctml::dequantize<q16_8, 3>{} >> argmax<3>{});
static_assert(std::is_same_v<mixed::in_type, std::int16_t> && std::is_same_v<mixed::out_type, int>);
static_assert(mixed::size == 4 && ctml::Predictor<mixed>);
// .with rebinds the stages that take the policy; the conversions stay fixed.
static_assert(std::is_same_v<decltype(mixed::with<3>(f32{})), mixed>);
static_assert(std::is_same_v<mixed::rebind<ctml::q7, 3, 4>::last, argmax<3, ctml::q7>> &&
              !mixed::rebind<ctml::q7, 3, 4>::joins_ok && mixed::joins_ok);
static_assert(std::is_same_v<mixed::rebind<f32, 1, 2>,
                             pipeline<ctml::requantize<q16_0, q16_8, 3>, toy<3, 3, 20, 4, 5, f32>,
                                      ctml::dequantize<q16_8, 3>, argmax<3>>>);  // the caller must then fix the joins

// The conversions' values at compile time (hand-worked).
constexpr std::int16_t quantize_one(float x) { return to_q15::one(x); }
static_assert(quantize_one(0.5f) == 16384 && quantize_one(-0.5f) == -16384);
static_assert(quantize_one(1.0f) == 32767 && quantize_one(-1.0f) == -32768 && quantize_one(-2.0f) == -32768);
static_assert(quantize_one(1.5f / 32768.0f) == 2 && quantize_one(-1.5f / 32768.0f) == -2);  // ties away from 0
static_assert(quantize_one(1.25f / 32768.0f) == 1 && quantize_one(0.0f) == 0);
static_assert(quantize_one(__builtin_nanf("")) == 0 && quantize_one(__builtin_inff()) == 32767);
static_assert(ctml::quantize<ctml::q<std::int32_t, 31>, 1>::one(1.0f) == 2147483647);
static_assert(ctml::quantize<ctml::q<std::int32_t, 0>, 1>::one(-2147483648.0f) == -2147483647 - 1);
static_assert(ctml::quantize<ctml::q<std::int32_t, 0>, 1>::one(2147483520.0f) == 2147483520);
static_assert(from_q15::one(16384) == 0.5f && from_q15::one(-32768) == -1.0f && from_q15::one(1) == 0x1p-15f);
static_assert(q15_to_q16_8::one(16384) == 128 && q15_to_q16_8::one(-32768) == -256);
static_assert(q15_to_q16_8::one(64) == 1 && q15_to_q16_8::one(63) == 0);      // 64/128 = 0.5 rounds up
static_assert(q15_to_q16_8::one(-64) == 0 && q15_to_q16_8::one(-65) == -1);  // ties towards +inf
static_assert(ctml::requantize<q16_8, q15, 1>::one(1) == 128 && ctml::requantize<q16_8, q15, 1>::one(256) == 32767);
static_assert(ctml::requantize<q16_8, q15, 1>::one(-300) == -32768);

// ---------------------------------------------------------------------------
// State packs: one slot per stage, empty slots take no room

static_assert(std::is_empty_v<abc::state_type>);
static_assert(ctml::state_bytes<abc::state_type> == 0);
using stateful = decltype(a >> counting<3>{} >> b >> counting<3>{});
static_assert(!std::is_empty_v<stateful::state_type>);
static_assert(sizeof(stateful::state_type) == 2 * sizeof(counter));
static_assert(stateful::ram_bytes() == 8 + sizeof(counter) + 4 + sizeof(counter) + 3 * 3 * sizeof(float));
static_assert(std::is_same_v<decltype(std::declval<stateful::state_type&>().get<1>()), counter&>);
static_assert(std::is_same_v<decltype(std::declval<stateful::state_type&>().get<0>()), ctml::no_state&>);

// ---------------------------------------------------------------------------
// Running at compile time

constexpr std::array<float, 2> run_abc(std::array<float, 4> x) {
  std::array<float, 2> out{};
  abc::state_type state{};
  abc{}.run(x, out, state);
  return out;
}
// a: [x0 x1 x2]*2, b: *2, c: [y0 y1]*2 -> 8 * [x0 x1]
static_assert(run_abc({1.0f, 2.0f, 3.0f, 4.0f}) == std::array<float, 2>{8.0f, 16.0f});
static_assert(run_abc({-0.5f, 0.25f, 0.0f, 9.0f}) == std::array<float, 2>{-4.0f, 2.0f});

constexpr std::array<std::int32_t, 2> count_calls(int n) {
  stateful::state_type state{};
  std::array<float, 4> in{};
  std::array<float, 3> out{};
  for (int i = 0; i < n; ++i) stateful{}.run(in, out, state);
  return {state.get<1>().calls, state.get<3>().calls};
}
static_assert(count_calls(3) == std::array<std::int32_t, 2>{3, 3});  // each stage sees its own state

// predict: a >> b doubles twice (x0 x1 x2 -> 4x), argmax picks the largest.
static_assert(model.predict(std::array<float, 4>{1.0f, 5.0f, 2.0f, 99.0f}) == 1);
static_assert(model.predict(std::array<float, 4>{-1.0f, -5.0f, -0.5f, 0.0f}) == 2);
static_assert(small.predict(std::array<std::int8_t, 4>{3, 1, 30, -100}) == 2);
constexpr int predict_with_state() {
  auto m = a >> counting<3>{} >> argmax<3>{};
  decltype(m)::state_type state{};
  const int r = m.predict(std::array<float, 4>{0.0f, 0.0f, 7.0f, 0.0f}, state);
  return r * 10 + state.get<1>().calls;
}
static_assert(predict_with_state() == 21);

// ---------------------------------------------------------------------------
// Budgets

static_assert(ctml::budget<32768, 2048>::flash == 32768 && ctml::budget<32768, 2048>::ram == 2048);
static_assert(ctml::flash_budget<100, 100>::ok);
static_assert(ctml::flash_budget<0, 0>::ok);
static_assert(ctml::ram_budget<2047, 2048>::ok);
static_assert(ctml::Sized<abc> && ctml::Sized<a_t>);
static_assert(!ctml::Sized<int>);
static_assert(ctml::fits<abc, ctml::budget<1024 * 1024, 64 * 1024>>);
static_assert(ctml::fits<abc, ctml::budget<1120, 52>>);  // exactly at both limits
static_assert(ctml::fits<decltype(small), ctml::budget<150, 8 + 4 + 3 + 3>>);
static_assert(ctml::flash_budget<model.flash_bytes(), 16 * 1024>::ok);

}  // namespace
