// ctml::math against the host's <cmath>: the accuracy documented in
// include/ctml/number/math.hpp, measured in ulps over dense grids of the
// documented ranges, plus the special values.
//
//   float overloads: <= 1 ulp from static_cast<float>(std::f(double(x)))
//     (the correctly rounded float result, up to libm's own double error)
//   double overloads: <= 4 ulp from std::f(x)
//
// The measured maxima are printed with WARN, so they appear in the log.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <ctml/number/math.hpp>

namespace {

template <class T>
using bits_of = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;

// Integer whose order is the numeric order of finite T values (-0 == +0).
template <class T>
std::int64_t ordered(T v) {
  using sbits = std::make_signed_t<bits_of<T>>;
  const auto s = static_cast<sbits>(std::bit_cast<bits_of<T>>(v));
  return s < 0 ? static_cast<std::int64_t>(std::numeric_limits<sbits>::min()) - s : static_cast<std::int64_t>(s);
}

constexpr std::uint64_t not_close = std::numeric_limits<std::uint64_t>::max();

/// Distance in ulps; NaN matches only NaN, an infinity only itself.
template <class T>
std::uint64_t ulp_error(T got, T want) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got) ? 0 : not_close;
  if (std::isinf(want) || std::isinf(got)) return got == want ? 0 : not_close;
  const std::int64_t d = ordered(got) - ordered(want);
  return static_cast<std::uint64_t>(d < 0 ? -d : d);
}

std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a (%.17g)", v, v);
  return buf;
}

struct worst_case {
  std::uint64_t ulps = 0;
  double x = 0, got = 0, want = 0;
  std::size_t count = 0;
  std::string text() const {
    return "max " + (ulps == not_close ? std::string("inf/nan mismatch") : std::to_string(ulps)) + " ulp over " +
           std::to_string(count) + " inputs, at x = " + hex(x) + ": got " + hex(got) + ", want " + hex(want);
  }
};

template <class T, class F, class R>
void measure(worst_case& w, const std::vector<T>& xs, F f, R ref) {
  for (T x : xs) {
    const T got = f(x);
    const T want = ref(x);
    const std::uint64_t e = ulp_error(got, want);
    if (w.count == 0 || e > w.ulps)
      w = {e, static_cast<double>(x), static_cast<double>(got), static_cast<double>(want), w.count};
    ++w.count;
  }
}

// ---- input grids (deterministic) ----

/// n values evenly spaced in [lo, hi] (endpoints included).
template <class T>
std::vector<T> uniform(double lo, double hi, std::size_t n) {
  std::vector<T> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    v.push_back(static_cast<T>(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1)));
  return v;
}

/// n values evenly spaced in bit pattern between two non-negative T: every
/// binade (subnormals included) gets its share.
template <class T>
std::vector<T> bit_walk(T lo, T hi, std::size_t n) {
  using U = bits_of<T>;
  const U a = std::bit_cast<U>(lo), b = std::bit_cast<U>(hi);
  std::vector<T> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(n - 1);
    const U u = static_cast<U>(a + static_cast<U>(t * static_cast<double>(b - a)));
    v.push_back(std::bit_cast<T>(u));
  }
  return v;
}

template <class T>
std::vector<T> with_negatives(std::vector<T> v) {
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) v.push_back(-v[i]);
  return v;
}

template <class T>
std::vector<T> concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// The T values nearest to k*pi/2 for k = 1 .. up to `limit`, and their two
/// neighbours each side: where argument reduction is hardest.
template <class T>
std::vector<T> near_half_pi_multiples(double limit) {
  std::vector<T> v;
  const long double half_pi = 1.570796326794896619231321691639751442L;
  for (long k = 1; static_cast<double>(k) * 1.5707963267948966 <= limit; ++k) {
    T x = static_cast<T>(static_cast<long double>(k) * half_pi);
    for (int i = 0; i < 2; ++i) x = std::nextafter(x, T{0});
    for (int i = 0; i < 5; ++i, x = std::nextafter(x, std::numeric_limits<T>::infinity()))
      if (std::fabs(x) <= limit) v.push_back(x);
  }
  return with_negatives(std::move(v));
}

