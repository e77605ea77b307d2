// Gaussian scores: scikit-learn's GaussianMixture (full, tied, diag and
// spherical covariances) and EllipticEnvelope.
//
// Both reduce to quadratic forms q_k(x) = |x U_k - mu_k U_k|^2 with U_k a
// Cholesky factor of component k's precision (the generator emits U_k and
// mu_k; m_k = mu_k U_k is derived here). GaussianMixture predicts the first
// maximum of s_k = bias_k - q_k / 2 (bias_k: log weight, log determinant and
// the 2 pi term; bias_magnitude_k the sum of their magnitudes, for the
// rounding bound); EllipticEnvelope says outlier when -q_0 - offset < 0.
//
// sklearn computes these with BLAS and, for diag and spherical covariances,
// an expanded formula; no order of operations can be copied. ctml computes
// the same values with a rigorous error bound for its own arithmetic and for
// sklearn's (accumulated beside the scores from |(x_i - mu_ki) U_k,ij|):
// a decision whose margin exceeds the bounds is
// sklearn's. Where float32 cannot decide, the scores are recomputed in
// binary64; where even sklearn's own rounding could decide either way
// (margins below ~1e-13 of the scores), ctml returns its binary64 argmax.
// EllipticEnvelope has no such gap: its undecided rows redo scipy's
// mahalanobis loops exactly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::anomaly {

template <class Params>
struct gaussian_tables {
  static constexpr std::size_t K = Params::n_components, N = Params::n_features;
  static constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }
  /// m_k = mu_k U_k in binary64.
  static constexpr std::array<std::array<double, N>, K> m = [] {
    std::array<std::array<double, N>, K> r{};
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t j = 0; j < N; ++j) {
        double s = 0.0;
        for (std::size_t i = 0; i < N; ++i) s += Params::means[k][i] * Params::factor[k][i][j];
        r[k][j] = s;
      }
    return r;
  }();
  /// The factors, means and biases in T, as flash tables.
  template <class T>
  struct as {
    CTML_FLASH static constexpr std::array<std::array<std::array<T, N>, N>, K> factor = [] {
      std::array<std::array<std::array<T, N>, N>, K> r{};
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < N; ++i)
          for (std::size_t j = 0; j < N; ++j) r[k][i][j] = static_cast<T>(Params::factor[k][i][j]);
      return r;
    }();
    /// The means as T plus the remainder (x - mu is then as exact as T allows).
    CTML_FLASH static constexpr std::array<std::array<T, N>, K> mu_hi = [] {
      std::array<std::array<T, N>, K> r{};
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < N; ++i) r[k][i] = static_cast<T>(Params::means[k][i]);
      return r;
    }();
    CTML_FLASH static constexpr std::array<std::array<T, N>, K> mu_lo = [] {
      std::array<std::array<T, N>, K> r{};
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < N; ++i)
          r[k][i] = static_cast<T>(Params::means[k][i] - static_cast<double>(static_cast<T>(Params::means[k][i])));
      return r;
    }();
    /// e_j = 2 sum_i |mu_i U_ij| + |(mu U)_j|, rounded up: with sum_i |d_i U_ij|
    /// it bounds the magnitudes in sklearn's x U - mu U (|x_i| <= |d_i| + |mu_i|).
    CTML_FLASH static constexpr std::array<std::array<T, N>, K> mu_abs = [] {
      std::array<std::array<T, N>, K> r{};
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < N; ++j) {
          double e = 0.0;
          for (std::size_t i = 0; i < N; ++i) e += abs(Params::means[k][i] * Params::factor[k][i][j]);
          r[k][j] = static_cast<T>((2 * e + abs(m[k][j])) * (1.0 + 0x1p-20));
        }
      return r;
    }();
    CTML_FLASH static constexpr std::array<T, K> bias = [] {
      std::array<T, K> r{};
      for (std::size_t k = 0; k < K; ++k) r[k] = static_cast<T>(Params::bias[k]);
      return r;
    }();
  };
};

