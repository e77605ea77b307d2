// band_energy needs bands (lo, hi) in Hz that each hold an FFT bin.
#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>

struct stats_params {
  static constexpr std::size_t n = 64, n_channels = 1, n_stats = 1;
  static constexpr ctml::dsp::stat stats[n_stats] = {ctml::dsp::stat::band_energy};
  static constexpr double sr = 64.0;  // bins 1 Hz apart
  static constexpr std::size_t n_bands = 2;
#ifdef CTML_EXPECT_FAIL
  static constexpr double bands[n_bands][2] = {{0.0, 4.0}, {4.2, 4.9}};  // no bin in the second
#else
  static constexpr double bands[n_bands][2] = {{0.0, 4.0}, {4.0, 4.9}};
#endif
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::channel_stats<stats_params>{});
static_assert(decltype(model)::out_extent == 2);
