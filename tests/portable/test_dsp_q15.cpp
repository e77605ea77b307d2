// The q15 spectrum path on every port (host, Cortex-M0/M4F/M7, RISC-V, AVR):
// window >> rfft with .with(ctml::q15{}) on int16 samples.
//  - identity across ports and with the numpy integer model
//    (generator/ctml/dsp_spectrum_q15.py): FNV-1a checksums of the int32
//    outputs printed by tests/portable/test_dsp_expected.py, on full-scale
//    white noise and on frames that drive the int32 bounds (the host's
//    sanitizer build turns any overflow into a failure), and the log-mel path
//    (q15 window, FFT, mel and dB: log_mel_q15 in the model);
//  - accuracy against a direct DFT computed at compile time in double (with
//    and without scipy's periodic hann window): SNR >= 60 dB (issue 11's target).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"

namespace {

using namespace ctml::dsp;
constexpr std::size_t n = 64, noise_rows = 4, rows = noise_rows + 3;

struct hann_p { static constexpr std::size_t n = 64; static constexpr auto window = window_kind::hann; };
struct blackman_p { static constexpr std::size_t n = 64; static constexpr auto window = window_kind::blackman; };
struct power_p { static constexpr std::size_t n = 64; static constexpr auto output = spectrum::power; };
struct complex_p { static constexpr std::size_t n = 64; static constexpr auto output = spectrum::complex; };
struct mel_p {
  static constexpr std::size_t n_fft = 64, n_mels = 12;
  static constexpr double sr = 8000.0, fmin = 0.0, fmax = 4000.0;
  static constexpr bool htk = false;
  static constexpr auto norm = mel_norm::slaney;
};
struct db_p { static constexpr std::size_t n = 12; static constexpr double amin = 1e-10; };

/// xorshift32 -> int16 (test_dsp.cpp's frames times 4096), then three extremes:
/// constant -32768, +-full scale at the Nyquist rate, the sign of a cosine at bin 5.
constexpr std::array<std::array<std::int16_t, n>, rows> make_frames() {
  std::array<std::array<std::int16_t, n>, rows> x{};
  std::uint32_t s = 12345;
  for (std::size_t r = 0; r < noise_rows; ++r)
    for (auto& v : x[r]) {
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      v = static_cast<std::int16_t>(static_cast<std::uint16_t>(s >> 16));
    }
  for (std::size_t i = 0; i < n; ++i) {
    x[noise_rows][i] = -32768;
    x[noise_rows + 1][i] = static_cast<std::int16_t>(i % 2 == 0 ? -32768 : 32767);
    x[noise_rows + 2][i] = static_cast<std::int16_t>(
        ctml::math::cos(2.0 * pi * 5.0 * static_cast<double>(i) / 64.0 + 0.1) >= 0 ? 32767 : -32768);
  }
  return x;
}
CTML_FLASH constexpr auto frames = make_frames();

std::array<std::int16_t, n> frame(std::size_t r) {
  std::array<std::int16_t, n> x;
  for (std::size_t i = 0; i < n; ++i) x[i] = ctml::flash_load(&frames[r][i]);
  return x;
}

/// |DFT(x / 2^15)|^2 and |DFT(x / 2^15 * hann)|^2 of the noise frames, in double.
struct dft_ref {
  std::array<std::array<float, n / 2 + 1>, noise_rows> plain{}, hann{};
};
constexpr dft_ref make_dft() {
  dft_ref r{};
  std::array<double, n> c{}, s{}, w{};
  for (std::size_t j = 0; j < n; ++j) {
    c[j] = ctml::math::cos(2.0 * pi * static_cast<double>(j) / n);
    s[j] = ctml::math::sin(2.0 * pi * static_cast<double>(j) / n);
    w[j] = 0.5 - 0.5 * c[j];  // scipy.signal.get_window("hann", n, fftbins=True)
  }
  const auto x = make_frames();
  for (std::size_t row = 0; row < noise_rows; ++row)
    for (std::size_t k = 0; k <= n / 2; ++k) {
      double re = 0, im = 0, hre = 0, him = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double v = x[row][i] / 32768.0;
        re += v * c[(k * i) % n];
        im -= v * s[(k * i) % n];
        hre += v * w[i] * c[(k * i) % n];
        him -= v * w[i] * s[(k * i) % n];
      }
      r.plain[row][k] = static_cast<float>(re * re + im * im);
      r.hann[row][k] = static_cast<float>(hre * hre + him * him);
    }
  return r;
}
CTML_FLASH constexpr dft_ref dft = make_dft();

