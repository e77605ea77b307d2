// A 2-d conv layer on a 1-d (channels, length) input is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using input = nn::shape<3, 25>;
#else
using input = nn::shape<3, 5, 5>;
#endif
int f() {
  return use(nn::network<net_p<input, nn::layers<nn::conv2d<conv_p<3, 2, 3>>, nn::flatten, nn::dense<dense_p<18, 2>>>>>{});
}
