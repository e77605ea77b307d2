// int8 networks take softmax only as the last layer.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using hidden = nn::softmax;
#else
using hidden = nn::tanh;
#endif
int f() {
  return use(nn::network<net_p<nn::shape<2>, nn::layers<nn::dense<dense_p<2, 3>>, hidden, nn::dense<dense_p<3, 2>>>>,
                         ctml::int8>{});
}
