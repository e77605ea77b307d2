// k-nearest neighbours from scikit-learn: KNeighborsClassifier,
// KNeighborsRegressor (uniform or distance weights, minkowski p = 1, 2 or any p).
//
// Parameters (generated; see generator/ctml/neighbors.py):
//   n_features, n_samples, n_neighbors, p (double), distance_weights (bool),
//   samples[n_samples][n_features] (sklearn's _fit_X, float64),
//   classifiers: n_classes, labels[n_samples] (index into classes_);
//   regressors: targets[n_samples];
//   a folded scaler (x - c) / s (Pipeline(StandardScaler, KNN): RobustScaler
//   and MaxAbsScaler too): input_mean[n_features], input_scale[n_features]
//   (see input_scaling: the input is raw).
//
// What scikit-learn computes (1.2, algorithm "kd_tree"/"ball_tree", which
// "auto" picks for up to 15 features): the reduced distance in double,
// sum_i (x_i - s_i)^2 (p = 2), sum_i |x_i - s_i| (p = 1), sum_i |x_i - s_i|^p,
// the k smallest, then the most frequent label (uniform; ties: smallest
// class index) or the largest sum of weights 1/distance (distance; a
// zero distance gives its neighbours weight 1 and the others 0).
//
// f32 policy, p = 1 and 2: the input is converted to fixed point on a grid
// chosen at compile time from the training data, and distances are integer
// sums with a bound on their error (2|d|_1 + 3n units for p = 2). When the
// k-th chosen neighbour's upper bound lies below every rejected sample's
// lower bound, the set is sklearn's; otherwise (near-ties, constructed ties,
// inputs far outside the training range) the double distances are computed
// as sklearn computes them and pushed into sklearn's heap in its order: the
// kd-tree's or ball tree's depth-first traversal (nearer node first; the
// tree's arrays are generated), or training order for brute force. sklearn's
// brute force with p = 2 measures by the GEMM form (gemm_form below): the
// double path computes that, and the grid's bounds cover its rounding.
// After another stage in a pipeline it is a refining predictor (try_predict
// on bounds widened for that stage's float32 rounding, predict_exact from its
// double output).
// q<S, F> policies: inputs are raw fixed point (a folded scaler: the scaler
// stage's fixed-point step first); distances are exact integers (exact
// against sklearn when the training data lie on the 2^-F grid, e.g. integer
// data and F = 0).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/detail/rounded.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/scalers.hpp>
#include <ctml/stage.hpp>

namespace ctml::neighbors {

/// Minkowski exponents with integer fast paths.
enum class metric_kind { manhattan, euclidean, general };

template <class Params>
inline constexpr metric_kind metric_of = Params::p == 1.0 ? metric_kind::manhattan
                                         : Params::p == 2.0 ? metric_kind::euclidean
                                                            : metric_kind::general;

/// numpy's sum of n values along a row (pairwise: 8 partial sums from 8 on).
template <class Get>
[[nodiscard]] constexpr double numpy_sum(std::size_t count, Get get) noexcept {
  if (count < 8) {
    double s = 0.0;  // numpy starts from the first element; 0.0 + a == a
    for (std::size_t i = 0; i < count; ++i) s += get(i);
    return s;
  }
  double r[8];
  for (std::size_t j = 0; j < 8; ++j) r[j] = get(j);
  std::size_t i = 8;
  for (; i + 8 <= count; i += 8)
    for (std::size_t j = 0; j < 8; ++j) r[j] += get(i + j);
  double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < count; ++i) s += get(i);
  return s;
}

/// sklearn's reduced distance in double, in its order.
template <class Params, class X, class Row>
[[nodiscard]] constexpr double reduced_distance(X x, Row s) noexcept {
  double d = 0.0;
  for (std::size_t i = 0; i < Params::n_features; ++i) {
    const double t = x(i) - s(i);
    if constexpr (metric_of<Params> == metric_kind::euclidean) d += detail::rounded_product(t, t);
    else if constexpr (metric_of<Params> == metric_kind::manhattan) d += t < 0 ? -t : t;
    else d += t == 0 ? 0.0 : math::exp(Params::p * math::log(t < 0 ? -t : t));
  }
  return d;
}

/// sklearn's brute force with p = 2 (Params::gemm_distances: algorithm
/// "brute", or "auto" above 15 features) measures by the GEMM form (1.2,
/// EuclideanArgKmin64): max(0, (|x|^2 - 2 x.s) + |s|^2), each dot product a
/// sum in index order (reference BLAS's ddot and dgemm; Debian's default).
template <class Params>
inline constexpr bool gemm_form = requires { Params::gemm_distances; } && metric_of<Params> == metric_kind::euclidean;

/// sum_i x(i) y(i) in index order, in double.
template <class X, class Y>
[[nodiscard]] constexpr double ordered_dot(std::size_t count, X x, Y y) noexcept {
  double t = 0.0;
  for (std::size_t i = 0; i < count; ++i) t += detail::rounded_product(x(i), y(i));
  return t;
}

/// The GEMM form from |x|^2, x.s and |s|^2 (-2 x.s is exact).
[[nodiscard]] constexpr double gemm_reduced(double xx, double xs, double ss) noexcept {
  const double v = (xx + -2.0 * xs) + ss;
  return v > 0.0 ? v : 0.0;
}

/// sqrt correctly rounded, as IEEE (and numpy) computes it: the root of the
/// significand bit by bit in integers (ctml::math::sqrt is within an ulp).
[[nodiscard]] constexpr double sqrt_rounded(double x) noexcept {
  if (!(x > 0) || x == std::numeric_limits<double>::infinity()) return x == 0 ? x : math::sqrt(x);
  const auto bits = std::bit_cast<std::uint64_t>(x);
  std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  int e = static_cast<int>(bits >> 52);
  if (e == 0) {  // subnormal
    e = 1;
    while (m < (std::uint64_t{1} << 52)) { m <<= 1; --e; }
  } else {
    m |= std::uint64_t{1} << 52;
  }
  e -= 1075;  // x = m 2^e
  if (e & 1) { m <<= 1; --e; }
  // root of N = m 2^54 (bits of m, then zeros), two bits at a time: 54 root bits.
  std::uint64_t rem = 0, root = 0;
  for (int i = 53; i >= 0; --i) {
    const int b = 2 * i - 54;
    const std::uint64_t pair = b >= 0 ? (m >> b) & 3 : 0;
    rem = (rem << 2) | pair;
    const std::uint64_t trial = (root << 2) | 1;
    root <<= 1;
    if (rem >= trial) { rem -= trial; root |= 1; }
  }
  std::uint64_t sig = root >> 1;
  if ((root & 1) && (rem != 0 || (sig & 1))) ++sig;
  int exp = e / 2 - 26;
  if (sig == (std::uint64_t{1} << 53)) { sig >>= 1; ++exp; }
  return math::detail::scale(static_cast<double>(sig), exp);
}

/// The distance from a reduced distance (sklearn's _rdist_to_dist).
template <class Params>
[[nodiscard]] constexpr double to_distance(double rd) noexcept {
  if constexpr (metric_of<Params> == metric_kind::euclidean) return sqrt_rounded(rd);
  else if constexpr (metric_of<Params> == metric_kind::manhattan) return rd;
  else return rd == 0 ? 0.0 : math::exp(math::log(rd) / Params::p);
}

