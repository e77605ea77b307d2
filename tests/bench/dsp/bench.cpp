// One DSP case per firmware (CTML_BENCH_CASE_<name>): prints `key value`
// lines: instructions (cycles on AVR) per call and per sample, peak stack, and
// the library's flash estimate. Inputs are a fixed pseudo-random signal.
//   power256    rfft<256> power spectrum (f32)
//   logmel1024  rfft<1024> power >> 64 slaney mels (16 kHz) >> dB (f32)
//   butter8     scipy butter(8, 0.1, output="sos") as given, streaming, 256-sample blocks (f32)
//   fir32       firwin(32, 0.2), streaming, 256-sample blocks (f32)
//   fir32q15    the same in q15 on int16 samples
//   butter8q15  butter8 in q15 on int16 samples (ctml scales the sos itself)
//   decimate4   fir32's taps, keeping every 4th output (only those computed), streaming (f32)
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/dsp/dsp.hpp>
#include <ctml/pipeline.hpp>
#include <ctml_measure.hpp>

namespace {
using namespace ctml::dsp;

struct power256_p { static constexpr std::size_t n = 256; static constexpr auto output = spectrum::power; };
struct power1024_p { static constexpr std::size_t n = 1024; static constexpr auto output = spectrum::power; };
struct mel_p {
  static constexpr std::size_t n_fft = 1024, n_mels = 64;
  static constexpr double sr = 16000.0, fmin = 0.0, fmax = 8000.0;
  static constexpr bool htk = false;
  static constexpr auto norm = mel_norm::slaney;
};
struct db_p { static constexpr std::size_t n = 64; static constexpr double amin = 1e-10; };
struct butter_p {  // scipy.signal.butter(8, 0.1, output="sos")
  static constexpr std::size_t n = 256, n_channels = 1, n_sections = 4;
  static constexpr double sos[n_sections][6] = {
      {1.7625537291912843e-07, 3.5251074583825687e-07, 1.7625537291912843e-07, 1.0, -1.4597062543768673, 0.5348259849616107},
      {1.0, 2.0, 1.0, 1.0, -1.5132907658389045, 0.5911680745682053},
      {1.0, 2.0, 1.0, 1.0, -1.6234056976410005, 0.7069497656826822},
      {1.0, 2.0, 1.0, 1.0, -1.7939618452517712, 0.8862831120070135}};
};
struct fir_p {
  static constexpr std::size_t n = 256, n_channels = 1, n_taps = 32;
  static constexpr double taps[n_taps] = {  // scipy.signal.firwin(32, 0.2)
      -0.0005071080014988374, 0.000605885435265773, 0.002234629082015176, 0.004132057443707582,
      0.004989659835466699, 0.002776106372470037, -0.00393256486623099, -0.014233556164278337,
      -0.023880160004657567, -0.025932499335324925, -0.013265496183571172, 0.017937981562635687,
      0.0653379056760266, 0.11982919588135559, 0.16786738481228028, 0.1960405784543383,
      0.1960405784543383, 0.16786738481228028, 0.11982919588135559, 0.0653379056760266,
      0.01793798156263568, -0.013265496183571169, -0.025932499335324922, -0.023880160004657563,
      -0.014233556164278334, -0.003932564866230989, 0.002776106372470037, 0.004989659835466699,
      0.004132057443707582, 0.002234629082015176, 0.000605885435265773, -0.0005071080014988374};
};

#if defined(CTML_BENCH_CASE_power256)
constexpr auto model = ctml::make_pipeline(rfft<power256_p>{});
constexpr std::size_t samples_per_call = 256;
#elif defined(CTML_BENCH_CASE_logmel1024)
constexpr auto model = rfft<power1024_p>{} >> mel_filterbank<mel_p>{} >> power_to_db<db_p>{};
constexpr std::size_t samples_per_call = 1024;
#elif defined(CTML_BENCH_CASE_butter8)
constexpr auto model = ctml::make_pipeline(sos_filter<butter_p>{}).with(streaming{});
constexpr std::size_t samples_per_call = 256;
#elif defined(CTML_BENCH_CASE_butter8q15)
constexpr auto model = ctml::make_pipeline(sos_filter<butter_p>{}).with(streaming{}).with(ctml::q15{});
constexpr std::size_t samples_per_call = 256;
#elif defined(CTML_BENCH_CASE_decimate4)
struct decimate_p : fir_p {
  static constexpr std::size_t factor = 4;
};
constexpr auto model = ctml::make_pipeline(decimate<decimate_p>{}).with(streaming{});
constexpr std::size_t samples_per_call = 256;
#elif defined(CTML_BENCH_CASE_fir32)
constexpr auto model = ctml::make_pipeline(fir_filter<fir_p>{}).with(streaming{});
constexpr std::size_t samples_per_call = 256;
#elif defined(CTML_BENCH_CASE_fir32q15)
constexpr auto model = ctml::make_pipeline(fir_filter<fir_p>{}).with(streaming{}).with(ctml::q15{});
constexpr std::size_t samples_per_call = 256;
#else
struct no_stage {
  using state_type = ctml::no_state;
  using in_type = float;
  using out_type = float;
  static constexpr std::size_t in_extent = 256, out_extent = 1;
  static constexpr std::size_t flash_bytes() noexcept { return 0; }
  void run(std::span<const float, 256> in, std::span<float, 1> out, state_type&) const noexcept { out[0] = in[0]; }
};
constexpr no_stage model{};
constexpr std::size_t samples_per_call = 256;
#endif
using model_t = std::remove_cvref_t<decltype(model)>;

std::array<model_t::in_type, model_t::in_extent> input;
std::array<model_t::out_type, model_t::out_extent> output;
model_t::state_type state{};

[[gnu::noinline]] void bench_run() { model.run(input, output, state); }
}  // namespace

int main() {
  std::uint32_t s = 2463534242u;
  for (auto& v : input) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    const auto v16 = static_cast<std::int16_t>(s >> 16);
    if constexpr (std::is_same_v<model_t::in_type, float>) v = static_cast<float>(v16) / 32768.0f;
    else v = v16;
  }
  ctml_stack_paint();
  bench_run();  // warm (streaming state filled)
  ctml_measure_begin();
  bench_run();
  const std::uint32_t cost = ctml_measure_end();
  ctml_keep(output);
  ctml_report("instructions_per_call", cost);
  ctml_report("instructions_per_sample_x10", static_cast<std::uint32_t>(10u * cost / samples_per_call));
  ctml_report("stack", ctml_stack_peak());
  ctml_report("flash_estimate", static_cast<std::uint32_t>(model_t::flash_bytes()));
  return 0;
}
