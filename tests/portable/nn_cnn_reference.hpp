// References for the convolutional networks of nn_small_cnn.hpp, written
// without the library's code (tests/portable/test_nn_conv*.cpp):
//
//   f32:  a double-precision forward pass (plain loops over the PyTorch
//         definitions: groups, kernel, stride, zero padding);
//   int8: TFLite's reference kernels on quantised parameters derived here
//         from the float weights and the calibration ranges: per-channel
//         symmetric weights (max |w| / 127), int32 bias, multipliers of 31 or
//         15 significant bits, SaturatingRoundingDoublingHighMul and
//         RoundingDivideByPOT in 64-bit arithmetic, padding taps holding the
//         input's zero point, fused relu, max pooling on int8 values, average
//         pooling rounding half away from zero; the network input quantised
//         with the smallest power-of-two scale covering its range.
//
// The networks end in a one-output dense head read as a value: in int8 the
// head's int32 accumulator times a constant, which the tests recover and
// compare bit for bit. The references run at compile time (AVR has no
// run-time double) on inputs that constexpr functions generate; firmware
// regenerates the same inputs at run time and compares with the tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <ctml/detail/flash.hpp>

#include "nn_small_cnn.hpp"

namespace conv_ref {
using std::size_t;
using std::int32_t;
using std::int64_t;

// ---------------------------------------------------------------- inputs
constexpr std::uint32_t mix(std::uint32_t a) {
  a ^= a >> 16;
  a *= 0x7feb352du;
  a ^= a >> 15;
  a *= 0x846ca68bu;
  a ^= a >> 16;
  return a;
}
/// Input i of sample s of network n: multiples of 1/128 in [-2.5, 4.06]
/// (odd multiples are ties of the input quantisation, scale 1/64); sample 0
/// is all -2.5, sample 1 all 4 (both saturate).
constexpr float input_x(std::uint32_t n, size_t s, size_t i) {
  if (s == 0) return -2.5f;
  if (s == 1) return 4.0f;
  const std::uint32_t h = mix(n * 100003u + static_cast<std::uint32_t>(s) * 1009u + static_cast<std::uint32_t>(i));
  const auto k = static_cast<int32_t>(h % 840u);
  return static_cast<float>(k - 320) / 128.0f;
}
/// An already quantised input (predict_quantized): any int8.
constexpr std::int8_t input_q(std::uint32_t n, size_t s, size_t i) {
  const std::uint32_t h = mix(n * 7919u + static_cast<std::uint32_t>(s) * 104729u + static_cast<std::uint32_t>(i) + 5u);
  return static_cast<std::int8_t>(static_cast<int32_t>(h % 256u) - 128);
}

// ---------------------------------------------------------------- tensors
constexpr size_t cap = 276;  // the largest tensor (n4's input)
template <class T>
struct tensor {
  size_t c = 0, h = 0, w = 0;
  std::array<T, cap> v{};
  constexpr T& at(size_t ci, size_t y, size_t x) { return v[(ci * h + y) * w + x]; }
  constexpr const T& at(size_t ci, size_t y, size_t x) const { return v[(ci * h + y) * w + x]; }
  constexpr size_t size() const { return c * h * w; }
};

/// A convolution as PyTorch defines it: groups, kernel, stride, zero padding.
struct conv_spec {
  size_t oc, groups, kh, kw, sh, sw, ph, pw;
};
template <class P>
struct conv2d_w {
  static constexpr conv_spec spec(size_t groups) {
    return {P::out_channels, groups, P::kernel_h, P::kernel_w, P::stride_h, P::stride_w, P::pad_h, P::pad_w};
  }
  static constexpr double w(size_t o, size_t c, size_t ky, size_t kx) { return P::weight[o][c][ky][kx]; }
  static constexpr double b(size_t o) { return P::bias[o]; }
};
template <class P>
struct conv1d_w {  // (C, L) as (C, 1, L)
  static constexpr conv_spec spec(size_t) { return {P::out_channels, 1, 1, P::kernel, 1, P::stride, 0, P::padding}; }
  static constexpr double w(size_t o, size_t c, size_t, size_t kx) { return P::weight[o][c][kx]; }
  static constexpr double b(size_t o) { return P::bias[o]; }
};

/// Calls f(o, input channel, iy, ix, ky, kx) for every tap of output
/// (o, y, x) that lies inside the input (padding taps are left out).
template <class T, class F>
constexpr void taps(const tensor<T>& in, conv_spec s, size_t o, size_t y, size_t x, F&& f) {
  const size_t cpg = in.c / s.groups, opg = s.oc / s.groups;
  for (size_t c = 0; c < cpg; ++c)
    for (size_t ky = 0; ky < s.kh; ++ky)
      for (size_t kx = 0; kx < s.kw; ++kx) {
        const long iy = static_cast<long>(y * s.sh + ky) - static_cast<long>(s.ph);
        const long ix = static_cast<long>(x * s.sw + kx) - static_cast<long>(s.pw);
        if (iy < 0 || ix < 0 || iy >= static_cast<long>(in.h) || ix >= static_cast<long>(in.w)) continue;
        f(o, (o / opg) * cpg + c, static_cast<size_t>(iy), static_cast<size_t>(ix), c, ky, kx);
      }
}
template <class T>
constexpr tensor<T> conv_shape(const tensor<T>& in, conv_spec s) {
  tensor<T> out{};
  out.c = s.oc;
  out.h = (in.h + 2 * s.ph - s.kh) / s.sh + 1;
  out.w = (in.w + 2 * s.pw - s.kw) / s.sw + 1;
  return out;
}

// ---------------------------------------------------------------- float64
template <class W>
constexpr tensor<double> conv_f(const tensor<double>& in, size_t groups, bool relu) {
  const conv_spec s = W::spec(groups);
  tensor<double> out = conv_shape(in, s);
  for (size_t o = 0; o < out.c; ++o)
    for (size_t y = 0; y < out.h; ++y)
      for (size_t x = 0; x < out.w; ++x) {
        double acc = W::b(o);
        taps(in, s, o, y, x, [&](size_t, size_t ci, size_t iy, size_t ix, size_t c, size_t ky, size_t kx) {
          acc += W::w(o, c, ky, kx) * in.at(ci, iy, ix);
        });
        out.at(o, y, x) = relu && acc < 0 ? 0.0 : acc;
      }
  return out;
}
template <class T>
constexpr tensor<T> pool_shape(const tensor<T>& in, size_t kh, size_t kw, size_t sh, size_t sw) {
  tensor<T> out{};
  out.c = in.c;
  out.h = (in.h - kh) / sh + 1;
  out.w = (in.w - kw) / sw + 1;
  return out;
}
constexpr tensor<double> pool_f(const tensor<double>& in, bool is_max, size_t kh, size_t kw, size_t sh, size_t sw) {
  tensor<double> out = pool_shape(in, kh, kw, sh, sw);
  for (size_t c = 0; c < out.c; ++c)
    for (size_t y = 0; y < out.h; ++y)
      for (size_t x = 0; x < out.w; ++x) {
        double m = in.at(c, y * sh, x * sw), sum = 0.0;
        for (size_t i = 0; i < kh; ++i)
          for (size_t j = 0; j < kw; ++j) {
            const double v = in.at(c, y * sh + i, x * sw + j);
            m = v > m ? v : m;
            sum += v;
          }
        out.at(c, y, x) = is_max ? m : sum / static_cast<double>(kh * kw);
      }
  return out;
}
/// The one-output dense head on the flattened tensor (channels first).
template <class D>
constexpr double head_f(const tensor<double>& in) {
  double z = D::bias[0];
  for (size_t j = 0; j < in.size(); ++j) z += D::weight[0][j] * in.v[j];
  return z;
}

// ---------------------------------------------------------------- int8
constexpr int64_t round_away(double v) {  // half away from zero
  const auto t = static_cast<int64_t>(v);  // truncates
  const double frac = v - static_cast<double>(t);
  return frac >= 0.5 ? t + 1 : (frac <= -0.5 ? t - 1 : t);
}
constexpr int32_t clamp8(int64_t v, int32_t lo = -128) { return static_cast<int32_t>(v < lo ? lo : (v > 127 ? 127 : v)); }

struct qparams {
  double scale;
  int32_t zp;
};
/// The network input: the smallest power-of-two scale covering the range.
constexpr qparams input_params(double lo, double hi) {
  lo = lo < 0 ? lo : 0.0;
  hi = hi > 0 ? hi : 0.0;
  const double need = (hi - lo) / 255.0;
  double s = 1.0;
  while (s < need) s *= 2.0;
  while (s / 2.0 >= need) s /= 2.0;
  return {s, clamp8(round_away(-128.0 - lo / s))};
}
/// TFLite's ChooseQuantizationParams for int8.
constexpr qparams choose(double lo, double hi) {
  lo = lo < 0 ? lo : 0.0;
  hi = hi > 0 ? hi : 0.0;
  const double s = (hi - lo) / 255.0;
  return {s, clamp8(round_away(-128.0 - lo / s))};
}
constexpr std::int8_t quantize_input(float x, qparams p) {
  return static_cast<std::int8_t>(clamp8(round_away(static_cast<double>(x) / p.scale) + p.zp));
}

/// A real multiplier m = m0 * 2^(shift - 31), m0 with `bits` significant bits.
struct mult {
  int32_t m0;
  int shift;
};
constexpr mult make_mult(double m, int bits) {
  int e = 0;
  while (m >= 1.0) { m /= 2.0; ++e; }
  while (m < 0.5) { m *= 2.0; --e; }
  double scaled = m;
  for (int i = 0; i < bits; ++i) scaled *= 2.0;
  int64_t q = round_away(scaled);
  if (q == (int64_t{1} << bits)) { q /= 2; ++e; }
  return {static_cast<int32_t>(q << (31 - bits)), e};
}
/// TFLite's MultiplyByQuantizedMultiplier (reference): shift <= 0 here.
constexpr int32_t requantize(int32_t acc, mult m) {
  const int64_t ab = static_cast<int64_t>(acc) * m.m0;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  const auto x = static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // SaturatingRoundingDoublingHighMul
  const int right = -m.shift;
  if (right == 0) return x;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);  // RoundingDivideByPOT
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> right) + (remainder > threshold ? 1 : 0);
}

