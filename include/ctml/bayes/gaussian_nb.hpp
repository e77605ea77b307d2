// GaussianNB as a stage: sklearn's joint log likelihood, priors included,
//   jll_k = log(prior_k) + (-0.5 sum_i log(2 pi var_ki) - 0.5 sum_i (x_i - theta_ki)^2 / var_ki)
// and its first maximum.
//
// Params (generated): n_features, n_classes, theta[n_classes][n_features],
// var[n_classes][n_features] (sklearn's var_, smoothing included),
// log_prior[n_classes] = np.log(class_prior_) and
// log_norm[n_classes] = -0.5 * np.sum(np.log(2 pi var_k)), both computed by
// numpy exactly as sklearn does.
//
// f32: float sums decide when their error bound proves it. The bound on
//   |float - sklearn| for class k is c (S_k + T_k + |log_prior_k + log_norm_k|),
//   S_k the float sum, T_k = sum theta^2 / var (a constant): rounding theta
//   to float adds at most 2u |t theta| / var per term, and by Cauchy-Schwarz
//   sum |t theta| / var <= (S + T) / 2. c = (D + 16) u, with 6% slack.
// Otherwise sklearn's double arithmetic: per feature (x - theta)^2 / var, the
// sum in numpy's pairwise order (8 accumulators from 8 terms on, halves above
// 128), then log_norm - 0.5 S, then log_prior + that.
//
// q<int16_t, F>: raw int16 input x_q = x 2^F; per class the integer score
//   C_k + sum_i A_ki x_q + B_ki x_q^2 (int64; x_q^2 <= 2^30 exact),
//   A = round((theta / var - m) 2^(s-F)), B = round((-0.5 / var - m') 2^(s-2F))
//   as int32, m and m' the feature's mid-range of the two over the classes
//   (the same for every class: the argmax is unchanged),
//   C = round(c_k 2^s) as int64 (round to nearest, ties away from zero), with
//   the largest s for which every coefficient fits and no sum can overflow;
//   the first maximum, as sklearn. Each rounding moves a score by at most
//   half a unit 2^-s times |x_q|, x_q^2 or 1; the accuracy cost against
//   sklearn is measured in tests/generator/test_linear_int16.py.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstddef>
#include <span>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/linear/affine.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace detail {

