// A neural network as one pipeline stage: `ctml::nn::network<P>` runs the
// layers of `P::layers` on `P::input` and predicts by `P::head`.
//
//   f32 (default): float32 weights and activations, float accumulation in
//     scikit-learn's order (x @ W, then + b, per output). sklearn computes in
//     float64, so this is not bit-exact: a prediction can differ only when
//     two class scores are within float rounding of each other (measured:
//     450/450 on the digits MLP). Predict never evaluates softmax or the
//     final sigmoid: the class is the argmax of the last dense layer (or its
//     sign for sklearn's binary logistic output).
//   int8 (`model.with(ctml::int8{})`, or ctml::int8_fast): TFLite's affine
//     int8 scheme (ctml/nn/quant.hpp), every scale, zero point and multiplier
//     derived here from the header's float parameters and calibration ranges.
//     relu and identity fuse into the preceding dense layer (a clamp);
//     sigmoid and tanh are 256-entry tables computed at compile time. The
//     float input is quantised with a power-of-two scale (the smallest one
//     covering the calibrated input range) by integer operations on its bits,
//     so no float arithmetic runs (regressors multiply once at the end).
//     `predict_quantized(q)` takes inputs already quantised with
//     `input_scale` / `input_zero_point`.
//   Convolutions (conv1d, conv2d, depthwise_conv2d) and pooling run on
//   channels-first tensors: f32 sums each output's taps in (channel, row,
//   column) order, then adds the bias; int8 uses the dense layers' per-channel
//   scheme (relu fused) on the input padded in place with its zero point, as
//   sums of 8x8-bit products (on AVR `mulsu` in assembly, no 32-bit
//   multiplies); max and average pooling work on the stored bytes and keep
//   their input's scale and zero point (TFLite). The int8 layers alternate
//   between two activation buffers, each sized for the tensors it receives,
//   padded conv inputs included (ram_bytes()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/nn/kernels.hpp>
#include <ctml/nn/layers.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::nn {

namespace detail {

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

template <class Kernel>
struct check_kernel {
  static_assert(std::is_same_v<Kernel, f32> || ctml::detail::is_int8_affine<Kernel>,
                "ctml: networks run with ctml::f32 or ctml::int8 / ctml::int8_fast (see check_kernel<Kernel>): "
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

constexpr double abs_d(double v) noexcept { return v < 0 ? -v : v; }

}  // namespace detail

template <class P, class Kernel = f32>
  requires(detail::check_kernel<Kernel>::ok)
struct network {
 private:
  using list = typename detail::layer_list<typename P::layers>::type;
  using tensors = typename detail::chain<typename P::input, list>::type;
  static constexpr std::size_t n_layers = boost::mp11::mp_size<list>::value;
  template <std::size_t I> using layer = boost::mp11::mp_at_c<list, I>;
  template <std::size_t T> static constexpr std::size_t tensor_size = boost::mp11::mp_at_c<tensors, T>::size;

