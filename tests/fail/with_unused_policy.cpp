// A forest takes f32 and q<> but not the networks' int8: `.with` that no
// stage takes is an error, not a silent no-op.
#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<stump3>{});
#ifdef CTML_EXPECT_FAIL
constexpr auto other = model.with(ctml::int8{});
#else
constexpr auto other = model.with(ctml::q<std::int16_t, 8>{});
#endif
static_assert(decltype(other)::in_extent == 3);
