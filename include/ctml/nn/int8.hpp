// The int8 layers of a network: TFLite's affine int8 scheme (nn/quant.hpp),
// every scale, zero point and multiplier derived at compile time from the
// header's float parameters and calibration ranges. Activations are stored
// as bytes u = q + 128 (unsigned 8x8-bit products); dense and conv layers
// share the per-channel quantisation (nn/per_channel.hpp) and fuse a
// following relu or identity (a clamp); sigmoid and tanh are 256-entry
// tables computed at compile time; max and average pooling work on the
// stored bytes and keep their input's scale and zero point (TFLite). Inner
// loops are the target's (ctml/arch.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <ctml/arch.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/nn/layers.hpp>
#include <ctml/nn/per_channel.hpp>
#include <ctml/nn/plan.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/number/math.hpp>

namespace ctml::nn::detail {

/// Spreads a (C, H, W) tensor of bytes at x into (C, H + 2 PH, W + 2 PW) in
/// place, the border filled with `fill`; backwards, so that no byte is
/// overwritten before it has moved (x must hold the padded size).
template <std::size_t C, std::size_t H, std::size_t W, std::size_t PH, std::size_t PW>
inline void pad_in_place(std::uint8_t* x, std::uint8_t fill) noexcept {
  constexpr std::size_t wp = W + 2 * PW;
  std::uint8_t* d = x + C * (H + 2 * PH) * wp;
  const std::uint8_t* s = x + C * H * W;
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t i = 0; i < PH * wp + PW; ++i) *--d = fill;  // bottom rows, right of the last row
    for (std::size_t y = 0; y < H; ++y) {
      for (std::size_t i = 0; i < W; ++i) *--d = *--s;
      if (y + 1 < H)
        for (std::size_t i = 0; i < 2 * PW; ++i) *--d = fill;  // left of this row, right of the one above
    }
    for (std::size_t i = 0; i < PH * wp + PW; ++i) *--d = fill;  // left of the first row, top rows
  }
}

template <class Plan>
struct int8_path {
  using P = typename Plan::params;
  using out_type = typename Plan::out_type;
  template <std::size_t I> using layer = typename Plan::template layer<I>;
  template <std::size_t I> using geom = typename Plan::template geom<I>;
  template <std::size_t T> static constexpr std::size_t tensor_size = Plan::template tensor_size<T>;
  static constexpr std::size_t head_at = Plan::head_at;

  /// The lowest stored output byte of layer I: its zero point when it fuses a relu.
  template <std::size_t I>
  static constexpr std::int32_t clamp_lo() noexcept {
    constexpr auto out_q = Plan::template tensor_params<Plan::template output_of<I>>();
    return (Plan::template fuses_relu<I>() ? (out_q.zero_point > -128 ? out_q.zero_point : -128) : -128) + 128;
  }

  // -------------------------------------------------------------------------
  // Dense: acc = c + sum(u * wu) - 128 * sum(u) with wu = w_q + 128 (unsigned
  // products; the per-layer correction 128 * sum(u) is shared by all rows).
  template <std::size_t I>
  struct dense {
    using D = layer<I>;
    using Q = typename D::params;
    static constexpr std::size_t n_in = D::n_in, n_out = D::n_out;
    static constexpr bool is_head = I == head_at;
    static constexpr quant::params in_q = Plan::template tensor_params<I>();
    static constexpr auto out_q = Plan::template tensor_params<Plan::template output_of<I>>();
    struct source {
      static constexpr std::size_t n_out = D::n_out, taps = D::n_in;
      static constexpr double weight(std::size_t o, std::size_t k) noexcept { return Q::weight[o][k]; }
      static constexpr double bias(std::size_t o) noexcept { return Q::bias[o]; }
      static constexpr quant::params in_q = Plan::template tensor_params<I>();
      static constexpr bool is_head = I == head_at;
      static constexpr double out_scale = out_q.scale;
      static constexpr int mbits = Plan::mbits;
      static constexpr std::int32_t offset = 0;
    };
    using pc = per_channel<source>;
    using entry = typename pc::entry;
    static constexpr bool fast = pc::fast;

