// Predicts the rows the generated header embeds (convert --data) on the
// target and compares with scikit-learn's classes; the header has already
// made the target's compiler prove the same at compile time.
#include <array>
#include <cstddef>

#include "models/toy.hpp"

#ifndef CTML_CONSUMER_FLAG
#error "the user's CMAKE_CXX_FLAGS were dropped (expected -DCTML_CONSUMER_FLAG)"
#endif

int main() {
  using rows = toy::self_check_rows;
  int wrong = 0;
  for (std::size_t i = 0; i < rows::n_rows; ++i) {
    std::array<float, toy::n_features> x{};
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = rows::x[i][j];
    wrong += toy::model.predict(x) != rows::expected[i];
  }
  return wrong;
}