/// The scores s_k = bias_k - q_k / 2 in T, and a bound on |s_k - sklearn's s_k|.
template <class Params, class T>
struct gaussian_scores {
  using tables = gaussian_tables<Params>;
  static constexpr std::size_t K = tables::K, N = tables::N;
  std::array<T, K> score{};
  std::array<T, K> error{};
  std::array<T, K> q{};

  // The sign bit cleared (one instruction where there is a float unit; a
  // compare and negate otherwise costs four).
  static constexpr T abs(T v) noexcept {
    if constexpr (std::is_same_v<T, float>) return __builtin_fabsf(v);
    else return __builtin_fabs(v);
  }
  // Sums start at -0: -0 + p is p for every p, so the compiler drops the
  // first addition (+0 + p is not p for p = -0, and it must keep it).
  static constexpr T zero = -T{0};

  // Relative rounding of T and of sklearn's binary64, per term of a length-N dot product.
  // sklearn: BLAS dot products of length N, or (EllipticEnvelope, scipy's
  // mahalanobis) a quadratic form of N * N terms.
  static constexpr double u = std::is_same_v<T, float> ? 0x1p-24 : 0x1p-53;
  static constexpr double mine_dot = 4.0 * static_cast<double>(N + 4) * u;
  static constexpr double their_dot = 2.0 * static_cast<double>(N * N + 4 * N + 16) * 0x1p-53;
  static constexpr double add = 8.0 * (u + 0x1p-53);

  /// y_j = sum_i d_i U_ij (the non-zero U_ij only, unrolled) and a_j = sum_i |d_i U_ij|.
  template <std::size_t Kc, std::size_t J, std::size_t... I>
  CTML_ALWAYS_INLINE static constexpr void column(const T* d, T& y, T& a, std::index_sequence<I...>) noexcept {
    ((Params::factor[Kc][I][J] != 0.0 ? void((y += d[I] * static_cast<T>(Params::factor[Kc][I][J]),
                                             a += abs(d[I] * static_cast<T>(Params::factor[Kc][I][J]))))
                                      : void()),
     ...);
  }
  /// Component k's score: q = sum y_j^2. This arithmetic's error is bounded
  /// through `mine` = sum_j a_j^2, sklearn's through `theirs` = sum_j (a_j + e_j)^2
  /// (e_j bounds mu's part of sklearn's x U - mu U).
  CTML_ALWAYS_INLINE constexpr void finish(std::size_t k, T qk, T mine, T theirs) noexcept {
    using t = typename tables::template as<T>;
    const T b = flash_load(&t::bias[k]);
    q[k] = qk;
    score[k] = b - qk / 2;
    error[k] = static_cast<T>(mine_dot) * mine + static_cast<T>(their_dot) * theirs +
               static_cast<T>(add) * (static_cast<T>(Params::bias_magnitude[k]) + qk + abs(score[k]));
  }
  template <std::size_t Kc, std::size_t J>
  CTML_ALWAYS_INLINE static constexpr void column_terms(const T* d, T& qk, T& mine, T& theirs) noexcept {
    using t = typename tables::template as<T>;
    T y = zero, a = zero;
    column<Kc, J>(d, y, a, std::make_index_sequence<N>{});
    qk += y * y;
    a *= static_cast<T>(1.0 + 4.0 * static_cast<double>(N) * u);
    mine += a * a;
    const T e = a + t::mu_abs[Kc][J];
    theirs += e * e;
  }
  template <std::size_t Kc, std::size_t... J>
  CTML_ALWAYS_INLINE constexpr void component(const float* x, std::index_sequence<J...>) noexcept {
    using t = typename tables::template as<T>;
    std::array<T, N> d{};
    for (std::size_t i = 0; i < N; ++i) d[i] = (static_cast<T>(x[i]) - t::mu_hi[Kc][i]) - t::mu_lo[Kc][i];
    T qk = zero, mine = zero, theirs = zero;
    (column_terms<Kc, J>(d.data(), qk, mine, theirs), ...);
    finish(Kc, qk, mine, theirs);
  }
  template <std::size_t... Kc>
  CTML_ALWAYS_INLINE constexpr void components(const float* x, std::index_sequence<Kc...>) noexcept {
    (component<Kc>(x, std::make_index_sequence<N>{}), ...);
  }

