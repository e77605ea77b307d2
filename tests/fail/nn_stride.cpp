// A pooling stride of 0 is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using pool = nn::max_pool2d<2, 2, 0, 0>;
#else
using pool = nn::max_pool2d<2, 2, 2, 2>;
#endif
int f() { return use(nn::network<net_p<nn::shape<1, 4, 4>, nn::layers<pool, nn::flatten, nn::dense<dense_p<4, 2>>>>>{}); }
