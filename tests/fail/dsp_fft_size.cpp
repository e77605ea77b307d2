// A real FFT takes power-of-two frames (16 to 4096 values).
#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>

struct fft_params {
#ifdef CTML_EXPECT_FAIL
  static constexpr std::size_t n = 100;
#else
  static constexpr std::size_t n = 128;
#endif
  static constexpr auto output = ctml::dsp::spectrum::power;
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::rfft<fft_params>{});
static_assert(decltype(model)::out_extent == fft_params::n / 2 + 1);
