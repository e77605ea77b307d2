// ctml's signal-processing stages (the `fft` of `scaler >> fft >> forest`).
#pragma once

#include <ctml/dsp/channel_stats.hpp>
#include <ctml/dsp/common.hpp>
#include <ctml/dsp/dct.hpp>
#include <ctml/dsp/filters.hpp>
#include <ctml/dsp/mel.hpp>
#include <ctml/dsp/power_to_db.hpp>
#include <ctml/dsp/rfft.hpp>
#include <ctml/dsp/window.hpp>
#include <ctml/dsp/stream.hpp>
