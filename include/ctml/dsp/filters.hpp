// IIR (scipy second-order sections) and FIR filters along each channel of
// interleaved frames (channel last).
//
//   sos_filter: scipy.signal.sosfilt(sos, x) in its transposed direct form II,
//     per sample and section:  y = b0 x + z0;  z0 = (b1 x - a1 y) + z1;  z1 = b2 x - a2 y
//   fir_filter: scipy.signal.lfilter(taps, [1.0], x):  y[i] = sum_k taps[k] x[i - k], k = 0, 1, ...
//   decimate:   fir_filter's output at every factor-th sample only (y[0], y[factor], ...)
// q15 (`.with(ctml::q15{})`, int16 samples): sos_filter and fir_filter, scaled by
// ctml at compile time so that no accumulator overflows for any input.
// Coefficients are rounded to float once; each product is rounded on its own.
// By default every frame starts from zero state (what ctml.dsp computes);
// with the `streaming` option the memories live in the caller's state_type and
// carry over from call to call.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/arch/int_multiply.hpp>
#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {
template <class Params>
struct sos_table {
  static constexpr std::size_t n_sections = Params::n_sections;
  struct section { float b0, b1, b2, a1, a2; };
  static constexpr std::array<section, n_sections> make() noexcept {
    std::array<section, n_sections> t{};
    for (std::size_t s = 0; s < n_sections; ++s)
      t[s] = {static_cast<float>(Params::sos[s][0]), static_cast<float>(Params::sos[s][1]),
              static_cast<float>(Params::sos[s][2]), static_cast<float>(Params::sos[s][4]),
              static_cast<float>(Params::sos[s][5])};
    return t;
  }
  CTML_FLASH static constexpr std::array<section, n_sections> table = make();
};
/// The q15 cascade's design, derived at compile time from scipy's sos as given.
/// Each section runs in direct form I on int16 signals with a 32-bit accumulator:
///   acc = B(x) >> sb  -  aq1 y1 - aq2 y2  -  ((rq1 y1 + rq2 y2) >> 15)  +  k1 e1 + k2 e2 + bias
///   y = sat16(acc >> shift),  e = acc - (y << shift)   (e: the remainder, in [0, 2^shift))
/// - gains: the ideal filter's L1 norms (sum |impulse response|) from the input to
///   each section's output; section k's b are multiplied so that every
///   intermediate output has L1 norm 1 (it cannot exceed int16 for any input),
///   the last restores the filter's own gain;
/// - b: scaled b rounded at their own shift (the largest with sum |bq| 2^15 < 2^31), so none rounds to 0;
///   b1 = +-2 b0 and b2 = +-b0 (zeros at z = +-1, as scipy's designs give them) stay exact relations;
/// - a: rounded at `shift` (14, less when the bound needs it), plus the rounding
///   residue rq at 2^-(shift+15): pole coefficients to 2^-(shift+15);
/// - error feedback k1 e1 + k2 e2 with k = -round(a): the output rounding
///   noise is shaped by (1 - k1 z^-1 - k2 z^-2) / A(z) ~ 1 instead of 1 / A(z);
///   `bias` centres the remainder's mean;
/// - `shift` is the largest <= 14 for which the accumulator's bound (int16
///   signals, |e| < 2^shift) fits an int32: nothing wraps for any input.
/// Outputs saturate to int16: by the L1 scaling only the rounding noise on a
/// worst-case input can reach it between sections; at the end, an input that
/// the filter's own gain takes beyond int16.
template <class Params>
struct sos_q15_design {
  static constexpr std::size_t n_sections = Params::n_sections;
  struct section {
    std::int32_t b0, b1, b2;
    int b_shift;  // sb = b's fractional bits - shift (negative: shift left)
    std::int32_t a1, a2, r1, r2, k1, k2, bias;
    int shift;
  };
  static constexpr double coef(std::size_t s, std::size_t i) noexcept { return static_cast<double>(Params::sos[s][i]); }
  /// Samples of the impulse responses summed at most: 2^16 section steps in
  /// all, half of what clang's default constant-evaluation budget allows.
  /// Poles so close to the unit circle that the response has not decayed by
  /// then (radius above ~0.998 with 4 sections) get the L1 norm of this much
  /// of it: a gain it underestimates saturates.
  static constexpr std::size_t l1_samples = 65536 / n_sections > 1024 ? 65536 / n_sections : 1024;
  /// L1 norms of the impulse responses from the input to each section's output
  /// (sosfilt's arithmetic in double, in blocks of 64 samples until every
  /// state has decayed below 1e-13 of its sum).
  static constexpr std::array<double, n_sections> l1_norms() noexcept {
    std::array<double, n_sections> sum{};
    double c[n_sections][5] = {}, z[n_sections][2] = {};
    for (std::size_t s = 0; s < n_sections; ++s)
      for (std::size_t i = 0; i < 5; ++i) c[s][i] = coef(s, i < 3 ? i : i + 1);
    for (std::size_t n = 0; n < l1_samples; ++n) {
      double v = n == 0 ? 1.0 : 0.0;
      for (std::size_t s = 0; s < n_sections; ++s) {
        const double y = c[s][0] * v + z[s][0];
        z[s][0] = c[s][1] * v - c[s][3] * y + z[s][1];
        z[s][1] = c[s][2] * v - c[s][4] * y;
        sum[s] += y < 0 ? -y : y;
        v = y;
      }
      if (n % 64 == 63) {
        bool decayed = true;
        for (std::size_t s = 0; s < n_sections; ++s)
          decayed = decayed && math::fabs(z[s][0]) + math::fabs(z[s][1]) <= 1e-13 * sum[s];
        if (decayed) break;
      }
    }
    return sum;
  }
  static constexpr std::int64_t round(double v) noexcept {  // half away from zero
    return static_cast<std::int64_t>(v < 0 ? v - 0.5 : v + 0.5);
  }
  static constexpr std::int64_t mag(std::int64_t v) noexcept { return v < 0 ? -v : v; }
  static constexpr bool stable(std::size_t s) noexcept {
    const double a1 = coef(s, 4), a2 = coef(s, 5);
    return coef(s, 3) == 1.0 && a2 < 1.0 && a2 > -1.0 && math::fabs(a1) < 1.0 + a2;
  }
  static constexpr bool all_stable() noexcept {
    for (std::size_t s = 0; s < n_sections; ++s)
      if (!stable(s)) return false;
    return true;
  }
  static constexpr std::array<section, n_sections> make() noexcept {
    std::array<section, n_sections> t{};
    if (!all_stable()) return t;
    const auto l1 = l1_norms();
    for (std::size_t s = 0; s < n_sections; ++s) {
      // gain: output s scaled to L1 norm 1, except the last (the filter's own gain)
      double g = 1.0;
      if (s + 1 < n_sections) g = s == 0 ? 1.0 / l1[s] : l1[s - 1] / l1[s];
      else if (s > 0) g = l1[s - 1];
      const double b[3] = {coef(s, 0) * g, coef(s, 1) * g, coef(s, 2) * g};
      int fb = 46;
      std::int64_t bq[3] = {};
      for (;; --fb) {
        const double scale = ctml::detail::pow2(fb);
        if ((math::fabs(b[0]) + math::fabs(b[1]) + math::fabs(b[2])) * scale > 70000.0 && fb > -16) continue;
        // zeros at z = +-1 stay exact: b1 = +-2 b0 and b2 = +-b0 are kept as integer relations
        bq[0] = round(b[0] * scale);
        bq[1] = b[1] == 2.0 * b[0] ? 2 * bq[0] : (b[1] == -2.0 * b[0] ? -2 * bq[0] : round(b[1] * scale));
        bq[2] = b[2] == b[0] ? bq[0] : (b[2] == -b[0] ? -bq[0] : round(b[2] * scale));
        if (mag(bq[0]) + mag(bq[1]) + mag(bq[2]) <= 65535 || fb == -16) break;  // sum |bq| 2^15 < 2^31
      }
      const double a1 = coef(s, 4), a2 = coef(s, 5);
      const std::int64_t k1 = -round(a1), k2 = -round(a2);
      for (int f = 14; f >= 1; --f) {
        const std::int64_t q1 = round(a1 * ctml::detail::pow2(f)), q2 = round(a2 * ctml::detail::pow2(f));
        const std::int64_t r1 = round((a1 * ctml::detail::pow2(f) - static_cast<double>(q1)) * 32768.0);
        const std::int64_t r2 = round((a2 * ctml::detail::pow2(f) - static_cast<double>(q2)) * 32768.0);
        const std::int64_t bias = (1 - k1 - k2) * (std::int64_t{1} << (f - 1));
        const std::int64_t bsum = (mag(bq[0]) + mag(bq[1]) + mag(bq[2])) * 32768;
        const int sb = fb - f;
        const std::int64_t bound = (sb >= 0 ? (bsum >> sb) + 1 : bsum << -sb) + (mag(q1) + mag(q2)) * 32768 +
                                   (((mag(r1) + mag(r2)) * 32768) >> 15) + 1 +
                                   (mag(k1) + mag(k2)) * ((std::int64_t{1} << f) - 1) + mag(bias);
        t[s] = {static_cast<std::int32_t>(bq[0]), static_cast<std::int32_t>(bq[1]), static_cast<std::int32_t>(bq[2]), sb,
                static_cast<std::int32_t>(q1), static_cast<std::int32_t>(q2), static_cast<std::int32_t>(r1),
                static_cast<std::int32_t>(r2), static_cast<std::int32_t>(k1), static_cast<std::int32_t>(k2),
                static_cast<std::int32_t>(bias), f};
        if (bound <= 2147483647) break;
        t[s].shift = 0;  // no shift fits: rejected below
      }
    }
    return t;
  }
  static constexpr auto table = make();
  /// The sections as rows of int32 (b0 b1 b2 b_shift a1 a2 r1 r2 k1 k2 bias shift), for the compact loop.
  static constexpr std::array<std::array<std::int32_t, 12>, n_sections> rows() noexcept {
    std::array<std::array<std::int32_t, 12>, n_sections> r{};
    for (std::size_t s = 0; s < n_sections; ++s) {
      const auto& c = table[s];
      r[s] = {c.b0, c.b1, c.b2, c.b_shift, c.a1, c.a2, c.r1, c.r2, c.k1, c.k2, c.bias, c.shift};
    }
    return r;
  }
  CTML_FLASH static constexpr std::array<std::array<std::int32_t, 12>, n_sections> flash_rows = rows();
  static constexpr bool valid() noexcept {
    if (!all_stable()) return true;  // reported on its own
    for (std::size_t s = 0; s < n_sections; ++s)
      if (table[s].shift < 8 || (table[s].b0 == 0 && table[s].b1 == 0 && table[s].b2 == 0)) return false;
    return true;
  }
};
/// q15 taps, finer than one int32 accumulator allows: round(taps * 2^shift)
/// as int32 with shift = 3 more than the largest single-accumulator shift
/// (sum |q| 2^15 < 2^31), as long as every tap alone fits (|q| < 2^16).
/// The taps are summed in consecutive groups, each in its own int32 with
/// sum |q| 2^15 < 2^31 (exact for any int16 input); the groups' sums are
/// added after an arithmetic shift right by `group_shift` (the least for which
/// that sum cannot overflow either), then rounded to the output.
template <class Params>
struct fir_q15_table {
  static constexpr std::size_t n_taps = Params::n_taps;
  static constexpr std::int64_t limit = 2147483647;
  static constexpr std::int64_t quantize(double v, int scale) noexcept {
    const double x = v * ctml::detail::pow2(scale);
    return static_cast<std::int64_t>(x < 0 ? x - 0.5 : x + 0.5);
  }
  static constexpr std::int64_t mag(std::int64_t v) noexcept { return v < 0 ? -v : v; }
  /// Does one accumulator fit (single = true), or does every tap fit a group alone?
  static constexpr bool fits(int scale, bool single) noexcept {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < n_taps; ++k) {
      const std::int64_t q = mag(quantize(Params::taps[k], scale));
      if (q * 32768 > limit) return false;
      sum += q;
    }
    return !single || sum * 32768 + (std::int64_t{1} << (scale - 1)) <= limit;
  }
  static constexpr int best_shift() noexcept {
    int s = 30;
    while (s > 1 && !fits(s, true)) --s;
    int fine = s;
    while (fine < s + 3 && fits(fine + 1, false)) ++fine;
    return fine;
  }
  static constexpr int shift = best_shift();
  static_assert(fits(shift, false), "ctml: fir_filter q15: the taps are too large for 16-bit fixed point (|tap| >= 2^15)");
  static constexpr std::array<std::int32_t, n_taps> make() noexcept {
    std::array<std::int32_t, n_taps> t{};
    for (std::size_t k = 0; k < n_taps; ++k) t[k] = static_cast<std::int32_t>(quantize(Params::taps[k], shift));
    return t;
  }
  struct grouping {
    std::array<std::size_t, n_taps> first{};  // first tap of each group
    std::size_t count = 0;
    int shift = 0;
  };
  static constexpr grouping make_groups() noexcept {
    const auto q = make();
    grouping g{};
    std::int64_t sum = limit + 1, total = 0;
    std::array<std::int64_t, n_taps> bound{};
    for (std::size_t k = 0; k < n_taps; ++k) {
      const std::int64_t m = mag(q[k]) * 32768;
      if (sum + m > limit) {
        g.first[g.count++] = k;
        sum = 0;
      }
      sum += m;
      bound[g.count - 1] = sum;
    }
    for (; g.shift < shift; ++g.shift) {
      total = std::int64_t{1} << (shift - g.shift - 1);
      for (std::size_t i = 0; i < g.count; ++i) total += (bound[i] >> g.shift) + 1;
      if (total <= limit) break;
    }
    return g;
  }
  static constexpr grouping groups = make_groups();
  static_assert(!fits(shift, false) || groups.shift < shift, "ctml: fir_filter q15: too many taps for a 32-bit sum of the groups");
  CTML_FLASH static constexpr std::array<std::int32_t, n_taps> table = make();
  /// Is tap k the first of a group after the first?
  static constexpr bool starts_group(std::size_t k) noexcept {
    for (std::size_t i = 1; i < groups.count; ++i)
      if (groups.first[i] == k) return true;
    return false;
  }
  static constexpr std::array<std::uint8_t, n_taps> make_starts() noexcept {
    std::array<std::uint8_t, n_taps> t{};
    for (std::size_t k = 0; k < n_taps; ++k) t[k] = starts_group(k) ? 1 : 0;
    return t;
  }
  /// starts_group(k) for the warm-up loop, read from flash.
  CTML_FLASH static constexpr std::array<std::uint8_t, n_taps> starts = make_starts();
};

