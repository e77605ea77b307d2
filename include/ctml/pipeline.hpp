// `a >> b >> c`: a flat pipeline of stages, checked at compile time.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/detail/row_check.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <Stage... S>
  requires(sizeof...(S) >= 1)
struct pipeline;

namespace detail {

// One slot of a pipeline's state; empty states take no room.
template <std::size_t I, class State>
struct state_slot {
  [[no_unique_address]] State value{};
};

template <class Indices, class... States>
struct state_pack;
template <std::size_t... I, class... States>
struct state_pack<std::index_sequence<I...>, States...> : state_slot<I, States>... {
  template <std::size_t J>
  [[nodiscard]] constexpr auto& get() noexcept {
    return static_cast<state_slot<J, boost::mp11::mp_at_c<boost::mp11::mp_list<States...>, J>>&>(*this).value;
  }
};

template <class S> struct stage_list { using type = boost::mp11::mp_list<S>; };
template <class... S> struct stage_list<pipeline<S...>> { using type = boost::mp11::mp_list<S...>; };

// The checks put the offending values into template arguments, so GCC and
// Clang print them next to the message.
template <std::size_t OutExtent, std::size_t InExtent>
struct check_extents {
  static_assert(OutExtent == InExtent,
                "ctml: output extent of a stage != input extent of the next stage "
                "(see check_extents<Out, In>): check the models' feature counts or insert a stage that maps one "
                "to the other");
  static constexpr bool ok = OutExtent == InExtent;
};

// The number type of the values a stage reads or writes: `in_number` /
// `out_number` when the stage declares them, else its policy when the values
// are stored in it, else the element type (float is f32; class indices and
// regression values stay themselves).
template <class T, class Policy> struct number_of { using type = std::conditional_t<std::is_same_v<T, float>, f32, T>; };
template <class T, class Policy>
  requires requires { typename Policy::value_type; } && std::is_same_v<T, typename Policy::value_type>
struct number_of<T, Policy> { using type = Policy; };

template <class S> struct in_number { using type = typename number_of<typename S::in_type, typename S::policy>::type; };
template <class S> requires requires { typename S::in_number; } struct in_number<S> { using type = typename S::in_number; };
template <class S> struct out_number { using type = typename number_of<typename S::out_type, typename S::policy>::type; };
template <class S> requires requires { typename S::out_number; } struct out_number<S> { using type = typename S::out_number; };

// One check per kind of mismatch, each naming the conversion stage to insert.
template <class Out, class In, bool SameElements = true>
struct check_number_types {
  static constexpr bool ok = std::is_same_v<Out, In> && SameElements;
  static constexpr bool float_to_fixed = std::is_same_v<Out, f32> && detail::is_fixed<In>;
  static constexpr bool fixed_to_float = detail::is_fixed<Out> && std::is_same_v<In, f32>;
  static constexpr bool fixed_to_fixed = detail::is_fixed<Out> && detail::is_fixed<In>;
  static_assert(ok || !float_to_fixed,
                "ctml: a stage outputs f32 but the next stage reads fixed point (see check_number_types<Out, In>): "
                "insert ctml::quantize<In, N>{} between them, or give both one policy with .with(policy{})");
  static_assert(ok || !fixed_to_float,
                "ctml: a stage outputs fixed point but the next stage reads f32 (see check_number_types<Out, In>): "
                "insert ctml::dequantize<Out, N>{} between them, or give both one policy with .with(policy{})");
  static_assert(ok || !fixed_to_fixed,
                "ctml: adjacent stages use different fixed-point formats (see check_number_types<Out, In>): "
                "insert ctml::requantize<Out, In, N>{} between them, or give both one policy with .with(policy{})");
  static_assert(ok || float_to_fixed || fixed_to_float || fixed_to_fixed,
                "ctml: output element type of a stage != input element type of the next stage (see "
                "check_number_types<Out, In>): a predictor (classifier, regressor) must be the last stage");
};

// Whether B can follow A, without diagnostics (composable<A, B> gives them).
template <class A, class B>
inline constexpr bool fits_after = A::out_extent == B::in_extent &&
                                   std::is_same_v<typename out_number<A>::type, typename in_number<B>::type> &&
                                   std::is_same_v<typename A::out_type, typename B::in_type>;

template <class A, class B>
inline constexpr bool composable = check_extents<A::out_extent, B::in_extent>::ok &&
                                   check_number_types<typename out_number<A>::type, typename in_number<B>::type,
                                                      std::is_same_v<typename A::out_type, typename B::in_type>>::ok;

// `.with(x)`: a number policy rebinds the stages whose `rebind<P>` accepts it;
// anything else is offered to the stages' `rebind_layout<L>`. Stages that take
// neither stay as they are.
template <class S, class X> struct with_one { using type = S; static constexpr bool taken = false; };
template <class S, class X>
  requires NumberPolicy<X> && requires { typename S::template rebind<X>; }
struct with_one<S, X> { using type = typename S::template rebind<X>; static constexpr bool taken = true; };
template <class S, class X>
  requires(!NumberPolicy<X>) && requires { typename S::template rebind_layout<X>; }
struct with_one<S, X> { using type = typename S::template rebind_layout<X>; static constexpr bool taken = true; };

template <class X, std::size_t Taken>
struct check_with_taken {
  static_assert(Taken > 0,
                "ctml: no stage of this pipeline takes this policy or layout (see check_with_taken<X, 0>): number "
                "policies are ctml::f32, ctml::q<Storage, FracBits> (scalers, trees), ctml::int8 and "
                "ctml::int8_fast (networks); layouts are ctml::unrolled_layout, table_layout, automatic_layout, "
                "fastest_within<budget> (trees)");
  static constexpr bool ok = Taken > 0;
};

// Fusion: a stage B that can absorb the stage A before it (a forest takes a
// scaler into its thresholds) declares `template <class A> using fused_after`;
// `>>` then keeps one stage where there were two.
template <class A, class B> struct fuse { using type = void; };
template <class A, class B>
  requires requires { typename B::template fused_after<A>; }
struct fuse<A, B> { using type = typename B::template fused_after<A>; };

template <class Done, class Todo> struct fuse_all;
template <class Done> struct fuse_all<Done, boost::mp11::mp_list<>> { using type = Done; };
template <class S, class... R>
struct fuse_all<boost::mp11::mp_list<>, boost::mp11::mp_list<S, R...>> {
  using type = typename fuse_all<boost::mp11::mp_list<S>, boost::mp11::mp_list<R...>>::type;
};
template <class... D, class S, class... R>
  requires(sizeof...(D) > 0)
struct fuse_all<boost::mp11::mp_list<D...>, boost::mp11::mp_list<S, R...>> {
  using done = boost::mp11::mp_list<D...>;
  using fused = typename fuse<boost::mp11::mp_back<done>, S>::type;
  using type = typename std::conditional_t<
      std::is_void_v<fused>, fuse_all<boost::mp11::mp_push_back<done, S>, boost::mp11::mp_list<R...>>,
      fuse_all<boost::mp11::mp_pop_back<done>, boost::mp11::mp_list<fused, R...>>>::type;
};

// Float stages whose float output is not sklearn's double output rounded once
// (the f32 scalers compute in float): before a refining predictor they run
// their exact double arithmetic instead (scalers.hpp, linear/exact.hpp).
// Stages whose exact double arithmetic runs in integer binary64 here: a
// pipeline of them needs no binary64 library (AVR).
template <class S>
inline constexpr bool exact_in_integers = requires { requires S::exact_in_integers; };

template <class S>
inline constexpr bool rounds_exact_output =
    requires { requires S::rounds_in_float; } && std::same_as<typename S::out_type, float> && ExactTransform<S>;

template <class S>
constexpr std::size_t data_bytes_of() noexcept {
  if constexpr (requires { S::data_bytes(); }) return S::data_bytes();
  else return S::flash_bytes();
}

/// What `>>` returns after a failed check, so one error does not cascade.
struct invalid_pipeline {};

}  // namespace detail

