// ctml's scalers (include/ctml/scalers.hpp) against sklearn's arithmetic and
// against the real-valued transform, with hand-written parameter structs in
// the generated format (docs/generated-header.md, "Scalers") and awkward
// values: negative means, tiny and huge scales, offsets far outside the
// range, min_max with and without clip.
//
//   f32 policy (run alone, not folded into a tree): float arithmetic within
//               the bound stated in scalers.hpp of sklearn's float64 result
//               (written out below, one rounding per statement, as numpy
//               does it); chains: the steps one after the other;
//   q<int16_t, 8>, q<int32_t, 16>: within 1 LSB of the real-valued result
//               (after saturation to the storage range).
// Scalers folded into trees are tested in test_folded_trees.cpp.
#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>

namespace {

// ---------------------------------------------------------------------------
// Parameters (as the generator writes them)

struct standard_p {
  static constexpr std::size_t n_features = 7;
  static constexpr double mean[n_features] = {-3.7, 0.1, 1e10, -2.5e-7, 123456.789, 0.0, 57.3};
  static constexpr double scale[n_features] = {0.013, 3.0, 7e8, 1e-30, 1e30, 1.0, 0.3333333333333333};
};
struct min_max_p {
  static constexpr std::size_t n_features = 5;
  static constexpr double scale[n_features] = {0.5, 1e-6, 250.0, 0.0123456789, 3.0e-20};
  static constexpr double min[n_features] = {-1.3, 0.42, -7.0, 1.0000001, -0.5};
  static constexpr bool clip = false;
  static constexpr double clip_lo = -1.0;
  static constexpr double clip_hi = 1.0;
};
struct min_max_clip_p : min_max_p {
  static constexpr bool clip = true;
};
struct min_max_clip_shifted_p : min_max_p {  // feature_range=(-2.5, 0.75)
  static constexpr bool clip = true;
  static constexpr double clip_lo = -2.5;
  static constexpr double clip_hi = 0.75;
};
struct max_abs_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double scale[n_features] = {1e-3, 4.7, 1e5, 0.30000000000000004};
};
struct robust_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double center[n_features] = {-0.37, 12.5, 0.0, -1e6};
  static constexpr double scale[n_features] = {0.021, 1e4, 2.9, 1e-3};
};

// Parameters sized for the fixed-point ranges (q16_8: [-128, 128),
// q32_16: [-32768, 32768)): slopes from 1e-5 to 1e3, offsets inside and outside.
struct standard_q {
  static constexpr std::size_t n_features = 8;
  static constexpr double mean[n_features] = {-3.7, 0.1, 100.0, -2.5e-3, 57.3, 0.0, -17.77, 1e6};
  static constexpr double scale[n_features] = {0.013, 3.0, 700.0, 0.7, 1e5, 1.0, 0.3333333333333333, 2.0};
};
struct min_max_q {
  static constexpr std::size_t n_features = 5;
  static constexpr double scale[n_features] = {0.5, 1e-3, 250.0, 0.0123456789, 1.7};
  static constexpr double min[n_features] = {-1.3, 0.42, -7.0, 1.0000001, -33.3};
  static constexpr bool clip = false;
  static constexpr double clip_lo = -1.0;
  static constexpr double clip_hi = 1.0;
};
struct min_max_clip_q : min_max_q {
  static constexpr bool clip = true;
  static constexpr double clip_lo = -2.5;
  static constexpr double clip_hi = 0.75;
};
struct max_abs_q {
  static constexpr std::size_t n_features = 4;
  static constexpr double scale[n_features] = {1e-3, 4.7, 1e5, 0.30000000000000004};
};
struct robust_q {
  static constexpr std::size_t n_features = 4;
  static constexpr double center[n_features] = {-0.37, 12.5, 0.0, -1e3};
  static constexpr double scale[n_features] = {0.021, 1e4, 2.9, 0.9};
};

// ---------------------------------------------------------------------------
// References

