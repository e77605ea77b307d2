// Per-channel statistics of interleaved frames (channel last), channel-major
// output: out[c * width + j] is output j of channel c, where width is n_stats,
// plus n_bands - 1 for each band_energy (it gives one value per band).
//
// In float, in this order (generator/ctml/dsp.py does the same):
//   s1 = sum x, mean = s1 / n; d = x - mean: m2, m3, m4 = sum d^2, d^2 d, d^2 d^2, each / n
//   std = sqrt m2 (ddof 0)  rms = sqrt(sum x^2 / n)  min, max, ptp = max - min
//   skew = m3 / (m2 sqrt m2), kurtosis = m4 / (m2 m2) - 3 (scipy.stats: Fisher,
//   biased); both NaN when m2 <= (1e-6 mean)^2, as scipy's check for constant data
//   zcr = #{i : (x[i-1] >= 0) != (x[i] >= 0)} / (n - 1)
// sqrt is correctly rounded (ctml::math::sqrt_exact).
//
// Spectral statistics (Params::sr, the sample rate in Hz, and for band_energy
// Params::bands[n_bands][2], (lo, hi) in Hz). They read the channel's power
// spectrum P[k] = |X[k]|^2, k = 0..n/2, of numpy.fft.rfft of its n samples as
// they are (no window, mean not removed), computed by ctml::dsp::rfft (so n is
// a power of two, 16..4096); bin k is at f_k = k sr / n Hz (double, in that order).
//   dominant_freq = f_k of the largest P[k] over k = 1..n/2: the DC bin is left
//     out (it is the mean), ties go to the lowest k (numpy's argmax), and a
//     spectrum that is 0 above DC (a constant channel) gives 0. In float:
//     float(k) * float(sr / n).
//   band_energy = (sum of P[k] over the band's bins, k ascending) / n, for each
//     band, where bin k is in band (lo, hi) when lo <= f_k < hi; the Nyquist
//     bin (f = sr / 2) is also in a band whose hi >= sr / 2. The bins are found
//     at compile time; every band must hold one or more.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <span>

#include <ctml/dsp/common.hpp>
#include <ctml/dsp/rfft.hpp>

namespace ctml::dsp {

namespace detail {

template <class Params>
struct stats_layout {
  static constexpr std::size_t n_channels = Params::n_channels, n_stats = Params::n_stats;
  static constexpr std::size_t n_samples = Params::n / n_channels;
  static constexpr std::size_t count(stat s) noexcept {
    std::size_t c = 0;
    for (std::size_t j = 0; j < n_stats; ++j) c += Params::stats[j] == s;
    return c;
  }
  static constexpr std::size_t n_band_stats = count(stat::band_energy);
  static constexpr bool spectral = count(stat::dominant_freq) + n_band_stats > 0;
  static constexpr bool time_domain = count(stat::dominant_freq) + n_band_stats < n_stats;
  static constexpr double sr = [] {
    if constexpr (requires { Params::sr; }) return static_cast<double>(Params::sr);
    else return 0.0;
  }();
  static constexpr std::size_t n_bands = [] {
    if constexpr (requires { Params::n_bands; }) return std::size_t{Params::n_bands};
    else return std::size_t{0};
  }();
  static constexpr std::size_t width = n_stats + n_band_stats * n_bands - n_band_stats;
  static constexpr std::size_t n_bins = n_samples / 2 + 1;

  [[nodiscard]] static constexpr double bin_hz(std::size_t k) noexcept {
    return static_cast<double>(k) * sr / static_cast<double>(n_samples);
  }
  // Bins [first, end) of each band (lo <= f_k < hi, Nyquist when hi >= sr / 2).
  struct band_bins {
    std::array<std::size_t, (n_bands > 0 ? n_bands : 1)> first{}, end{};
    bool ok = true;
  };
  static constexpr band_bins make_bins() noexcept {
    band_bins b{};
    if constexpr (n_bands > 0) {
      for (std::size_t i = 0; i < n_bands; ++i) {
        const double lo = Params::bands[i][0], hi = Params::bands[i][1];
        if (!(lo >= 0.0 && lo < hi)) b.ok = false;
        std::size_t first = 0, end = 0;
        for (std::size_t k = 0; k < n_bins; ++k) {
          const double f = bin_hz(k);
          first += f < lo;
          end += f < hi || (k + 1 == n_bins && hi >= sr / 2.0);
        }
        b.first[i] = first;
        b.end[i] = end;
        if (end <= first) b.ok = false;
      }
    }
    return b;
  }
  static constexpr band_bins bins = make_bins();
  static constexpr bool spectral_params_ok = !spectral || (sr > 0.0 && (n_band_stats == 0 || n_bands > 0) && bins.ok);
};

}  // namespace detail

/// Params: `n` (values per frame), `n_channels`, `n_stats`, `stats[n_stats]`
/// (stat values); for the spectral statistics also `sr` (Hz) and, for
/// band_energy, `n_bands` and `bands[n_bands][2]` ((lo, hi) in Hz).
template <class Params, ValuePolicy Policy = f32>
struct channel_stats {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::channel_stats supports the f32 policy");
  static_assert(Params::n % Params::n_channels == 0 && Params::n / Params::n_channels >= 2,
                "ctml: channel_stats needs n a multiple of n_channels and 2 or more samples per channel");