/// Per-channel symmetric weights (max |w| / 127), int32 bias, multipliers.
template <size_t OC, size_t Taps>
struct qconv_params {
  std::array<std::int8_t, OC * Taps> w{};
  std::array<int32_t, OC> b{};
  std::array<mult, OC> m{};
  bool shifts_ok = true;  // every multiplier below 1 (the reference's case)
};
template <class W, size_t OC, size_t CPG, size_t KH, size_t KW>
constexpr qconv_params<OC, CPG * KH * KW> quantize_conv(qparams in, qparams out, int bits) {
  qconv_params<OC, CPG * KH * KW> q{};
  for (size_t o = 0; o < OC; ++o) {
    double s = 0;
    for (size_t c = 0; c < CPG; ++c)
      for (size_t ky = 0; ky < KH; ++ky)
        for (size_t kx = 0; kx < KW; ++kx) {
          const double a = W::w(o, c, ky, kx) < 0 ? -W::w(o, c, ky, kx) : W::w(o, c, ky, kx);
          s = a > s ? a : s;
        }
    s /= 127.0;
    for (size_t c = 0; c < CPG; ++c)
      for (size_t ky = 0; ky < KH; ++ky)
        for (size_t kx = 0; kx < KW; ++kx)
          q.w[o * CPG * KH * KW + (c * KH + ky) * KW + kx] = static_cast<std::int8_t>(round_away(W::w(o, c, ky, kx) / s));
    q.b[o] = static_cast<int32_t>(round_away(W::b(o) / (in.scale * s)));
    q.m[o] = make_mult(in.scale * s / out.scale, bits);
    q.shifts_ok = q.shifts_ok && q.m[o].shift <= 0 && q.m[o].shift > -31;
  }
  return q;
}

