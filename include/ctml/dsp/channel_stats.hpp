// Per-channel statistics of interleaved frames (channel last), channel-major
// output: out[c * n_stats + j] is statistic j of channel c.
//
// In float, in this order (generator/ctml/dsp.py does the same):
//   s1 = sum x, mean = s1 / n; d = x - mean: m2, m3, m4 = sum d^2, d^2 d, d^2 d^2, each / n
//   std = sqrt m2 (ddof 0)  rms = sqrt(sum x^2 / n)  min, max, ptp = max - min
//   skew = m3 / (m2 sqrt m2), kurtosis = m4 / (m2 m2) - 3 (scipy.stats: Fisher,
//   biased); both NaN when m2 <= (1e-6 mean)^2, as scipy's check for constant data
//   zcr = #{i : (x[i-1] >= 0) != (x[i] >= 0)} / (n - 1)
// sqrt is correctly rounded (ctml::math::sqrt_exact).
#pragma once

#include <cstddef>
#include <limits>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

/// Params: `n` (values per frame), `n_channels`, `n_stats`, `stats[n_stats]` (stat values).
template <class Params, ValuePolicy Policy = f32>
struct channel_stats {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::channel_stats supports the f32 policy");
  static_assert(Params::n % Params::n_channels == 0 && Params::n / Params::n_channels >= 2,
                "ctml: channel_stats needs n a multiple of n_channels and 2 or more samples per channel");
  static constexpr std::size_t n_channels = Params::n_channels, n_stats = Params::n_stats;
  static constexpr std::size_t n_samples = Params::n / n_channels;
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = n_channels * n_stats;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = channel_stats<Params, P>;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return n_stats; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return 600 + n_stats; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 12 * in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    using detail::product;
    constexpr auto n = static_cast<float>(n_samples);
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      float s1 = 0.0f, sq = 0.0f, lo = in[ch], hi = in[ch];
      std::size_t crossings = 0;
      for (std::size_t i = 0; i < n_samples; ++i) {
        const float x = in[i * n_channels + ch];
        s1 += x;
        sq += product(x, x);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        if (i > 0 && ((in[(i - 1) * n_channels + ch] >= 0.0f) != (x >= 0.0f))) ++crossings;
      }
      const float mean = s1 / n;
      float a2 = 0.0f, a3 = 0.0f, a4 = 0.0f;
      for (std::size_t i = 0; i < n_samples; ++i) {
        const float d = in[i * n_channels + ch] - mean;
        const float d2 = product(d, d);
        a2 += d2;
        a3 += product(d2, d);
        a4 += product(d2, d2);
      }
      const float m2 = a2 / n, m3 = a3 / n, m4 = a4 / n;
      const float tiny = product(1e-6f, mean);
      const bool constant = m2 <= product(tiny, tiny);
      constexpr float nan = std::numeric_limits<float>::quiet_NaN();
      for (std::size_t j = 0; j < n_stats; ++j) {
        float v = 0.0f;
        switch (Params::stats[j]) {
          case stat::mean: v = mean; break;
          case stat::std: v = math::sqrt_exact(m2); break;
          case stat::min: v = lo; break;
          case stat::max: v = hi; break;
          case stat::ptp: v = hi - lo; break;
          case stat::rms: v = math::sqrt_exact(sq / n); break;
          case stat::skew: v = constant ? nan : m3 / product(m2, math::sqrt_exact(m2)); break;
          case stat::kurtosis: v = constant ? nan : m4 / product(m2, m2) - 3.0f; break;
          case stat::zcr: v = static_cast<float>(crossings) / static_cast<float>(n_samples - 1); break;
        }
        out[ch * n_stats + j] = v;
      }
    }
  }
};

}  // namespace ctml::dsp