  /// All scores, unrolled (the fast path).
  constexpr explicit gaussian_scores(const float* x) noexcept { components(x, std::make_index_sequence<K>{}); }
  /// The scores of the components in `which` (others: -inf), as compact loops
  /// over the tables (the rare binary64 recomputation).
  constexpr gaussian_scores(const float* x, const std::array<bool, K>& which) noexcept {
    using t = typename tables::template as<T>;
    for (std::size_t k = 0; k < K; ++k) {
      score[k] = -std::numeric_limits<T>::infinity();
      if (!which[k]) continue;
      std::array<T, N> d{};
      for (std::size_t i = 0; i < N; ++i)
        d[i] = (static_cast<T>(x[i]) - flash_load(&t::mu_hi[k][i])) - flash_load(&t::mu_lo[k][i]);
      T qk = 0, mine = 0, theirs = 0;
      for (std::size_t j = 0; j < N; ++j) {
        T y = 0, a = 0;
        for (std::size_t i = 0; i < N; ++i) {
          const T f = flash_load(&t::factor[k][i][j]);
          if (f != 0) {
            const T p = d[i] * f;
            y += p;
            a += abs(p);
          }
        }
        qk += y * y;
        a *= static_cast<T>(1.0 + 4.0 * static_cast<double>(N) * u);
        mine += a * a;
        const T e = a + flash_load(&t::mu_abs[k][j]);
        theirs += e * e;
      }
      finish(k, qk, mine, theirs);
    }
  }
  /// The components that could still be sklearn's answer.
  [[nodiscard]] constexpr std::array<bool, K> candidates() const noexcept {
    std::array<bool, K> c{};
    bool certain = false;
    const auto b = static_cast<std::size_t>(best(certain));
    for (std::size_t k = 0; k < K; ++k) c[k] = k == b || !(score[b] - score[k] > error[b] + error[k]);
    return c;
  }
  /// The first maximum, and whether every other score is below it by more
  /// than both error bounds.
  [[nodiscard]] constexpr int best(bool& certain) const noexcept {
    std::size_t b = 0;
    for (std::size_t k = 1; k < K; ++k)
      if (score[k] > score[b]) b = k;
    certain = true;
    for (std::size_t k = 0; k < K; ++k)
      if (k != b && !(score[b] - score[k] > error[b] + error[k])) certain = false;
    return static_cast<int>(b);
  }
};

