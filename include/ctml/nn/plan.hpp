// Planning a network: the layer list, the tensor shapes between layers, the
// head, which activations fuse into the layer before them, the int8 tensor
// scales and the int8 activation buffers. Everything here is derived from
// the params type at compile time; the kernels (nn/f32.hpp, nn/int8.hpp)
// and the stage (nn/network.hpp) read it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <ctml/nn/layers.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::nn::detail {

namespace mp = boost::mp11;

template <class L> struct layer_list;
template <class... L> struct layer_list<layers<L...>> { using type = mp::mp_list<L...>; };

// Tensor shapes: tensor 0 is the input, tensor i + 1 the output of layer i.
template <class In, class List> struct chain;
template <class In> struct chain<In, mp::mp_list<>> { using type = mp::mp_list<In>; };
template <class In, class L, class... R>
struct chain<In, mp::mp_list<L, R...>> {
  using type = mp::mp_push_front<typename chain<typename L::template out_shape<In>, mp::mp_list<R...>>::type, In>;
};

template <class Policy>
struct check_policy {
  static_assert(std::is_same_v<Policy, f32> || ctml::detail::is_int8_affine<Policy>,
                "ctml: networks run with ctml::f32 or ctml::int8 / ctml::int8_fast (see check_policy<Policy>): "
                "q<> fixed point is not a network policy; use model.with(ctml::int8{})");
  static constexpr bool ok = true;
};

template <bool Calibrated>
struct check_calibrated {
  static_assert(Calibrated,
                "ctml: the int8 policy needs activation ranges: regenerate the header with "
                "`python3 -m ctml convert MODEL --calibrate X.npy ...` (see check_calibrated<false>)");
  static constexpr bool ok = Calibrated;
};

template <std::size_t Head, std::size_t Layers>
struct check_has_dense {
  static_assert(Head < Layers,
                "ctml: a network needs at least one dense layer (its last one is the output): add a dense layer "
                "after the last conv/pool layer (and a flatten before it)");
  static constexpr bool ok = Head < Layers;
};

template <bool TailOk>
struct check_tail {
  static_assert(TailOk,
                "ctml: after the last dense layer a network may only have identity, softmax or sigmoid "
                "(monotonic, so the prediction is read before them): move other layers before it");
  static constexpr bool ok = TailOk;
};

template <std::size_t Outputs, bool ArgmaxHead>
struct check_head_outputs {
  static_assert(ArgmaxHead || Outputs == 1,
                "ctml: the logistic and value heads read exactly one output (see check_head_outputs<Outputs, "
                "false>): use head::argmax for several outputs");
  static constexpr bool ok = ArgmaxHead || Outputs == 1;
};

constexpr double abs_d(double v) noexcept { return v < 0 ? -v : v; }

template <class P, class Policy>
struct plan {
  using params = P;
  using list = typename layer_list<typename P::layers>::type;
  using tensors = typename chain<typename P::input, list>::type;
  static constexpr std::size_t n_layers = mp::mp_size<list>::value;
  template <std::size_t I> using layer = mp::mp_at_c<list, I>;
  template <std::size_t T> using tensor = mp::mp_at_c<tensors, T>;
  template <std::size_t T> static constexpr std::size_t tensor_size = tensor<T>::size;
  static constexpr bool is_int8 = !std::is_same_v<Policy, f32>;
  using out_type = std::conditional_t<P::head == head::value, float, int>;
  static constexpr std::size_t in_extent = P::input::size;

  static constexpr std::size_t max_tensor() noexcept {
    return []<std::size_t... T>(std::index_sequence<T...>) {
      std::size_t m = 0;
      ((m = tensor_size<T> > m ? tensor_size<T> : m), ...);
      return m;
    }(std::make_index_sequence<n_layers + 1>{});
  }

