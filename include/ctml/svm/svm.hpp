// Kernel SVMs from scikit-learn (libsvm): SVC and NuSVC (one-vs-one votes),
// SVR and NuSVR (values), OneClassSVM (+1 / -1).
//
// Parameters (generated; docs in generator/ctml/svm.py):
//   n_features, n_vectors, kernel, gamma, coef0, degree,
//   vectors[n_vectors][n_features]          support vectors, grouped by class
//   dual_coef[n_rows][n_vectors]            libsvm's sv_coef (sklearn's _dual_coef_)
//   intercept[n_pairs]                      libsvm's -rho (sklearn's _intercept_)
//   classifiers: n_classes, n_support[n_classes]
// libsvm's decision for the classes i < j (pair p, in the order (0,1), (0,2),
// ..., (1,2), ...) is, in double,
//   dec_p = sum_{s in i} dual_coef[j-1][s] K(x, s) + sum_{s in j} dual_coef[i][s] K(x, s) - rho_p
// and class i gets the vote if dec_p > 0, else class j; the first class with
// the most votes wins. A regressor's value and a one-class decision are the
// same sum over all vectors with row 0 (one "pair" of one group).
//
// f32 policy: rbf and linear kernels decide in float32 when |dec_p| exceeds a
// bound on the float32 error proven at compile time (rbf) or from |x|_1 at
// run time (linear: the kernel sums are folded into one weight row per pair);
// otherwise, and for poly and sigmoid kernels, libsvm's double arithmetic is
// redone in its order (see kernel.hpp for what that can and cannot reproduce;
// on AVR double is 32 bits, so near-ties there are decided in float).
// Regressors always compute libsvm's double sum.
// After transforms not folded in (pipeline.hpp): the fast paths decide on the
// transforms' float32 output (sklearn's double output rounded once; the
// bounds allow for that), other rows redo the chain in double (try_predict,
// predict_exact); regressors run only the double chain.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>
#include <ctml/svm/kernel.hpp>
#include <ctml/svm/outputs.hpp>

namespace ctml::svm {

template <class Params>
inline constexpr bool on_avr = !arch::has_runtime_binary64 && sizeof(Params) != 0;  // dependent: on instantiation only

/// Group structure: classes for classifiers, one group for SVR / OneClassSVM.
template <class Params>
struct groups {
  static constexpr bool classifier = requires { Params::n_classes; };
  static constexpr std::size_t n = [] {
    if constexpr (classifier) return static_cast<std::size_t>(Params::n_classes);
    else return std::size_t{2};
  }();
  static constexpr std::size_t n_pairs = n * (n - 1) / 2;
  static constexpr std::size_t n_rows = n - 1;
  static constexpr std::size_t m = Params::n_vectors;
  static constexpr std::size_t size(std::size_t c) noexcept {
    if constexpr (classifier) return static_cast<std::size_t>(Params::n_support[c]);
    else return c == 0 ? m : 0;
  }
  static constexpr std::size_t start(std::size_t c) noexcept {
    std::size_t s = 0;
    for (std::size_t i = 0; i < c; ++i) s += size(i);
    return s;
  }
  static constexpr std::size_t pair(std::size_t i, std::size_t j) noexcept { return i * (2 * n - i - 1) / 2 + (j - i - 1); }
  /// The pair that row r of the coefficients of a vector in group c feeds.
  static constexpr std::size_t pair_of(std::size_t c, std::size_t r) noexcept {
    return r < c ? pair(r, c) : pair(c, r + 1);
  }
  static constexpr std::size_t group_of(std::size_t s) noexcept {
    std::size_t c = 0;
    while (c + 1 < n && s >= start(c + 1)) ++c;
    return c;
  }
  /// Whether vector s takes part in pair p = (i, j), and with which coefficient row.
  static constexpr bool in_pair(std::size_t s, std::size_t i, std::size_t j) noexcept {
    const std::size_t c = group_of(s);
    return c == i || c == j;
  }
  static constexpr std::size_t row_in_pair(std::size_t s, std::size_t i, std::size_t j) noexcept {
    return group_of(s) == i ? j - 1 : i;
  }
  static_assert(start(n) == m || !classifier, "ctml: n_support does not add up to n_vectors");
};

/// Tables derived at compile time.
template <class Params>
struct tables {
  using g = groups<Params>;
  static constexpr std::size_t n = Params::n_features, m = g::m, rows = g::n_rows, pairs = g::n_pairs;
  static constexpr kernel kind = Params::kernel;
  static constexpr double u = 0x1p-24;  // float32 unit roundoff

