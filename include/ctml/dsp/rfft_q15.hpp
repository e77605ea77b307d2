// The real FFT in fixed point: rfft<Params, q<int16_t, 15>> on int16 samples
// (`.with(ctml::q15{})`), power or complex bins in int32.
//
// Same method as the f32 stage (z[m] = x[2m] + i x[2m+1], radix-2 decimation
// in time, split into the real input's bins), in int32 with twiddles
// round(cos, sin * 2^T) as int16 (T = 13 up to n = 512, else 12):
//   t = w b:  t.re = (c b.re + s b.im + 2^(T-1)) >> T,  t.im = (c b.im - s b.re + 2^(T-1)) >> T
//   (w = 1 and w = -i exactly, no products), a, b -> a + t, a - t, then a
//   rounding shift (v + 2^(k-1)) >> k per pass.
// The shifts k are chosen at compile time from bounds of the magnitudes
// (triangle inequality, roundings included): the smallest that keep every
// product of the next pass (and of the split) inside int32 for ANY int16
// input, so the data keep 2.5 bits more than int16 where the error is made.
// The output's scale follows from the shifts and is part of the type
// (out_number): complex q<int32_t, 15 - sum k>, power q<int32_t, 2 (15 - sum k - p)>,
// both of the rfft of the samples read as q15 (x / 2^15); the power is
// (re^2 + im^2) / 2^(2p), rounded, computed in int32 steps.
// generator/ctml/dsp_spectrum_q15.py does the same integer arithmetic in
// numpy (training on what the device computes; the tests' reference).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/dsp/common.hpp>
#include <ctml/dsp/rfft.hpp>  // the primary template (this file is also included at its end)
#include <ctml/number/convert.hpp>  // ctml::dequantize / requantize: the way out of q<int32_t, F>

namespace ctml::dsp {

namespace detail {

template <std::size_t N>
struct fft_q15 {
  static constexpr std::size_t half = N / 2, quarter = N / 4;
  static constexpr std::size_t passes = std::bit_width(half) - 1;
  /// Twiddle fraction bits: 13 up to n = 512; above, one bit of the twiddles
  /// buys the data more headroom, which larger frames need more.
  static constexpr int T = N <= 512 ? 13 : 12;
  static constexpr std::int32_t product_round = std::int32_t{1} << (T - 1);

  struct plan_t {
    std::array<std::uint8_t, 11> shift{};  // after each pass
    int total = 0;                          // sum of the shifts
    int power_shift = 0;                    // p: power = |X|^2 / 2^(2p)
  };
  static constexpr plan_t make_plan() noexcept {
    constexpr double int32_max = 2147483647.0, sqrt2 = 1.4142135623730951;
    // A product's input b must satisfy 2^T |w| |b| + 2^(T-1) <= 2^31 - 1, |w| <= 1 + 2^-T.
    const double lim = (int32_max - static_cast<double>(product_round)) / (ctml::detail::pow2(T) + 1.0);
    const double eps = ctml::detail::pow2(-T);
    double b = sqrt2 * 32768.0;  // |z| of any int16 pair
    plan_t p{};
    for (std::size_t i = 0; i < passes; ++i) {
      const double cap = i + 1 < passes ? lim : lim / 2.0;  // the split multiplies sums of two points
      const double grown = b * (2.0 + eps) + 1.0;           // |a + w b| + rounding
      int k = 0;
      while (grown / ctml::detail::pow2(k) + (k != 0 ? 1.0 : 0.0) > cap) ++k;
      b = grown / ctml::detail::pow2(k) + (k != 0 ? 1.0 : 0.0);
      p.shift[i] = static_cast<std::uint8_t>(k);
      p.total += k;
    }
    const double bx = b * (2.0 + eps) + 1.5;  // |X| <= (|S| + |w D| + 1) / 2 + 1, |S|, |D| <= 2 b
    // rh^2 + ih^2 of power() <= (bx / 2^p)^2 + 2 sqrt(2) bx / 2^p + 2 must fit int32.
    while ((bx / ctml::detail::pow2(p.power_shift)) * (bx / ctml::detail::pow2(p.power_shift)) +
               2.0 * sqrt2 * bx / ctml::detail::pow2(p.power_shift) + 2.0 >
           int32_max)
      ++p.power_shift;
    return p;
  }
  static constexpr plan_t plan = make_plan();
  static_assert(plan.power_shift <= 6, "ctml: rfft q15: internal: the power's split needs p <= 6");