/// What the int8 reference saw: outputs clamped at either end, padding taps
/// skipped (each one would add (zp - zp) * w = 0), tensors with zp = -128.
struct stats {
  std::uint32_t clamped_high = 0, clamped_low = 0, padding_taps = 0, average_rounded = 0;
};

template <class W, size_t OC, size_t Taps>
constexpr tensor<int32_t> conv_q(const tensor<int32_t>& in, size_t groups, const qconv_params<OC, Taps>& q, qparams pin,
                                 qparams pout, bool relu, stats& st) {
  const conv_spec s = W::spec(groups);
  tensor<int32_t> out = conv_shape(in, s);
  for (size_t o = 0; o < out.c; ++o)
    for (size_t y = 0; y < out.h; ++y)
      for (size_t x = 0; x < out.w; ++x) {
        int32_t acc = q.b[o];
        size_t inside = 0;
        taps(in, s, o, y, x, [&](size_t, size_t ci, size_t iy, size_t ix, size_t c, size_t ky, size_t kx) {
          acc += (in.at(ci, iy, ix) - pin.zp) * q.w[o * Taps + (c * s.kh + ky) * s.kw + kx];
          ++inside;
        });
        st.padding_taps += static_cast<std::uint32_t>(Taps - inside);
        const int64_t v = static_cast<int64_t>(requantize(acc, q.m[o])) + pout.zp;
        const int32_t lo = relu ? (pout.zp > -128 ? pout.zp : -128) : -128;
        st.clamped_high += v > 127;
        st.clamped_low += v < lo;
        out.at(o, y, x) = clamp8(v, lo);
      }
  return out;
}
constexpr tensor<int32_t> pool_q(const tensor<int32_t>& in, bool is_max, size_t kh, size_t kw, size_t sh, size_t sw,
                                 stats& st) {
  tensor<int32_t> out = pool_shape(in, kh, kw, sh, sw);
  const auto n = static_cast<int32_t>(kh * kw);
  for (size_t c = 0; c < out.c; ++c)
    for (size_t y = 0; y < out.h; ++y)
      for (size_t x = 0; x < out.w; ++x) {
        int32_t m = in.at(c, y * sh, x * sw), sum = 0;
        for (size_t i = 0; i < kh; ++i)
          for (size_t j = 0; j < kw; ++j) {
            const int32_t v = in.at(c, y * sh + i, x * sw + j);
            m = v > m ? v : m;
            sum += v;
          }
        st.average_rounded += !is_max && sum % n != 0;
        // TFLite's AveragePool: (sum +- n / 2) / n, truncating.
        out.at(c, y, x) = is_max ? m : (sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n);
      }
  return out;
}
/// The head's int32 accumulator: b_q + sum (q - zp) * w_q.
template <class D>
struct qhead {
  std::array<std::int8_t, D::n_in> w{};
  int32_t b = 0;
  double scale = 0;  // the value is acc * scale
};
template <class D>
constexpr qhead<D> quantize_head(qparams in) {
  qhead<D> h{};
  double s = 0;
  for (size_t j = 0; j < D::n_in; ++j) {
    const double a = D::weight[0][j] < 0 ? -D::weight[0][j] : D::weight[0][j];
    s = a > s ? a : s;
  }
  s /= 127.0;
  for (size_t j = 0; j < D::n_in; ++j) h.w[j] = static_cast<std::int8_t>(round_away(D::weight[0][j] / s));
  h.b = static_cast<int32_t>(round_away(D::bias[0] / (in.scale * s)));
  h.scale = in.scale * s;
  return h;
}
template <class D>
constexpr int32_t head_q(const tensor<int32_t>& in, const qhead<D>& h, qparams pin) {
  int32_t acc = h.b;
  for (size_t j = 0; j < D::n_in; ++j) acc += (in.v[j] - pin.zp) * h.w[j];
  return acc;
}