template <class Params>
struct fir_table {
  static constexpr std::array<float, Params::n_taps> make() noexcept {
    std::array<float, Params::n_taps> t{};
    for (std::size_t k = 0; k < Params::n_taps; ++k) t[k] = static_cast<float>(Params::taps[k]);
    return t;
  }
  CTML_FLASH static constexpr std::array<float, Params::n_taps> table = make();
};
}  // namespace detail

/// Params: `n` (values per frame), `n_channels`, `n_sections`, `sos[n_sections][6]` (scipy's, a0 = 1).
/// f32: float samples, sosfilt's transposed direct form II. q15 (`.with(ctml::q15{})`):
/// int16 samples in, int16 out, scaled by ctml at compile time (see detail::sos_q15_design).
template <class Params, ValuePolicy Policy = f32, bool Streaming = false>
struct sos_filter {
  static_assert(FirPolicy<Policy>, "ctml: ctml::dsp::sos_filter supports the f32 and q<std::int16_t, 15> policies");
  static_assert(Params::n % Params::n_channels == 0, "ctml: sos_filter: n must be a multiple of n_channels");
  static constexpr std::size_t n_channels = Params::n_channels, n_sections = Params::n_sections;
  static constexpr bool fixed = !std::same_as<Policy, f32>;
  using value_type = typename Policy::value_type;  // float, or int16 (q15)
  /// f32: the two memories of each section. q15: the last two values of the
  /// input and of every section's output, then each section's last two remainders.
  struct memory {
    std::array<std::conditional_t<fixed, std::int16_t, float>,
               (fixed ? 2 * (n_sections + 1) + 2 * n_sections : 2 * n_sections) * n_channels>
        z{};
  };
  using policy = Policy;
  using in_type = value_type;
  using out_type = value_type;
  using state_type = std::conditional_t<Streaming, memory, no_state>;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires FirPolicy<P>
  using rebind = sos_filter<Params, P, Streaming>;
  template <class Option>
    requires std::same_as<Option, streaming>
  using rebind_layout = sos_filter<Params, Policy, true>;