template <class T>
std::vector<T> randoms(double lo, double hi, std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<T> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<T>(d(gen)));
  return v;
}

constexpr std::size_t dense = 200000;
constexpr float flt_max = std::numeric_limits<float>::max();
constexpr float flt_den = std::numeric_limits<float>::denorm_min();
constexpr double dbl_max = std::numeric_limits<double>::max();
constexpr double dbl_den = std::numeric_limits<double>::denorm_min();

// References: the host's libm. Float: the double result rounded once.
float ref_f(double (*f)(double), float x) { return static_cast<float>(f(static_cast<double>(x))); }

double std_sqrt(double x) { return std::sqrt(x); }
double std_exp(double x) { return std::exp(x); }
double std_log(double x) { return std::log(x); }
double std_sin(double x) { return std::sin(x); }
double std_cos(double x) { return std::cos(x); }

void report_and_check(const char* what, const worst_case& w, std::uint64_t bound) {
  WARN(what << ": " << w.text());
  INFO(what << ": " << w.text());
  CHECK(w.ulps <= bound);
}

}  // namespace

// ---------------------------------------------------------------------------
// float overloads: <= 1 ulp

TEST_CASE("math: float sqrt is within 1 ulp over all non-negative floats", "[math][float]") {
  worst_case w;
  const auto xs = concat(bit_walk(0.0f, flt_max, dense), concat(uniform<float>(1.0, 4.0, 50000), bit_walk(0.0f, 0x1p-126f, 20000)));
  measure(w, xs, [](float x) { return ctml::math::sqrt(x); }, [](float x) { return ref_f(std_sqrt, x); });
  report_and_check("sqrt(float)", w, 1);
}

TEST_CASE("math: float exp is within 1 ulp on [-87, 88]", "[math][float]") {
  worst_case w;
  const auto xs = concat(uniform<float>(-87.0, 88.0, dense), with_negatives(bit_walk(flt_den, 87.0f, 50000)));
  measure(w, concat(xs, bit_walk(87.0f, 88.0f, 10000)), [](float x) { return ctml::math::exp(x); },
          [](float x) { return ref_f(std_exp, x); });
  report_and_check("exp(float)", w, 1);
}

TEST_CASE("math: float log is within 1 ulp over all positive floats", "[math][float]") {
  worst_case w;
  const auto xs = concat(bit_walk(flt_den, flt_max, dense), concat(uniform<float>(0.5, 2.0, 100000), bit_walk(flt_den, 0x1p-126f, 20000)));
  measure(w, xs, [](float x) { return ctml::math::log(x); }, [](float x) { return ref_f(std_log, x); });
  report_and_check("log(float)", w, 1);
}

TEST_CASE("math: float sin and cos are within 1 ulp on |x| <= 1e5", "[math][float]") {
  const auto xs = concat(concat(uniform<float>(-1e5, 1e5, dense), with_negatives(bit_walk(flt_den, 1e5f, 50000))),
                         near_half_pi_multiples<float>(1e5));
  worst_case ws, wc;
  measure(ws, xs, [](float x) { return ctml::math::sin(x); }, [](float x) { return ref_f(std_sin, x); });
  measure(wc, xs, [](float x) { return ctml::math::cos(x); }, [](float x) { return ref_f(std_cos, x); });
  report_and_check("sin(float)", ws, 1);
  report_and_check("cos(float)", wc, 1);
}

// ---------------------------------------------------------------------------
// double overloads: <= 4 ulp

TEST_CASE("math: double sqrt is within 4 ulp over all non-negative doubles", "[math][double]") {
  worst_case w;
  const auto xs = concat(bit_walk(0.0, dbl_max, dense), concat(randoms<double>(1.0, 4.0, 50000, 1), bit_walk(0.0, 0x1p-1022, 20000)));
  measure(w, xs, [](double x) { return ctml::math::sqrt(x); }, std_sqrt);
  report_and_check("sqrt(double)", w, 4);
}

TEST_CASE("math: double exp is within 4 ulp on [-87, 88]", "[math][double]") {
  worst_case w;
  const auto xs = concat(randoms<double>(-87.0, 88.0, dense, 2), with_negatives(bit_walk(dbl_den, 87.0, 50000)));
  measure(w, xs, [](double x) { return ctml::math::exp(x); }, std_exp);
  report_and_check("exp(double)", w, 4);
}

