"""The q15 biquad cascade (ctml::dsp::sos_filter .with(ctml::q15{})) compiled on
the host, on scipy designs as given (low/high/band-pass, Chebyshev, elliptic,
odd orders, poles near z = 1 and z = -1, the sound_level example's
A-weighting): the same int16 outputs as test_dsp_expected.py's Python-integer
model of the arithmetic, bit for bit, and within 55 dB SNR of float64
scipy.signal.sosfilt on white noise at -12 dBFS. The program filters the
stream in 1000-sample streaming blocks, so this is also the whole stream
against blocks."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import scipy.signal

import _helpers as h

sys.path.insert(0, os.path.join(h.REPO, "tests", "portable"))
sys.path.insert(0, os.path.join(h.REPO, "examples", "sound_level"))
import design  # noqa: E402
import test_dsp_expected  # noqa: E402

CXX = os.environ.get("CTML_CXX", "g++")
BLOCK, BLOCKS = 1000, 8


def filters():
    return {
        "butter8": scipy.signal.butter(8, 0.1, output="sos"),
        "cheby1_bandpass": scipy.signal.cheby1(4, 1, [0.1, 0.3], "bandpass", output="sos"),
        "butter2_highpass": scipy.signal.butter(2, 0.02, "highpass", output="sos"),
        "ellip6": scipy.signal.ellip(6, 0.5, 60, 0.25, output="sos"),
        "butter3_near_nyquist": scipy.signal.butter(3, 0.8, output="sos"),
        "butter5": scipy.signal.butter(5, 0.3, output="sos"),
        "butter4_narrow": scipy.signal.butter(4, 0.02, output="sos"),
        "cheby2_highpass": scipy.signal.cheby2(6, 50, 0.3, "highpass", output="sos"),
        "a_weighting": design.a_weighting_sos(16000),
    }


def program(sos_by_name) -> str:
    parts = ["#include <array>\n#include <cstdint>\n#include <cstdio>\n#include <ctml/dsp/dsp.hpp>\n#include <ctml/pipeline.hpp>\n"]
    calls = []
    for name, sos in sos_by_name.items():
        rows = ", ".join("{" + ", ".join(repr(float(c)) for c in row) + "}" for row in sos)
        parts.append(f"struct {name}_p {{ static constexpr std::size_t n = {BLOCK}, n_channels = 1, n_sections = {len(sos)};\n"
                     f"  static constexpr double sos[n_sections][6] = {{{rows}}}; }};\n")
        calls.append(f"  run<{name}_p>(x, y);\n")
    parts.append(f"""
template <class P>
void run(const std::array<std::int16_t, {BLOCK * BLOCKS}>& x, std::array<std::int16_t, {BLOCK * BLOCKS}>& y) {{
  constexpr auto f = ctml::make_pipeline(ctml::dsp::sos_filter<P>{{}}).with(ctml::q15{{}}).with(ctml::dsp::streaming{{}});
  typename decltype(f)::state_type state{{}};
  for (std::size_t b = 0; b < {BLOCKS}; ++b) {{
    std::array<std::int16_t, {BLOCK}> in, out;
    for (std::size_t i = 0; i < {BLOCK}; ++i) in[i] = x[b * {BLOCK} + i];
    f.run(in, out, state);
    for (std::size_t i = 0; i < {BLOCK}; ++i) y[b * {BLOCK} + i] = out[i];
  }}
  std::fwrite(y.data(), 2, y.size(), stdout);
}}
int main() {{
  static std::array<std::int16_t, {BLOCK * BLOCKS}> x, y;
  if (std::fread(x.data(), 2, x.size(), stdin) != x.size()) return 1;
{''.join(calls)}  return 0;
}}
""")
    return "".join(parts)


@unittest.skipUnless(shutil.which(CXX), "needs a host C++ compiler")
class TestSosQ15(unittest.TestCase):
    def test_bits_equal_the_integer_model_and_snr_against_scipy(self):
        fs = filters()
        x = (np.random.default_rng(2).integers(-32768, 32768, BLOCK * BLOCKS) // 4).astype(np.int16)
        with tempfile.TemporaryDirectory() as tmp:
            cpp, exe = os.path.join(tmp, "q15.cpp"), os.path.join(tmp, "q15")
            with open(cpp, "w") as f:
                f.write(program(fs))
            subprocess.run([CXX, "-std=c++20", "-O1", "-I", os.path.join(h.REPO, "include"), cpp, "-o", exe], check=True)
            out = subprocess.run([exe], input=x.tobytes(), capture_output=True, check=True).stdout
        got = np.frombuffer(out, dtype=np.int16).reshape(len(fs), -1)
        for (name, sos), y in zip(fs.items(), got):
            want = test_dsp_expected.sos_q15(x[None, :], sos)[0]
            self.assertTrue(np.array_equal(y, want), f"{name}: {np.count_nonzero(y != want)} samples differ from the model")
            ref = scipy.signal.sosfilt(sos, x.astype(np.float64))
            snr = 10 * np.log10((ref**2).sum() / ((y - ref) ** 2).sum())
            self.assertGreater(snr, 55.0, name)

    def test_first_section_of_butter8_does_not_round_to_zero(self):
        # CMSIS's q15 biquad takes b ~ 1.8e-7 as 0 (round(b * 2^15) = 0): ctml's scaled b are all far from 0.
        for bq, *_ in test_dsp_expected.sos_q15_design(scipy.signal.butter(8, 0.1, output="sos")):
            self.assertGreater(min(abs(q) for q in bq), 4096)


if __name__ == "__main__":
    unittest.main()
