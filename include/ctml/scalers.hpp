// scikit-learn's feature scalers as stages, alone or chained.
//
// sklearn computes a scaler in double, in its own order (StandardScaler:
// (x - mean) / scale, MinMaxScaler: x * scale + min then clip, MaxAbsScaler:
// x / scale, RobustScaler: (x - center) / scale), keeps double between
// chained scalers, and a following tree casts the result to float32. ctml
// never computes in double at run time:
//
//   before a tree: `scalers >> forest` is ONE stage, the forest with the
//     scalers folded into its thresholds at compile time (trees/split.hpp,
//     folded_rule): exactly sklearn's decisions, and no run-time cost;
//   chained: `scaler >> scaler` is one stage, `scaler_chain`, that composes
//     the steps in double at compile time (for folding) and runs them one
//     after the other at run time;
//   otherwise (alone, before a network) with f32: float arithmetic,
//     (x - c) * a + b per step with c, a, b rounded to float (a = 1/scale).
//     Error per step, against sklearn's double result y, u = 2^-24:
//       |error| <= u (|c a| + 3 |(x - c) a| + |b| + |y|)   (+ 3 * 2^-149)
//     (clipping does not increase it; with FMA contraction it is smaller);
//   q<> policies: folded at compile time to one multiply-add per feature,
//     y = x * a + b, computed as (x * m + c) / 2^s in 64 bits with one
//     rounding to nearest and saturation (m a 32-bit multiplier, s chosen for
//     the most precision): within one LSB of the real result for 8- and
//     16-bit storage, 2.5 LSB for 32-bit storage (the multiplier's 2^-31).
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <boost/mp11/list.hpp>

#include <ctml/detail/binary64.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/detail/ieee_arith.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace detail {

enum class scaler_kind { standard, min_max, max_abs, robust };

// IEEE double arithmetic that overflows to +-inf explicitly: GCC does not
// accept an overflowing operation in a constant expression. (The scalers'
// constants are finite and their scales positive, so no NaN arises.)
namespace fold {
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double max = std::numeric_limits<double>::max();
constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }
constexpr double signed_inf(bool negative) noexcept { return negative ? -inf : inf; }
constexpr bool is_inf(double v) noexcept { return v == inf || v == -inf; }
constexpr double add(double a, double b) noexcept {
  if (is_inf(a) || is_inf(b)) return is_inf(a) ? a : b;
  if (a > 0 && b > 0 && a > max - b) return inf;
  if (a < 0 && b < 0 && a < -max - b) return -inf;
  return a + b;
}
constexpr double mul(double a, double b) noexcept {
  if (is_inf(a) || is_inf(b) || (abs(b) > 1 && abs(a) > max / abs(b))) return signed_inf((a < 0) != (b < 0));
  return a * b;
}
constexpr double div(double a, double b) noexcept {
  if (is_inf(a) || (abs(b) < 1 && abs(a) > max * abs(b))) return signed_inf((a < 0) != (b < 0));
  return a / b;
}
}  // namespace fold

/// One scaler: sklearn's transform of each feature.
template <class Params, scaler_kind Kind>
struct scaler_step {
  using params = Params;
  static constexpr std::size_t n = Params::n_features;

  static constexpr bool clips() noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::clip;
    else return false;
  }
  static constexpr double clip(double y) noexcept {
    if constexpr (clips()) return y < Params::clip_lo ? Params::clip_lo : (y > Params::clip_hi ? Params::clip_hi : y);
    else return y;
  }
  /// sklearn's arithmetic, in double in its order (compile time: folding).
  static constexpr double exact(std::size_t i, double x) noexcept {
    if constexpr (Kind == scaler_kind::min_max)
      return clip(fold::add(fold::mul(x, Params::scale[i]), Params::min[i]));  // two roundings, as numpy
    else if constexpr (Kind == scaler_kind::max_abs) return fold::div(x, Params::scale[i]);
    else return fold::div(fold::add(x, -centre(i)), Params::scale[i]);
  }
  static constexpr double centre(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::standard) return Params::mean[i];
    else if constexpr (Kind == scaler_kind::robust) return Params::center[i];
    else return 0.0;
  }
  // The same transform as y = (x - c) * a + b.
  static constexpr double slope(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::scale[i];
    else return 1.0 / Params::scale[i];
  }
  static constexpr double shift(std::size_t i) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return Params::min[i];
    else return 0.0;
  }
  /// As y = a x + b, for fixed point.
  static constexpr double offset(std::size_t i) noexcept { return shift(i) - centre(i) * slope(i); }
  /// About the x with exact(i, x) = y (unclipped): where a fold's search starts.
  static constexpr double inverse(std::size_t i, double y) noexcept {
    if constexpr (Kind == scaler_kind::min_max) return fold::div(fold::add(y, -Params::min[i]), Params::scale[i]);
    else return fold::add(fold::mul(y, Params::scale[i]), centre(i));
  }
  /// The same arithmetic on binary64 bit patterns in integers
  /// (detail/ieee_arith.hpp), for chips without a binary64 unit.
  using b64 = ieee<std::uint64_t>;
  struct bits_table {
    std::array<std::uint64_t, n> scale{}, add{};  // add: min (min_max) or -centre
  };
  CTML_FLASH static constexpr bits_table bits = [] {
    bits_table t{};
    for (std::size_t i = 0; i < n; ++i) {
      t.scale[i] = std::bit_cast<std::uint64_t>(static_cast<double>(Params::scale[i]));
      if constexpr (Kind == scaler_kind::min_max) t.add[i] = std::bit_cast<std::uint64_t>(static_cast<double>(Params::min[i]));
      else t.add[i] = std::bit_cast<std::uint64_t>(-centre(i));
    }
    return t;
  }();
  static constexpr std::uint64_t exact_bits(std::size_t i, std::uint64_t x) noexcept {
    if constexpr (Kind == scaler_kind::min_max) {
      const std::uint64_t y = b64::add(b64::mul(x, flash_load(&bits.scale[i])), flash_load(&bits.add[i]));
      if constexpr (clips()) {
        constexpr auto lo = std::bit_cast<std::uint64_t>(static_cast<double>(Params::clip_lo));
        constexpr auto hi = std::bit_cast<std::uint64_t>(static_cast<double>(Params::clip_hi));
        return b64::greater(lo, y) ? lo : (b64::greater(y, hi) ? hi : y);
      } else {
        return y;
      }
    } else if constexpr (Kind == scaler_kind::max_abs) {
      return b64::div(x, flash_load(&bits.scale[i]));
    } else {
      return b64::div(b64::add(x, flash_load(&bits.add[i])), flash_load(&bits.scale[i]));
    }
  }
  static constexpr bool has_centre = Kind == scaler_kind::standard || Kind == scaler_kind::robust;
  static constexpr bool has_shift = Kind == scaler_kind::min_max;
};

