// A q<> scaler cannot feed an f32 forest directly: the message names ctml::dequantize.
#include <ctml/ctml.hpp>

#include "params.hpp"

using q8 = ctml::q<std::int16_t, 8>;
#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::standard_scaler<scale3, q8>{} >> ctml::forest_classifier<stump3>{};
#else
constexpr auto model = ctml::standard_scaler<scale3, q8>{} >> ctml::dequantize<q8, 3>{} >> ctml::forest_classifier<stump3>{};
#endif
static_assert(decltype(model)::in_extent == 3);