/// numpy's pairwise summation (as np.add.reduce over a contiguous axis) of
/// term(0) .. term(n - 1), starting at index `first`, with `add` (double's
/// +, or integer binary64 on its bits) and `empty` (numpy's -0.0).
template <class V, class Term, class Add>
[[nodiscard]] constexpr V numpy_sum_with(const Term& term, const Add& add, V empty, std::size_t first,
                                         std::size_t n) noexcept {
  if (n < 8) {
    if (n == 0) return empty;
    V s = term(first);
    for (std::size_t i = 1; i < n; ++i) s = add(s, term(first + i));
    return s;
  }
  if (n <= 128) {
    std::array<V, 8> r{};
    for (std::size_t j = 0; j < 8; ++j) r[j] = term(first + j);
    const std::size_t full = n - n % 8;
    for (std::size_t i = 8; i < full; i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] = add(r[j], term(first + i + j));
    V s = add(add(add(r[0], r[1]), add(r[2], r[3])), add(add(r[4], r[5]), add(r[6], r[7])));
    for (std::size_t i = full; i < n; ++i) s = add(s, term(first + i));
    return s;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return add(numpy_sum_with(term, add, empty, first, half), numpy_sum_with(term, add, empty, first + half, n - half));
}
template <class Term>
[[nodiscard]] constexpr double numpy_sum(const Term& term, std::size_t first, std::size_t n) noexcept {
  return numpy_sum_with<double>(term, [](double a, double b) { return a + b; }, -0.0, first, n);
}

/// GaussianNB's joint log likelihood expanded into an affine model of
/// (x_i, x_i^2) for the integer fast path of chips without a float unit:
///   jll_k = c_k + sum_i (theta_ki / var_ki) x_i - 0.5 / var_ki x_i^2,
///   c_k = log_prior_k + log_norm_k - 0.5 sum_i theta_ki^2 / var_ki
/// (exact in reals). extra_error covers sklearn's double roundings of its
/// constant parts (|log_prior| + |log_norm| + sum theta^2 / var, and of c_k
/// here) with a wide margin; the x-dependent parts round within 2^-50 of
/// terms the integer path sums anyway.
template <class Params>
struct gnb_expanded {
  static constexpr std::size_t d = Params::n_features;
  static constexpr std::size_t n_features = 2 * d, n_outputs = Params::n_classes;
  static constexpr bool rounded_inputs = true;  // x_i^2 is a float product
  static constexpr auto coef = [] {
    std::array<std::array<double, 2 * d>, n_outputs> c{};
    for (std::size_t k = 0; k < n_outputs; ++k)
      for (std::size_t i = 0; i < d; ++i) {
        c[k][i] = Params::theta[k][i] / Params::var[k][i];
        c[k][d + i] = -0.5 / Params::var[k][i];
      }
    return c;
  }();
  static constexpr auto intercept = [] {
    std::array<double, n_outputs> b{};
    for (std::size_t k = 0; k < n_outputs; ++k) {
      double t = 0;
      for (std::size_t i = 0; i < d; ++i) t += Params::theta[k][i] * Params::theta[k][i] / Params::var[k][i];
      b[k] = Params::log_prior[k] + Params::log_norm[k] - 0.5 * t;
    }
    return b;
  }();
  static constexpr double extra_error = [] {
    double worst = 0;
    for (std::size_t k = 0; k < n_outputs; ++k) {
      double t = abs_d(Params::log_prior[k]) + abs_d(Params::log_norm[k]);
      for (std::size_t i = 0; i < d; ++i) t += Params::theta[k][i] * Params::theta[k][i] / Params::var[k][i];
      worst = t > worst ? t : worst;
    }
    return worst * static_cast<double>(d + 8) * 0x1p-46;
  }();
};

/// x^2 for |x|'s float bits a, exponent field in [64, 190] (the square is
/// normal and finite): the 24-bit significand squared and rounded half up,
/// within 2^-24 relative as a float multiply (the bound the affine path's
/// rounded_inputs allows), in integers: no soft float.
[[nodiscard]] constexpr std::uint32_t square_bits(std::uint32_t a) noexcept {
  const std::uint64_t m = (a & 0x7fffffu) | 0x800000u;
  const auto q = static_cast<std::uint32_t>((m * m) >> 22);  // in [2^24, 2^26)
  const std::uint32_t carry = q >> 25;                       // m^2 >= 2^47: one more bit
  const std::uint32_t significand = (q + (1u << carry)) >> (1 + carry);  // 2^24 when rounding up into the next binade
  return (((a >> 23) * 2 - 128 + carry) << 23) + significand;
}

template <class P> inline constexpr bool gnb_int16 = false;
template <int F> inline constexpr bool gnb_int16<q<std::int16_t, F>> = true;

/// The integer scores of q<int16_t, F> (see the top of this file).
template <class Params, int F>
struct gnb_q {
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes;
  // real coefficients per unit of x_q and x_q^2, less their mid-range over
  // the classes (a term common to all classes leaves the argmax alone; a
  // feature constant in training, var = sklearn's epsilon for every class,
  // then costs no scale), and the constant
  static constexpr double mid(std::size_t i, bool square) noexcept {
    double lo = 0, hi = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double v = square ? -0.5 / Params::var[j][i] : Params::theta[j][i] / Params::var[j][i];
      lo = j == 0 || v < lo ? v : lo;
      hi = j == 0 || v > hi ? v : hi;
    }
    return lo + (hi - lo) / 2;
  }
  static constexpr double lin(std::size_t j, std::size_t i) noexcept {
    return (Params::theta[j][i] / Params::var[j][i] - mid(i, false)) * pow2(-F);
  }
  static constexpr double sq(std::size_t j, std::size_t i) noexcept {
    return (-0.5 / Params::var[j][i] - mid(i, true)) * pow2(-2 * F);
  }
  static constexpr double constant(std::size_t j) noexcept {
    double t = 0;
    for (std::size_t i = 0; i < d; ++i) t += Params::theta[j][i] * Params::theta[j][i] / Params::var[j][i];
    return Params::log_prior[j] + Params::log_norm[j] - 0.5 * t;
  }
  static constexpr bool fits(int s) noexcept {
    constexpr double coef_max = 2147483647.0, acc_max = 0x1p62;  // int32 coefficients, int64 sums with headroom
    for (std::size_t j = 0; j < k; ++j) {
      double total = abs_d(constant(j)) * pow2(s) + 1;
      for (std::size_t i = 0; i < d; ++i) {
        const double a = abs_d(lin(j, i)) * pow2(s), b = abs_d(sq(j, i)) * pow2(s);
        if (a >= coef_max || b >= coef_max) return false;
        total += (a + 1) * 0x1p15 + (b + 1) * 0x1p30;  // |x_q| <= 2^15, x_q^2 <= 2^30
      }
      if (total >= acc_max) return false;
    }
    return true;
  }
  static constexpr int shift = [] {
    int s = 120;
    while (s > -1000 && !fits(s)) --s;
    return s;
  }();
  struct tables_t {
    std::array<std::int32_t, k * 2 * d> w{};  // per class and feature: A, B
    std::array<std::int64_t, k> c{};
  };
  CTML_FLASH static constexpr tables_t tables = [] {
    tables_t t{};
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < d; ++i) {
        t.w[(j * d + i) * 2] = round_sat<std::int32_t>(lin(j, i) * pow2(shift));
        t.w[(j * d + i) * 2 + 1] = round_sat<std::int32_t>(sq(j, i) * pow2(shift));
      }
      t.c[j] = round_sat<std::int64_t>(constant(j) * pow2(shift));
    }
    return t;
  }();
  static constexpr std::int64_t score(std::size_t j, std::span<const std::int16_t, d> x) noexcept {
    std::int64_t acc = flash_load(&tables.c[j]);
    for (std::size_t i = 0; i < d; ++i) {
      const std::int32_t v = x[i];
      acc += static_cast<std::int64_t>(flash_load(&tables.w[(j * d + i) * 2])) * v +
             static_cast<std::int64_t>(flash_load(&tables.w[(j * d + i) * 2 + 1])) * (v * v);
    }
    return acc;
  }
};

}  // namespace detail