  static constexpr std::size_t max_tensor() noexcept {
    return []<std::size_t... T>(std::index_sequence<T...>) {
      std::size_t m = 0;
      ((m = tensor_size<T> > m ? tensor_size<T> : m), ...);
      return m;
    }(std::make_index_sequence<n_layers + 1>{});
  }
  // int8 conv layers pad their input in place: the buffers hold the padded sizes too.
  template <std::size_t I>
  static constexpr std::size_t padded_input() noexcept {
    if constexpr (is_conv<layer<I>>) {
      using T = boost::mp11::mp_at_c<tensors, I>;
      constexpr std::size_t h = T::rank == 3 ? T::dims[1] : 1;
      return T::dims[0] * (h + 2 * layer<I>::pad_h) * (T::dims[T::rank - 1] + 2 * layer<I>::pad_w);
    } else {
      return 0;
    }
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
  static_assert(head_at < n_layers, "ctml: a network needs at least one dense layer (its last one is the output)");
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
  static_assert(tail_ok(),
                "ctml: after the last dense layer a network may only have identity, softmax or sigmoid "
                "(monotonic, so the prediction is read before them)");
  using head_layer = layer<head_at>;
  static constexpr std::size_t n_outputs = head_layer::n_out;
  static_assert(P::head == head::argmax || n_outputs == 1,
                "ctml: the logistic and value heads read exactly one output");

 public:
  using policy = Kernel;
  using in_type = float;
  using out_type = std::conditional_t<P::head == head::value, float, int>;
  using state_type = no_state;
  static constexpr std::size_t in_extent = P::input::size;
  static constexpr std::size_t out_extent = 1;
  static constexpr bool is_int8 = !std::is_same_v<Kernel, f32>;

  template <class Q>
    requires(std::same_as<Q, f32> || ctml::detail::is_int8_affine<Q>)
  using rebind = network<P, Q>;

  // ---------------------------------------------------------------------
  // f32
 private:
  template <class D>
  struct f32_tables {
    using Q = typename D::params;
    static constexpr std::array<float, D::n_out * D::n_in> make_w() noexcept {
      std::array<float, D::n_out * D::n_in> t{};
      for (std::size_t o = 0; o < D::n_out; ++o)
        for (std::size_t j = 0; j < D::n_in; ++j) t[o * D::n_in + j] = static_cast<float>(Q::weight[o][j]);
      return t;
    }
    static constexpr std::array<float, D::n_out> make_b() noexcept {
      std::array<float, D::n_out> t{};
      for (std::size_t o = 0; o < D::n_out; ++o) t[o] = static_cast<float>(Q::bias[o]);
      return t;
    }
    CTML_FLASH static constexpr std::array<float, D::n_out * D::n_in> w = make_w();
    CTML_FLASH static constexpr std::array<float, D::n_out> b = make_b();
    static constexpr std::size_t bytes = sizeof(w) + sizeof(b);
  };

  template <class D>
  static void dense_f32(const float* x, float* y) noexcept {
    using t = f32_tables<D>;
    for (std::size_t o = 0; o < D::n_out; ++o)
      y[o] = kernels::dot_f32<D::n_in>(t::w.data() + o * D::n_in, x) + flash_load(&t::b[o]);
  }

  template <act A, std::size_t N>
  static void activation_f32(const float* x, float* y) noexcept {
    if constexpr (A == act::softmax) {
      float m = x[0];
      for (std::size_t i = 1; i < N; ++i) m = x[i] > m ? x[i] : m;
      float s = 0.0f;
      for (std::size_t i = 0; i < N; ++i) s += (y[i] = kernels::exp_f(x[i] - m));
      for (std::size_t i = 0; i < N; ++i) y[i] /= s;
    } else {
      for (std::size_t i = 0; i < N; ++i) {
        const float v = x[i];
        if constexpr (A == act::identity) y[i] = v;
        else if constexpr (A == act::relu) y[i] = v > 0.0f ? v : 0.0f;
        else if constexpr (A == act::sigmoid) y[i] = 1.0f / (1.0f + kernels::exp_f(-v));
        else {  // tanh = 1 - 2 / (exp(2v) + 1)
          y[i] = 1.0f - 2.0f / (kernels::exp_f(2.0f * v) + 1.0f);
        }
      }
    }
  }

  // Geometry of layer I's input and output tensors, as (C, H, W) with H = 1 for 1-d.
  template <std::size_t I>
  struct geom {
    using in_t = boost::mp11::mp_at_c<tensors, I>;
    using out_t = boost::mp11::mp_at_c<tensors, I + 1>;
    static constexpr std::size_t c = in_t::dims[0], h = in_t::rank == 3 ? in_t::dims[1] : 1, w = in_t::dims[in_t::rank - 1];
    static constexpr std::size_t oc = out_t::dims[0], oh = out_t::rank == 3 ? out_t::dims[1] : 1,
                                 ow = out_t::dims[out_t::rank - 1];
  };

  template <class L>
  struct conv_f32_tables {
    static constexpr std::size_t cpg = L::in_channels / L::groups;  // input channels per group
    static constexpr std::size_t taps = cpg * L::kernel_h * L::kernel_w;
    static constexpr std::array<float, L::out_channels * taps> make_w() noexcept {
      std::array<float, L::out_channels * taps> t{};
      for (std::size_t o = 0; o < L::out_channels; ++o)
        for (std::size_t c = 0; c < cpg; ++c)
          for (std::size_t ky = 0; ky < L::kernel_h; ++ky)
            for (std::size_t kx = 0; kx < L::kernel_w; ++kx)
              t[((o * cpg + c) * L::kernel_h + ky) * L::kernel_w + kx] = static_cast<float>(L::w(o, c, ky, kx));
      return t;
    }
    static constexpr std::array<float, L::out_channels> make_b() noexcept {
      std::array<float, L::out_channels> t{};
      for (std::size_t o = 0; o < L::out_channels; ++o) t[o] = static_cast<float>(L::params::bias[o]);
      return t;
    }
    CTML_FLASH static constexpr std::array<float, L::out_channels * taps> w = make_w();
    CTML_FLASH static constexpr std::array<float, L::out_channels> b = make_b();
    static constexpr std::size_t bytes = sizeof(w) + sizeof(b);
  };

  // Calls f(o, oy, ox, i, ky, kx, c) for every tap of every output that
  // reads the input (padding taps are skipped: they add zero), with `i` the
  // input index and `c` the channel within the group; `done(o, oy, ox)`
  // after each output.
  template <std::size_t I, class Tap, class Done>
  CTML_ALWAYS_INLINE static void conv_walk(Tap&& tap, Done&& done) noexcept {
    using L = layer<I>;
    using G = geom<I>;
    constexpr std::size_t cpg = L::in_channels / L::groups, opg = L::out_channels / L::groups;
    for (std::size_t o = 0; o < L::out_channels; ++o) {
      const std::size_t c0 = (o / opg) * cpg;
      for (std::size_t oy = 0; oy < G::oh; ++oy)
        for (std::size_t ox = 0; ox < G::ow; ++ox) {
          for (std::size_t c = 0; c < cpg; ++c)
            for (std::size_t ky = 0; ky < L::kernel_h; ++ky) {
              const std::size_t iy = oy * L::stride_h + ky;  // + pad_h
              if (iy < L::pad_h || iy - L::pad_h >= G::h) continue;
              for (std::size_t kx = 0; kx < L::kernel_w; ++kx) {
                const std::size_t ix = ox * L::stride_w + kx;
                if (ix < L::pad_w || ix - L::pad_w >= G::w) continue;
                tap(o, ((c0 + c) * G::h + (iy - L::pad_h)) * G::w + (ix - L::pad_w), ((o * cpg + c) * L::kernel_h + ky) * L::kernel_w + kx);
              }
            }
          done(o, (o * G::oh + oy) * G::ow + ox);
        }
    }
  }

  template <std::size_t I>
  static void conv_f32(const float* x, float* y) noexcept {
    using t = conv_f32_tables<layer<I>>;
    float acc = 0.0f;
    conv_walk<I>([&](std::size_t, std::size_t i, std::size_t k) { acc += flash_load(&t::w[k]) * x[i]; },
                 [&](std::size_t o, std::size_t at) {
                   y[at] = acc + flash_load(&t::b[o]);
                   acc = 0.0f;
                 });
  }

  // Feeds each pooling window's input indices to acc(first, i), then calls
  // done(output index).
  template <std::size_t I, class Acc, class Done>
  CTML_ALWAYS_INLINE static void pool_walk(Acc&& acc, Done&& done) noexcept {
    using L = layer<I>;
    using G = geom<I>;
    for (std::size_t c = 0; c < G::c; ++c)
      for (std::size_t oy = 0; oy < G::oh; ++oy)
        for (std::size_t ox = 0; ox < G::ow; ++ox) {
          for (std::size_t ky = 0; ky < L::kernel_h; ++ky)
            for (std::size_t kx = 0; kx < L::kernel_w; ++kx)
              acc(ky == 0 && kx == 0, (c * G::h + oy * L::stride_h + ky) * G::w + ox * L::stride_w + kx);
          done((c * G::oh + oy) * G::ow + ox);
        }
  }

  template <std::size_t I>
  static void pool_f32(const float* x, float* y) noexcept {
    using L = layer<I>;
    float v = 0.0f;
    pool_walk<I>(
        [&](bool first, std::size_t i) {
          if constexpr (L::kind == pool::max) v = first || x[i] > v ? x[i] : v;
          else v = first ? x[i] : v + x[i];
        },
        [&](std::size_t at) {
          if constexpr (L::kind == pool::max) y[at] = v;
          else y[at] = v / static_cast<float>(L::kernel_h * L::kernel_w);
        });
  }

  // Runs layers I .. Last; the output of layer Last is in `a` on return.
  template <std::size_t I, std::size_t Last>
  static void run_f32(float* a, float* b) noexcept {
    using L = layer<I>;
    if constexpr (is_dense<L>) {
      dense_f32<L>(a, b);
    } else if constexpr (is_conv<L>) {
      conv_f32<I>(a, b);
    } else if constexpr (is_pool<L>) {
      pool_f32<I>(a, b);
    } else if constexpr (is_activation<L>) {
      activation_f32<L::kind, tensor_size<I + 1>>(a, b);
    } else {
      for (std::size_t i = 0; i < tensor_size<I + 1>; ++i) b[i] = a[i];  // flatten
    }
    if constexpr (I < Last) run_f32<I + 1, Last>(b, a);
    else for (std::size_t i = 0; i < tensor_size<I + 1>; ++i) a[i] = b[i];
  }

  static out_type read_head_f32(const float* z) noexcept {
    if constexpr (P::head == head::value) {
      return z[0];
    } else if constexpr (P::head == head::logistic) {
      return z[0] > 0.0f ? 1 : 0;
    } else {
      int best = 0;
      for (std::size_t o = 1; o < n_outputs; ++o)
        if (z[o] > z[best]) best = static_cast<int>(o);
      return best;
    }
  }

  // ---------------------------------------------------------------------
  // int8
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
  static constexpr int input_shift() noexcept {
    int k = 0;
    for (double s = tensor_params<0>().scale; s < 1.0; s *= 2.0) ++k;
    for (double s = tensor_params<0>().scale; s > 1.0; s *= 0.5) --k;
    return k;
  }

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

  // The int8 activation buffers (run_int8 alternates between them; a flatten
  // keeps its input's): each holds the largest tensor it receives, a conv
  // layer's padded input included.
  template <std::size_t I>
  static constexpr void int8_buffer_needs(std::array<std::size_t, 2>& need, std::size_t at) noexcept {
    using L = layer<I>;
    const auto grow = [&](std::size_t buf, std::size_t n) { need[buf] = n > need[buf] ? n : need[buf]; };
    grow(at, tensor_size<I>);
    if constexpr (I != head_at) {
      if constexpr (is_flatten<L>) {
        int8_buffer_needs<I + 1>(need, at);
      } else {
        grow(at, padded_input<I>());
        grow(1 - at, tensor_size<I + 1>);
        int8_buffer_needs<fuses_next<I>() ? I + 2 : I + 1>(need, 1 - at);
      }
    }
  }
  static constexpr std::array<std::size_t, 2> int8_buffers() noexcept {
    std::array<std::size_t, 2> need{1, 1};
    int8_buffer_needs<0>(need, 0);
    return need;
  }

  static constexpr int mbits = [] {
    if constexpr (is_int8) return Kernel::multiplier_bits;
    else return 31;
  }();

  // Per-output constants of an int8 dense layer. `c` starts the accumulator:
  // b_q - zu_in * sum(w_q) (zu_in = input zero point + 128), so that
  // acc = c + sum(u * wu) - 128 * sum(u) with u = q + 128, wu = w_q + 128.
  struct exact_entry {
    std::int32_t c;
    std::int32_t m0;
    std::int8_t shift;
  };
  struct fast_entry {  // this order: kernels::requantize_fast_avr reads it with lpm
    std::int32_t c;
    std::uint16_t m;
    std::uint8_t s;
#if !defined(__AVR__)
    std::int32_t round;  // quant::fast_round(s): AVR derives it (4 bytes less per output)
#endif
  };
#if defined(__AVR__)
  static_assert(sizeof(fast_entry) == 7, "ctml: kernels::requantize_fast_avr expects a packed 7-byte entry");
#endif

#if defined(__AVR__)
  // AVR: dense layers with the fast requantisation and n_in <= 256 run two
  // rows per pass; every hidden one is kernels::ctml_avr_dense (one routine
  // for all layers), which reads the layer's constants from an avr_layer in
  // flash.
  struct avr_layer {  // this layout: kernels::ctml_avr_dense reads it with lpm
    const std::uint8_t* w;
    const fast_entry* e;
    std::uint8_t quads, rest, n_out, zu_out, lo;
  };
#endif

  template <std::size_t I>
  struct int8_dense {
    using D = layer<I>;
    using Q = typename D::params;
    static constexpr std::size_t n_in = D::n_in, n_out = D::n_out;
    static constexpr bool is_head = I == head_at;
    static constexpr std::size_t t_out = fuses_next<I>() ? I + 2 : I + 1;
    static constexpr quant::params in_q = tensor_params<I>();

    static constexpr std::array<double, n_out> make_scales() noexcept {
      std::array<double, n_out> s{};
      for (std::size_t o = 0; o < n_out; ++o) {
        double m = 0;
        for (std::size_t j = 0; j < n_in; ++j) {
          const double v = detail::abs_d(Q::weight[o][j]);
          m = v > m ? v : m;
        }
        s[o] = m > 0 ? m / 127.0 : 1.0;
      }
      return s;
    }
    static constexpr std::array<double, n_out> scales = make_scales();  // per output channel
    static constexpr std::array<std::int8_t, n_in * n_out> make_q() noexcept {
      std::array<std::int8_t, n_in * n_out> q{};
      for (std::size_t o = 0; o < n_out; ++o)
        for (std::size_t j = 0; j < n_in; ++j)
          q[o * n_in + j] = ctml::detail::round_sat<std::int8_t>(Q::weight[o][j] / scales[o]);
      return q;
    }
    static constexpr std::array<std::int8_t, n_in * n_out> wq = make_q();
    static constexpr std::array<std::int32_t, n_out> make_c() noexcept {
      std::array<std::int32_t, n_out> t{};
      const std::int32_t zu_in = in_q.zero_point + 128;
      for (std::size_t o = 0; o < n_out; ++o) {
        std::int32_t sum_w = 0;
        for (std::size_t j = 0; j < n_in; ++j) sum_w += wq[o * n_in + j];
        t[o] = ctml::detail::round_sat<std::int32_t>(Q::bias[o] / (in_q.scale * scales[o])) - zu_in * sum_w;
      }
      return t;
    }
    static constexpr std::array<std::int32_t, n_out> c = make_c();
    // The real multiplier of each output. The head is not requantised to a
    // tensor: its outputs are only compared, on a common scale (max scale).
    static constexpr std::array<quant::multiplier, n_out> make_m() noexcept {
      std::array<quant::multiplier, n_out> t{};
      double max_scale = 0;
      for (std::size_t o = 0; o < n_out; ++o) max_scale = scales[o] > max_scale ? scales[o] : max_scale;
      for (std::size_t o = 0; o < n_out; ++o) {
        double m;
        if constexpr (is_head) m = 0.5 * scales[o] / max_scale;
        else m = in_q.scale * scales[o] / tensor_params<t_out>().scale;
        t[o] = quant::quantize_multiplier(m, mbits);
      }
      return t;
    }
    static constexpr std::array<quant::multiplier, n_out> mult = make_m();

    // 16-bit multipliers, |accumulator| < 2^23 and moderate shifts: the fast
    // requantisation (quant::requantize_fast) gives TFLite's result exactly.
    static constexpr bool fast_ok() noexcept {
      if (mbits > 15) return false;
      for (std::size_t o = 0; o < n_out; ++o) {
        std::int64_t bound = c[o] < 0 ? -std::int64_t{c[o]} : c[o];
        for (std::size_t j = 0; j < n_in; ++j) bound += 255 * (wq[o * n_in + j] < 0 ? -wq[o * n_in + j] : wq[o * n_in + j]);
        if (bound >= (std::int64_t{1} << 23) || mult[o].shift > 0 || mult[o].shift < -23) return false;
      }
      return true;
    }
    static constexpr bool fast = fast_ok();
    using entry = std::conditional_t<fast, fast_entry, exact_entry>;
    static constexpr std::array<entry, n_out> make_e() noexcept {
      std::array<entry, n_out> t{};
      for (std::size_t o = 0; o < n_out; ++o) {
        if constexpr (fast) {
          const auto f = quant::make_fast(mult[o]);
#if defined(__AVR__)
          t[o] = {c[o], f.m, f.s};
#else
          t[o] = {c[o], f.m, f.s, f.round};
#endif
        } else {
          t[o] = {c[o], mult[o].m0, static_cast<std::int8_t>(mult[o].shift)};
        }
      }
      return t;
    }
    // Rows of wu = w_q + 128; kernels::block rows at a time are interleaved
    // (w[o0][0], w[o0+1][0], ..., w[o0][1], ...) for kernels::dot_u8_block.
    // AVR with the fast requantisation: pairs of rows interleaved for
    // kernels::ctml_avr_dense, an odd last row paired with a zero row.
#if defined(__AVR__)
    static constexpr bool paired = fast && n_in <= 256 && n_out < 255;
#else
    static constexpr bool paired = false;
#endif
    static constexpr std::size_t rows = paired ? n_out + n_out % 2 : n_out;
    static constexpr std::array<std::uint8_t, n_in * rows> make_w() noexcept {
      std::array<std::uint8_t, n_in * rows> t{};
      constexpr std::size_t b = paired ? 2 : kernels::block;
      for (std::size_t o = 0; o < rows; ++o)
        for (std::size_t j = 0; j < n_in; ++j) {
          const std::size_t at = (b > 1 && o - o % b + b <= rows) ? (o - o % b) * n_in + j * b + o % b : o * n_in + j;
          t[at] = static_cast<std::uint8_t>((o < n_out ? wq[o * n_in + j] : 0) + 128);
        }
      return t;
    }
    CTML_FLASH static constexpr std::array<std::uint8_t, n_in * rows> w = make_w();
    CTML_FLASH static constexpr std::array<entry, n_out> e = make_e();
#if defined(__AVR__)
    static constexpr std::size_t desc_bytes = paired ? sizeof(avr_layer) : 0;
#else
    static constexpr std::size_t desc_bytes = 0;
#endif
    static constexpr std::size_t bytes = sizeof(w) + sizeof(e) + desc_bytes;

    // The requantised output o (before its zero point); `corr` = 128 * sum(u).
    static std::int32_t requant(std::int32_t dot, std::size_t o) noexcept {
      const entry* en = &e[o];
      if constexpr (fast) {
#if defined(__AVR__)
        return kernels::requantize_fast_avr(dot, en);
#else
        return quant::requantize_fast(flash_load(&en->c) + dot,
                                      {flash_load(&en->round), flash_load(&en->m), flash_load(&en->s)});
#endif
      } else {
        return quant::requantize(flash_load(&en->c) + dot, {flash_load(&en->m0), flash_load(&en->shift)});
      }
    }
    // Calls f(o, requantised output o) for o = 0, 1, ... n_out - 1.
    template <class F>
    CTML_ALWAYS_INLINE static void for_each_output(const std::uint8_t* x, std::int32_t corr, F&& f) noexcept {
      // Constant loop bounds: with a running index, GCC 12 misjudges an empty
      // tail loop (-Waggressive-loop-optimizations).
      constexpr std::size_t blocked = kernels::block > 1 ? n_out - n_out % kernels::block : 0;
      if constexpr (blocked > 0) {
        for (std::size_t o = 0; o < blocked; o += kernels::block) {
          std::array<std::uint32_t, kernels::block> d{};
          kernels::dot_u8_block<n_in>(w.data() + o * n_in, x, d.data());
          for (std::size_t k = 0; k < kernels::block; ++k) f(o + k, requant(static_cast<std::int32_t>(d[k]) - corr, o + k));
        }
      }
      if constexpr (blocked < n_out)
        for (std::size_t o = blocked; o < n_out; ++o)
          f(o, requant(static_cast<std::int32_t>(kernels::dot_u8<n_in>(w.data() + o * n_in, x)) - corr, o));
    }
    static constexpr auto out_q = tensor_params<t_out>();
    static constexpr std::int32_t lo =
        (fuses_relu<I>() ? (out_q.zero_point > -128 ? out_q.zero_point : -128) : -128) + 128;
#if defined(__AVR__)
    static constexpr avr_layer make_desc() noexcept {
      if constexpr (paired)
        return {w.data(), is_head ? nullptr : e.data(), static_cast<std::uint8_t>(n_in / 4),
                static_cast<std::uint8_t>(n_in % 4), static_cast<std::uint8_t>(n_out), static_cast<std::uint8_t>(out_q.zero_point + 128),
                static_cast<std::uint8_t>(lo)};
      else
        return {};
    }
    CTML_FLASH static constexpr avr_layer desc = make_desc();
#endif
    // `sum` = sum(u): the offsets' correction is 128 * sum.
    static void run(const std::uint8_t* x, std::uint8_t* y, std::uint32_t sum) noexcept {
#if defined(__AVR__)
      if constexpr (paired) {
        kernels::ctml_avr_dense(x, y, &desc, static_cast<std::uint16_t>(sum));
        return;
      }
#endif
      const auto corr = static_cast<std::int32_t>(sum * 128u);
      for_each_output(x, corr, [y](std::size_t o, std::int32_t r) {
        std::int32_t v = r + (out_q.zero_point + 128);
        v = v < lo ? lo : (v > 255 ? 255 : v);
        y[o] = static_cast<std::uint8_t>(v);
      });
    }
    static out_type head(const std::uint8_t* x, std::uint32_t sum) noexcept {
#if defined(__AVR__)
      if constexpr (paired) {
        std::array<std::int32_t, n_out> a;  // dot - 128 sum
        kernels::ctml_avr_dense(x, reinterpret_cast<std::uint8_t*>(a.data()), &desc, static_cast<std::uint16_t>(sum));
        if constexpr (P::head == head::argmax) {
          int best = 0;
          std::int32_t best_v = 0;
          for (std::size_t o = 0; o < n_out; ++o) {
            const std::int32_t v = kernels::requantize_fast_avr(a[o], &e[o]);
            if (o == 0 || v > best_v) { best = static_cast<int>(o); best_v = v; }
          }
          return best;
        } else {
          const std::int32_t acc = flash_load(&e[0].c) + a[0];
          if constexpr (P::head == head::logistic) return acc > 0 ? 1 : 0;
          else return static_cast<float>(acc) * static_cast<float>(in_q.scale * scales[0]);
        }
      } else
#endif
      if constexpr (const auto corr = static_cast<std::int32_t>(sum * 128u); P::head == head::argmax) {
        int best = 0;
        std::int32_t best_v = 0;
        for_each_output(x, corr, [&](std::size_t o, std::int32_t v) {
          if (o == 0 || v > best_v) { best = static_cast<int>(o); best_v = v; }
        });
        return best;
      } else {
        const std::int32_t acc =
            flash_load(&e[0].c) + static_cast<std::int32_t>(kernels::dot_u8<n_in>(w.data(), x)) - corr;
        if constexpr (P::head == head::logistic) return acc > 0 ? 1 : 0;
        else return static_cast<float>(acc) * static_cast<float>(in_q.scale * scales[0]);
      }
    }
  };

  // An int8 convolution: TFLite's per-channel scheme, as int8_dense, with
  // acc = b_q + sum over the taps of (u - zu_in) * w_q, where padding holds
  // the input's zero point (the real value 0: it adds nothing). The input is
  // padded in place first (kernels::pad_in_place; the buffers are sized for
  // it), so every output is one fixed-shape window: cpg channels of kh rows
  // of kw consecutive bytes, with weights stored signed as w_q. Then
  // acc = c + sum u * w_q with c = b_q - zu_in * sum w_q per output channel:
  // unsigned x signed 8-bit products and no per-window corrections. On AVR
  // the window is kernels::conv_window_avr (mulsu, 24-bit sums of products
  // offset by 2^15, the offsets folded into c); elsewhere plain loops the
  // compiler unrolls (ldrb, ldrsb, muls, adds on Cortex-M0).
  template <std::size_t I>
  struct int8_conv {
    using L = layer<I>;
    using G = geom<I>;
    static constexpr std::size_t cpg = L::in_channels / L::groups, opg = L::out_channels / L::groups;
    static constexpr std::size_t kh = L::kernel_h, kw = L::kernel_w;
    static constexpr std::size_t taps = cpg * kh * kw;
    static constexpr std::size_t n_out = L::out_channels;
    static constexpr std::size_t hp = G::h + 2 * L::pad_h, wp = G::w + 2 * L::pad_w;  // the padded input
    static constexpr std::size_t t_out = fuses_next<I>() ? I + 2 : I + 1;
    static constexpr quant::params in_q = tensor_params<I>();
    static constexpr quant::params out_q = tensor_params<t_out>();
    static constexpr std::int32_t zu_in = in_q.zero_point + 128;

    static constexpr std::array<double, n_out> make_scales() noexcept {
      std::array<double, n_out> s{};
      for (std::size_t o = 0; o < n_out; ++o) {
        double m = 0;
        for (std::size_t c = 0; c < cpg; ++c)
          for (std::size_t ky = 0; ky < kh; ++ky)
            for (std::size_t kx = 0; kx < kw; ++kx) {
              const double v = detail::abs_d(L::w(o, c, ky, kx));
              m = v > m ? v : m;
            }
        s[o] = m > 0 ? m / 127.0 : 1.0;
      }
      return s;
    }
    static constexpr std::array<double, n_out> scales = make_scales();
    static constexpr std::array<std::int8_t, n_out * taps> make_q() noexcept {
      std::array<std::int8_t, n_out * taps> q{};
      for (std::size_t o = 0; o < n_out; ++o)
        for (std::size_t c = 0; c < cpg; ++c)
          for (std::size_t ky = 0; ky < kh; ++ky)
            for (std::size_t kx = 0; kx < kw; ++kx)
              q[((o * cpg + c) * kh + ky) * kw + kx] = ctml::detail::round_sat<std::int8_t>(L::w(o, c, ky, kx) / scales[o]);
      return q;
    }
    static constexpr std::array<quant::multiplier, n_out> make_m() noexcept {
      std::array<quant::multiplier, n_out> t{};
      for (std::size_t o = 0; o < n_out; ++o) t[o] = quant::quantize_multiplier(in_q.scale * scales[o] / out_q.scale, mbits);
      return t;
    }
    static constexpr std::array<quant::multiplier, n_out> mult = make_m();
    /// Weights w_q, per output channel in (channel, row, column) order.
    CTML_FLASH static constexpr std::array<std::int8_t, n_out * taps> w = make_q();
    static constexpr std::array<std::int32_t, n_out> make_b() noexcept {
      std::array<std::int32_t, n_out> t{};
      for (std::size_t o = 0; o < n_out; ++o)
        t[o] = ctml::detail::round_sat<std::int32_t>(L::params::bias[o] / (in_q.scale * scales[o]));
      return t;
    }
    static constexpr std::array<std::int32_t, n_out> bq = make_b();
    static constexpr bool fast_ok() noexcept {
      if (mbits > 15) return false;
      for (std::size_t o = 0; o < n_out; ++o) {
        std::int64_t bound = bq[o] < 0 ? -std::int64_t{bq[o]} : bq[o];
        for (std::size_t k = 0; k < taps; ++k) bound += 255 * (w[o * taps + k] < 0 ? -w[o * taps + k] : w[o * taps + k]);
        if (bound >= (std::int64_t{1} << 23) || mult[o].shift > 0 || mult[o].shift < -23) return false;
      }
      return true;
    }
    static constexpr bool fast = fast_ok();
#if defined(__AVR__)
    // conv_window_avr sums u * w_q + 2^15 over at most 256 taps per call (24 bits).
    static constexpr std::size_t chunk = [] {  // channels per call
      std::size_t n = 256 / (kh * kw);
      n = n < 255 ? n : 255;
      return n < cpg ? n : cpg;
    }();
    static_assert(kh * kw <= 256 && kh <= 255 && kw <= 255 && wp * hp <= 65535,
                  "ctml: a conv layer on AVR has kernels of at most 256 taps and 64 KB padded channels");
    static constexpr std::int32_t offset = -32768 * static_cast<std::int32_t>(taps);
#else
    static constexpr std::int32_t offset = 0;
#endif
    using entry = std::conditional_t<fast, fast_entry, exact_entry>;
    static constexpr std::array<entry, n_out> make_e() noexcept {
      std::array<entry, n_out> t{};
      for (std::size_t o = 0; o < n_out; ++o) {
        std::int32_t sum_w = 0;
        for (std::size_t k = 0; k < taps; ++k) sum_w += w[o * taps + k];
        const std::int32_t c = bq[o] - zu_in * sum_w + offset;
        if constexpr (fast) {
          const auto f = quant::make_fast(mult[o]);
#if defined(__AVR__)
          t[o] = {c, f.m, f.s};
#else
          t[o] = {c, f.m, f.s, f.round};
#endif
        } else {
          t[o] = {c, mult[o].m0, static_cast<std::int8_t>(mult[o].shift)};
        }
      }
      return t;
    }
    CTML_FLASH static constexpr std::array<entry, n_out> e = make_e();
    static constexpr std::size_t bytes = sizeof(w) + sizeof(e);

    /// sum of u * w_q over the window at x (plus 2^15 per tap on AVR).
    CTML_ALWAYS_INLINE static std::int32_t window(const std::uint8_t* x, const std::int8_t* wo) noexcept {
#if defined(__AVR__)
      return [&]<std::size_t... K>(std::index_sequence<K...>) {
        return static_cast<std::int32_t>(
            (std::uint32_t{0} + ... +
             kernels::conv_window_avr<kw, kh, (cpg - K * chunk < chunk ? cpg - K * chunk : chunk), wp - kw, wp * (hp - kh)>(
                 x + K * chunk * hp * wp, wo + K * chunk * kh * kw)));
      }(std::make_index_sequence<(cpg + chunk - 1) / chunk>{});
#else
      std::int32_t acc = 0;
#pragma GCC unroll 1
      for (std::size_t c = 0; c < cpg; ++c)  // not unrolled: code size kh * kw taps, whatever cpg
#pragma GCC unroll 16
        for (std::size_t ky = 0; ky < kh; ++ky)
#pragma GCC unroll 16
          for (std::size_t kx = 0; kx < kw; ++kx)
            acc += static_cast<std::int32_t>(x[(c * hp + ky) * wp + kx]) * flash_load(&wo[(c * kh + ky) * kw + kx]);
      return acc;
#endif
    }

#if defined(__thumb__) && !defined(__thumb2__)
    /// Cortex-M0 (Thumb-1, ldrsb without an immediate offset): the windows at
    /// x and x + stride_w, two neighbouring outputs per weight load.
    static constexpr bool pairs = true;
    CTML_ALWAYS_INLINE static void window2(const std::uint8_t* x, const std::int8_t* wo, std::int32_t& a0,
                                           std::int32_t& a1) noexcept {
      std::int32_t s0 = 0, s1 = 0;
#pragma GCC unroll 1
      for (std::size_t c = 0; c < cpg; ++c)
#pragma GCC unroll 16
        for (std::size_t ky = 0; ky < kh; ++ky)
#pragma GCC unroll 16
          for (std::size_t kx = 0; kx < kw; ++kx) {
            const std::int32_t wv = flash_load(&wo[(c * kh + ky) * kw + kx]);
            s0 += static_cast<std::int32_t>(x[(c * hp + ky) * wp + kx]) * wv;
            s1 += static_cast<std::int32_t>(x[(c * hp + ky) * wp + kx + L::stride_w]) * wv;
          }
      a0 = s0;
      a1 = s1;
    }
#else
    static constexpr bool pairs = false;
#endif

    /// The output byte for the window sum acc of the output channel whose
    /// constants are at en (c: their `c`, read once per channel, except on AVR).
    CTML_ALWAYS_INLINE static std::uint8_t output(std::int32_t acc, const entry* en,
                                                  [[maybe_unused]] std::int32_t c) noexcept {
      constexpr std::int32_t lo = (fuses_relu<I>() ? (out_q.zero_point > -128 ? out_q.zero_point : -128) : -128) + 128;
      constexpr std::int32_t zu_out = out_q.zero_point + 128;
      std::int32_t r;
      if constexpr (fast) {
#if defined(__AVR__)
        r = kernels::requantize_fast_avr(acc, en);
#else
        r = quant::requantize_fast(acc + c, {flash_load(&en->round), flash_load(&en->m), flash_load(&en->s)});
#endif
      } else {
#if defined(__AVR__)
        r = quant::requantize(acc + flash_load(&en->c), {flash_load(&en->m0), flash_load(&en->shift)});
#else
        r = quant::requantize(acc + c, {flash_load(&en->m0), flash_load(&en->shift)});
#endif
      }
      std::int32_t v = r + zu_out;
      v = v < lo ? lo : (v > 255 ? 255 : v);
      return static_cast<std::uint8_t>(v);
    }

    /// x: the input, padded here in place (its buffer holds the padded size).
    static void run(std::uint8_t* x, std::uint8_t* y) noexcept {
      if constexpr (hp != G::h || wp != G::w)
        kernels::pad_in_place<G::c, G::h, G::w, L::pad_h, L::pad_w>(x, static_cast<std::uint8_t>(zu_in));
      for (std::size_t o = 0; o < n_out; ++o) {
        const std::int8_t* wo = w.data() + o * taps;
        const std::uint8_t* xo = x + (o / opg) * cpg * hp * wp;
        const entry* en = &e[o];
#if defined(__AVR__)
        constexpr std::int32_t c = 0;  // output() reads it
#else
        const std::int32_t c = flash_load(&en->c);
#endif
        for (std::size_t oy = 0; oy < G::oh; ++oy) {
          const std::uint8_t* xr = xo + oy * L::stride_h * wp;
          if constexpr (pairs && G::ow >= 2) {
            for (std::size_t ox = 0; ox < G::ow; ox += 2) {
              // an odd last output: the pair ending there (one copy of the code)
              const std::size_t at = ox + 2 <= G::ow ? ox : G::ow - 2;
              std::int32_t a0, a1;
              window2(xr + at * L::stride_w, wo, a0, a1);
              if (at == ox) *y++ = output(a0, en, c);
              *y++ = output(a1, en, c);
            }
          } else {
            for (std::size_t ox = 0; ox < G::ow; ++ox) *y++ = output(window(xr + ox * L::stride_w, wo), en, c);
          }
        }
      }
    }
  };

  // int8 pooling on the stored bytes (u = q + 128): max is order-preserving;
  // average is TFLite's, v = sum of q over the window, then (v + n / 2) / n
  // for v > 0 and (v - n / 2) / n otherwise (truncating: half away from
  // zero), from the sum of the bytes (v = sum u - 128 n) and a division of a
  // non-negative number by the constant n (kernels::div_small).
  template <std::size_t I>
  static void pool_int8(const std::uint8_t* x, std::uint8_t* y) noexcept {
    using L = layer<I>;
    using G = geom<I>;
    constexpr std::size_t n = L::kernel_h * L::kernel_w;
    using sum_t = std::conditional_t<(n <= 256), std::uint16_t, std::uint32_t>;
    constexpr auto zero = static_cast<sum_t>(128 * n);  // the sum of u when v = 0
    for (std::size_t c = 0; c < G::c; ++c)
      for (std::size_t oy = 0; oy < G::oh; ++oy) {
        const std::uint8_t* window = x + (c * G::h + oy * L::stride_h) * G::w;
        for (std::size_t ox = 0; ox < G::ow; ++ox, window += L::stride_w) {
          if constexpr (L::kind == pool::max) {
            std::uint8_t m = 0;
#pragma GCC unroll 16
            for (std::size_t ky = 0; ky < L::kernel_h; ++ky)
#pragma GCC unroll 16
              for (std::size_t kx = 0; kx < L::kernel_w; ++kx) m = window[ky * G::w + kx] > m ? window[ky * G::w + kx] : m;
            *y++ = m;
          } else {
            sum_t u = 0;
#pragma GCC unroll 16
            for (std::size_t ky = 0; ky < L::kernel_h; ++ky)
#pragma GCC unroll 16
              for (std::size_t kx = 0; kx < L::kernel_w; ++kx) u = static_cast<sum_t>(u + window[ky * G::w + kx]);
            *y++ = u > zero
                       ? static_cast<std::uint8_t>(128 + kernels::div_small<n>(static_cast<sum_t>(u - zero + n / 2)))
                       : static_cast<std::uint8_t>(128 - kernels::div_small<n>(static_cast<sum_t>(zero - u + n / 2)));
          }
        }
      }
  }

  template <std::size_t I>
  struct int8_lut {
    static constexpr quant::params in_q = tensor_params<I>();
    static constexpr quant::params out_q = tensor_params<I + 1>();
    static constexpr std::array<std::uint8_t, 256> make() noexcept {
      std::array<std::uint8_t, 256> t{};
      for (int u = 0; u < 256; ++u) {
        const double v = in_q.scale * (u - 128 - in_q.zero_point);
        double y = v;
        if constexpr (layer<I>::kind == act::relu) y = v > 0 ? v : 0.0;
        else if constexpr (layer<I>::kind == act::sigmoid) y = 1.0 / (1.0 + ctml::math::exp(-v));
        else if constexpr (layer<I>::kind == act::tanh) y = 1.0 - 2.0 / (ctml::math::exp(2.0 * v) + 1.0);
        t[static_cast<std::size_t>(u)] = static_cast<std::uint8_t>(quant::quantize(y, out_q) + 128);
      }
      return t;
    }
    CTML_FLASH static constexpr std::array<std::uint8_t, 256> table = make();
    static void run(const std::uint8_t* x, std::uint8_t* y) noexcept {
      for (std::size_t i = 0; i < tensor_size<I + 1>; ++i) y[i] = flash_load(&table[x[i]]);
    }
  };

  // `sum0`: the sum of the input bytes when the caller has it (Given: layer
  // 0, in_extent < 257); otherwise each dense layer sums its input.
  template <std::size_t I, bool Given = false>
  static out_type run_int8(std::uint8_t* a, std::uint8_t* b, std::uint16_t sum0 = 0) noexcept {
    using L = layer<I>;
    const auto sum = [&]() -> std::uint32_t {
      if constexpr (Given) return sum0;
      else return kernels::sum_u8<tensor_size<I>>(a);
    };
    if constexpr (I == head_at) {
      return int8_dense<I>::head(a, sum());
    } else if constexpr (is_dense<L>) {
      int8_dense<I>::run(a, b, sum());
      return run_int8<fuses_next<I>() ? I + 2 : I + 1>(b, a);
    } else if constexpr (is_conv<L>) {
      int8_conv<I>::run(a, b);
      return run_int8<fuses_next<I>() ? I + 2 : I + 1>(b, a);
    } else if constexpr (is_pool<L>) {
      pool_int8<I>(a, b);
      return run_int8<I + 1>(b, a);
    } else if constexpr (is_activation<L>) {
      static_assert(L::kind != act::softmax, "ctml: int8 networks support softmax only as the last layer");
      int8_lut<I>::run(a, b);
      return run_int8<I + 1>(b, a);
    } else {
      return run_int8<I + 1, Given>(a, b, sum0);  // flatten: the same bytes
    }
  }

  // The layers from the input bytes a (their sum is `sum`): one copy for
  // predict and predict_quantized.
  [[gnu::noinline]] static out_type run_from_input(std::uint8_t* a, std::uint8_t* b, std::uint16_t sum) noexcept {
    return run_int8<0, (in_extent < 257)>(a, b, sum);
  }

  template <std::size_t... I>
  static constexpr std::size_t sum_tables(std::index_sequence<I...>) noexcept {
    return (std::size_t{0} + ... + table_bytes<I>());
  }
  template <std::size_t I>
  static constexpr std::size_t table_bytes() noexcept {
    if constexpr (is_dense<layer<I>>) {
      if constexpr (is_int8) return int8_dense<I>::bytes;
      else return f32_tables<layer<I>>::bytes;
    } else if constexpr (is_conv<layer<I>>) {
      if constexpr (is_int8) return int8_conv<I>::bytes;
      else return conv_f32_tables<layer<I>>::bytes;
    } else if constexpr (is_int8 && is_activation<layer<I>>) {
      if constexpr (I < head_at && layer<I>::kind != act::softmax) {
        if constexpr (I > 0 && fuses_next<I - 1>()) return 0;
        else return 256;
      } else {
        return 0;
      }
    } else {
      return 0;
    }
  }
  // Code of predict, predict_quantized and quantize_input: fitted to the
  // linker's numbers for the benchmark networks (tests/bench/nn, -O2):
  // a fixed part plus a part per dense layer, per target family.
  static constexpr std::size_t dense_code_bytes() noexcept {
    [[maybe_unused]] std::size_t dense = 0, dense16 = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((dense += is_dense<layer<I>> ? 1 : 0), ...);
      ((dense16 += [] {
         if constexpr (is_dense<layer<I>>) return layer<I>::n_in % 16 == 0 ? 1 : 0;
         else return 0;
       }()),
       ...);
    }(std::make_index_sequence<n_layers>{});
    if constexpr (!is_int8)  // f32: kernels and glue (Cortex-M0 -O2), the float library where it is software
      return 160 + static_cast<std::size_t>(ctml::detail::nn_soft_float_code);
    [[maybe_unused]] constexpr bool fast_only = mbits <= 15;
#if defined(__AVR__)
    // fast: one shared layer routine (kernels::ctml_avr_dense) and the input
    // quantisation, a little glue per layer, requantisation for an argmax head.
    return fast_only ? 950 + 60 * dense + (P::head == head::argmax ? 285 : 0) : 2030 + 320 * dense;
#elif defined(__arm__) || defined(__thumb__) || defined(__riscv)
    return fast_only ? 330 * dense : 560 + 530 * dense;
#else
    // Hosts (x86-64 -O2): dense16 counts the dense layers whose rows are a
    // multiple of 16 long (the compiler vectorises them).
    return fast_only ? 2080 + 1050 * dense16 : 3040 + 950 * dense16;
#endif
  }
  // Code of the conv and pooling layers: ctml::detail::nn_conv_target_code,
  // with taps counted as the kernels unroll them.
  template <std::size_t I>
  static constexpr std::int32_t conv_layer_code(const ctml::detail::nn_conv_code& k) noexcept {
    using L = layer<I>;
    if constexpr (is_conv<L>) {
      constexpr std::size_t kw = L::kernel_w < 16 ? L::kernel_w : 16;  // rows and columns unroll up to 16
#if defined(__AVR__)
      constexpr std::size_t taps = kw;
#elif defined(__thumb__) && !defined(__thumb2__)
      constexpr std::size_t taps = (L::kernel_h < 16 ? L::kernel_h : 16) * kw * (geom<I>::ow >= 2 ? 2 : 1);
#else
      constexpr std::size_t taps = (L::kernel_h < 16 ? L::kernel_h : 16) * kw;
#endif
      return k.conv + k.per_tap * static_cast<std::int32_t>(taps) + (L::pad_h + L::pad_w > 0 ? k.padded : 0);
    } else if constexpr (is_pool<L>) {
      return k.pool;
    } else {
      return 0;
    }
  }
  static constexpr std::size_t code_bytes() noexcept {
    constexpr auto& k = !is_int8 ? ctml::detail::nn_conv_target_code.f32
                                 : (mbits <= 15 ? ctml::detail::nn_conv_target_code.int8_fast
                                                : ctml::detail::nn_conv_target_code.int8);
    std::int32_t conv = 0;
    bool any = false;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((conv += conv_layer_code<I>(k)), ...);
      any = (... || (is_conv<layer<I>> || is_pool<layer<I>>));
    }(std::make_index_sequence<n_layers>{});
    const std::int32_t total = static_cast<std::int32_t>(dense_code_bytes()) + conv + (any ? k.fixed : 0);
    return total > 0 ? static_cast<std::size_t>(total) : 0;
  }
  template <std::size_t... I>
  static constexpr std::size_t count_macs(std::index_sequence<I...>) noexcept {
    std::size_t n = 0;
    ((n += [] {
       if constexpr (is_dense<layer<I>>) {
         return layer<I>::n_in * layer<I>::n_out;
       } else if constexpr (is_conv<layer<I>>) {
         using L = layer<I>;
         return tensor_size<I + 1> * (L::in_channels / L::groups) * L::kernel_h * L::kernel_w;
       } else {
         return std::size_t{0};
       }
     }()),
     ...);
    return n;
  }

