// The field's hello world: XOR with a decision tree and a small forest,
// checked row by row against scikit-learn.
#include <array>
#include <cstdio>

#include "xor_forest.hpp"
#include "xor_forest_vectors.hpp"
#include "xor_tree.hpp"
#include "xor_tree_vectors.hpp"

int main() {
  int failures = 0;
  const auto check = [&](const char* name, auto model, const auto& x, const auto& expected, const auto& truth,
                         std::size_t n) {
    std::size_t agree = 0, correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const int cls = model.predict(std::array<float, 2>{x[i][0], x[i][1]});
      agree += cls == expected[i];
      correct += cls == truth[i];
    }
    std::printf("%-10s corners (0,0) (0,1) (1,0) (1,1) -> %d %d %d %d; accuracy %zu/%zu; agreement with sklearn %zu/%zu\n",
                name, model.predict(std::array<float, 2>{0, 0}), model.predict(std::array<float, 2>{0, 1}),
                model.predict(std::array<float, 2>{1, 0}), model.predict(std::array<float, 2>{1, 1}), correct, n,
                agree, n);
    failures += agree != n;
  };
  check("xor_tree", xor_tree::model, xor_tree_vectors::x, xor_tree_vectors::expected, xor_tree_vectors::truth,
        xor_tree_vectors::n_rows);
  check("xor_forest", xor_forest::model, xor_forest_vectors::x, xor_forest_vectors::expected,
        xor_forest_vectors::truth, xor_forest_vectors::n_rows);
  return failures;
}