 private:
  using layout = detail::stats_layout<Params>;
  static constexpr bool spectral = layout::spectral;
  static constexpr bool fft_size_ok =
      !spectral || (detail::is_pow2(layout::n_samples) && layout::n_samples >= 16 && layout::n_samples <= 4096);
  static_assert(fft_size_ok,
                "ctml: channel_stats' spectral statistics (dominant_freq, band_energy) take the FFT of each channel: "
                "give it a power of two from 16 to 4096 samples per channel (n / n_channels)");
  static_assert(layout::spectral_params_ok,
                "ctml: channel_stats' spectral statistics need the sample rate sr > 0 (Hz) and, for band_energy, "
                "bands[n_bands][2] of (lo, hi) in Hz with 0 <= lo < hi, each holding one or more FFT bins "
                "(lo <= k sr / n < hi)");
  // Below, a failed check above leaves a 16-point FFT so that one error does not cascade.
  struct fft_params {
    static constexpr std::size_t n = fft_size_ok && spectral ? layout::n_samples : 16;
    static constexpr auto output = spectrum::power;
  };
  using fft = rfft<fft_params>;

 public:
  static constexpr std::size_t n_channels = Params::n_channels, n_stats = Params::n_stats;
  static constexpr std::size_t n_samples = layout::n_samples;
  /// Outputs per channel.
  static constexpr std::size_t width = layout::width;
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = n_channels * width;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = channel_stats<Params, P>;

  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return n_stats + (spectral ? fft::data_bytes() : 0);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return 600 + n_stats + (spectral ? fft::flash_bytes() + 200 : 0);
  }
  /// Spectral statistics: the channel's samples, its power spectrum and the FFT's work buffer.
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return spectral ? (n_samples + layout::n_bins) * sizeof(float) + fft::ram_bytes() : 0;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept {
    return 12 * in_extent + (spectral ? n_channels * (fft::cost() + 2 * layout::n_bins) : 0);
  }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    using detail::product;
    constexpr auto n = static_cast<float>(n_samples);
    constexpr std::size_t time_samples = layout::time_domain ? n_samples : 0;  // no moments for spectral stats alone
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      float s1 = 0.0f, sq = 0.0f, lo = in[ch], hi = in[ch];
      std::size_t crossings = 0;
      for (std::size_t i = 0; i < time_samples; ++i) {
        const float x = in[i * n_channels + ch];
        s1 += x;
        sq += product(x, x);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        if (i > 0 && ((in[(i - 1) * n_channels + ch] >= 0.0f) != (x >= 0.0f))) ++crossings;
      }
      const float mean = s1 / n;
      float a2 = 0.0f, a3 = 0.0f, a4 = 0.0f;
      for (std::size_t i = 0; i < time_samples; ++i) {
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
      spectral_values sv{};
      if constexpr (spectral) sv = spectral_of(in, ch);
      std::size_t at = ch * width;
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
          case stat::dominant_freq: v = sv.dominant; break;
          case stat::band_energy:  // one value per band
            for (std::size_t b = 0; b + 1 < layout::n_bands; ++b) out[at++] = sv.band[b];
            v = sv.band[layout::n_bands > 0 ? layout::n_bands - 1 : 0];
            break;
        }
        out[at++] = v;
      }
    }
  }

 private:
  struct spectral_values {
    float dominant = 0.0f;
    std::array<float, (layout::n_bands > 0 ? layout::n_bands : 1)> band{};
  };
  static constexpr spectral_values spectral_of(std::span<const float, in_extent> in, std::size_t ch) noexcept {
    std::array<float, fft::in_extent> x{};
    for (std::size_t i = 0; i < n_samples && i < x.size(); ++i) x[i] = in[i * n_channels + ch];
    std::array<float, fft::out_extent> p;
    no_state none;
    fft{}.run(x, p, none);
    spectral_values sv{};
    std::size_t best = 1;
    float top = p[1];
    for (std::size_t k = 2; k < p.size(); ++k)
      if (p[k] > top) {
        top = p[k];
        best = k;
      }
    constexpr auto bin = static_cast<float>(layout::sr / static_cast<double>(n_samples));
    sv.dominant = top > 0.0f ? detail::product(static_cast<float>(best), bin) : 0.0f;
    for (std::size_t b = 0; b < layout::n_bands; ++b) {
      float acc = 0.0f;
      for (std::size_t k = layout::bins.first[b]; k < layout::bins.end[b]; ++k) acc += p[k];
      sv.band[b] = acc / static_cast<float>(n_samples);
    }
    return sv;
  }
};

}  // namespace ctml::dsp
