// Real FFT of a power-of-two frame, numpy.fft.rfft's n/2 + 1 bins, as power
// |X|^2, magnitude |X| or complex (re, im interleaved).
//
// Method: the n real values as n/2 complex ones z[m] = x[2m] + i x[2m+1], an
// iterative radix-2 decimation-in-time FFT of z (bit-reversed load, then
// log2(n/2) passes of butterflies), and the usual split into the spectrum of
// the real input:
//   X[k] = ((Z[k] + conj Z[h-k]) + W^k (Z[k] - conj Z[h-k]) / i) / 2,  W = e^(-2 pi i / n), h = n/2.
// One quarter-wave table holds cos(2 pi k / n) for k = 0..n/4 (exactly 1 at
// 0 and 0 at n/4); sine and the other quadrants come from its symmetry.
// Every butterfly is written out below; generator/ctml/dsp.py performs the
// same float operations in the same order.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {

template <std::size_t N>
struct fft_tables {
  static constexpr std::size_t half = N / 2;     // complex points
  static constexpr std::size_t quarter = N / 4;  // quarter-wave table length - 1
  static constexpr std::size_t log2_half = std::bit_width(half) - 1;

  static constexpr std::array<float, quarter + 1> make_cos() noexcept {
    std::array<float, quarter + 1> c{};
    for (std::size_t k = 0; k <= quarter; ++k)
      c[k] = k == 0 ? 1.0f : (k == quarter ? 0.0f : static_cast<float>(math::cos(static_cast<double>(k) * (2.0 * pi / static_cast<double>(N)))));
    return c;
  }
  static constexpr std::array<std::uint16_t, half> make_reverse() noexcept {
    std::array<std::uint16_t, half> r{};
    for (std::size_t m = 0; m < half; ++m) {
      std::size_t v = 0;
      for (std::size_t b = 0; b < log2_half; ++b) v |= ((m >> b) & 1u) << (log2_half - 1 - b);
      r[m] = static_cast<std::uint16_t>(v);
    }
    return r;
  }
  CTML_FLASH static constexpr std::array<float, quarter + 1> cos_table = make_cos();
  CTML_FLASH static constexpr std::array<std::uint16_t, half> reverse = make_reverse();
  static constexpr std::size_t bytes = sizeof(cos_table) + sizeof(reverse);

  /// cos and sin of 2 pi k / N for k < N/2.
  [[nodiscard]] static constexpr float cos_at(std::size_t k) noexcept {
    return k <= quarter ? flash_load(&cos_table[k]) : -flash_load(&cos_table[half - k]);
  }
  [[nodiscard]] static constexpr float sin_at(std::size_t k) noexcept {
    return k <= quarter ? flash_load(&cos_table[quarter - k]) : flash_load(&cos_table[k - quarter]);
  }

  /// The complex FFT of z (re, im interleaved, N/2 points) into buf, in place after a bit-reversed load.
  static constexpr void complex_fft(const float* x, float* buf) noexcept {
    for (std::size_t m = 0; m < half; ++m) {
      const std::size_t r = flash_load(&reverse[m]);
      buf[2 * r] = x[2 * m];
      buf[2 * r + 1] = x[2 * m + 1];
    }
    // Pass 1 (length 2): twiddle 1, no products.
    for (std::size_t s = 0; s < half; s += 2) {
      float* a = buf + 2 * s;
      float* b = a + 2;
      const float ar = a[0], ai = a[1], br = b[0], bi = b[1];
      a[0] = ar + br;
      a[1] = ai + bi;
      b[0] = ar - br;
      b[1] = ai - bi;
    }
    for (std::size_t len = 4; len <= half; len *= 2) {
      const std::size_t h = len / 2, stride = N / len;
      // j = 0: twiddle 1.
      for (std::size_t s = 0; s < half; s += len) {
        float* a = buf + 2 * s;
        float* b = a + 2 * h;
        const float ar = a[0], ai = a[1], br = b[0], bi = b[1];
        a[0] = ar + br;
        a[1] = ai + bi;
        b[0] = ar - br;
        b[1] = ai - bi;
      }
      for (std::size_t j = 1; j < h; ++j) {
        const float c = cos_at(j * stride), sn = sin_at(j * stride);
        for (std::size_t s = j; s < half; s += len) {
          float* a = buf + 2 * s;
          float* b = a + 2 * h;
          const float br = b[0], bi = b[1];
          // t = (c - i sn) * b
          const float tr = product(c, br) + product(sn, bi);
          const float ti = product(c, bi) - product(sn, br);
          const float ar = a[0], ai = a[1];
          a[0] = ar + tr;
          a[1] = ai + ti;
          b[0] = ar - tr;
          b[1] = ai - ti;
        }
      }
    }
  }

  /// Bin k (1 <= k < N/2) of the real input's spectrum from Z.
  static constexpr void split(const float* buf, std::size_t k, float& re, float& im) noexcept {
    const float* a = buf + 2 * k;
    const float* b = buf + 2 * (half - k);
    const float sr = a[0] + b[0], di = a[1] - b[1];
    const float si = a[1] + b[1], dr = b[0] - a[0];
    const float c = cos_at(k), sn = sin_at(k);
    const float tr = product(c, si) + product(sn, dr);
    const float ti = product(c, dr) - product(sn, si);
    re = product(0.5f, sr + tr);
    im = product(0.5f, di + ti);
  }
};

}  // namespace detail

/// Params: `n` (a power of two, 16..4096), `output` (a spectrum).
template <class Params, ValuePolicy Policy = f32>
struct rfft {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::rfft supports the f32 policy");
  static_assert(detail::is_pow2(Params::n) && Params::n >= 16 && Params::n <= 4096,
                "ctml: ctml::dsp::rfft takes power-of-two frames of 16 to 4096 values");
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = no_state;
  static constexpr std::size_t n = Params::n;
  static constexpr spectrum output = Params::output;
  static constexpr std::size_t n_bins = n / 2 + 1;
  static constexpr std::size_t in_extent = n;
  static constexpr std::size_t out_extent = output == spectrum::complex ? 2 * n_bins : n_bins;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = rfft<Params, P>;

 private:
  using tables = detail::fft_tables<n>;
  static constexpr std::size_t code_bytes = 600;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return tables::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + code_bytes; }
  /// The complex work buffer (n floats).
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return n * sizeof(float); }
  /// Real multiplications and additions.
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 5 * n * tables::log2_half / 2 + 10 * n; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, no_state&) const noexcept {
    std::array<float, n> buf;
    tables::complex_fft(in.data(), buf.data());
    const float dc = buf[0] + buf[1], nyquist = buf[0] - buf[1];
    if constexpr (output == spectrum::complex) {
      out[0] = dc;
      out[1] = 0.0f;
      out[n] = nyquist;
      out[n + 1] = 0.0f;
      for (std::size_t k = 1; k < n / 2; ++k) tables::split(buf.data(), k, out[2 * k], out[2 * k + 1]);
    } else {
      out[0] = finish(dc, 0.0f);
      out[n / 2] = finish(nyquist, 0.0f);
      for (std::size_t k = 1; k < n / 2; ++k) {
        float re, im;
        tables::split(buf.data(), k, re, im);
        out[k] = finish(re, im);
      }
    }
  }

 private:
  [[nodiscard]] static constexpr float finish(float re, float im) noexcept {
    const float p = detail::product(re, re) + detail::product(im, im);
    if constexpr (output == spectrum::power) return p;
    else return math::sqrt_exact(p);
  }
};

}  // namespace ctml::dsp
