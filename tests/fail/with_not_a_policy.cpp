// `.with(42)` is neither a number policy nor a layout.
#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<stump3>{});
#ifdef CTML_EXPECT_FAIL
constexpr auto other = model.with(42);
#else
constexpr auto other = model.with(ctml::table_layout{});
#endif
static_assert(decltype(other)::in_extent == 3);
