// Network layers as types: parameters are structs of static constexpr arrays
// (docs/generated-header.md, "Networks"); shapes are checked at compile time.
//
// Tensors are channels first, as PyTorch's: (C, L) for 1-d layers, (C, H, W)
// for 2-d ones. Convolutions take a params struct (weights in double, as
// trained; batch norm already folded in by the generator); pooling layers are
// configured by template arguments. Every layer maps its input shape to an
// output shape with `out_shape<In>`, whose constraints are the shape checks.
#pragma once

#include <array>
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
  static constexpr std::array<std::size_t, rank> dims{D...};
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

namespace detail {
// The checks put the numbers into template arguments (style.md): GCC and
// Clang print them with the message.
template <std::size_t Rank, std::size_t Expected>
struct check_rank {
  static_assert(Rank == Expected,
                "ctml: a conv/pool layer's input has the wrong rank (see check_rank<Rank, Expected>): 1-d layers "
                "take (channels, length), 2-d layers (channels, height, width); fix `input` or the layer order "
                "(a flatten goes after the last conv/pool layer)");
  static constexpr bool ok = Rank == Expected;
};
template <std::size_t Channels, std::size_t Expected>
struct check_channels {
  static_assert(Channels == Expected,
                "ctml: a conv layer's in_channels != the channels of its input tensor (see "
                "check_channels<Channels, Expected>): the layers do not chain; regenerate the header");
  static constexpr bool ok = Channels == Expected;
};
template <std::size_t Padded, std::size_t Kernel>
struct check_window {
  static_assert(Padded >= Kernel && Kernel > 0,
                "ctml: a conv/pool window is larger than its (padded) input (see check_window<Padded, Kernel>): "
                "use a smaller kernel, more padding or a larger input");
  static constexpr bool ok = Padded >= Kernel && Kernel > 0;
};
template <std::size_t Stride>
struct check_stride {
  static_assert(Stride > 0, "ctml: a conv/pool stride must be positive (see check_stride<0>)");
  static constexpr bool ok = Stride > 0;
};

// Spatial output size of a window of K with stride S and padding P on N.
template <std::size_t N, std::size_t K, std::size_t S, std::size_t P>
  requires(check_window<N + 2 * P, K>::ok && check_stride<S>::ok)
inline constexpr std::size_t window_out = (N + 2 * P - K) / S + 1;

template <class In, std::size_t Rank>
  requires(check_rank<In::rank, Rank>::ok)
inline constexpr bool has_rank = true;
}  // namespace detail

/// Convolution geometry, uniform over 1-d and 2-d (1-d: kernel_h = 1, H = 1).
/// Every conv layer type below offers:
///   in_channels, out_channels, groups (1, or in_channels for depthwise),
///   kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, and
///   w(o, c, ky, kx): the weight of output channel o, input channel c of its
///   group (c < in_channels / groups), at kernel row ky, column kx.
namespace detail {
/// The 2-d geometry shared by conv2d and depthwise_conv2d.
template <class P, std::size_t Groups>
struct conv2d_geometry {
  using params = P;
  static constexpr std::size_t rank = 3;
  static constexpr std::size_t in_channels = P::in_channels, out_channels = P::out_channels, groups = Groups;
  static constexpr std::size_t kernel_h = P::kernel_h, kernel_w = P::kernel_w;
  static constexpr std::size_t stride_h = P::stride_h, stride_w = P::stride_w;
  static constexpr std::size_t pad_h = P::pad_h, pad_w = P::pad_w;
  static constexpr double w(std::size_t o, std::size_t c, std::size_t ky, std::size_t kx) noexcept {
    return P::weight[o][c][ky][kx];
  }
  template <class In>
    requires(has_rank<In, 3> && check_channels<In::dims[0], P::in_channels>::ok)
  using out_shape = shape<P::out_channels, window_out<In::dims[1], kernel_h, stride_h, pad_h>,
                          window_out<In::dims[2], kernel_w, stride_w, pad_w>>;
};
}  // namespace detail

