// The DSP filter stages beyond test_dsp.cpp's (a firmware of their own: the
// AVR's 32 KB do not hold both), on every port:
//  - q15 IIR biquad cascades from scipy's sos as given, against a double
//    sosfilt (SNR), bit for bit against test_dsp_expected.py's Python-integer
//    model (checksums), streaming blocks equal to the whole frame;
//  - FIR decimation against fir_filter and ctml.dsp's Decimate (checksum).
// Inputs: test_dsp.cpp's frames (xorshift32 -> int16; / 4096 for float).
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
constexpr std::size_t n = 64, rows = 4;

template <std::size_t N>
struct butter4_p {  // scipy.signal.butter(4, 0.2, output="sos")
  static constexpr std::size_t n = N, n_channels = 1, n_sections = 2;
  static constexpr double sos[n_sections][6] = {
      {0.004824343357716231, 0.009648686715432462, 0.004824343357716231, 1.0, -1.0485995763626117, 0.2961403575616696},
      {1.0, 2.0, 1.0, 1.0, -1.320913430819426, 0.6327387928852762}};
};
template <std::size_t N>
struct fir9_p {  // scipy.signal.firwin(9, 0.25)
  static constexpr std::size_t n = N, n_channels = 1, n_taps = 9;
  static constexpr double taps[n_taps] = {9.241576035774555e-19, 0.019096925170211786, 0.10187531341266728,
                                          0.23085612428777222,   0.29634327425869744,  0.23085612428777222,
                                          0.10187531341266728,   0.019096925170211786, 9.241576035774555e-19};
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
std::array<std::int16_t, n> frame16(std::size_t r) {
  std::array<std::int16_t, n> x;
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<std::int16_t>(ctml::flash_load(&frames[r][i]) * 4096.0f);
  return x;
}

struct fnv {
  std::uint32_t h = 2166136261u;
  template <std::size_t M>
  void add(const std::array<float, M>& a) {
    for (float v : a) h = (h ^ std::bit_cast<std::uint32_t>(v)) * 16777619u;
  }
};

}  // namespace

// q15 IIR on int16 samples: scipy's sos as given (butter(8, 0.1)'s first section
// has b ~ 1.8e-7, which rounds to 0 in q15), scaled by ctml at compile time.
// Accuracy against a double sosfilt (SNR over the 4 frames), identity across
// ports against test_dsp_expected.py's Python-integer model (sos_q15), and
// block-by-block streaming equal to the whole frame.
namespace {
template <std::size_t N>
struct butter8_p {  // scipy.signal.butter(8, 0.1, output="sos")
  static constexpr std::size_t n = N, n_channels = 1, n_sections = 4;
  static constexpr double sos[n_sections][6] = {
      {1.7625537291912843e-07, 3.5251074583825687e-07, 1.7625537291912843e-07, 1.0, -1.4597062543768673, 0.5348259849616107},
      {1.0, 2.0, 1.0, 1.0, -1.5132907658389045, 0.5911680745682053},
      {1.0, 2.0, 1.0, 1.0, -1.6234056976410005, 0.7069497656826822},
      {1.0, 2.0, 1.0, 1.0, -1.7939618452517712, 0.8862831120070135}};
};
template <class P>
constexpr std::array<std::array<float, n>, rows> make_sos_ref() {  // in units of the int16 LSB
  std::array<std::array<float, n>, rows> r{};
  const auto x = make_frames();
  for (std::size_t row = 0; row < rows; ++row) {
    double z[P::n_sections][2] = {};
    for (std::size_t i = 0; i < n; ++i) {
      double v = static_cast<double>(static_cast<std::int16_t>(x[row][i] * 4096.0f));
      for (std::size_t s = 0; s < P::n_sections; ++s) {
        const auto& c = P::sos[s];
        const double y = c[0] * v + z[s][0];
        z[s][0] = c[1] * v - c[4] * y + z[s][1];
        z[s][1] = c[2] * v - c[5] * y;
        v = y;
      }
      r[row][i] = static_cast<float>(v);
    }
  }
  return r;
}
CTML_FLASH constexpr auto butter4_ref = make_sos_ref<butter4_p<n>>();
CTML_FLASH constexpr auto butter8_ref = make_sos_ref<butter8_p<n>>();
}  // namespace

