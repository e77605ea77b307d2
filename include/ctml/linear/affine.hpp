// The shared core of linear models, LDA and k-means: K affine scores
// s_k = b_k + sum_i w_ki x_i over D features, and their exact argmax.
//
// Params (generated): n_features, n_outputs, coef[n_outputs][n_features],
// intercept[n_outputs], all as scikit-learn stores them (float64).
//
// sklearn's order (numpy matmul on the reference BLAS, checked bit for bit in
// tests/generator/test_linear.py against a sequential loop):
//   scores:  s = x_0 w_0; s += x_i w_i for i = 1 .. D-1 (no FMA); s + b
//   k-means: t = sum as above over the centres; -2 t + |c|^2 (BLAS dgemm
//            with alpha = -2 and beta = 1 on the squared norms)
// float32: w and b rounded to float, summed in float; the error bound
// (exact.hpp) is computed from sum max_k |w_ki| |x_i| + max_k |b_k|.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/detail/flash.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::detail {

enum class affine_order {
  dot_then_intercept,  // linear models, LDA: X @ coef.T + intercept
  kmeans,              // k-means: -2 X @ centres.T + |centres|^2, smallest wins
};

template <class Params, affine_order Order = affine_order::dot_then_intercept>
struct affine {
  static constexpr std::size_t d = Params::n_features;
  static constexpr std::size_t k = Params::n_outputs;
  static constexpr bool minimum = Order == affine_order::kmeans;
  static_assert(d >= 1 && k >= 1, "ctml: an affine stage needs at least one feature and one output");

