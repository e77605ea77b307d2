// Compile-time checks of ctml/scalers.hpp: the four scalers as Stages, their
// sizes, constant evaluation of their transforms in f32 and q<> policies, and
// scalers composed with `>>` and rebound with `.with(...)`.
// Compiling this file is the test. Parameters follow docs/generated-header.md
// ("Scalers"); inputs are chosen so that the expected results are exact.
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <ctml/budget.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>

namespace {

using ctml::f32;
using q8_4 = ctml::q<std::int8_t, 4>;
using q16_8 = ctml::q<std::int16_t, 8>;
using q32_16 = ctml::q<std::int32_t, 16>;

struct std3 {  // StandardScaler
  static constexpr std::size_t n_features = 3;
  static constexpr double mean[n_features] = {1.0, -2.5, 0.0};
  static constexpr double scale[n_features] = {2.0, 0.5, 1.0};
};
struct std2 {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[n_features] = {1.0, -2.5};
  static constexpr double scale[n_features] = {2.0, 0.5};
};
struct mm2 {  // MinMaxScaler(feature_range=(0, 1)), no clip
  static constexpr std::size_t n_features = 2;
  static constexpr double scale[n_features] = {0.5, 2.0};
  static constexpr double min[n_features] = {-1.0, 0.25};
  static constexpr bool clip = false;
  static constexpr double clip_lo = 0.0;
  static constexpr double clip_hi = 1.0;
};
struct mm2_clip : mm2 {
  static constexpr bool clip = true;
};
struct ma2 {  // MaxAbsScaler
  static constexpr std::size_t n_features = 2;
  static constexpr double scale[n_features] = {4.0, 0.5};
};
struct rb3 {  // RobustScaler
  static constexpr std::size_t n_features = 3;
  static constexpr double center[n_features] = {1.0, -1.0, 0.5};
  static constexpr double scale[n_features] = {0.5, 4.0, 1.0};
};
struct std_steep {  // scale 1/64: slope 64, saturates quickly
  static constexpr std::size_t n_features = 1;
  static constexpr double mean[n_features] = {1.0};
  static constexpr double scale[n_features] = {0.015625};
};

// ---------------------------------------------------------------------------
// Stage concept, extents, types

static_assert(ctml::Stage<ctml::standard_scaler<std3>>);
static_assert(ctml::Stage<ctml::min_max_scaler<mm2>>);
static_assert(ctml::Stage<ctml::min_max_scaler<mm2_clip>>);
static_assert(ctml::Stage<ctml::max_abs_scaler<ma2>>);
static_assert(ctml::Stage<ctml::robust_scaler<rb3>>);
static_assert(ctml::Stage<ctml::standard_scaler<std3, q8_4>>);
static_assert(ctml::Stage<ctml::min_max_scaler<mm2_clip, q16_8>>);
static_assert(ctml::Stage<ctml::robust_scaler<rb3, q32_16>>);
static_assert(ctml::Stage<ctml::max_abs_scaler<ma2, ctml::q31>>);
static_assert(!ctml::Predictor<ctml::standard_scaler<std3>>);

static_assert(std::is_same_v<ctml::standard_scaler<std3>::policy, f32>);  // f32 is the default
static_assert(std::is_same_v<ctml::standard_scaler<std3>::in_type, float>);
static_assert(std::is_same_v<ctml::standard_scaler<std3, q16_8>::in_type, std::int16_t>);
static_assert(std::is_same_v<ctml::standard_scaler<std3, q16_8>::out_type, std::int16_t>);
static_assert(ctml::standard_scaler<std3>::in_extent == 3 && ctml::standard_scaler<std3>::out_extent == 3);
static_assert(ctml::max_abs_scaler<ma2>::in_extent == 2 && ctml::max_abs_scaler<ma2>::out_extent == 2);
static_assert(std::is_same_v<ctml::standard_scaler<std3>::state_type, ctml::no_state>);
static_assert(std::is_same_v<ctml::standard_scaler<std3>::rebind<q16_8>, ctml::standard_scaler<std3, q16_8>>);

// ---------------------------------------------------------------------------
// Sizes: stateless, and each extra feature costs its table entry in flash:
// two floats for f32; a 64-bit offset, a 32-bit multiplier and a shift for q<>.

template <class S3, class S2>
constexpr std::size_t per_feature = S3::flash_bytes() - S2::flash_bytes();
static_assert(per_feature<ctml::standard_scaler<std3>, ctml::standard_scaler<std2>> == 2 * sizeof(float));
static_assert(per_feature<ctml::standard_scaler<std3, q16_8>, ctml::standard_scaler<std2, q16_8>> == 13);
static_assert(per_feature<ctml::standard_scaler<std3, q32_16>, ctml::standard_scaler<std2, q32_16>> == 13);
static_assert(ctml::standard_scaler<std3>::flash_bytes() >= 3 * 2 * sizeof(float));
static_assert(ctml::standard_scaler<std3>::ram_bytes() == 0);
static_assert(ctml::robust_scaler<rb3, q16_8>::ram_bytes() == 0);
static_assert(ctml::standard_scaler<std3>::cost() >= 3);
static_assert(ctml::standard_scaler<std3>::cost() > ctml::standard_scaler<std2>::cost());

// ---------------------------------------------------------------------------
// Constant evaluation: f32

template <class Scaler, std::size_t N = Scaler::in_extent>
constexpr auto apply(std::array<typename Scaler::in_type, N> x) {
  std::array<typename Scaler::out_type, N> y{};
  typename Scaler::state_type state{};
  Scaler{}.run(x, y, state);
  return y;
}
template <class T, std::size_t N>
constexpr bool same(std::array<T, N> a, std::array<T, N> b) {
  return a == b;
}

static_assert(same(apply<ctml::standard_scaler<std3>>({5.0f, -2.5f, 3.0f}), {2.0f, 0.0f, 3.0f}));
static_assert(same(apply<ctml::standard_scaler<std3>>({1.0f, -3.0f, -7.25f}), {0.0f, -1.0f, -7.25f}));
static_assert(same(apply<ctml::standard_scaler<std2>>({5.0f, -2.5f}), {2.0f, 0.0f}));
static_assert(same(apply<ctml::min_max_scaler<mm2>>({4.0f, 1.0f}), {1.0f, 2.25f}));
static_assert(same(apply<ctml::min_max_scaler<mm2>>({-2.0f, -1.0f}), {-2.0f, -1.75f}));
static_assert(same(apply<ctml::min_max_scaler<mm2_clip>>({4.0f, 1.0f}), {1.0f, 1.0f}));
static_assert(same(apply<ctml::min_max_scaler<mm2_clip>>({-2.0f, -1.0f}), {0.0f, 0.0f}));
static_assert(same(apply<ctml::min_max_scaler<mm2_clip>>({3.0f, 0.125f}), {0.5f, 0.5f}));  // inside: unchanged
static_assert(same(apply<ctml::max_abs_scaler<ma2>>({2.0f, -1.0f}), {0.5f, -2.0f}));
static_assert(same(apply<ctml::robust_scaler<rb3>>({2.0f, 3.0f, 0.5f}), {2.0f, 1.0f, 0.0f}));
// Alone (not folded into a tree), f32 computes in float: (x - float(mean)) * float(1 / scale).
struct std_inexact {
  static constexpr std::size_t n_features = 1;
  static constexpr double mean[n_features] = {0.1};
  static constexpr double scale[n_features] = {3.0};
};
static_assert(apply<ctml::standard_scaler<std_inexact>>({0.3f})[0] == (0.3f - 0.1f) * static_cast<float>(1.0 / 3.0));

// ---------------------------------------------------------------------------
// Constant evaluation: q<> (stored integers, hand-computed)

// q16_8: 1 LSB = 1/256. 5.0 -> (5-1)/2 = 2.0 = 512; -2.5 -> 0; 3.0 -> 768.
static_assert(same(apply<ctml::standard_scaler<std3, q16_8>>({1280, -640, 768}), {512, 0, 768}));
// q8_4: 1 LSB = 1/16. 5.0 = 80 -> 2.0 = 32; -2.0 = -32 -> (-2+2.5)/0.5 = 1.0 = 16.
static_assert(same(apply<ctml::standard_scaler<std3, q8_4>>({80, -32, -1}), {32, 16, -1}));
// q32_16: 1 LSB = 2^-16. 2.0 -> 2.0; 3.0 -> 1.0; 0.5 -> 0.
static_assert(same(apply<ctml::robust_scaler<rb3, q32_16>>({2 << 16, 3 << 16, 1 << 15}), {2 << 16, 1 << 16, 0}));
static_assert(same(apply<ctml::max_abs_scaler<ma2, q16_8>>({512, -256}), {128, -512}));
static_assert(same(apply<ctml::min_max_scaler<mm2, q16_8>>({1024, 256}), {256, 576}));
static_assert(same(apply<ctml::min_max_scaler<mm2_clip, q16_8>>({1024, 256}), {256, 256}));
static_assert(same(apply<ctml::min_max_scaler<mm2_clip, q16_8>>({-512, -256}), {0, 0}));
// Saturation: (x - 1) * 64 leaves the q16_8 range [-128, 128) quickly.
static_assert(same(apply<ctml::standard_scaler<std_steep, q16_8>>({768}), {32767}));     // 3.0 -> 128
static_assert(same(apply<ctml::standard_scaler<std_steep, q16_8>>({-32768}), {-32768}));  // -128 -> -8256
static_assert(same(apply<ctml::standard_scaler<std_steep, q16_8>>({264}), {512}));       // 1.03125 -> 2
static_assert(same(apply<ctml::standard_scaler<std_steep, q8_4>>({32}), {127}));         // 2.0 -> 64
static_assert(same(apply<ctml::standard_scaler<std_steep, q8_4>>({16}), {0}));           // 1.0 -> 0
// Rounding of the result (q8_4, (x - 1) / 2): exact results are exact, others
// are within 1 LSB of the real value.
static_assert(apply<ctml::standard_scaler<std3, q8_4>>({20, 0, 0})[0] == 2);  // 1.25 -> 0.125 = 2 LSB
static_assert(apply<ctml::standard_scaler<std3, q8_4>>({12, 0, 0})[0] == -2); // 0.75 -> -0.125 = -2 LSB
constexpr int at(int x) { return apply<ctml::standard_scaler<std3, q8_4>>({static_cast<std::int8_t>(x), 0, 0})[0]; }
static_assert(at(17) == 0 || at(17) == 1);    // 0.5 LSB
static_assert(at(19) == 1 || at(19) == 2);    // 1.5 LSB
static_assert(at(15) == -1 || at(15) == 0);   // -0.5 LSB
static_assert(at(-128) == -72);               // -8 -> -4.5 = -72 LSB
static_assert(at(127) == 56 || at(127) == 55); // 7.9375 -> 3.46875 = 55.5 LSB

// ---------------------------------------------------------------------------
// Pipelines of scalers

constexpr auto two = ctml::standard_scaler<std3>{} >> ctml::robust_scaler<rb3>{};
using two_t = std::remove_const_t<decltype(two)>;
// Two scalers are one stage: a chain (composed in double where a tree folds it in).
using ctml::detail::scaler_kind;
using ctml::detail::scaler_step;
static_assert(std::is_same_v<two_t, ctml::pipeline<ctml::scaler_chain<f32, scaler_step<std3, scaler_kind::standard>,
                                                                      scaler_step<rb3, scaler_kind::robust>>>>);
constexpr auto s3 = ctml::standard_scaler<std3>{};
constexpr auto r3 = ctml::robust_scaler<rb3>{};
static_assert(std::is_same_v<decltype((s3 >> r3) >> s3), decltype(s3 >> (r3 >> s3))>);  // associative
static_assert(two_t::in_extent == 3 && two_t::out_extent == 3);
static_assert(two_t::ram_bytes() == 0);  // no intermediate buffer
static_assert(two_t::flash_bytes() ==
              ctml::standard_scaler<std3>::flash_bytes() + ctml::robust_scaler<rb3>::flash_bytes());
// std3 then rb3: 5 -> 2 -> 2; -2.5 -> 0 -> 0.25; 3 -> 3 -> 2.5
static_assert(same(apply<two_t>({5.0f, -2.5f, 3.0f}), {2.0f, 0.25f, 2.5f}));

using two_q = decltype(two.with(q16_8{}));
static_assert(std::is_same_v<two_q, ctml::pipeline<ctml::scaler_chain<q16_8, scaler_step<std3, scaler_kind::standard>,
                                                                      scaler_step<rb3, scaler_kind::robust>>>>);
static_assert(two_q::ram_bytes() == 0);
static_assert(same(apply<two_q>({1280, -640, 768}), {512, 64, 640}));
static_assert(ctml::fits<two_q, ctml::budget<two_q::flash_bytes(), 0>>);
static_assert(two_q::flash_bytes() == ctml::standard_scaler<std3, q16_8>::flash_bytes() + ctml::robust_scaler<rb3, q16_8>::flash_bytes());

}  // namespace
