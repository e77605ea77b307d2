// A dense layer whose n_in is not the size of its input is rejected.
#include "nn_params.hpp"
using namespace fail_nn;
#ifdef CTML_EXPECT_FAIL
using input = nn::shape<3>;
#else
using input = nn::shape<2>;
#endif
int f() { return use(nn::network<net_p<input, nn::layers<nn::dense<dense_p<2, 3>>>>>{}); }
