// A model needing more RAM than the budget is rejected, naming both numbers.
#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3>{};
#ifdef CTML_EXPECT_FAIL
static_assert(ctml::ram_budget<model.ram_bytes(), 4>::ok);
#else
static_assert(ctml::ram_budget<model.ram_bytes(), 2048>::ok);
#endif
