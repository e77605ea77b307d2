// fastest_within<budget>: when no tree layout fits the flash budget, a compile
// error that prints the unrolled and table figures and the budget.
#include <ctml/ctml.hpp>

#include "params.hpp"

#ifdef CTML_EXPECT_FAIL
using chip = ctml::budget<8, 1024>;  // 8 bytes of flash: nothing fits
#else
using chip = ctml::budget<32 * 1024, 1024>;
#endif
constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<stump3>{}).with(ctml::fastest_within<chip>{});
static_assert(ctml::fits<decltype(model), chip>);
