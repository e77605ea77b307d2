// Sound event ("keyword") spotting on a Cortex-M4F: 8 kHz audio goes sample by
// sample into a framer (256-sample frames every 128, a caller-owned ring
// buffer); each frame -> log-mel column (ctml.dsp's Window >> RFFT >>
// MelFilterbank >> PowerToDb, f32, converted from scikit-learn Pipeline) into
// the clip's spectrogram (24 columns x 20 mels); every 25 frames (0.4 s) the
// spectrogram -> a small CNN (PyTorch, converted, int8). Checks on the host and
// on the emulated M4F that
//  - every log-mel value is ctml.dsp's (the numbers the CNN was trained on), bit for bit,
//  - the int8 CNN predicts what ctml's int8 build on the host predicts, clip for clip,
//  - the f32 CNN predicts PyTorch's class (up to float rounding at a near tie),
// and prints accuracy, RAM of the whole stream path and (on a port) instructions.
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <span>

#include <ctml/budget.hpp>
#include <ctml/dsp/stream.hpp>

#include "kws_cnn.hpp"
#include "kws_data.hpp"
#include "kws_frontend.hpp"
#include "kws_int8_vectors.hpp"

#if __has_include(<ctml_measure.hpp>)  // built as firmware for a ctml port: exact instruction counts
#include <ctml_measure.hpp>
#include <ctml_port.hpp>
#define KWS_ON_PORT 1
#endif

namespace {
namespace d = kws_data;
namespace v = kws_int8_vectors;
constexpr auto front = kws_frontend::model;              // f32 log-mel front end
constexpr auto cnn = kws_cnn::model.with(ctml::int8{});  // int8 CNN
constexpr auto cnn_f32 = kws_cnn::model;
constexpr std::size_t n_mels = kws_frontend::n_outputs, columns = d::columns;
using framer = ctml::dsp::framer<d::frame, d::hop>;
using spectrogram = std::array<float, columns * n_mels>;  // time-major: the CNN's (1, 24, 20) input
static_assert(kws_frontend::n_features == d::frame && kws_cnn::n_features == columns * n_mels);

// RAM of the whole stream path: ring buffer, frame, the front end's spectrum
// and mel buffers, the spectrogram, the CNN's int8 activation buffers.
constexpr std::size_t stream_ram = framer::ram_bytes() + sizeof(std::array<float, d::frame>) + front.ram_bytes() +
                                   sizeof(spectrogram) + cnn.ram_bytes();
static_assert(ctml::ram_budget<stream_ram, 64 * 1024>::ok, "the stream path fits 64 KB of RAM");
static_assert(ctml::fits<decltype(front), ctml::budget<1024 * 1024, 64 * 1024>> &&
              ctml::fits<decltype(cnn), ctml::budget<1024 * 1024, 64 * 1024>>);
#if defined(KWS_ON_PORT)
static_assert(ctml::ram_budget<stream_ram, ctml::this_port::budget::ram>::ok, "and the port's RAM");
#endif

// Instructions of a region (on a port; nothing on the host, where callgrind counts).
struct meter {
  std::size_t total = 0, worst = 0;
  void begin() noexcept {
#if defined(KWS_ON_PORT)
    ctml_measure_begin();
#endif
  }
  template <class T>
  void end(const T& result) noexcept {
#if defined(KWS_ON_PORT)
    const std::size_t n = ctml_measure_end();
    ctml_keep(result);
    total += n;
    worst = n > worst ? n : worst;
#else
    (void)result;
#endif
  }
};

void say(const char* key, std::size_t value) {
#if defined(KWS_ON_PORT)
  ctml_report(key, static_cast<std::uint32_t>(value));
#else
  std::printf("%s %zu\n", key, value);
#endif
}
}  // namespace

int main() {
  static_assert(v::n_rows == d::n_clips && v::n_features == columns * n_mels);
  framer::state_type ring{};
  spectrogram spec{};
  std::size_t frame_no = 0, clips = 0, same_bits = 0, correct = 0, correct_f32 = 0, agree = 0, agree_torch = 0;
  meter front_cost, cnn_cost;
  for (std::size_t c = 0; c < d::n_clips; ++c) {
    for (std::size_t i = 0; i < d::clip; ++i) {  // e.g. from the microphone's DMA half-buffer
      const float sample = static_cast<float>(ctml::flash_load(&d::audio[c][i])) / 32768.0f;
      if (!framer::push(ring, sample)) continue;
      const std::size_t col = frame_no++ % (columns + 1);
      if (col == columns) continue;  // the frame that straddles two clips
      std::array<float, d::frame> x;
      framer::frame(ring, x);
      const std::span<float, n_mels> column(spec.data() + col * n_mels, n_mels);
      front_cost.begin();
      front.run(x, column);
      front_cost.end(spec);
      if (col + 1 < columns) continue;
      // The clip's spectrogram is complete: classify it.
      bool bits = true;
      for (std::size_t j = 0; j < spec.size(); ++j)
        bits = bits && std::bit_cast<std::uint32_t>(spec[j]) == std::bit_cast<std::uint32_t>(ctml::flash_load(&v::x[c][j]));
      same_bits += bits;
      cnn_cost.begin();
      const int k = cnn.predict(spec);
      cnn_cost.end(k);
      const int kf = cnn_f32.predict(spec);
      correct += k == d::truth[c];
      correct_f32 += kf == d::truth[c];
      agree += k == ctml::flash_load(&v::expected[c]);
      agree_torch += kf == d::torch_pred[c];
      ++clips;
    }
  }
  say("clips", clips);
  say("spectrograms_bit_equal_to_ctml_dsp", same_bits);
  say("int8_agree_with_host_int8", agree);
  say("f32_agree_with_pytorch", agree_torch);
  say("int8_accuracy_permille", 1000 * correct / clips);
  say("f32_accuracy_permille", 1000 * correct_f32 / clips);
  say("stream_ram_bytes", stream_ram);
  say("cnn_int8_ram_bytes", cnn.ram_bytes());
  say("cnn_int8_flash_estimate", cnn.flash_bytes());
  say("front_flash_estimate", front.flash_bytes());
  say("cnn_macs", cnn.cost());
#if defined(KWS_ON_PORT)
  say("frontend_instructions_per_frame", front_cost.total / (clips * columns));
  say("frontend_instructions_worst", front_cost.worst);
  say("cnn_int8_instructions_per_clip", cnn_cost.total / clips);
  say("cnn_int8_instructions_worst", cnn_cost.worst);
#endif
  const bool ok = clips == d::n_clips && same_bits == clips && agree == clips && agree_torch + 1 >= clips &&
                  correct + 3 * clips / 100 >= correct_f32;
  return ok ? 0 : 1;
}
