// The DSP stages on every port (host, Cortex-M0/M4F/M7, RISC-V, AVR):
//  - accuracy against references computed at compile time in double (a
//    direct DFT, sosfilt and lfilter written out): independent of the stages;
//  - block-by-block streaming equals filtering the whole frame, bit for bit;
//  - identity across ports and with ctml.dsp's numpy emulation: FNV-1a
//    checksums of the f32 output bits, expected values printed by
//    tests/portable/test_dsp_expected.py from generator/ctml/dsp.py (numpy),
//    not from this C++ code. Frames are small (64 values) so that AVR fits.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>

#include "ctml_test.hpp"

namespace {

using namespace ctml::dsp;
constexpr std::size_t n = 64, rows = 4;

struct win_p { static constexpr std::size_t n = 64; static constexpr auto window = window_kind::hann; };
struct blackman_p { static constexpr std::size_t n = 64; static constexpr auto window = window_kind::blackman; };
struct power_p { static constexpr std::size_t n = 64; static constexpr auto output = spectrum::power; };
struct complex_p { static constexpr std::size_t n = 64; static constexpr auto output = spectrum::complex; };
struct magnitude_p { static constexpr std::size_t n = 64; static constexpr auto output = spectrum::magnitude; };
struct mel_p {
  static constexpr std::size_t n_fft = 64, n_mels = 12;
  static constexpr double sr = 8000.0, fmin = 0.0, fmax = 4000.0;
  static constexpr bool htk = false;
  static constexpr auto norm = mel_norm::slaney;
};
struct db_p { static constexpr std::size_t n = 12; static constexpr double amin = 1e-10; };
struct dct_p { static constexpr std::size_t n = 12, n_coefs = 6; };
// scipy.signal.butter(4, 0.2, output="sos") and firwin(9, 0.25)
template <std::size_t N>
struct sos_p {
  static constexpr std::size_t n = N, n_channels = 1, n_sections = 2;
  static constexpr double sos[n_sections][6] = {
      {0.004824343357716231, 0.009648686715432462, 0.004824343357716231, 1.0, -1.0485995763626117, 0.2961403575616696},
      {1.0, 2.0, 1.0, 1.0, -1.320913430819426, 0.6327387928852762}};
};
template <std::size_t N>
struct fir_p {
  static constexpr std::size_t n = N, n_channels = 1, n_taps = 9;
  static constexpr double taps[n_taps] = {9.241576035774555e-19, 0.019096925170211786, 0.10187531341266728,
                                          0.23085612428777222,   0.29634327425869744,  0.23085612428777222,
                                          0.10187531341266728,   0.019096925170211786, 9.241576035774555e-19};
};
struct stats_p {
  static constexpr std::size_t n = 64, n_channels = 2, n_stats = 9;
  static constexpr stat stats[n_stats] = {stat::mean, stat::std,  stat::min,      stat::max, stat::ptp,
                                          stat::rms,  stat::skew, stat::kurtosis, stat::zcr};
};

/// The frames: xorshift32 -> int16 -> / 4096 (as test_dsp_expected.py).
constexpr std::array<std::array<float, n>, rows> make_frames() {
  std::array<std::array<float, n>, rows> x{};
  std::uint32_t s = 12345;
  for (auto& row : x)
    for (auto& v : row) {
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      v = static_cast<float>(static_cast<std::int16_t>(static_cast<std::uint16_t>(s >> 16))) / 4096.0f;
    }
  return x;
}
CTML_FLASH constexpr auto frames = make_frames();

std::array<float, n> frame(std::size_t r) {
  std::array<float, n> x;
  for (std::size_t i = 0; i < n; ++i) x[i] = ctml::flash_load(&frames[r][i]);
  return x;
}

struct fnv {
  std::uint32_t h = 2166136261u;
  template <std::size_t M>
  void add(const std::array<float, M>& a) {
    for (float v : a) h = (h ^ std::bit_cast<std::uint32_t>(v)) * 16777619u;
  }
};

// --- compile-time double references ------------------------------------------

/// |DFT|^2 and the DFT of the frames, in double, rounded to float at the end.
struct dft_ref {
  std::array<std::array<float, n / 2 + 1>, rows> power{};
#if !defined(__AVR__)  // the complex check's table does not fit the AVR's 32 KB with the rest
#define CTML_TEST_FFT_COMPLEX 1
  std::array<std::array<float, n + 2>, rows> complex{};
#endif
  std::array<float, rows> peak{};
};
constexpr dft_ref make_dft() {
  dft_ref r{};
  std::array<double, n> c{}, s{};
  for (std::size_t j = 0; j < n; ++j) {
    c[j] = ctml::math::cos(2.0 * pi * static_cast<double>(j) / n);
    s[j] = ctml::math::sin(2.0 * pi * static_cast<double>(j) / n);
  }
  const auto x = make_frames();
  for (std::size_t row = 0; row < rows; ++row) {
    double peak = 0;
    for (std::size_t k = 0; k <= n / 2; ++k) {
      double re = 0, im = 0;
      for (std::size_t i = 0; i < n; ++i) {
        re += x[row][i] * c[(k * i) % n];
        im -= x[row][i] * s[(k * i) % n];
      }
      const double p = re * re + im * im;
      peak = p > peak ? p : peak;
      r.power[row][k] = static_cast<float>(p);
#if defined(CTML_TEST_FFT_COMPLEX)
      r.complex[row][2 * k] = static_cast<float>(re);
      r.complex[row][2 * k + 1] = static_cast<float>(im);
#endif
    }
    r.peak[row] = static_cast<float>(peak);
  }
  return r;
}
CTML_FLASH constexpr dft_ref dft = make_dft();

struct filter_ref {
  std::array<std::array<float, n>, rows> sos{}, fir{};
};
constexpr filter_ref make_filters() {
  filter_ref r{};
  const auto x = make_frames();
  for (std::size_t row = 0; row < rows; ++row) {
    double z[2][2] = {};
    for (std::size_t i = 0; i < n; ++i) {
      double v = x[row][i];
      for (std::size_t sec = 0; sec < 2; ++sec) {
        const auto& c = sos_p<n>::sos[sec];
        const double y = c[0] * v + z[sec][0];
        z[sec][0] = c[1] * v - c[4] * y + z[sec][1];
        z[sec][1] = c[2] * v - c[5] * y;
        v = y;
      }
      r.sos[row][i] = static_cast<float>(v);
      double acc = 0;
      for (std::size_t k = 0; k < 9 && k <= i; ++k) acc += fir_p<n>::taps[k] * x[row][i - k];
      r.fir[row][i] = static_cast<float>(acc);
    }
  }
  return r;
}
CTML_FLASH constexpr filter_ref filters = make_filters();

float abs_f(float v) { return v < 0 ? -v : v; }

}  // namespace

