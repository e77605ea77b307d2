// The DSP stages offer rebind only for the policies they compute with (the
// DCT: f32): .with(q15) on a pipeline of such stages does not compile.
#include <ctml/ctml.hpp>

struct dct_params {
  static constexpr std::size_t n = 16, n_coefs = 8;
};
constexpr auto model = ctml::make_pipeline(ctml::dsp::dct<dct_params>{});
#ifdef CTML_EXPECT_FAIL
constexpr auto fixed = model.with(ctml::q15{});
#else
constexpr auto fixed = model.with(ctml::f32{});
#endif
static_assert(decltype(fixed)::in_extent == 16);
