// A distance-weighted KNN cannot run on integers (its weights are 1 / distance
// in binary64): knn_classifier says which policies it takes.
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>

struct knn3 {
  static constexpr std::size_t n_classes = 2, n_features = 2, n_samples = 3, n_neighbors = 1;
  static constexpr double p = 2.0;
#ifdef CTML_EXPECT_FAIL
  static constexpr bool distance_weights = true;
#else
  static constexpr bool distance_weights = false;
#endif
  static constexpr double samples[3][2] = {{0, 0}, {1, 1}, {2, 0}};
  static constexpr std::int32_t labels[3] = {0, 1, 0};
};

using knn = ctml::knn_classifier<knn3, ctml::q<std::int16_t, 0>>;
static_assert(knn::in_extent == 2);
