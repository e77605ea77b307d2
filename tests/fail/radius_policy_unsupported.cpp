// RadiusNeighborsClassifier computes with f32 only (its radius test settles
// near-ties in binary64): another policy is refused with a message.
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

struct radius3 {
  static constexpr std::size_t n_classes = 2, n_features = 2, n_samples = 3;
  static constexpr double p = 2.0, radius = 1.0;
  static constexpr bool distance_weights = false;
  static constexpr int outlier = -1;
  static constexpr double samples[3][2] = {{0, 0}, {1, 1}, {2, 0}};
  static constexpr std::int32_t labels[3] = {0, 1, 0};
};

#ifdef CTML_EXPECT_FAIL
using radius = ctml::radius_neighbors_classifier<radius3, ctml::q<std::int16_t, 0>>;
#else
using radius = ctml::radius_neighbors_classifier<radius3>;
#endif
static_assert(radius::in_extent == 2);
