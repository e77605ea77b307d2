// SVC / NuSVC outputs besides predict, from libsvm's decision values dec_p
// (pairs (0,1), (0,2), ..., (1,2), ...), in double as sklearn computes them.
//
// decision_function_shape="ovr" (sklearn's _ovr_decision_function): per pair,
// the vote of dec_p > 0 for i (else j), and confidences summed, s_i += dec_p,
// s_j -= dec_p; the value is votes + s / (3 (|s| + 1)).
//
// predict_proba (probability=True; Params::prob_a, prob_b: sklearn's probA_,
// probB_): Platt's sigmoid per pair, r_ij = 1 / (1 + exp(A dec + B)) (in the
// form that avoids cancellation), clipped to [1e-7, 1 - 1e-7], r_ji = 1 - r_ij;
// then, for two classes as for more (sklearn's libsvm), the pairwise coupling of Wu, Lin and Weng
// (2004, their second method) as libsvm iterates it: minimise p'Qp with
// Q_tt = sum_{j != t} r_jt^2, Q_tj = -r_jt r_tj, by coordinate updates from
// p = 1/k until max_t |(Qp)_t - p'Qp| < 0.005 / k (at most max(100, k) sweeps).
// Tolerance against sklearn: the decision values agree to about 1e-12
// relative (libm's exp against ctml's, BLAS's order), so probabilities agree
// to 1e-6 absolute (tested; float32 output) unless a sweep count changes
// because max_t |..| sits on the stopping threshold.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctml/number/math.hpp>

namespace ctml::svm {

template <std::size_t K, std::size_t N>
constexpr void ovr_decision(const std::array<double, K * (K - 1) / 2>& dec, std::span<double, N> out) noexcept {
  static_assert(N == K);
  std::array<double, K> votes{}, conf{};
  std::size_t p = 0;
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = i + 1; j < K; ++j, ++p) {
      // sklearn: confidences = -dec, predictions = dec < 0
      const double c = -dec[p];
      conf[i] -= c;
      conf[j] += c;
      if (dec[p] < 0) votes[j] += 1.0;
      else votes[i] += 1.0;
    }
  for (std::size_t c = 0; c < K; ++c) {
    const double a = conf[c] < 0 ? -conf[c] : conf[c];
    out[c] = votes[c] + conf[c] / (3.0 * (a + 1.0));
  }
}

/// Platt's sigmoid 1 / (1 + exp(a dec + b)), computed without cancellation.
[[nodiscard]] constexpr double platt(double dec, double a, double b) noexcept {
  const double f = dec * a + b;
  if (f >= 0) {
    const double e = math::exp(-f);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + math::exp(f));
}

template <class Params, std::size_t K>
constexpr void coupled_probabilities(const std::array<double, K * (K - 1) / 2>& dec, std::array<double, K>& p) noexcept {
  constexpr double lowest = 1e-7;
  std::array<std::array<double, K>, K> r{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = i + 1; j < K; ++j, ++n) {
      double v = platt(dec[n], Params::prob_a[n], Params::prob_b[n]);
      v = v < lowest ? lowest : v;
      v = v > 1 - lowest ? 1 - lowest : v;
      r[i][j] = v;
      r[j][i] = 1 - v;
    }
  {  // sklearn's libsvm couples two classes too (it has no shortcut for them)
    std::array<std::array<double, K>, K> q{};
    for (std::size_t t = 0; t < K; ++t) {
      p[t] = 1.0 / static_cast<double>(K);
      for (std::size_t j = 0; j < t; ++j) {
        q[t][t] += r[j][t] * r[j][t];
        q[t][j] = q[j][t];
      }
      for (std::size_t j = t + 1; j < K; ++j) {
        q[t][t] += r[j][t] * r[j][t];
        q[t][j] = -r[j][t] * r[t][j];
      }
    }
    constexpr std::size_t sweeps = K > 100 ? K : 100;
    constexpr double eps = 0.005 / static_cast<double>(K);
    std::array<double, K> qp{};
    for (std::size_t it = 0; it < sweeps; ++it) {
      double pqp = 0;
      for (std::size_t t = 0; t < K; ++t) {
        qp[t] = 0;
        for (std::size_t j = 0; j < K; ++j) qp[t] += q[t][j] * p[j];
        pqp += p[t] * qp[t];
      }
      double worst = 0;
      for (std::size_t t = 0; t < K; ++t) {
        const double e = qp[t] > pqp ? qp[t] - pqp : pqp - qp[t];
        worst = e > worst ? e : worst;
      }
      if (worst < eps) break;
      for (std::size_t t = 0; t < K; ++t) {
        const double diff = (-qp[t] + pqp) / q[t][t];
        p[t] += diff;
        pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
        for (std::size_t j = 0; j < K; ++j) {
          qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
          p[j] /= (1 + diff);
        }
      }
    }
  }
}

}  // namespace ctml::svm