CTML_TEST(dsp_fft_power_matches_a_double_dft) {
  constexpr auto fft = ctml::make_pipeline(rfft<power_p>{});
  for (std::size_t r = 0; r < rows; ++r) {
    std::array<float, n / 2 + 1> p;
    fft.run(frame(r), p);
    const float tol = 1e-5f * ctml::flash_load(&dft.peak[r]);
    for (std::size_t k = 0; k <= n / 2; ++k) CTML_CHECK(abs_f(p[k] - ctml::flash_load(&dft.power[r][k])) <= tol);
  }
}

#if defined(CTML_TEST_FFT_COMPLEX)
CTML_TEST(dsp_fft_complex_matches_a_double_dft) {
  constexpr auto fft = ctml::make_pipeline(rfft<complex_p>{});
  for (std::size_t r = 0; r < rows; ++r) {
    std::array<float, n + 2> c;
    fft.run(frame(r), c);
    const float tol = 3e-6f * ctml::math::sqrt_exact(ctml::flash_load(&dft.peak[r]));
    for (std::size_t k = 0; k < n + 2; ++k) CTML_CHECK(abs_f(c[k] - ctml::flash_load(&dft.complex[r][k])) <= tol);
  }
}
#endif

CTML_TEST(dsp_filters_match_double_sosfilt_and_lfilter) {
  constexpr auto sos = ctml::make_pipeline(sos_filter<sos_p<n>>{});
  constexpr auto fir = ctml::make_pipeline(fir_filter<fir_p<n>>{});
  for (std::size_t r = 0; r < rows; ++r) {
    std::array<float, n> y, z;
    sos.run(frame(r), y);
    fir.run(frame(r), z);
    for (std::size_t i = 0; i < n; ++i) {  // full scale: 8
      CTML_CHECK(abs_f(y[i] - ctml::flash_load(&filters.sos[r][i])) <= 8e-4f);
      CTML_CHECK(abs_f(z[i] - ctml::flash_load(&filters.fir[r][i])) <= 8e-4f);
    }
  }
}

