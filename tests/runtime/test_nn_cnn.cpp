// ctml/nn convolutions and pooling at run time: two small networks (2-d:
// conv, depthwise conv with depth multiplier 2, max and average pooling; 1-d:
// strided padded conv, average and overlapping max pooling) give the outputs
// of a plain double-precision reference written here, and their int8 forms
// mostly predict what f32 predicts.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <ctml/nn/network.hpp>
#include <ctml/pipeline.hpp>

namespace nn_cnn {
namespace nn = ctml::nn;

constexpr double lcg(std::uint32_t i) {  // deterministic weights in [-1, 1)
  std::uint32_t s = i * 2654435761u + 12345u;
  s ^= s >> 13;
  s *= 1103515245u;
  return static_cast<double>(s >> 8) / static_cast<double>(1u << 23) - 1.0;
}
template <std::size_t A, std::size_t B, std::size_t C, std::size_t D>
using a4 = std::array<std::array<std::array<std::array<double, D>, C>, B>, A>;
template <std::size_t A, std::size_t B, std::size_t C>
using a3 = std::array<std::array<std::array<double, C>, B>, A>;
template <std::size_t A, std::size_t B, std::size_t C, std::size_t D>
constexpr a4<A, B, C, D> make4(std::uint32_t seed) {
  a4<A, B, C, D> t{};
  std::uint32_t k = seed;
  for (auto& x : t) for (auto& y : x) for (auto& z : y) for (auto& v : z) v = lcg(k++);
  return t;
}
template <std::size_t A, std::size_t B, std::size_t C>
constexpr a3<A, B, C> make3(std::uint32_t seed) {
  a3<A, B, C> t{};
  std::uint32_t k = seed;
  for (auto& x : t) for (auto& y : x) for (auto& v : y) v = lcg(k++);
  return t;
}
template <std::size_t A, std::size_t B>
constexpr std::array<std::array<double, B>, A> make2(std::uint32_t seed) {
  std::array<std::array<double, B>, A> t{};
  std::uint32_t k = seed;
  for (auto& x : t) for (auto& v : x) v = lcg(k++);
  return t;
}
template <std::size_t A>
constexpr std::array<double, A> make1(std::uint32_t seed) {
  std::array<double, A> t{};
  for (std::size_t i = 0; i < A; ++i) t[i] = 0.5 * lcg(seed + static_cast<std::uint32_t>(i));
  return t;
}

// 2-d: (2, 5, 4) -> conv 3x2 stride (1, 2) pad (1, 0) -> (3, 5, 2) relu
//   -> depthwise 2x2 pad 1, x2 -> (6, 6, 3) -> max 2x1 stride 2x1 -> (6, 3, 3)
//   -> avg 2x2 stride 1 -> (6, 2, 2) -> flatten 24 -> dense 4
struct c0 {
  static constexpr std::size_t in_channels = 2, out_channels = 3, kernel_h = 3, kernel_w = 2;
  static constexpr std::size_t stride_h = 1, stride_w = 2, pad_h = 1, pad_w = 0;
  static constexpr auto weight = make4<3, 2, 3, 2>(100);
  static constexpr auto bias = make1<3>(200);
};
struct c1 {
  static constexpr std::size_t in_channels = 3, out_channels = 6, kernel_h = 2, kernel_w = 2;
  static constexpr std::size_t stride_h = 1, stride_w = 1, pad_h = 1, pad_w = 1;
  static constexpr auto weight = make4<6, 1, 2, 2>(300);
  static constexpr auto bias = make1<6>(400);
};
struct d0 {
  static constexpr std::size_t n_in = 24, n_out = 4;
  static constexpr auto weight = make2<4, 24>(500);
  static constexpr auto bias = make1<4>(600);
};
struct net2d {
  using input = nn::shape<2, 5, 4>;
  using layers = nn::layers<nn::conv2d<c0>, nn::relu, nn::depthwise_conv2d<c1>, nn::max_pool2d<2, 1, 2, 1>,
                            nn::avg_pool2d<2, 2, 1, 1>, nn::flatten, nn::dense<d0>>;
  static constexpr nn::head head = nn::head::argmax;
  static constexpr std::size_t n_layers = 7;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-1.0, 1.0};
  static constexpr double ranges[n_layers][2] = {{-4, 4}, {0, 4}, {-6, 6}, {-6, 6}, {-6, 6}, {-6, 6}, {-10, 10}};
};