  // ---- sklearn's double arithmetic --------------------------------------
  CTML_FLASH static constexpr std::array<double, k * d> coef64 = [] {
    std::array<double, k * d> t{};
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t i = 0; i < d; ++i) t[j * d + i] = Params::coef[j][i];
    return t;
  }();
  CTML_FLASH static constexpr std::array<double, k> intercept64 = [] {
    std::array<double, k> t{};
    for (std::size_t j = 0; j < k; ++j) t[j] = Params::intercept[j];
    return t;
  }();

  // Without a binary64 unit the same arithmetic in integers on the bit
  // patterns the doubles hold (detail/ieee_arith.hpp), correctly rounded as
  // a double unit computes it: no soft-double library is linked.
  using b64 = ieee<std::uint64_t>;
  /// Score j: -0 + x_0 w_0 + ... (-0 + p is p exactly), k-means -2 s, + b;
  /// x doubles holding binary64 bits, or floats widened as they are read.
  template <class T>
  [[nodiscard, gnu::always_inline]] static constexpr std::uint64_t exact_bits(std::size_t j, std::span<const T, d> x) noexcept {
    std::uint64_t s = b64::sign;
    for (std::size_t i = 0; i < d; ++i) {
      s = b64::add(s, b64::mul(binary64_bits(x[i]), std::bit_cast<std::uint64_t>(flash_load(&coef64[j * d + i]))));
    }
    if constexpr (minimum) s = b64::mul(std::bit_cast<std::uint64_t>(-2.0), s);
    return b64::add(s, std::bit_cast<std::uint64_t>(flash_load(&intercept64[j])));
  }
  template <class T>
  [[nodiscard, gnu::noinline]] static constexpr int exact_decision_bits(std::span<const T, d> x) noexcept {
    if constexpr (k == 1 && !minimum) {
      return exact_bits(0, x) - 1 < b64::inf ? 1 : 0;  // > +0: not zero, negative or NaN
    } else {
      int best = 0;
      std::uint64_t top = 0;
      for (std::size_t j = 0; j < k; ++j) {  // one call site: exact_bits inlined once
        const std::uint64_t s = exact_bits(j, x);
        // numpy's argmax takes the first NaN (scores overflowing to inf - inf)
        if (j == 0 || (minimum ? b64::greater(top, s) : !b64::is_nan(top) && (b64::is_nan(s) || b64::greater(s, top)))) {
          top = s;
          best = static_cast<int>(j);
        }
      }
      return best;
    }
  }

  CTML_NO_FP_CONTRACT [[nodiscard]] static constexpr double exact(std::size_t j, std::span<const double, d> x) noexcept {
    if constexpr (!has_binary64_unit) {
      return std::bit_cast<double>(exact_bits(j, x));
    } else {
      double s = x[0] * flash_load(&coef64[j * d]);
      for (std::size_t i = 1; i < d; ++i) {
        const double p = x[i] * flash_load(&coef64[j * d + i]);
        s = s + p;
      }
      if constexpr (Order == affine_order::kmeans) {
        const double t = -2.0 * s;
        return t + flash_load(&intercept64[j]);
      } else {
        return s + flash_load(&intercept64[j]);
      }
    }
  }

  /// sklearn's decision: the first maximum (or minimum for k-means); for one
  /// output, score > 0.
  [[nodiscard]] static constexpr int exact_decision(std::span<const double, d> x) noexcept {
    if constexpr (!has_binary64_unit) {
      return exact_decision_bits(x);
    } else if constexpr (k == 1 && !minimum) {
      return exact(0, x) > 0.0 ? 1 : 0;
    } else {
      int best = 0;
      double top = exact(0, x);
      for (std::size_t j = 1; j < k; ++j) {
        const double s = exact(j, x);
        if (minimum ? s < top : top == top && (s != s || s > top)) {  // argmax: the first NaN
          top = s;
          best = static_cast<int>(j);
        }
      }
      return best;
    }
  }

  // ---- float32 ------------------------------------------------------------
  static constexpr float factor = affine_error_factor(d + 1);
  static constexpr double weight(std::size_t j, std::size_t i) noexcept {
    return Order == affine_order::kmeans ? -2.0 * Params::coef[j][i] : Params::coef[j][i];
  }
  struct f32_tables_t {
    std::array<float, k * d> w{};
    std::array<float, k> b{};
    std::array<float, d> wmax{};  // max_k |w_ki|, for the error bound
    float bmax = 0;
    float wsum = 0;  // sum_i max_k |w_ki|, for the exponent bound
  };
  CTML_FLASH static constexpr f32_tables_t f32_tables = [] {
    f32_tables_t t{};
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < d; ++i) {
        t.w[j * d + i] = static_cast<float>(weight(j, i));
        const float a = static_cast<float>(abs_d(weight(j, i)));
        if (a > t.wmax[i]) t.wmax[i] = a;
      }
      t.b[j] = static_cast<float>(Params::intercept[j]);
      const float a = static_cast<float>(abs_d(Params::intercept[j]));
      if (a > t.bmax) t.bmax = a;
    }
    if constexpr (requires { Params::extra_error; }) t.bmax += static_cast<float>(Params::extra_error / factor);
    double wsum = 0;
    for (std::size_t i = 0; i < d; ++i) wsum += t.wmax[i];
    t.wsum = static_cast<float>(wsum * 1.0001);
    return t;
  }();

  /// Scores in float and the bound on their distance to sklearn's doubles.
  // With a float unit, small models are unrolled (constant offsets, no loop
  // counters: about 3 instructions per multiply-add on Cortex-M4F).
  static constexpr bool unrolled = has_binary32_unit && d * (k + 1) <= 256;

  template <std::size_t... I>
  [[gnu::always_inline]] static constexpr float dot_unrolled(const float* w, float acc, std::span<const float, d> x,
                                      std::index_sequence<I...>) noexcept {
    ((acc = mul_add(flash_load(&w[I]), x[I], acc)), ...);
    return acc;
  }
  template <std::size_t... I>
  [[gnu::always_inline]] static constexpr float abs_dot_unrolled(const float* w, float acc, std::span<const float, d> x,
                                          std::index_sequence<I...>) noexcept {
    ((acc = mul_add(flash_load(&w[I]), abs_f(x[I]), acc)), ...);
    return acc;
  }

  template <std::size_t... J>
  static constexpr std::array<float, k> all_unrolled(std::span<const float, d> x, std::index_sequence<J...>) noexcept {
    return {dot_unrolled(&f32_tables.w[J * d], flash_load(&f32_tables.b[J]), x, std::make_index_sequence<d>{})...};
  }

  static constexpr float scores_f32(std::span<const float, d> x, std::span<float, k> s) noexcept {
    if constexpr (unrolled) {
      // into locals first: stores to `s` could alias `x` and force reloads
      const std::array<float, k> acc = all_unrolled(x, std::make_index_sequence<k>{});
      for (std::size_t j = 0; j < k; ++j) s[j] = acc[j];
    } else {
      for (std::size_t j = 0; j < k; ++j) {
        float acc = flash_load(&f32_tables.b[j]);
        for (std::size_t i = 0; i < d; ++i) acc = acc + flash_load(&f32_tables.w[j * d + i]) * x[i];
        s[j] = acc;
      }
    }
    if constexpr (unrolled) {
      const float m = abs_dot_unrolled(f32_tables.wmax.data(), flash_load(&f32_tables.bmax), x,
                                       std::make_index_sequence<d>{});
      return m * factor + affine_error_floor;
    } else if constexpr (has_binary32_unit) {
      float m = flash_load(&f32_tables.bmax);
      for (std::size_t i = 0; i < d; ++i) m = m + flash_load(&f32_tables.wmax[i]) * abs_f(x[i]);
      return m * factor + affine_error_floor;
    } else {
      // soft float: sum max|w| |x| <= (sum max|w|) 2^(e+1), e the largest exponent
      return (flash_load(&f32_tables.wsum) * exponent_bound<d>(x) + flash_load(&f32_tables.bmax)) * factor +
             affine_error_floor;
    }
  }

  // ---- integer fast path (no float unit) -------------------------------
  // Soft float costs ~100 instructions a multiply-add and links ~2 KB of
  // library; instead each float32 input is split into a 16-bit significand
  // m_i and exponent e_i, multiplied by 16-bit weights W_ji ~ w_ji 2^t_i
  // (the largest |W_ji| of a feature in [2^14, 2^15)) in int32, and the
  // products are aligned to the row's largest one so far (block floating
  // point, one pass: a larger one shifts the sums right):
  // T_ji = (W_ji m_i) >> sh_i with sh_i >= g, so that 2 (d + 1) |T| < 2^31.
  // The intercept is a term with input 1.0, summed first. In units of the
  // aligned sums the error of a term is below 1 (the shift's floor) +
  // 2^(17 - sh_i) (W's rounding, below m_i 2^-sh_i even where it saturates
  // at 2^15 - 1, and m_i's truncation, below |W| 2^-sh_i), a realignment's
  // floor adds 1, and sklearn's own double roundings stay below 2^-18 units.
  static constexpr int guard = std::bit_width(d + 1) + 2;
  // 2^17 units at shift 0; inputs that are float products themselves
  // (Params::rounded_inputs: off by 2^-24 relative, below 2^(7 - sh) more)
  // get 2^15 on top.
  static constexpr std::int32_t term_error = [] {
    if constexpr (requires { Params::rounded_inputs; }) return std::int32_t{0x28000};
    else return std::int32_t{0x20000};
  }();
  static constexpr int none = 30000;  // an exponent offset no input reaches: a zero column
  static constexpr int weight_exponent(std::size_t i) noexcept {  // t_i (i == d: the intercept)
    double most = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double a = abs_d(i < d ? weight(j, i) : Params::intercept[j]);
      most = a > most ? a : most;
    }
    if (most == 0) return none;
    return 14 - binary_exponent(most);  // most 2^t in [2^14, 2^15)
  }
  /// Weights whose scaling 2^t_i stays a finite double (|w| above ~2^-900):
  /// otherwise the float path below (soft float) decides.
  static constexpr bool int_path = [] {
    for (std::size_t i = 0; i <= d; ++i) {
      const int t = weight_exponent(i);
      if (t != none && (t > 900 || t < -900)) return false;
    }
    return true;
  }();
  static constexpr std::int16_t int_weight(std::size_t j, std::size_t i) noexcept {
    const int t = weight_exponent(i);
    if (t == none || t > 900 || t < -900) return 0;  // (then not int_path)
    return round_sat<std::int16_t>((i < d ? weight(j, i) : Params::intercept[j]) * pow2(t));
  }
  struct int_feature_t {
    std::int16_t offset;  // 142 + t_i: a product W m_i is below 2^(31 + e_i - offset_i)
    std::array<std::int16_t, k> w;
  };
  CTML_FLASH static constexpr auto int_tables = [] {
    std::array<int_feature_t, d> t{};
    for (std::size_t i = 0; i < d; ++i) {
      const int e = weight_exponent(i);
      t[i].offset = static_cast<std::int16_t>(e == none ? none : 142 + e);
      for (std::size_t j = 0; j < k; ++j) t[i].w[j] = int_weight(j, i);
    }
    return t;
  }();
  /// One score with its own weights (not a folded scaler's or GaussianNB's
  /// expansion), all normal and nonzero: then offset_i = 142 + 1037 - E_i,
  /// E_i the biased exponent of coef64[i] (t_i = 14 - (E_i - 1023)), is read
  /// from its high word as cheaply as from a table, and only W is stored.
  static constexpr bool offsets_in_coef64 = [] {
    if constexpr (k != 1 || requires { Params::extra_error; }) {
      return false;
    } else {
      for (std::size_t i = 0; i < d; ++i)
        if (weight_exponent(i) == none || abs_d(Params::coef[0][i]) < 0x1p-1022) return false;
      return true;
    }
  }();
  CTML_FLASH static constexpr auto int_w = [] {
    std::array<std::int16_t, d> w{};
    for (std::size_t i = 0; i < d; ++i) w[i] = int_weight(0, i);
    return w;
  }();
  // p_i and top are kept plus this bias: p_i = e_i + E_i then.
  static constexpr int offset_bias = offsets_in_coef64 ? 142 + 1037 : 0;
  // The intercept's term: input 1.0 (m = 2^15, e = 127), aligned to itself.
  static constexpr int intercept_top = weight_exponent(d) == none ? -none : 127 - (142 + weight_exponent(d));
  CTML_FLASH static constexpr auto int_intercept = [] {
    std::array<std::int32_t, k> b{};
    for (std::size_t j = 0; j < k; ++j) b[j] = (std::int32_t{int_weight(j, d)} * 32768) >> guard;
    return b;
  }();
  /// ceil(log2(extra_error)) of a folded scaler (sklearn's rounding of it), or none.
  static constexpr int extra_exponent = [] {
    double x = 0;
    if constexpr (requires { Params::extra_error; }) x = Params::extra_error;
    if (x == 0) return -none;
    const int e = binary_exponent(x);
    return x == pow2(e) ? e : e + 1;
  }();

  static constexpr decision<int> try_decision_int(std::span<const float, d> x) noexcept {
    std::array<std::int32_t, k> acc{};
    for (std::size_t j = 0; j < k; ++j) acc[j] = flash_load(&int_intercept[j]);
    std::int32_t top = intercept_top + offset_bias;
    std::int32_t err = term_error >> guard;  // the terms' bounds (their floors come last)
    for (std::size_t i = d; i-- > 0;) {  // (any order: counting down frees a register)
      const auto bits = std::bit_cast<std::uint32_t>(x[i]);
      auto e = static_cast<std::int32_t>((bits << 1) >> 24);
      if (e == 255) return {0, false};  // inf, NaN
      auto m = static_cast<std::int32_t>((bits << 9) >> 17);
      if (e == 0) e = 1;  // zero, subnormal: no hidden bit
      else m |= 0x8000;
      const auto sign = static_cast<std::int32_t>(bits) >> 31;
      m = (m ^ sign) - sign;
      std::int32_t p;
      if constexpr (offsets_in_coef64) {
        const auto hi = static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(flash_load(&coef64[i])) >> 32);
        p = e + static_cast<std::int32_t>((hi << 1) >> 21);
      } else {
        p = e - flash_load(&int_tables[i].offset);
      }
      if (p > top) {  // a larger term: realign the sums to it
        std::int32_t up = p - top;
        up = up > 31 ? 31 : up;
        for (std::size_t j = 0; j < k; ++j) acc[j] >>= up;
        err = (err >> up) + 2;  // the floors of the sums and of err
        top = p;
      }
      std::int32_t sh = top - p + guard;
      sh = sh > 31 ? 31 : sh;
      err += term_error >> sh;
      if constexpr (offsets_in_coef64) {
        acc[0] += (static_cast<std::int32_t>(flash_load(&int_w[i])) * m) >> sh;
      } else {
        for (std::size_t j = 0; j < k; ++j)
          acc[j] += (static_cast<std::int32_t>(flash_load(&int_tables[i].w[j])) * m) >> sh;
      }
    }
    err += 2 * static_cast<std::int32_t>(d) + 4;  // the terms' floors and their bounds' floors, sklearn's roundings
    if constexpr (extra_exponent > -none) {
      const std::int32_t e = extra_exponent - (top - offset_bias) - guard;  // the folded scaler's error in units
      if (e > 24) return {0, false};
      err += e > 0 ? std::int32_t{1} << e : 1;
    }
    if constexpr (k == 1 && !minimum) {
      if (acc[0] > err) return {1, true};
      if (acc[0] < -err) return {0, true};
      return {0, false};
    } else {
      std::size_t best = 0;
      for (std::size_t j = 1; j < k; ++j)
        if (minimum ? acc[j] < acc[best] : acc[j] > acc[best]) best = j;
      for (std::size_t j = 0; j < k; ++j)
        if (j != best && (minimum ? acc[j] - acc[best] : acc[best] - acc[j]) <= 2 * err) return {0, false};
      return {static_cast<int>(best), true};
    }
  }

  /// The decision from float scores, `sure` when the bound proves it
  /// (NaN and overflow are never sure).
  static constexpr decision<int> try_decision(std::span<const float, d> x) noexcept {
    if constexpr (!has_binary32_unit && int_path) return try_decision_int(x);
    std::array<float, k> s{};
    const float bound = scores_f32(x, s);
    if constexpr (k == 1 && !minimum) {
      if (s[0] > bound) return {1, true};
      if (s[0] < -bound) return {0, true};
      return {0, false};
    } else {
      std::size_t best = 0;
      for (std::size_t j = 1; j < k; ++j)
        if (minimum ? s[j] < s[best] : s[j] > s[best]) best = j;
      const float gap = 2 * bound;
      bool sure = bound < 3.0e38f;
      for (std::size_t j = 0; j < k; ++j)
        if (j != best) sure = sure && (minimum ? s[j] - s[best] > gap : s[best] - s[j] > gap);
      return {static_cast<int>(best), sure};
    }
  }
};

