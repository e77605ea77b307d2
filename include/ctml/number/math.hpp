// ctml's own constexpr math: no <cmath> (absent on freestanding AVR, and not
// constexpr in C++20).
//
// Accuracy (checked against the host's libm in tests/runtime/test_math.cpp):
//   float overloads: within 1 ulp of the correctly rounded result
//     sqrt  all inputs            exp  [-87, 88]
//     log   all positive inputs   sin, cos  |x| <= 1e5
//   double overloads: within 4 ulp over the same ranges (they are computed
//   with double polynomials; the float overloads round their result).
// Outside the domain: sqrt(x<0), log(x<0) give NaN; log(0) = -inf;
// exp overflows to +inf and underflows to 0; NaN propagates. sin and cos
// lose accuracy gradually from 1e5 (Cody-Waite reduction) and return NaN for
// |x| > 2^30, where no reduction of this kind means anything.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace ctml::math {

namespace detail {
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (Cody-Waite).
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double inv_ln2 = 1.44269504088896338700e+00;
// pi/2 in three parts of 33 bits (k * part is exact for |k| < 2^20) and a
// fourth, so that arguments close to a multiple of pi/2 keep their accuracy.
inline constexpr double pio2_1 = 1.57079632673412561417e+00;
inline constexpr double pio2_2 = 6.07710050630396597660e-11;
inline constexpr double pio2_3 = 2.02226624871116645580e-21;
inline constexpr double pio2_3t = 8.47842766036889956997e-32;
inline constexpr double two_over_pi = 6.36619772367581382433e-01;

/// 2^e for a normal exponent, built from its bits.
[[nodiscard]] constexpr double exp2i(int e) noexcept {
  return std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52);
}

/// x * 2^e for any e, in at most three exact steps (the last may round).
[[nodiscard]] constexpr double scale(double x, int e) noexcept {
  while (e > 1023) { x *= exp2i(1023); e -= 1023; }
  while (e < -1022) { x *= exp2i(-1022); e += 1022; }
  return x * exp2i(e);
}

/// Nearest integer of a double known to be in int range.
[[nodiscard]] constexpr int nearest_int(double x) noexcept {
  return static_cast<int>(x < 0 ? x - 0.5 : x + 0.5);
}

/// sin on [-pi/4, pi/4] (Taylor to r^19).
[[nodiscard]] constexpr double sin_kernel(double r) noexcept {
  if (r > -0x1p-27 && r < 0x1p-27) return r;  // sin r rounds to r; keeps -0
  const double r2 = r * r;
  double p = 0.0;
  // (-1)^k / (2k+1)! for k = 9 .. 1, Horner from the top.
  constexpr double c[] = {-1.0 / 121645100408832000.0, 1.0 / 355687428096000.0, -1.0 / 1307674368000.0,
                          1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0,
                          1.0 / 120.0, -1.0 / 6.0};
  for (double ck : c) p = p * r2 + ck;
  return r + r * r2 * p;
}

/// cos on [-pi/4, pi/4] (Taylor to r^20).
[[nodiscard]] constexpr double cos_kernel(double r) noexcept {
  const double r2 = r * r;
  double p = 0.0;
  // (-1)^k / (2k)! for k = 10 .. 2, Horner from the top.
  constexpr double c[] = {1.0 / 2432902008176640000.0, -1.0 / 6402373705728000.0, 1.0 / 20922789888000.0,
                          -1.0 / 87178291200.0, 1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0,
                          -1.0 / 720.0, 1.0 / 24.0};
  for (double ck : c) p = p * r2 + ck;
  const double r4 = r2 * r2;
  return (1.0 - 0.5 * r2) + r4 * p;
}

/// Reduces x to r in [-pi/4, pi/4] and the quadrant k mod 4.
struct reduced { double r; int quadrant; };
[[nodiscard]] constexpr reduced reduce_pio2(double x) noexcept {
  const double kd = x * two_over_pi;
  const auto k = static_cast<std::int64_t>(kd < 0 ? kd - 0.5 : kd + 0.5);
  const auto kf = static_cast<double>(k);
  const double r = (((x - kf * pio2_1) - kf * pio2_2) - kf * pio2_3) - kf * pio2_3t;
  return {r, static_cast<int>(k & 3)};
}
}  // namespace detail

[[nodiscard]] constexpr bool isnan(double x) noexcept { return x != x; }
[[nodiscard]] constexpr bool isinf(double x) noexcept { return x == detail::inf || x == -detail::inf; }
[[nodiscard]] constexpr bool isfinite(double x) noexcept { return !isnan(x) && !isinf(x); }
[[nodiscard]] constexpr double fabs(double x) noexcept { return x < 0 ? -x : (x == 0 ? 0.0 : x); }

[[nodiscard]] constexpr double sqrt(double x) noexcept {
  if (isnan(x) || x < 0) return detail::nan;
  if (x == 0 || x == detail::inf) return x;
  // x = m * 2^(2h) with m in [1, 4): Newton on m, then scale.
  int h = 0;
  double m = x;
  while (m >= 4.0) { m *= 0.25; ++h; }
  while (m < 1.0) { m *= 4.0; --h; }
  double y = 0.5 * (m + 1.0);  // >= sqrt(m): Newton decreases monotonically
  for (int i = 0; i < 6; ++i) y = 0.5 * (y + m / y);
  return detail::scale(y, h);
}

