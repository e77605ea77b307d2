// The seed's 8-bit Arduino gesture network (150 -> 10 relu -> 5 relu -> 1):
// float and int8 on the same test recordings, against scikit-learn and the
// true labels. The int8 model reads the raw int8 accelerometer counts
// directly (its input scale is 1 count), as firmware on an ATmega32u4 does;
// tests/bench/bench.py nn measures it there.
#include <array>
#include <cstdint>
#include <cstdio>

#include "gesture.hpp"
#include "gesture_vectors.hpp"

int main() {
  namespace v = gesture_vectors;
  constexpr auto fast = gesture::model.with(ctml::int8_fast{});
  using net = decltype(fast)::first;
  static_assert(net::input_scale == 1.0 && net::input_zero_point == 0, "raw counts are the quantised input");
  // The seed's board, an ATmega32u4: 32 KB of flash, 2.5 KB of RAM.
  static_assert(ctml::fits<decltype(fast), ctml::budget<32 * 1024, 2560>>);

  std::size_t f_ok = 0, q_ok = 0, q_raw_ok = 0, agree = 0, same = 0;
  for (std::size_t i = 0; i < v::n_rows; ++i) {
    std::array<float, gesture::n_features> x{};
    std::array<std::int8_t, gesture::n_features> raw{};
    for (std::size_t j = 0; j < x.size(); ++j) {
      x[j] = v::x[i][j];
      raw[j] = static_cast<std::int8_t>(v::x[i][j]);
    }
    const int f = gesture::model.predict(x);
    const int q = fast.predict(x);
    const int qr = net{}.predict_quantized(raw);
    f_ok += f == v::truth[i];
    q_ok += q == v::truth[i];
    q_raw_ok += qr == v::truth[i];
    agree += f == v::expected[i];
    same += q == qr;
  }
  const auto pct = [](std::size_t n) { return 100.0 * static_cast<double>(n) / static_cast<double>(v::n_rows); };
  std::printf("gesture MLP (%zu MACs): float accuracy %.2f%% (agrees with sklearn %zu/%zu), int8 %.2f%%, "
              "int8 flash ~%zu B, RAM %zu B\n",
              fast.cost(), pct(f_ok), agree, v::n_rows, pct(q_ok), fast.flash_bytes(), fast.ram_bytes());
  const bool ok = agree == v::n_rows && same == v::n_rows && q_raw_ok == q_ok && pct(f_ok) - pct(q_ok) <= 1.0;
  return ok ? 0 : 1;
}