  /// A StandardScaler folded in (Params::input_mean, input_scale): the input
  /// is raw; the double path scales it as sklearn does, the float path once
  /// per row as x * (1 / scale) - mean / scale in float32.
  static constexpr bool has_scaler = requires { Params::input_mean[0]; Params::input_scale[0]; };
  static constexpr double shift(std::size_t i) noexcept {
    if constexpr (has_scaler) return Params::input_mean[i] / Params::input_scale[i];
    else return 0.0 * static_cast<double>(i);
  }
  struct scaling { float inv_scale, shift; };
  CTML_FLASH static constexpr auto scaling_f = [] {
    std::array<scaling, has_scaler ? n : 0> v{};
    if constexpr (has_scaler)
      for (std::size_t i = 0; i < n; ++i)
        v[i] = {static_cast<float>(1.0 / Params::input_scale[i]), static_cast<float>(shift(i))};
    return v;
  }();
  static constexpr bool vectors_are_float = !has_scaler && [] {
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i)
        if (static_cast<double>(static_cast<float>(Params::vectors[s][i])) != Params::vectors[s][i]) return false;
    return true;
  }();
  static constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }

  struct pair_ij { std::size_t i, j; };
  static constexpr pair_ij pair_at(std::size_t p) noexcept {
    for (std::size_t i = 0; i < g::n; ++i)
      for (std::size_t j = i + 1; j < g::n; ++j)
        if (g::pair(i, j) == p) return {i, j};
    return {0, 0};
  }

  // Float32 data of the fast path.
  CTML_FLASH static constexpr auto vectors_f = [] {
    std::array<std::array<float, n>, m> v{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i) v[s][i] = static_cast<float>(Params::vectors[s][i]);
    return v;
  }();
  CTML_FLASH static constexpr auto coef_f = [] {  // [vector][row]
    std::array<std::array<float, rows>, m> c{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t r = 0; r < rows; ++r) c[s][r] = static_cast<float>(Params::dual_coef[r][s]);
    return c;
  }();
  CTML_FLASH static constexpr auto intercept_f = [] {
    std::array<float, pairs> b{};
    for (std::size_t p = 0; p < pairs; ++p) b[p] = static_cast<float>(Params::intercept[p]);
    return b;
  }();

  // rbf: |K_float - K| <= kernel_error(s) for every input. The scaled input
  // (x * (1/scale) - shift: three roundings) and the float vector are off by
  // at most 3u|x'| + 3u|shift| and u|s|, so each difference d_i by at most
  // 4.1u|d_i| + 4.1u tau_i with tau_i = |s_i| + |shift_i|, and D = sum d_i^2 by
  // (n + 14) u D + 4.1 u |tau|^2; times K = e^(-gamma D) that is at most
  // (n + 16) u / e + 4.2 u gamma |tau|^2 (gamma's and the product's roundings
  // included), plus float exp's 4 u (8 u here) and its flush to zero below e^-86.
  // The float path sums D as (|x'|^2 + |s|^2) - 2 x'.s (one dot product a
  // vector instead of differences and squares): n + 3 roundings of terms
  // below |x'|^2 + |s|^2 (2|x'_i s_i| <= x'_i^2 + s_i^2) add at most
  // 2.2 (n + 3) u gamma (|x'|^2 + |s|^2) to K's error; the |x'|^2 part is
  // per row (expansion_error times the row's float |x'|^2).
  // An input that is sklearn's double value rounded once to float (after a
  // transform, pipeline.hpp) adds u|x|, and the bound holds as it is: without
  // a folded scaler that stays within the 3u|x'| above; with one the scaled
  // input is off by 4u|x'| + 4u|shift|, each d_i by 4u|d_i| + 5u tau_i (the
  // expansion rounds no difference: its roundings are expansion_error's),
  // D by 8uD + 10u sum |d_i| tau_i <= (n + 14) u D + 25 / (n + 6) u |tau|^2
  // (2ab <= (n + 6) a^2 + b^2 / (n + 6)), and 25/7 < 4.1.
  static constexpr double expansion_error = 1.1 * 2.2 * (static_cast<double>(n) + 3.0) * u * (Params::gamma < 0 ? -Params::gamma : Params::gamma);
  static constexpr double kernel_error(std::size_t s) noexcept {
    double tt = 0.0, ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double tau = abs(Params::vectors[s][i]) + abs(shift(i));
      tt += tau * tau;
      const double v = static_cast<float>(Params::vectors[s][i]);
      ss += v * v;
    }
    return 1.1 * u * ((static_cast<double>(n) + 16.0) * 0.36787944117144233 + 4.2 * abs(Params::gamma) * tt + 8.0) +
           expansion_error * ss + 0x1p-120;
  }
  // |s|^2 of the float vectors (rounded to float: within u of it, inside the bound's 2.2).
  CTML_FLASH static constexpr auto norms_f = [] {
    std::array<float, kind == kernel::rbf ? m : 0> v{};
    if constexpr (kind == kernel::rbf)
      for (std::size_t s = 0; s < m; ++s) {
        double ss = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          const double x = static_cast<float>(Params::vectors[s][i]);
          ss += x * x;
        }
        v[s] = static_cast<float>(ss);
      }
    return v;
  }();
  // The float32 decision's error bound per pair (rbf): kernel errors times
  // |coefficients|, the rounding of coefficients, products and the sum.
  CTML_FLASH static constexpr auto rbf_bound = [] {
    std::array<float, pairs> bound{};
    for (std::size_t p = 0; p < pairs; ++p) {
      const auto [i, j] = pair_at(p);
      double err = 0.0, sum_c = 0.0, count = 0.0;
      for (std::size_t s = 0; s < m; ++s) {
        if (!g::in_pair(s, i, j)) continue;
        const double c = abs(Params::dual_coef[g::row_in_pair(s, i, j)][s]);
        err += c * (kernel_error(s) + 2.2 * u);
        sum_c += c;
        count += 1.0;
      }
      const double b = abs(Params::intercept[p]);
      bound[p] = static_cast<float>(1.1 * (err + (count + 3.0) * u * (1.1 * sum_c + b) + u * b) + 0x1p-100);
    }
    return bound;
  }();
  // Per pair, the factor of the row's |x'|^2 in the bound (the float sum of
  // x'^2 is within (n + 1) u of it; 1.1 covers that and the bound's roundings).
  CTML_FLASH static constexpr auto rbf_bound_x = [] {
    std::array<float, pairs> bound{};
    for (std::size_t p = 0; p < pairs; ++p) {
      const auto [i, j] = pair_at(p);
      double sum_c = 0.0;
      for (std::size_t s = 0; s < m; ++s)
        if (g::in_pair(s, i, j)) sum_c += abs(Params::dual_coef[g::row_in_pair(s, i, j)][s]);
      bound[p] = static_cast<float>(1.1 * 1.1 * sum_c * expansion_error);
    }
    return bound;
  }();

  // linear: one weight row per pair, W_p = sum_s c_ps s, and the bound alpha_p |x|_1 + beta_p.
  // alpha's (n + 3) u max|W|: W's rounding to float, the products, n - 1
  // sums, the intercept's addition, and the input's rounding after a
  // transform (pipeline.hpp: sklearn's double value rounded once, u|x_i|);
  // its 2^-52 term is libsvm's double error; 1.2 covers the float |x|_1 and
  // the bound's own roundings. beta: the intercept's rounding and addition.
  // One pass over the vectors per pair (clang's constexpr step limit).
  struct pair_weights { std::array<double, n> w, a; double count; };  // W_p, sum_s |c_ps s|, vectors
  static constexpr pair_weights weights_of(std::size_t p) noexcept {
    const auto [i, j] = pair_at(p);
    pair_weights r{};
    for (std::size_t s = 0; s < m; ++s) {
      if (!g::in_pair(s, i, j)) continue;
      const double c = Params::dual_coef[g::row_in_pair(s, i, j)][s];
      r.count += 1.0;
      for (std::size_t f = 0; f < n; ++f) {
        r.w[f] += c * Params::vectors[s][f];
        r.a[f] += abs(c * Params::vectors[s][f]);
      }
    }
    return r;
  }
  CTML_FLASH static constexpr auto weights_f = [] {
    std::array<std::array<float, n>, pairs> w{};
    if constexpr (kind == kernel::linear && !has_scaler)
      for (std::size_t p = 0; p < pairs; ++p) {
        const auto row = weights_of(p);
        for (std::size_t f = 0; f < n; ++f) w[p][f] = static_cast<float>(row.w[f]);
      }
    return w;
  }();
  struct linear_bound_t { float alpha, beta; };
  CTML_FLASH static constexpr auto linear_bound = [] {
    std::array<linear_bound_t, pairs> bound{};
    if constexpr (kind == kernel::linear && !has_scaler)
      for (std::size_t p = 0; p < pairs; ++p) {
        const auto row = weights_of(p);
        double most_w = 0.0, most_a = 0.0;
        for (std::size_t f = 0; f < n; ++f) {
          most_a = row.a[f] > most_a ? row.a[f] : most_a;
          most_w = abs(row.w[f]) > most_w ? abs(row.w[f]) : most_w;
        }
        const double nd = static_cast<double>(n);
        bound[p].alpha = static_cast<float>(1.2 * ((nd + 3.0) * u * most_w + (nd + row.count + 2.0) * 0x1p-52 * most_a));
        bound[p].beta = static_cast<float>(1.2 * (nd + 3.0) * u * abs(Params::intercept[p]) + 0x1p-100);
      }
    return bound;
  }();

  // rbf without a float unit: distances in integers. Vectors and the
  // (scaled) input on a grid of 2^-F (both rounded: each difference within
  // one unit of the real one, so D within 2^(1-F) sqrt(n D) + n 2^-2F), the
  // squares of differences below 2^16 exact in uint32, each shifted right
  // by `sum_shift` (n 2^(sum_shift - 2F) more) so that n of them fit. Through
  // K = e^(-gamma D): at most 2^(1-F) sqrt(n gamma) max_y sqrt(y) e^-y
  // (= 0.42888) + gamma n (2^-2F + 2^(sum_shift - 2F)); the float steps
  // after the sum (conversion, gamma, exp) and the input's scaling are
  // covered by kernel_error's terms for the float path.
  static constexpr double most_abs_vector = [] {
    double most = 0.0;
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t i = 0; i < n; ++i) most = abs(Params::vectors[s][i]) > most ? abs(Params::vectors[s][i]) : most;
    return most;
  }();
  static constexpr int fixed_bits = [] {
    int f = 30;  // vectors within 0.6 * 2^15: inputs are accepted up to 2^15
    while (f > -30 && most_abs_vector * ctml::detail::pow2(f) > 19660.0) --f;
    return f;
  }();
  static constexpr bool int_path = kind == kernel::rbf && !ctml::detail::has_binary32_unit &&
                                   most_abs_vector * ctml::detail::pow2(fixed_bits) <= 19660.0;
  static constexpr int sum_shift = std::bit_width(n - 1);
  static constexpr double int_error = [] {
    const double g = abs(Params::gamma), nd = static_cast<double>(n);
    double r = 1.0;  // sqrt(n gamma) by Newton's method, from above
    for (int i = 0; i < 200; ++i) r = r > 0 ? 0.5 * (r + nd * g / r) : 0.0;
    r = r * 1.0001 + 1e-300;
    return 1.1 * (ctml::detail::pow2(1 - fixed_bits) * r * 0.42888 +
                  g * nd * (ctml::detail::pow2(-2 * fixed_bits) + ctml::detail::pow2(sum_shift - 2 * fixed_bits)));
  }();
  CTML_FLASH static constexpr auto vectors_q = [] {
    std::array<std::array<std::int16_t, int_path ? n : 0>, int_path ? m : 0> v{};
    if constexpr (int_path)
      for (std::size_t s = 0; s < m; ++s)
        for (std::size_t i = 0; i < n; ++i)
          v[s][i] = ctml::detail::round_sat<std::int16_t>(Params::vectors[s][i] * ctml::detail::pow2(fixed_bits));
    return v;
  }();
  CTML_FLASH static constexpr auto rbf_bound_int = [] {
    std::array<float, int_path ? pairs : 0> bound{};
    if constexpr (int_path)
      for (std::size_t p = 0; p < pairs; ++p) {
        const auto [i, j] = pair_at(p);
        double err = 0.0, sum_c = 0.0, count = 0.0;
        for (std::size_t s = 0; s < m; ++s) {
          if (!g::in_pair(s, i, j)) continue;
          const double c = abs(Params::dual_coef[g::row_in_pair(s, i, j)][s]);
          err += c * (kernel_error(s) + int_error + 2.2 * u);
          sum_c += c;
          count += 1.0;
        }
        const double b = abs(Params::intercept[p]);
        bound[p] = static_cast<float>(1.1 * (err + (count + 3.0) * u * (1.1 * sum_c + b) + u * b) + 0x1p-100);
      }
    return bound;
  }();
  /// round(x 2^F) from the float's bits; false if not below 2^15 or not finite.
  [[nodiscard]] static constexpr bool to_fixed(float x, std::int32_t& out) noexcept {
    const auto b = std::bit_cast<std::uint32_t>(x);
    const int e = static_cast<int>((b >> 23) & 0xff);
    if (e == 0xff) return false;
    if (e == 0) { out = 0; return true; }  // zero, subnormal: below half a unit (F < 126)
    const std::uint32_t mant = (b & 0x7fffffu) | 0x800000u;
    const int shift = 150 - e - fixed_bits;  // x 2^F = mant 2^-shift
    if (shift <= 8) return false;            // |x 2^F| >= 2^15
    const std::uint32_t v = shift > 25 ? 0u : (mant + (std::uint32_t{1} << (shift - 1))) >> shift;
    if (v >= 32768u) return false;
    out = (b >> 31) ? -static_cast<std::int32_t>(v) : static_cast<std::int32_t>(v);
    return true;
  }

  // Double data of the exact path. The vectors are the float32 table plus a
  // float32 remainder (48 of their 53 bits: libsvm's decision moves by at most
  // ~2^-48 of its terms, as much as BLAS's summation order moves it).
  CTML_FLASH static constexpr auto vectors_lo = [] {
    std::array<std::array<float, vectors_are_float ? 0 : n>, vectors_are_float ? 0 : m> v{};
    if constexpr (!vectors_are_float)
      for (std::size_t s = 0; s < m; ++s)
        for (std::size_t i = 0; i < n; ++i)
          v[s][i] = static_cast<float>(Params::vectors[s][i] - static_cast<double>(static_cast<float>(Params::vectors[s][i])));
    return v;
  }();
  CTML_FLASH static constexpr auto coef_d = [] {
    std::array<std::array<double, rows>, m> c{};
    for (std::size_t s = 0; s < m; ++s)
      for (std::size_t r = 0; r < rows; ++r) c[s][r] = Params::dual_coef[r][s];
    return c;
  }();
  CTML_FLASH static constexpr auto intercept_d = [] {
    std::array<double, pairs> b{};
    for (std::size_t p = 0; p < pairs; ++p) b[p] = Params::intercept[p];
    return b;
  }();

  static constexpr bool fast = kind == kernel::rbf || (kind == kernel::linear && !has_scaler);
  static constexpr std::size_t fast_bytes = kind == kernel::rbf ? sizeof(vectors_f) + sizeof(coef_f) + sizeof(intercept_f) + sizeof(rbf_bound) + sizeof(rbf_bound_x) + sizeof(norms_f) + sizeof(scaling_f) + sizeof(vectors_q) + sizeof(rbf_bound_int)
                                          : fast ? sizeof(weights_f) + sizeof(intercept_f) + sizeof(linear_bound)
                                                                   : 0;
  /// Tables the double path reads, and all tables the classifier reads.
  static constexpr std::size_t exact_bytes =
      sizeof(vectors_lo) + sizeof(vectors_f) + sizeof(coef_d) + sizeof(intercept_d);
  static constexpr std::size_t bytes =
      fast_bytes + exact_bytes - (kind == kernel::rbf ? sizeof(vectors_f) : 0) + (has_scaler ? 2 * n * sizeof(double) : 0);

  [[nodiscard]] static constexpr double vector_d(std::size_t s, std::size_t i) noexcept {
    if constexpr (vectors_are_float) return static_cast<double>(flash_load(&vectors_f[s][i]));
    else return static_cast<double>(flash_load(&vectors_f[s][i])) + static_cast<double>(flash_load(&vectors_lo[s][i]));
  }
};

