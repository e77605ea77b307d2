// Trees after scalers: `scalers >> forest` is one stage whose thresholds hold
// the scalers (trees/split.hpp, folded_rule). Checked against sklearn's rule
// written out here: float32(scalers in double(x)) <= t, with numpy's
// overflow to inf, for every policy and layout (+-inf inputs included, as
// if sklearn accepted them):
//   - the key of each threshold is exactly the last input that goes left
//     (the reference says left at the key and right one input above it), for
//     random thresholds, thresholds on the image of a float, scale-0 features,
//     clipping, huge and tiny values;
//   - whole forests: every int16 input (q<int16, 0>, q<int16, 4>) and floats
//     around every threshold, both layouts, negative and zero integer keys;
//   - q<int32, F>: sklearn rounds the value to float32 first (|x| > 2^24).
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <ctml/ctml.hpp>

namespace {

// Awkward scalers (as the generator writes them).
struct std_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double mean[n_features] = {-3.7, 0.1, 1e10, 0.0};
  static constexpr double scale[n_features] = {0.013, 3.0, 7e8, 1.0};  // 1.0: sklearn's scale for a constant feature
};
struct mm_clip_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double scale[n_features] = {0.5, 1e-6, 250.0, 0.0123456789};
  static constexpr double min[n_features] = {-1.3, 0.42, -7.0, 1.0000001};
  static constexpr bool clip = true;
  static constexpr double clip_lo = -1.0;
  static constexpr double clip_hi = 0.75;
};
struct maxabs_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double scale[n_features] = {1e-3, 4.7, 1e-30, 0.30000000000000004};
};
struct robust_p {
  static constexpr std::size_t n_features = 4;
  static constexpr double center[n_features] = {-0.37, 12.5, 0.0, -1e6};
  static constexpr double scale[n_features] = {0.021, 1e4, 2.9, 1e-3};
};

// sklearn's arithmetic, written out (numpy: one rounding per operation).
double sk_std(std::size_t i, double x) { return (x - std_p::mean[i]) / std_p::scale[i]; }
double sk_mm(std::size_t i, double x) {
  const double y = x * mm_clip_p::scale[i] + mm_clip_p::min[i];
  return y < mm_clip_p::clip_lo ? mm_clip_p::clip_lo : (y > mm_clip_p::clip_hi ? mm_clip_p::clip_hi : y);
}
double sk_maxabs(std::size_t i, double x) { return x / maxabs_p::scale[i]; }
double sk_robust(std::size_t i, double x) { return (x - robust_p::center[i]) / robust_p::scale[i]; }
/// The tree's cast: numpy's astype(float32), which overflows to inf.
double as_f32(double v) {
  if (std::fabs(v) >= 0x1.ffffffp+127) return v > 0 ? INFINITY : -INFINITY;
  return static_cast<double>(static_cast<float>(v));
}

using ctml::detail::scaler_kind;
using ctml::detail::scaler_step;
using s_std = scaler_step<std_p, scaler_kind::standard>;
using s_mm = scaler_step<mm_clip_p, scaler_kind::min_max>;
using s_maxabs = scaler_step<maxabs_p, scaler_kind::max_abs>;
using s_robust = scaler_step<robust_p, scaler_kind::robust>;

template <class Map>
double sklearn_map(std::size_t i, double x);
template <> double sklearn_map<ctml::detail::scaler_map<s_std>>(std::size_t i, double x) { return sk_std(i, x); }
template <> double sklearn_map<ctml::detail::scaler_map<s_mm>>(std::size_t i, double x) { return sk_mm(i, x); }
template <> double sklearn_map<ctml::detail::scaler_map<s_maxabs>>(std::size_t i, double x) { return sk_maxabs(i, x); }
template <> double sklearn_map<ctml::detail::scaler_map<s_robust>>(std::size_t i, double x) { return sk_robust(i, x); }
template <> double sklearn_map<ctml::detail::scaler_map<s_std, s_mm>>(std::size_t i, double x) {
  return sk_mm(i, sk_std(i, x));
}
template <> double sklearn_map<ctml::detail::scaler_map<s_maxabs, s_std, s_robust>>(std::size_t i, double x) {
  return sk_robust(i, sk_std(i, sk_maxabs(i, x)));
}

