// A streaming decimator keeps its phase only if every block holds a multiple
// of `factor` samples: 30 samples with factor 4 do not compile.
#include <ctml/ctml.hpp>

struct decimate_params {
#ifdef CTML_EXPECT_FAIL
  static constexpr std::size_t n = 30;
#else
  static constexpr std::size_t n = 32;
#endif
  static constexpr std::size_t n_channels = 1, factor = 4, n_taps = 3;
  static constexpr double taps[n_taps] = {0.25, 0.5, 0.25};
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::decimate<decimate_params>{}).with(ctml::dsp::streaming{});
static_assert(decltype(model)::out_extent == decimate_params::n / 4 + (decimate_params::n % 4 != 0));
