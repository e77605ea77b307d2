// Rebinding only the forest to q<> leaves the f32 scaler feeding it floats.
#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::quantize<ctml::q<std::int16_t, 8>, 3>{} >>
                       ctml::forest_classifier<stump3, ctml::q<std::int16_t, 8>>{};
#ifdef CTML_EXPECT_FAIL
constexpr auto other = model.with<2>(ctml::f32{});
#else
constexpr auto other = model.with<2>(ctml::q<std::int16_t, 8>{});
#endif
static_assert(decltype(other)::in_extent == 3);
