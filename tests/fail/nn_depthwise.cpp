// A depthwise conv whose out_channels are not a multiple of its in_channels is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
constexpr std::size_t out = 5;
#else
constexpr std::size_t out = 4;
#endif
using conv = nn::depthwise_conv2d<conv_p<2, out, 3, 1, 1, 1>>;
int f() {
  return use(nn::network<net_p<nn::shape<2, 3, 3>, nn::layers<conv, nn::flatten, nn::dense<dense_p<out * 9, 2>>>>>{});
}