template <class Map>
bool sklearn_left(std::size_t i, double x, double t) {
  return as_f32(sklearn_map<Map>(i, x)) <= t;
}

/// Thresholds as sklearn makes them (midpoints of transformed training
/// values) and awkward ones, for feature i of Map.
template <class Map>
std::vector<double> thresholds(std::size_t i, std::mt19937_64& rng) {
  std::vector<double> t = {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 0.75, -1.0, 1e-45, -1e-40, 1e30, -1e30, 1e300, -1e300};
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::uniform_int_distribution<int> e(-30, 30);
  for (int k = 0; k < 300; ++k) {
    const double a = as_f32(sklearn_map<Map>(i, static_cast<float>(u(rng) * std::ldexp(1.0, e(rng)))));
    const double b = as_f32(sklearn_map<Map>(i, static_cast<float>(u(rng) * std::ldexp(1.0, e(rng)))));
    t.push_back(a);                    // exactly the image of a float
    t.push_back((a + b) / 2);          // a midpoint
    t.push_back(std::ldexp(u(rng), e(rng)));
  }
  return t;
}

template <class Map>
void check_f32_keys() {
  using rule = ctml::trees::folded_rule<ctml::f32, Map>;
  std::mt19937_64 rng(11);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    for (const double t : thresholds<Map>(i, rng)) {
      if (!std::isfinite(t)) continue;
      const auto key = rule::key(t, i);
      const float b = std::bit_cast<float>(key);
      INFO("feature " << i << ", t = " << std::hexfloat << t << ", bound " << b);
      if (key == 0xffffffffu) {  // nothing goes left
        REQUIRE_FALSE(sklearn_left<Map>(i, -INFINITY, t));
      } else {
        // The last float that goes left: sklearn says left at b, right just above.
        REQUIRE(sklearn_left<Map>(i, b, t));
        if (b != INFINITY) REQUIRE_FALSE(sklearn_left<Map>(i, std::nextafter(b, INFINITY), t));
      }
      // And the run-time test agrees with sklearn around it and anywhere.
      std::vector<float> xs = {0.0f, -0.0f, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                               INFINITY, -INFINITY};
      if (!std::isnan(b)) {
        float up = b, down = b;
        for (int k = 0; k < 3; ++k) {
          xs.push_back(up = std::nextafter(up, INFINITY));
          xs.push_back(down = std::nextafter(down, -INFINITY));
        }
      }
      for (int k = 0; k < 8; ++k) {
        const auto x = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
        if (std::isfinite(x)) xs.push_back(x);
      }
      for (const float x : xs) {
        if (std::isnan(x)) continue;
        REQUIRE(rule::goes_left(x, key) == sklearn_left<Map>(i, x, t));
        ++checked;
      }
    }
  }
  CHECK(checked > 10000);
}

template <class Policy, class Map>
void check_q_keys() {
  using rule = ctml::trees::folded_rule<Policy, Map>;
  using S = typename Policy::value_type;
  const double lsb = std::ldexp(1.0, -Policy::frac_bits);
  std::mt19937_64 rng(5);
  for (std::size_t i = 0; i < 4; ++i) {
    for (const double t : thresholds<Map>(i, rng)) {
      const auto key = rule::key(t, i);
      INFO("feature " << i << ", t = " << std::hexfloat << t << ", key " << static_cast<long long>(key));
      if (key >= std::numeric_limits<S>::min()) REQUIRE(sklearn_left<Map>(i, static_cast<double>(key) * lsb, t));
      if (key < std::numeric_limits<S>::max())
        REQUIRE_FALSE(sklearn_left<Map>(i, static_cast<double>(key + 1) * lsb, t));
    }
  }
}

}  // namespace