template <class Net>
constexpr qparams range(size_t layer) {
  return choose(Net::ranges[layer][0], Net::ranges[layer][1]);
}

// ---------------------------------------------------------------- the networks
/// Samples per network (n4's 275-tap windows: fewer, within Clang's constexpr step limit).
constexpr std::size_t n_samples = 24;
namespace cnn = nn_small_cnn;

/// An input sample as the reference's tensor.
template <class Net, class T, class F>
constexpr tensor<T> sample_tensor(F&& value) {
  tensor<T> t{};
  using s = typename Net::input;
  t.c = s::dims[0];
  t.h = s::rank == 3 ? s::dims[1] : 1;
  t.w = s::dims[s::rank - 1];
  for (size_t i = 0; i < s::size; ++i) t.v[i] = value(i);
  return t;
}

struct n1_ref {
  using net = cnn::n1;
  static constexpr std::uint32_t id = 1;
  static constexpr std::size_t samples = n_samples;
  using c0 = conv2d_w<cnn::n1_c0>;
  using c1 = conv2d_w<cnn::n1_c1>;
  static constexpr qparams t_in = input_params(net::input_range[0], net::input_range[1]);
  static constexpr qparams t_c0 = range<net>(1);  // the fused relu's range
  static constexpr qparams t_c1 = range<net>(2);
  template <int Bits>
  struct q {
    static constexpr auto l0 = quantize_conv<c0, 3, 2, 3, 2>(t_in, t_c0, Bits);
    static constexpr auto l1 = quantize_conv<c1, 6, 1, 2, 3>(t_c0, t_c1, Bits);
    static constexpr auto head = quantize_head<cnn::n1_d>(t_c1);
    static_assert(l0.shifts_ok && l1.shifts_ok);
  };
  static constexpr double f32(const tensor<double>& x) {
    return head_f<cnn::n1_d>(conv_f<c1>(conv_f<c0>(x, 1, true), 3, false));
  }
  template <int Bits>
  static constexpr int32_t int8(const tensor<int32_t>& x, stats& st) {
    using Q = q<Bits>;
    const auto a = conv_q<c0>(x, 1, Q::l0, t_in, t_c0, true, st);
    return head_q(conv_q<c1>(a, 3, Q::l1, t_c0, t_c1, false, st), Q::head, t_c1);
  }
  static constexpr double head_scale = q<31>::head.scale;
  static constexpr std::size_t macs = 3 * 2 * 6 * (2 * 3 * 2) + 6 * 3 * 2 * (2 * 3) + 36;
};

