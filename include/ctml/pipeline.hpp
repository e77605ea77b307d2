// `a >> b >> c`: a flat pipeline of stages, checked at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <ctml/linear/exact.hpp>
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

template <class OutPolicy, class InPolicy>
struct check_policies {
  static_assert(std::is_same_v<OutPolicy, InPolicy>,
                "ctml: adjacent stages use different number policies (see check_policies<Out, In>): give the "
                "whole pipeline one policy with .with(policy{})");
  static constexpr bool ok = std::is_same_v<OutPolicy, InPolicy>;
};

template <class OutType, class InType>
struct check_element_types {
  static_assert(std::is_same_v<OutType, InType>,
                "ctml: output element type of a stage != input element type of the next stage (see "
                "check_element_types<Out, In>): a predictor (classifier, regressor) must be the last stage");
  static constexpr bool ok = std::is_same_v<OutType, InType>;
};

template <class A, class B>
inline constexpr bool composable = check_extents<A::out_extent, B::in_extent>::ok &&
                                   check_policies<typename A::policy, typename B::policy>::ok &&
                                   check_element_types<typename A::out_type, typename B::in_type>::ok;

// Options other than number policies (a tree layout, int8 kernels, ...) apply
// to the stages that declare `rebind_option<Option>`; others stay as they are.
template <class S, class Option> struct with_option { using type = S; };
template <class S, class Option>
  requires requires { typename S::template rebind_option<Option>; }
struct with_option<S, Option> { using type = typename S::template rebind_option<Option>; };
template <class S, class Option> using with_option_t = typename with_option<S, Option>::type;

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
  static constexpr std::size_t in_extent = first::in_extent;
  static constexpr std::size_t out_extent = last::out_extent;
  using state_type = detail::state_pack<std::index_sequence_for<S...>, typename S::state_type...>;
  template <NumberPolicy P> using rebind = pipeline<typename S::template rebind<P>...>;
  template <class Option> using rebind_option = pipeline<detail::with_option_t<S, Option>...>;

 private:
  template <std::size_t I> using stage = boost::mp11::mp_at_c<stages, I>;
  template <std::size_t I> using buffer = std::array<typename stage<I>::out_type, stage<I>::out_extent>;

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
  // it cannot prove, redo the whole chain in sklearn's double arithmetic.
  static constexpr bool refines = [] {
    if constexpr (!RefiningPredictor<last>) return false;
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
    } else {
      buffer<I> mid;
      stage<I>{}.run(in, std::span(mid), state.template get<I>());
      return fast_from<I + 1>(std::span<const typename stage<I>::out_type, stage<I>::out_extent>(mid), state);
    }
  }
  template <std::size_t I>
  static constexpr auto exact_from(std::span<const double, stage<I>::in_extent> in) {
    if constexpr (I + 1 == size) {
      return stage<I>{}.predict_exact(in);
    } else {
      std::array<double, stage<I>::out_extent> mid{};
      stage<I>{}.run_exact(in, std::span(mid));
      return exact_from<I + 1>(std::span<const double, stage<I>::out_extent>(mid));
    }
  }
  [[gnu::noinline]] static constexpr auto refine(std::span<const in_type, in_extent> in) {
    static_assert(detail::binary64_links || sizeof...(S) == 0, "ctml: on AVR, refining a float pipeline needs binary64 arithmetic that "
                                          "avr-libc lacks; use an integer policy");
    std::array<double, in_extent> x{};
    for (std::size_t i = 0; i < in_extent; ++i) x[i] = static_cast<double>(in[i]);
    return exact_from<0>(std::span<const double, in_extent>(x));
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

  /// The last stage's prediction (class index or value) for one input row.
  [[nodiscard]] constexpr auto predict(std::span<const in_type, in_extent> in, state_type& state) const
    requires Predictor<last>
  {
    if constexpr (refines && size == 2 && folds) {
      // a scaler before an affine model: folded into its weights (fast path only)
      const auto fast = last{}.template try_predict_after<first>(in);
      if (fast.sure) return fast.value;
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

  /// The same model with another number policy (`model.with(ctml::q<std::int16_t, 0>{})`)
  /// or another option for the stages that take it (`model.with(ctml::table_layout{})`).
  template <class Option>
  [[nodiscard]] static constexpr auto with(Option = {}) noexcept {
    if constexpr (NumberPolicy<Option>) return rebind<Option>{};
    else return rebind_option<Option>{};
  }
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
    return boost::mp11::mp_rename<
        boost::mp11::mp_append<typename detail::stage_list<A>::type, typename detail::stage_list<B>::type>,
        pipeline>{};
  } else {
    return detail::invalid_pipeline{};
  }
}

}  // namespace ctml