/// Votes (classifiers) or the decision values of libsvm's predict_values.
template <class Params>
struct engine {
  using g = groups<Params>;
  using t = tables<Params>;
  static constexpr std::size_t n = t::n, m = t::m, rows = t::rows, pairs = t::pairs;

  /// pair_table[c][r]: the pair that coefficient row r of a class-c vector feeds.
  CTML_FLASH static constexpr auto pair_table = [] {
    std::array<std::array<std::uint8_t, rows>, g::n> p{};
    for (std::size_t c = 0; c < g::n; ++c)
      for (std::size_t r = 0; r < rows; ++r) p[c][r] = static_cast<std::uint8_t>(g::pair_of(c, r));
    return p;
  }();
  static_assert(pairs <= 255, "ctml: more than 23 classes");

  /// libsvm's decision values in double, in its order, for a float32 row or
  /// sklearn's double row (after transforms, pipeline.hpp).
  template <class T>
  static constexpr void decisions_double(std::span<const T, n> in, std::array<double, pairs>& dec) noexcept {
    static_assert(!on_avr<Params>, "ctml: kernel SVMs compute in binary64, which AVR lacks at run time");
    std::array<double, n> x{};
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = static_cast<double>(in[i]);
      if constexpr (t::has_scaler) x[i] = (x[i] - Params::input_mean[i]) / Params::input_scale[i];  // sklearn's order
    }
    dec.fill(0.0);
    for (std::size_t c = 0; c < g::n; ++c) {
      for (std::size_t s = g::start(c), e = s + g::size(c); s < e; ++s) {
        const double k = kernel_math<Params>::k_double(x.data(), [s](std::size_t i) { return t::vector_d(s, i); });
        for (std::size_t r = 0; r < rows; ++r)
          dec[g::pair_of(c, r)] += ctml::detail::rounded_product(flash_load(&t::coef_d[s][r]), k);
      }
    }
    for (std::size_t p = 0; p < pairs; ++p) dec[p] += flash_load(&t::intercept_d[p]);  // sum - rho
  }

  /// sum_i x_i s_i in float32; unrolled for up to 32 features.
  static constexpr float dot(const std::array<float, n>& x, const float* sv) noexcept {
    float t = 0.0f;
    if constexpr (n <= 32) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((t += x[I] * flash_load(sv + I)), ...);
      }(std::make_index_sequence<n>{});
    } else {
      for (std::size_t i = 0; i < n; ++i) t += x[i] * flash_load(sv + i);
    }
    return t;
  }
  /// sum_i (x_i - s_i)^2 as (|x|^2 + |s|^2) - 2 x.s (see tables::expansion_error).
  CTML_ALWAYS_INLINE static constexpr float squared_distance(const std::array<float, n>& x, float xx, std::size_t s) noexcept {
    return (xx + flash_load(&t::norms_f[s])) - 2.0f * dot(x, t::vectors_f[s].data());
  }

  /// Float32 decisions: +1 (dec > 0 for certain), -1 (dec <= 0 for certain), 0 (unsure).
  static constexpr bool decisions_float(std::span<const float, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    if constexpr (t::kind == kernel::rbf) {
      if constexpr (t::has_scaler) {
        std::array<float, n> xs{};
        for (std::size_t i = 0; i < n; ++i) {
          const auto sc = flash_load(&t::scaling_f[i]);
          xs[i] = x[i] * sc.inv_scale - sc.shift;
        }
        return rbf_float(xs, sign);
      } else {
        std::array<float, n> xs{};  // a local copy: stores to the sums cannot alias it, so it stays in registers
        for (std::size_t i = 0; i < n; ++i) xs[i] = x[i];
        return rbf_float(xs, sign);
      }
    } else {
      return linear_float(x, sign);
    }
  }

  /// The vectors of class C: each feeds the sums of the pairs (C, .) at fixed places.
  template <std::size_t C, std::size_t... R>
  static constexpr void rbf_class(const std::array<float, n>& x, float xx, std::array<float, pairs>& acc,
                                  std::index_sequence<R...>) noexcept {
    constexpr auto gamma = static_cast<float>(Params::gamma);
    std::array<float, rows> sums{acc[g::pair_of(C, R)]...};  // in registers across the vectors
    for (std::size_t s = g::start(C), e = s + g::size(C); s < e; ++s) {
      const float k = detail::exp_neg(-gamma * squared_distance(x, xx, s));
      ((sums[R] += flash_load(&t::coef_f[s][R]) * k), ...);
    }
    ((acc[g::pair_of(C, R)] = sums[R]), ...);
  }

  static constexpr bool rbf_float(const std::array<float, n>& x, std::array<std::int8_t, pairs>& sign) noexcept {
    std::array<float, pairs> acc{};
    std::array<float, pairs> bound{};
    {
      constexpr auto gamma = static_cast<float>(Params::gamma);
      const float xx = dot(x, x.data());
      if constexpr (g::n <= 8) {
        // Classes unrolled: the sums a class feeds are known at compile time
        // and stay in registers.
        [&]<std::size_t... C>(std::index_sequence<C...>) {
          (rbf_class<C>(x, xx, acc, std::make_index_sequence<rows>{}), ...);
        }(std::make_index_sequence<g::n>{});
      } else {
        for (std::size_t c = 0; c < g::n; ++c) {
          for (std::size_t s = g::start(c), e = s + g::size(c); s < e; ++s) {
            const float k = detail::exp_neg(-gamma * squared_distance(x, xx, s));
            for (std::size_t r = 0; r < rows; ++r) acc[flash_load(&pair_table[c][r])] += flash_load(&t::coef_f[s][r]) * k;
          }
        }
      }
      for (std::size_t p = 0; p < pairs; ++p) bound[p] = flash_load(&t::rbf_bound[p]) + xx * flash_load(&t::rbf_bound_x[p]);
    }
    return settle(acc, bound, sign);
  }

  static constexpr bool linear_float(std::span<const float, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    std::array<float, pairs> acc{};
    std::array<float, pairs> bound{};
    {
      float l1 = 0.0f;
      for (std::size_t i = 0; i < n; ++i) l1 += x[i] < 0 ? -x[i] : x[i];
      for (std::size_t p = 0; p < pairs; ++p) {
        float a = 0.0f;
        for (std::size_t i = 0; i < n; ++i) a += x[i] * flash_load(&t::weights_f[p][i]);
        acc[p] = a;
        const auto lb = flash_load(&t::linear_bound[p]);
        bound[p] = lb.alpha * l1 + lb.beta;
      }
    }
    return settle(acc, bound, sign);
  }

  /// The integer distance to vector s (see tables::int_path), as a float.
  static constexpr float squared_distance_int(const std::array<std::int32_t, n>& x, std::size_t s) noexcept {
    std::uint32_t d2 = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((d2 += [&] {
         const std::int32_t d = x[I] - flash_load(&t::vectors_q[s][I]);
         const auto a = static_cast<std::uint32_t>(d < 0 ? -d : d);
         return (a * a) >> t::sum_shift;
       }()), ...);
    }(std::make_index_sequence<n>{});
    return static_cast<float>(d2);
  }
  template <std::size_t C, std::size_t... R>
  static constexpr void rbf_class_int(const std::array<std::int32_t, n>& x, std::array<float, pairs>& acc,
                                      std::index_sequence<R...>) noexcept {
    // -gamma 2^(sum_shift - 2F): a power of two times gamma's float, exact
    constexpr float scale = static_cast<float>(-Params::gamma) * static_cast<float>(ctml::detail::pow2(t::sum_shift - 2 * t::fixed_bits));
    std::array<float, rows> sums{acc[g::pair_of(C, R)]...};
    for (std::size_t s = g::start(C), e = s + g::size(C); s < e; ++s) {
      const float k = detail::exp_neg(scale * squared_distance_int(x, s));
      ((sums[R] += flash_load(&t::coef_f[s][R]) * k), ...);
    }
    ((acc[g::pair_of(C, R)] = sums[R]), ...);
  }
  /// Decisions from integer distances (chips without a float unit); false
  /// when the input is off the grid or a pair is unsure.
  static constexpr bool decisions_int(std::span<const float, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    std::array<std::int32_t, n> xq{};
    for (std::size_t i = 0; i < n; ++i) {
      float v = x[i];
      if constexpr (t::has_scaler) {
        const auto sc = flash_load(&t::scaling_f[i]);
        v = v * sc.inv_scale - sc.shift;
      }
      if (!t::to_fixed(v, xq[i])) return false;
    }
    std::array<float, pairs> acc{}, bound{};
    if constexpr (g::n <= 8) {
      [&]<std::size_t... C>(std::index_sequence<C...>) {
        (rbf_class_int<C>(xq, acc, std::make_index_sequence<rows>{}), ...);
      }(std::make_index_sequence<g::n>{});
    } else {
      constexpr float scale = static_cast<float>(-Params::gamma) * static_cast<float>(ctml::detail::pow2(t::sum_shift - 2 * t::fixed_bits));
      for (std::size_t c = 0; c < g::n; ++c)
        for (std::size_t s = g::start(c), e = s + g::size(c); s < e; ++s) {
          const float k = detail::exp_neg(scale * squared_distance_int(xq, s));
          for (std::size_t r = 0; r < rows; ++r) acc[flash_load(&pair_table[c][r])] += flash_load(&t::coef_f[s][r]) * k;
        }
    }
    for (std::size_t p = 0; p < pairs; ++p) bound[p] = flash_load(&t::rbf_bound_int[p]);
    return settle(acc, bound, sign);
  }

  /// Signs the float sums prove (|sum| beyond its bound), false if any is unsure.
  static constexpr bool settle(const std::array<float, pairs>& acc, const std::array<float, pairs>& bound,
                               std::array<std::int8_t, pairs>& sign) noexcept {
    bool sure = true;
    for (std::size_t p = 0; p < pairs; ++p) {
      const float v = acc[p] + flash_load(&t::intercept_f[p]);
      sign[p] = v > bound[p] ? 1 : (v < -bound[p] ? -1 : 0);
      sure = sure && sign[p] != 0 && bound[p] == bound[p] && v == v;  // inf / NaN: not sure
    }
    return sure;
  }

  /// Every pair's sign proven by the fast paths (integer distances, then
  /// float32), else false. Their bounds also hold for an input that is
  /// sklearn's double value rounded once to float (tables::kernel_error,
  /// linear_bound), so they decide after transforms too (pipeline.hpp).
  static constexpr bool fast_signs(std::span<const float, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    if constexpr (t::int_path)
      if (decisions_int(x, sign)) return true;
    if constexpr (t::fast) return decisions_float(x, sign);
    (void)x;
    (void)sign;
    return false;
  }

  /// The signs libsvm decides on (dec_p > 0), each pair's +1 or -1.
  template <class T>
  static constexpr void exact_signs(std::span<const T, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    std::array<double, pairs> dec{};
    decisions_double(x, dec);
    for (std::size_t p = 0; p < pairs; ++p) sign[p] = dec[p] > 0 ? 1 : -1;
  }
  static constexpr void signs(std::span<const float, n> x, std::array<std::int8_t, pairs>& sign) noexcept {
    if (!fast_signs(x, sign)) exact_signs(x, sign);
  }

  /// libsvm's one-vs-one vote: index of the first class with the most votes.
  static constexpr int vote(std::span<const float, n> x) noexcept {
    static_assert(!on_avr<Params>, "ctml: kernel SVMs settle near-ties in binary64, which AVR lacks at run time");
    std::array<std::int8_t, pairs> sign{};
    signs(x, sign);
    return winner(sign);
  }
  static constexpr std::array<std::uint8_t, g::n> votes(const std::array<std::int8_t, pairs>& sign) noexcept {
    std::array<std::uint8_t, g::n> v{};
    std::size_t p = 0;
    for (std::size_t i = 0; i < g::n; ++i)
      for (std::size_t j = i + 1; j < g::n; ++j, ++p) ++v[sign[p] > 0 ? i : j];
    return v;
  }
  static constexpr int winner(const std::array<std::int8_t, pairs>& sign) noexcept {
    const auto v = votes(sign);
    std::size_t best = 0;
    for (std::size_t c = 1; c < g::n; ++c)
      if (v[c] > v[best]) best = c;
    return static_cast<int>(best);
  }
  /// The class with the most votes, or -1 when another class has as many.
  static constexpr int sole_winner(const std::array<std::int8_t, pairs>& sign) noexcept {
    const auto v = votes(sign);
    const auto best = static_cast<std::size_t>(winner(sign));
    for (std::size_t c = best + 1; c < g::n; ++c)
      if (v[c] == v[best]) return -1;
    return static_cast<int>(best);
  }

  static constexpr std::size_t code_bytes = ctml::detail::kernels_target_code.svm;
  static constexpr std::size_t cost() noexcept {
    if constexpr (t::kind == kernel::linear) return pairs * n * 2 + n;
    else return m * (3 * n + 12 + rows);
  }
};

}  // namespace ctml::svm

