// How a tree node's test `x <= threshold` is computed for each number policy,
// with the decision scikit-learn makes: X cast to float32, compared with the
// float64 threshold.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <limits>

#include <ctml/number/policy.hpp>

namespace ctml::trees {

template <class Policy>
struct split_rule;

namespace detail {
using ctml::detail::pow2;

/// numpy's cast of a double to float32: nearest, ties to even, overflow to
/// +-inf (a plain cast would be undefined there). Returned as a double.
[[nodiscard]] constexpr double f32_round(double v) noexcept {
  constexpr double overflow = 0x1.ffffffp+127;  // halfway to 2^128: rounds up (FLT_MAX is odd)
  if (v >= overflow) return std::numeric_limits<double>::infinity();
  if (v <= -overflow) return -std::numeric_limits<double>::infinity();
  return static_cast<double>(static_cast<float>(v));
}

template <class Policy, class Left>
constexpr auto last_left(Left left, double guess) noexcept;
}  // namespace detail

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
  [[nodiscard]] static constexpr key_type key(double t, std::size_t) noexcept { return key(t); }

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

/// Fixed-point input (e.g. q<int16_t, 0>: raw sensor counts): the value is
/// raw * 2^-F and sklearn sees float32(raw * 2^-F). The key is the largest raw
/// value that goes left, clamped to one below the storage range ("never
/// left") and the maximum ("always left"). For 8- and 16-bit storage the value
/// is a float32, so that is floor(t * 2^F); 32-bit storage also rounds to
/// float32 first (|raw| > 2^24), found by a search at compile time.
template <class S, int F>
struct split_rule<q<S, F>> {
  using input_type = S;
  using key_type = std::conditional_t<(sizeof(S) < 4), std::int32_t, std::int64_t>;
  static constexpr auto never = static_cast<key_type>(std::numeric_limits<S>::min()) - 1;
  static constexpr auto always = static_cast<key_type>(std::numeric_limits<S>::max());

  [[nodiscard]] static constexpr key_type key(double t) noexcept {
    if constexpr (sizeof(S) >= 4) {
      return detail::last_left<q<S, F>>([t](double v) { return detail::f32_round(v) <= t; }, t);
    } else {
      const double scaled = t * detail::pow2(F);
      if (!(scaled < static_cast<double>(always))) return always;
      if (scaled < static_cast<double>(never)) return never;
      auto k = static_cast<key_type>(scaled);  // truncation; now floor:
      if (static_cast<double>(k) > scaled) --k;
      return k;
    }
  }
  [[nodiscard]] static constexpr key_type key(double t, std::size_t) noexcept { return key(t); }
  [[nodiscard]] static constexpr bool goes_left(S x, key_type key) noexcept { return x <= key; }
  template <key_type Key>
  [[nodiscard]] static constexpr bool goes_left(S x) noexcept {
    if constexpr (Key >= std::numeric_limits<S>::max()) return true;
    else if constexpr (Key < std::numeric_limits<S>::min()) return false;
    else return x <= static_cast<S>(Key);
  }
};

namespace detail {

/// The key of the largest input of `Policy` whose value v (as a double)
/// satisfies `left(v)`, for a `left` that is monotone (true up to some input,
/// false above): a binary search over the finite float32 values (in order) or
/// over the storage integers. Compile time only.
/// Narrows [lo, hi] (left(lo), !left(hi)) to neighbours, starting at a guess
/// `at`: galloping away from it, then bisecting. A good guess (the scalers'
/// inverse) needs a handful of evaluations instead of 32, which keeps large
/// forests within the compilers' constexpr limits.
template <class Left>
constexpr std::int64_t narrow_bracket(Left left, std::int64_t lo, std::int64_t hi, std::int64_t at) noexcept {
  if (at > lo && at < hi) {
    if (left(at)) {
      lo = at;
      for (std::int64_t step = 1; lo + step < hi; step *= 2) {
        if (!left(lo + step)) { hi = lo + step; break; }
        lo += step;
      }
    } else {
      hi = at;
      for (std::int64_t step = 1; hi - step > lo; step *= 2) {
        if (left(hi - step)) { lo = hi - step; break; }
        hi -= step;
      }
    }
  }
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (left(mid) ? lo : hi) = mid;
  }
  return lo;
}

template <class Policy, class Left>
constexpr auto last_left(Left left, double guess) noexcept {
  using rule = split_rule<Policy>;
  using key_type = typename rule::key_type;
  if constexpr (std::is_same_v<Policy, f32>) {
    // Floats in order as integers: i >= 0 is the float with bits i (0 is +0),
    // i < 0 the negative float with bits -i | sign (-0 left out: it decides
    // as +0); +-top are +-inf, for which sklearn's arithmetic is followed too.
    constexpr std::int64_t top = 0x7f800000;
    const auto value = [](std::int64_t i) {
      const auto bits = i >= 0 ? static_cast<std::uint32_t>(i) : static_cast<std::uint32_t>(-i) | 0x80000000u;
      return std::bit_cast<float>(bits);
    };
    const auto left_at = [&](std::int64_t i) { return left(static_cast<double>(value(i))); };
    if (!left_at(-top)) return key_type{0xffffffffu};  // not even -inf (a NaN's bits)
    if (left_at(top)) return std::bit_cast<key_type>(value(top));  // even +inf
    constexpr double max = std::numeric_limits<float>::max();
    const double g = guess == guess ? (guess > max ? max : (guess < -max ? -max : guess)) : 0.0;
    const auto gbits = std::bit_cast<std::uint32_t>(static_cast<float>(g));
    const std::int64_t at = (gbits >> 31) ? -static_cast<std::int64_t>(gbits & 0x7fffffffu) : gbits;
    return std::bit_cast<key_type>(value(narrow_bracket(left_at, -top, top, at)));
  } else {
    using S = typename Policy::value_type;
    const auto left_at = [&](std::int64_t raw) { return left(static_cast<double>(raw) * pow2(-Policy::frac_bits)); };
    constexpr std::int64_t lo = std::numeric_limits<S>::min(), hi = std::numeric_limits<S>::max();
    if (!left_at(lo)) return rule::never;
    if (left_at(hi)) return rule::always;
    const double g = guess * pow2(Policy::frac_bits);
    const std::int64_t at = g == g && g > static_cast<double>(lo) && g < static_cast<double>(hi) ? static_cast<std::int64_t>(g) : lo;
    return static_cast<key_type>(narrow_bracket(left_at, lo, hi, at));
  }
}

}  // namespace detail

/// The split rule of a tree that follows a per-feature monotone map (scalers,
/// folded into the tree: include/ctml/scalers.hpp). sklearn decides
/// `float32(map(x)) <= t` with map in double; the key is the largest input x
/// of the policy for which that holds, found at compile time, so the test at
/// run time is the plain rule's one compare on the raw input, exact for every
/// input but NaN (+-inf decide as sklearn's arithmetic would). `Map::apply(feature, x)` is the map in double.
template <class Policy, class Map>
struct folded_rule : split_rule<Policy> {
  using typename split_rule<Policy>::key_type;
  [[nodiscard]] static constexpr key_type key(double t, std::size_t feature) noexcept {
    return detail::last_left<Policy>([t, feature](double v) { return detail::f32_round(Map::apply(feature, v)) <= t; },
                                     Map::inverse(feature, t));
  }
};

}  // namespace ctml::trees