/// The fixed-point grid of the f32 fast path.
template <class Params>
struct grid {
  static constexpr std::size_t n = Params::n_features, m = Params::n_samples;
  static constexpr int log2_ceil(std::size_t v) noexcept {
    int b = 0;
    while ((std::size_t{1} << b) < v) ++b;
    return b;
  }
  // |difference| < 2^bits keeps n squared differences below 2^31.
  static constexpr int bits = (31 - log2_ceil(n)) / 2;
  static constexpr double lo(std::size_t i) noexcept {
    double v = Params::samples[0][i];
    for (std::size_t s = 1; s < m; ++s) v = Params::samples[s][i] < v ? Params::samples[s][i] : v;
    return v;
  }
  static constexpr double hi(std::size_t i) noexcept {
    double v = Params::samples[0][i];
    for (std::size_t s = 1; s < m; ++s) v = Params::samples[s][i] > v ? Params::samples[s][i] : v;
    return v;
  }
  static constexpr double half_range = [] {
    double r = 0.0;
    for (std::size_t i = 0; i < n; ++i) r = (hi(i) - lo(i)) / 2 > r ? (hi(i) - lo(i)) / 2 : r;
    return r > 0 ? r : 1.0;
  }();
  // Samples within 2^(bits-2) of the centre, inputs accepted within 2^(bits-1).
  static constexpr int frac_bits = [] {
    int f = 0;
    while (half_range * detail::pow2(f + 1) < detail::pow2(bits - 2) && f < 60) ++f;
    while (half_range * detail::pow2(f) >= detail::pow2(bits - 2) && f > -60) --f;
    return f;
  }();
  static constexpr double scale = detail::pow2(frac_bits);
  static constexpr std::int32_t limit = std::int32_t{1} << (bits - 1);
  // |t| < 2^bits per feature (inputs within limit of the centre, samples
  // within 2^(bits-2) + 1): |t|_1 < n 2^bits.
  static constexpr std::uint64_t l1_max = std::uint64_t{n} << bits;
  CTML_FLASH static constexpr auto centre = [] {
    std::array<std::int32_t, n> c{};
    for (std::size_t i = 0; i < n; ++i) c[i] = detail::round_sat<std::int32_t>((lo(i) + hi(i)) / 2 * scale);
    return c;
  }();
  using sample_type = std::conditional_t<(bits - 2 <= 15), std::int16_t, std::int32_t>;
  /// After a stage whose float32 output is sklearn's double rounded once,
  /// the input is off by up to 2^-24 |x| more: at most this many grid units
  /// for any accepted input (|x 2^F| < |centre| + limit).
  static constexpr double input_eps = [] {
    double c = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double a = (lo(i) + hi(i)) / 2 * scale;
      c = (a < 0 ? -a : a) > c ? (a < 0 ? -a : a) : c;
    }
    return (c + 1.0 + detail::pow2(bits - 1)) * 0x1p-24;
  }();
  CTML_FLASH static constexpr auto samples = [] {
    std::array<std::array<sample_type, n>, m> q{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i)
        q[s][i] = static_cast<sample_type>(detail::round_sat<std::int32_t>(Params::samples[s][i] * scale) - centre[i]);
    return q;
  }();

  /// round(x * 2^frac_bits) from the float's bits (no float arithmetic: no
  /// soft-float on chips without an FPU); false if |x * 2^F| >= 2^30 or not finite.
  [[nodiscard]] static constexpr bool to_fixed(float x, std::int32_t& out) noexcept {
    const auto b = std::bit_cast<std::uint32_t>(x);
    const int e = static_cast<int>((b >> 23) & 0xff);
    if (e == 0xff) return false;
    if (e == 0) { out = 0; return true; }  // zero and subnormals: |x 2^F| < 1/2 for any usable F
    const std::uint32_t mant = (b & 0x7fffffu) | 0x800000u;
    const int shift = e - 150 + frac_bits;  // x 2^F = mant 2^shift
    std::int32_t v;
    if (shift >= 7) return false;
    if (shift >= 0) v = static_cast<std::int32_t>(mant << shift);
    else if (shift < -25) v = 0;
    else v = static_cast<std::int32_t>((mant + (std::uint32_t{1} << (-shift - 1))) >> -shift);
    out = (b >> 31) ? -v : v;
    return true;
  }
};

/// Where a row comes from, for the grid's error bounds.
enum class source {
  alone,         // predict: a float row, sklearn's double is the same number
  stage_float,   // try_predict: the stage before's double output rounded once to float
  stage_double,  // predict_exact: that double, rounded once here for the grid
};

/// How far the grid's input may be from sklearn's, as a widening of the grid
/// bounds: d grid units per feature (beyond the grid's own rounding) moves
/// each grid difference t to t + e with |e| <= 1 + d (1 of it the grids'
/// roundings, in the plain bound): the squares by (1 + d)(2|t| + 1 + d), i.e.
/// 2d |t|_1 + n (2d + d^2) more than the plain bound's 2|t|_1 + n; |t| by n d
/// more. As (|t|_1 mult) >> 16 + add (+1 for each truncation).
struct widening {
  double units;  // d
  std::uint32_t mult, add;
};

/// A scaler (x - mean) / scale folded into a neighbours stage
/// (Params::input_mean, input_scale; generator/ctml/scalers.py
/// absorb_standard_scaler): the input is raw; sklearn's path scales it in
/// double as sklearn's Pipeline does, the grid's in float as
/// x * fl(1 / scale) - fl(mean / scale), with the bounds widened for the
/// difference. Without a scaler, only the widening for inputs after a stage.
template <class Params>
struct input_scaling {
  static constexpr std::size_t n = Params::n_features;
  using g = grid<Params>;
  static constexpr bool has_scaler = requires { Params::input_mean[0]; Params::input_scale[0]; };

  struct factors { float inv_scale, shift; };
  CTML_FLASH static constexpr auto factors_f = [] {
    std::array<factors, has_scaler ? n : 0> v{};
    if constexpr (has_scaler)
      for (std::size_t i = 0; i < n; ++i)
        v[i] = {static_cast<float>(1.0 / Params::input_scale[i]),
                static_cast<float>(Params::input_mean[i] / Params::input_scale[i])};
    return v;
  }();
  /// The grid's input for feature i: the float scaling the bounds assume.
  static constexpr float scaled(std::size_t i, float x) noexcept {
    if constexpr (has_scaler) {
      const auto f = flash_load(&factors_f[i]);
      return x * f.inv_scale - f.shift;
    } else {
      return x;
    }
  }
  /// sklearn's scaling of a row, in double.
  template <class T>
  static constexpr std::array<double, n> exact(std::span<const T, n> x) noexcept {
    std::array<double, n> y{};
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (has_scaler) y[i] = (static_cast<double>(x[i]) - Params::input_mean[i]) / Params::input_scale[i];
      else y[i] = static_cast<double>(x[i]);
    }
    return y;
  }
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return has_scaler ? sizeof(factors_f) + 2 * n * sizeof(double) : 0;  // (an empty std::array has size 1)
  }

  // u = 2^-24; Y = c + limit + 1 bounds |y 2^F| for inputs the grid takes
  // (c: the largest |centre|); S = max |mean / scale| 2^F.
  static constexpr double roundoff = 0x1p-24;               // u
  static constexpr double reach = g::input_eps / roundoff;  // Y
  static constexpr double shift_units = [] {
    double m = 0.0;
    if constexpr (has_scaler)
      for (std::size_t i = 0; i < n; ++i) {
        const double v = Params::input_mean[i] / Params::input_scale[i];
        m = (v < 0 ? -v : v) > m ? (v < 0 ? -v : v) : m;
      }
    return m * g::scale;
  }();
  /// The float scaling of a float x: a = fl(1/s), b = fl(m/s), fl(fl(x a) - b)
  /// = (x a (1 + e1)(1 + e3) - b (1 + e2))(1 + e4), |e| <= u (1 + 2^-28), so
  /// it is off y = (x - m)/s by <= 3u |x/s| + 2u |m/s| <= 3u |y| + 5u |m/s|;
  /// |y| is within that of the float result the grid took (below Y): solved
  /// for d; 3.01 and 5.01 also cover sklearn's own double roundings.
  static constexpr double scaling_error =
      has_scaler ? (3.01 * roundoff * reach + 5.01 * roundoff * shift_units) / (1 - 3.01 * roundoff) : 0.0;

  /// d for inputs from `from`: alone, the scaling's error; a float rounding
  /// of a double x is within u |x| of it: u Y units (g::input_eps) when the
  /// grid takes x directly, and u |x/s| <= u (|y| + |m/s|) units more after
  /// the scaling.
  static constexpr double widening_units(source from) noexcept {
    if (from == source::stage_double) return g::input_eps;
    if (from == source::alone) return scaling_error;
    if (!has_scaler) return g::input_eps;
    return scaling_error + 1.01 * roundoff * (reach + scaling_error + shift_units);
  }
  /// The widening for inputs from `from` (mult and add 0 for d above 1 unit:
  /// callers cap d; only a shift |m/s| millions of units from the data).
  static constexpr widening widening_for(source from) noexcept {
    const double d = widening_units(from);
    if (d == 0.0 || !(d <= 1.0)) return {d, 0, 0};
    if constexpr (metric_of<Params> == metric_kind::euclidean)
      return {d, static_cast<std::uint32_t>(2 * d * 65536.0) + 1,
              static_cast<std::uint32_t>(static_cast<double>(n) * (2 * d + d * d)) + 2};
    else return {d, 0, static_cast<std::uint32_t>(static_cast<double>(n) * d) + 1};
  }
};

/// sklearn's reduced distances to the training samples, in its double
/// arithmetic (the direct sums of reduced_distance, or the GEMM form).
template <class Params>
struct exact_distances {
  static constexpr std::size_t n = Params::n_features, m = Params::n_samples;
  static constexpr bool gemm = gemm_form<Params>;
  using g = grid<Params>;