/// Integer scores for q<S, F> inputs: weights w * 2^shift as int16, the
/// intercept in the product's scale, sums in int32 (int64 for 32-bit
/// storage); `shift` is the largest for which no sum can overflow.
template <class Params, class Policy, affine_order Order = affine_order::dot_then_intercept>
struct affine_q {
  using storage = typename Policy::value_type;
  static constexpr std::size_t d = Params::n_features;
  static constexpr std::size_t k = Params::n_outputs;
  using acc_type = std::conditional_t<(sizeof(storage) > 2), std::int64_t, std::int32_t>;
  using base = affine<Params, Order>;

  static constexpr double in_max = static_cast<double>(std::numeric_limits<storage>::max()) + 1.0;
  static constexpr double acc_max = static_cast<double>(std::numeric_limits<acc_type>::max()) / 2;
  static constexpr bool fits(int s) noexcept {
    for (std::size_t j = 0; j < k; ++j) {
      double total = abs_d(Params::intercept[j]) * pow2(s + Policy::frac_bits) + 1;
      for (std::size_t i = 0; i < d; ++i) {
        const double w = abs_d(base::weight(j, i)) * pow2(s);
        if (w >= 32767.0) return false;
        total += (w + 1) * in_max;
      }
      if (total >= acc_max) return false;
    }
    return true;
  }
  static constexpr int shift = [] {
    int s = 40;
    while (s > -40 && !fits(s)) --s;
    return s;
  }();
  static_assert(fits(shift), "ctml: these weights do not fit an integer policy; use ctml::f32");
  /// The real value of one unit of a score.
  static constexpr double unit = pow2(-(shift + Policy::frac_bits));