TEST_CASE("math: double log is within 4 ulp over all positive doubles", "[math][double]") {
  worst_case w;
  const auto xs = concat(bit_walk(dbl_den, dbl_max, dense), concat(randoms<double>(0.5, 2.0, 100000, 3), bit_walk(dbl_den, 0x1p-1022, 20000)));
  measure(w, xs, [](double x) { return ctml::math::log(x); }, std_log);
  report_and_check("log(double)", w, 4);
}

TEST_CASE("math: double sin and cos are within 4 ulp on |x| <= 1e5", "[math][double]") {
  const auto xs = concat(randoms<double>(-1e5, 1e5, dense, 4), with_negatives(bit_walk(dbl_den, 1e5, 50000)));
  worst_case ws, wc;
  measure(ws, xs, [](double x) { return ctml::math::sin(x); }, std_sin);
  measure(wc, xs, [](double x) { return ctml::math::cos(x); }, std_cos);
  report_and_check("sin(double)", ws, 4);
  report_and_check("cos(double)", wc, 4);
}

TEST_CASE("math: double sin and cos are within 4 ulp next to multiples of pi/2", "[math][double]") {
  // The results here are tiny (sin near k*pi, cos near (k+1/2)*pi), so any
  // error in the reduction x - k*pi/2 shows up in many ulps.
  const auto xs = near_half_pi_multiples<double>(1e5);
  worst_case ws, wc;
  measure(ws, xs, [](double x) { return ctml::math::sin(x); }, std_sin);
  measure(wc, xs, [](double x) { return ctml::math::cos(x); }, std_cos);
  report_and_check("sin(double) near k*pi/2", ws, 4);
  report_and_check("cos(double) near k*pi/2", wc, 4);
}

// ---------------------------------------------------------------------------
// Special values (documented in math.hpp; signs of zero as in IEEE 754)

namespace {
template <class T>
bool same_value(T a, T b) {  // bit-exact, any NaN equal to any NaN
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<bits_of<T>>(a) == std::bit_cast<bits_of<T>>(b);
}

template <class T>
void check_specials() {
  namespace m = ctml::math;
  constexpr T inf = std::numeric_limits<T>::infinity();
  constexpr T nan = std::numeric_limits<T>::quiet_NaN();
  constexpr T den = std::numeric_limits<T>::denorm_min();
  constexpr T tiny = std::numeric_limits<T>::min();
  const T zero = 0, neg_zero = -T{0};

  struct row {
    const char* what;
    T got, want;
  };
  const row rows[] = {
      {"sqrt(+0)", m::sqrt(zero), zero},
      {"sqrt(-0)", m::sqrt(neg_zero), neg_zero},
      {"sqrt(+inf)", m::sqrt(inf), inf},
      {"sqrt(-inf)", m::sqrt(-inf), nan},
      {"sqrt(-1)", m::sqrt(T{-1}), nan},
      {"sqrt(-denorm_min)", m::sqrt(-den), nan},
      {"sqrt(nan)", m::sqrt(nan), nan},
      {"sqrt(denorm_min)", m::sqrt(den), std::sqrt(den)},
      {"sqrt(4)", m::sqrt(T{4}), T{2}},
      {"exp(+0)", m::exp(zero), T{1}},
      {"exp(-0)", m::exp(neg_zero), T{1}},
      {"exp(+inf)", m::exp(inf), inf},
      {"exp(-inf)", m::exp(-inf), zero},
      {"exp(nan)", m::exp(nan), nan},
      {"exp(1000)", m::exp(T{1000}), inf},
      {"exp(-1000)", m::exp(T{-1000}), zero},
      {"exp(max)", m::exp(std::numeric_limits<T>::max()), inf},
      {"exp(-max)", m::exp(std::numeric_limits<T>::lowest()), zero},
      {"exp(denorm_min)", m::exp(den), T{1}},
      {"log(1)", m::log(T{1}), zero},
      {"log(+0)", m::log(zero), -inf},
      {"log(-0)", m::log(neg_zero), -inf},
      {"log(+inf)", m::log(inf), inf},
      {"log(-1)", m::log(T{-1}), nan},
      {"log(-inf)", m::log(-inf), nan},
      {"log(nan)", m::log(nan), nan},
      {"log(min normal)", m::log(tiny), static_cast<T>(std::log(static_cast<double>(tiny)))},
      {"sin(+0)", m::sin(zero), zero},
      {"sin(-0)", m::sin(neg_zero), neg_zero},
      {"sin(denorm_min)", m::sin(den), den},
      {"sin(-denorm_min)", m::sin(-den), -den},
      {"sin(+inf)", m::sin(inf), nan},
      {"sin(-inf)", m::sin(-inf), nan},
      {"sin(nan)", m::sin(nan), nan},
      {"cos(+0)", m::cos(zero), T{1}},
      {"cos(-0)", m::cos(neg_zero), T{1}},
      {"cos(denorm_min)", m::cos(den), T{1}},
      {"cos(+inf)", m::cos(inf), nan},
      {"cos(nan)", m::cos(nan), nan},
  };
  for (const row& r : rows) {
    INFO(r.what << " = " << hex(static_cast<double>(r.got)) << ", want " << hex(static_cast<double>(r.want)));
    CHECK(same_value(r.got, r.want));
  }
}
}  // namespace

