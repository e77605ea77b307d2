// Real FFT of a power-of-two frame, numpy.fft.rfft's n/2 + 1 bins, as power
// |X|^2, magnitude |X| or complex (re, im interleaved).
//
// Method: the n real values as n/2 complex ones z[m] = x[2m] + i x[2m+1], an
// iterative radix-2 decimation-in-time FFT of z (bit-reversed load, then
// log2(n/2) passes of butterflies), and the usual split into the spectrum of
// the real input:
//   X[k] = ((Z[k] + conj Z[h-k]) + W^k (Z[k] - conj Z[h-k]) / i) / 2,  W = e^(-2 pi i / n), h = n/2.
// The twiddle table holds cos and sin of 2 pi k / n for k < n/2, built from
// the quarter wave cos(2 pi k / n), k = 0..n/4 (exactly 1 at 0 and 0 at n/4)
// by symmetry. Passes are fused in pairs (one load and store per point for
// two passes), which does not change the arithmetic. Twiddles 1 and -i
// take no products.
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

  // The quarter wave cos(2 pi k / N), k = 0..N/4 (exactly 1 and 0 at the ends).
  static constexpr std::array<float, quarter + 1> make_cos() noexcept {
    std::array<float, quarter + 1> c{};
    for (std::size_t k = 0; k <= quarter; ++k)
      c[k] = k == 0 ? 1.0f : (k == quarter ? 0.0f : static_cast<float>(math::cos(static_cast<double>(k) * (2.0 * pi / static_cast<double>(N)))));
    return c;
  }
  // cos and sin of 2 pi k / N for k < N/2, interleaved, from the quarter wave by symmetry.
  static constexpr std::array<float, N> make_twiddles() noexcept {
    const auto q = make_cos();
    std::array<float, N> t{};
    for (std::size_t k = 0; k < half; ++k) {
      t[2 * k] = k <= quarter ? q[k] : -q[half - k];
      t[2 * k + 1] = k <= quarter ? q[quarter - k] : q[k - quarter];
    }
    return t;
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
  CTML_FLASH static constexpr std::array<float, N> twiddles = make_twiddles();
  CTML_FLASH static constexpr std::array<std::uint16_t, half> reverse = make_reverse();
  static constexpr std::size_t bytes = sizeof(twiddles) + sizeof(reverse);

  struct cplx { float re, im; };
  [[nodiscard]] static constexpr cplx twiddle(std::size_t k) noexcept {
    return {flash_load(&twiddles[2 * k]), flash_load(&twiddles[2 * k + 1])};
  }
  /// a, b -> a + w b, a - w b with w = c - i s. Two twiddles need no
  /// products: w = 1 (j = 0) and w = -i (j = len/4: w b = b.im - i b.re).
  enum class tw : std::uint8_t { one, minus_i, general };
  template <tw Kind>
  static constexpr void butterfly(cplx& a, cplx& b, cplx w) noexcept {
    float tr = b.re, ti = b.im;
    if constexpr (Kind == tw::minus_i) {
      tr = b.im;
      ti = -b.re;
    } else if constexpr (Kind == tw::general) {
      tr = mul_add(product(w.re, b.re), w.im, b.im);
      ti = mul_sub(product(w.re, b.im), w.im, b.re);
    }
    const cplx a0 = a;
    a = {a0.re + tr, a0.im + ti};
    b = {a0.re - tr, a0.im - ti};
  }
  [[nodiscard]] static constexpr cplx load(const float* p, std::size_t i) noexcept { return {p[2 * i], p[2 * i + 1]}; }
  [[nodiscard]] static constexpr cplx load_reversed(const float* x, std::size_t i) noexcept {
    return load(x, flash_load(&reverse[i]));
  }
  static constexpr void store(float* p, std::size_t i, cplx v) noexcept {
    p[2 * i] = v.re;
    p[2 * i + 1] = v.im;
  }

  /// Passes L and 2L of the radix-2 FFT in one sweep: the four points
  /// s + j, + L/2, + L, + 3L/2 are closed under both, so each is loaded and
  /// stored once. The same butterflies, in the same arithmetic, as two passes.
  template <bool First>
  static constexpr void pass_pair(const float* x, float* buf, std::size_t len) noexcept {
    const std::size_t h = len / 2;
    const auto get = [&](std::size_t i) { if constexpr (First) return load_reversed(x, i); else return load(buf, i); };
    for (std::size_t j = 0; j < h; ++j) {
      const cplx w1 = twiddle(j * (N / len)), w2 = twiddle(j * (N / (2 * len))), w3 = twiddle((j + h) * (N / (2 * len)));
      for (std::size_t s = j; s < half; s += 2 * len) {
        cplx a0 = get(s), a1 = get(s + h), a2 = get(s + len), a3 = get(s + len + h);
        if (j == 0) {
          butterfly<tw::one>(a0, a1, w1);
          butterfly<tw::one>(a2, a3, w1);
          butterfly<tw::one>(a0, a2, w2);
          butterfly<tw::minus_i>(a1, a3, w3);  // w3 = W_2L^(L/2)
        } else if (2 * j == h) {
          butterfly<tw::minus_i>(a0, a1, w1);  // w1 = W_L^(L/4)
          butterfly<tw::minus_i>(a2, a3, w1);
          butterfly<tw::general>(a0, a2, w2);
          butterfly<tw::general>(a1, a3, w3);
        } else {
          butterfly<tw::general>(a0, a1, w1);
          butterfly<tw::general>(a2, a3, w1);
          butterfly<tw::general>(a0, a2, w2);
          butterfly<tw::general>(a1, a3, w3);
        }
        store(buf, s, a0);
        store(buf, s + h, a1);
        store(buf, s + len, a2);
        store(buf, s + len + h, a3);
      }
    }
  }

  /// The complex FFT of z (re, im interleaved, N/2 points) into buf: radix-2
  /// decimation in time, passes of length 2, 4, ..., N/2 (in pairs).
  static constexpr void complex_fft(const float* x, float* buf) noexcept {
    std::size_t len = 2;
    if constexpr (log2_half % 2 == 1) {  // an odd number of passes: the first alone
      for (std::size_t s = 0; s < half; s += 2) {
        cplx a = load_reversed(x, s), b = load_reversed(x, s + 1);
        butterfly<tw::one>(a, b, cplx{1.0f, 0.0f});
        store(buf, s, a);
        store(buf, s + 1, b);
      }
      len = 4;
      for (; len < half; len *= 4) pass_pair<false>(x, buf, len);
    } else {
      pass_pair<true>(x, buf, len);
      for (len = 8; len < half; len *= 4) pass_pair<false>(x, buf, len);
    }
  }

  /// Bins k and N/2 - k (1 <= k < N/4) of the real input's spectrum from Z,
  /// and the bin N/4 alone. Bin N/2 - k uses the same sums: its twiddle is
  /// (-c, s), so its products are those of bin k, negated or equal, exactly.
  template <class Out>
  static constexpr void split(const float* buf, Out&& out) noexcept {
    for (std::size_t k = 1; k < quarter; ++k) {
      const cplx a = load(buf, k), b = load(buf, half - k);
      const float sr = a.re + b.re, di = a.im - b.im;
      const float si = a.im + b.im, dr = b.re - a.re;
      const cplx w = twiddle(k);
      const float tr = mul_add(product(w.re, si), w.im, dr);
      const float ti = mul_sub(product(w.re, dr), w.im, si);
      out(k, product(0.5f, sr + tr), product(0.5f, di + ti));
      out(half - k, product(0.5f, sr - tr), product(0.5f, ti - di));
    }
    const cplx a = load(buf, quarter);
    const float sr = a.re + a.re, di = a.im - a.im, si = a.im + a.im, dr = a.re - a.re;
    const cplx w = twiddle(quarter);
    const float tr = mul_add(product(w.re, si), w.im, dr);
    const float ti = mul_sub(product(w.re, dr), w.im, si);
    out(quarter, product(0.5f, sr + tr), product(0.5f, di + ti));
  }
};

}  // namespace detail

