// Refining predictors: decide in float32 where the error bound proves the
// decision, else redo scikit-learn's float64 arithmetic in its order.
//
// A stage that refines provides, besides `predict`:
//   try_predict(float row)      -> ctml::decision<T>{value, sure}
//   predict_exact(double row)   -> T, sklearn's double arithmetic
// and transforms before it provide `run_exact(double in, double out)`, so a
// pipeline can redo the whole chain in double for the rare unsure rows
// (sklearn passes float64 between the steps of a Pipeline).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/stage.hpp>

// sklearn's products are rounded before they are added: no fused multiply-add
// in the double paths (GCC contracts across statements unless told not to,
// e.g. vfma.f64 on Cortex-M7; clang only within one expression, so the double
// paths keep each product in a statement of its own).
#if defined(__GNUC__) && !defined(__clang__)
#define CTML_NO_FP_CONTRACT [[gnu::optimize("fp-contract=off")]]
#else
#define CTML_NO_FP_CONTRACT
#endif

namespace ctml {

namespace detail {

/// Whether the target's `double` is IEEE binary64 (binary64_links in
/// detail/binary64.hpp says whether its arithmetic can be linked).
inline constexpr bool double_is_binary64 = sizeof(double) == 8;

/// Whether float arithmetic is in hardware. Without it (Cortex-M0, RV32IMAC)
/// the float error bounds use the inputs' largest exponent instead of a
/// second sum of products.
inline constexpr bool has_binary32_unit =
#if defined(CTML_FORCE_SOFT_FLOAT_BOUND)
    false;
#else
    arch::has_binary32_unit;
#endif

/// Where double arithmetic is native and cheap, refining stages skip the
/// float32 fast path and compute sklearn's arithmetic directly.
inline constexpr bool direct_double = has_binary64_unit;

/// Unit roundoff of binary32.
inline constexpr float f32_unit = 1.0f / 16777216.0f;

/// A bound on |float32 affine result - sklearn's double result| as a factor
/// of sum |w_i| |x_i| + |b| (computed in float): rounding w and b to float
/// (2u), n + 1 float roundings of products and sums, the float rounding of
/// inputs coming from a previous stage (u), sklearn's own double rounding,
/// and the rounding of the bound's own float sum; 6% slack on top.
[[nodiscard]] constexpr float affine_error_factor(std::size_t terms) noexcept {
  return static_cast<float>(terms + 8) * f32_unit * 1.0625f;
}
/// An absolute term for subnormal products (2^-120, far above their error).
inline constexpr float affine_error_floor = 7.52316384526264e-37f;

/// |v| (the builtin becomes one vabs instruction where there is an FPU)
[[nodiscard]] constexpr float abs_f(float v) noexcept { return __builtin_fabsf(v); }
[[nodiscard]] constexpr double abs_d(double v) noexcept { return v < 0 ? -v : v; }

/// a * b + c for the float fast paths: one fused instruction where the FPU has
/// it (the error bounds hold for fused and separate roundings alike; the
/// library is built with -ffp-contract=off, so it is asked for explicitly).
[[nodiscard]] constexpr float mul_add(float a, float b, float c) noexcept {
#if defined(__FP_FAST_FMAF)
  if (!std::is_constant_evaluated()) return __builtin_fmaf(a, b, c);
#endif
  return a * b + c;
}

/// 2^(e + 1) > |v| for the largest binary exponent e of the values (at least
/// 2^-125), +inf when one is infinite or NaN: integer operations only.
template <std::size_t N>
[[nodiscard]] constexpr float exponent_bound(std::span<const float, N> x) noexcept {
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const std::uint32_t e = std::bit_cast<std::uint32_t>(x[i]) & 0x7f800000u;
    top = e > top ? e : top;
  }
  if (top == 0x7f800000u) return std::numeric_limits<float>::infinity();
  return std::bit_cast<float>((top > 0x00800000u ? top : 0x00800000u) + 0x00800000u);
}

/// A scaler (y_i = a_i x_i + c_i) folded into the affine model after it, for
/// the fast path only: coef' = coef a, intercept' = intercept + sum w c (in
/// the core's weights, so k-means' -2 is applied), and an absolute error term
/// for sklearn's double rounding of the scaler and of this folding.
template <class Params, class Pre, bool KMeans>
struct folded_params {
  static constexpr std::size_t n_features = Params::n_features, n_outputs = Params::n_outputs;
  static constexpr auto coef = [] {
    std::array<std::array<double, n_features>, n_outputs> c{};
    for (std::size_t j = 0; j < n_outputs; ++j)
      for (std::size_t i = 0; i < n_features; ++i) c[j][i] = Params::coef[j][i] * Pre::fold_slope(i);
    return c;
  }();
  static constexpr double weight(std::size_t j, std::size_t i) noexcept {
    return KMeans ? -2.0 * Params::coef[j][i] : Params::coef[j][i];
  }
  static constexpr auto intercept = [] {
    std::array<double, n_outputs> b{};
    for (std::size_t j = 0; j < n_outputs; ++j) {
      b[j] = Params::intercept[j];
      for (std::size_t i = 0; i < n_features; ++i) b[j] += weight(j, i) * Pre::fold_offset(i);
    }
    return b;
  }();
  static constexpr double extra_error = [] {
    double worst = 0;
    for (std::size_t j = 0; j < n_outputs; ++j) {
      double e = abs_d(Params::intercept[j]);
      for (std::size_t i = 0; i < n_features; ++i) e += abs_d(weight(j, i) * Pre::fold_offset(i));
      worst = e > worst ? e : worst;
    }
    return worst * 0x1p-44;
  }();
};

}  // namespace detail

}  // namespace ctml
