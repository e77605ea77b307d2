// Sound level meter (what emlearn-micropython's soundlevel example computes):
// int16 microphone samples at 16 kHz -> A-weighting IIR in q15 (the sos that
// design.py derives from IEC 61672's analog formula by the bilinear
// transform, converted by `ctml convert`; ctml scales it for int16 itself) ->
// mean square per 1024-sample frame -> level in dBFS. The samples arrive in
// 256-sample blocks (a DMA half-buffer); the filter's memories stay in the
// caller's `filter_state` between blocks.
//
// Checks every frame's level against float64 scipy (design.py), prints the
// largest difference and the cost per sample and per frame: instructions on
// Cortex-M (QEMU -icount, exact), nanoseconds on the host. Runs on the host
// (scripts/main) and on the 32-bit ports (tests/target).
#include <array>
#include <cstdint>

#include <ctml/number/math.hpp>
#include <ctml_measure.hpp>

#include "a_weighting.hpp"
#include "sound_level_data.hpp"

namespace data = sound_level_data;

namespace {
constexpr auto meter = a_weighting::model.with(ctml::q15{}).with(ctml::dsp::streaming{});
using meter_t = std::remove_cvref_t<decltype(meter)>;
static_assert(meter_t::in_extent == data::block, "design.py fits the filter on 256-sample blocks");

meter_t::state_type filter_state{};
std::array<std::int16_t, data::block> in, out;

void print_db(const char* name, double db) {  // dB with two decimals
  const double a = db < 0 ? -db : db;
  const auto hundredths = static_cast<std::uint32_t>(a * 100.0 + 0.5);
  ctml_print(name);
  ctml_print(db < 0 ? " -" : " ");
  ctml_print_u32(hundredths / 100);
  ctml_print(hundredths % 100 < 10 ? ".0" : ".");
  ctml_print_u32(hundredths % 100);
}
}  // namespace

int main() {
  double worst = 0;
  std::uint32_t filter_cost = 0, frame_cost = 0;
  for (std::size_t f = 0; f < data::n_frames; ++f) {
    std::uint64_t energy = 0;  // sum of y^2 over the frame: < 1024 * 2^30
    ctml_measure_begin();
    for (std::size_t b = 0; b < data::frame; b += data::block) {
      for (std::size_t i = 0; i < data::block; ++i) in[i] = ctml::flash_load(&data::x[f * data::frame + b + i]);
      meter.run(in, out, filter_state);
      for (std::int16_t y : out) energy += static_cast<std::uint64_t>(std::int32_t{y} * y);
    }
    const double level = 10.0 * ctml::math::log(static_cast<double>(energy) / (data::frame * 1073741824.0)) /
                         ctml::math::log(10.0);
    frame_cost = ctml_measure_end();
    filter_cost = frame_cost > filter_cost ? frame_cost : filter_cost;
    const double ref = ctml::flash_load(&data::level_db[f]), diff = level - ref;
    worst = (diff < 0 ? -diff : diff) > worst ? (diff < 0 ? -diff : diff) : worst;
    print_db("sound_level: frame level dBFS", level);
    print_db(", float64", ref);
    ctml_print("\n");
  }
  ctml_report("sound_level: largest difference to float64 (0.001 dB)", static_cast<std::uint32_t>(worst * 1000.0 + 0.5));
  ctml_report("sound_level: per frame (1024 samples, filter + energy + dB), most", filter_cost);
  ctml_report("sound_level: per sample x10", 10 * filter_cost / data::frame);
  ctml_report("sound_level: filter state bytes", static_cast<std::uint32_t>(sizeof(meter_t::state_type)));
  ctml_exit(worst <= 0.05 ? 0 : 1);
}