// sklearn, float64, one rounding per operation (the float cast is the tree's).
template <class P>
double ref_standard(std::size_t i, double x) {
  const double centred = x - P::mean[i];
  return centred / P::scale[i];
}
template <class P>
double ref_robust(std::size_t i, double x) {
  const double centred = x - P::center[i];
  return centred / P::scale[i];
}
template <class P>
double ref_max_abs(std::size_t i, double x) {
  return x / P::scale[i];
}
template <class P>
double ref_min_max(std::size_t i, double x) {
  const double scaled = x * P::scale[i];  // X *= scale_
  double y = scaled + P::min[i];          // X += min_
  if (P::clip) y = y < P::clip_lo ? P::clip_lo : (y > P::clip_hi ? P::clip_hi : y);  // np.clip
  return y;
}

/// The error bound of scalers.hpp for y = (x - c) * a + b against sklearn's y:
/// u (|c a| + 3 |(x - c) a| + |b| + |y|) + 3 * 2^-149, u = 2^-24.
double f32_bound(double x, double c, double a, double b, double y) {
  const double u = std::ldexp(1.0, -24);
  return u * (std::fabs(c * a) + 3 * std::fabs((x - c) * a) + std::fabs(b) + std::fabs(y)) * (1 + 1e-6) +
         3 * std::ldexp(1.0, -149);
}
template <class P> double bound_standard(std::size_t i, double x, double y) { return f32_bound(x, P::mean[i], 1 / P::scale[i], 0, y); }
template <class P> double bound_robust(std::size_t i, double x, double y) { return f32_bound(x, P::center[i], 1 / P::scale[i], 0, y); }
template <class P> double bound_max_abs(std::size_t i, double x, double y) { return f32_bound(x, 0, 1 / P::scale[i], 0, y); }
template <class P> double bound_min_max(std::size_t i, double x, double y) { return f32_bound(x, 0, P::scale[i], P::min[i], y); }

// The real-valued transforms, in long double (the errors measured are in
// units of 2^-F, far above long double's rounding).
using real = long double;
template <class P>
real real_standard(std::size_t i, real x) {
  return (x - static_cast<real>(P::mean[i])) / static_cast<real>(P::scale[i]);
}
template <class P>
real real_robust(std::size_t i, real x) {
  return (x - static_cast<real>(P::center[i])) / static_cast<real>(P::scale[i]);
}
template <class P>
real real_max_abs(std::size_t i, real x) {
  return x / static_cast<real>(P::scale[i]);
}
template <class P>
real real_min_max(std::size_t i, real x) {
  real y = x * static_cast<real>(P::scale[i]) + static_cast<real>(P::min[i]);
  if (P::clip) y = y < static_cast<real>(P::clip_lo) ? static_cast<real>(P::clip_lo)
                                                      : (y > static_cast<real>(P::clip_hi) ? static_cast<real>(P::clip_hi) : y);
  return y;
}

// ---------------------------------------------------------------------------
// Running a stage

template <class Stage>
std::array<typename Stage::out_type, Stage::out_extent> run(const std::array<typename Stage::in_type, Stage::in_extent>& x) {
  std::array<typename Stage::out_type, Stage::out_extent> y{};
  typename Stage::state_type state{};
  Stage{}.run(x, y, state);
  return y;
}

std::uint32_t bits(float v) { return std::bit_cast<std::uint32_t>(v); }

/// Random float inputs: any finite float, values near the feature's centre
/// (given as centre and width), small integers, and a few specials.
float random_input(std::mt19937& gen, double centre, double width) {
  switch (gen() % 5) {
    case 0: {
      float f;
      do f = std::bit_cast<float>(static_cast<std::uint32_t>(gen()));
      while (!std::isfinite(f));
      return f;
    }
    case 1:
    case 2: return static_cast<float>(centre + width * std::uniform_real_distribution<double>(-10.0, 10.0)(gen));
    case 3: return static_cast<float>(static_cast<int>(gen() % 201) - 100);
    default: {
      constexpr float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, std::numeric_limits<float>::denorm_min(),
                                    std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                                    std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
      return specials[gen() % std::size(specials)];
    }
  }
}