CTML_TEST(dsp_streaming_blocks_equal_the_whole_frame) {
  constexpr auto sos_block = ctml::make_pipeline(sos_filter<sos_p<16>>{}).with(streaming{});
  constexpr auto fir_block = ctml::make_pipeline(fir_filter<fir_p<16>>{}).with(streaming{});
  constexpr auto sos_whole = ctml::make_pipeline(sos_filter<sos_p<n>>{});
  constexpr auto fir_whole = ctml::make_pipeline(fir_filter<fir_p<n>>{});
  const auto x = frame(1);
  std::array<float, n> want_sos, want_fir;
  sos_whole.run(x, want_sos);
  fir_whole.run(x, want_fir);
  decltype(sos_block)::state_type sos_state{};
  decltype(fir_block)::state_type fir_state{};
  for (std::size_t b = 0; b < n; b += 16) {
    std::array<float, 16> in, y, z;
    for (std::size_t i = 0; i < 16; ++i) in[i] = x[b + i];
    sos_block.run(in, y, sos_state);
    fir_block.run(in, z, fir_state);
    for (std::size_t i = 0; i < 16; ++i) {
      CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(y[i]), std::bit_cast<std::uint32_t>(want_sos[b + i]));
      CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(z[i]), std::bit_cast<std::uint32_t>(want_fir[b + i]));
    }
  }
  static_assert(decltype(sos_block)::ram_bytes() >= 2 * 2 * sizeof(float), "the filter memories count as RAM");
}

// Cross-port identity (and identity with ctml.dsp's numpy emulation).
CTML_TEST(dsp_f32_bits_equal_ctml_dsp_on_every_port) {
  constexpr auto mfcc = window<win_p>{} >> rfft<power_p>{} >> mel_filterbank<mel_p>{} >> power_to_db<db_p>{} >> dct<dct_p>{};
  constexpr auto spectrum = window<blackman_p>{} >> rfft<complex_p>{};
  constexpr auto magnitude = ctml::make_pipeline(rfft<magnitude_p>{});
  constexpr auto sos = ctml::make_pipeline(sos_filter<sos_p<n>>{});
  constexpr auto fir = ctml::make_pipeline(fir_filter<fir_p<n>>{});
  constexpr auto stats = ctml::make_pipeline(channel_stats<stats_p>{});
  fnv h_mfcc, h_complex, h_magnitude, h_sos, h_fir, h_stats;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x = frame(r);
    std::array<float, 6> m;
    mfcc.run(x, m);
    h_mfcc.add(m);
    std::array<float, n + 2> c;
    spectrum.run(x, c);
    h_complex.add(c);
    std::array<float, n / 2 + 1> g;
    magnitude.run(x, g);
    h_magnitude.add(g);
    std::array<float, n> y;
    sos.run(x, y);
    h_sos.add(y);
    fir.run(x, y);
    h_fir.add(y);
    std::array<float, 18> s;
    stats.run(x, s);
    h_stats.add(s);
  }
  CTML_CHECK_EQ(h_mfcc.h, 0xdc0adb70u);
  CTML_CHECK_EQ(h_complex.h, 0x81b0b6dfu);
  CTML_CHECK_EQ(h_magnitude.h, 0x417d9c62u);
  CTML_CHECK_EQ(h_sos.h, 0x879d1d23u);
  CTML_CHECK_EQ(h_fir.h, 0x57d16f62u);
  CTML_CHECK_EQ(h_stats.h, 0xf9d90f3eu);
}