 private:
  // (named only by the q15 code: an f32 filter does not derive it)
  using q15 = detail::sos_q15_design<Params>;

 public:
 private:
  using table = detail::sos_table<Params>;

 public:
  // Coefficients are immediates of the code: measured 308 B for 4 sections on Cortex-M4F.
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return 0; }
  // q15: measured 864 B (Cortex-M0) and 708 B (M4F) for 4 sections.
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return fixed ? 96 + 170 * n_sections : 48 + 64 * n_sections; }
  /// The filter memories: the caller's state when streaming, scratch otherwise.
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return sizeof(memory); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return (fixed ? 14 : 9) * n_sections * in_extent; }

  constexpr void run(std::span<const value_type, in_extent> in, std::span<value_type, out_extent> out,
                     state_type& state) const noexcept {
    if constexpr (Streaming) {
      filter(in, out, state);
    } else {
      memory m{};
      filter(in, out, m);
    }
  }

 private:
  // Coefficients are compile-time constants (immediates, no table reads);
  // products with 1 are the value itself and with 2 the value doubled, both
  // exactly, so those are skipped without changing a bit.
  enum coef { b0, b1, b2, a1, a2 };
  template <std::size_t S, coef K>
  static constexpr float coefficient() noexcept {
    constexpr auto c = table::make()[S];
    if constexpr (K == b0) return c.b0;
    else if constexpr (K == b1) return c.b1;
    else if constexpr (K == b2) return c.b2;
    else if constexpr (K == a1) return c.a1;
    else return c.a2;
  }
  template <std::size_t S, coef K>
  [[gnu::always_inline]] static constexpr float times(float x) noexcept {
    constexpr float c = coefficient<S, K>();
    if constexpr (c == 1.0f) return x;
    else if constexpr (c == 2.0f) return x + x;
    // b1 = 2 b0 (scipy's zeros at -1): round(b1 x) = 2 round(b0 x) exactly, one product fewer
    else if constexpr (K == b1 && c == 2.0f * coefficient<S, b0>()) return times<S, b0>(x) + times<S, b0>(x);
    else return detail::product(c, x);
  }
  template <std::size_t S, coef K>
  [[gnu::always_inline]] static constexpr float minus_times(float acc, float y) noexcept {
    constexpr float c = coefficient<S, K>();
    if constexpr (c == 1.0f) return acc - y;
    else return detail::mul_sub(acc, c, y);
  }
  template <std::size_t S>
  [[gnu::always_inline]] static constexpr float section(float x, float& z0, float& z1) noexcept {
    const float y = times<S, b0>(x) + z0;
    z0 = minus_times<S, a1>(times<S, b1>(x), y) + z1;
    z1 = minus_times<S, a2>(times<S, b2>(x), y);
    return y;
  }
  // q15: one section on int32 values of int16 range; all coefficients are immediates.
  /// A coefficient as a multiply operand (one MULS on Cortex-M0, not a shift-add chain).
  static constexpr std::int32_t m(std::int32_t c) noexcept { return arch::factor(c); }
  template <std::size_t S>
  [[gnu::always_inline]] static constexpr std::int32_t b_part(std::int32_t x0, std::int32_t x1, std::int32_t x2) noexcept {
    constexpr auto c = q15::table[S];
    // b0 (x0 + 2 x1 + x2) and the like for scipy's zeros at +-1: fewer multiplies, the same integers.
    if constexpr (c.b0 == c.b2 && (c.b1 == 2 * c.b0 || c.b1 == -2 * c.b0)) {
      const std::int32_t mid = c.b1 == 2 * c.b0 ? x1 + x1 : -(x1 + x1);
      return m(c.b0) * (x0 + mid + x2);
    } else if constexpr (c.b0 == c.b2) {
      return m(c.b0) * (x0 + x2) + m(c.b1) * x1;
    } else if constexpr (c.b0 == -c.b2) {
      return m(c.b0) * (x0 - x2) + m(c.b1) * x1;
    } else {
      return m(c.b0) * x0 + m(c.b1) * x1 + m(c.b2) * x2;
    }
  }
  template <std::int32_t K>
  [[gnu::always_inline]] static constexpr std::int32_t times_small(std::int32_t e) noexcept {
    if constexpr (K == 0) return 0;
    else if constexpr (K == 1) return e;
    else if constexpr (K == -1) return -e;
    else if constexpr (K == 2) return e + e;
    else return -(e + e);
  }
  /// line: this section's last inputs x1, x2 then its last outputs y1, y2; e: its remainders e1, e2.
  template <std::size_t S>
  [[gnu::always_inline]] static constexpr std::int32_t section_q15(std::int32_t x0, std::int32_t* line,
                                                                   std::int32_t* e) noexcept {
    constexpr auto c = q15::table[S];
    const std::int32_t y1 = line[2], y2 = line[3];
    const std::int32_t bx = b_part<S>(x0, line[0], line[1]);
    std::int32_t acc;
    if constexpr (c.b_shift >= 0) acc = bx >> c.b_shift;
    else acc = bx * (std::int32_t{1} << -c.b_shift);
    acc = acc - m(c.a1) * y1 - m(c.a2) * y2 - ((m(c.r1) * y1 + m(c.r2) * y2) >> 15) + times_small<c.k1>(e[0]) +
          times_small<c.k2>(e[1]) + c.bias;
    std::int32_t y = acc >> c.shift;  // arithmetic shift (C++20)
    e[1] = e[0];
    e[0] = acc - y * (std::int32_t{1} << c.shift);
    if (static_cast<std::int16_t>(y) != y) [[unlikely]] y = y < 0 ? -32768 : 32767;
    line[1] = line[0];
    line[0] = x0;
    return y;
  }
  /// The same integers as section_q15, with the coefficients read from a flash
  /// table in a loop over the sections: the code is a few hundred bytes instead
  /// of one unrolled body per section (AVR, where 32 KB of flash is the limit).
  static constexpr std::int32_t section_compact(std::size_t s, std::int32_t x0, std::int32_t* line, std::int32_t* e) noexcept {
    std::array<std::int32_t, 12> c;
    for (std::size_t j = 0; j < 12; ++j) c[j] = flash_load(&q15::flash_rows[s][j]);
    const std::int32_t y1 = line[2], y2 = line[3];
    const std::int32_t bx = c[0] * x0 + c[1] * line[0] + c[2] * line[1];
    std::int32_t acc = c[3] >= 0 ? bx >> c[3] : bx * (std::int32_t{1} << -c[3]);
    acc = acc - c[4] * y1 - c[5] * y2 - ((c[6] * y1 + c[7] * y2) >> 15) + c[8] * e[0] + c[9] * e[1] + c[10];
    std::int32_t y = acc >> c[11];
    e[1] = e[0];
    e[0] = acc - y * (std::int32_t{1} << c[11]);
    if (static_cast<std::int16_t>(y) != y) y = y < 0 ? -32768 : 32767;
    line[1] = line[0];
    line[0] = x0;
    return y;
  }
  static constexpr bool compact = arch::target == arch::family::avr;
  static constexpr void filter(std::span<const std::int16_t, in_extent> in, std::span<std::int16_t, out_extent> out,
                               memory& m) noexcept
    requires fixed
  {
    static_assert(q15::all_stable(),
                  "ctml: sos_filter q15: every section must be stable with a0 = 1 (|a2| < 1, |a1| < 1 + a2)");
    static_assert(q15::valid(),
                  "ctml: sos_filter q15: a section's gain is too large for a 32-bit accumulator; reorder or rescale the sos");
    constexpr std::size_t width = 2 * (n_sections + 1) + 2 * n_sections;
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      std::array<std::int32_t, width> w;  // lines (x1, x2 per signal), then remainders (e1, e2 per section)
      for (std::size_t j = 0; j < width; ++j) w[j] = m.z[width * ch + j];
      for (std::size_t i = ch; i < in_extent; i += n_channels) {
        std::int32_t x = in[i];
        if constexpr (compact) {
          for (std::size_t s = 0; s < n_sections; ++s)
            x = section_compact(s, x, w.data() + 2 * s, w.data() + 2 * (n_sections + 1) + 2 * s);
        } else {
          [&]<std::size_t... S>(std::index_sequence<S...>) {
            ((x = section_q15<S>(x, w.data() + 2 * S, w.data() + 2 * (n_sections + 1) + 2 * S)), ...);
          }(std::make_index_sequence<n_sections>{});
        }
        w[2 * n_sections + 1] = w[2 * n_sections];
        w[2 * n_sections] = x;
        out[i] = static_cast<std::int16_t>(x);
      }
      for (std::size_t j = 0; j < width; ++j) m.z[width * ch + j] = static_cast<std::int16_t>(w[j]);
    }
  }
  static constexpr void filter(std::span<const float, in_extent> in, std::span<float, out_extent> out, memory& m) noexcept
    requires(!fixed)
  {
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      std::array<float, 2 * n_sections> z;  // in registers while the channel runs
      for (std::size_t j = 0; j < 2 * n_sections; ++j) z[j] = m.z[2 * n_sections * ch + j];
      for (std::size_t i = ch; i < in_extent; i += n_channels) {
        float x = in[i];
        [&]<std::size_t... S>(std::index_sequence<S...>) {
          ((x = section<S>(x, z[2 * S], z[2 * S + 1])), ...);
        }(std::make_index_sequence<n_sections>{});
        out[i] = x;
      }
      for (std::size_t j = 0; j < 2 * n_sections; ++j) m.z[2 * n_sections * ch + j] = z[j];
    }
  }
};

