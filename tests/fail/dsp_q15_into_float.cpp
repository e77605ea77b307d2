// The q15 power spectrum is int32 with its own scale (q<int32_t, F>): a float
// stage after it needs ctml::dequantize, and the >> check says so.
#include <ctml/ctml.hpp>

struct fft_params {
  static constexpr std::size_t n = 64;
  static constexpr auto output = ctml::dsp::spectrum::power;
};
struct db_params {
  static constexpr std::size_t n = 33;
  static constexpr double amin = 1e-10;
};
using fft_q15 = ctml::dsp::rfft<fft_params, ctml::q15>;
#ifdef CTML_EXPECT_FAIL
constexpr auto model = fft_q15{} >> ctml::dsp::power_to_db<db_params>{};
#else
constexpr auto model = fft_q15{} >> ctml::dequantize<fft_q15::out_number, 33>{} >> ctml::dsp::power_to_db<db_params>{};
#endif
static_assert(decltype(model)::in_extent == 64);