template <class Params, ValuePolicy Policy = f32>
struct gaussian_nb {
  static_assert(std::same_as<Policy, f32>, "ctml: gaussian_nb takes f32 or q<int16_t, F> inputs");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_classes;
  /// predict_exact needs no binary64 library (pipeline.hpp checks this on AVR).
  static constexpr bool exact_in_integers = !detail::has_binary64_unit;
  template <ValuePolicy P>
    requires(std::same_as<P, f32> || detail::gnb_int16<P>)
  using rebind = gaussian_nb<Params, P>;

 private:
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes;

  struct exact_tables_t {
    std::array<double, k * d> theta{}, var{};
    std::array<double, k> log_prior{}, log_norm{};
  };
  CTML_FLASH static constexpr exact_tables_t exact_tables = [] {
    exact_tables_t t{};
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < d; ++i) {
        t.theta[j * d + i] = Params::theta[j][i];
        t.var[j * d + i] = Params::var[j][i];
      }
      t.log_prior[j] = Params::log_prior[j];
      t.log_norm[j] = Params::log_norm[j];
    }
    return t;
  }();

  struct f32_tables_t {
    std::array<float, k * d> theta{}, inv_var{};
    std::array<float, k> constant{}, bound_offset{};
  };
  CTML_FLASH static constexpr f32_tables_t f32_tables = [] {
    f32_tables_t t{};
    for (std::size_t j = 0; j < k; ++j) {
      double theta_sq = 0;
      for (std::size_t i = 0; i < d; ++i) {
        t.theta[j * d + i] = static_cast<float>(Params::theta[j][i]);
        t.inv_var[j * d + i] = static_cast<float>(1.0 / Params::var[j][i]);
        theta_sq += Params::theta[j][i] * Params::theta[j][i] / Params::var[j][i];
      }
      const double c = Params::log_prior[j] + Params::log_norm[j];
      t.constant[j] = static_cast<float>(c);
      t.bound_offset[j] = static_cast<float>((theta_sq + detail::abs_d(c)) * 1.001 + 1e-30);
    }
    return t;
  }();
  static constexpr float factor = static_cast<float>(d + 16) * detail::f32_unit * 1.0625f;

  /// Scores in float, and per class the bound on their distance to sklearn's.
  static constexpr void scores_f32(std::span<const float, d> x, std::span<float, k> s,
                                   std::span<float, k> bound) noexcept {
    for (std::size_t j = 0; j < k; ++j) {
      float sum = 0;
      for (std::size_t i = 0; i < d; ++i) {
        const float t = x[i] - flash_load(&f32_tables.theta[j * d + i]);
        sum = detail::mul_add(t * t, flash_load(&f32_tables.inv_var[j * d + i]), sum);
      }
      s[j] = flash_load(&f32_tables.constant[j]) - 0.5f * sum;
      bound[j] = (sum + flash_load(&f32_tables.bound_offset[j])) * factor + detail::affine_error_floor;
    }
  }

  // The same on binary64 bit patterns in integers (detail/ieee_arith.hpp),
  // where there is no binary64 unit, on a row of floats (predict's
  // refinement) or doubles (a pipeline's): one copy (noinline) for every
  // class. Rows of finite values (sklearn takes no other) never score NaN,
  // so the scores compare as their bits ordered as integers (+0 == -0).
  using b64 = detail::ieee<std::uint64_t>;
  template <class T>
  [[nodiscard]] static constexpr std::uint64_t bits_at(const T* p) noexcept { return std::bit_cast<std::uint64_t>(flash_load(p)); }
  template <class In>
  [[nodiscard, gnu::noinline]] static constexpr std::int64_t exact_jll_ordered(std::size_t j, const In* x) noexcept {
    const auto term = [&](std::size_t i) {
      const std::uint64_t t = b64::add(detail::binary64_bits(x[i]), b64::neg(bits_at(&exact_tables.theta[j * d + i])));
      return b64::div(b64::mul(t, t), bits_at(&exact_tables.var[j * d + i]));
    };
    std::uint64_t sum = b64::sign;  // numpy's -0.0
    if constexpr (d < 8) {  // numpy sums fewer than 8 terms in order
      for (std::size_t i = 0; i < d; ++i) sum = b64::add(sum, term(i));
    } else {
      const auto add = [](std::uint64_t a, std::uint64_t b) { return b64::add(a, b); };
      sum = detail::numpy_sum_with<std::uint64_t>(term, add, sum, 0, d);
    }
    const std::uint64_t half = b64::mul(std::bit_cast<std::uint64_t>(0.5), sum);
    const std::uint64_t n = b64::add(bits_at(&exact_tables.log_norm[j]), b64::neg(half));
    return b64::ordered(b64::add(bits_at(&exact_tables.log_prior[j]), n));
  }
  /// sklearn's first maximum.
  template <class In>
  [[nodiscard]] static constexpr int exact_decision_bits(const In* x) noexcept {
    int best = 0;
    std::int64_t top = exact_jll_ordered(0, x);
    for (std::size_t j = 1; j < k; ++j) {
      const std::int64_t s = exact_jll_ordered(j, x);
      if (s > top) {
        top = s;
        best = static_cast<int>(j);
      }
    }
    return best;
  }

  CTML_NO_FP_CONTRACT static constexpr double exact_jll(std::size_t j, std::span<const double, d> x) noexcept {
    const auto term = [&](std::size_t i) {
      const double t = x[i] - flash_load(&exact_tables.theta[j * d + i]);
      return (t * t) / flash_load(&exact_tables.var[j * d + i]);
    };
    const double half = 0.5 * detail::numpy_sum(term, 0, d);
    const double n = flash_load(&exact_tables.log_norm[j]) - half;
    return flash_load(&exact_tables.log_prior[j]) + n;
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    if constexpr (detail::direct_double) return sizeof(exact_tables);
    else if constexpr (!detail::has_binary32_unit && detail::affine<detail::gnb_expanded<Params>>::int_path)
      return sizeof(detail::affine<detail::gnb_expanded<Params>>::int_tables) +
             sizeof(detail::affine<detail::gnb_expanded<Params>>::int_intercept) + sizeof(exact_tables);
    else return sizeof(f32_tables) + sizeof(exact_tables);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + detail::linear_target_code.gaussian_nb;
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 2 * k * sizeof(float) + d * sizeof(double); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 3 * k * d; }

  /// The joint log likelihoods in float (within the bound above).
  constexpr void run(std::span<const float, d> in, std::span<float, k> out, no_state&) const noexcept {
    std::array<float, k> bound{};
    scores_f32(in, out, bound);
  }

  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, d> x) const noexcept {
    if constexpr (detail::direct_double) {
      return {0, false};
    } else if constexpr (!detail::has_binary32_unit && detail::affine<detail::gnb_expanded<Params>>::int_path) {
      // integers on (x, x^2): one integer square a feature instead of four
      // float operations a class and feature
      std::array<float, 2 * d> xx;  // read only when every element is written
      for (std::size_t i = 0; i < d; ++i) {
        const auto a = std::bit_cast<std::uint32_t>(x[i]) & 0x7fffffffu;
        std::uint32_t square = 0;
        if (a != 0) {
          // x^2 subnormal (its rounding is not relative) or not finite: the exact path
          if (a - (64u << 23) >= (127u << 23)) return {0, false};
          square = detail::square_bits(a);
        }
        xx[i] = x[i];
        xx[d + i] = std::bit_cast<float>(square);
      }
      return detail::affine<detail::gnb_expanded<Params>>::try_decision_int(xx);
    } else {
      std::array<float, k> s{}, bound{};
      scores_f32(x, s, bound);
      std::size_t best = 0;
      for (std::size_t j = 1; j < k; ++j)
        if (s[j] > s[best]) best = j;
      bool sure = bound[best] < 1.0e38f;
      for (std::size_t j = 0; j < k; ++j)
        if (j != best) sure = sure && s[best] - s[j] > bound[best] + bound[j];
      return {static_cast<int>(best), sure};
    }
  }

  [[nodiscard]] constexpr int predict_exact(std::span<const double, d> x) const noexcept {
    if constexpr (!detail::has_binary64_unit) return exact_decision_bits(x.data());
    int best = 0;
    double top = exact_jll(0, x);
    for (std::size_t j = 1; j < k; ++j) {
      const double s = exact_jll(j, x);
      if (s > top) {
        top = s;
        best = static_cast<int>(j);
      }
    }
    return best;
  }

  [[nodiscard]] constexpr int predict(std::span<const float, d> in) const noexcept {
    const auto fast = try_predict(in);
    if (fast.sure) return fast.value;
    return refine(in);
  }
  [[nodiscard]] constexpr int predict(std::span<const float, d> in, no_state&) const noexcept { return predict(in); }

  /// sklearn's predict_proba (float: exp of the log likelihoods minus their log-sum-exp).
  constexpr void predict_proba(std::span<const float, d> in, std::span<float, k> out) const noexcept {
    std::array<float, k> bound{};
    scores_f32(in, out, bound);
    float top = out[0];
    for (std::size_t j = 1; j < k; ++j) top = out[j] > top ? out[j] : top;
    float total = 0;
    for (std::size_t j = 0; j < k; ++j) total += (out[j] = math::exp(out[j] - top));
    for (std::size_t j = 0; j < k; ++j) out[j] /= total;
  }

 private:
  [[gnu::noinline]] constexpr int refine(std::span<const float, d> in) const noexcept {
    if constexpr (!detail::has_binary64_unit) return exact_decision_bits(in.data());  // no double arithmetic at all
    std::array<double, d> x{};
    for (std::size_t i = 0; i < d; ++i) x[i] = in[i];
    return predict_exact(x);
  }
};