struct n2_ref {
  using net = cnn::n2;
  static constexpr std::uint32_t id = 2;
  static constexpr std::size_t samples = n_samples;
  using c0 = conv2d_w<cnn::n2_c0>;
  static constexpr qparams t_in = input_params(net::input_range[0], net::input_range[1]);
  static constexpr qparams t_c0 = range<net>(1);  // the fused identity's range
  template <int Bits>
  struct q {
    static constexpr auto l0 = quantize_conv<c0, 2, 1, 3, 3>(t_in, t_c0, Bits);
    static constexpr auto head = quantize_head<cnn::n2_d>(t_c0);  // pooling keeps scale and zero point
    static_assert(l0.shifts_ok);
  };
  static constexpr double f32(const tensor<double>& x) {
    return head_f<cnn::n2_d>(pool_f(pool_f(conv_f<c0>(x, 1, false), true, 2, 2, 2, 1), false, 3, 2, 1, 2));
  }
  template <int Bits>
  static constexpr int32_t int8(const tensor<int32_t>& x, stats& st) {
    using Q = q<Bits>;
    const auto a = conv_q<c0>(x, 1, Q::l0, t_in, t_c0, false, st);
    return head_q(pool_q(pool_q(a, true, 2, 2, 2, 1, st), false, 3, 2, 1, 2, st), Q::head, t_c0);
  }
  static constexpr double head_scale = q<31>::head.scale;
  static constexpr std::size_t macs = 2 * 6 * 5 * 9 + 4;
};

struct n3_ref {
  using net = cnn::n3;
  static constexpr std::uint32_t id = 3;
  static constexpr std::size_t samples = n_samples;
  using e0 = conv1d_w<cnn::n3_e0>;
  using e1 = conv1d_w<cnn::n3_e1>;
  static constexpr qparams t_in = input_params(net::input_range[0], net::input_range[1]);
  static constexpr qparams t_e0 = range<net>(1);  // the fused relu's range, kept by the pooling
  static constexpr qparams t_e1 = range<net>(3);
  template <int Bits>
  struct q {
    static constexpr auto l0 = quantize_conv<e0, 3, 2, 1, 3>(t_in, t_e0, Bits);
    static constexpr auto l1 = quantize_conv<e1, 2, 3, 1, 2>(t_e0, t_e1, Bits);
    static constexpr auto head = quantize_head<cnn::n3_d>(t_e1);
    static_assert(l0.shifts_ok && l1.shifts_ok);
  };
  static constexpr double f32(const tensor<double>& x) {
    const auto a = pool_f(conv_f<e0>(x, 1, true), false, 1, 2, 1, 2);
    return head_f<cnn::n3_d>(pool_f(conv_f<e1>(a, 1, false), true, 1, 2, 1, 1));
  }
  template <int Bits>
  static constexpr int32_t int8(const tensor<int32_t>& x, stats& st) {
    using Q = q<Bits>;
    const auto a = pool_q(conv_q<e0>(x, 1, Q::l0, t_in, t_e0, true, st), false, 1, 2, 1, 2, st);
    return head_q(pool_q(conv_q<e1>(a, 1, Q::l1, t_e0, t_e1, false, st), true, 1, 2, 1, 1, st), Q::head, t_e1);
  }
  static constexpr double head_scale = q<31>::head.scale;
  static constexpr std::size_t macs = 3 * 5 * 6 + 2 * 3 * 6 + 4;
};