[[nodiscard]] constexpr double exp(double x) noexcept {
  if (isnan(x)) return x;
  if (x > 709.782712893384) return detail::inf;
  if (x < -745.1332191019412) return 0.0;
  const int k = detail::nearest_int(x * detail::inv_ln2);
  const double r = (x - k * detail::ln2_hi) - k * detail::ln2_lo;  // |r| <= 0.347
  // Horner on 1 + r + r^2/2! + ... + r^13/13!
  double p = 1.0;
  for (int n = 13; n >= 1; --n) p = 1.0 + p * r / n;
  return detail::scale(p, k);
}

[[nodiscard]] constexpr double log(double x) noexcept {
  if (isnan(x) || x < 0) return detail::nan;
  if (x == 0) return -detail::inf;
  if (x == detail::inf) return x;
  int e = 0;
  if (x < 0x1p-1022) { x *= 0x1p54; e -= 54; }  // subnormal: make it normal
  const auto bits = std::bit_cast<std::uint64_t>(x);
  e += static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > 1.4142135623730951) { m *= 0.5; ++e; }  // m in [sqrt(1/2), sqrt(2)]
  // log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.172
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 0.0;
  for (int n = 23; n >= 3; n -= 2) p = (p + 1.0 / n) * s2;
  const double log_m = 2.0 * s + 2.0 * s * p;
  return e * detail::ln2_hi + (log_m + e * detail::ln2_lo);
}

[[nodiscard]] constexpr double sin(double x) noexcept {
  if (!isfinite(x) || fabs(x) > 0x1p30) return detail::nan;
  const auto [r, quadrant] = detail::reduce_pio2(x);
  switch (quadrant) {
    case 0: return detail::sin_kernel(r);
    case 1: return detail::cos_kernel(r);
    case 2: return -detail::sin_kernel(r);
    default: return -detail::cos_kernel(r);
  }
}

[[nodiscard]] constexpr double cos(double x) noexcept {
  if (!isfinite(x) || fabs(x) > 0x1p30) return detail::nan;
  const auto [r, quadrant] = detail::reduce_pio2(x);
  switch (quadrant) {
    case 0: return detail::cos_kernel(r);
    case 1: return -detail::sin_kernel(r);
    case 2: return -detail::cos_kernel(r);
    default: return detail::sin_kernel(r);
  }
}

/// sqrt of a float, correctly rounded (to nearest, ties to even) with integer
/// arithmetic only: the same bits on targets with and without a float unit,
/// and as IEEE sqrt (numpy's float32 sqrt) gives.
[[nodiscard]] constexpr float sqrt_exact(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7fffffffu) == 0) return x;                       // +-0
  if (bits >> 31) return std::numeric_limits<float>::quiet_NaN();  // < 0 (and -NaN)
  int e = static_cast<int>(bits >> 23);
  if (e == 255) return x;  // +inf, NaN
  std::uint64_t m = bits & 0x7fffffu;
  if (e == 0) {  // subnormal: normalise
    e = 1;
    while ((m & 0x800000u) == 0) { m <<= 1; --e; }
  } else {
    m |= 0x800000u;
  }
  // x = m * 2^(e - 150); make the exponent even, then sqrt(m * 2^26) has 25 or 26 bits.
  int ex = e - 150;
  if (ex & 1) { m <<= 1; --ex; }
  m <<= 26;
  ex -= 26;  // x = m * 2^ex, ex even
  // Integer square root, bit by bit: r = floor(sqrt(m)), m < 2^52.
  std::uint64_t r = 0, rem = m;
  for (std::uint64_t bit = std::uint64_t{1} << 50; bit != 0; bit >>= 2) {
    if (rem >= r + bit) { rem -= r + bit; r = (r >> 1) + bit; }
    else r >>= 1;
  }
  // sqrt(x) = (r + frac) * 2^(ex/2), r in [2^24, 2^26): keep 24 bits, round half to even with the sticky rest.
  int half_ex = ex / 2;
  int drop = 0;
  while ((r >> drop) >= (std::uint64_t{1} << 24)) ++drop;
  const std::uint64_t kept = r >> drop;
  const std::uint64_t lost = r & ((std::uint64_t{1} << drop) - 1);
  const std::uint64_t halfway = drop ? std::uint64_t{1} << (drop - 1) : 0;
  std::uint64_t q = kept;
  // rem != 0 means the true root is above r, so a lost part equal to half is above half.
  if (drop && (lost > halfway || (lost == halfway && (rem != 0 || (kept & 1))))) ++q;
  half_ex += drop;
  if (q == (std::uint64_t{1} << 24)) { q >>= 1; ++half_ex; }
  // value = q * 2^half_ex, q in [2^23, 2^24): biased exponent half_ex + 23 + 127.
  const int be = half_ex + 150;
  return std::bit_cast<float>(static_cast<std::uint32_t>(be) << 23 | static_cast<std::uint32_t>(q & 0x7fffffu));
}

// float overloads: computed in double and rounded once.
[[nodiscard]] constexpr float sqrt(float x) noexcept { return static_cast<float>(sqrt(static_cast<double>(x))); }
[[nodiscard]] constexpr float exp(float x) noexcept { return static_cast<float>(exp(static_cast<double>(x))); }
[[nodiscard]] constexpr float log(float x) noexcept { return static_cast<float>(log(static_cast<double>(x))); }
[[nodiscard]] constexpr float sin(float x) noexcept { return static_cast<float>(sin(static_cast<double>(x))); }
[[nodiscard]] constexpr float cos(float x) noexcept { return static_cast<float>(cos(static_cast<double>(x))); }

}  // namespace ctml::math
