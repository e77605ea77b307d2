// The DSP stages offer rebind only for the policies they compute with (f32):
// .with(q15) on a DSP pipeline does not compile.
#include <ctml/ctml.hpp>

struct window_params {
  static constexpr std::size_t n = 64;
  static constexpr auto window = ctml::dsp::window_kind::hann;
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::window<window_params>{});
#ifdef CTML_EXPECT_FAIL
constexpr auto fixed = model.with(ctml::q15{});
#else
constexpr auto fixed = model.with(ctml::f32{});
#endif
static_assert(decltype(fixed)::in_extent == 64);
