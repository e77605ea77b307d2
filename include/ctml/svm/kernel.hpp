// Kernel arithmetic of libsvm (scikit-learn's SVC, NuSVC, SVR, NuSVR, OneClassSVM).
//
// libsvm evaluates every kernel in double (Kernel::k_function):
//   linear   x.s
//   poly     powi(gamma x.s + coef0, degree)     (square-and-multiply)
//   rbf      exp(-gamma sum_i (x_i - s_i)^2)
//   sigmoid  tanh(gamma x.s + coef0)
// ctml evaluates rbf in float32 with a proven error bound (kernel_error below)
// and falls back to this double arithmetic, in libsvm's order, for inputs the
// bound cannot settle. What cannot be reproduced bit for bit: scikit-learn
// builds take x.s and the rbf sum from BLAS (ddot), whose summation order
// depends on the BLAS library, and exp/tanh from the platform's libm; ctml
// sums in index order and uses its own exp (within 4 ulp). Decisions can
// differ only where libsvm's own double result lies within those last-bit
// differences of zero.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include <ctml/number/math.hpp>

namespace ctml::svm {

/// libsvm's kernels (scikit-learn's `kernel=` strings).
enum class kernel { linear, poly, rbf, sigmoid };

/// Binary64 exactly as libsvm computes it (double on every target with a
/// 64-bit double; see kernel_double for AVR).
inline constexpr bool has_double64 = sizeof(double) == 8;

namespace detail {

/// libsvm's powi: square-and-multiply, in double.
[[nodiscard]] constexpr double powi(double base, int times) noexcept {
  double tmp = base, ret = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp = tmp * tmp;
  }
  return ret;
}

/// tanh in double: odd series below 0.5 (no cancellation), 1 - 2 / (e^2z + 1) above.
[[nodiscard]] constexpr double tanh(double z) noexcept {
  const double a = z < 0 ? -z : z;
  double t;
  if (a < 0.5) {
    // sinh and cosh by their series to a^25 (truncation below 1e-20 at 0.5), Horner from the top.
    const double a2 = a * a;
    double sh = 1.0, ch = 1.0;
    for (int n = 24; n >= 2; n -= 2) {
      sh = 1.0 + sh * a2 / (static_cast<double>(n) * static_cast<double>(n + 1));
      ch = 1.0 + ch * a2 / (static_cast<double>(n - 1) * static_cast<double>(n));
    }
    sh *= a;
    t = sh / ch;
  } else if (a > 22.0) {
    t = 1.0;
  } else {
    t = 1.0 - 2.0 / (math::exp(2.0 * a) + 1.0);
  }
  return z < 0 ? -t : t;
}

/// e^a in float32 for a <= 0 (rbf arguments): Cody-Waite reduction by ln 2,
/// a degree-7 polynomial, and 2^k put into the exponent. Relative error below
/// 4 * 2^-24 (tests/runtime/test_svm.cpp checks it against double exp);
/// below e^-86 it returns zero (absolute error < 2^-123).
[[nodiscard]] constexpr float exp_neg(float a) noexcept {
  if (!(a > -86.0f)) return 0.0f;  // also NaN; e^-86 < 2^-123
  if (a > 0.0f) a = 0.0f;           // cannot happen for rbf: gamma, sums >= 0
  constexpr float inv_ln2 = 1.44269504088896341f;
  constexpr float ln2_hi = 0.693145751953125f;          // 16 bits: k * ln2_hi exact
  constexpr float ln2_lo = 1.428606765330187045e-06f;
  const float kf = a * inv_ln2 - 0.5f;                   // a < 0: round half down
  const int k = static_cast<int>(kf);                    // truncation towards 0 of a negative value
  const float kr = static_cast<float>(k);
  const float r = (a - kr * ln2_hi) - kr * ln2_lo;       // |r| <= 0.35
  float p = 1.0f / 40320.0f;
  p = p * r + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // k in [-124, 0]: scale by 2^k through the exponent field.
  const auto bits = std::bit_cast<std::uint32_t>(p);
  return std::bit_cast<float>(static_cast<std::uint32_t>(static_cast<std::int32_t>(bits) + k * (1 << 23)));
}

}  // namespace detail

/// A kernel's parameters and its double arithmetic (the fallback).
template <class Params>
struct kernel_math {
  static constexpr kernel kind = Params::kernel;
  static constexpr std::size_t n = Params::n_features;

  /// libsvm's k_function on an input in double and a support vector row.
  template <class Row>
  [[nodiscard]] static constexpr double k_double(const double* x, Row sv) noexcept {
    double sum = 0.0;
    if constexpr (kind == kernel::rbf) {
      for (std::size_t i = 0; i < n; ++i) {
        const double d = x[i] - static_cast<double>(sv(i));
        sum += d * d;
      }
      return math::exp(-Params::gamma * sum);
    } else {
      for (std::size_t i = 0; i < n; ++i) sum += x[i] * static_cast<double>(sv(i));
      if constexpr (kind == kernel::linear) return sum;
      else if constexpr (kind == kernel::poly) return detail::powi(Params::gamma * sum + Params::coef0, Params::degree);
      else return detail::tanh(Params::gamma * sum + Params::coef0);
    }
  }
};

}  // namespace ctml::svm
