// A q<int16_t, 8> scaler cannot feed a q<int16_t, 12> scaler.
#include <ctml/ctml.hpp>

#include "params.hpp"

using a = ctml::standard_scaler<scale3, ctml::q<std::int16_t, 8>>;
#ifdef CTML_EXPECT_FAIL
using b = ctml::standard_scaler<scale3, ctml::q<std::int16_t, 12>>;
#else
using b = ctml::standard_scaler<scale3, ctml::q<std::int16_t, 8>>;
#endif
constexpr auto model = a{} >> b{};
static_assert(decltype(model)::in_extent == 3);
