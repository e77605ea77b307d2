// A q15 biquad cascade needs stable sections (ctml scales them by their
// impulse responses): an unstable section does not compile.
#include <ctml/ctml.hpp>

struct sos_params {
  static constexpr std::size_t n = 32, n_channels = 1, n_sections = 1;
#ifdef CTML_EXPECT_FAIL
  static constexpr double sos[n_sections][6] = {{0.5, 0.0, 0.0, 1.0, -1.5, 1.2}};  // |a2| > 1
#else
  static constexpr double sos[n_sections][6] = {{0.5, 0.0, 0.0, 1.0, -1.5, 0.7}};
#endif
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::sos_filter<sos_params>{}).with(ctml::q15{});
static_assert(decltype(model)::in_extent == 32);
void use(std::span<const std::int16_t, 32> in, std::span<std::int16_t, 32> out) { model.run(in, out); }