/// Scores in integers for q<int16_t, F> inputs (raw x stands for x * 2^-F):
/// no float arithmetic, for chips without a float unit. Per component k,
/// with C_kij = round(U_kij 2^s_k) (|C| < 2^15) and m_k = mu_k U_k:
///   Y_j = sum_i x_i C_kij - round(m_kj 2^(F + s_k))   (exact int64 sums: the
///         cancellation of x U - mu U costs nothing; the means never round)
///   Z_j = Y_j >> r_k  (|Z| < 2^28),  Q_k = sum_j Z_j^2 = q_k 2^(2 e_k), e_k = F + s_k - r_k
/// and the scores 2 s_k = 2 bias_k - q_k at the common scale 2^E. Not bit for
/// bit sklearn's: the factors and shifts round (measured agreement with the
/// float policy: README, tests/generator/test_anomaly.py).
template <class Params, int F>
struct gaussian_fixed {
  static constexpr std::size_t K = Params::n_components, N = Params::n_features;
  static_assert(N <= 64, "ctml: the integer Gaussian scores take at most 64 features (int64 sums of squares)");
  using tables = gaussian_tables<Params>;
  static constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }
  static constexpr double round(double v) noexcept {
    const auto r = static_cast<std::int64_t>(v < 0 ? v - 0.5 : v + 0.5);
    return static_cast<double>(r);
  }

  struct scales_t {
    std::array<int, K> s{}, r{}, e{};
    int E = 0;
  };
  static constexpr scales_t scales = [] {
    scales_t c{};
    int e_min = std::numeric_limits<int>::max();
    for (std::size_t k = 0; k < K; ++k) {
      double top = 0.0;
      for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < N; ++j) top = abs(Params::factor[k][i][j]) > top ? abs(Params::factor[k][i][j]) : top;
      int sk = 60;
      while (sk > -60 && top * detail::pow2(sk) >= 32767.0) --sk;
      double worst = 0.0;  // max_j |Y_j| over all int16 rows
      for (std::size_t j = 0; j < N; ++j) {
        double w = abs(round(tables::m[k][j] * detail::pow2(F + sk)));
        for (std::size_t i = 0; i < N; ++i) w += 32768.0 * abs(round(Params::factor[k][i][j] * detail::pow2(sk)));
        worst = w > worst ? w : worst;
      }
      int rk = 0;
      while (worst * detail::pow2(-rk) >= detail::pow2(28) - 1) ++rk;
      c.s[k] = sk;
      c.r[k] = rk;
      c.e[k] = F + sk - rk;
      e_min = 2 * c.e[k] < e_min ? 2 * c.e[k] : e_min;
    }
    c.E = e_min;
    return c;
  }();
  static constexpr int E = scales.E;
  static_assert(E > -1000, "ctml: a Gaussian component without a factor");
  template <std::size_t Kc, std::size_t I, std::size_t J>
  static constexpr std::int32_t C = static_cast<std::int32_t>(round(Params::factor[Kc][I][J] * detail::pow2(scales.s[Kc])));
  template <std::size_t Kc, std::size_t J>
  static constexpr std::int64_t M = static_cast<std::int64_t>(round(tables::m[Kc][J] * detail::pow2(F + scales.s[Kc])));
  /// 2 bias_k at scale 2^E (clamped to +-2^62: such a component never wins or always does).
  template <std::size_t Kc>
  static constexpr std::int64_t B2 = [] {
    const double v = 2.0 * Params::bias[Kc] * detail::pow2(E);
    return static_cast<std::int64_t>(round(abs(v) < detail::pow2(62) ? v : (v < 0 ? -detail::pow2(62) : detail::pow2(62))));
  }();

  template <std::size_t Kc, std::size_t J, std::size_t... I>
  CTML_ALWAYS_INLINE static constexpr std::int64_t column(const std::int16_t* x, std::index_sequence<I...>) noexcept {
    std::int64_t y = -M<Kc, J>;
    ((C<Kc, I, J> != 0 ? void(y += static_cast<std::int32_t>(x[I]) * C<Kc, I, J>) : void()), ...);
    const std::int64_t z = y >> scales.r[Kc];
    return z * z;
  }
  /// Q_k = q_k 2^(2 e_k).
  template <std::size_t Kc, std::size_t... J>
  CTML_ALWAYS_INLINE static constexpr std::int64_t q(const std::int16_t* x, std::index_sequence<J...>) noexcept {
    return (column<Kc, J>(x, std::make_index_sequence<N>{}) + ...);
  }
  /// 2 s_k at scale 2^E (the Q's scaled down to the common exponent).
  template <std::size_t Kc>
  CTML_ALWAYS_INLINE static constexpr std::int64_t score2(const std::int16_t* x) noexcept {
    return B2<Kc> - (q<Kc>(x, std::make_index_sequence<N>{}) >> (2 * scales.e[Kc] - E));
  }
  /// The first maximum of the scores.
  [[nodiscard]] static constexpr int best(const std::int16_t* x) noexcept {
    return [&]<std::size_t... Kc>(std::index_sequence<Kc...>) {
      const std::array<std::int64_t, K> s{score2<Kc>(x)...};
      std::size_t b = 0;
      for (std::size_t k = 1; k < K; ++k)
        if (s[k] > s[b]) b = k;
      return static_cast<int>(b);
    }(std::make_index_sequence<K>{});
  }
};

template <class P>
inline constexpr bool is_q16 = [] {
  if constexpr (detail::is_fixed<P>) return std::is_same_v<typename P::value_type, std::int16_t>;
  else return false;
}();
template <class P>
concept gaussian_policy = std::is_same_v<P, f32> || is_q16<P>;
template <class P>
using gaussian_input = std::conditional_t<is_q16<P>, std::int16_t, float>;