struct n4_ref {  // int8 only
  using net = cnn::n4;
  static constexpr std::uint32_t id = 4;
  static constexpr std::size_t samples = 8;
  using c0 = conv2d_w<cnn::n4_c0>;
  static constexpr qparams t_in = input_params(net::input_range[0], net::input_range[1]);
  static constexpr qparams t_c0 = range<net>(0);
  template <int Bits>
  struct q {
    static constexpr auto l0 = quantize_conv<c0, 2, 11, 5, 5>(t_in, t_c0, Bits);
    static constexpr auto head = quantize_head<cnn::n4_d>(t_c0);
    static_assert(l0.shifts_ok);
  };
  template <int Bits>
  static constexpr int32_t int8(const tensor<int32_t>& x, stats& st) {
    using Q = q<Bits>;
    return head_q(conv_q<c0>(x, 1, Q::l0, t_in, t_c0, false, st), Q::head, t_c0);
  }
  static constexpr double head_scale = q<31>::head.scale;
  static constexpr std::size_t macs = 2 * 2 * 1 * 275 + 4;
};

// Every padded convolution's input has a zero point other than 0 and -128
// (the byte 0): padding with anything but the zero point shows.
static_assert(n1_ref::t_in.zp == -96 && n1_ref::t_c0.zp == -100);
static_assert(n2_ref::t_in.zp == -96 && n3_ref::t_in.zp == -96 && n3_ref::t_e0.zp == -86);


/// Sample s of network R as the reference's input tensors: the float input,
/// the same quantised as `predict` does, and an int8 input of its own.
enum class input_kind { f32, quantised, raw_int8 };
template <class R, class T>
constexpr tensor<T> sample(input_kind k, std::size_t s) {
  return sample_tensor<typename R::net, T>([&](size_t i) -> T {
    if (k == input_kind::f32) return static_cast<T>(input_x(R::id, s, i));
    if (k == input_kind::quantised) return static_cast<T>(quantize_input(input_x(R::id, s, i), R::t_in));
    return static_cast<T>(input_q(R::id, s, i));
  });
}

// The expected results, computed at compile time: one table per policy and
// input kind (each its own constant evaluation, within Clang's step limit).
template <class R>
constexpr std::array<float, R::samples> f32_table() {
  std::array<float, R::samples> t{};
  for (std::size_t s = 0; s < R::samples; ++s) t[s] = static_cast<float>(R::f32(sample<R, double>(input_kind::f32, s)));
  return t;
}
template <class R, int Bits, input_kind K>
constexpr std::array<int32_t, R::samples> int8_table(stats* st = nullptr) {
  std::array<int32_t, R::samples> t{};
  stats local{};
  for (std::size_t s = 0; s < R::samples; ++s) t[s] = R::template int8<Bits>(sample<R, int32_t>(K, s), st ? *st : local);
  return t;
}
template <class R>
struct f32_tables {
  CTML_FLASH static constexpr auto f32 = f32_table<R>();
};
template <class R>
struct int8_tables {
  CTML_FLASH static constexpr auto acc31 = int8_table<R, 31, input_kind::quantised>();  // from float inputs
  CTML_FLASH static constexpr auto acc15 = int8_table<R, 15, input_kind::quantised>();
  CTML_FLASH static constexpr auto acc31_q = int8_table<R, 31, input_kind::raw_int8>();  // from int8 inputs
  CTML_FLASH static constexpr auto acc15_q = int8_table<R, 15, input_kind::raw_int8>();
};

/// The head's accumulator from a value prediction (acc * scale, in float).
constexpr int32_t recover(float y, double scale) {
  const float r = y / static_cast<float>(scale);
  return static_cast<int32_t>(r < 0 ? r - 0.5f : r + 0.5f);
}


}  // namespace conv_ref