namespace ctml {


/// SVC / NuSVC: the index of libsvm's one-vs-one winner in sklearn's classes_.
template <class Params, ValuePolicy Policy = f32>
struct svm_classifier {
  static_assert(std::is_same_v<Policy, f32>, "ctml: kernel SVMs compute in float32 and double; use the f32 policy");
  using policy = Policy;
  using in_type = float;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static constexpr std::size_t n_classes = Params::n_classes;
  template <ValuePolicy P> requires std::is_same_v<P, f32> using rebind = svm_classifier<Params, P>;

 private:
  using engine = svm::engine<Params>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return svm::tables<Params>::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + engine::code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return engine::pairs * (2 * sizeof(float) + sizeof(double) + 1) + Params::n_features * sizeof(double) + n_classes;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return engine::cost(); }

  /// Params::break_ties (SVC(break_ties=True), ovr, more than two classes):
  /// sklearn predicts the first argmax of the ovr decision function, which
  /// differs from the vote only when classes share the most votes (its
  /// confidence term lies within (-1/3, 1/3)).
  static constexpr bool break_ties = [] {
    if constexpr (requires { Params::break_ties; }) return static_cast<bool>(Params::break_ties);
    else return false;
  }();

  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x) const noexcept {
    if constexpr (break_ties) {
      std::array<std::int8_t, engine::pairs> sign{};
      if (engine::fast_signs(x, sign))
        if (const int w = engine::sole_winner(sign); w >= 0) return w;
      return ovr_argmax(x);
    } else {
      return engine::vote(x);
    }
  }
  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }
  /// After transforms (pipeline.hpp): the fast paths on their float32 output.
  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, in_extent> x) const noexcept
    requires svm::tables<Params>::fast
  {
    std::array<std::int8_t, engine::pairs> sign{};
    if (!engine::fast_signs(x, sign)) return {0, false};
    const int w = break_ties ? engine::sole_winner(sign) : engine::winner(sign);
    return {w, w >= 0};
  }
  /// libsvm's vote (or sklearn's tie break) on sklearn's double row.
  [[nodiscard]] constexpr int predict_exact(std::span<const double, in_extent> x) const noexcept {
    if constexpr (break_ties) {
      return ovr_argmax(x);
    } else {
      std::array<std::int8_t, engine::pairs> sign{};
      engine::exact_signs(x, sign);
      return engine::winner(sign);
    }
  }
  constexpr void run(std::span<const float, in_extent> x, std::span<int, 1> out, no_state&) const noexcept { out[0] = predict(x); }
  /// libsvm's decision values (double, its order; sklearn's decision_function
  /// with decision_function_shape="ovo", sign flipped for two classes).
  constexpr void decision_values(std::span<const float, in_extent> x, std::array<double, engine::pairs>& dec) const noexcept {
    engine::decisions_double(x, dec);
  }

  // Outputs besides predict (svm/outputs.hpp): sklearn's decision_function and
  // predict_proba, in double from libsvm's decision values.
  /// Params::ovr: the estimator's decision_function_shape (ovr unless said otherwise).
  static constexpr bool ovr = [] {
    if constexpr (requires { Params::ovr; }) return static_cast<bool>(Params::ovr);
    else return true;
  }();
  /// Values of decision_function: 1 for two classes, n_classes (ovr) or n_classes (n_classes - 1) / 2 (ovo).
  static constexpr std::size_t decision_extent = n_classes == 2 ? 1 : (ovr ? n_classes : engine::pairs);
  /// sklearn's decision_function with the estimator's decision_function_shape.
  constexpr void decision_function(std::span<const float, in_extent> x, std::span<double, decision_extent> out) const noexcept {
    std::array<double, engine::pairs> dec{};
    engine::decisions_double(x, dec);
    if constexpr (n_classes == 2) out[0] = -dec[0];
    else if constexpr (ovr) svm::ovr_decision<n_classes>(dec, out);
    else for (std::size_t p = 0; p < engine::pairs; ++p) out[p] = dec[p];
  }
  /// The other shape than the estimator's (sklearn would need a refit to give it).
  constexpr void decision_function_ovo(std::span<const float, in_extent> x, std::span<double, engine::pairs> out) const noexcept {
    std::array<double, engine::pairs> dec{};
    engine::decisions_double(x, dec);
    for (std::size_t p = 0; p < engine::pairs; ++p) out[p] = n_classes == 2 ? -dec[p] : dec[p];
  }
  constexpr void decision_function_ovr(std::span<const float, in_extent> x, std::span<double, n_classes> out) const noexcept
    requires(n_classes > 2)
  {
    std::array<double, engine::pairs> dec{};
    engine::decisions_double(x, dec);
    svm::ovr_decision<n_classes>(dec, out);
  }

 private:
  /// numpy's argmax (the first maximum) of the ovr decision function.
  template <class T>
  static constexpr int ovr_argmax(std::span<const T, in_extent> x) noexcept {
    std::array<double, engine::pairs> dec{};
    engine::decisions_double(x, dec);
    std::array<double, n_classes> v{};
    svm::ovr_decision<n_classes>(dec, std::span<double, n_classes>(v));
    std::size_t best = 0;
    for (std::size_t c = 1; c < n_classes; ++c)
      if (v[c] > v[best]) best = c;
    return static_cast<int>(best);
  }

 public:
  /// sklearn's predict_proba (probability=True): libsvm's Platt sigmoids on
  /// the decision values and its pairwise coupling, in double.
  constexpr void predict_proba(std::span<const float, in_extent> x, std::span<float, n_classes> out) const noexcept
    requires requires { Params::prob_a[0]; Params::prob_b[0]; }
  {
    std::array<double, engine::pairs> dec{};
    engine::decisions_double(x, dec);
    std::array<double, n_classes> p{};
    svm::coupled_probabilities<Params, n_classes>(dec, p);
    for (std::size_t c = 0; c < n_classes; ++c) out[c] = static_cast<float>(p[c]);
  }
};

