// q<> fixed point is not a network policy.
#include <cstdint>

#include <ctml/pipeline.hpp>

#include "nn_params.hpp"
using namespace fail_nn;
constexpr auto model = ctml::make_pipeline(nn::network<net_p<nn::shape<2>, nn::layers<nn::dense<dense_p<2, 3>>>>>{});
#ifdef CTML_EXPECT_FAIL
int f() { return use(model.with(ctml::q<std::int16_t, 8>{})); }
#else
int f() { return use(model.with(ctml::int8{})); }
#endif