/// Params: `n` (a power of two, 16..4096), `output` (a spectrum).
template <class Params, ValuePolicy Policy = f32>
struct rfft {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::rfft supports the f32 and q<std::int16_t, 15> policies");
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
    requires SpectrumPolicy<P>
  using rebind = rfft<Params, P>;

 private:
  using tables = detail::fft_tables<n>;
  static constexpr std::size_t code_bytes = 960;  // measured on Cortex-M4F -O2 (N = 256: 2,240 B with tables)

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
      tables::split(buf.data(), [&](std::size_t k, float re, float im) {
        out[2 * k] = re;
        out[2 * k + 1] = im;
      });
    } else {
      out[0] = finish(dc, 0.0f);
      out[n / 2] = finish(nyquist, 0.0f);
      tables::split(buf.data(), [&](std::size_t k, float re, float im) { out[k] = finish(re, im); });
    }
  }

 private:
  [[nodiscard]] static constexpr float finish(float re, float im) noexcept {
    const float p = detail::mul_add(detail::product(re, re), im, im);
    if constexpr (output == spectrum::power) return p;
    else return math::sqrt_exact(p);
  }
};

}  // namespace ctml::dsp

#include <ctml/dsp/rfft_q15.hpp>  // rfft<Params, q<std::int16_t, 15>>
