// An on-device learner needs room for at least k samples.
#include <ctml/ctml.hpp>

#ifdef CTML_EXPECT_FAIL
using config = ctml::knn_learner_config<3, 2, 4, 5>;  // k = 5 > capacity 4
#else
using config = ctml::knn_learner_config<3, 2, 8, 5>;
#endif
static_assert(config::capacity >= 4);