  CTML_FLASH static constexpr auto samples = [] {
    std::array<std::array<double, n>, m> v{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i) v[s][i] = Params::samples[s][i];
    return v;
  }();
  /// |s|^2 of each sample, as the GEMM form takes it.
  CTML_FLASH static constexpr auto norms = [] {
    std::array<double, gemm ? m : 0> v{};
    if constexpr (gemm)
      for (std::size_t s = 0; s < m; ++s) {
        const auto row = [s](std::size_t i) { return Params::samples[s][i]; };
        v[s] = ordered_dot(n, row, row);
      }
    return v;
  }();
  static constexpr double sample(std::size_t s, std::size_t i) noexcept { return flash_load(&samples[s][i]); }

  /// |x|^2 for the GEMM form (0, unused, otherwise).
  template <class X>
  static constexpr double row_norm(const X& x) noexcept {
    if constexpr (gemm) {
      const auto xi = [&](std::size_t i) { return static_cast<double>(x[i]); };
      return ordered_dot(n, xi, xi);
    } else {
      (void)x;
      return 0.0;
    }
  }
  /// The reduced distance from x to sample s (xx: row_norm(x)).
  template <class X>
  static constexpr double reduced(const X& x, std::size_t s, double xx) noexcept {
    const auto xi = [&](std::size_t i) { return static_cast<double>(x[i]); };
    const auto si = [s](std::size_t i) { return sample(s, i); };
    if constexpr (gemm) {
      return gemm_reduced(xx, ordered_dot(n, si, xi), flash_load(&norms[s]));
    } else {
      (void)xx;
      return reduced_distance<Params>(xi, si);
    }
  }

  /// The GEMM form is off the exact squared distance by at most
  /// 2 gamma_{n+3} (|x|^2 + |s|^2) (gamma_j = j u / (1 - j u), u = 2^-53: n
  /// products summed, two more sums; 2 |x.s| <= |x|^2 + |s|^2), for inputs
  /// the grid takes (|x_i 2^F| < |centre_i| + limit + 2, the 2 for a folded
  /// scaler's rounding): this many grid units.
  static constexpr double gemm_units = [] {
    if constexpr (!gemm) {
      return 0.0;
    } else {
      double xx = 0.0, ss = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double c = static_cast<double>(g::centre[i] < 0 ? -g::centre[i] : g::centre[i]) + g::limit + 2;
        xx += c * c;
      }
      for (std::size_t s = 0; s < m; ++s) ss = norms[s] > ss ? norms[s] : ss;
      const double j = static_cast<double>(n + 3), gamma = j * 0x1p-53 / (1 - j * 0x1p-53);
      return 2.02 * gamma * (xx + ss * g::scale * g::scale);
    }
  }();
  /// Whether the grid's bounds, with that added, still fit their integers.
  static constexpr bool grid_usable = gemm_units < 0x1p20;
  /// A widening of the grid's bounds that also covers the GEMM form.
  static constexpr widening widen(widening w) noexcept {
    if constexpr (gemm) w.add += static_cast<std::uint32_t>(gemm_units) + 1;
    return w;
  }
  static constexpr std::size_t data_bytes() noexcept { return sizeof(samples) + (gemm ? sizeof(norms) : 0); }
};

/// sklearn's _simultaneous_sort (quicksort, median of three): the order of
/// equal distances, and so of a regressor's sums, follows it.
inline constexpr void simultaneous_sort(double* dist, std::uint16_t* idx, std::size_t size) noexcept {
  auto swap = [&](std::size_t a, std::size_t b) {
    const double d = dist[a]; dist[a] = dist[b]; dist[b] = d;
    const std::uint16_t t = idx[a]; idx[a] = idx[b]; idx[b] = t;
  };
  if (size <= 1) return;
  if (size == 2) {
    if (dist[0] > dist[1]) swap(0, 1);
    return;
  }
  if (size == 3) {
    if (dist[0] > dist[1]) swap(0, 1);
    if (dist[1] > dist[2]) {
      swap(1, 2);
      if (dist[0] > dist[1]) swap(0, 1);
    }
    return;
  }
  const std::size_t mid = size / 2;
  if (dist[0] > dist[size - 1]) swap(0, size - 1);
  if (dist[size - 1] > dist[mid]) {
    swap(size - 1, mid);
    if (dist[0] > dist[size - 1]) swap(0, size - 1);
  }
  const double pivot = dist[size - 1];
  std::size_t store = 0;
  for (std::size_t i = 0; i + 1 < size; ++i)
    if (dist[i] < pivot) swap(i, store++);
  swap(store, size - 1);
  if (store > 1) simultaneous_sort(dist, idx, store);
  if (store + 2 < size) simultaneous_sort(dist + store + 1, idx + store + 1, size - store - 1);
}

/// sklearn's max-heap of the k best (NeighborsHeap._push): the root holds
/// the largest; a value enters only when below it.
template <class D, std::size_t k>
struct heap {
  std::array<D, k> value{};
  std::array<std::uint16_t, k> index{};
  constexpr heap() noexcept {
    if constexpr (std::numeric_limits<D>::has_infinity) value.fill(std::numeric_limits<D>::infinity());
    else value.fill(std::numeric_limits<D>::max());
  }
  [[nodiscard]] constexpr D largest() const noexcept { return value[0]; }
  constexpr void push(D v, std::uint16_t idx) noexcept {
    if (!(v < value[0])) return;
    std::size_t i = 0;
    for (;;) {
      const std::size_t c1 = 2 * i + 1, c2 = c1 + 1;
      std::size_t swap;
      if (c1 >= k) break;
      if (c2 >= k) {
        if (value[c1] > v) swap = c1;
        else break;
      } else if (value[c1] >= value[c2]) {
        if (v < value[c1]) swap = c1;
        else break;
      } else {
        if (v < value[c2]) swap = c2;
        else break;
      }
      value[i] = value[swap];
      index[i] = index[swap];
      i = swap;
    }
    value[i] = v;
    index[i] = idx;
  }
};

/// One of the k best so far.
struct candidate {
  std::uint32_t d;  // distance (integer path) or unused
  std::uint32_t e;  // its error bound
  std::uint16_t i;  // training index
};

/// The k nearest training samples, as sklearn chooses them; their indices in
/// distance order, and (for distance weights) their distances.
template <class Params>
struct search {
  static constexpr std::size_t n = Params::n_features, m = Params::n_samples, k = Params::n_neighbors;
  static_assert(k >= 1 && k <= m, "ctml: n_neighbors must be between 1 and the number of training samples");
  static_assert(m <= 65535, "ctml: more than 65535 training samples");
  using g = grid<Params>;
  using scaling = input_scaling<Params>;
  using exact = exact_distances<Params>;
  static constexpr bool has_scaler = scaling::has_scaler;
  static constexpr bool integer_path = metric_of<Params> != metric_kind::general;

  struct result {
    std::array<std::uint16_t, k> index{};
    std::array<double, k> distance{};  // filled for distance weights only
  };

