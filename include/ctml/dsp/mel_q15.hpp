// The mel filterbank on the q15 power spectrum: mel_filterbank<Params, q15>
// reads rfft<{n_fft, power}, q15>'s int32 bins (q<int32_t, F>) and returns
// float mel energies, so power_to_db (in q15: an integer log2, float out),
// the f32 DCT and models follow it: `(Window >> RFFT >> Mel >> PowerToDb)
// .with(ctml::q15{})` runs an int16 frame to log-mel without float arithmetic
// but one conversion and one scaling per band.
//
// Weights: ctml::dsp's float32 weights (mel.hpp) rounded to uint16 with one
// scale 2^W for the bank (the largest that keeps every weight below 2^16).
// Sums: exact, in 64 bits from 32-bit products (bin = hi 2^16 + lo: hi w and
// lo w each fit 32 bits), then one rounding to float (to nearest, ties to
// even, in integers: the same on every port) and an exact scaling by
// 2^-(W + F). generator/ctml/dsp_spectrum_q15.py (mel_q15) does the same.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/dsp/common.hpp>
#include <ctml/dsp/mel.hpp>  // the primary template (this file is also included at its end)
#include <ctml/dsp/rfft_q15.hpp>

namespace ctml::dsp {

namespace detail {

/// 2^e as a float, for -126 <= e <= 127.
[[nodiscard]] constexpr float pow2f(int e) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(e + 127) << 23);
}

/// v 2^-k rounded to float (to nearest, ties to even): the top 24 bits of v,
/// rounded in integers, times a power of two (exact: the result stays normal).
[[nodiscard]] constexpr float scaled_float(std::uint64_t v, int k) noexcept {
  if (v == 0) return 0.0f;
  const int bits = static_cast<int>(std::bit_width(v));
  const int shift = bits > 24 ? bits - 24 : 0;
  std::uint64_t mant = v >> shift;
  if (shift > 0) {
    const std::uint64_t rem = v & ((std::uint64_t{1} << shift) - 1), half = std::uint64_t{1} << (shift - 1);
    if (rem > half || (rem == half && (mant & 1u) != 0)) ++mant;  // 2^24 at most: still exact
  }
  return static_cast<float>(static_cast<std::uint32_t>(mant)) * pow2f(shift - k);
}

template <class Params>
struct mel_q15_tables {
  using f32_tables = mel_tables<Params>;
  static constexpr std::size_t nnz = f32_tables::nnz;
  static constexpr auto f32_table = f32_tables::make();
  /// The weights' scale: the largest W with round(max weight * 2^W) < 2^16.
  static constexpr int make_scale() noexcept {
    float wmax = 0.0f;
    for (std::size_t j = 0; j < nnz; ++j) wmax = f32_table.weights[j] > wmax ? f32_table.weights[j] : wmax;
    int w = 0;
    while (w < 60 && static_cast<double>(wmax) * ctml::detail::pow2(w + 1) + 0.5 < 65536.0) ++w;
    return w;
  }
  static constexpr int W = make_scale();
  struct table_t {
    std::array<std::uint16_t, Params::n_mels> first{}, count{};
    std::array<std::uint16_t, nnz == 0 ? 1 : nnz> weights{};
  };
  static constexpr table_t make() noexcept {
    table_t t{};
    t.first = f32_table.first;
    t.count = f32_table.count;
    for (std::size_t j = 0; j < nnz; ++j)  // weights >= 0: truncation of w 2^W + 0.5 is rounding
      t.weights[j] = static_cast<std::uint16_t>(static_cast<double>(f32_table.weights[j]) * ctml::detail::pow2(W) + 0.5);
    return t;
  }
  CTML_FLASH static constexpr table_t table = make();
  static constexpr std::size_t bytes = sizeof(table);
};

}  // namespace detail

/// mel_filterbank in q15: the q15 power spectrum of n_fft (int32, q<int32_t, F>) in, float mel energies out.
template <class Params>
struct mel_filterbank<Params, q<std::int16_t, 15>> {
  static_assert(Params::n_fft / 2 + 1 <= 65535, "ctml: mel_filterbank takes at most 65535 bins");
  static_assert(Params::fmax > Params::fmin && Params::fmin >= 0.0, "ctml: mel_filterbank needs 0 <= fmin < fmax");
  static_assert(detail::is_pow2(Params::n_fft) && Params::n_fft >= 16 && Params::n_fft <= 4096,
                "ctml: mel_filterbank in q15 reads the q15 rfft's power spectrum: n_fft is a power of two, 16 to 4096");
  using policy = q<std::int16_t, 15>;
  using in_type = std::int32_t;
  using out_type = float;
  /// What rfft<{n_fft, power}, q15> outputs.
  using in_number = q<std::int32_t, 2 * (15 - detail::fft_q15<Params::n_fft>::plan.total -
                                         detail::fft_q15<Params::n_fft>::plan.power_shift)>;
  using out_number = f32;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_fft / 2 + 1;
  static constexpr std::size_t out_extent = Params::n_mels;
  template <ValuePolicy P>
    requires SpectrumPolicy<P>
  using rebind = mel_filterbank<Params, P>;

 private:
  using tables = detail::mel_q15_tables<Params>;
  static constexpr int scale_bits = tables::W + in_number::frac_bits;  // out = sum / 2^scale_bits

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return tables::bytes; }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 200; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 4 * tables::nnz + 20 * out_extent; }

  constexpr void run(std::span<const std::int32_t, in_extent> in, std::span<float, out_extent> out,
                     no_state&) const noexcept {
    const std::uint16_t* w = tables::table.weights.data();
    for (std::size_t m = 0; m < out_extent; ++m) {
      const std::int32_t* x = in.data() + flash_load(&tables::table.first[m]);
      const std::size_t count = flash_load(&tables::table.count[m]);
      std::uint64_t hi = 0, lo = 0;
      for (std::size_t c = 0; c < count; ++c) {
        const auto p = static_cast<std::uint32_t>(x[c]);  // a power: >= 0
        const std::uint32_t wc = flash_load(w + c);
        hi += (p >> 16) * wc;
        lo += (p & 0xffffu) * wc;
      }
      w += count;
      out[m] = detail::scaled_float((hi << 16) + lo, scale_bits);
    }
  }
};

}  // namespace ctml::dsp