TEST_CASE("folded f32 keys: the last float that sklearn sends left, for every scaler and chain", "[folded]") {
  using namespace ctml::detail;
  check_f32_keys<scaler_map<s_std>>();
  check_f32_keys<scaler_map<s_mm>>();
  check_f32_keys<scaler_map<s_maxabs>>();
  check_f32_keys<scaler_map<s_robust>>();
  check_f32_keys<scaler_map<s_std, s_mm>>();
  check_f32_keys<scaler_map<s_maxabs, s_std, s_robust>>();
}

TEST_CASE("folded q keys: the last raw value that sklearn sends left, int16 and int32 storage", "[folded]") {
  using namespace ctml::detail;
  check_q_keys<ctml::q<std::int16_t, 0>, scaler_map<s_std>>();
  check_q_keys<ctml::q<std::int16_t, 8>, scaler_map<s_std, s_mm>>();
  check_q_keys<ctml::q<std::int32_t, 0>, scaler_map<s_robust>>();
  check_q_keys<ctml::q<std::int32_t, 16>, scaler_map<s_maxabs, s_std, s_robust>>();
  check_q_keys<ctml::q<std::int8_t, 3>, scaler_map<s_mm>>();
}

TEST_CASE("q<int32, F> rule without scalers: sklearn rounds the value to float32 first", "[folded]") {
  using rule = ctml::trees::split_rule<ctml::q<std::int32_t, 0>>;
  // 2^24 + 1 is not a float32: it rounds to 2^24 (ties to even), so sklearn
  // sends it left of t = 2^24; 2^24 + 3 rounds up to 2^24 + 4.
  const double t = 16777216.0;
  const auto key = rule::key(t);
  CHECK(rule::goes_left(16777217, key));
  CHECK_FALSE(rule::goes_left(16777218, key));
  CHECK(key == 16777217);
  std::mt19937_64 rng(3);
  for (int k = 0; k < 2000; ++k) {
    const double th = std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng), static_cast<int>(rng() % 32));
    const auto kk = rule::key(th);
    for (std::int64_t d = -3; d <= 3; ++d) {
      const std::int64_t raw = kk + d;
      if (raw < INT32_MIN || raw > INT32_MAX) continue;
      INFO("t = " << th << ", raw = " << raw);
      REQUIRE(rule::goes_left(static_cast<std::int32_t>(raw), kk) ==
              (static_cast<double>(static_cast<float>(static_cast<double>(raw))) <= th));
    }
  }
}

// ---------------------------------------------------------------------------
// Whole forests: every layout x policy, int16 inputs exhaustively.