// The framer's frames are the offline frames x[j*hop .. j*hop + n), fed one value
// at a time or in uneven blocks.
CTML_TEST(dsp_framer_equals_offline_framing) {
  constexpr std::size_t len = 200, fn = 64, hop = 24;
  using framer_t = framer<fn, hop>;
  std::array<float, len> x;
  for (std::size_t i = 0; i < len; ++i) x[i] = static_cast<float>(i) * 0.5f - 7.0f;
  const std::size_t n_frames = (len - fn) / hop + 1;  // = len(sliding_window_view(x, fn)[::hop])
  // one at a time
  framer_t::state_type s{};
  std::size_t got = 0;
  for (std::size_t i = 0; i < len; ++i) {
    if (framer_t::push(s, x[i])) {
      std::array<float, fn> f;
      framer_t::frame(s, f);
      for (std::size_t k = 0; k < fn; ++k) CTML_CHECK_EQ(f[k], x[got * hop + k]);
      CTML_CHECK_EQ(i + 1, got * hop + fn);
      ++got;
    }
  }
  CTML_CHECK_EQ(got, n_frames);
  // blocks of 7, 30, 1, ... values
  framer_t::state_type b{};
  std::size_t seen = 0, at = 0;
  const std::size_t sizes[] = {7, 30, 1, 50, 13, 64, 35};
  for (std::size_t size : sizes) {
    framer_t::push(b, std::span<const float>(x.data() + at, size), [&](std::span<const float, fn> f) {
      for (std::size_t k = 0; k < fn; ++k) CTML_CHECK_EQ(f[k], x[seen * hop + k]);
      ++seen;
    });
    at += size;
  }
  CTML_CHECK_EQ(at, len);
  CTML_CHECK_EQ(seen, n_frames);
  static_assert(framer_t::ram_bytes() >= fn * sizeof(float));
}

// q15 FIR on int16 samples: taps scaled by ctml so that nothing overflows for
// any input; accuracy against a double lfilter, identity across ports against
// the checksum of test_dsp_expected.py's numpy int64 emulation.
namespace {
// The 32-tap SNR check does not fit the AVR's 32 KB beside the rest of this firmware.
#if !defined(__AVR__)
#define CTML_TEST_FIR32 1
struct fir32_p {  // scipy.signal.firwin(32, 0.2)
  static constexpr std::size_t n = 64, n_channels = 1, n_taps = 32;
  static constexpr double taps[n_taps] = {
      -0.0005071080014988374, 0.000605885435265773, 0.002234629082015176, 0.004132057443707582,
      0.004989659835466699, 0.002776106372470037, -0.00393256486623099, -0.014233556164278337,
      -0.023880160004657567, -0.025932499335324925, -0.013265496183571172, 0.017937981562635687,
      0.0653379056760266, 0.11982919588135559, 0.16786738481228028, 0.1960405784543383,
      0.1960405784543383, 0.16786738481228028, 0.11982919588135559, 0.0653379056760266,
      0.01793798156263568, -0.013265496183571169, -0.025932499335324922, -0.023880160004657563,
      -0.014233556164278334, -0.003932564866230989, 0.002776106372470037, 0.004989659835466699,
      0.004132057443707582, 0.002234629082015176, 0.000605885435265773, -0.0005071080014988374};
};
#endif
std::array<std::int16_t, n> frame16(std::size_t r) {
  std::array<std::int16_t, n> x;
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<std::int16_t>(ctml::flash_load(&frames[r][i]) * 4096.0f);
  return x;
}
template <class P>
constexpr std::array<std::array<float, n>, rows> make_fir_ref() {  // in units of the int16 LSB
  std::array<std::array<float, n>, rows> r{};
  const auto x = make_frames();
  for (std::size_t row = 0; row < rows; ++row)
    for (std::size_t i = 0; i < n; ++i) {
      double acc = 0;
      for (std::size_t k = 0; k < P::n_taps && k <= i; ++k) acc += P::taps[k] * (x[row][i - k] * 4096.0);
      r[row][i] = static_cast<float>(acc);
    }
  return r;
}
CTML_FLASH constexpr auto fir9_ref = make_fir_ref<fir_p<n>>();
#if defined(CTML_TEST_FIR32)
CTML_FLASH constexpr auto fir32_ref = make_fir_ref<fir32_p>();
#endif
}  // namespace

