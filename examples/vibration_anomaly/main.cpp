// Vibration anomaly detection: a motor's accelerometer stream (1024 Hz) goes
// sample by sample into a framer (256 samples every 128, in a caller-owned
// ring buffer); each frame -> ChannelStats (rms, ptp, kurtosis, dominant
// frequency, energy in two bands, from the frame's FFT) -> IsolationForest
// trained on healthy frames only (threshold: 1% false alarms on held-out
// healthy frames). Checks that every streamed frame gets scikit-learn's
// prediction and prints what the detector flags per condition.
#include <array>
#include <cstdio>

#include <ctml/budget.hpp>
#include <ctml/dsp/stream.hpp>

#include "vibration.hpp"
#include "vibration_labels.hpp"
#include "vibration_vectors.hpp"

namespace v = vibration_vectors;
constexpr std::size_t frame = vibration::n_features, hop = frame / 2;
using framer = ctml::dsp::framer<frame, hop>;

// An STM32F4-class Cortex-M4F with 1 MB of flash and 128 KB of RAM: the model,
// its scratch and the ring buffer in a 16 KB corner of it.
static_assert(ctml::fits<decltype(vibration::model), ctml::budget<1024 * 1024, 16 * 1024 - framer::ram_bytes()>>);

float value(std::size_t t) {  // the continuous test stream, rebuilt from its frames
  const std::size_t row = t < frame ? 0 : (t - frame) / hop + 1;
  return ctml::flash_load(&v::x[row][t - row * hop]);
}

int main() {
  static_assert(vibration_labels::n_rows == v::n_rows);
  framer::state_type ring{};
  const std::size_t length = frame + (v::n_rows - 1) * hop;
  std::size_t k = 0, agree = 0, flagged[3] = {}, frames[3] = {};
  for (std::size_t t = 0; t < length; ++t) {
    if (!framer::push(ring, value(t))) continue;  // e.g. from the ADC's DMA interrupt
    std::array<float, frame> x;
    framer::frame(ring, x);
    const int inlier = vibration::model.predict(x);  // +1 healthy, -1 anomaly
    agree += inlier == static_cast<int>(ctml::flash_load(&v::expected[k]));
    const unsigned c = vibration_labels::condition[k];
    ++frames[c];
    flagged[c] += inlier == -1;
    ++k;
  }
  std::printf("vibration: %zu frames streamed, agreement with sklearn %zu/%zu; flagged: healthy %zu/%zu (false alarms), "
              "unbalanced %zu/%zu, bearing fault %zu/%zu; flash ~%zu B, RAM %zu B (+ ring %zu B), cost %zu\n",
              k, agree, v::n_rows, flagged[0], frames[0], flagged[1], frames[1], flagged[2], frames[2],
              vibration::model.flash_bytes(), vibration::model.ram_bytes(), framer::ram_bytes(), vibration::model.cost());
  return k == v::n_rows && agree == v::n_rows ? 0 : 1;
}
