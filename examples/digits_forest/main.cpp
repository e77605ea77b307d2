// The reference digits forest (10 trees, depth 10) in both layouts: accuracy,
// agreement with scikit-learn, and what each layout costs.
#include <array>
#include <cstdio>

#include "digits.hpp"
#include "digits_vectors.hpp"

template <class Model>
static bool evaluate(const char* layout, Model model) {
  namespace v = digits_vectors;
  std::size_t agree = 0, correct = 0;
  for (std::size_t i = 0; i < v::n_rows; ++i) {
    std::array<float, digits::n_features> x{};
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = v::x[i][j];
    const int cls = model.predict(x);
    agree += cls == v::expected[i];
    correct += cls == v::truth[i];
  }
  std::printf("digits %-8s accuracy %.4f (%zu/%zu)  agreement with sklearn %zu/%zu  flash ~%zu B  RAM %zu B  <= %zu compares\n",
              layout, static_cast<double>(correct) / v::n_rows, correct, v::n_rows, agree, v::n_rows,
              model.flash_bytes(), model.ram_bytes(), model.cost());
  return agree == v::n_rows;
}

int main() {
  const bool unrolled = evaluate("unrolled", digits::model.with(ctml::unrolled_layout{}));
  const bool table = evaluate("table", digits::model.with(ctml::table_layout{}));
  return unrolled && table ? 0 : 1;
}