  struct tables_t {
    std::array<std::int16_t, k * d> w{};
    std::array<acc_type, k> b{};
  };
  CTML_FLASH static constexpr tables_t tables = [] {
    tables_t t{};
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < d; ++i) t.w[j * d + i] = round_sat<std::int16_t>(base::weight(j, i) * pow2(shift));
      t.b[j] = round_sat<acc_type>(Params::intercept[j] * pow2(shift + Policy::frac_bits));
    }
    return t;
  }();

  static constexpr acc_type score(std::size_t j, std::span<const storage, d> x) noexcept {
    acc_type acc = flash_load(&tables.b[j]);
    for (std::size_t i = 0; i < d; ++i)
      acc += static_cast<acc_type>(flash_load(&tables.w[j * d + i])) * static_cast<acc_type>(x[i]);
    return acc;
  }
  static constexpr int decide(std::span<const storage, d> x) noexcept {
    if constexpr (k == 1 && Order != affine_order::kmeans) {
      return score(0, x) > 0 ? 1 : 0;
    } else {
      int best = 0;
      acc_type top = score(0, x);
      for (std::size_t j = 1; j < k; ++j) {
        const acc_type s = score(j, x);
        if (Order == affine_order::kmeans ? s < top : s > top) {
          top = s;
          best = static_cast<int>(j);
        }
      }
      return best;
    }
  }
};

/// Not used with f32 (the float path lives in `affine`).
template <class Params, affine_order Order>
struct affine_q<Params, f32, Order> {
  using acc_type = float;
};

}  // namespace ctml::detail