// 1-d: (2, 9) -> conv k3 stride 2 pad 1 -> (3, 5) -> avg 2 -> (3, 2)
//   -> max 2 stride 1 -> (3, 1) -> flatten 3 -> dense 3
struct e0 {
  static constexpr std::size_t in_channels = 2, out_channels = 3, kernel = 3, stride = 2, padding = 1;
  static constexpr auto weight = make3<3, 2, 3>(700);
  static constexpr auto bias = make1<3>(800);
};
struct e1 {
  static constexpr std::size_t n_in = 3, n_out = 3;
  static constexpr auto weight = make2<3, 3>(900);
  static constexpr auto bias = make1<3>(1000);
};
struct net1d {
  using input = nn::shape<2, 9>;
  using layers = nn::layers<nn::conv1d<e0>, nn::avg_pool1d<2>, nn::max_pool1d<2, 1>, nn::flatten, nn::dense<e1>>;
  static constexpr nn::head head = nn::head::argmax;
  static constexpr std::size_t n_layers = 5;
  static constexpr bool calibrated = true;
  static constexpr double input_range[2] = {-1.0, 1.0};
  static constexpr double ranges[n_layers][2] = {{-4, 4}, {-4, 4}, {-4, 4}, {-4, 4}, {-5, 5}};
};

// The double reference: tensors as (C, H, W) vectors.
struct tensor {
  std::size_t c, h, w;
  std::vector<double> v;
  double& at(std::size_t ci, std::size_t y, std::size_t x) { return v[(ci * h + y) * w + x]; }
};
template <class WeightAt>
tensor conv(tensor& in, std::size_t oc, std::size_t cpg, std::size_t kh, std::size_t kw, std::size_t sh,
            std::size_t sw, std::size_t ph, std::size_t pw, WeightAt wt, const double* bias) {
  tensor out{oc, (in.h + 2 * ph - kh) / sh + 1, (in.w + 2 * pw - kw) / sw + 1, {}};
  out.v.assign(out.c * out.h * out.w, 0.0);
  const std::size_t opg = oc / (in.c / cpg);
  for (std::size_t o = 0; o < oc; ++o)
    for (std::size_t y = 0; y < out.h; ++y)
      for (std::size_t x = 0; x < out.w; ++x) {
        double s = bias[o];
        for (std::size_t c = 0; c < cpg; ++c)
          for (std::size_t i = 0; i < kh; ++i)
            for (std::size_t j = 0; j < kw; ++j) {
              const long iy = static_cast<long>(y * sh + i) - static_cast<long>(ph);
              const long ix = static_cast<long>(x * sw + j) - static_cast<long>(pw);
              if (iy < 0 || ix < 0 || iy >= static_cast<long>(in.h) || ix >= static_cast<long>(in.w)) continue;
              s += wt(o, c, i, j) * in.at((o / opg) * cpg + c, static_cast<std::size_t>(iy), static_cast<std::size_t>(ix));
            }
        out.at(o, y, x) = s;
      }
  return out;
}
tensor pool(tensor& in, bool is_max, std::size_t kh, std::size_t kw, std::size_t sh, std::size_t sw) {
  tensor out{in.c, (in.h - kh) / sh + 1, (in.w - kw) / sw + 1, {}};
  out.v.assign(out.c * out.h * out.w, 0.0);
  for (std::size_t c = 0; c < in.c; ++c)
    for (std::size_t y = 0; y < out.h; ++y)
      for (std::size_t x = 0; x < out.w; ++x) {
        double m = is_max ? -1e300 : 0.0;
        for (std::size_t i = 0; i < kh; ++i)
          for (std::size_t j = 0; j < kw; ++j) {
            const double v = in.at(c, y * sh + i, x * sw + j);
            m = is_max ? (v > m ? v : m) : m + v;
          }
        out.at(c, y, x) = is_max ? m : m / static_cast<double>(kh * kw);
      }
  return out;
}
template <class D>
std::vector<double> dense(const std::vector<double>& x) {
  std::vector<double> y(D::n_out);
  for (std::size_t o = 0; o < D::n_out; ++o) {
    double s = D::bias[o];
    for (std::size_t j = 0; j < D::n_in; ++j) s += D::weight[o][j] * x[j];
    y[o] = s;
  }
  return y;
}
std::vector<double> ref2d(const std::array<float, 40>& xin) {
  tensor t{2, 5, 4, std::vector<double>(xin.begin(), xin.end())};
  t = conv(t, 3, 2, 3, 2, 1, 2, 1, 0, [](auto o, auto c, auto i, auto j) { return c0::weight[o][c][i][j]; }, c0::bias.data());
  for (auto& v : t.v) v = v > 0 ? v : 0.0;
  t = conv(t, 6, 1, 2, 2, 1, 1, 1, 1, [](auto o, auto c, auto i, auto j) { return c1::weight[o][c][i][j]; }, c1::bias.data());
  t = pool(t, true, 2, 1, 2, 1);
  t = pool(t, false, 2, 2, 1, 1);
  return dense<d0>(t.v);
}
std::vector<double> ref1d(const std::array<float, 18>& xin) {
  tensor t{2, 1, 9, std::vector<double>(xin.begin(), xin.end())};
  t = conv(t, 3, 2, 1, 3, 1, 2, 0, 1, [](auto o, auto c, auto, auto j) { return e0::weight[o][c][j]; }, e0::bias.data());
  t = pool(t, false, 1, 2, 1, 2);
  t = pool(t, true, 1, 2, 1, 1);
  return dense<e1>(t.v);
}
}  // namespace nn_cnn