/// SVR / NuSVR: libsvm's value sum_s c_s K(x, s) - rho, in double.
template <class Params, ValuePolicy Policy = f32>
struct svm_regressor {
  static_assert(std::is_same_v<Policy, f32>, "ctml: kernel SVMs compute in float32 and double; use the f32 policy");
  using policy = Policy;
  using in_type = float;
  using out_type = double;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  template <ValuePolicy P> requires std::is_same_v<P, f32> using rebind = svm_regressor<Params, P>;

 private:
  using engine = svm::engine<Params>;
  using t = svm::tables<Params>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return t::exact_bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + engine::code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 2 * Params::n_features * sizeof(double); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return engine::cost(); }

  [[nodiscard]] constexpr double predict(std::span<const float, in_extent> x) const noexcept {
    std::array<double, 1> dec{};
    engine::decisions_double(x, dec);
    return dec[0];
  }
  [[nodiscard]] constexpr double predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const float, in_extent> x, std::span<double, 1> out, no_state&) const noexcept { out[0] = predict(x); }
  /// The value for sklearn's double row: after transforms, a pipeline runs
  /// only their double chain and this (stage.hpp, ExactPredictor).
  [[nodiscard]] constexpr double predict_exact(std::span<const double, in_extent> x) const noexcept {
    std::array<double, 1> dec{};
    engine::decisions_double(x, dec);
    return dec[0];
  }
};

