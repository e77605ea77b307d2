// q15 FIR taps must fit 16-bit fixed point with an exact int32 sum: a tap
// of 2^16 does not compile.
#include <ctml/ctml.hpp>

struct fir_params {
  static constexpr std::size_t n = 32, n_channels = 1, n_taps = 2;
#ifdef CTML_EXPECT_FAIL
  static constexpr double taps[n_taps] = {65536.0, 1.0};
#else
  static constexpr double taps[n_taps] = {0.5, 1.0};
#endif
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::fir_filter<fir_params>{}).with(ctml::q15{});
static_assert(decltype(model)::in_extent == 32);
void use(std::span<const std::int16_t, 32> in, std::span<std::int16_t, 32> out) { model.run(in, out); }
