// Network layers as types: parameters are structs of static constexpr arrays
// (docs/generated-header.md, "Networks"); shapes are checked at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ctml::nn {

/// A tensor shape (channels first, as PyTorch): shape<150>, shape<1, 8, 8>.
template <std::size_t... D>
  requires(sizeof...(D) >= 1 && ((D > 0) && ...))
struct shape {
  static constexpr std::size_t rank = sizeof...(D);
  static constexpr std::size_t size = (D * ...);
};

enum class act : std::uint8_t { identity, relu, sigmoid, tanh, softmax };

/// Elementwise activations (softmax acts on the whole vector).
template <act A>
struct activation {
  static constexpr act kind = A;
  template <class In> using out_shape = In;
};
using identity = activation<act::identity>;
using relu = activation<act::relu>;
using sigmoid = activation<act::sigmoid>;
using tanh = activation<act::tanh>;
using softmax = activation<act::softmax>;

namespace detail {
template <std::size_t In, std::size_t Expected>
struct check_dense_input {
  static_assert(In == Expected,
                "ctml: a dense layer's n_in != the size of its input tensor (see check_dense_input<In, Expected>): "
                "the layers of the network do not chain; regenerate the header");
  static constexpr bool ok = In == Expected;
};
}  // namespace detail

/// y = W x + b with W[n_out][n_in] (P::weight, P::bias in double).
template <class P>
struct dense {
  using params = P;
  static constexpr std::size_t n_in = P::n_in;
  static constexpr std::size_t n_out = P::n_out;
  template <class In>
    requires(detail::check_dense_input<In::size, P::n_in>::ok)
  using out_shape = shape<P::n_out>;
};

/// Flattens any shape to one dimension (row-major, as torch.flatten).
struct flatten {
  template <class In> using out_shape = shape<In::size>;
};

/// The layers of a network, in order.
template <class... L>
  requires(sizeof...(L) >= 1)
struct layers {};

/// What a network's prediction is.
enum class head : std::uint8_t {
  argmax,    // index of the largest output (softmax or not): the class
  logistic,  // one output, class 1 when it is > 0 (sigmoid > 0.5): sklearn's binary MLP
  value      // the one output: a regressor
};

template <class L> inline constexpr bool is_dense = false;
template <class P> inline constexpr bool is_dense<dense<P>> = true;
template <class L> inline constexpr bool is_activation = false;
template <act A> inline constexpr bool is_activation<activation<A>> = true;
template <class L> inline constexpr bool is_flatten = std::is_same_v<L, flatten>;

}  // namespace ctml::nn
