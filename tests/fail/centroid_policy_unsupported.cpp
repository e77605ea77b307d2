// NearestCentroid's integer policy reads raw int8/int16 input: a 32-bit
// storage type is refused with the policies it takes.
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

struct centroids2 {
  static constexpr std::size_t n_features = 2, n_classes = 2;
  static constexpr double p = 2.0;
  static constexpr double centroids[2][2] = {{0, 0}, {1.5, 1}};
  static constexpr double norms[2] = {0, 3.25};
};

#ifdef CTML_EXPECT_FAIL
using centroid = ctml::nearest_centroid<centroids2, ctml::q<std::int32_t, 0>>;
#else
using centroid = ctml::nearest_centroid<centroids2, ctml::q<std::int16_t, 0>>;
#endif
static_assert(centroid::in_extent == 2);