  /// The input on the grid, relative to the centre; false outside the grid's
  /// range. `raw`: an input the folded scaler (if any) has not scaled yet.
  template <bool raw = true>
  static constexpr bool to_grid(std::span<const float, n> xf, std::array<std::int32_t, n>& x) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      std::int32_t v;
      if (!g::to_fixed(raw ? scaling::scaled(i, xf[i]) : xf[i], v)) return false;
      v -= flash_load(&g::centre[i]);
      if (v >= g::limit || v <= -g::limit) return false;
      x[i] = v;
    }
    return true;
  }

  /// The bounds for inputs from `From` are widened (input_scaling); the grid
  /// decides only for d up to 1/16 unit (lower_exceeds needs mult <= 2^13 + 1).
  template <source From>
  static constexpr widening widen = [] {
    return exact::widen(scaling::widening_for(From));
  }();
  static constexpr bool grid_for(source from) noexcept {
    return integer_path && scaling::widening_for(from).units <= 1.0 / 16 && exact::grid_usable;
  }
  /// Integer distance d to sample s and its error bound e (grid units).
  template <source From = source::alone>
  static constexpr candidate bounded(const std::array<std::int32_t, n>& x, std::size_t s) noexcept {
    std::uint32_t d = 0, l1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t t = x[i] - static_cast<std::int32_t>(flash_load(&g::samples[s][i]));
      const auto a = static_cast<std::uint32_t>(t < 0 ? -t : t);
      if constexpr (metric_of<Params> == metric_kind::euclidean) d += a * a;
      l1 += a;
    }
    constexpr widening w = widen<From>;
    std::uint32_t e = w.add;
    if constexpr (w.mult != 0) {
      using product = std::conditional_t<(g::l1_max * w.mult < (std::uint64_t{1} << 32)), std::uint32_t, std::uint64_t>;
      e += static_cast<std::uint32_t>((product{l1} * w.mult) >> 16);
    }
    if constexpr (metric_of<Params> == metric_kind::euclidean)
      return {d, static_cast<std::uint32_t>(2 * l1 + 3 * n + 1) + e, static_cast<std::uint16_t>(s)};
    else
      return {l1, static_cast<std::uint32_t>(n + 1) + e, static_cast<std::uint16_t>(s)};
  }

  /// Integer distance to sample s (grid units), unrolled over the features.
  static constexpr std::uint32_t distance(const std::array<std::int32_t, n>& x, std::size_t s) noexcept {
    std::uint32_t d = 0;
    const auto* row = g::samples[s].data();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      if constexpr (metric_of<Params> == metric_kind::euclidean)
        ((d += static_cast<std::uint32_t>((x[I] - flash_load(row + I)) * (x[I] - flash_load(row + I)))), ...);
      else
        ((d += static_cast<std::uint32_t>(x[I] > flash_load(row + I) ? x[I] - flash_load(row + I)
                                                                      : flash_load(row + I) - x[I])), ...);
    }(std::make_index_sequence<n>{});
    return d;
  }

  /// The smallest lower bound a sample at distance >= dist can have: e grows
  /// as 2 |t|_1 <= 2 sqrt(n d) (p = 2), so d - e increases with d.
  /// Widened: e <= (2 + mu) sqrt(n d) + 3n + 1 + add, (2 + mu)^2 <= 4 + 5 mu
  /// (mu = mult 2^-16 <= 1/8).
  template <source From = source::alone>
  static constexpr bool lower_exceeds(std::uint64_t dist, std::uint64_t bound) noexcept {
    constexpr widening w = widen<From>;
    if constexpr (w.add != 0 && metric_of<Params> == metric_kind::euclidean) {
      const std::uint64_t c = 3 * n + 1 + w.add + bound;
      if (dist <= c) return false;
      const std::uint64_t r = dist - c;
      return r * r > 4 * n * dist + ((5 * std::uint64_t{w.mult} * n * dist) >> 16) + 1;
    } else if constexpr (w.add != 0) {
      return dist > bound + n + 1 + w.add;
    } else if constexpr (metric_of<Params> == metric_kind::euclidean) {
      // dist - 2 sqrt(n dist) - (3n + 1) > bound, without a square root
      const std::uint64_t c = 3 * n + 1 + bound;
      if (dist <= c) return false;
      const std::uint64_t r = dist - c;
      return r * r > 4 * n * dist;  // r < 2^32: no overflow
    } else {
      return dist > bound + n + 1;
    }
  }

  /// Integer distances with error bounds: true when they prove the set;
  /// otherwise `upper` bounds the k-th smallest distance (grid units).
  /// One pass keeps the k + 1 nearest by integer distance; every other sample
  /// is at least as far as the (k + 1)-th, so its lower bound is at least that
  /// one's (lower_exceeds), and only the k + 1 need their exact bounds.
  template <source From = source::alone>
  static constexpr bool nearest_fixed(const std::array<std::int32_t, n>& x, result& out, std::uint64_t& upper) noexcept {
    std::array<std::uint32_t, k + 1> best_d{};
    std::array<std::uint16_t, k + 1> best_i{};
    std::size_t count = 0;
    for (std::size_t s = 0; s < m; ++s) {
      const std::uint32_t d = distance(x, s);
      if (count == k + 1) {
        if (d >= best_d[k]) continue;
        --count;
      }
      std::size_t j = count++;
      for (; j > 0 && best_d[j - 1] > d; --j) {  // stable: equal d keeps index order
        best_d[j] = best_d[j - 1];
        best_i[j] = best_i[j - 1];
      }
      best_d[j] = d;
      best_i[j] = static_cast<std::uint16_t>(s);
    }
    std::uint64_t highest_chosen = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const candidate c = bounded<From>(x, best_i[j]);
      const std::uint64_t up = std::uint64_t{c.d} + c.e;
      highest_chosen = up > highest_chosen ? up : highest_chosen;
    }
    upper = highest_chosen;
    if (count == k + 1 && !lower_exceeds<From>(best_d[k], highest_chosen)) return false;
    for (std::size_t j = 0; j < k; ++j) out.index[j] = best_i[j];
    return true;
  }

  /// Uniform votes need only the labels of the set. When the integer bounds
  /// leave places open but every sample that can fill them has one label,
  /// the labels are known without sklearn's double arithmetic: a sample is
  /// certainly among the k nearest when fewer than k others can be as near
  /// (lower bound <= its upper bound), whatever the order of ties. Writes
  /// the certain members, then one open candidate for each open place (the
  /// set's labels, not its indices); false if undecided.
  template <source From = source::alone, class Label>
  static constexpr bool settle_by_label(const std::array<std::int32_t, n>& x, std::uint64_t upper, Label label,
                                        result& out) noexcept {
    constexpr std::size_t cap = k + 8;
    std::array<std::uint32_t, cap> lo{}, hi{};  // d + e < 2^32 (d < 2^31 on the grid)
    std::array<std::uint16_t, cap> idx{};
    std::size_t count = 0;
    for (std::size_t s = 0; s < m; ++s) {
      const candidate c = bounded<From>(x, s);
      const std::uint32_t l = c.d > c.e ? c.d - c.e : 0;
      if (l > upper) continue;  // certainly farther than the k-th
      if (count == cap) return false;
      lo[count] = l;
      hi[count] = c.d + c.e;
      idx[count++] = static_cast<std::uint16_t>(s);
    }
    std::size_t certain = 0, open = cap;
    for (std::size_t a = 0; a < count; ++a) {
      std::size_t rivals = 0;
      for (std::size_t b = 0; b < count; ++b) rivals += (b != a && lo[b] <= hi[a]) ? 1 : 0;
      if (rivals < k) {
        if (certain == k) return false;
        out.index[certain++] = idx[a];
      } else if (open == cap) {
        open = a;
      } else if (label(idx[a]) != label(idx[open])) {
        return false;
      }
    }
    if (certain < k && open == cap) return false;
    for (std::size_t j = certain; j < k; ++j) out.index[j] = idx[open];
    return true;
  }

  /// The k nearest as a set, for uniform votes (`label(s)`: sample s's class).
  template <class Label>
  static constexpr void nearest_set(std::span<const float, n> xf, result& out, Label label) noexcept {
    (void)label;
    if constexpr (grid_for(source::alone)) {
      std::array<std::int32_t, n> x{};
      if (to_grid(xf, x)) {
        std::uint64_t upper = 0;
        if (nearest_fixed(x, out, upper)) return;
        if (settle_by_label(x, upper, label, out)) return;
        if constexpr (has_scaler) {
          const auto xd = scaling::exact(xf);
          if (settle_near_ties<false>(std::span<const double, n>(xd), x, upper, out)) return;
          nearest_double<double>(xd, out);
          return;
        } else if (settle_near_ties<false>(xf, x, upper, out)) {
          return;
        }
      }
    }
    nearest_double_raw(xf, out);
  }

  /// Near-ties: sklearn's double distances for the samples that can be among
  /// the k nearest (lower bound <= `upper`); true when they settle the set
  /// (and, if `ordered`, the order): no exact tie across the k-th place.
  template <bool ordered, source From = source::alone, class T = float>
  static constexpr bool settle_near_ties(std::span<const T, n> xf, const std::array<std::int32_t, n>& x,
                                         std::uint64_t upper, result& out) noexcept {
    std::array<double, k + 1> rd{};
    std::array<std::uint16_t, k + 1> idx{};
    std::size_t count = 0;
    const double xx = row_norm(xf);
    for (std::size_t s = 0; s < m; ++s) {
      const candidate c = bounded<From>(x, s);
      if (c.d > c.e && c.d - c.e > upper) continue;  // certainly farther than the k-th
      const double v = reduced(xf, s, xx);
      if (count == k + 1 && !(v < rd[k])) {
        if (v == rd[k]) rd[k] = v;  // keep: an equal value still means a tie at the boundary
        continue;
      }
      std::size_t j = count < k + 1 ? count++ : k;
      for (; j > 0 && rd[j - 1] > v; --j) {
        rd[j] = rd[j - 1];
        idx[j] = idx[j - 1];
      }
      rd[j] = v;
      idx[j] = static_cast<std::uint16_t>(s);
    }
    if (count > k && rd[k - 1] == rd[k]) return false;  // sklearn's heap and tree order decide
    for (std::size_t j = 0; j < k; ++j) {
      if constexpr (ordered)
        if (j > 0 && rd[j - 1] == rd[j]) return false;
      out.index[j] = idx[j];
      out.distance[j] = to_distance<Params>(rd[j]);
    }
    return true;
  }

  using heap = neighbors::heap<double, k>;

  template <class T>
  static constexpr double row_norm(std::span<const T, n> xf) noexcept { return exact::row_norm(xf); }
  template <class T>
  static constexpr double reduced(std::span<const T, n> xf, std::size_t s, double xx) noexcept {
    return exact::reduced(xf, s, xx);
  }

  static constexpr bool kd_tree = requires { Params::node_lo[0][0]; };
  static constexpr bool ball_tree = requires { Params::node_radius[0]; };
  static constexpr bool tree = kd_tree || ball_tree;

  /// sklearn's lower bound on the reduced distance from x to a node's samples:
  /// a kd-tree's to its box, a ball tree's max(0, dist(x, centre) - radius).
  template <class T>
  static constexpr double min_rdist(std::span<const T, n> xf, std::size_t node) noexcept {
    constexpr metric_kind kind = metric_of<Params>;
    if constexpr (ball_tree) {
      double d = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(xf[i]) - flash_load(&node_centre[node][i]);
        if constexpr (kind == metric_kind::euclidean) d += detail::rounded_product(t, t);
        else if constexpr (kind == metric_kind::manhattan) d += t < 0 ? -t : t;
        else d += t == 0 ? 0.0 : math::exp(Params::p * math::log(t < 0 ? -t : t));
      }
      const double gap = to_distance<Params>(d) - flash_load(&node_radius[node]);
      const double lb = gap > 0.0 ? gap : 0.0;
      if constexpr (kind == metric_kind::euclidean) return detail::rounded_product(lb, lb);
      else if constexpr (kind == metric_kind::manhattan) return lb;
      else return lb == 0 ? 0.0 : math::exp(Params::p * math::log(lb));
    } else {
      double rd = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = static_cast<double>(xf[i]);
        const double d_lo = flash_load(&node_lo[node][i]) - x, d_hi = x - flash_load(&node_hi[node][i]);
        const double d = (d_lo + (d_lo < 0 ? -d_lo : d_lo)) + (d_hi + (d_hi < 0 ? -d_hi : d_hi));
        const double half = 0.5 * d;
        if constexpr (kind == metric_kind::euclidean) rd += detail::rounded_product(half, half);
        else if constexpr (kind == metric_kind::manhattan) rd += half;
        else rd += half == 0 ? 0.0 : math::exp(Params::p * math::log(half));
      }
      return rd;
    }
  }

  /// sklearn's KDTree/BallTree.query, depth first: children nearest first (by
  /// min_rdist, the left one on equality), points in tree order.
  template <class T>
  static constexpr void query_tree(std::span<const T, n> xf, heap& h) noexcept {
    const double xx = row_norm(xf);
    traverse(
        h,
        [&](std::size_t node) { return min_rdist(xf, node); }, [&](std::size_t s) { return reduced(xf, s, xx); });
  }

  /// The same traversal, skipping sklearn's arithmetic for samples whose
  /// integer lower bound already exceeds the heap's largest (sklearn does not
  /// push them either): near-ties cost a few double distances, not all.
  template <source From = source::alone, class T = float>
  static constexpr void query_tree_bounded(std::span<const T, n> xf, const std::array<std::int32_t, n>& x,
                                           heap& h) noexcept {
    constexpr double unit = metric_of<Params> == metric_kind::euclidean ? 1.0 / (g::scale * g::scale) : 1.0 / g::scale;
    const double xx = row_norm(xf);
    traverse(
        h,
        [&](std::size_t node) { return min_rdist(xf, node); },
        [&](std::size_t s) {
          const candidate c = bounded<From>(x, s);
          const std::uint32_t lower = c.d > c.e ? c.d - c.e : 0;
          if (static_cast<double>(lower) * unit > h.largest()) return std::numeric_limits<double>::infinity();
          return reduced(xf, s, xx);
        });
  }

  /// The traversal itself, for any distance type: `min_rdist(node)` and `rdist(sample)`.
  template <class H, class MinRdist, class Rdist>
  static constexpr void traverse(H& h, MinRdist node_bound, Rdist rdist) noexcept {
    if constexpr (tree) {
      using bound_type = decltype(node_bound(std::size_t{0}));
      // An explicit stack of (node, its lower bound); depth <= log2(n_nodes) + 1.
      struct item { std::uint16_t node; bound_type bound; };
      std::array<item, 2 * (std::bit_width(tree_nodes) + 1)> stack{};
      std::size_t top = 0;
      stack[top++] = {0, node_bound(0)};
      while (top > 0) {
        const item it = stack[--top];
        if (it.bound > h.largest()) continue;
        const std::size_t node = it.node;
        if (flash_load(&node_leaf[node])) {
          for (std::size_t j = flash_load(&node_start[node]), e = flash_load(&node_end[node]); j < e; ++j) {
            const std::uint16_t s = flash_load(&tree_order[j]);
            h.push(rdist(s), s);
          }
        } else {
          const std::size_t c1 = 2 * node + 1, c2 = c1 + 1;
          const bound_type b1 = node_bound(c1), b2 = node_bound(c2);
          if (b1 <= b2) {  // visit c1 first: push it last
            stack[top++] = {static_cast<std::uint16_t>(c2), b2};
            stack[top++] = {static_cast<std::uint16_t>(c1), b1};
          } else {
            stack[top++] = {static_cast<std::uint16_t>(c1), b1};
            stack[top++] = {static_cast<std::uint16_t>(c2), b2};
          }
        }
      }
    } else {
      for (std::size_t s = 0; s < m; ++s) h.push(rdist(s), static_cast<std::uint16_t>(s));
      (void)node_bound;
    }
  }

  template <class T, std::size_t N, class F>
  static constexpr std::array<T, N> table(F f) noexcept {
    std::array<T, N> a{};
    for (std::size_t i = 0; i < N; ++i) a[i] = f(i);
    return a;
  }
  static constexpr std::size_t tree_nodes = [] {
    if constexpr (tree) return static_cast<std::size_t>(Params::n_nodes);
    else return std::size_t{0};
  }();
  CTML_FLASH static constexpr auto node_start = table<std::uint16_t, tree_nodes>([](std::size_t i) {
    if constexpr (tree) return static_cast<std::uint16_t>(Params::node_start[i]); else { (void)i; return std::uint16_t{0}; }
  });
  CTML_FLASH static constexpr auto node_end = table<std::uint16_t, tree_nodes>([](std::size_t i) {
    if constexpr (tree) return static_cast<std::uint16_t>(Params::node_end[i]); else { (void)i; return std::uint16_t{0}; }
  });
  CTML_FLASH static constexpr auto node_leaf = table<bool, tree_nodes>([](std::size_t i) {
    if constexpr (tree) return static_cast<bool>(Params::node_leaf[i]); else { (void)i; return false; }
  });
  CTML_FLASH static constexpr auto tree_order = table<std::uint16_t, tree ? m : 0>([](std::size_t i) {
    if constexpr (tree) return static_cast<std::uint16_t>(Params::tree_order[i]); else { (void)i; return std::uint16_t{0}; }
  });
  CTML_FLASH static constexpr auto node_lo = table<std::array<double, n>, kd_tree ? tree_nodes : 0>([](std::size_t i) {
    std::array<double, n> r{};
    if constexpr (kd_tree) for (std::size_t f = 0; f < n; ++f) r[f] = Params::node_lo[i][f];
    return r;
  });
  CTML_FLASH static constexpr auto node_hi = table<std::array<double, n>, kd_tree ? tree_nodes : 0>([](std::size_t i) {
    std::array<double, n> r{};
    if constexpr (kd_tree) for (std::size_t f = 0; f < n; ++f) r[f] = Params::node_hi[i][f];
    return r;
  });
  CTML_FLASH static constexpr auto node_centre = table<std::array<double, n>, ball_tree ? tree_nodes : 0>([](std::size_t i) {
    std::array<double, n> r{};
    if constexpr (ball_tree) for (std::size_t f = 0; f < n; ++f) r[f] = Params::node_centre[i][f];
    return r;
  });
  CTML_FLASH static constexpr auto node_radius = table<double, ball_tree ? tree_nodes : 0>([](std::size_t i) {
    if constexpr (ball_tree) return static_cast<double>(Params::node_radius[i]); else { (void)i; return 0.0; }
  });

  /// sklearn's double arithmetic and its order of pushes into its heap:
  /// the tree's traversal, or training order (brute force).
  template <class T = float>
  static constexpr void nearest_double(std::span<const T, n> xf, result& out) noexcept {
    static_assert(std::is_same_v<T, double> || !has_scaler, "ctml: a folded scaler's row is scaled in double first");
    heap h;
    if constexpr (integer_path && std::is_same_v<T, float>) {
      std::array<std::int32_t, n> x{};
      if (to_grid(xf, x)) query_tree_bounded(xf, x, h);
      else query_tree(xf, h);
    } else if constexpr (grid_for(source::stage_double)) {
      // a double row: the bounds on its float32 rounding skip samples
      std::array<float, n> f{};
      for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<float>(xf[i]);
      std::array<std::int32_t, n> x{};
      if (to_grid<false>(f, x)) query_tree_bounded<source::stage_double>(xf, x, h);
      else query_tree(xf, h);
    } else {
      query_tree(xf, h);
    }
    simultaneous_sort(h.value.data(), h.index.data(), k);
    for (std::size_t j = 0; j < k; ++j) {
      out.index[j] = h.index[j];
      out.distance[j] = to_distance<Params>(h.value[j]);
    }
  }

  /// sklearn's search on a raw row: its double scaling when a scaler is folded in.
  static constexpr void nearest_double_raw(std::span<const float, n> xf, result& out) noexcept {
    if constexpr (has_scaler) nearest_double<double>(scaling::exact(xf), out);
    else nearest_double(xf, out);
  }

  /// `ordered`: the caller needs sklearn's order of the neighbours (sums of
  /// weights or targets), not only the set.
  template <bool ordered>
  static constexpr void nearest(std::span<const float, n> xf, result& out) noexcept {
    if constexpr (grid_for(source::alone)) {
      std::array<std::int32_t, n> x{};
      if (to_grid(xf, x)) {
        std::uint64_t upper = 0;
        const bool proven = nearest_fixed(x, out, upper);
        if (proven && !ordered) return;
        if constexpr (has_scaler) {
          const auto xd = scaling::exact(xf);
          const std::span<const double, n> xs(xd);
          if (proven ? order_chosen(xs, out) : settle_near_ties<ordered>(xs, x, upper, out)) return;
          nearest_double<double>(xs, out);
          return;
        } else if (proven ? order_chosen(xf, out) : settle_near_ties<ordered>(xf, x, upper, out)) {
          return;
        }
      }
    }
    nearest_double_raw(xf, out);
  }

  /// Orders a proven set by sklearn's double distances and fills them;
  /// false on an equal pair (sklearn's heap and sort order those, which only
  /// the double path reproduces).
  template <class T>
  static constexpr bool order_chosen(std::span<const T, n> xf, result& out) noexcept {
    std::array<double, k> rd{};
    const double xx = row_norm(xf);
    for (std::size_t j = 0; j < k; ++j) rd[j] = reduced(xf, out.index[j], xx);
    bool tie = false;
    for (std::size_t j = 1; j < k; ++j)
      for (std::size_t i = j; i > 0 && rd[i - 1] >= rd[i]; --i) {
        tie = tie || rd[i - 1] == rd[i];
        const double d = rd[i]; rd[i] = rd[i - 1]; rd[i - 1] = d;
        const std::uint16_t t = out.index[i]; out.index[i] = out.index[i - 1]; out.index[i - 1] = t;
      }
    if (tie) return false;
    for (std::size_t j = 0; j < k; ++j) out.distance[j] = to_distance<Params>(rd[j]);
    return true;
  }

  // After a stage in a pipeline (pipeline.hpp, RefiningPredictor): the float
  // input is sklearn's double output of that stage rounded once (then scaled
  // in float by a folded scaler), so the proofs use bounds widened for that
  // (source::stage_float), and the rows they cannot settle are redone from
  // the double row (source::stage_double).

  /// The set (or, as settle_by_label, its labels) when the widened bounds prove it.
  template <class Label>
  static constexpr bool try_set(std::span<const float, n> xf, result& out, Label label) noexcept {
    if constexpr (grid_for(source::stage_float)) {
      std::array<std::int32_t, n> x{};
      if (to_grid(xf, x)) {
        std::uint64_t upper = 0;
        if (nearest_fixed<source::stage_float>(x, out, upper)) return true;
        return settle_by_label<source::stage_float>(x, upper, label, out);
      }
    }
    (void)xf, (void)out, (void)label;
    return false;
  }

  /// The set in sklearn's order when the widened bounds prove both (the k
  /// intervals disjoint); distances not filled.
  static constexpr bool try_ordered(std::span<const float, n> xf, result& out) noexcept {
    if constexpr (grid_for(source::stage_float)) {
      std::array<std::int32_t, n> x{};
      std::uint64_t upper = 0;
      if (!to_grid(xf, x) || !nearest_fixed<source::stage_float>(x, out, upper)) return false;
      std::array<candidate, k> c{};
      for (std::size_t j = 0; j < k; ++j) c[j] = bounded<source::stage_float>(x, out.index[j]);
      for (std::size_t j = 1; j < k; ++j)
        for (std::size_t i = j; i > 0 && c[i - 1].d > c[i].d; --i) {
          const candidate t = c[i]; c[i] = c[i - 1]; c[i - 1] = t;
        }
      for (std::size_t j = 0; j < k; ++j) {
        if (j > 0 && std::uint64_t{c[j - 1].d} + c[j - 1].e >= (c[j].d > c[j].e ? c[j].d - c[j].e : 0)) return false;
        out.index[j] = c[j].i;
      }
      return true;
    }
    (void)xf, (void)out;
    return false;
  }

  /// sklearn's neighbours of the stage's double row (scaled in double by a
  /// folded scaler): the widened bounds on its float32 rounding prove the set
  /// where they can (then sklearn's double distances to those k give the
  /// order), else sklearn's whole search in double.
  template <bool ordered>
  static constexpr void nearest_exact(std::span<const double, n> row, result& out) noexcept {
    const auto scaled = scaling::exact(row);
    const std::span<const double, n> xd(scaled);
    if constexpr (grid_for(source::stage_double)) {
      std::array<float, n> xf{};
      for (std::size_t i = 0; i < n; ++i) xf[i] = static_cast<float>(xd[i]);
      std::array<std::int32_t, n> x{};
      std::uint64_t upper = 0;
      if (to_grid<false>(xf, x)) {
        if (nearest_fixed<source::stage_double>(x, out, upper)) {
          if constexpr (!ordered) return;
          if (order_chosen(xd, out)) return;
        } else if (settle_near_ties<ordered, source::stage_double>(xd, x, upper, out)) {
          return;
        }
      }
    }
    nearest_double<double>(xd, out);
  }

  static constexpr std::size_t data_bytes() noexcept {
    return (integer_path ? sizeof(g::samples) + sizeof(g::centre) : 0) + exact::data_bytes() + sizeof(node_start) +
           sizeof(node_end) + sizeof(node_leaf) + sizeof(tree_order) + sizeof(node_lo) + sizeof(node_hi) +
           sizeof(node_centre) + sizeof(node_radius) +
           scaling::data_bytes();
  }
};

