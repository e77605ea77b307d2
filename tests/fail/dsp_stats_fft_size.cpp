// ChannelStats' spectral statistics take the FFT of each channel: a power of
// two from 16 to 4096 samples per channel.
#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>

struct stats_params {
#ifdef CTML_EXPECT_FAIL
  static constexpr std::size_t n = 2 * 48;  // 48 samples per channel
#else
  static constexpr std::size_t n = 2 * 64;
#endif
  static constexpr std::size_t n_channels = 2, n_stats = 2;
  static constexpr ctml::dsp::stat stats[n_stats] = {ctml::dsp::stat::rms, ctml::dsp::stat::dominant_freq};
  static constexpr double sr = 100.0;
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::channel_stats<stats_params>{});
static_assert(decltype(model)::out_extent == 4);