TEST_CASE("math: float special values (zeros, subnormals, infinities, NaN, domain edges)", "[math][float]") {
  check_specials<float>();
}

TEST_CASE("math: double special values (zeros, subnormals, infinities, NaN, domain edges)", "[math][double]") {
  check_specials<double>();
}

TEST_CASE("math: domain edges of exp: overflow to +inf and underflow to 0 where the host's exp does", "[math]") {
  for (float x : {-87.0f, 88.0f}) {  // the ends of the documented range
    INFO("exp(" << x << "f) = " << hex(ctml::math::exp(x)) << ", host " << hex(ref_f(std_exp, x)));
    CHECK(ulp_error(ctml::math::exp(x), ref_f(std_exp, x)) <= 1);
  }
  for (float x : {88.72f, 88.73f, 89.0f, 100.0f, -87.5f, -100.0f, -103.0f, -103.9f, -104.0f, -110.0f}) {
    const float want = ref_f(std_exp, x);
    INFO("exp(" << x << "f) = " << hex(ctml::math::exp(x)) << ", host " << hex(want));
    CHECK(std::isinf(want) == std::isinf(ctml::math::exp(x)));
    CHECK((want == 0) == (ctml::math::exp(x) == 0));
  }
  for (double x : {709.78, 709.782712893384, 709.79, 710.0, -708.0, -745.0, -745.1332191019412, -745.14, -746.0}) {
    INFO("exp(" << hex(x) << ") = " << hex(ctml::math::exp(x)) << ", host " << hex(std::exp(x)));
    CHECK((std::isinf(std::exp(x)) == std::isinf(ctml::math::exp(x))));
    CHECK((std::exp(x) == 0) == (ctml::math::exp(x) == 0));
  }
}

TEST_CASE("math: sin and cos stay in [-1, 1] up to 2^30 and are NaN beyond (as documented), never UB",
          "[math][large]") {
  for (double x : {1e6, 1e8, 1e9, 0x1p30, 0x1p30 * (1 + 0x1p-52), 1e10, 1e15, 9.2e18, 1e19, 1e30, 3.4e38, 1e300,
                   dbl_max}) {
    for (double s : {1.0, -1.0}) {
      const double d = s * x;
      INFO("x = " << hex(d) << ": sin = " << hex(ctml::math::sin(d)) << ", cos = " << hex(ctml::math::cos(d)));
      if (x <= 0x1p30) {
        CHECK(std::fabs(ctml::math::sin(d)) <= 1.0);
        CHECK(std::fabs(ctml::math::cos(d)) <= 1.0);
      } else {
        CHECK(std::isnan(ctml::math::sin(d)));
        CHECK(std::isnan(ctml::math::cos(d)));
        const float f = std::fabs(d) <= static_cast<double>(flt_max) ? static_cast<float>(d) : 0.0f;
        if (std::fabs(f) > 0x1p30f) CHECK(std::isnan(ctml::math::sin(f)));
      }
    }
  }
}