/// Params: `n` (values per frame), `n_channels`, `n_taps`, `taps[n_taps]`.
template <class Params, ValuePolicy Policy = f32, bool Streaming = false>
struct fir_filter {
  static_assert(FirPolicy<Policy>, "ctml: ctml::dsp::fir_filter supports the f32 and q<std::int16_t, 15> policies");
  static_assert(Params::n % Params::n_channels == 0, "ctml: fir_filter: n must be a multiple of n_channels");
  static constexpr std::size_t n_channels = Params::n_channels, n_taps = Params::n_taps;
  static constexpr std::size_t n_samples = Params::n / n_channels;
  /// The last n_taps - 1 inputs of every channel (oldest first).
  using value_type = typename Policy::value_type;  // float, or int16 (q15)
  struct memory { std::array<value_type, (n_taps > 1 ? n_taps - 1 : 1) * n_channels> past{}; };
  using policy = Policy;
  using in_type = value_type;
  using out_type = value_type;
  using state_type = std::conditional_t<Streaming, memory, no_state>;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires FirPolicy<P>
  using rebind = fir_filter<Params, P, Streaming>;
  template <class Option>
    requires std::same_as<Option, streaming>
  using rebind_layout = fir_filter<Params, Policy, true>;

 private:
  using table = detail::fir_table<Params>;
  static constexpr std::size_t hist = n_taps - 1;
  template <std::size_t K>
  static constexpr float tap() noexcept {
    constexpr float t = table::make()[K];
    return t;
  }

