// A network without a dense layer (no output to read) is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using layers = nn::layers<nn::conv2d<conv_p<1, 2, 3>>, nn::flatten>;
#else
using layers = nn::layers<nn::conv2d<conv_p<1, 2, 3>>, nn::flatten, nn::dense<dense_p<18, 2>>>;
#endif
int f() { return use(nn::network<net_p<nn::shape<1, 5, 5>, layers>>{}); }
