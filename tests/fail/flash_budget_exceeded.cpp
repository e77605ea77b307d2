// A model larger than the flash budget is rejected, naming both numbers.
#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3>{};
#ifdef CTML_EXPECT_FAIL
using chip = ctml::budget<16, 1024>;  // 16 bytes of flash
#else
using chip = ctml::budget<32 * 1024, 1024>;
#endif
static_assert(ctml::fits<decltype(model), chip>);