 public:
  static constexpr std::size_t n_classes =
      P::head == head::argmax ? n_outputs : (P::head == head::logistic ? 2 : 0);

  /// int8: the input's quantisation (q = round(x / input_scale) + input_zero_point).
  static constexpr double input_scale = [] {
    if constexpr (is_int8) return tensor_params<0>().scale;
    else return 1.0;
  }();
  static constexpr std::int32_t input_zero_point = [] {
    if constexpr (is_int8) return tensor_params<0>().zero_point;
    else return std::int32_t{0};
  }();

  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return sum_tables(std::make_index_sequence<n_layers>{}) + code_bytes();
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return is_int8 ? int8_buffers()[0] + int8_buffers()[1] : 2 * max_tensor() * sizeof(float);
  }
  /// Multiply-accumulates per prediction.
  [[nodiscard]] static constexpr std::size_t cost() noexcept {
    return count_macs(std::make_index_sequence<n_layers>{});
  }

  [[nodiscard]] out_type predict(std::span<const float, in_extent> x) const noexcept {
    if constexpr (is_int8) {
      static_assert(detail::check_calibrated<P::calibrated>::ok);
      if constexpr (P::calibrated) {
        std::array<std::uint8_t, int8_buffers()[0]> a;
        std::array<std::uint8_t, int8_buffers()[1]> b;
        constexpr auto zu = static_cast<std::int16_t>(tensor_params<0>().zero_point + 128);
        const std::uint16_t sum = kernels::quantize_u8<input_shift()>(x.data(), a.data(), in_extent, zu);
        return run_from_input(a.data(), b.data(), sum);
      } else {
        return out_type{};
      }
    } else {
      std::array<float, max_tensor()> a, b;
      for (std::size_t i = 0; i < in_extent; ++i) a[i] = x[i];
      run_f32<0, head_at>(a.data(), b.data());
      return read_head_f32(a.data());
    }
  }
  [[nodiscard]] out_type predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }

  /// int8: the input quantised as `predict` does (q = round(x / input_scale)
  /// + input_zero_point, saturated; NaN -> the zero point).
  [[nodiscard]] static std::array<std::int8_t, in_extent> quantize_input(std::span<const float, in_extent> x) noexcept
    requires(is_int8)
  {
    std::array<std::int8_t, in_extent> q{};
    constexpr auto zu = static_cast<std::int16_t>(tensor_params<0>().zero_point + 128);
    std::array<std::uint8_t, in_extent> u;
    kernels::quantize_u8<input_shift()>(x.data(), u.data(), in_extent, zu);
    for (std::size_t i = 0; i < in_extent; ++i) q[i] = static_cast<std::int8_t>(u[i] ^ 0x80u);
    return q;
  }

  /// int8: the prediction for an input already quantised (int8 q values).
  [[nodiscard]] out_type predict_quantized(std::span<const std::int8_t, in_extent> q) const noexcept
    requires(is_int8)
  {
    static_assert(detail::check_calibrated<P::calibrated>::ok);
    std::array<std::uint8_t, int8_buffers()[0]> a;
    std::array<std::uint8_t, int8_buffers()[1]> b;
    std::uint16_t sum = 0;
    for (std::size_t i = 0; i < in_extent; ++i) sum = static_cast<std::uint16_t>(sum + (a[i] = static_cast<std::uint8_t>(q[i] ^ 0x80)));
    return run_from_input(a.data(), b.data(), sum);
  }

  /// f32: the outputs of the last layer (softmax/sigmoid applied if present).
  void outputs(std::span<const float, in_extent> x, std::span<float, tensor_size<n_layers>> y) const noexcept
    requires(!is_int8)
  {
    std::array<float, max_tensor()> a, b;
    for (std::size_t i = 0; i < in_extent; ++i) a[i] = x[i];
    run_f32<0, n_layers - 1>(a.data(), b.data());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = a[i];
  }

  void run(std::span<const float, in_extent> x, std::span<out_type, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }
};

}  // namespace ctml::nn

namespace ctml {
using nn::network;
}  // namespace ctml