/// A flat sequence of stages; itself a Stage.
template <Stage... S>
  requires(sizeof...(S) >= 1)
struct pipeline {
  using stages = boost::mp11::mp_list<S...>;
  static constexpr std::size_t size = sizeof...(S);
  using first = boost::mp11::mp_front<stages>;
  using last = boost::mp11::mp_back<stages>;

  using policy = typename first::policy;
  using in_type = typename first::in_type;
  using out_type = typename last::out_type;
  using in_number = typename detail::in_number<first>::type;
  using out_number = typename detail::out_number<last>::type;
  static constexpr std::size_t in_extent = first::in_extent;
  static constexpr std::size_t out_extent = last::out_extent;
  using state_type = detail::state_pack<std::index_sequence_for<S...>, typename S::state_type...>;

 private:
  // Stages [First, Last) take x; the others stay.
  template <class X, std::size_t First, std::size_t Last>
  struct with_range {
    template <class I>
    using one = std::conditional_t<(I::value >= First && I::value < Last),
                                   detail::with_one<boost::mp11::mp_at<stages, I>, X>,
                                   detail::with_one<boost::mp11::mp_at<stages, I>, void>>;
    using results = boost::mp11::mp_transform<one, boost::mp11::mp_iota_c<sizeof...(S)>>;
    template <class R> using type_of = typename R::type;
    template <class R> using taken_of = boost::mp11::mp_bool<R::taken>;
    static constexpr std::size_t taken = boost::mp11::mp_count_if<results, taken_of>::value;
    using type = boost::mp11::mp_rename<boost::mp11::mp_transform<type_of, results>, pipeline>;
  };

