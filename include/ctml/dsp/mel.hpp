// Mel filterbank on power-spectrum rows: librosa.filters.mel(sr, n_fft,
// n_mels, fmin, fmax, htk, norm) (librosa 0.10, float32 weights) as a sparse
// table derived at compile time: for each mel band, its first bin and its
// nonzero weights. y[m] = sum over the band's bins, in increasing order, of
// w * x (float, no fused multiply-adds).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {

inline constexpr double ln10 = 2.302585092994046;

[[nodiscard]] constexpr double hz_to_mel(double f, bool htk) noexcept {
  if (htk) return 2595.0 * (math::log(1.0 + f / 700.0) / ln10);
  constexpr double f_sp = 200.0 / 3;
  const double mels = (f - 0.0) / f_sp;
  constexpr double min_log_hz = 1000.0, min_log_mel = (min_log_hz - 0.0) / f_sp;
  const double logstep = math::log(6.4) / 27.0;
  if (f >= min_log_hz) return min_log_mel + math::log(f / min_log_hz) / logstep;
  return mels;
}

[[nodiscard]] constexpr double mel_to_hz(double m, bool htk) noexcept {
  if (htk) return 700.0 * (math::exp(m / 2595.0 * ln10) - 1.0);
  constexpr double f_sp = 200.0 / 3;
  const double freqs = 0.0 + f_sp * m;
  constexpr double min_log_hz = 1000.0, min_log_mel = (min_log_hz - 0.0) / f_sp;
  const double logstep = math::log(6.4) / 27.0;
  if (m >= min_log_mel) return min_log_hz * math::exp(logstep * (m - min_log_mel));
  return freqs;
}

template <class Params>
struct mel_tables {
  static constexpr std::size_t n_mels = Params::n_mels;
  static constexpr std::size_t n_bins = Params::n_fft / 2 + 1;
  static constexpr bool htk = Params::htk;

  static constexpr std::array<double, n_mels + 2> mel_points() noexcept {
    std::array<double, n_mels + 2> f{};
    const double lo = hz_to_mel(Params::fmin, htk), hi = hz_to_mel(Params::fmax, htk);
    for (std::size_t i = 0; i < n_mels + 2; ++i) f[i] = mel_to_hz(linspace_at(lo, hi, n_mels + 2, i), htk);
    return f;
  }
  static constexpr double bin_hz(std::size_t k) noexcept {
    return static_cast<double>(k) * (1.0 / (static_cast<double>(Params::n_fft) * (1.0 / Params::sr)));
  }
  // The float32 weight of bin k in band i, as librosa computes it (0 outside the band).
  static constexpr float weight(const std::array<double, n_mels + 2>& f, std::size_t i, std::size_t k) noexcept {
    const double fk = bin_hz(k);
    const double lower = -(f[i] - fk) / (f[i + 1] - f[i]);
    const double upper = (f[i + 2] - fk) / (f[i + 2] - f[i + 1]);
    double w = lower < upper ? lower : upper;
    if (!(w > 0.0)) return 0.0f;
    auto w32 = static_cast<float>(w);
    if (Params::norm == mel_norm::slaney) w32 = static_cast<float>(static_cast<double>(w32) * (2.0 / (f[i + 2] - f[i])));
    return w32;
  }
  // Bins inside band i: fk in (f[i], f[i+2]); scanned from the previous band's start (bands move up).
  struct layout_t {
    std::array<std::uint16_t, n_mels> first{}, count{};
    std::size_t nnz = 0;
  };
  static constexpr layout_t layout() noexcept {
    layout_t l{};
    const auto f = mel_points();
    std::size_t k0 = 0;
    for (std::size_t i = 0; i < n_mels; ++i) {
      while (k0 < n_bins && bin_hz(k0) <= f[i]) ++k0;
      std::size_t k = k0, c = 0;
      while (k < n_bins && bin_hz(k) < f[i + 2]) { ++k; ++c; }
      // Trim zero weights at either end (a float32 underflow; not expected).
      std::size_t first = k0;
      while (c > 0 && weight(f, i, first) == 0.0f) { ++first; --c; }
      while (c > 0 && weight(f, i, first + c - 1) == 0.0f) --c;
      l.first[i] = static_cast<std::uint16_t>(first);
      l.count[i] = static_cast<std::uint16_t>(c);
      l.nnz += c;
    }
    return l;
  }
  static constexpr layout_t shape = layout();
  static constexpr std::size_t nnz = shape.nnz;
  struct table_t {
    std::array<std::uint16_t, n_mels> first{}, count{};
    std::array<float, nnz == 0 ? 1 : nnz> weights{};
  };
  static constexpr table_t make() noexcept {
    table_t t{};
    const auto f = mel_points();
    std::size_t j = 0;
    for (std::size_t i = 0; i < n_mels; ++i) {
      t.first[i] = shape.first[i];
      t.count[i] = shape.count[i];
      for (std::size_t c = 0; c < shape.count[i]; ++c) t.weights[j++] = weight(f, i, shape.first[i] + c);
    }
    return t;
  }
  CTML_FLASH static constexpr table_t table = make();
  static constexpr std::size_t bytes = sizeof(table);
};

}  // namespace detail

/// Params: `n_fft`, `n_mels`, `sr`, `fmin`, `fmax` (Hz, doubles), `htk` (bool), `norm` (a mel_norm).
template <class Params, ValuePolicy Policy = f32>
struct mel_filterbank {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::mel_filterbank supports the f32 and q<std::int16_t, 15> policies");
  static_assert(Params::n_fft / 2 + 1 <= 65535, "ctml: mel_filterbank takes at most 65535 bins");
  static_assert(Params::fmax > Params::fmin && Params::fmin >= 0.0, "ctml: mel_filterbank needs 0 <= fmin < fmax");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_fft / 2 + 1;
  static constexpr std::size_t out_extent = Params::n_mels;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = mel_filterbank<Params, P>;

 private:
  using tables = detail::mel_tables<Params>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return tables::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + detail::loop_code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * tables::nnz; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    const float* w = tables::table.weights.data();
    for (std::size_t m = 0; m < out_extent; ++m) {
      const float* x = in.data() + flash_load(&tables::table.first[m]);
      const std::size_t count = flash_load(&tables::table.count[m]);
      float acc = 0.0f;
      for (std::size_t c = 0; c < count; ++c) acc = detail::mul_add(acc, flash_load(w + c), x[c]);
      w += count;
      out[m] = acc;
    }
  }
};

}  // namespace ctml::dsp

#include <ctml/dsp/mel_q15.hpp>  // mel_filterbank<Params, q<std::int16_t, 15>>