 public:
  // The warm-up loop reads the tap table; the main loop has the taps as
  // immediates (measured 680 B for 32 taps, streaming, on Cortex-M4F).
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 64 + 16 * n_taps; }
  /// Streaming: the memories (state) and a line of past + frame (scratch).
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return Streaming ? sizeof(memory) + (hist + n_samples) * sizeof(value_type) : 0;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * n_taps * in_extent; }

  constexpr void run(std::span<const value_type, in_extent> in, std::span<value_type, out_extent> out,
                     state_type& state) const noexcept {
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      if constexpr (Streaming) {
        // The stream's past and this frame in one line, so every output takes the fast path.
        std::array<value_type, hist + n_samples> line;
        for (std::size_t j = 0; j < hist; ++j) line[j] = state.past[ch * hist + j];
        for (std::size_t i = 0; i < n_samples; ++i) line[hist + i] = in[i * n_channels + ch];
        for (std::size_t i = 0; i < n_samples; ++i) out[i * n_channels + ch] = dot(line.data() + hist + i, 1);
        for (std::size_t j = 0; j < hist; ++j) state.past[ch * hist + j] = line[n_samples + j];
      } else {
        const std::size_t warm = hist < n_samples ? hist : n_samples;
        // The first n_taps - 1 outputs reach back before the frame, to zeros.
        for (std::size_t i = 0; i < warm; ++i) {
          if constexpr (fixed) {
            // the main path's groups, with the taps that reach before the frame times 0
            std::int32_t sum = std::int32_t{1} << (q15::shift - q15::groups.shift - 1), acc = 0;
            for (std::size_t k = 0; k <= i; ++k) {
              if (flash_load(&q15::starts[k]) != 0) {
                sum += acc >> q15::groups.shift;
                acc = 0;
              }
              acc += flash_load(&q15::table[k]) * in[(i - k) * n_channels + ch];
            }
            out[i * n_channels + ch] = narrow(sum + (acc >> q15::groups.shift));
          } else {
            float acc = 0.0f;
            for (std::size_t k = 0; k <= i; ++k)
              acc = detail::mul_add(acc, flash_load(&table::table[k]), in[(i - k) * n_channels + ch]);
            out[i * n_channels + ch] = acc;
          }
        }
        for (std::size_t i = warm; i < n_samples; ++i)
          out[i * n_channels + ch] = dot(in.data() + i * n_channels + ch, n_channels);
      }
    }
  }

 private:
  static constexpr bool fixed = !std::same_as<Policy, f32>;
  using q15 = detail::fir_q15_table<Params>;
  /// sum / 2^(shift - group shift) (the rounding half was added first), saturated to int16.
  static constexpr std::int16_t narrow(std::int32_t sum) noexcept {
    const std::int32_t y = sum >> (q15::shift - q15::groups.shift);  // arithmetic shift (C++20)
    return static_cast<std::int16_t>(y > 32767 ? 32767 : (y < -32768 ? -32768 : y));
  }
  /// sum_k taps[k] x[-k stride], k = 0, 1, ...: taps are compile-time constants.
  /// q15: int32 taps x int16 samples summed exactly per group (see fir_q15_table), one rounding.
  [[gnu::always_inline]] static constexpr value_type dot(const value_type* x, std::size_t stride) noexcept {
    if constexpr (fixed) {
      std::int32_t sum = std::int32_t{1} << (q15::shift - q15::groups.shift - 1), acc = 0;
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((group_step<K>(sum, acc), acc += arch::factor(q15_tap<K>()) * *(x - K * stride)), ...);
      }(std::make_index_sequence<n_taps>{});
      return narrow(sum + (acc >> q15::groups.shift));
    } else {
      float acc = 0.0f;
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((acc = detail::mul_add(acc, tap<K>(), *(x - K * stride))), ...);
      }(std::make_index_sequence<n_taps>{});
      return acc;
    }
  }
  template <std::size_t K>
  static constexpr std::int32_t q15_tap() noexcept {
    constexpr std::int32_t t = q15::make()[K];
    return t;
  }
  template <std::size_t K>
  [[gnu::always_inline]] static constexpr void group_step(std::int32_t& sum, std::int32_t& acc) noexcept {
    if constexpr (q15::starts_group(K)) {
      sum += acc >> q15::groups.shift;
      acc = 0;
    }
  }
};

