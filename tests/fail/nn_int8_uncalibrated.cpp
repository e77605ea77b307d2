// int8 needs the activation ranges of a calibrated header.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
constexpr bool calibrated = false;
#else
constexpr bool calibrated = true;
#endif
int f() {
  return use(nn::network<net_p<nn::shape<2>, nn::layers<nn::dense<dense_p<2, 3>>>, nn::head::argmax, calibrated>,
                         ctml::int8>{});
}