/// sklearn's weights for distances (None for uniform): 1/d, or, when some
/// distance is 0, 1 for those and 0 for the others.
template <std::size_t K>
constexpr void distance_weights(const std::array<double, K>& dist, std::array<double, K>& w) noexcept {
  bool zero = false;
  for (double d : dist) zero = zero || d == 0.0;
  for (std::size_t j = 0; j < K; ++j) w[j] = zero ? (dist[j] == 0.0 ? 1.0 : 0.0) : 1.0 / dist[j];
}

/// q<S, F> inputs: sklearn's search in exact integers. Samples and node
/// bounds are rounded to the 2^-F grid at compile time; when they lie on it
/// (integer data and F = 0, say), every distance and bound is sklearn's double
/// value times 2^2F exactly, so the neighbours, tie rules included, are sklearn's.
template <class Params, class S, int F>
struct search_fixed {
  using base = search<Params>;
  static constexpr std::size_t n = base::n, m = base::m, k = base::k;
  static_assert(metric_of<Params> != metric_kind::general, "ctml: integer KNN needs p = 1 or p = 2; use f32");
  static constexpr double scale = detail::pow2(F);
  static constexpr std::int64_t q(double v) noexcept { return detail::round_sat<std::int64_t>(v * scale); }
  static constexpr std::int64_t most = [] {
    std::int64_t r = 0;
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i) r = q(Params::samples[s][i]) > r ? q(Params::samples[s][i]) : (-q(Params::samples[s][i]) > r ? -q(Params::samples[s][i]) : r);
    return r;
  }();
  static_assert(most < (std::int64_t{1} << 30), "ctml: training samples do not fit this fixed-point format");
  /// Whether the training data lie on the grid (then the search is exact).
  static constexpr bool on_grid = [] {
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i)
        if (static_cast<double>(q(Params::samples[s][i])) != Params::samples[s][i] * scale) return false;
    return true;
  }();
  using sample_type = std::conditional_t<(most < 32768), std::int16_t, std::int32_t>;
  // |x - s| < 2^31 + most: squares need 64 bits unless both are small.
  static constexpr bool narrow = sizeof(S) <= 2 && most < 32768 &&
                                 (metric_of<Params> == metric_kind::manhattan || n <= 1);
  using dist_type = std::conditional_t<narrow, std::uint32_t, std::uint64_t>;
  CTML_FLASH static constexpr auto samples = [] {
    std::array<std::array<sample_type, n>, m> v{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i) v[s][i] = static_cast<sample_type>(q(Params::samples[s][i]));
    return v;
  }();
  CTML_FLASH static constexpr auto bounds = [] {
    std::array<std::array<std::array<sample_type, n>, 2>, base::kd_tree ? base::tree_nodes : 0> b{};
    if constexpr (base::kd_tree)
      for (std::size_t t = 0; t < base::tree_nodes; ++t)
        for (std::size_t i = 0; i < n; ++i) {
          b[t][0][i] = static_cast<sample_type>(q(Params::node_lo[t][i]));
          b[t][1][i] = static_cast<sample_type>(q(Params::node_hi[t][i]));
        }
    return b;
  }();

  /// A folded scaler (input_scaling) in fixed point: the StandardScaler
  /// stage's q<S, F> arithmetic (scalers.hpp), as before it was folded.
  struct folded_scaler_params {
    static constexpr std::size_t n_features = n;
    static constexpr const auto& mean = Params::input_mean;
    static constexpr const auto& scale = Params::input_scale;
  };
  using folded_scaler = standard_scaler<folded_scaler_params, ctml::q<S, F>>;
  /// The input the search takes: x, or the folded scaler's output for x.
  template <class Search>
  static constexpr auto with_input(std::span<const S, n> x, Search search) noexcept {
    if constexpr (base::has_scaler) {
      std::array<S, n> y{};
      no_state none;
      folded_scaler{}.run(x, y, none);
      return search(std::span<const S, n>(y));
    } else {
      return search(x);
    }
  }

  static constexpr dist_type term(std::int32_t d) noexcept {
    const auto a = static_cast<std::uint32_t>(d < 0 ? -static_cast<std::int64_t>(d) : d);
    if constexpr (metric_of<Params> == metric_kind::euclidean) return static_cast<dist_type>(a) * a;
    else return a;
  }
  /// The exact lower bound on the reduced distance to a kd-tree node's box
  /// (a ball tree's needs a square root: 0, every node is visited).
  static constexpr dist_type node_bound(std::span<const S, n> x, std::size_t node) noexcept {
    dist_type rd = 0;
    if constexpr (base::kd_tree) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t xi = x[i];
        const std::int32_t lo = flash_load(&bounds[node][0][i]), hi = flash_load(&bounds[node][1][i]);
        rd += term(xi < lo ? lo - xi : (xi > hi ? xi - hi : 0));
      }
    } else {
      (void)x, (void)node;
    }
    return rd;
  }
  static constexpr dist_type reduced(std::span<const S, n> x, std::size_t s) noexcept {
    dist_type rd = 0;
    for (std::size_t i = 0; i < n; ++i) rd += term(static_cast<std::int32_t>(x[i]) - flash_load(&samples[s][i]));
    return rd;
  }
  static constexpr void nearest(std::span<const S, n> x, std::array<std::uint16_t, k>& index) noexcept {
    neighbors::heap<dist_type, k> h;
    base::traverse(h, [&](std::size_t node) { return node_bound(x, node); }, [&](std::size_t s) { return reduced(x, s); });
    // Only the set matters for uniform votes.
    index = h.index;
  }
  static constexpr std::size_t data_bytes() noexcept {
    std::size_t scaler = 0;
    if constexpr (base::has_scaler) scaler = folded_scaler::data_bytes();
    return sizeof(samples) + sizeof(bounds) + sizeof(base::node_start) + sizeof(base::node_end) +
           sizeof(base::node_leaf) + sizeof(base::tree_order) + scaler;
  }
};

}  // namespace ctml::neighbors

