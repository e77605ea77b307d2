// A row with the wrong number of features: one ctml diagnostic with both numbers.
#include <array>

#include <ctml/ctml.hpp>

#include "params.hpp"

constexpr auto model = ctml::standard_scaler<scale3>{} >> ctml::forest_classifier<stump3>{};

int predict_one() {
#ifdef CTML_EXPECT_FAIL
  const std::array<float, 5> x{};  // the model takes 3
#else
  const std::array<float, 3> x{};
#endif
  return model.predict(x);
}