    // The target's whole-layer routine (arch::dense_pairs) takes hidden
    // layers with the fast requantisation and n_in <= 256, two rows per pass.
    static constexpr bool paired = arch::has_dense_pairs && fast && n_in <= 256 && n_out < 255;
    static constexpr std::size_t rows = paired ? n_out + n_out % 2 : n_out;
    // Rows of wu = w_q + 128; arch::u8_block rows at a time are interleaved
    // (w[o0][0], w[o0+1][0], ..., w[o0][1], ...) for arch::dot_u8_block;
    // paired: pairs of rows interleaved, an odd last row paired with a zero row.
    static constexpr std::array<std::uint8_t, n_in * rows> make_w() noexcept {
      std::array<std::uint8_t, n_in * rows> t{};
      constexpr std::size_t b = paired ? 2 : arch::u8_block;
      for (std::size_t o = 0; o < rows; ++o)
        for (std::size_t j = 0; j < n_in; ++j) {
          const std::size_t at = (b > 1 && o - o % b + b <= rows) ? (o - o % b) * n_in + j * b + o % b : o * n_in + j;
          t[at] = static_cast<std::uint8_t>((o < n_out ? pc::wq[o * n_in + j] : 0) + 128);
        }
      return t;
    }
    CTML_FLASH static constexpr std::array<std::uint8_t, n_in * rows> w = make_w();
    static constexpr std::size_t desc_bytes = paired ? sizeof(arch::dense_pair_layer<arch::fast_entry>) : 0;
    static constexpr std::size_t bytes = sizeof(w) + sizeof(pc::e) + desc_bytes;

    // The requantised output o (before its zero point) for dot - 128 sum(u).
    static std::int32_t requant(std::int32_t dot, std::size_t o) noexcept {
      return pc::template requantize<true>(dot, &pc::e[o]);
    }
    // Calls f(o, requantised output o) for o = 0, 1, ... n_out - 1.
    template <class F>
    CTML_ALWAYS_INLINE static void for_each_output(const std::uint8_t* x, std::int32_t corr, F&& f) noexcept {
      // Constant loop bounds: with a running index, GCC 12 misjudges an empty
      // tail loop (-Waggressive-loop-optimizations).
      constexpr std::size_t block = arch::u8_block;
      constexpr std::size_t blocked = block > 1 ? n_out - n_out % block : 0;
      if constexpr (blocked > 0) {
        for (std::size_t o = 0; o < blocked; o += block) {
          std::array<std::uint32_t, block> d{};
          arch::dot_u8_block<n_in>(w.data() + o * n_in, x, d.data());
          for (std::size_t k = 0; k < block; ++k) f(o + k, requant(static_cast<std::int32_t>(d[k]) - corr, o + k));
        }
      }
      if constexpr (blocked < n_out)
        for (std::size_t o = blocked; o < n_out; ++o)
          f(o, requant(static_cast<std::int32_t>(arch::dot_u8<n_in>(w.data() + o * n_in, x)) - corr, o));
    }
    static constexpr std::int32_t lo = clamp_lo<I>();
    static constexpr arch::dense_pair_layer<arch::fast_entry> make_desc() noexcept {
      if constexpr (paired)
        return {w.data(), is_head ? nullptr : pc::e.data(), static_cast<std::uint8_t>(n_in / 4),
                static_cast<std::uint8_t>(n_in % 4), static_cast<std::uint8_t>(n_out),
                static_cast<std::uint8_t>(out_q.zero_point + 128), static_cast<std::uint8_t>(lo)};
      else
        return {};
    }
    CTML_FLASH static constexpr arch::dense_pair_layer<arch::fast_entry> desc = make_desc();

    // `sum` = sum(u): the offsets' correction is 128 * sum.
    static void run(const std::uint8_t* x, std::uint8_t* y, std::uint32_t sum) noexcept {
      if constexpr (paired) {
        arch::dense_pairs(x, y, &desc, static_cast<std::uint16_t>(sum));
      } else {
        const auto corr = static_cast<std::int32_t>(sum * 128u);
        for_each_output(x, corr, [y](std::size_t o, std::int32_t r) {
          std::int32_t v = r + (out_q.zero_point + 128);
          v = v < lo ? lo : (v > 255 ? 255 : v);
          y[o] = static_cast<std::uint8_t>(v);
        });
      }
    }
    static out_type head(const std::uint8_t* x, std::uint32_t sum) noexcept {
      if constexpr (paired) {
        std::array<std::int32_t, n_out> a;  // dot - 128 sum
        arch::dense_pairs(x, reinterpret_cast<std::uint8_t*>(a.data()), &desc, static_cast<std::uint16_t>(sum));
        if constexpr (P::head == head::argmax) {
          int best = 0;
          std::int32_t best_v = 0;
          for (std::size_t o = 0; o < n_out; ++o) {
            const std::int32_t v = requant(a[o], o);
            if (o == 0 || v > best_v) { best = static_cast<int>(o); best_v = v; }
          }
          return best;
        } else {
          const std::int32_t acc = flash_load(&pc::e[0].c) + a[0];
          if constexpr (P::head == head::logistic) return acc > 0 ? 1 : 0;
          else return static_cast<float>(acc) * static_cast<float>(in_q.scale * pc::scales[0]);
        }
      } else if constexpr (const auto corr = static_cast<std::int32_t>(sum * 128u); P::head == head::argmax) {
        int best = 0;
        std::int32_t best_v = 0;
        for_each_output(x, corr, [&](std::size_t o, std::int32_t v) {
          if (o == 0 || v > best_v) { best = static_cast<int>(o); best_v = v; }
        });
        return best;
      } else {
        const std::int32_t acc =
            flash_load(&pc::e[0].c) + static_cast<std::int32_t>(arch::dot_u8<n_in>(w.data(), x)) - corr;
        if constexpr (P::head == head::logistic) return acc > 0 ? 1 : 0;
        else return static_cast<float>(acc) * static_cast<float>(in_q.scale * pc::scales[0]);
      }
    }
  };