namespace ctml {

namespace neighbors {
/// A dependent false on AVR (no binary64 arithmetic at run time there).
template <class Params>
inline constexpr bool on_avr = !arch::has_runtime_binary64 && sizeof(Params) != 0;

/// Policies a KNN classifier computes with: f32, or q<int8/int16, F> for
/// uniform votes with p = 1 or 2 (integer distances).
template <class Params, class P>
inline constexpr bool supports = std::is_same_v<P, f32>;
template <class Params, class S, int F>
inline constexpr bool supports<Params, q<S, F>> =
    sizeof(S) <= 2 && !Params::distance_weights && metric_of<Params> != metric_kind::general;

template <class Params, class P> struct search_for { using type = search<Params>; };
template <class Params, class S, int F> struct search_for<Params, q<S, F>> { using type = search_fixed<Params, S, F>; };
}  // namespace neighbors

/// KNeighborsClassifier: the index into classes_ of sklearn's prediction.
/// With q<int8_t/int16_t, F> (uniform weights, p = 1 or 2) it takes raw
/// fixed-point input and is exact when the training data lie on the 2^-F grid.
template <class Params, ValuePolicy Policy = f32>
struct knn_classifier {
  static_assert(neighbors::supports<Params, Policy>,
                "ctml: knn_classifier computes with f32, or with q<int8_t/int16_t, F> for uniform weights and p = 1 "
                "or 2");
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static constexpr std::size_t n_classes = Params::n_classes;
  template <ValuePolicy P>
    requires neighbors::supports<Params, P>
  using rebind = knn_classifier<Params, P>;