namespace {
using namespace nn_cnn;
static_assert(std::is_same_v<ctml::nn::conv2d<c0>::out_shape<ctml::nn::shape<2, 5, 4>>, ctml::nn::shape<3, 5, 2>>);
static_assert(ctml::pipeline<ctml::nn::network<net2d>>::cost() == 3 * 5 * 2 * 12 + 6 * 6 * 3 * 4 + 24 * 4);

template <class Net, std::size_t N, class Ref>
void check(Ref ref) {
  constexpr auto model = ctml::pipeline<ctml::nn::network<Net>>{};
  constexpr auto q8 = model.with(ctml::int8{});
  constexpr auto q8f = model.with(ctml::int8_fast{});
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::size_t out_bad = 0, cls_bad = 0, q_bad = 0, qf_bad = 0;
  constexpr int n = 500;
  for (int i = 0; i < n; ++i) {
    std::array<float, N> x{};
    for (auto& v : x) v = u(rng);
    const auto r = ref(x);
    std::array<float, decltype(model)::first::n_classes> y{};
    typename decltype(model)::first{}.outputs(x, y);
    std::size_t best = 0;
    for (std::size_t o = 0; o < y.size(); ++o) {
      const double e = static_cast<double>(y[o]) - r[o];
      out_bad += (e < 0 ? -e : e) > 1e-5;
      best = r[o] > r[best] ? o : best;
    }
    const int f = model.predict(x);
    cls_bad += f != static_cast<int>(best);
    q_bad += q8.predict(x) != f;
    qf_bad += q8f.predict(x) != f;
  }
  CHECK(out_bad == 0);
  CHECK(cls_bad == 0);
  CHECK(q_bad < n / 10);  // int8 near ties only
  CHECK(qf_bad < n / 10);
}
}  // namespace

TEST_CASE("nn: 2-d conv, depthwise conv and pooling give a double reference's outputs; int8 follows f32") {
  check<net2d, 40>(ref2d);
}

TEST_CASE("nn: 1-d conv and pooling give a double reference's outputs; int8 follows f32") {
  check<net1d, 18>(ref1d);
}
