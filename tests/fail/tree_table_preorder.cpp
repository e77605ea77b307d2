// The table layout needs trees in pre-order (a left child right after its parent).
#include <array>

#include <ctml/ctml.hpp>

#include "params.hpp"

// x[0] <= 0.5 ? class 0 : class 1, with the children stored right first.
struct stump3_reversed : stump3 {
  static constexpr std::int32_t left[3] = {2, -1, -1};
  static constexpr std::int32_t right[3] = {1, -1, -1};
  static constexpr std::int32_t leaf[3] = {-1, 1, 0};
};
#ifdef CTML_EXPECT_FAIL
using params = stump3_reversed;
#else
using params = stump3;
#endif
constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<params>{}).with(ctml::table_layout{});
int f() {
  std::array<float, 3> x{};
  return model.predict(x);
}