CTML_TEST(dsp_fir_q15_accuracy_and_identity) {
  constexpr auto fir9 = ctml::make_pipeline(fir_filter<fir_p<n>>{}).with(ctml::q15{});
#if defined(CTML_TEST_FIR32)
  constexpr auto fir32 = ctml::make_pipeline(fir_filter<fir32_p>{}).with(ctml::q15{});
#endif
  static_assert(std::is_same_v<decltype(fir9)::in_type, std::int16_t>);
  std::uint32_t h = 2166136261u;
  float signal = 0, noise = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x = frame16(r);
    std::array<std::int16_t, n> y;
    fir9.run(x, y);
#if defined(CTML_TEST_FIR32)
    std::array<std::int16_t, n> z;
    fir32.run(x, z);
#endif
    for (std::size_t i = 0; i < n; ++i) {
      h = (h ^ static_cast<std::uint16_t>(y[i])) * 16777619u;
      // worst case: output rounding 1/2 LSB + 9 taps rounded to <= 2^-17 times 2^15
      CTML_CHECK(abs_f(static_cast<float>(y[i]) - ctml::flash_load(&fir9_ref[r][i])) <= 0.5f + 9.0f * 0.25f);
#if defined(CTML_TEST_FIR32)
      const float ref = ctml::flash_load(&fir32_ref[r][i]), err = static_cast<float>(z[i]) - ref;
      signal += ref * ref;
      noise += err * err;
#endif
    }
  }
  CTML_CHECK_EQ(h, 0xd80f8639u);
  // SNR >= 80 dB here (84.4 dB in test_dsp_expected.py; 88.2 dB on full-scale white noise:
  // taps rounded to 2^-18, 3 bits finer than one int32 accumulator allows, summed in groups)
#if defined(CTML_TEST_FIR32)
  CTML_CHECK(signal >= 1e8f * noise);
#else
  CTML_CHECK(signal == noise);  // both 0: the check is left out here
#endif
}

// ChannelStats' spectral statistics (dominant_freq, band_energy) against the
// double DFT above, and their bits against ctml.dsp's numpy emulation
// (checksum from test_dsp_expected.py). Not on AVR: its 3.3 KB do not fit the
// 32 KB beside the rest of this firmware.
#if !defined(__AVR__)
namespace {
struct spectral_p {
  static constexpr std::size_t n = 64, n_channels = 1, n_stats = 2;
  static constexpr stat stats[n_stats] = {stat::dominant_freq, stat::band_energy};
  static constexpr double sr = 8000.0;  // bins 125 Hz apart
  static constexpr std::size_t n_bands = 3;
  static constexpr double bands[n_bands][2] = {{0.0, 1000.0}, {1000.0, 2500.0}, {2500.0, 4000.0}};
};
}  // namespace

CTML_TEST(dsp_spectral_stats_match_a_double_dft) {
  constexpr auto stats = ctml::make_pipeline(channel_stats<spectral_p>{});
  static_assert(decltype(stats)::out_extent == 4);
  // bins [0, 8), [8, 20), [20, 33): the last band (hi = sr / 2) takes the Nyquist bin
  constexpr std::size_t edges[4] = {0, 8, 20, 33};
  std::uint32_t h = 2166136261u;
  for (std::size_t r = 0; r < rows; ++r) {
    std::array<float, 4> s;
    stats.run(frame(r), s);
    for (float v : s) h = (h ^ std::bit_cast<std::uint32_t>(v)) * 16777619u;
    const float peak = ctml::flash_load(&dft.peak[r]);
    float top = 0, total = 0;
    for (std::size_t k = 1; k <= n / 2; ++k) top = ctml::flash_load(&dft.power[r][k]) > top ? ctml::flash_load(&dft.power[r][k]) : top;
    for (std::size_t k = 0; k <= n / 2; ++k) total += ctml::flash_load(&dft.power[r][k]);
    // the chosen bin is a bin, and its reference power is the largest up to the spectrum's 1e-5 of peak
    const float bin = s[0] / 125.0f;
    const auto k = static_cast<std::size_t>(bin);
    CTML_REQUIRE((static_cast<float>(k) == bin && k >= 1 && k <= n / 2));
    CTML_CHECK(ctml::flash_load(&dft.power[r][k]) >= top - 1e-5f * peak);
    for (std::size_t b = 0; b < 3; ++b) {
      float e = 0;
      for (std::size_t j = edges[b]; j < edges[b + 1]; ++j) e += ctml::flash_load(&dft.power[r][j]);
      CTML_CHECK(abs_f(s[1 + b] - e / 64.0f) <= 1e-5f * total / 64.0f);
    }
  }
  CTML_CHECK_EQ(h, 0x38634648u);
}
#endif