/// Non-zero factor entries of all components: the unrolled scores' terms (code size).
template <class Params>
inline constexpr std::size_t gaussian_terms = [] {
  std::size_t n = 0;
  for (std::size_t k = 0; k < Params::n_components; ++k)
    for (std::size_t i = 0; i < Params::n_features; ++i)
      for (std::size_t j = 0; j < Params::n_features; ++j) n += Params::factor[k][i][j] != 0.0;
  return n;
}();

/// Float where the target has float hardware and no binary64 unit; binary64 otherwise.
inline constexpr bool float_first = !detail::has_binary64_unit;

}  // namespace ctml::anomaly

namespace ctml {

/// GaussianMixture.predict: the component, as sklearn's predict. With
/// q<int16_t, F> inputs: integer scores (gaussian_fixed), measured accuracy.
template <class Params, ValuePolicy Policy = f32>
struct gaussian_mixture {
  static_assert(anomaly::gaussian_policy<Policy>, "ctml: a Gaussian mixture takes f32 or q<int16_t, F> inputs");
  using policy = Policy;
  using in_type = anomaly::gaussian_input<Policy>;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features, out_extent = 1;
  static constexpr std::size_t n_components = Params::n_components;
  using tables = anomaly::gaussian_tables<Params>;
  template <ValuePolicy P>
    requires anomaly::gaussian_policy<P>
  using rebind = gaussian_mixture<Params, P>;

  /// The tables the linker keeps (the float path's factors are immediates in its code).
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    using f = typename tables::template as<float>;
    using d = typename tables::template as<double>;
    if constexpr (anomaly::is_q16<Policy>) return 0;
    return (anomaly::float_first ? sizeof(f::mu_hi) + sizeof(f::mu_lo) : 0) + sizeof(d::factor) + sizeof(d::mu_hi) +
           sizeof(d::mu_lo) + sizeof(d::mu_abs) + sizeof(d::bias);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + anomaly::gaussian_terms<Params> * detail::boosting_code.gaussian_term_x10 / 10 +
           detail::boosting_code.gaussian_fixed;
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return sizeof(anomaly::gaussian_scores<Params, double>);
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept {
    return Params::n_components * Params::n_features * (Params::n_features + 1);
  }

  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x) const noexcept {
    bool certain = false;
    if constexpr (anomaly::is_q16<Policy>) {
      return anomaly::gaussian_fixed<Params, Policy::frac_bits>::best(x.data());
    } else if constexpr (anomaly::float_first) {
      const anomaly::gaussian_scores<Params, float> s(x.data());
      const int b = s.best(certain);
      if (certain) return b;
      return exact(x.data(), s.candidates());
    } else {
      return exact(x.data(), all());
    }
  }
  /// sklearn's score_samples: log sum_k exp(s_k) (binary64, ctml's exp and log).
  [[nodiscard]] static constexpr double score_samples(std::span<const float, in_extent> x) noexcept {
    const anomaly::gaussian_scores<Params, double> s(x.data(), all());
    double top = s.score[0];
    for (double v : s.score) top = v > top ? v : top;
    double sum = 0.0;
    for (double v : s.score) sum += math::exp(v - top);
    return top + math::log(sum);
  }
  /// sklearn's predict_proba: exp(s_k - score_samples).
  static constexpr void predict_proba(std::span<const float, in_extent> x, std::span<double, n_components> out) noexcept {
    const anomaly::gaussian_scores<Params, double> s(x.data(), all());
    const double total = score_samples(x);
    for (std::size_t k = 0; k < n_components; ++k) out[k] = math::exp(s.score[k] - total);
  }
  constexpr void run(std::span<const in_type, in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }

 private:
  static constexpr std::array<bool, n_components> all() noexcept {
    std::array<bool, n_components> a{};
    for (auto& c : a) c = true;
    return a;
  }
  [[gnu::noinline]] static constexpr int exact(const float* x, const std::array<bool, n_components>& which) noexcept {
    bool certain = false;
    return anomaly::gaussian_scores<Params, double>(x, which).best(certain);
  }
};