/// f32: every output within bound(i, x, y) of sklearn's ref(i, x) on `rows`
/// random rows (finite inputs whose result is finite in float).
template <class Stage, class Ref, class Bound, class Centre, class Width>
void check_f32_within(Ref ref, Bound bound, Centre centre, Width width, int rows) {
  constexpr std::size_t n = Stage::in_extent;
  std::mt19937 gen(1);
  int failures = 0, checked = 0;
  double worst = 0;  // in units of the bound
  for (int r = 0; r < rows; ++r) {
    std::array<float, n> x{};
    for (std::size_t i = 0; i < n; ++i) x[i] = random_input(gen, centre(i), width(i));
    const auto y = run<Stage>(x);
    for (std::size_t i = 0; i < n; ++i) {
      const double want = ref(i, static_cast<double>(x[i]));
      if (!std::isfinite(x[i]) || !(std::fabs(want) < 0x1p127)) continue;
      ++checked;
      const double err = std::fabs(static_cast<double>(y[i]) - want), allowed = bound(i, static_cast<double>(x[i]), want);
      worst = std::fmax(worst, err / allowed);
      if (!(err <= allowed)) {
        INFO("feature " << i << ", x = " << std::hexfloat << x[i] << ": got " << y[i] << ", sklearn " << want
                        << ", bound " << allowed);
        CHECK(err <= allowed);
        if (++failures >= 5) return;
      }
    }
  }
  WARN("f32 scaler: worst error " << worst << " of the stated bound over " << checked << " values");
  CHECK(checked > rows);
}

/// q<S, F>: every output within 1 LSB of the real-valued result clamped to
/// the storage range. Inputs: all int16 values, or random int32 values plus
/// dense samples where the output is not saturated.
template <class Stage, class Real>
void check_q_within_1lsb(Real real_fn, const char* what) {
  using P = typename Stage::policy;
  using S = typename P::value_type;
  constexpr std::size_t n = Stage::in_extent;
  const real lsb = std::ldexp(static_cast<real>(1), -P::frac_bits);
  std::vector<std::array<S, n>> rows;
  if constexpr (sizeof(S) == 2) {
    for (int v = -32768; v <= 32767; ++v) {
      std::array<S, n> x{};
      x.fill(static_cast<S>(v));
      rows.push_back(x);
    }
  } else {
    std::mt19937 gen(1);
    std::uniform_int_distribution<std::int64_t> any(std::numeric_limits<S>::min(), std::numeric_limits<S>::max());
    for (int r = 0; r < 40000; ++r) {
      std::array<S, n> x{};
      for (std::size_t i = 0; i < n; ++i) {
        if (r % 2 == 0) {
          x[i] = static_cast<S>(any(gen));
        } else {
          // Where the output is not saturated: invert the transform's slope
          // numerically from two real evaluations.
          const real y0 = real_fn(i, 0.0L), y1 = real_fn(i, 1.0L);
          const real slope = y1 - y0;
          const real limit = static_cast<real>(std::numeric_limits<S>::max()) * lsb;
          const real u = std::uniform_real_distribution<double>(-1.05, 1.05)(gen);
          real xr = slope != 0 ? (u * limit - y0) / slope : u * limit;
          xr = std::fmax(std::fmin(xr / lsb, static_cast<real>(std::numeric_limits<S>::max())),
                         static_cast<real>(std::numeric_limits<S>::min()));
          x[i] = static_cast<S>(std::llround(xr));
        }
      }
      rows.push_back(x);
    }
  }
  real worst = 0;
  // Documented in scalers.hpp: one LSB for 8- and 16-bit storage; 32-bit
  // storage keeps a 32-bit multiplier, so 2^-31 relative on top: 2.5 LSB.
  const real bound = sizeof(S) < 4 ? real{1} : real{2.5};
  S worst_x = 0;
  std::size_t worst_i = 0;
  S worst_y = 0;
  real worst_exact = 0;
  std::size_t failures = 0;
  for (const auto& x : rows) {
    const auto y = run<Stage>(x);
    for (std::size_t i = 0; i < n; ++i) {
      const real exact = real_fn(i, static_cast<real>(x[i]) * lsb) / lsb;
      const real clamped = std::fmax(std::fmin(exact, static_cast<real>(std::numeric_limits<S>::max())),
                                     static_cast<real>(std::numeric_limits<S>::min()));
      const real err = std::fabs(static_cast<real>(y[i]) - clamped);
      if (err > bound) ++failures;
      if (err > worst) {
        worst = err;
        worst_x = x[i];
        worst_i = i;
        worst_y = y[i];
        worst_exact = exact;
      }
    }
  }
  WARN(what << ": max error " << static_cast<double>(worst) << " LSB over " << rows.size() * n << " values ("
            << failures << " beyond " << static_cast<double>(bound) << " LSB)");
  INFO(what << ": worst at feature " << worst_i << ", x = " << static_cast<long long>(worst_x) << " LSB: got "
            << static_cast<long long>(worst_y) << ", real-valued " << static_cast<double>(worst_exact) << " LSB");
  CHECK(worst <= bound);
}

