// The float32 layers of a network: float32 weights and activations, float
// accumulation in scikit-learn's order (x @ W, then + b, per output);
// convolutions sum each output's taps in (channel, row, column) order, then
// add the bias. Inner loops are the target's (arch::dot_f32, arch::exp_f).
#pragma once

#include <array>
#include <cstddef>

#include <ctml/arch.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/nn/layers.hpp>

namespace ctml::nn::detail {

template <class Plan>
struct f32_path {
  using P = typename Plan::params;
  template <std::size_t I> using layer = typename Plan::template layer<I>;
  template <std::size_t I> using geom = typename Plan::template geom<I>;
  template <std::size_t T> static constexpr std::size_t tensor_size = Plan::template tensor_size<T>;
  using out_type = typename Plan::out_type;

  template <class D>
  struct dense_tables {
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
  static void dense_layer(const float* x, float* y) noexcept {
    using t = dense_tables<D>;
    for (std::size_t o = 0; o < D::n_out; ++o)
      y[o] = arch::dot_f32<D::n_in>(t::w.data() + o * D::n_in, x) + flash_load(&t::b[o]);
  }

  template <act A, std::size_t N>
  static void activation(const float* x, float* y) noexcept {
    if constexpr (A == act::softmax) {
      float m = x[0];
      for (std::size_t i = 1; i < N; ++i) m = x[i] > m ? x[i] : m;
      float s = 0.0f;
      for (std::size_t i = 0; i < N; ++i) s += (y[i] = arch::exp_f(x[i] - m));
      for (std::size_t i = 0; i < N; ++i) y[i] /= s;
    } else {
      for (std::size_t i = 0; i < N; ++i) {
        const float v = x[i];
        if constexpr (A == act::identity) y[i] = v;
        else if constexpr (A == act::relu) y[i] = v > 0.0f ? v : 0.0f;
        else if constexpr (A == act::sigmoid) y[i] = 1.0f / (1.0f + arch::exp_f(-v));
        else {  // tanh = 1 - 2 / (exp(2v) + 1)
          y[i] = 1.0f - 2.0f / (arch::exp_f(2.0f * v) + 1.0f);
        }
      }
    }
  }

  template <class L>
  struct conv_tables {
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

  // Calls tap(o, i, k) for every tap of every output that reads the input
  // (padding taps are skipped: they add zero), with `i` the input index and
  // `k` the weight index; done(o, output index) after each output.
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
  static void conv_layer(const float* x, float* y) noexcept {
    using t = conv_tables<layer<I>>;
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
  static void pool_layer(const float* x, float* y) noexcept {
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
  static void run(float* a, float* b) noexcept {
    using L = layer<I>;
    if constexpr (is_dense<L>) {
      dense_layer<L>(a, b);
    } else if constexpr (is_conv<L>) {
      conv_layer<I>(a, b);
    } else if constexpr (is_pool<L>) {
      pool_layer<I>(a, b);
    } else if constexpr (is_activation<L>) {
      activation<L::kind, tensor_size<I + 1>>(a, b);
    } else {
      for (std::size_t i = 0; i < tensor_size<I + 1>; ++i) b[i] = a[i];  // flatten
    }
    if constexpr (I < Last) run<I + 1, Last>(b, a);
    else for (std::size_t i = 0; i < tensor_size<I + 1>; ++i) a[i] = b[i];
  }

  /// The prediction from the head layer's outputs z (before softmax/sigmoid).
  static out_type read_head(const float* z) noexcept {
    if constexpr (P::head == head::value) {
      return z[0];
    } else if constexpr (P::head == head::logistic) {
      return z[0] > 0.0f ? 1 : 0;
    } else {
      int best = 0;
      for (std::size_t o = 1; o < Plan::n_outputs; ++o)
        if (z[o] > z[best]) best = static_cast<int>(o);
      return best;
    }
  }

  /// Flash of layer I's tables.
  template <std::size_t I>
  static constexpr std::size_t table_bytes() noexcept {
    if constexpr (is_dense<layer<I>>) return dense_tables<layer<I>>::bytes;
    else if constexpr (is_conv<layer<I>>) return conv_tables<layer<I>>::bytes;
    else return 0;
  }
};

}  // namespace ctml::nn::detail
