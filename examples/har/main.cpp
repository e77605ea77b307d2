// Human activity recognition: a 3-axis accelerometer stream (x, y, z
// interleaved) goes value by value into a framer (64 samples every 32, in a
// caller-owned ring buffer); each frame -> per-axis statistics -> random forest.
// Checks that the streamed frames predict what scikit-learn's Pipeline predicts
// on the offline frames, row for row, and prints accuracy and sizes.
#include <array>
#include <cstdio>

#include <ctml/dsp/stream.hpp>

#include "har.hpp"
#include "har_vectors.hpp"

namespace v = har_vectors;
constexpr std::size_t frame = har::n_features, hop = frame / 2;  // values (3 per sample)

float value(std::size_t t) {  // the continuous test stream, rebuilt from its frames
  const std::size_t row = t < frame ? 0 : (t - frame) / hop + 1;
  return ctml::flash_load(&v::x[row][t - row * hop]);
}

int main() {
  using framer = ctml::dsp::framer<frame, hop>;
  framer::state_type ring{};
  const std::size_t length = frame + (v::n_rows - 1) * hop;
  std::size_t k = 0, agree = 0, correct = 0;
  for (std::size_t t = 0; t < length; ++t) {
    if (!framer::push(ring, value(t))) continue;  // e.g. from the sensor's interrupt
    std::array<float, frame> x;
    framer::frame(ring, x);
    const int cls = har::model.predict(x);
    agree += cls == ctml::flash_load(&v::expected[k]);
    correct += cls == ctml::flash_load(&v::truth[k]);
    ++k;
  }
  std::printf("har: %zu frames streamed, agreement with sklearn %zu/%zu, accuracy %.3f; "
              "flash ~%zu B, RAM %zu B (+ ring %zu B), cost %zu\n",
              k, agree, v::n_rows, static_cast<double>(correct) / static_cast<double>(v::n_rows),
              har::model.flash_bytes(), har::model.ram_bytes(), framer::ram_bytes(), har::model.cost());
  return k == v::n_rows && agree == v::n_rows ? 0 : 1;
}
