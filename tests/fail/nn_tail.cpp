// Only identity, softmax or sigmoid may follow the last dense layer.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using layers = nn::layers<nn::dense<dense_p<2, 3>>, nn::relu>;
#else
using layers = nn::layers<nn::dense<dense_p<2, 3>>, nn::softmax>;
#endif
int f() { return use(nn::network<net_p<nn::shape<2>, layers>>{}); }
