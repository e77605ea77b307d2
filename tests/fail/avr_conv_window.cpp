// On AVR an int8 conv window over 256 taps (17 x 17 here) is rejected (its
// 24-bit sums); the f32 policy takes it.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using policy = ctml::int8;
#else
using policy = ctml::f32;
#endif
int f() {
  return use(nn::network<net_p<nn::shape<1, 17, 17>, nn::layers<nn::conv2d<conv_p<1, 1, 17>>, nn::flatten,
                                                             nn::dense<dense_p<1, 2>>>>, policy>{});
}