  // round(cos, sin of 2 pi k / N * 2^T), k < N/2, interleaved, from the quarter wave.
  static constexpr std::array<std::int16_t, N> make_twiddles() noexcept {
    std::array<std::int16_t, quarter + 1> q{};
    for (std::size_t k = 0; k <= quarter; ++k) {
      const double c =
          k == 0 ? 1.0 : (k == quarter ? 0.0 : math::cos(static_cast<double>(k) * (2.0 * pi / static_cast<double>(N))));
      q[k] = static_cast<std::int16_t>(c * ctml::detail::pow2(T) + 0.5);  // c >= 0: floor(x + 0.5)
    }
    std::array<std::int16_t, N> t{};
    for (std::size_t k = 0; k < half; ++k) {
      t[2 * k] = static_cast<std::int16_t>(k <= quarter ? q[k] : -q[half - k]);
      t[2 * k + 1] = k <= quarter ? q[quarter - k] : q[k - quarter];
    }
    return t;
  }
  static_assert(plan.shift[0] == 0 && plan.shift[1] == 0, "ctml: rfft q15: internal: the first two passes do not shift");
  // Bit reversal of the first point of every group of four (the other three
  // are it + half/2, + half/4, + 3 half/4).
  using index_t = std::conditional_t<(half <= 256), std::uint8_t, std::uint16_t>;
  static constexpr std::array<index_t, half / 4> make_reverse() noexcept {
    std::array<index_t, half / 4> r{};
    for (std::size_t m = 0; m < half / 4; ++m) {
      std::size_t v = 0;
      for (std::size_t b = 0; b < passes; ++b) v |= (((4 * m) >> b) & 1u) << (passes - 1 - b);
      r[m] = static_cast<index_t>(v);
    }
    return r;
  }
  CTML_FLASH static constexpr std::array<std::int16_t, N> twiddles = make_twiddles();
  CTML_FLASH static constexpr std::array<index_t, half / 4> reverse = make_reverse();
  static constexpr std::size_t bytes = sizeof(twiddles) + sizeof(reverse);

  /// The first two passes (twiddles 1 and -i, no shift) on the bit-reversed
  /// load, four points at a time: the same sums as two radix-2 passes.
  static constexpr void first_passes(const std::int16_t* x, std::int32_t* buf) noexcept {
    for (std::size_t g = 0; g < half / 4; ++g) {
      const std::int16_t* z = x + 2 * std::size_t{flash_load(&reverse[g])};
      const std::int32_t z0r = z[0], z0i = z[1], z1r = z[half], z1i = z[half + 1];
      const std::int32_t z2r = z[half / 2], z2i = z[half / 2 + 1], z3r = z[3 * half / 2], z3i = z[3 * half / 2 + 1];
      const std::int32_t a0r = z0r + z1r, a0i = z0i + z1i, a1r = z0r - z1r, a1i = z0i - z1i;
      const std::int32_t a2r = z2r + z3r, a2i = z2i + z3i, a3r = z2r - z3r, a3i = z2i - z3i;
      std::int32_t* o = buf + 8 * g;
      o[0] = a0r + a2r;
      o[1] = a0i + a2i;
      o[4] = a0r - a2r;
      o[5] = a0i - a2i;
      o[2] = a1r + a3i;  // a1 + (-i) a3
      o[3] = a1i - a3r;
      o[6] = a1r - a3i;
      o[7] = a1i + a3r;
    }
  }

  /// (v + 2^(T-1)) >> T, written as ((v >> (T-1)) + 1) >> 1 (the same value:
  /// no 32-bit constant to load on Thumb-1). The bounds include the 2^(T-1).
  [[nodiscard]] static constexpr std::int32_t round_product(std::int32_t v) noexcept { return ((v >> (T - 1)) + 1) >> 1; }

  /// Pass P (length 2^(P+1)): a, b -> (a + w b) >> k, (a - w b) >> k, rounded.
  /// Length, strides and shift are constants of the pass.
  template <std::size_t P>
  static constexpr void pass(std::int32_t* buf) noexcept {
    constexpr std::size_t len = std::size_t{2} << P, h = len / 2, stride = N / len;
    constexpr int k = plan.shift[P];
    constexpr std::int32_t rnd = k != 0 ? std::int32_t{1} << (k - 1) : 0;
    const auto out = [](std::int32_t* a, std::int32_t* b, std::int32_t tr, std::int32_t ti) {
      const std::int32_t ar = a[0] + rnd, ai = a[1] + rnd;
      a[0] = (ar + tr) >> k;  // arithmetic shift (C++20)
      a[1] = (ai + ti) >> k;
      b[0] = (ar - tr) >> k;
      b[1] = (ai - ti) >> k;
    };
    for (std::size_t i = 0; i < half; i += len) {  // w = 1 and w = -i: no products
      std::int32_t *a = buf + 2 * i, *b = a + 2 * h;
      out(a, b, b[0], b[1]);
      a += h;
      b += h;
      out(a, b, b[1], -b[0]);
    }
    for (std::size_t j = 1; j < h; ++j) {
      if (2 * j == h) continue;
      const std::int32_t c = flash_load(&twiddles[2 * j * stride]), s = flash_load(&twiddles[2 * j * stride + 1]);
      for (std::size_t i = j; i < half; i += len) {
        std::int32_t *a = buf + 2 * i, *b = a + 2 * h;
        const std::int32_t br = b[0], bi = b[1];
        out(a, b, round_product(c * br + s * bi), round_product(c * bi - s * br));
      }
    }
  }

  /// The complex FFT of z (re, im interleaved, N/2 points) into buf (int32).
  static constexpr void complex_fft(const std::int16_t* x, std::int32_t* buf) noexcept {
    first_passes(x, buf);
    [&]<std::size_t... P>(std::index_sequence<P...>) { (pass<P + 2>(buf), ...); }(std::make_index_sequence<passes - 2>{});
  }