  // -------------------------------------------------------------------------
  // Convolution: acc = b_q + sum over the taps of (u - zu_in) * w_q, where
  // padding holds the input's zero point (the real value 0: it adds
  // nothing). The input is padded in place first (pad_in_place; the buffers
  // are sized for it), so every output is one fixed-shape window: cpg
  // channels of kh rows of kw consecutive bytes, weights stored signed as
  // w_q, acc = c + sum u * w_q (arch::conv_window; the target's per-tap
  // offset, arch::conv_tap_offset, is folded into c).
  template <std::size_t I>
  struct conv {
    using L = layer<I>;
    using G = geom<I>;
    static constexpr std::size_t cpg = L::in_channels / L::groups, opg = L::out_channels / L::groups;
    static constexpr std::size_t kh = L::kernel_h, kw = L::kernel_w;
    static constexpr std::size_t taps = cpg * kh * kw;
    static constexpr std::size_t n_out = L::out_channels;
    static constexpr std::size_t hp = G::h + 2 * L::pad_h, wp = G::w + 2 * L::pad_w;  // the padded input
    static constexpr quant::params in_q = Plan::template tensor_params<I>();
    static constexpr quant::params out_q = Plan::template tensor_params<Plan::template output_of<I>>();
    struct source {
      static constexpr std::size_t n_out = L::out_channels, taps = cpg * kh * kw;
      static constexpr double weight(std::size_t o, std::size_t k) noexcept {
        return L::w(o, k / (kh * kw), (k / kw) % kh, k % kw);
      }
      static constexpr double bias(std::size_t o) noexcept { return L::params::bias[o]; }
      static constexpr quant::params in_q = Plan::template tensor_params<I>();
      static constexpr bool is_head = false;
      static constexpr double out_scale = out_q.scale;
      static constexpr int mbits = Plan::mbits;
      static constexpr std::int32_t offset = -arch::conv_tap_offset * static_cast<std::int32_t>(taps);
    };
    using pc = per_channel<source>;
    using entry = typename pc::entry;
    static constexpr std::int32_t zu_in = pc::zu_in;
    /// Weights w_q, per output channel in (channel, row, column) order.
    CTML_FLASH static constexpr std::array<std::int8_t, n_out * taps> w = pc::wq;
    static constexpr std::size_t bytes = sizeof(w) + sizeof(pc::e);
    // Where the target's requantiser does not read c itself, c is read once per channel.
    static constexpr bool hoist_c = !arch::requantize_reads_bias;

    /// The output byte for the window sum acc of the output channel whose
    /// constants are at en (c: their `c` when hoisted).
    CTML_ALWAYS_INLINE static std::uint8_t output(std::int32_t acc, const entry* en,
                                                  [[maybe_unused]] std::int32_t c) noexcept {
      constexpr std::int32_t lo = clamp_lo<I>();
      constexpr std::int32_t zu_out = out_q.zero_point + 128;
      std::int32_t r;
      if constexpr (hoist_c) r = pc::template requantize<false>(acc + c, en);
      else r = pc::template requantize<true>(acc, en);
      std::int32_t v = r + zu_out;
      v = v < lo ? lo : (v > 255 ? 255 : v);
      return static_cast<std::uint8_t>(v);
    }