struct one_tenth_p {  // (x - 0.1) / 3
  static constexpr std::size_t n_features = 1;
  static constexpr double mean[1] = {0.1};
  static constexpr double scale[1] = {3.0};
};

}  // namespace

// ---------------------------------------------------------------------------
// f32: float arithmetic within the stated bound of sklearn's

TEST_CASE("scalers: f32 standard_scaler is within the stated bound of (double(x) - mean) / scale", "[scalers][f32]") {
  check_f32_within<ctml::standard_scaler<standard_p>>(
      ref_standard<standard_p>, bound_standard<standard_p>, [](std::size_t i) { return standard_p::mean[i]; },
      [](std::size_t i) { return standard_p::scale[i]; }, 20000);
}

TEST_CASE("scalers: f32 robust_scaler is within the stated bound of (double(x) - center) / scale", "[scalers][f32]") {
  check_f32_within<ctml::robust_scaler<robust_p>>(
      ref_robust<robust_p>, bound_robust<robust_p>, [](std::size_t i) { return robust_p::center[i]; },
      [](std::size_t i) { return robust_p::scale[i]; }, 20000);
}

TEST_CASE("scalers: f32 max_abs_scaler is within the stated bound of double(x) / scale", "[scalers][f32]") {
  check_f32_within<ctml::max_abs_scaler<max_abs_p>>(
      ref_max_abs<max_abs_p>, bound_max_abs<max_abs_p>, [](std::size_t) { return 0.0; },
      [](std::size_t i) { return max_abs_p::scale[i]; }, 20000);
}

TEST_CASE("scalers: f32 min_max_scaler is within the stated bound of double(x) * scale + min (clipped)",
          "[scalers][f32]") {
  // Inputs around the feature's data range: x with x*scale+min in [-1, 1].
  auto centre = [](std::size_t i) { return -min_max_p::min[i] / min_max_p::scale[i]; };
  auto width = [](std::size_t i) { return 0.2 / min_max_p::scale[i]; };
  SECTION("no clip") {
    check_f32_within<ctml::min_max_scaler<min_max_p>>(ref_min_max<min_max_p>, bound_min_max<min_max_p>, centre, width,
                                                      20000);
  }
  SECTION("clip to (-1, 1)") {
    check_f32_within<ctml::min_max_scaler<min_max_clip_p>>(ref_min_max<min_max_clip_p>, bound_min_max<min_max_clip_p>,
                                                           centre, width, 20000);
  }
  SECTION("clip to (-2.5, 0.75)") {
    check_f32_within<ctml::min_max_scaler<min_max_clip_shifted_p>>(
        ref_min_max<min_max_clip_shifted_p>, bound_min_max<min_max_clip_shifted_p>, centre, width, 20000);
  }
}

