// A logistic head reads one output: three are rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
constexpr std::size_t outputs = 3;
#else
constexpr std::size_t outputs = 1;
#endif
int f() {
  return use(nn::network<net_p<nn::shape<2>, nn::layers<nn::dense<dense_p<2, outputs>>>, nn::head::logistic>>{});
}