    /// x: the input, padded here in place (its buffer holds the padded size).
    static void run(std::uint8_t* x, std::uint8_t* y) noexcept {
      if constexpr (hp != G::h || wp != G::w)
        pad_in_place<G::c, G::h, G::w, L::pad_h, L::pad_w>(x, static_cast<std::uint8_t>(zu_in));
      for (std::size_t o = 0; o < n_out; ++o) {
        const std::int8_t* wo = w.data() + o * taps;
        const std::uint8_t* xo = x + (o / opg) * cpg * hp * wp;
        const entry* en = &pc::e[o];
        const std::int32_t c = hoist_c ? flash_load(&en->c) : 0;
        for (std::size_t oy = 0; oy < G::oh; ++oy) {
          const std::uint8_t* xr = xo + oy * L::stride_h * wp;
          if constexpr (arch::conv_output_pairs && G::ow >= 2) {
            for (std::size_t ox = 0; ox < G::ow; ox += 2) {
              // an odd last output: the pair ending there (one copy of the code)
              const std::size_t at = ox + 2 <= G::ow ? ox : G::ow - 2;
              std::int32_t a0, a1;
              arch::conv_window2<cpg, kh, kw, hp, wp, L::stride_w>(xr + at * L::stride_w, wo, a0, a1);
              if (at == ox) *y++ = output(a0, en, c);
              *y++ = output(a1, en, c);
            }
          } else {
            for (std::size_t ox = 0; ox < G::ow; ++ox)
              *y++ = output(arch::conv_window<cpg, kh, kw, hp, wp>(xr + ox * L::stride_w, wo), en, c);
          }
        }
      }
    }
  };

  // -------------------------------------------------------------------------
  // Pooling on the stored bytes (u = q + 128): max is order-preserving;
  // average is TFLite's, v = sum of q over the window, then (v + n / 2) / n
  // for v > 0 and (v - n / 2) / n otherwise (truncating: half away from
  // zero), from the sum of the bytes (v = sum u - 128 n) and a division of a
  // non-negative number by the constant n (arch::div_small).
  template <std::size_t I>
  static void pool_layer(const std::uint8_t* x, std::uint8_t* y) noexcept {
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
                       ? static_cast<std::uint8_t>(128 + arch::div_small<n>(static_cast<sum_t>(u - zero + n / 2)))
                       : static_cast<std::uint8_t>(128 - arch::div_small<n>(static_cast<sum_t>(zero - u + n / 2)));
          }
        }
      }
  }

  // -------------------------------------------------------------------------
  // Activations that do not fuse: a 256-entry table.
  template <std::size_t I>
  struct lut {
    static constexpr quant::params in_q = Plan::template tensor_params<I>();
    static constexpr quant::params out_q = Plan::template tensor_params<I + 1>();
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

  template <act A>
  struct check_softmax_last {
    static_assert(A != act::softmax,
                  "ctml: int8 networks support softmax only as the last layer: move it to the end, or use f32");
    static constexpr bool ok = A != act::softmax;
  };

  // `sum0`: the sum of the input bytes when the caller has it (Given: layer
  // 0, in_extent < 257); otherwise each dense layer sums its input.
  template <std::size_t I, bool Given = false>
  static out_type run(std::uint8_t* a, std::uint8_t* b, std::uint16_t sum0 = 0) noexcept {
    using L = layer<I>;
    const auto sum = [&]() -> std::uint32_t {
      if constexpr (Given) return sum0;
      else return arch::sum_u8<tensor_size<I>>(a);
    };
    if constexpr (I == head_at) {
      return dense<I>::head(a, sum());
    } else if constexpr (is_dense<L>) {
      dense<I>::run(a, b, sum());
      return run<Plan::template output_of<I>>(b, a);
    } else if constexpr (is_conv<L>) {
      conv<I>::run(a, b);
      return run<Plan::template output_of<I>>(b, a);
    } else if constexpr (is_pool<L>) {
      pool_layer<I>(a, b);
      return run<I + 1>(b, a);
    } else if constexpr (is_activation<L>) {
      if constexpr (check_softmax_last<L::kind>::ok) lut<I>::run(a, b);
      return run<I + 1>(b, a);
    } else {
      return run<I + 1, Given>(a, b, sum0);  // flatten: the same bytes
    }
  }

  // The layers from the input bytes a (their sum is `sum`): one copy for
  // predict and predict_quantized.
  [[gnu::noinline]] static out_type run_from_input(std::uint8_t* a, std::uint8_t* b, std::uint16_t sum) noexcept {
    return run<0, (Plan::in_extent < 257)>(a, b, sum);
  }

  /// Flash of layer I's tables.
  template <std::size_t I>
  static constexpr std::size_t table_bytes() noexcept {
    if constexpr (is_dense<layer<I>>) {
      return dense<I>::bytes;
    } else if constexpr (is_conv<layer<I>>) {
      return conv<I>::bytes;
    } else if constexpr (is_activation<layer<I>>) {
      if constexpr (I < head_at && layer<I>::kind != act::softmax) {
        if constexpr (I > 0 && Plan::template fuses_next<I - 1>()) return 0;
        else return 256;
      } else {
        return 0;
      }
    } else {
      return 0;
    }
  }
};

}  // namespace ctml::nn::detail