  /// Bins k and N/2 - k (1 <= k <= N/4) of the real input's spectrum from Z:
  /// X = (S + w D / i) / 2 with the products of the passes, (sum + 1) >> 1.
  template <class Out>
  static constexpr void split(const std::int32_t* buf, Out&& out) noexcept {
    for (std::size_t k = 1; k <= quarter; ++k) {
      const std::int32_t ar = buf[2 * k], ai = buf[2 * k + 1], br = buf[2 * (half - k)], bi = buf[2 * (half - k) + 1];
      const std::int32_t sr = ar + br, di = ai - bi, si = ai + bi, dr = br - ar;
      const std::int32_t c = flash_load(&twiddles[2 * k]), s = flash_load(&twiddles[2 * k + 1]);
      const std::int32_t tr = round_product(c * si + s * dr), ti = round_product(c * dr - s * si);
      out(k, (sr + tr + 1) >> 1, (di + ti + 1) >> 1);
      if (k != quarter) out(half - k, (sr - tr + 1) >> 1, (ti - di + 1) >> 1);
    }
  }

  /// (re^2 + im^2) / 2^(2p), rounded half up, in int32: re = rh 2^p + rl, 0 <= rl < 2^p.
  [[nodiscard]] static constexpr std::int32_t power(std::int32_t re, std::int32_t im) noexcept {
    constexpr int p = plan.power_shift;
    if constexpr (p == 0) {
      return re * re + im * im;
    } else {
      constexpr std::int32_t mask = (std::int32_t{1} << p) - 1;
      const std::int32_t rh = re >> p, rl = re & mask, ih = im >> p, il = im & mask;
      const std::int32_t cross = rh * rl + ih * il, low = rl * rl + il * il;
      return rh * rh + ih * ih + ((cross * (std::int32_t{1} << (p + 1)) + low + (std::int32_t{1} << (2 * p - 1))) >> (2 * p));
    }
  }
};

}  // namespace detail

/// rfft in q15: int16 samples (any values) in; `spectrum::power` or
/// `spectrum::complex` out in int32 with the scale of out_number.
template <class Params>
struct rfft<Params, q<std::int16_t, 15>> {
  static_assert(detail::is_pow2(Params::n) && Params::n >= 16 && Params::n <= 4096,
                "ctml: ctml::dsp::rfft takes power-of-two frames of 16 to 4096 values");
  static_assert(Params::output != spectrum::magnitude,
                "ctml: ctml::dsp::rfft in q15 outputs spectrum::power or spectrum::complex (no magnitude: take the "
                "square root of the power where it is needed, or use the f32 policy)");
  using policy = q<std::int16_t, 15>;
  static constexpr std::size_t n = Params::n;
  static constexpr spectrum output = Params::output;

 private:
  using fft = detail::fft_q15<n>;

 public:
  /// Fraction bits of the output (of the rfft of x / 2^15): known at compile time.
  static constexpr int out_frac_bits = output == spectrum::power ? 2 * (15 - fft::plan.total - fft::plan.power_shift)
                                                                 : 15 - fft::plan.total;
  using in_type = std::int16_t;
  using out_type = std::int32_t;
  using in_number = policy;
  using out_number = q<std::int32_t, out_frac_bits>;
  using state_type = no_state;
  static constexpr std::size_t n_bins = n / 2 + 1;
  static constexpr std::size_t in_extent = n;
  static constexpr std::size_t out_extent = output == spectrum::complex ? 2 * n_bins : n_bins;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = rfft<Params, P>;

 private:
  // One copy of the pass code per pass after the first two: measured on Cortex-M0
  // -O2, 2,100 B of code at N = 256 (3,158 B with the tables and a hann window).
  static constexpr std::size_t code_bytes = 600 + 340 * (fft::passes - 2);

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return fft::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + code_bytes; }
  /// The complex work buffer (n int32).
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return n * sizeof(std::int32_t); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 5 * n * fft::passes / 2 + 10 * n; }

  constexpr void run(std::span<const std::int16_t, in_extent> in, std::span<std::int32_t, out_extent> out,
                     no_state&) const noexcept {
    std::array<std::int32_t, n> buf;
    fft::complex_fft(in.data(), buf.data());
    const std::int32_t dc = buf[0] + buf[1], nyquist = buf[0] - buf[1];
    if constexpr (output == spectrum::complex) {
      out[0] = dc;
      out[1] = 0;
      out[n] = nyquist;
      out[n + 1] = 0;
      fft::split(buf.data(), [&](std::size_t k, std::int32_t re, std::int32_t im) {
        out[2 * k] = re;
        out[2 * k + 1] = im;
      });
    } else {
      out[0] = fft::power(dc, 0);
      out[n / 2] = fft::power(nyquist, 0);
      fft::split(buf.data(), [&](std::size_t k, std::int32_t re, std::int32_t im) { out[k] = fft::power(re, im); });
    }
  }
};

}  // namespace ctml::dsp