/// Params: `n` (values per frame), `n_channels`, `factor`, `n_taps`, `taps[n_taps]`.
/// FIR decimation along each channel: lfilter(taps, [1.0], x)[::factor], i.e.
/// y[j] = sum_k taps[k] x[j factor - k] for j = 0 .. ceil(n_samples / factor) - 1
/// (scipy.signal.decimate(x, factor, ftype="fir", zero_phase=False) with its
/// default taps firwin(20 factor + 1, 1 / factor, window="hamming"), which ctml.dsp's
/// Decimate uses when none are given). Only the kept outputs are computed,
/// each as fir_filter computes it (the same floats).
/// Streaming (`.with(ctml::dsp::streaming{})`): the last n_taps - 1 inputs carry over;
/// the frame must then hold a multiple of `factor` samples, so that every block keeps the same phase.
template <class Params, ValuePolicy Policy = f32, bool Streaming = false>
struct decimate {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::decimate supports the f32 policy");
  static_assert(Params::n % Params::n_channels == 0, "ctml: decimate: n must be a multiple of n_channels");
  static_assert(Params::factor >= 1, "ctml: decimate: factor must be 1 or more");
  static constexpr std::size_t n_channels = Params::n_channels, n_taps = Params::n_taps, factor = Params::factor;
  static constexpr std::size_t n_samples = Params::n / n_channels;
  static constexpr std::size_t n_kept = (n_samples + factor - 1) / factor;
  static_assert(!Streaming || n_samples % factor == 0,
                "ctml: decimate with streaming: the frame's samples per channel must be a multiple of factor "
                "(every block then starts at the same phase); choose the block size accordingly");
  struct memory { std::array<float, (n_taps > 1 ? n_taps - 1 : 1) * n_channels> past{}; };
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = std::conditional_t<Streaming, memory, no_state>;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = n_kept * n_channels;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = decimate<Params, P, Streaming>;
  template <class Option>
    requires std::same_as<Option, streaming>
  using rebind_layout = decimate<Params, Policy, true>;