TEST_CASE("scalers: the f32 bound is tight enough to tell float from double arithmetic", "[scalers][f32]") {
  // The float result differs from sklearn's rounded double result on some
  // inputs (so float arithmetic is really used), by at most the bound.
  using p = one_tenth_p;
  int differs = 0;
  std::mt19937 gen(1);
  for (int k = 0; k < 10000; ++k) {
    const float x = std::uniform_real_distribution<float>(-10.0f, 10.0f)(gen);
    const float got = run<ctml::standard_scaler<p>>({x})[0];
    const double want = ref_standard<p>(0, x);
    if (got != static_cast<float>(want)) ++differs;
    REQUIRE(std::fabs(got - want) <= bound_standard<p>(0, x, want));
  }
  CHECK(differs > 0);
}

// ---------------------------------------------------------------------------
// q<>: within 1 LSB of the real-valued result

using q16_8 = ctml::q<std::int16_t, 8>;
using q32_16 = ctml::q<std::int32_t, 16>;

TEST_CASE("scalers: q<int16, 8> scalers are within 1 LSB of the real result on every int16 input",
          "[scalers][q]") {
  SECTION("standard") {
    check_q_within_1lsb<ctml::standard_scaler<standard_q, q16_8>>(real_standard<standard_q>, "q16_8 standard");
  }
  SECTION("robust") { check_q_within_1lsb<ctml::robust_scaler<robust_q, q16_8>>(real_robust<robust_q>, "q16_8 robust"); }
  SECTION("max_abs") {
    check_q_within_1lsb<ctml::max_abs_scaler<max_abs_q, q16_8>>(real_max_abs<max_abs_q>, "q16_8 max_abs");
  }
  SECTION("min_max") {
    check_q_within_1lsb<ctml::min_max_scaler<min_max_q, q16_8>>(real_min_max<min_max_q>, "q16_8 min_max");
  }
  SECTION("min_max with clip") {
    check_q_within_1lsb<ctml::min_max_scaler<min_max_clip_q, q16_8>>(real_min_max<min_max_clip_q>,
                                                                      "q16_8 min_max clip");
  }
}

TEST_CASE("scalers: q<int32, 16> scalers are within 1 LSB of the real result (random and unsaturated inputs)",
          "[scalers][q]") {
  SECTION("standard") {
    check_q_within_1lsb<ctml::standard_scaler<standard_q, q32_16>>(real_standard<standard_q>, "q32_16 standard");
  }
  SECTION("robust") {
    check_q_within_1lsb<ctml::robust_scaler<robust_q, q32_16>>(real_robust<robust_q>, "q32_16 robust");
  }
  SECTION("max_abs") {
    check_q_within_1lsb<ctml::max_abs_scaler<max_abs_q, q32_16>>(real_max_abs<max_abs_q>, "q32_16 max_abs");
  }
  SECTION("min_max") {
    check_q_within_1lsb<ctml::min_max_scaler<min_max_q, q32_16>>(real_min_max<min_max_q>, "q32_16 min_max");
  }
  SECTION("min_max with clip") {
    check_q_within_1lsb<ctml::min_max_scaler<min_max_clip_q, q32_16>>(real_min_max<min_max_clip_q>,
                                                                       "q32_16 min_max clip");
  }
}

// ---------------------------------------------------------------------------
// Pipelines of scalers are the composition

