// scikit-learn's feature scalers as stages.
//
//   f32 policy: sklearn's own arithmetic, in double and in sklearn's order
//     (StandardScaler: (x - mean) / scale, MinMaxScaler: x * scale + min,
//     MaxAbsScaler: x / scale, RobustScaler: (x - center) / scale), then
//     rounded to float, as a following tree model casts it. Predictions
//     therefore match sklearn's Pipeline on float32-representable inputs.
//   q<> policies: folded at compile time to one multiply-add per feature,
//     y = x * a + b, computed as (x * m + c) / 2^s in 64 bits with one
//     rounding to nearest and saturation (m a 32-bit multiplier, s chosen for
//     the most precision): within one LSB of the real result for 8- and
//     16-bit storage, 2.5 LSB for 32-bit storage (the multiplier's 2^-31).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/detail/flash.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace detail {

enum class scaler_kind { standard, min_max, max_abs, robust };

/// sklearn's transform of feature i, in double, in sklearn's order.
template <class Params, scaler_kind Kind>
struct scaler_math {
  static constexpr std::size_t n = Params::n_features;
  // The two per-feature constants of the exact float path.
  static constexpr double first(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::standard) return Params::mean[i];
    else if constexpr (Kind == scaler_kind::robust) return Params::center[i];
    else if constexpr (Kind == scaler_kind::min_max) return Params::scale[i];
    else return 0.0;
  }
  static constexpr double second(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::min[i];
    else return Params::scale[i];
  }
  static constexpr double exact(double x, double c0, double c1) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return x * c0 + c1;  // two roundings, as numpy
    else if constexpr (Kind == scaler_kind::max_abs) return x / c1;
    else return (x - c0) / c1;
  }
  // The same transform as y = a * x + b, for fixed point.
  static constexpr double slope(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::scale[i];
    else return 1.0 / Params::scale[i];
  }
  static constexpr double offset(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::min[i];
    else if constexpr (Kind == scaler_kind::max_abs) return 0.0;
    else return -first(i) / Params::scale[i];
  }
  static constexpr bool clips() noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::clip;
    else return false;
  }
};

template <class Params, scaler_kind Kind, class Policy>
struct scaler_tables;

// f32: the two double constants per feature, in flash.
template <class Params, scaler_kind Kind>
struct scaler_tables<Params, Kind, f32> {
  using math = scaler_math<Params, Kind>;
  struct entry { double c0, c1; };
  static constexpr std::array<entry, math::n> make() noexcept {
    std::array<entry, math::n> t{};
    for (std::size_t i = 0; i < math::n; ++i) t[i] = {math::first(i), math::second(i)};
    return t;
  }
  CTML_FLASH static constexpr std::array<entry, math::n> table = make();
  static constexpr std::size_t bytes = sizeof(table);

  static constexpr double apply_exact(std::size_t i, double x) noexcept {
    const entry e = flash_load(&table[i]);
    double y = math::exact(x, e.c0, e.c1);
    if constexpr (math::clips()) y = y < Params::clip_lo ? Params::clip_lo : (y > Params::clip_hi ? Params::clip_hi : y);
    return y;
  }
  static constexpr float apply(std::size_t i, float x) noexcept {
    return static_cast<float>(apply_exact(i, static_cast<double>(x)));
  }
};

// q<>: y = a x + b as y_raw = (x_raw * m + c) / 2^shift with one rounding,
// m = round(a 2^shift) a 32-bit multiplier and c = round(b 2^(F + shift)),
// in 64 bits: within one LSB of the real result (2.5 for 32-bit storage).
template <class Params, scaler_kind Kind, class S, int F>
struct scaler_tables<Params, Kind, q<S, F>> {
  using math = scaler_math<Params, Kind>;
  static constexpr int storage_bits = sizeof(S) * 8;