 private:
  using table = detail::fir_table<Params>;
  static constexpr std::size_t hist = n_taps - 1;
  template <std::size_t K>
  static constexpr float tap() noexcept {
    constexpr float t = table::make()[K];
    return t;
  }
  [[gnu::always_inline]] static constexpr float dot(const float* x, std::size_t stride) noexcept {
    float acc = 0.0f;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((acc = detail::mul_add(acc, tap<K>(), *(x - K * stride))), ...);
    }(std::make_index_sequence<n_taps>{});
    return acc;
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 64 + 16 * n_taps; }
  /// Streaming: the memories (state) and a line of past + frame (scratch).
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return Streaming ? sizeof(memory) + (hist + n_samples) * sizeof(float) : 0;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * n_taps * out_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, state_type& state) const noexcept {
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      if constexpr (Streaming) {
        std::array<float, hist + n_samples> line;
        for (std::size_t j = 0; j < hist; ++j) line[j] = state.past[ch * hist + j];
        for (std::size_t i = 0; i < n_samples; ++i) line[hist + i] = in[i * n_channels + ch];
        for (std::size_t j = 0; j < n_kept; ++j) out[j * n_channels + ch] = dot(line.data() + hist + j * factor, 1);
        for (std::size_t j = 0; j < hist; ++j) state.past[ch * hist + j] = line[n_samples + j];
      } else {
        for (std::size_t j = 0; j < n_kept; ++j) {
          const std::size_t i = j * factor;
          if (i < hist) {  // reaches back before the frame, to zeros
            float acc = 0.0f;
            for (std::size_t k = 0; k <= i; ++k)
              acc = detail::mul_add(acc, flash_load(&table::table[k]), in[(i - k) * n_channels + ch]);
            out[j * n_channels + ch] = acc;
          } else {
            out[j * n_channels + ch] = dot(in.data() + i * n_channels + ch, n_channels);
          }
        }
      }
    }
  }
};

}  // namespace ctml::dsp