CTML_TEST(dsp_sos_q15_accuracy_identity_and_streaming) {
  constexpr auto b4 = ctml::make_pipeline(sos_filter<butter4_p<n>>{}).with(ctml::q15{});
  constexpr auto b8 = ctml::make_pipeline(sos_filter<butter8_p<n>>{}).with(ctml::q15{});
  static_assert(std::is_same_v<decltype(b8)::in_type, std::int16_t> && std::is_same_v<decltype(b8)::out_type, std::int16_t>);
  std::uint32_t h4 = 2166136261u, h8 = 2166136261u;
  float s4 = 0, n4 = 0, s8 = 0, n8 = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x = frame16(r);
    std::array<std::int16_t, n> y4, y8;
    b4.run(x, y4);
    b8.run(x, y8);
    for (std::size_t i = 0; i < n; ++i) {
      h4 = (h4 ^ static_cast<std::uint16_t>(y4[i])) * 16777619u;
      h8 = (h8 ^ static_cast<std::uint16_t>(y8[i])) * 16777619u;
      const float r4 = ctml::flash_load(&butter4_ref[r][i]), r8 = ctml::flash_load(&butter8_ref[r][i]);
      const float e4 = static_cast<float>(y4[i]) - r4, e8 = static_cast<float>(y8[i]) - r8;
      s4 += r4 * r4;
      n4 += e4 * e4;
      s8 += r8 * r8;
      n8 += e8 * e8;
    }
  }
  CTML_CHECK_EQ(h4, 0x7d263157u);
  CTML_CHECK_EQ(h8, 0xc3b45447u);
  // SNR: 81.3 and 69.3 dB in test_dsp_expected.py; CMSIS's q15 biquad outputs 0 for butter(8, 0.1) as given.
  CTML_CHECK(s4 >= 3e7f * n4);  // >= 74.8 dB
  CTML_CHECK(s8 >= 3e6f * n8);  // >= 64.8 dB
  // streaming: 16-sample blocks with the state in the caller's object equal the whole frame
  constexpr auto block = ctml::make_pipeline(sos_filter<butter8_p<16>>{}).with(ctml::q15{}).with(streaming{});
  decltype(block)::state_type state{};
  static_assert(decltype(block)::ram_bytes() >= (2 * 5 + 2 * 4) * sizeof(std::int16_t), "the memories count as RAM");
  const auto x = frame16(2);
  std::array<std::int16_t, n> whole;
  b8.run(x, whole);
  for (std::size_t b = 0; b < n; b += 16) {
    std::array<std::int16_t, 16> in, y;
    for (std::size_t i = 0; i < 16; ++i) in[i] = x[b + i];
    block.run(in, y, state);
    for (std::size_t i = 0; i < 16; ++i) CTML_CHECK_EQ(y[i], whole[b + i]);
  }
}

// Decimation: fir_filter's outputs at every 3rd sample, computed alone (the
// same bits), the checksum of ctml.dsp's Decimate (test_dsp_expected.py), and
// streaming in blocks of 12 samples equal to the whole frame.
namespace {
template <std::size_t N>
struct decimate_p : fir9_p<N> {
  static constexpr std::size_t factor = 3;
};
}  // namespace

CTML_TEST(dsp_decimate_keeps_every_factor_th_fir_output) {
  constexpr auto dec = ctml::make_pipeline(decimate<decimate_p<n>>{});
  constexpr auto fir = ctml::make_pipeline(fir_filter<fir9_p<n>>{});
  static_assert(decltype(dec)::out_extent == 22);
  fnv h;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto x = frame(r);
    std::array<float, 22> y;
    std::array<float, n> all;
    dec.run(x, y);
    fir.run(x, all);
    for (std::size_t j = 0; j < 22; ++j) CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(y[j]), std::bit_cast<std::uint32_t>(all[3 * j]));
    h.add(y);
  }
  CTML_CHECK_EQ(h.h, 0xbcdd56d9u);
  constexpr auto block = ctml::make_pipeline(decimate<decimate_p<12>>{}).with(streaming{});
  constexpr auto whole = ctml::make_pipeline(decimate<decimate_p<48>>{});
  decltype(block)::state_type state{};
  const auto x = frame(3);
  std::array<float, 16> want;
  whole.run(std::span<const float, 48>(x.data(), 48), want);
  for (std::size_t b = 0; b < 4; ++b) {
    std::array<float, 4> y;
    block.run(std::span<const float, 12>(x.data() + 12 * b, 12), y, state);
    for (std::size_t j = 0; j < 4; ++j) CTML_CHECK_EQ(std::bit_cast<std::uint32_t>(y[j]), std::bit_cast<std::uint32_t>(want[4 * b + j]));
  }
}
