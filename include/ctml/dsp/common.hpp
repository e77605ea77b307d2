// What the DSP stages share: their option enums, the float policy check, and
// the arithmetic helpers that fix the order of float operations.
//
// Every f32 stage computes in float with a written order of operations and
// no fused multiply-adds (ctml::arch::product), so it gives the same bits on
// the host and every port, and the same bits as ctml.dsp's numpy emulation
// (generator/ctml/dsp.py), which training uses. Tables (windows, twiddles,
// mel weights, DCT) are derived at compile time with ctml::math in double
// and rounded to float once; ctml.dsp computes them with the same double
// operations (generator/ctml/ctmath.py), so they are the same floats.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <ctml/arch/float_order.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml::dsp {

/// scipy.signal.get_window names (periodic: fftbins=True).
enum class window_kind : std::uint8_t { hann, hamming, blackman };
/// What a real FFT stage outputs: |X|^2, |X|, or re, im interleaved.
enum class spectrum : std::uint8_t { power, magnitude, complex };
/// librosa.filters.mel's `norm`: "slaney" (area normalisation) or None.
enum class mel_norm : std::uint8_t { none, slaney };
/// Per-channel statistics of ChannelStats, in ctml.dsp's names (the last two
/// are spectral: see channel_stats.hpp).
enum class stat : std::uint8_t { mean, std, min, max, ptp, rms, skew, kurtosis, zcr, dominant_freq, band_energy };

/// The number policies the DSP stages compute with (f32 for now).
template <class P>
concept DspPolicy = std::same_as<P, f32>;
/// FIR filters also run in q15 on int16 samples (`.with(ctml::q15{})`).
template <class P>
concept FirPolicy = std::same_as<P, f32> || std::same_as<P, q<std::int16_t, 15>>;

inline constexpr double pi = 3.141592653589793;

static_assert(std::numeric_limits<double>::digits == 53,
              "ctml: the DSP stages derive their tables in binary64 double at compile time: on AVR compile with "
              "-mdouble=64 (constant evaluation only; no double code runs)");

namespace detail {

using arch::mul_add;
using arch::mul_sub;
using arch::product;

/// Is n a power of two?
[[nodiscard]] constexpr bool is_pow2(std::size_t n) noexcept { return n != 0 && (n & (n - 1)) == 0; }

/// numpy.linspace(start, stop, num)[i] (i < num - 1; the last is `stop`).
[[nodiscard]] constexpr double linspace_at(double start, double stop, std::size_t num, std::size_t i) noexcept {
  if (i + 1 == num) return stop;
  const double step = (stop - start) / static_cast<double>(num - 1);
  return static_cast<double>(i) * step + start;
}

// Compile-time code-size figures (bytes) for flash_bytes(): measured on
// Cortex-M4F at -O2 (arm-none-eabi-g++ 12); they are estimates elsewhere.
inline constexpr std::size_t loop_code_bytes = 64;

}  // namespace detail
}  // namespace ctml::dsp

namespace ctml::dsp {
/// Option for filter stages (`model.with(ctml::dsp::streaming{})`): keep the
/// filter memories in the caller's state across calls, so a stream filtered
/// block by block equals the whole stream filtered at once. Without it a
/// filter starts every frame from zero state (scipy's default, ctml.dsp's).
struct streaming {};
}  // namespace ctml::dsp
