// The q15 mel filterbank reads the q15 rfft's power spectrum, so its n_fft is
// a power of two from 16 to 4096 (the f32 one takes any n_fft).
#include <ctml/ctml.hpp>

struct mel_params {
#ifdef CTML_EXPECT_FAIL
  static constexpr std::size_t n_fft = 100;
#else
  static constexpr std::size_t n_fft = 128;
#endif
  static constexpr std::size_t n_mels = 8;
  static constexpr double sr = 8000.0, fmin = 0.0, fmax = 4000.0;
  static constexpr bool htk = false;
  static constexpr auto norm = ctml::dsp::mel_norm::slaney;
};
using mel = ctml::dsp::mel_filterbank<mel_params, ctml::q15>;
static_assert(mel::out_extent == 8);
