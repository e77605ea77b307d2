// On AVR a forest regressor (sklearn averages in binary64, which AVR cannot
// compute at run time) is rejected; a classifier is fine.
#include <array>

#include <ctml/ctml.hpp>

#include "params.hpp"

struct stump3_regressor : stump3 {
  static constexpr std::size_t n_classes = 1;
  static constexpr double values[2][1] = {{1.5}, {-2.0}};
};
#ifdef CTML_EXPECT_FAIL
constexpr auto model = ctml::make_pipeline(ctml::forest_regressor<stump3_regressor>{});
#else
constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<stump3>{});
#endif
int f() {
  std::array<float, 3> x{};
  return static_cast<int>(model.predict(x));
}
