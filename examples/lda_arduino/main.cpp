// micro-learn's use case end to end: a binary LDA deciding from four raw
// 10-bit ADC counts on an ATmega328P. The float model agrees with sklearn row
// for row; the integer model reads the int16 counts directly (q<int16_t, 0>:
// int16 weights, int32 sums, no float at all) and must fit the chip's budget.
#include <array>
#include <cstdint>
#include <cstdio>

#include "lda.hpp"
#include "lda_vectors.hpp"

int main() {
  namespace v = lda_vectors;
  constexpr auto counts = lda::model.with(ctml::q<std::int16_t, 0>{});
  // ATmega328P: 32 KB of flash, 2 KB of RAM.
  static_assert(ctml::fits<decltype(counts), ctml::budget<32 * 1024, 2048>>);

  std::size_t agree = 0, int_agree = 0, truth = 0;
  for (std::size_t i = 0; i < v::n_rows; ++i) {
    std::array<float, lda::n_features> x{};
    std::array<std::int16_t, lda::n_features> adc{};
    for (std::size_t j = 0; j < x.size(); ++j) {
      x[j] = v::x[i][j];
      adc[j] = static_cast<std::int16_t>(v::x[i][j]);
    }
    const int f = lda::model.predict(x);
    agree += f == v::expected[i];
    int_agree += counts.predict(adc) == v::expected[i];
    truth += f == v::truth[i];
  }
  std::printf("LDA on ADC counts: float agrees with sklearn %zu/%zu, int16 %zu/%zu, accuracy %zu/%zu; "
              "int16 model ~%zu B flash, %zu B RAM\n",
              agree, v::n_rows, int_agree, v::n_rows, truth, v::n_rows, counts.flash_bytes(), counts.ram_bytes());
  return agree == v::n_rows && int_agree == v::n_rows ? 0 : 1;
}