  // The largest shift whose multiplier, offset and products fit.
  static constexpr int best_shift(double a, double b) noexcept {
    const double abs_a = a < 0 ? -a : a, abs_b = b < 0 ? -b : b;
    int shift = 62;
    while (shift > -62 && (abs_a * pow2(shift) >= pow2(31) - 1 || abs_b * pow2(F + shift) >= pow2(61) ||
                           abs_a * pow2(shift + storage_bits - 1) >= pow2(61)))
      --shift;
    return shift;
  }
  struct tables_t {
    std::array<std::int64_t, math::n> offset{};
    std::array<std::int32_t, math::n> multiplier{};
    std::array<std::int8_t, math::n> shift{};
  };
  static constexpr tables_t make() noexcept {
    tables_t t{};
    for (std::size_t i = 0; i < math::n; ++i) {
      const double a = math::slope(i), b = math::offset(i);
      const int shift = best_shift(a, b);
      t.offset[i] = round_sat<std::int64_t>(b * pow2(F + shift));
      t.multiplier[i] = round_sat<std::int32_t>(a * pow2(shift));
      t.shift[i] = static_cast<std::int8_t>(shift);
    }
    return t;
  }
  CTML_FLASH static constexpr tables_t table = make();
  static constexpr std::size_t bytes = sizeof(table.offset) + sizeof(table.multiplier) + sizeof(table.shift);

  static constexpr S apply(std::size_t i, S x) noexcept {
    const auto product = static_cast<std::int64_t>(x) * flash_load(&table.multiplier[i]);  // < 2^62
    std::int64_t y = rounding_shift<std::int64_t>(add_sat<std::int64_t>(product, flash_load(&table.offset[i])),
                                                  flash_load(&table.shift[i]));
    if constexpr (math::clips()) {
      constexpr std::int64_t lo = round_sat<std::int64_t>(Params::clip_lo * pow2(F));
      constexpr std::int64_t hi = round_sat<std::int64_t>(Params::clip_hi * pow2(F));
      y = y < lo ? lo : (y > hi ? hi : y);
    }
    return clamp_to<S>(y);
  }
};

}  // namespace detail

/// One of sklearn's scalers on `Params::n_features` values.
template <class Params, NumberPolicy Policy, detail::scaler_kind Kind>
struct scaler {
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = in_type;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = Params::n_features;
  template <NumberPolicy P> using rebind = scaler<Params, P, Kind>;

 private:
  using tables = detail::scaler_tables<Params, Kind, Policy>;
  static constexpr std::size_t code_bytes = 48;  // the loop; measured on Cortex-M0 -Os

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return tables::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return tables::bytes + code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * in_extent; }

  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out,
                     no_state&) const noexcept {
    for (std::size_t i = 0; i < in_extent; ++i) out[i] = tables::apply(i, in[i]);
  }

  /// y = fold_slope(i) x + fold_offset(i) (in reals): a following affine stage
  /// may fold the scaler into its weights for its float fast path.
  static constexpr bool foldable = std::same_as<Policy, f32> && !detail::scaler_math<Params, Kind>::clips();
  static constexpr double fold_slope(std::size_t i) noexcept { return detail::scaler_math<Params, Kind>::slope(i); }
  static constexpr double fold_offset(std::size_t i) noexcept { return detail::scaler_math<Params, Kind>::offset(i); }

  /// sklearn's double output, for a following stage that refines its
  /// decision in double (linear/exact.hpp).
  constexpr void run_exact(std::span<const double, in_extent> in, std::span<double, out_extent> out) const noexcept
    requires std::same_as<Policy, f32>
  {
    for (std::size_t i = 0; i < in_extent; ++i) out[i] = tables::apply_exact(i, in[i]);
  }
};

template <class Params, NumberPolicy Policy = f32>
using standard_scaler = scaler<Params, Policy, detail::scaler_kind::standard>;
template <class Params, NumberPolicy Policy = f32>
using min_max_scaler = scaler<Params, Policy, detail::scaler_kind::min_max>;
template <class Params, NumberPolicy Policy = f32>
using max_abs_scaler = scaler<Params, Policy, detail::scaler_kind::max_abs>;
template <class Params, NumberPolicy Policy = f32>
using robust_scaler = scaler<Params, Policy, detail::scaler_kind::robust>;

}  // namespace ctml
