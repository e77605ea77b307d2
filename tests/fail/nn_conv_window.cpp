// A conv window larger than its (padded) input is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using conv = nn::conv2d<conv_p<1, 1, 7>>;  // 7x7 on 5x5, no padding
#else
using conv = nn::conv2d<conv_p<1, 1, 7, 1, 1>>;  // 7x7 on 5x5 padded to 7x7
#endif
int f() { return use(nn::network<net_p<nn::shape<1, 5, 5>, nn::layers<conv, nn::flatten, nn::dense<dense_p<1, 2>>>>>{}); }