/// EllipticEnvelope.predict: +1 (inlier) or -1 (outlier). With
/// q<int16_t, F> inputs: the Mahalanobis distance in integers, measured accuracy.
template <class Params, ValuePolicy Policy = f32>
struct elliptic_envelope {
  static_assert(anomaly::gaussian_policy<Policy>, "ctml: an elliptic envelope takes f32 or q<int16_t, F> inputs");
  using policy = Policy;
  using in_type = anomaly::gaussian_input<Policy>;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features, out_extent = 1;
  using tables = anomaly::gaussian_tables<Params>;
  static_assert(Params::n_components == 1, "ctml: an elliptic envelope has one location and precision");
  template <ValuePolicy P>
    requires anomaly::gaussian_policy<P>
  using rebind = elliptic_envelope<Params, P>;

  /// The tables the linker keeps.
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    using f = typename tables::template as<float>;
    if constexpr (anomaly::is_q16<Policy>) return 0;
    return (anomaly::float_first ? sizeof(f::mu_hi) + sizeof(f::mu_lo) : 0) + sizeof(precision_table);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + anomaly::gaussian_terms<Params> * detail::boosting_code.gaussian_term_x10 / 10 +
           detail::boosting_code.gaussian_fixed;
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return sizeof(anomaly::gaussian_scores<Params, double>);
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Params::n_features * (Params::n_features + 1); }

  /// sklearn's mahalanobis: the squared distance (binary64).
  [[nodiscard]] static constexpr double mahalanobis(std::span<const float, in_extent> x) noexcept {
    return static_cast<double>(anomaly::gaussian_scores<Params, double>(x.data(), {true}).q[0]);
  }
  /// sklearn's decision_function: -mahalanobis - offset_ (negative: outlier).
  [[nodiscard]] static constexpr double decision_function(std::span<const float, in_extent> x) noexcept {
    return -mahalanobis(x) - Params::offset;
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x, no_state&) const noexcept {
    return predict(x);
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x) const noexcept {
    if constexpr (anomaly::is_q16<Policy>) {
      using fx = anomaly::gaussian_fixed<Params, Policy::frac_bits>;
      constexpr double limit = Params::inlier_max * detail::pow2(2 * fx::scales.e[0]);
      constexpr auto inlier_max = static_cast<std::int64_t>(limit < 0x1p62 ? limit : 0x1p62);  // floor (>= 0)
      return fx::template q<0>(x.data(), std::make_index_sequence<Params::n_features>{}) <= inlier_max ? 1 : -1;
    } else {
      if constexpr (anomaly::float_first) {
        const anomaly::gaussian_scores<Params, float> s(x.data());
        const float d = -s.q[0] - static_cast<float>(Params::offset);
        const float err = 2 * s.error[0] + static_cast<float>(Params::offset < 0 ? -Params::offset : Params::offset) *
                                               0x1p-22f;
        if (d > err) return 1;
        if (d < -err) return -1;
      }
      return exact(x.data());
    }
  }
  /// sklearn's own arithmetic: scipy's mahalanobis sum s = d . (VI d) with
  /// d = x - location, in its loop order, against the largest s sklearn
  /// still calls an inlier (the generator finds it with sklearn's sqrt,
  /// square and offset).
  [[gnu::noinline]] static constexpr int exact(const float* x) noexcept {
    constexpr std::size_t N = Params::n_features;
    std::array<double, N> d{};
    for (std::size_t i = 0; i < N; ++i) d[i] = static_cast<double>(x[i]) - Params::means[0][i];
    double s = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      double t = 0.0;
      for (std::size_t j = 0; j < N; ++j) t += d[j] * flash_load(&precision_table[i][j]);
      s += d[i] * t;
    }
    return s <= Params::inlier_max ? 1 : -1;
  }
  CTML_FLASH static constexpr std::array<std::array<double, Params::n_features>, Params::n_features> precision_table =
      [] {
        std::array<std::array<double, Params::n_features>, Params::n_features> r{};
        for (std::size_t i = 0; i < Params::n_features; ++i)
          for (std::size_t j = 0; j < Params::n_features; ++j) r[i][j] = Params::precision[i][j];
        return r;
      }();
  constexpr void run(std::span<const in_type, in_extent> x, std::span<int, 1> out, no_state& s) const noexcept {
    out[0] = predict(x, s);
  }
};

}  // namespace ctml