  // The last dense layer: the head reads its outputs.
  static constexpr std::size_t head_index() noexcept {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      std::size_t h = n_layers;
      ((h = is_dense<layer<I>> ? I : h), ...);
      return h;
    }(std::make_index_sequence<n_layers>{});
  }
  static constexpr std::size_t head_at = head_index();
  static_assert(check_has_dense<head_at, n_layers>::ok);
  template <class L>
  static constexpr bool monotonic_tail() noexcept {
    if constexpr (is_activation<L>) return L::kind == act::identity || L::kind == act::softmax || L::kind == act::sigmoid;
    else return false;
  }
  static constexpr bool tail_ok() noexcept {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return ((I <= head_at || monotonic_tail<layer<I>>()) && ...);
    }(std::make_index_sequence<n_layers>{});
  }
  static_assert(check_tail<tail_ok()>::ok);
  static constexpr std::size_t n_outputs = [] {
    if constexpr (head_at < n_layers) return layer<head_at>::n_out;
    else return std::size_t{1};
  }();
  static_assert(check_head_outputs<n_outputs, P::head == head::argmax>::ok);

  // Geometry of layer I's input and output tensors, as (C, H, W) with H = 1 for 1-d.
  template <std::size_t I>
  struct geom {
    using in_t = tensor<I>;
    using out_t = tensor<I + 1>;
    static constexpr std::size_t c = in_t::dims[0], h = in_t::rank == 3 ? in_t::dims[1] : 1, w = in_t::dims[in_t::rank - 1];
    static constexpr std::size_t oc = out_t::dims[0], oh = out_t::rank == 3 ? out_t::dims[1] : 1,
                                 ow = out_t::dims[out_t::rank - 1];
  };

  // int8 conv layers pad their input in place: the buffers hold the padded sizes too.
  template <std::size_t I>
  static constexpr std::size_t padded_input() noexcept {
    if constexpr (is_conv<layer<I>>) {
      using T = tensor<I>;
      constexpr std::size_t h = T::rank == 3 ? T::dims[1] : 1;
      return T::dims[0] * (h + 2 * layer<I>::pad_h) * (T::dims[T::rank - 1] + 2 * layer<I>::pad_w);
    } else {
      return 0;
    }
  }

  // ---------------------------------------------------------------------
  // int8

  /// The multipliers' significant bits (31: TFLite's; 15: int8_fast).
  static constexpr int mbits = [] {
    if constexpr (is_int8) return Policy::multiplier_bits;
    else return 31;
  }();

  /// Whether layer I (dense or conv, not the head) absorbs the activation
  /// after it (relu or identity: a clamp).
  template <std::size_t I>
  static constexpr bool fuses_next() noexcept {
    if constexpr (I + 1 < n_layers && I != head_at && (is_dense<layer<I>> || is_conv<layer<I>>)) {
      if constexpr (is_activation<layer<I + 1>>)
        return layer<I + 1>::kind == act::relu || layer<I + 1>::kind == act::identity;
    }
    return false;
  }
  template <std::size_t I>
  static constexpr bool fuses_relu() noexcept {
    if constexpr (fuses_next<I>()) return layer<I + 1>::kind == act::relu;
    else return false;
  }
  /// The tensor layer I writes (after its fused activation).
  template <std::size_t I>
  static constexpr std::size_t output_of = fuses_next<I>() ? I + 2 : I + 1;

  /// Scale and zero point of tensor T.
  template <std::size_t T>
  static constexpr quant::params tensor_params() noexcept {
    if constexpr (T == 0) {
      // A power-of-two scale covering the input range: 2^-input_shift.
      double lo = P::input_range[0] < 0 ? P::input_range[0] : 0.0;
      double hi = P::input_range[1] > 0 ? P::input_range[1] : 0.0;
      const double need = hi - lo > 0 ? (hi - lo) / 255.0 : 1.0;
      double s = 1.0;
      while (s < need) s *= 2.0;
      while (s * 0.5 >= need) s *= 0.5;
      std::int32_t z = ctml::detail::round_sat<std::int32_t>(-128.0 - lo / s);
      z = z < -128 ? -128 : (z > 127 ? 127 : z);
      return {s, z};
    } else if constexpr (is_flatten<layer<T - 1>> || is_pool<layer<T - 1>>) {
      return tensor_params<T - 1>();  // TFLite: pooling keeps its input's scale and zero point
    } else {
      return quant::choose(P::ranges[T - 1][0], P::ranges[T - 1][1]);
    }
  }
  /// The input's scale is 2^-input_shift().
  static constexpr int input_shift() noexcept {
    int k = 0;
    for (double s = tensor_params<0>().scale; s < 1.0; s *= 2.0) ++k;
    for (double s = tensor_params<0>().scale; s > 1.0; s *= 0.5) --k;
    return k;
  }
};

}  // namespace ctml::nn::detail
