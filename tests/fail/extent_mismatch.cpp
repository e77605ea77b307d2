// A 4-feature scaler cannot feed a 3-feature model.
#include <ctml/ctml.hpp>

#include "params.hpp"

#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::standard_scaler<scale4>{} >> ctml::forest_classifier<stump3>{};
#else
constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3>{};
#endif
static_assert(decltype(model)::in_extent > 0);
