// CategoricalNB computes with f32 (categories are the input's integer part,
// likelihoods in float and binary64): another policy is refused with a message.
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

struct cnb2 {
  static constexpr std::size_t n_features = 2, n_classes = 2, n_values = 5;
  static constexpr std::int32_t n_categories[2] = {2, 3};
  static constexpr double log_prob[5][2] = {{-0.5, -1}, {-1, -0.5}, {-1, -1.2}, {-1.2, -1}, {-1.1, -1.1}};
  static constexpr double log_prior[2] = {-0.69, -0.69};
};

#ifdef CTML_EXPECT_FAIL
using cnb = ctml::categorical_nb<cnb2, ctml::q<std::int16_t, 0>>;
#else
using cnb = ctml::categorical_nb<cnb2>;
#endif
static_assert(cnb::in_extent == 2);