namespace {

// Two trees on two features; thresholds whose integer keys are -1, 0 and
// negative (q<int16, 0>: -0.5 -> -1, 0.25 -> 0), plus duplicates across trees.
struct forest_p {
  static constexpr std::size_t n_features = 2, n_classes = 3, n_trees = 2, n_nodes = 12, n_values = 3;
  static constexpr std::int32_t root[n_trees] = {0, 7};
  //                                               0   1   2   3   4   5   6 |  7   8   9  10  11
  static constexpr std::int32_t left[n_nodes] = {1, 2, -1, -1, 5, -1, -1, 8, -1, 10, -1, -1};
  static constexpr std::int32_t right[n_nodes] = {4, 3, -1, -1, 6, -1, -1, 9, -1, 11, -1, -1};
  static constexpr std::int32_t feature[n_nodes] = {0, 0, -1, -1, 1, -1, -1, 1, -1, 0, -1, -1};
  static constexpr double threshold[n_nodes] = {1.5, -0.5, 0, 0, 0.25, 0, 0, -0.5, 0, -1.5, 0, 0};
  static constexpr std::int32_t leaf[n_nodes] = {-1, -1, 0, 1, -1, 2, 1, -1, 2, -1, 0, 1};
  static constexpr double values[n_values][n_classes] = {{3, 0, 0}, {0, 2, 1}, {1, 0, 2}};
};

double no_map(std::size_t, double x) { return x; }
double std_then_mm_ref(std::size_t i, double x);

/// sklearn's forest on the value each feature has after `map`.
template <double (*Map)(std::size_t, double)>
int sklearn_forest(const std::array<double, 2>& x) {
  std::array<double, 3> sum{};
  for (std::size_t t = 0; t < forest_p::n_trees; ++t) {
    auto n = static_cast<std::size_t>(forest_p::root[t]);
    while (forest_p::left[n] >= 0) {
      const auto f = static_cast<std::size_t>(forest_p::feature[n]);
      const double v = as_f32(Map(f, x[f]));
      n = static_cast<std::size_t>(v <= forest_p::threshold[n] ? forest_p::left[n] : forest_p::right[n]);
    }
    const auto& row = forest_p::values[forest_p::leaf[n]];
    const double total = row[0] + row[1] + row[2];
    for (std::size_t c = 0; c < 3; ++c) sum[c] += row[c] / total;
  }
  int best = 0;
  for (int c = 1; c < 3; ++c)
    if (sum[static_cast<std::size_t>(c)] > sum[static_cast<std::size_t>(best)]) best = c;
  return best;
}

struct two_std {
  static constexpr std::size_t n_features = 2;
  static constexpr double mean[2] = {3.25, -700.0};
  static constexpr double scale[2] = {1.75, 333.3};
};
struct two_mm {
  static constexpr std::size_t n_features = 2;
  static constexpr double scale[2] = {0.01, 0.002};
  static constexpr double min[2] = {0.2, -0.3};
  static constexpr bool clip = true;
  static constexpr double clip_lo = -1.0;
  static constexpr double clip_hi = 1.0;
};

double std_then_mm_ref(std::size_t i, double x) {
  const double y = (x - two_std::mean[i]) / two_std::scale[i];
  const double z = y * two_mm::scale[i] + two_mm::min[i];
  return z < -1.0 ? -1.0 : (z > 1.0 ? 1.0 : z);
}

template <class Model, double (*Map)(std::size_t, double)>
void check_every_int16_pair(double lsb) {
  constexpr Model model{};
  std::size_t bad = 0;
  std::mt19937 rng(9);
  for (std::int32_t v = -32768; v <= 32767; ++v) {
    const auto a = static_cast<std::int16_t>(v);
    const auto b = static_cast<std::int16_t>(rng());
    for (const auto& x : {std::array<std::int16_t, 2>{a, b}, std::array<std::int16_t, 2>{b, a},
                          std::array<std::int16_t, 2>{a, a}}) {
      const int want = sklearn_forest<Map>({x[0] * lsb, x[1] * lsb});
      bad += model.predict(x) != want;
    }
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("forests with integer keys -1 and 0: every int16 input, every layout x policy", "[folded][int16]") {
  using namespace ctml;
  using q0 = q<std::int16_t, 0>;
  using q4 = q<std::int16_t, 4>;
  using q8 = q<std::int16_t, 8>;
  check_every_int16_pair<forest_classifier<forest_p, q0, unrolled_layout>, no_map>(1.0);
  check_every_int16_pair<forest_classifier<forest_p, q0, table_layout>, no_map>(1.0);
  check_every_int16_pair<forest_classifier<forest_p, q4, unrolled_layout>, no_map>(1.0 / 16);
  check_every_int16_pair<forest_classifier<forest_p, q4, table_layout>, no_map>(1.0 / 16);
  // The same forests after scalers, folded: the int16 input is the raw value.
  using std_then_mm = detail::scaler_map<detail::scaler_step<two_std, detail::scaler_kind::standard>,
                                         detail::scaler_step<two_mm, detail::scaler_kind::min_max>>;
  using fused = decltype(standard_scaler<two_std, q0>{} >> min_max_scaler<two_mm, q0>{} >>
                         forest_classifier<forest_p, q0>{});
  STATIC_REQUIRE(fused::size == 1);
  STATIC_REQUIRE(std::is_same_v<fused::first, forest_classifier<forest_p, q0, automatic_layout, std_then_mm>>);
  check_every_int16_pair<forest_classifier<forest_p, q0, unrolled_layout, std_then_mm>, std_then_mm_ref>(1.0);
  check_every_int16_pair<forest_classifier<forest_p, q0, table_layout, std_then_mm>, std_then_mm_ref>(1.0);
  check_every_int16_pair<forest_classifier<forest_p, q8, unrolled_layout, std_then_mm>, std_then_mm_ref>(1.0 / 256);
  check_every_int16_pair<forest_classifier<forest_p, q8, table_layout, std_then_mm>, std_then_mm_ref>(1.0 / 256);
}

TEST_CASE("fused f32 forests decide as sklearn on floats around every folded threshold, both layouts",
          "[folded]") {
  using namespace ctml;
  using std_then_mm = detail::scaler_map<detail::scaler_step<two_std, detail::scaler_kind::standard>,
                                         detail::scaler_step<two_mm, detail::scaler_kind::min_max>>;
  constexpr auto unrolled = (standard_scaler<two_std>{} >> min_max_scaler<two_mm>{} >> forest_classifier<forest_p>{})
                                .with(unrolled_layout{});
  constexpr auto table = unrolled.with(table_layout{});
  std::vector<float> values;
  for (std::size_t n = 0; n < forest_p::n_nodes; ++n) {
    if (forest_p::left[n] < 0) continue;
    const auto f = static_cast<std::size_t>(forest_p::feature[n]);
    const auto key = trees::folded_rule<f32, std_then_mm>::key(forest_p::threshold[n], f);
    float b = std::bit_cast<float>(key);
    if (std::isnan(b)) continue;
    float up = b, down = b;
    values.push_back(b);
    for (int k = 0; k < 4; ++k) {
      values.push_back(up = std::nextafter(up, INFINITY));
      values.push_back(down = std::nextafter(down, -INFINITY));
    }
  }
  values.push_back(INFINITY);
  values.push_back(-INFINITY);
  std::mt19937 rng(2);
  for (int k = 0; k < 200; ++k) values.push_back(std::uniform_real_distribution<float>(-2000, 2000)(rng));
  std::size_t bad = 0, n = 0;
  for (const float a : values)
    for (const float b : values) {
      const std::array<float, 2> x{a, b};
      const int want = sklearn_forest<std_then_mm_ref>({a, b});
      bad += unrolled.predict(x) != want;
      bad += table.predict(x) != want;
      ++n;
    }
  CHECK(n > 10000);
  CHECK(bad == 0);
}

TEST_CASE("finite(): NaN and +-inf found with integer compares; trees give a valid class for NaN", "[folded][finite]") {
  using namespace ctml;
  std::array<float, 3> ok{0.0f, -0.0f, std::numeric_limits<float>::max()};
  CHECK(finite(ok));
  CHECK(finite(std::array<float, 2>{std::numeric_limits<float>::denorm_min(), -1e-40f}));
  for (const float bad : {NAN, -NAN, INFINITY, -INFINITY, std::bit_cast<float>(0x7f800001u), std::bit_cast<float>(0xffffffffu)}) {
    std::array<float, 3> x = ok;
    x[1] = bad;
    CHECK_FALSE(finite(x));
  }
  STATIC_REQUIRE(finite(std::array<std::int16_t, 2>{-32768, 32767}));
  STATIC_REQUIRE_FALSE(finite(std::array<float, 1>{std::numeric_limits<float>::infinity()}));
  // NaN rows: any class, but a class (both layouts, folded or not).
  constexpr auto model = standard_scaler<two_std>{} >> forest_classifier<forest_p>{};
  for (const float bad : {NAN, -NAN, std::bit_cast<float>(0x7fffffffu), std::bit_cast<float>(0xffffffffu)}) {
    for (const auto& x : {std::array<float, 2>{bad, 0.0f}, std::array<float, 2>{0.0f, bad}, std::array<float, 2>{bad, bad}}) {
      const int a = model.predict(x), b = model.with(table_layout{}).predict(x);
      const int c = forest_classifier<forest_p>{}.predict(x);
      CHECK((a >= 0 && a < 3 && b >= 0 && b < 3 && c >= 0 && c < 3));
    }
  }
}