 private:
  using search = typename neighbors::search_for<Params, Policy>::type;
  static constexpr std::size_t k = Params::n_neighbors;
  using label_type = std::conditional_t<(Params::n_classes <= 256), std::uint8_t, std::uint16_t>;
  CTML_FLASH static constexpr auto labels = [] {
    std::array<label_type, Params::n_samples> l{};
    for (std::size_t s = 0; s < Params::n_samples; ++s) l[s] = static_cast<label_type>(Params::labels[s]);
    return l;
  }();

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return search::data_bytes() + sizeof(labels); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + ctml::detail::kernels_target_code.knn +
           (neighbors::input_scaling<Params>::has_scaler ? ctml::detail::knn_scaler_target_code : 0);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return (k + 1) * sizeof(neighbors::candidate) + k * 10 + in_extent * 4 + n_classes * 8;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Params::n_samples * (in_extent * 3 + 2); }

  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x) const noexcept {
    if constexpr (!std::is_same_v<Policy, f32>) {
      std::array<std::uint16_t, k> index{};
      search::with_input(x, [&](std::span<const in_type, in_extent> y) { search::nearest(y, index); });
      return vote(index);
    } else {
      static_assert(!neighbors::on_avr<Params>,
                    "ctml: the f32 KNN settles near-ties in binary64, which AVR lacks at run time; use "
                    "model.with(ctml::q<std::int16_t, F>{}) (exact on data on the 2^-F grid)");
      typename search::result r{};
      if constexpr (Params::distance_weights) {
        search::template nearest<true>(x, r);
        return weighted_vote(r);
      } else {
        search::nearest_set(x, r, [](std::size_t s) { return flash_load(&labels[s]); });
        return vote(r.index);
      }
    }
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  constexpr void run(std::span<const in_type, in_extent> x, std::span<int, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }

  // After a stage (a scaler, PCA) in a pipeline: its float32 output is
  // sklearn's double output rounded once; decide where the rounded bounds
  // prove it, else the pipeline redoes the chain in double (predict_exact).

  /// Uniform votes: sure when the set (or its labels) is proven; distance
  /// weights: when the proven set has one label.
  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, in_extent> x) const noexcept
    requires std::is_same_v<Policy, f32>
  {
    typename search::result r{};
    if (!search::try_set(x, r, [](std::size_t s) { return flash_load(&labels[s]); })) return {0, false};
    if constexpr (Params::distance_weights) {
      const auto first = flash_load(&labels[r.index[0]]);
      for (std::size_t j = 1; j < k; ++j)
        if (flash_load(&labels[r.index[j]]) != first) return {0, false};
      return {static_cast<int>(first), true};
    } else {
      return {vote(r.index), true};
    }
  }
  /// sklearn's prediction for its double row.
  [[nodiscard]] constexpr int predict_exact(std::span<const double, in_extent> x) const noexcept
    requires std::is_same_v<Policy, f32>
  {
    typename search::result r{};
    search::template nearest_exact<Params::distance_weights>(x, r);
    if constexpr (Params::distance_weights) return weighted_vote(r);
    else return vote(r.index);
  }

 private:
  /// The most frequent label, the smallest class on ties (scipy.stats.mode).
  static constexpr int vote(const std::array<std::uint16_t, k>& index) noexcept {
    std::array<std::uint16_t, n_classes> votes{};
    for (std::size_t j = 0; j < k; ++j) ++votes[flash_load(&labels[index[j]])];
    std::size_t best = 0;
    for (std::size_t c = 1; c < n_classes; ++c)
      if (votes[c] > votes[best]) best = c;
    return static_cast<int>(best);
  }
  /// sklearn's weighted_mode: per class, the sum of weights in neighbour order.
  template <class R>
  static constexpr int weighted_vote(const R& r) noexcept {
    {
      std::array<double, k> w{};
      neighbors::distance_weights(r.distance, w);
      std::size_t best = 0;
      double best_score = 0.0;
      for (std::size_t c = 0; c < n_classes; ++c) {
        const double score = neighbors::numpy_sum(k, [&](std::size_t j) {
          return flash_load(&labels[r.index[j]]) == c ? w[j] : 0.0;
        });
        if (c == 0 || score > best_score) {
          best = c;
          best_score = score;
        }
      }
      return static_cast<int>(best);
    }
  }
};