template <class T> inline constexpr bool is_scaler_step = false;
template <class P, scaler_kind K> inline constexpr bool is_scaler_step<scaler_step<P, K>> = true;

/// Scalers one after the other, in double without rounding between them, as
/// sklearn's Pipeline does: the monotone per-feature map a tree folds in.
template <class... Steps>
struct scaler_map {
  static constexpr double apply(std::size_t i, double x) noexcept {
    ((x = Steps::exact(i, x)), ...);
    return x;
  }
  static constexpr std::uint64_t apply_bits(std::size_t i, std::uint64_t x) noexcept {
    ((x = Steps::exact_bits(i, x)), ...);
    return x;
  }
  static constexpr bool identity = sizeof...(Steps) == 0;
  static constexpr double inverse(std::size_t i, double y) noexcept { return invert<Steps...>(i, y); }

 private:
  template <class... S>
  static constexpr double invert(std::size_t i, double y) noexcept {
    if constexpr (sizeof...(S) == 0) {
      return y;
    } else {
      return [&]<class First, class... Rest>(boost::mp11::mp_list<First, Rest...>) {
        return First::inverse(i, invert<Rest...>(i, y));  // the last step first
      }(boost::mp11::mp_list<S...>{});
    }
  }
};

template <class A, class B> struct concat_maps;
template <class... A, class... B>
struct concat_maps<scaler_map<A...>, scaler_map<B...>> { using type = scaler_map<A..., B...>; };

template <class Step, class Policy>
struct step_tables;

// f32: float constants per feature, in flash.
template <class Step>
struct step_tables<Step, f32> {
  struct entry { float first, slope; };  // first: c (centring scalers) or b (min-max)
  static constexpr std::array<entry, Step::n> make() noexcept {
    std::array<entry, Step::n> t{};
    for (std::size_t i = 0; i < Step::n; ++i)
      t[i] = {static_cast<float>(Step::has_centre ? Step::centre(i) : Step::shift(i)), static_cast<float>(Step::slope(i))};
    return t;
  }
  CTML_FLASH static constexpr std::array<entry, Step::n> table = make();
  static constexpr std::size_t bytes = sizeof(table);

  static constexpr float apply(std::size_t i, float x) noexcept {
    const entry e = flash_load(&table[i]);
    float y;
    if constexpr (Step::has_centre) y = (x - e.first) * e.slope;
    else if constexpr (Step::has_shift) y = x * e.slope + e.first;
    else y = x * e.slope;
    if constexpr (Step::clips()) {
      constexpr auto lo = static_cast<float>(Step::params::clip_lo), hi = static_cast<float>(Step::params::clip_hi);
      y = y < lo ? lo : (y > hi ? hi : y);
    }
    return y;
  }
};

// q<>: y = a x + b as y_raw = (x_raw * m + c) / 2^shift with one rounding,
// m = round(a 2^shift) a 32-bit multiplier and c = round(b 2^(F + shift)),
// in 64 bits: within one LSB of the real result (2.5 for 32-bit storage).
template <class Step, class S, int F>
struct step_tables<Step, q<S, F>> {
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
    std::array<std::int64_t, Step::n> offset{};
    std::array<std::int32_t, Step::n> multiplier{};
    std::array<std::int8_t, Step::n> shift{};
  };
  static constexpr tables_t make() noexcept {
    tables_t t{};
    for (std::size_t i = 0; i < Step::n; ++i) {
      const double a = Step::slope(i), b = Step::offset(i);
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
    if constexpr (Step::clips()) {
      constexpr std::int64_t lo = round_sat<std::int64_t>(Step::params::clip_lo * pow2(F));
      constexpr std::int64_t hi = round_sat<std::int64_t>(Step::params::clip_hi * pow2(F));
      y = y < lo ? lo : (y > hi ? hi : y);
    }
    return clamp_to<S>(y);
  }
};

