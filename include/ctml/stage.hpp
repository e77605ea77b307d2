// The Stage concept: what every step of a pipeline provides.
//
// A stage is an empty, constexpr type: its parameters live in types (structs
// with static constexpr arrays), so the model object itself costs nothing and
// its tables are placed in flash. Mutable state (filter memories, ring
// buffers, ...) lives in `state_type`, which the caller owns.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

#include <ctml/number/policy.hpp>

namespace ctml {

/// The state of a stateless stage.
struct no_state {};

/// Bytes of RAM a state type really needs (an empty struct needs none).
template <class State>
inline constexpr std::size_t state_bytes = std::is_empty_v<State> ? 0 : sizeof(State);

/// A step of a pipeline: maps `in_extent` values of `in_type` to `out_extent`
/// values of `out_type` with `run(in, out, state)`, and reports its costs:
///   flash_bytes()  tables plus an estimate of its code
///   ram_bytes()    its state plus the peak scratch it uses while running
///   cost()         operations per call (compares, multiply-adds, ...)
template <class S>
concept Stage =
    requires {
      typename S::policy;
      typename S::in_type;
      typename S::out_type;
      typename S::state_type;
      requires NumberPolicy<typename S::policy>;
      { S::in_extent } -> std::convertible_to<std::size_t>;
      { S::out_extent } -> std::convertible_to<std::size_t>;
      { S::flash_bytes() } -> std::same_as<std::size_t>;
      { S::ram_bytes() } -> std::same_as<std::size_t>;
      { S::cost() } -> std::same_as<std::size_t>;
    } &&
    requires(const S& s, std::span<const typename S::in_type, S::in_extent> in,
             std::span<typename S::out_type, S::out_extent> out, typename S::state_type& state) {
      s.run(in, out, state);
    };

/// A stage that ends a model: `predict(in, state)` gives the class index
/// (classifiers) or the predicted value (regressors).
template <class S>
concept Predictor = Stage<S> && requires(const S& s, std::span<const typename S::in_type, S::in_extent> in,
                                         typename S::state_type& state) {
  s.predict(in, state);
};

// Exact refinement (linear/exact.hpp): a predictor that decides in float32
// where its error bound proves the decision and otherwise redoes sklearn's
// float64 arithmetic; the transforms before it can redo theirs in double.

/// The fast path's answer: `value` is sklearn's answer when `sure`.
template <class T>
struct decision {
  T value;
  bool sure;
};

/// A stage that redoes sklearn's double arithmetic on the double row. With
/// no float fast path (a regressor's value, QDA: nothing to settle in float),
/// a pipeline of transforms before it runs only the double chain.
template <class S>
concept ExactPredictor = requires(const S& s, std::span<const double, S::in_extent> exact_in) {
  s.predict_exact(exact_in);
};

/// A stage whose fast path can be refined in double (linear/exact.hpp).
template <class S>
concept RefiningPredictor = ExactPredictor<S> && requires(const S& s, std::span<const typename S::in_type, S::in_extent> in) {
  s.try_predict(in);
};

/// A transform that can redo its output in sklearn's double arithmetic.
template <class S>
concept ExactTransform = requires(const S& s, std::span<const double, S::in_extent> in,
                                  std::span<double, S::out_extent> out) { s.run_exact(in, out); };

}  // namespace ctml