struct fnv32 {
  std::uint32_t h = 2166136261u;
  template <std::size_t M>
  void add(const std::array<std::int32_t, M>& a) {
    for (std::int32_t v : a) h = (h ^ static_cast<std::uint32_t>(v)) * 16777619u;
  }
  template <std::size_t M>
  void add(const std::array<float, M>& a) {
    for (float v : a) h = (h ^ std::bit_cast<std::uint32_t>(v)) * 16777619u;
  }
};

}  // namespace

CTML_TEST(dsp_q15_spectrum_bits_equal_the_model_on_every_port) {
  constexpr auto power = (window<hann_p>{} >> rfft<power_p>{}).with(ctml::q15{});
  constexpr auto complex = (window<blackman_p>{} >> rfft<complex_p>{}).with(ctml::q15{});
  static_assert(std::is_same_v<decltype(power)::in_type, std::int16_t>);
  static_assert(std::is_same_v<decltype(power)::out_type, std::int32_t>);
  static_assert(std::is_same_v<rfft<power_p, ctml::q15>::out_number, ctml::q<std::int32_t, 16>>);  // 2 (15 - 7 shifts)
  static_assert(std::is_same_v<rfft<complex_p, ctml::q15>::out_number, ctml::q<std::int32_t, 11>>);
  // window, FFT and mel in integers (float mel energies out), dB with an integer log2
  constexpr auto log_mel = (window<hann_p>{} >> rfft<power_p>{} >> mel_filterbank<mel_p>{} >> power_to_db<db_p>{})
                               .with(ctml::q15{});
  static_assert(std::is_same_v<decltype(log_mel)::out_type, float>);
  fnv32 h_power, h_complex, h_log_mel;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x = frame(r);
    std::array<float, 12> lm;
    log_mel.run(x, lm);
    h_log_mel.add(lm);
    std::array<std::int32_t, n / 2 + 1> p;
    power.run(x, p);
    h_power.add(p);
    std::array<std::int32_t, n + 2> c;
    complex.run(x, c);
    h_complex.add(c);
  }
  CTML_CHECK_EQ(h_power.h, 0x140b4b50u);
  CTML_CHECK_EQ(h_complex.h, 0x881b6fbfu);
  CTML_CHECK_EQ(h_log_mel.h, 0x9d386897u);
}

CTML_TEST(dsp_q15_spectrum_accuracy_against_a_double_dft) {
  constexpr auto bare = ctml::make_pipeline(rfft<power_p>{}).with(ctml::q15{});
  constexpr auto hann = (window<hann_p>{} >> rfft<power_p>{}).with(ctml::q15{});
  constexpr float scale = 1.0f / 65536.0f;  // F = 16
  float signal = 0, noise = 0, hann_signal = 0, hann_noise = 0;
  for (std::size_t r = 0; r < noise_rows; ++r) {
    const auto x = frame(r);
    std::array<std::int32_t, n / 2 + 1> p, q;
    bare.run(x, p);
    hann.run(x, q);
    for (std::size_t k = 0; k <= n / 2; ++k) {
      const float ref = ctml::flash_load(&dft.plain[r][k]), err = static_cast<float>(p[k]) * scale - ref;
      signal += ref * ref;
      noise += err * err;
      const float href = ctml::flash_load(&dft.hann[r][k]), herr = static_cast<float>(q[k]) * scale - href;
      hann_signal += href * href;
      hann_noise += herr * herr;
    }
  }
  CTML_CHECK(signal >= 1e6f * noise);  // >= 60 dB (test_dsp_spectrum_q15.py: 80.6 dB plain, 75.6 dB hann at n = 64)
  CTML_CHECK(hann_signal >= 1e6f * hann_noise);
  // constant -32768: |X[0]|^2 = 64^2 = 2^28 at F = 16, every other bin (near) 0
  std::array<std::int32_t, n / 2 + 1> p;
  bare.run(frame(noise_rows), p);
  CTML_CHECK((p[0] >= (std::int32_t{1} << 28) - 2048 && p[0] <= (std::int32_t{1} << 28) + 2048));
  for (std::size_t k = 1; k <= n / 2; ++k) CTML_CHECK(p[k] <= 16);
}