 public:

 private:
  template <std::size_t I> using stage = boost::mp11::mp_at_c<stages, I>;
  template <std::size_t I> using buffer = std::array<typename stage<I>::out_type, stage<I>::out_extent>;

 public:
  /// Adjacent stages fit (`>>` checks this; `.with` checks it again after rebinding).
  static constexpr bool joins_ok = []<std::size_t... I>(std::index_sequence<I...>) {
    return (detail::fits_after<stage<I>, stage<I + 1>> && ...);
  }(std::make_index_sequence<size - 1>{});
  /// The same, with the diagnostics of `>>` for the first join that does not fit.
  static constexpr bool check_joins() noexcept {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (detail::composable<stage<I>, stage<I + 1>> && ...);
    }(std::make_index_sequence<size - 1>{});
  }

 private:

  // Intermediate buffers between stages live on the stack while the rest of
  // the pipeline runs, so scratch is their sum.
  static constexpr std::size_t scratch_bytes() noexcept {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{0} + ... + sizeof(buffer<I>));
    }(std::make_index_sequence<size - 1>{});
  }

  template <std::size_t I, class Out>
  static constexpr void run_from(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in, Out out,
                                 state_type& state) {
    if constexpr (I + 1 == size) {
      stage<I>{}.run(in, out, state.template get<I>());
    } else {
      buffer<I> mid;
      stage<I>{}.run(in, std::span(mid), state.template get<I>());
      run_from<I + 1>(std::span<const typename stage<I>::out_type, stage<I>::out_extent>(mid), out, state);
    }
  }

  // A refining last stage (linear/exact.hpp) after transforms that can redo
  // their output in double: decide on the float path, and for the rare rows
  // it cannot prove, redo the whole chain in sklearn's double arithmetic
  // (only that, for a last stage without a float path).
  static constexpr bool refines = [] {
    if constexpr (!ExactPredictor<last>) return false;
    else
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return (true && ... && (ExactTransform<stage<I>> && std::is_empty_v<typename stage<I>::state_type>));
      }(std::make_index_sequence<size - 1>{});
  }();

  static constexpr bool folds = [] {
    if constexpr (size != 2) return false;
    else if constexpr (!requires { first::foldable; }) return false;
    else return first::foldable && requires(const last& l, std::span<const in_type, in_extent> x) {
      l.template try_predict_after<first>(x);
    };
  }();

  template <std::size_t I>
  static constexpr auto fast_from(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in,
                                  state_type& state) {
    if constexpr (I + 1 == size) {
      return stage<I>{}.try_predict(in);
    } else if constexpr (I + 2 < size) {
      // Two or more transforms: a float32 rounding between them would move
      // the last one's output by more than half an ulp, so the chain runs in
      // sklearn's double arithmetic and rounds once (what the float ones
      // compute internally anyway).
      std::array<double, stage<I>::in_extent> x{};
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(in[i]);
      std::array<float, last::in_extent> mid{};
      exact_chain<I>(std::span<const double, stage<I>::in_extent>(x), std::span(mid));
      (void)state;
      return last{}.try_predict(std::span<const float, last::in_extent>(mid));
    } else {
      buffer<I> mid;
      if constexpr (detail::rounds_exact_output<stage<I>>) {
        // The refining stage's bound takes inputs within half an ulp of
        // sklearn's double values: float scalers' own arithmetic is not.
        std::array<double, stage<I>::in_extent> x{};
        std::array<double, stage<I>::out_extent> y{};
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(in[i]);
        stage<I>{}.run_exact(x, y);
        for (std::size_t i = 0; i < y.size(); ++i) mid[i] = static_cast<float>(y[i]);
      } else {
        stage<I>{}.run(in, std::span(mid), state.template get<I>());
      }
      return fast_from<I + 1>(std::span<const typename stage<I>::out_type, stage<I>::out_extent>(mid), state);
    }
  }
  /// Transforms [I, size - 1) in double; their output rounded once to float.
  template <std::size_t I>
  static constexpr void exact_chain(std::span<const double, stage<I>::in_extent> in,
                                    std::span<float, last::in_extent> out) {
    std::array<double, stage<I>::out_extent> mid{};
    stage<I>{}.run_exact(in, std::span(mid));
    if constexpr (I + 2 == size)
      for (std::size_t i = 0; i < mid.size(); ++i) out[i] = static_cast<float>(mid[i]);
    else
      exact_chain<I + 1>(std::span<const double, stage<I>::out_extent>(mid), out);
  }
  template <std::size_t I>
  static constexpr auto exact_from(std::span<const double, stage<I>::in_extent> in) {
    if constexpr (I + 1 == size) {
      return stage<I>{}.predict_exact(in);
    } else {
      std::array<double, stage<I>::out_extent> mid;
      stage<I>{}.run_exact(in, std::span(mid));
      return exact_from<I + 1>(std::span<const double, stage<I>::out_extent>(mid));
    }
  }
  [[gnu::noinline]] static constexpr auto refine(std::span<const in_type, in_extent> in) {
    static_assert(detail::binary64_links || (detail::exact_in_integers<S> && ...),
                  "ctml: on AVR, refining this float pipeline needs binary64 arithmetic that avr-libc lacks (only "
                  "scalers, linear models, LDA, k-means and GaussianNB redo it in integers); use an integer policy");
    std::array<double, in_extent> x;  // binary64 bits without a binary64 unit (detail/ieee_arith.hpp)
    detail::widen(in.data(), x.data(), in_extent);
    return exact_from<0>(std::span<const double, in_extent>(x));
  }

  template <std::size_t I, std::size_t N>
  static constexpr void proba_from(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in,
                                   std::span<float, N> out, state_type& state) {
    if constexpr (I + 1 == size) {
      stage<I>{}.predict_proba(in, out);
    } else {
      buffer<I> mid;
      stage<I>{}.run(in, std::span(mid), state.template get<I>());
      proba_from<I + 1>(std::span<const typename stage<I>::out_type, stage<I>::out_extent>(mid), out, state);
    }
  }

  template <std::size_t I>
  static constexpr auto predict_from(std::span<const typename stage<I>::in_type, stage<I>::in_extent> in,
                                     state_type& state) {
    if constexpr (I + 1 == size) {
      return stage<I>{}.predict(in, state.template get<I>());
    } else {
      buffer<I> mid;
      stage<I>{}.run(in, std::span(mid), state.template get<I>());
      return predict_from<I + 1>(std::span<const typename stage<I>::out_type, stage<I>::out_extent>(mid), state);
    }
  }

 public:
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return (S::flash_bytes() + ...); }
  /// Bytes of constant tables (stages without a separate figure count whole).
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return (detail::data_bytes_of<S>() + ...); }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return (S::ram_bytes() + ...) + scratch_bytes(); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return (S::cost() + ...); }

  /// Runs every stage: `in_extent` inputs to `out_extent` outputs.
  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out,
                     state_type& state) const {
    run_from<0>(in, out, state);
  }

  /// Stateless pipelines need no state argument (`model.run(in, out)`).
  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out) const {
    static_assert(std::is_empty_v<state_type>,
                  "ctml: this pipeline has stages with state: declare a decltype(model)::state_type and call "
                  "model.run(in, out, state)");
    state_type state{};
    run_from<0>(in, out, state);
  }

  /// The last stage's prediction (class index or value) for one input row.
  [[nodiscard]] constexpr auto predict(std::span<const in_type, in_extent> in, state_type& state) const
    requires Predictor<last>
  {
    if constexpr (refines && size == 2 && folds) {
      // a scaler before an affine model: folded into its weights (fast path only)
      const auto fast = last{}.template try_predict_after<first>(in);
      if (fast.sure) return fast.value;
      return refine(in);
    } else if constexpr (refines && size > 1 && !RefiningPredictor<last>) {
      return refine(in);
    } else if constexpr (refines && size > 1) {
      const auto fast = fast_from<0>(in, state);
      if (fast.sure) return fast.value;
      return refine(in);
    } else {
      return predict_from<0>(in, state);
    }
  }

  /// Stateless pipelines need no state argument.
  [[nodiscard]] constexpr auto predict(std::span<const in_type, in_extent> in) const
    requires Predictor<last>
  {
    static_assert(std::is_empty_v<state_type>,
                  "ctml: this pipeline has stages with state: declare a decltype(model)::state_type and call "
                  "model.predict(x, state)");
    state_type state{};
    return predict(in, state);
  }

  /// A row of the wrong length (std::array, std::span or C array): a short
  /// diagnostic naming both lengths (tests/fail/wrong_feature_count.cpp).
  template <class Row, class... State>
    requires(detail::wrong_length_row<Row, in_extent> && sizeof...(State) <= 1)
  constexpr int predict(Row&&, State&...) const {
    static_assert(detail::check_row_length<detail::row_extent<std::remove_cvref_t<Row>>, in_extent>::ok);
    return 0;
  }

  /// The last stage's class probabilities for one input row, for predictors
  /// that have them (`predict_proba(x, p)`, p a std::array or span of one
  /// float per class; stateless pipelines).
  template <class Out>
    requires(requires(const last& m, std::span<const typename last::in_type, last::in_extent> x, Out& p) {
      m.predict_proba(x, std::span(p));
    })
  constexpr void predict_proba(std::span<const in_type, in_extent> in, Out&& out) const {
    static_assert(std::is_empty_v<state_type>, "ctml: predict_proba takes stateless pipelines");
    state_type state{};
    proba_from<0>(in, std::span(out), state);
  }

  /// The same model with another number policy for every stage that takes it
  /// (`model.with(ctml::q<std::int16_t, 0>{})`), or another layout for the
  /// stages that have layouts (`model.with(ctml::table_layout{})`). A policy
  /// or layout that no stage takes is a compile error.
  template <class X>
  [[nodiscard]] static constexpr auto with(X = {}) noexcept {
    return with<0, size>(X{});
  }
  /// Only stage I (`model.with<1>(ctml::q15{})`), or stages [First, Last).
  template <std::size_t First, std::size_t Last = First + 1, class X>
    requires(First < Last && Last <= sizeof...(S))
  [[nodiscard]] static constexpr auto with(X = {}) noexcept {
    using r = with_range<X, First, Last>;
    if constexpr (detail::check_with_taken<X, r::taken>::ok && r::type::check_joins()) return typename r::type{};
    else return detail::invalid_pipeline{};
  }
  /// The type `with` returns.
  template <class X, std::size_t First = 0, std::size_t Last = sizeof...(S)>
  using rebind = typename with_range<X, First, Last>::type;
};

/// A stage seen as a pipeline (a pipeline stays itself), so every model has the same interface.
template <Stage S>
[[nodiscard]] constexpr auto make_pipeline(S = {}) noexcept {
  return boost::mp11::mp_rename<typename detail::stage_list<S>::type, pipeline>{};
}

/// Composes two stages or pipelines into one flat pipeline:
/// `a >> b >> c` and `a >> (b >> c)` are the same type.
template <Stage A, Stage B>
[[nodiscard]] constexpr auto operator>>(A, B) noexcept {
  if constexpr (detail::composable<A, B>) {
    using all = boost::mp11::mp_append<typename detail::stage_list<A>::type, typename detail::stage_list<B>::type>;
    return boost::mp11::mp_rename<typename detail::fuse_all<boost::mp11::mp_list<>, all>::type, pipeline>{};
  } else {
    return detail::invalid_pipeline{};
  }
}

}  // namespace ctml
