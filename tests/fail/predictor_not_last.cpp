// A classifier outputs a class index: nothing numeric can follow it.
#include <ctml/ctml.hpp>

#include "params.hpp"

#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::forest_classifier<stump3>{} >> ctml::standard_scaler<scale1>{};
#else
constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3>{};
#endif
static_assert(decltype(model)::in_extent == 3);