template <class First, class... Rest>
inline constexpr bool same_widths = ((Rest::n == First::n) && ...);

template <class T> inline constexpr bool is_scaler_chain = false;
template <class Map, class Chain> struct prepend_steps;

}  // namespace detail

/// sklearn scalers applied one after the other on `n_features` values (one
/// scaler is a chain of one). `a >> b` of two scalers is their chain; a chain
/// before a forest folds into it (see the top of this file).
template <ValuePolicy Policy, class... Steps>
  requires(sizeof...(Steps) >= 1 && (detail::is_scaler_step<Steps> && ...))
struct scaler_chain {
  static_assert(detail::same_widths<Steps...>,
                "ctml: chained scalers must have the same number of features (n_features)");
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = in_type;
  using state_type = no_state;
  using map = detail::scaler_map<Steps...>;
  /// f32 computes in float, not sklearn's double rounded once (pipeline.hpp).
  static constexpr bool rounds_in_float = std::same_as<Policy, f32>;
  static constexpr std::size_t in_extent = std::array<std::size_t, sizeof...(Steps)>{Steps::n...}[0];
  static constexpr std::size_t out_extent = in_extent;
  template <ValuePolicy P> using rebind = scaler_chain<P, Steps...>;
  /// run_exact needs no binary64 library (pipeline.hpp checks this on AVR).
  static constexpr bool exact_in_integers = !detail::has_binary64_unit;

  /// `a >> b` with a scaler (chain) a: one chain.
  template <class A>
    requires detail::is_scaler_chain<A> && std::is_same_v<typename A::policy, Policy> && (A::in_extent == in_extent)
  using fused_after = typename detail::prepend_steps<typename A::map, scaler_chain>::type;

 private:
  template <class Step> using tables = detail::step_tables<Step, Policy>;
  static constexpr std::size_t code_bytes = 48 * sizeof...(Steps);  // the loop; measured on Cortex-M0 -Os

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return (tables<Steps>::bytes + ...); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * in_extent * sizeof...(Steps); }

  constexpr void run(std::span<const in_type, in_extent> in, std::span<out_type, out_extent> out,
                     no_state&) const noexcept {
    for (std::size_t i = 0; i < in_extent; ++i) {
      in_type v = in[i];
      ((v = tables<Steps>::apply(i, v)), ...);
      out[i] = v;
    }
  }

  /// y = fold_slope(i) x + fold_offset(i) (in reals): a following affine stage
  /// may fold the scaler into its weights for its float fast path.
  static constexpr bool foldable = std::same_as<Policy, f32> && (!Steps::clips() && ...);
  static constexpr double fold_slope(std::size_t i) noexcept {
    double a = 1.0;
    ((a = a * Steps::slope(i)), ...);
    return a;
  }
  static constexpr double fold_offset(std::size_t i) noexcept {
    double b = 0.0;
    ((b = b * Steps::slope(i) + Steps::offset(i)), ...);
    return b;
  }

  /// sklearn's double output, for a following stage that refines its
  /// decision in double (linear/exact.hpp): the rare rows its float bound
  /// cannot prove.
  constexpr void run_exact(std::span<const double, in_extent> in, std::span<double, out_extent> out) const noexcept
    requires std::same_as<Policy, f32>
  {
    for (std::size_t i = 0; i < in_extent; ++i) {
      if constexpr (detail::has_binary64_unit) out[i] = map::apply(i, in[i]);
      else out[i] = std::bit_cast<double>(map::apply_bits(i, std::bit_cast<std::uint64_t>(in[i])));
    }
  }
};

namespace detail {
template <class P, class... S> inline constexpr bool is_scaler_chain<scaler_chain<P, S...>> = true;
template <class... A, class P, class... B>
struct prepend_steps<scaler_map<A...>, scaler_chain<P, B...>> { using type = scaler_chain<P, A..., B...>; };
}  // namespace detail

template <class Params, ValuePolicy Policy, detail::scaler_kind Kind>
using scaler = scaler_chain<Policy, detail::scaler_step<Params, Kind>>;

template <class Params, ValuePolicy Policy = f32>
using standard_scaler = scaler<Params, Policy, detail::scaler_kind::standard>;
template <class Params, ValuePolicy Policy = f32>
using min_max_scaler = scaler<Params, Policy, detail::scaler_kind::min_max>;
template <class Params, ValuePolicy Policy = f32>
using max_abs_scaler = scaler<Params, Policy, detail::scaler_kind::max_abs>;
template <class Params, ValuePolicy Policy = f32>
using robust_scaler = scaler<Params, Policy, detail::scaler_kind::robust>;

}  // namespace ctml
