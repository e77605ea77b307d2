// How a tree node's test `x <= threshold` is computed for each number policy,
// with the decision scikit-learn makes: X cast to float32, compared with the
// float64 threshold.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include <ctml/number/policy.hpp>

namespace ctml::trees {

template <class Policy>
struct split_rule;

/// float32 input. The threshold becomes the largest float32 b with
/// double(b) <= t, so `x <= t` equals `x <= b` for every float x. The test is
/// done on the bit patterns with one integer compare (no soft-float on chips
/// without an FPU): for b >= +0, a float x <= b iff its bits, read as a signed
/// integer, are <= b's; for b < 0, x <= b iff its bits, read unsigned, are >=
/// b's. NaN inputs are outside sklearn's domain (it rejects them).
template <>
struct split_rule<f32> {
  using input_type = float;
  using key_type = std::uint32_t;

  [[nodiscard]] static constexpr float bound(double t) noexcept {
    constexpr double max = std::numeric_limits<float>::max();
    if (t >= max) return std::numeric_limits<float>::max();
    if (t < -max) return -std::numeric_limits<float>::infinity();
    const auto b = static_cast<float>(t);  // nearest; may be above t
    if (static_cast<double>(b) <= t) return b == 0.0f ? 0.0f : b;  // +0 also covers -0 inputs
    // one float step down
    if (b == 0.0f) return -std::numeric_limits<float>::denorm_min();
    const auto bits = std::bit_cast<std::uint32_t>(b);
    return std::bit_cast<float>(b > 0.0f ? bits - 1 : bits + 1);
  }
  [[nodiscard]] static constexpr key_type key(double t) noexcept { return std::bit_cast<key_type>(bound(t)); }

  [[nodiscard]] static constexpr bool goes_left(float x, key_type key) noexcept {
    const auto bits = std::bit_cast<std::uint32_t>(x);
    if (key >> 31) return bits >= key;
    return std::bit_cast<std::int32_t>(bits) <= std::bit_cast<std::int32_t>(key);
  }
  /// The same test with the threshold's sign known at compile time: one compare.
  template <key_type Key>
  [[nodiscard]] static constexpr bool goes_left(float x) noexcept {
    const auto bits = std::bit_cast<std::uint32_t>(x);
    if constexpr ((Key >> 31) != 0) return bits >= Key;
    else return std::bit_cast<std::int32_t>(bits) <= std::bit_cast<std::int32_t>(Key);
  }
};

/// Fixed-point input (e.g. q<int16_t, 0>: raw sensor counts). The value is
/// raw * 2^-F, exactly representable in float32 for 8- and 16-bit storage, so
/// `float(x) <= t` iff raw <= floor(t * 2^F): an integer threshold, clamped to
/// one below the storage range ("never left") and the maximum ("always left").
template <class S, int F>
struct split_rule<q<S, F>> {
  using input_type = S;
  using key_type = std::conditional_t<(sizeof(S) < 4), std::int32_t, std::int64_t>;

  [[nodiscard]] static constexpr key_type key(double t) noexcept {
    const double scaled = t * detail::pow2(F);
    constexpr auto lo = static_cast<key_type>(std::numeric_limits<S>::min()) - 1;
    constexpr auto hi = static_cast<key_type>(std::numeric_limits<S>::max());
    if (!(scaled < static_cast<double>(hi))) return hi;
    if (scaled < static_cast<double>(lo)) return lo;
    auto k = static_cast<key_type>(scaled);  // truncation; now floor:
    if (static_cast<double>(k) > scaled) --k;
    return k;
  }
  [[nodiscard]] static constexpr bool goes_left(S x, key_type key) noexcept { return x <= key; }
  template <key_type Key>
  [[nodiscard]] static constexpr bool goes_left(S x) noexcept {
    if constexpr (Key >= std::numeric_limits<S>::max()) return true;
    else if constexpr (Key < std::numeric_limits<S>::min()) return false;
    else return x <= static_cast<S>(Key);
  }
};

}  // namespace ctml::trees