template <class P>
struct conv2d : detail::conv2d_geometry<P, 1> {};

/// Depthwise 2-d convolution (PyTorch's Conv2d with groups = in_channels):
/// out_channels = in_channels * depth multiplier; output channel o reads
/// input channel o / multiplier. P::weight[out_channels][1][kh][kw].
template <class P>
struct depthwise_conv2d : detail::conv2d_geometry<P, P::in_channels> {
  static_assert(P::out_channels % P::in_channels == 0,
                "ctml: a depthwise conv's out_channels must be a multiple of its in_channels (a depth multiplier): "
                "fix the layer, or use conv2d for a general grouping");
};

/// 1-d convolution over (channels, length); P::weight[out_channels][in_channels][kernel].
template <class P>
struct conv1d {
  using params = P;
  static constexpr std::size_t rank = 2;
  static constexpr std::size_t in_channels = P::in_channels, out_channels = P::out_channels, groups = 1;
  static constexpr std::size_t kernel_h = 1, kernel_w = P::kernel, stride_h = 1, stride_w = P::stride;
  static constexpr std::size_t pad_h = 0, pad_w = P::padding;
  static constexpr double w(std::size_t o, std::size_t c, std::size_t, std::size_t kx) noexcept {
    return P::weight[o][c][kx];
  }
  template <class In>
    requires(detail::has_rank<In, 2> && detail::check_channels<In::dims[0], P::in_channels>::ok)
  using out_shape = shape<P::out_channels, detail::window_out<In::dims[1], kernel_w, stride_w, pad_w>>;
};

enum class pool : std::uint8_t { max, average };

/// Pooling without padding (PyTorch's MaxPool/AvgPool with padding 0 and
/// ceil_mode False); average divides by the window size.
template <pool Kind, std::size_t Rank, std::size_t KH, std::size_t KW, std::size_t SH, std::size_t SW>
struct pooling {
  static constexpr pool kind = Kind;
  static constexpr std::size_t rank = Rank;
  static constexpr std::size_t kernel_h = KH, kernel_w = KW, stride_h = SH, stride_w = SW;
  template <class In> struct out;
  template <class In>
    requires(Rank == 3)
  struct out<In> {
    using type = shape<In::dims[0], detail::window_out<In::dims[1], KH, SH, 0>, detail::window_out<In::dims[2], KW, SW, 0>>;
  };
  template <class In>
    requires(Rank == 2)
  struct out<In> {
    using type = shape<In::dims[0], detail::window_out<In::dims[1], KW, SW, 0>>;
  };
  template <class In>
    requires(detail::has_rank<In, Rank>)
  using out_shape = typename out<In>::type;
};
template <std::size_t K, std::size_t S = K> using max_pool1d = pooling<pool::max, 2, 1, K, 1, S>;
template <std::size_t K, std::size_t S = K> using avg_pool1d = pooling<pool::average, 2, 1, K, 1, S>;
template <std::size_t KH, std::size_t KW = KH, std::size_t SH = KH, std::size_t SW = KW>
using max_pool2d = pooling<pool::max, 3, KH, KW, SH, SW>;
template <std::size_t KH, std::size_t KW = KH, std::size_t SH = KH, std::size_t SW = KW>
using avg_pool2d = pooling<pool::average, 3, KH, KW, SH, SW>;

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
template <class L> inline constexpr bool is_conv = false;
template <class P> inline constexpr bool is_conv<conv1d<P>> = true;
template <class P> inline constexpr bool is_conv<conv2d<P>> = true;
template <class P> inline constexpr bool is_conv<depthwise_conv2d<P>> = true;
template <class L> inline constexpr bool is_pool = false;
template <pool K, std::size_t R, std::size_t A, std::size_t B, std::size_t C, std::size_t D>
inline constexpr bool is_pool<pooling<K, R, A, B, C, D>> = true;

}  // namespace ctml::nn
