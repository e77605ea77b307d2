// An f32 scaler cannot feed a q<> forest directly: the message names ctml::quantize.
#include <ctml/ctml.hpp>

#include "params.hpp"

#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3, ctml::q<std::int16_t, 8>>{};
#else
constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::quantize<ctml::q<std::int16_t, 8>, 3>{} >>
                       ctml::forest_classifier<stump3, ctml::q<std::int16_t, 8>>{};
#endif
static_assert(decltype(model)::in_extent == 3);
