// Conversion stages: where stages with different number types meet.
//
//   quantize<q<S, F>, N>      float -> S: round(x * 2^F), ties away from zero,
//                             saturated; NaN gives 0. Equal to
//                             q<S, F>::from_double(x) for every float x (x * 2^F
//                             is exact in float), in float arithmetic only.
//   dequantize<q<S, F>, N>    S -> float: x * 2^-F. Exact for 8- and 16-bit
//                             storage; 32-bit values round once to float.
//   requantize<q<S1, F1>, q<S2, F2>, N>
//                             S1 -> S2: x * 2^(F2 - F1), rounded to nearest
//                             (ties towards +inf, as q<>::narrow) and saturated.
//
// `>>` reports a mismatch between adjacent stages' number types and names the
// stage to insert; these stages take no `.with(...)`: they are the fixed
// points where a pipeline changes type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace detail {
template <class P> struct fixed_format;
template <class S, int F> struct fixed_format<q<S, F>> {
  using storage = S;
  static constexpr int frac = F;
};

// A small stage body shared by the three: one op per value, no tables.
template <class Policy, class In, class Out, std::size_t N>
struct elementwise_stage {
  using policy = Policy;
  using in_type = In;
  using out_type = Out;
  using state_type = no_state;
  static constexpr std::size_t in_extent = N;
  static constexpr std::size_t out_extent = N;
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return 32; }  // the loop
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return N; }
};
}  // namespace detail

/// float -> q<S, F>: round(x * 2^F), ties away from zero, saturated.
template <class To, std::size_t N>
  requires detail::is_fixed<To>
struct quantize : detail::elementwise_stage<To, float, typename To::value_type, N> {
  using in_number = f32;
  using out_number = To;
  using S = typename To::value_type;

  [[nodiscard]] static constexpr S one(float x) noexcept {
    constexpr float scale = static_cast<float>(detail::pow2(To::frac_bits));
    // max + 0.5 where float has it, else 2^(bits-1): the first value that saturates.
    constexpr float hi = static_cast<float>(static_cast<double>(std::numeric_limits<S>::max()) + 0.5);
    constexpr float lo = static_cast<float>(static_cast<double>(std::numeric_limits<S>::min()) - 0.5);
    if (!(x == x)) return 0;  // before any arithmetic: NaN is not constant on clang
    const float y = x * scale;
    if (y >= hi) return std::numeric_limits<S>::max();
    if (y <= lo) return std::numeric_limits<S>::min();
    // |y| < 2^31 here: truncation is exact, and so is y - t.
    auto t = static_cast<std::int32_t>(y);
    const float frac = y - static_cast<float>(t);
    if (frac >= 0.5f) ++t;
    if (frac <= -0.5f) --t;
    return static_cast<S>(t);
  }
  constexpr void run(std::span<const float, N> in, std::span<S, N> out, no_state&) const noexcept {
    for (std::size_t i = 0; i < N; ++i) out[i] = one(in[i]);
  }
};

/// q<S, F> -> float: x * 2^-F.
template <class From, std::size_t N>
  requires detail::is_fixed<From>
struct dequantize : detail::elementwise_stage<From, typename From::value_type, float, N> {
  using in_number = From;
  using out_number = f32;
  using S = typename From::value_type;

  [[nodiscard]] static constexpr float one(S x) noexcept {
    constexpr float scale = static_cast<float>(detail::pow2(-From::frac_bits));
    return static_cast<float>(x) * scale;
  }
  constexpr void run(std::span<const S, N> in, std::span<float, N> out, no_state&) const noexcept {
    for (std::size_t i = 0; i < N; ++i) out[i] = one(in[i]);
  }
};

/// q<S1, F1> -> q<S2, F2>: one rounding shift, saturated.
template <class From, class To, std::size_t N>
  requires detail::is_fixed<From> && detail::is_fixed<To>
struct requantize : detail::elementwise_stage<To, typename From::value_type, typename To::value_type, N> {
  using in_number = From;
  using out_number = To;
  using S1 = typename From::value_type;
  using S2 = typename To::value_type;

  [[nodiscard]] static constexpr S2 one(S1 x) noexcept {
    // Left shifts saturate in rounding_shift; 64 bits hold every int32 shifted by up to 31.
    return detail::clamp_to<S2>(
        detail::rounding_shift<std::int64_t>(static_cast<std::int64_t>(x), From::frac_bits - To::frac_bits));
  }
  constexpr void run(std::span<const S1, N> in, std::span<S2, N> out, no_state&) const noexcept {
    for (std::size_t i = 0; i < N; ++i) out[i] = one(in[i]);
  }
};

}  // namespace ctml