/// q<int16_t, F>: integer scores on raw int16 input (see the top of this file).
template <class Params, int F>
struct gaussian_nb<Params, q<std::int16_t, F>> {
  using policy = q<std::int16_t, F>;
  using in_type = std::int16_t;
  using out_type = std::int64_t;  // one unit is 2^-core::shift
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_classes;
  static constexpr bool exact_in_integers = true;
  template <ValuePolicy P>
    requires(std::same_as<P, f32> || detail::gnb_int16<P>)
  using rebind = gaussian_nb<Params, P>;

 private:
  using core = detail::gnb_q<Params, F>;
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(core::tables); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 160; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 2 * sizeof(std::int64_t) + 16; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * k * d; }

  /// The joint log likelihoods as integers (units of 2^-shift).
  constexpr void run(std::span<const std::int16_t, d> in, std::span<std::int64_t, k> out, no_state&) const noexcept {
    for (std::size_t j = 0; j < k; ++j) out[j] = core::score(j, in);
  }
  /// The first maximum, as sklearn's argmax.
  [[nodiscard]] constexpr int predict(std::span<const std::int16_t, d> in) const noexcept {
    int best = 0;
    std::int64_t top = core::score(0, in);
    for (std::size_t j = 1; j < k; ++j) {
      const std::int64_t s = core::score(j, in);
      if (s > top) {
        top = s;
        best = static_cast<int>(j);
      }
    }
    return best;
  }
  [[nodiscard]] constexpr int predict(std::span<const std::int16_t, d> in, no_state&) const noexcept { return predict(in); }
};

}  // namespace ctml
