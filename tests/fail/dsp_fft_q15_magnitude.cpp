// The q15 real FFT outputs power or complex bins, not magnitudes.
#include <ctml/ctml.hpp>

struct fft_params {
  static constexpr std::size_t n = 64;
#ifdef CTML_EXPECT_FAIL
  static constexpr auto output = ctml::dsp::spectrum::magnitude;
#else
  static constexpr auto output = ctml::dsp::spectrum::power;
#endif
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::rfft<fft_params>{}).with(ctml::q15{});
static_assert(decltype(model)::in_extent == 64);
using out = decltype(model)::out_type;
out sink;
void run_it(const std::array<std::int16_t, 64>& x, std::array<out, decltype(model)::out_extent>& y) { model.run(x, y); }