namespace {
struct first4 {
  static constexpr std::size_t n_features = 4;
  static constexpr double mean[n_features] = {-3.7, 0.1, 12.0, -0.25};
  static constexpr double scale[n_features] = {0.013, 3.0, 7.5, 1e-3};
};
struct second4 {
  static constexpr std::size_t n_features = 4;
  static constexpr double scale[n_features] = {0.01, 0.5, 2.0, 1e-4};
  static constexpr double min[n_features] = {0.3, -0.2, 0.1, 0.0};
  static constexpr bool clip = true;
  static constexpr double clip_lo = -1.0;
  static constexpr double clip_hi = 1.0;
};
}  // namespace

TEST_CASE("scalers: two f32 scalers make one chain that runs one step after the other", "[scalers][pipeline]") {
  constexpr auto model = ctml::standard_scaler<first4>{} >> ctml::min_max_scaler<second4>{};
  using model_t = std::remove_const_t<decltype(model)>;
  using s1 = ctml::standard_scaler<first4>;
  using s2 = ctml::min_max_scaler<second4>;
  STATIC_REQUIRE(model_t::size == 1);
  std::mt19937 gen(1);
  for (int r = 0; r < 20000; ++r) {
    std::array<float, 4> x{};
    for (std::size_t i = 0; i < 4; ++i) x[i] = random_input(gen, first4::mean[i], 50 * first4::scale[i]);
    const auto y = run<model_t>(x);
    const auto mid = run<s1>(x);
    const auto want = run<s2>(mid);
    for (std::size_t i = 0; i < 4; ++i) {
      if (bits(y[i]) != bits(want[i])) {
        INFO("feature " << i << ", x = " << std::hexfloat << x[i]);
        REQUIRE(bits(y[i]) == bits(want[i]));
      }
      // Within the first step's bound times the second's slope plus the second's bound.
      const double exact1 = ref_standard<first4>(i, x[i]);
      if (!std::isfinite(x[i]) || !(std::fabs(exact1) < 0x1p100)) continue;
      const double exact = ref_min_max<second4>(i, exact1);
      const double allowed = bound_standard<first4>(i, x[i], exact1) * second4::scale[i] +
                             bound_min_max<second4>(i, static_cast<double>(mid[i]), exact);
      REQUIRE(std::fabs(static_cast<double>(y[i]) - exact) <= allowed);
    }
  }
}

TEST_CASE("scalers: a q<int16, 8> pipeline of two scalers equals applying the scalers one after the other",
          "[scalers][pipeline][q]") {
  using s1 = ctml::standard_scaler<first4, q16_8>;
  using s2 = ctml::min_max_scaler<second4, q16_8>;
  using model_t = decltype((ctml::standard_scaler<first4>{} >> ctml::min_max_scaler<second4>{}).with(q16_8{}));
  STATIC_REQUIRE(std::is_same_v<model_t, ctml::pipeline<ctml::scaler_chain<q16_8, ctml::detail::scaler_step<first4, ctml::detail::scaler_kind::standard>,
                                                                          ctml::detail::scaler_step<second4, ctml::detail::scaler_kind::min_max>>>>);
  for (int v = -32768; v <= 32767; ++v) {
    std::array<std::int16_t, 4> x{};
    x.fill(static_cast<std::int16_t>(v));
    const auto y = run<model_t>(x);
    const auto want = run<s2>(run<s1>(x));
    if (y != want) {
      INFO("x = " << v);
      REQUIRE(y == want);
    }
    // And each stage stays within 1 LSB of the real-valued composition's stage.
    const auto mid = run<s1>(x);
    for (std::size_t i = 0; i < 4; ++i) {
      const real exact = real_min_max<second4>(i, static_cast<real>(mid[i]) / 256) * 256;
      const real clamped = std::fmax(std::fmin(exact, 32767.0L), -32768.0L);
      if (std::fabs(static_cast<real>(y[i]) - clamped) > 1) {
        INFO("x = " << v << ", feature " << i << ": got " << y[i] << ", real " << static_cast<double>(exact));
        CHECK(std::fabs(static_cast<real>(y[i]) - clamped) <= 1);
        break;
      }
    }
  }
}