/// OneClassSVM: +1 (inlier) when libsvm's decision value is > 0, else -1.
template <class Params, ValuePolicy Policy = f32>
struct one_class_svm {
  static_assert(std::is_same_v<Policy, f32>, "ctml: kernel SVMs compute in float32 and double; use the f32 policy");
  using policy = Policy;
  using in_type = float;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  template <ValuePolicy P> requires std::is_same_v<P, f32> using rebind = one_class_svm<Params, P>;

 private:
  using engine = svm::engine<Params>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return svm::tables<Params>::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + engine::code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 32 + Params::n_features * sizeof(double); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return engine::cost(); }

  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x) const noexcept {
    std::array<std::int8_t, 1> sign{};
    engine::signs(x, sign);
    return sign[0] > 0 ? 1 : -1;
  }
  [[nodiscard]] constexpr int predict(std::span<const float, in_extent> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const float, in_extent> x, std::span<int, 1> out, no_state&) const noexcept { out[0] = predict(x); }
  /// After transforms (pipeline.hpp): the fast paths on their float32 output.
  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, in_extent> x) const noexcept
    requires svm::tables<Params>::fast
  {
    std::array<std::int8_t, 1> sign{};
    const bool sure = engine::fast_signs(x, sign);
    return {sign[0] > 0 ? 1 : -1, sure};
  }
  /// libsvm's decision on sklearn's double row.
  [[nodiscard]] constexpr int predict_exact(std::span<const double, in_extent> x) const noexcept {
    std::array<std::int8_t, 1> sign{};
    engine::exact_signs(x, sign);
    return sign[0] > 0 ? 1 : -1;
  }
  /// sklearn's decision_function (libsvm's value, in double); score_samples
  /// adds the estimator's offset_ (Params::offset).
  [[nodiscard]] constexpr double decision_function(std::span<const float, in_extent> x) const noexcept {
    std::array<double, 1> dec{};
    engine::decisions_double(x, dec);
    return dec[0];
  }
  [[nodiscard]] constexpr double score_samples(std::span<const float, in_extent> x) const noexcept {
    return decision_function(x) + Params::offset;
  }
};

}  // namespace ctml