/// KNeighborsRegressor: sklearn's mean (uniform) or weighted mean of the targets.
template <class Params, ValuePolicy Policy = f32>
struct knn_regressor {
  static_assert(std::is_same_v<Policy, f32>, "ctml: use knn_regressor with f32");

  using policy = Policy;
  using in_type = float;
  using out_type = double;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  // q<int8_t/int16_t, F>: neighbors/regressor_fixed.hpp
  template <ValuePolicy P>
    requires(std::is_same_v<P, f32> || neighbors::supports<Params, P>)
  using rebind = knn_regressor<Params, P>;

 private:
  using search = neighbors::search<Params>;
  static constexpr std::size_t k = Params::n_neighbors;
  CTML_FLASH static constexpr auto targets = [] {
    std::array<double, Params::n_samples> t{};
    for (std::size_t s = 0; s < Params::n_samples; ++s) t[s] = Params::targets[s];
    return t;
  }();

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return search::data_bytes() + sizeof(targets); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + ctml::detail::kernels_target_code.knn +
           (neighbors::input_scaling<Params>::has_scaler ? ctml::detail::knn_scaler_target_code : 0);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return (k + 1) * sizeof(neighbors::candidate) + k * 18 + in_extent * 4;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Params::n_samples * (in_extent * 3 + 2); }

  [[nodiscard]] constexpr double predict(std::span<const float, in_extent> x) const noexcept {
    static_assert(!neighbors::on_avr<Params>, "ctml: the KNN regressor averages in binary64, which AVR lacks at run time");
    typename search::result r{};
    search::template nearest<true>(x, r);
    if constexpr (!Params::distance_weights) {
      const double sum = neighbors::numpy_sum(k, [&](std::size_t j) { return flash_load(&targets[r.index[j]]); });
      return sum / static_cast<double>(k);
    } else {
      std::array<double, k> w{};
      neighbors::distance_weights(r.distance, w);
      const double num = neighbors::numpy_sum(k, [&](std::size_t j) { return detail::rounded_product(flash_load(&targets[r.index[j]]), w[j]); });
      const double den = neighbors::numpy_sum(k, [&](std::size_t j) { return w[j]; });
      return num / den;
    }
  }
  [[nodiscard]] constexpr double predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const float, in_extent> x, std::span<double, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }

  /// After a stage in a pipeline (see knn_classifier): uniform weights are
  /// sure when the rounded bounds prove the set and its order; distance
  /// weights need sklearn's distances, from the double row.
  [[nodiscard]] constexpr decision<double> try_predict(std::span<const float, in_extent> x) const noexcept {
    if constexpr (!Params::distance_weights) {
      typename search::result r{};
      if (search::try_ordered(x, r)) return {mean(r), true};
    }
    (void)x;
    return {0.0, false};
  }
  /// sklearn's value for its double row.
  [[nodiscard]] constexpr double predict_exact(std::span<const double, in_extent> x) const noexcept {
    typename search::result r{};
    search::template nearest_exact<true>(x, r);
    return Params::distance_weights ? weighted_mean(r) : mean(r);
  }

 private:
  template <class R>
  static constexpr double mean(const R& r) noexcept {
    const double sum = neighbors::numpy_sum(k, [&](std::size_t j) { return flash_load(&targets[r.index[j]]); });
    return sum / static_cast<double>(k);
  }
  template <class R>
  static constexpr double weighted_mean(const R& r) noexcept {
    std::array<double, k> w{};
    neighbors::distance_weights(r.distance, w);
    const double num = neighbors::numpy_sum(k, [&](std::size_t j) { return detail::rounded_product(flash_load(&targets[r.index[j]]), w[j]); });
    const double den = neighbors::numpy_sum(k, [&](std::size_t j) { return w[j]; });
    return num / den;
  }
};

}  // namespace ctml

namespace ctml {

/// LocalOutlierFactor(novelty=True): +1 (inlier) / -1 (outlier) as sklearn's
/// predict, from its score in double, in numpy's order:
///   reach_j = max(d_j, k_distance[n_j]),  lrd = 1 / (mean(reach) + 1e-10),
///   score_samples = -mean(lrd_train[n_j] / lrd),  decision = score - offset.
/// The neighbours and their distances are the KNN search's (sklearn's set,
/// order and ties). Params add lrd[n_samples], k_distance[n_samples], offset.
template <class Params, ValuePolicy Policy = f32>
struct local_outlier_factor {
  static_assert(std::is_same_v<Policy, f32>, "ctml: LocalOutlierFactor computes in f32 and double; use f32");
  using policy = Policy;
  using in_type = float;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  template <ValuePolicy P> requires std::is_same_v<P, f32> using rebind = local_outlier_factor<Params, P>;

 private:
  using search = neighbors::search<Params>;
  static constexpr std::size_t k = Params::n_neighbors;
  struct train_row { double lrd, k_distance; };
  CTML_FLASH static constexpr auto train = [] {
    std::array<train_row, Params::n_samples> t{};
    for (std::size_t s = 0; s < Params::n_samples; ++s) t[s] = {Params::lrd[s], Params::k_distance[s]};
    return t;
  }();

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return search::data_bytes() + sizeof(train); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + ctml::detail::kernels_target_code.knn +
           (neighbors::input_scaling<Params>::has_scaler ? ctml::detail::knn_scaler_target_code : 0);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return k * 26 + in_extent * 4 + 64; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Params::n_samples * (in_extent * 3 + 2); }

  /// sklearn's score_samples (the opposite of the local outlier factor).
  [[nodiscard]] constexpr double score_samples(std::span<const float, in_extent> x) const noexcept {
    static_assert(!neighbors::on_avr<Params>, "ctml: LocalOutlierFactor computes in binary64, which AVR lacks at run time");
    typename search::result r{};
    search::template nearest<true>(x, r);
    const double reach_sum = neighbors::numpy_sum(k, [&](std::size_t j) {
      const double kd = flash_load(&train[r.index[j]]).k_distance;
      return r.distance[j] > kd ? r.distance[j] : kd;  // np.maximum
    });
    const double lrd = 1.0 / (reach_sum / static_cast<double>(k) + 1e-10);
    const double ratio_sum =
        neighbors::numpy_sum(k, [&](std::size_t j) { return flash_load(&train[r.index[j]]).lrd / lrd; });
    return -(ratio_sum / static_cast<double>(k));
  }
  [[nodiscard]] constexpr double decision_function(std::span<const float, in_extent> x) const noexcept {
    return score_samples(x) - Params::offset;
  }
  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x) const noexcept {
    return decision_function(x) < 0 ? -1 : 1;
  }
  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const float, in_extent> x, std::span<int, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }
};

}  // namespace ctml

#include <ctml/neighbors/regressor_fixed.hpp>  // knn_regressor<Params, q<S, F>>
