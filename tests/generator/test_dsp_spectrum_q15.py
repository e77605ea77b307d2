"""The q15 spectrum path (window and rfft with `.with(ctml::q15{})` on int16
samples): ctml.dsp_spectrum_q15's numpy integer model against float64 numpy
(accuracy, stated as SNR), its int32 bounds on adversarial full-scale inputs
(no overflow for any input), and the compiled C++ stages against the model,
bit for bit, for every frame size 16..4096 on g++ and clang++.

SNR = 10 log10(sum P^2 / sum (P_q15 - P)^2) over all bins of all rows, P the
power spectrum numpy.fft.rfft(x / 2^15 * scipy.signal.get_window(kind, n))
in float64 of the same int16 frames, P_q15 the stage's int32 output / 2^F."""

import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import scipy.signal

import _helpers as h
from ctml import dsp_spectrum_q15 as q

SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]


def noise(n, rows, seed):
    return np.random.default_rng(seed).integers(-32768, 32768, size=(rows, n)).astype(np.int16)


def tones(n, rows, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    out = [np.clip(np.round(32767.0 * np.cos(2 * np.pi * rng.uniform(1, n / 2 - 1) * t / n + rng.uniform(0, 6))), -32768, 32767)
           for _ in range(rows)]
    return np.asarray(out).astype(np.int16)


def extremes(n):
    """Frames that reach the bounds: constant -32768 and 32767, +-full scale at the Nyquist rate, the sign of a
    cosine (one bin near |X| = sum |x|), and the sign patterns of the twiddles' 45-degree points."""
    t = np.arange(n)
    rows = [np.full(n, -32768), np.full(n, 32767), np.where(t % 2 == 0, -32768, 32767)]
    for k in (1, 3, n // 8, n // 4 - 1, n // 2 - 1):
        for ph in (0.1, 0.9):
            rows.append(np.where(np.cos(2 * np.pi * k * t / n + ph) >= 0, 32767, -32768))
    return np.asarray(rows).astype(np.int16)


def power_db_snr(x16, kind):
    n = x16.shape[1]
    w = scipy.signal.get_window(kind, n, fftbins=True) if kind else np.ones(n)
    ref = np.abs(np.fft.rfft(x16.astype(np.float64) / 32768.0 * w)) ** 2
    y = q.window_q15(x16, kind) if kind else x16
    got = q.rfft_q15(y, "power").astype(np.float64) * 2.0 ** -q.power_frac_bits(n)
    return 10 * np.log10((ref ** 2).sum() / ((got - ref) ** 2).sum())


class TestModel(unittest.TestCase):
    def test_snr_n256_meets_the_target(self):
        """Issue 11's target: >= 60 dB at N = 256 (hann + power), on full-scale white noise and on tones."""
        self.assertGreaterEqual(power_db_snr(noise(256, 50, 1), "hann"), 68.0)  # measured 70.1
        self.assertGreaterEqual(power_db_snr(tones(256, 50, 2), "hann"), 76.0)  # measured 79.5

    def test_snr_every_size(self):
        """>= 60 dB on white noise at every size (measured 63.0 at n = 4096, blackman: white noise loses
        ~3 dB per doubling, the data keep a fixed headroom), >= 68 dB on tones (measured >= 69.4)."""
        for n in SIZES:
            floor = 60.0
            for kind in ("hann", "blackman", None):
                self.assertGreaterEqual(power_db_snr(noise(n, 8, n), kind), floor, (n, kind))
                self.assertGreaterEqual(power_db_snr(tones(n, 8, n + 1), kind), 68.0, (n, kind))

    def test_complex_output_scale(self):
        for n in (16, 256, 4096):
            x = noise(n, 4, 3)
            c = q.rfft_q15(x, "complex").astype(np.float64) * 2.0 ** -q.complex_frac_bits(n)
            ref = np.fft.rfft(x / 32768.0)
            err = np.abs(c[:, 0::2] + 1j * c[:, 1::2] - ref)
            self.assertLess(err.max(), 1e-3 * np.abs(ref).max(), n)

    def test_no_overflow_at_the_bounds(self):
        """The model asserts every int32 intermediate the C++ forms; windows cannot leave int16."""
        for n in SIZES:
            x = extremes(n)
            for kind in ("hann", "hamming", "blackman"):
                y = q.window_q15(x, kind)
                self.assertLessEqual(np.abs(y.astype(np.int64)).max(), 32768)
                q.rfft_q15(y, "power")
            p = q.rfft_q15(x, "power").astype(np.int64)
            q.rfft_q15(x, "complex")
            # constant -32768: |X[0]|^2 = (n 2^15)^2, i.e. n^2 at the stated scale
            self.assertAlmostEqual(p[0, 0] * 2.0 ** -q.power_frac_bits(n) / n ** 2, 1.0, delta=1e-3)
            self.assertLessEqual(p.max(), 2**31 - 1)

    def test_log_mel_through_dequantize(self):
        """q15 spectrum >> dequantize >> f32 mel >> dB (the int16-to-log-mel path on a Cortex-M0): against the
        float64 mel power of the same frames (ctml's mel weights in float64), on full-scale noise and tones: within
        0.02 dB on bands at or above -10 dB (mel power of x / 2^15; measured 0.0103), 0.1 dB at or above -20 dB
        (0.057); weaker bands see the spectrum's fixed error floor."""
        from ctml import dsp

        n = 1024
        mel = dsp.MelFilterbank(16000.0, 64).fit(np.zeros((1, n // 2 + 1), np.float32))
        weights = mel.transform(np.eye(n // 2 + 1, dtype=np.float32)).astype(np.float64)
        db = dsp.PowerToDb().fit(np.ones((1, 64), np.float32))
        for x in (noise(n, 10, 5), tones(n, 10, 6)):
            p = q.rfft_q15(q.window_q15(x, "hann"), "power").astype(np.float32) * np.float32(2.0 ** -q.power_frac_bits(n))
            got = db.transform(mel.transform(p))
            ref = np.abs(np.fft.rfft(x / 32768.0 * scipy.signal.get_window("hann", n))) ** 2 @ weights
            ref_db = 10 * np.log10(np.maximum(ref, 1e-10))
            for level, bound in ((-10.0, 0.02), (-20.0, 0.1)):
                strong = ref_db >= level
                self.assertGreaterEqual(strong.sum(), 20)
                self.assertLess(np.abs(got - ref_db)[strong].max(), bound)

    def test_log_mel_q15_accuracy(self):
        """The q15 mel (integer sums of uint16 weights) then float32 dB: against the float64 log-mel of the same
        frames (ctml's float32 weights in float64): within 0.03 dB on bands at or above -10 dB (measured 0.021),
        0.1 dB at or above -20 dB (mel power of x / 2^15), on full-scale noise and tones."""
        from ctml import dsp

        n = 1024
        mel = dsp.MelFilterbank(16000.0, 64).fit(np.zeros((1, n // 2 + 1), np.float32))
        weights = mel.transform(np.eye(n // 2 + 1, dtype=np.float32)).astype(np.float64)
        for x in (noise(n, 10, 5), tones(n, 10, 6)):
            got = q.log_mel_q15(x, "hann", 16000.0, 64)
            ref = np.abs(np.fft.rfft(x / 32768.0 * scipy.signal.get_window("hann", n))) ** 2 @ weights
            ref_db = 10 * np.log10(np.maximum(ref, 1e-10))
            for level, bound in ((-10.0, 0.03), (-20.0, 0.1)):
                strong = ref_db >= level
                self.assertGreaterEqual(strong.sum(), 20)
                self.assertLess(np.abs(got - ref_db)[strong].max(), bound)

    def test_decibels_q15(self):
        """The q15 dB (integer log2, 65-point table): within 2e-4 dB of float64 10 log10 over the float range
        (measured 1.6e-4), amin applied as max(x, amin)."""
        rng = np.random.default_rng(0)
        x = np.concatenate([np.float32(10.0) ** rng.uniform(-37, 38, 100000).astype(np.float32),
                            np.float32([1.0, 2.0, 0.5, 3e38, 2.0**-126, 0.0, 1e-12])]).astype(np.float32)
        got = q.decibels_q15(x, 1e-10)
        ref = 10 * np.log10(np.maximum(x.astype(np.float64), np.float64(np.float32(1e-10))))
        self.assertLess(np.abs(got - ref).max(), 2e-4)
        self.assertEqual(q.decibels_q15(np.float32([1.0]))[0], 0.0)

    def test_schedule(self):
        """Shifts grow with n; the stated scales are those of the shifts (F = 2 (15 - sum k - p))."""
        self.assertEqual(q.schedule(256)[:2], ([0, 0, 1, 1, 1, 1, 2], 3))
        self.assertEqual(q.power_frac_bits(256), 12)
        self.assertEqual(q.complex_frac_bits(256), 9)


HAVE_CXX = any(shutil.which(c) for c in ("g++-12", "clang++-14"))


@unittest.skipUnless(HAVE_CXX and h.LIBRARY_READY, "needs a host C++ compiler")
class TestCompiled(unittest.TestCase):
    """window >> rfft with .with(ctml::q15{}) compiled on the host gives the model's integers."""

    def test_bits_equal_the_model_every_size(self):
        src = ["#include <ctml/dsp/dsp.hpp>", "#include <ctml/pipeline.hpp>", "#include <cstdio>",
               "using namespace ctml::dsp;"]
        body, want = [], []
        for n in SIZES:
            for kind, out in (("hann", "power"), ("blackman", "complex")):
                tag = f"{kind}{n}{out}"
                x = np.concatenate([noise(n, 3, n), tones(n, 2, n), extremes(n)])
                src.append(f"struct w{tag} {{ static constexpr std::size_t n = {n}; static constexpr auto window = window_kind::{kind}; }};")
                src.append(f"struct f{tag} {{ static constexpr std::size_t n = {n}; static constexpr auto output = spectrum::{out}; }};")
                src.append(f"constexpr std::int16_t x{tag}[{x.size}] = {{{', '.join(map(str, x.ravel().tolist()))}}};")
                body.append(f"{{ constexpr auto m = (window<w{tag}>{{}} >> rfft<f{tag}>{{}}).with(ctml::q15{{}});"
                            f" static std::array<std::int16_t, {n}> in; static std::array<std::int32_t, decltype(m)::out_extent> y;"
                            f" static_assert(decltype(m)::out_extent == {n // 2 + 1 if out == 'power' else n + 2});"
                            f" for (std::size_t r = 0; r < {x.shape[0]}; ++r) {{ for (std::size_t i = 0; i < {n}; ++i) in[i] = x{tag}[r * {n} + i];"
                            f" m.run(in, y); for (auto v : y) std::printf(\"%ld \", long(v)); std::printf(\"\\n\"); }}"
                            f" std::printf(\"%d\\n\", rfft<f{tag}, ctml::q15>::out_frac_bits); }}")
                got = q.rfft_q15(q.window_q15(x, kind), out)
                want += [list(r) for r in got.tolist()]
                want.append([q.power_frac_bits(n) if out == "power" else q.complex_frac_bits(n)])
        src.append("int main() { " + "\n".join(body) + " }")
        with tempfile.TemporaryDirectory() as tmp:
            cpp = os.path.join(tmp, "q15.cpp")
            with open(cpp, "w") as f:
                f.write("\n".join(src) + "\n")
            for cxx in ("g++-12", "clang++-14"):
                if shutil.which(cxx) is None:
                    continue
                exe = os.path.join(tmp, cxx)
                subprocess.run([cxx, "-std=c++20", "-O1", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wshadow", "-Werror", "-fsanitize=undefined",
                                "-fno-sanitize-recover=all", "-I", os.path.join(h.REPO, "include"), cpp, "-o", exe], check=True)
                lines = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
                self.assertEqual(len(lines), len(want))
                for i, (line, w) in enumerate(zip(lines, want)):
                    self.assertEqual([int(v) for v in line.split()], w, f"{cxx}: line {i}")

    def test_converted_pipeline_with_q15(self):
        """A Pipeline(Window, RFFT) converted by ctml: its header's model.with(ctml::q15{}) runs the q15 path."""
        from sklearn.pipeline import make_pipeline

        from _helpers import ctml
        from ctml import dsp

        n = 128
        x = np.concatenate([noise(n, 3, 7), extremes(n)])
        pipe = make_pipeline(dsp.Window("hamming"), dsp.RFFT("power")).fit(x.astype(np.float32))
        header = ctml.convert(pipe, name="spec").header
        main = ("#include \"spec.hpp\"\n#include <cstdio>\nconstexpr auto fixed = spec::model.with(ctml::q15{});\n"
                "static_assert(std::is_same_v<decltype(fixed)::in_type, std::int16_t>);\n"
                f"constexpr std::int16_t x[{x.size}] = {{{', '.join(map(str, x.ravel().tolist()))}}};\n"
                f"int main() {{ std::array<std::int16_t, {n}> in; std::array<std::int32_t, {n // 2 + 1}> y;\n"
                f" for (std::size_t r = 0; r < {x.shape[0]}; ++r) {{ for (std::size_t i = 0; i < {n}; ++i) in[i] = x[r * {n} + i];"
                " fixed.run(in, y); for (auto v : y) std::printf(\"%ld \", long(v)); std::printf(\"\\n\"); } }\n")
        want = q.rfft_q15(q.window_q15(x, "hamming"), "power").tolist()
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "spec.hpp"), "w") as f:
                f.write(header)
            cpp = os.path.join(tmp, "main.cpp")
            with open(cpp, "w") as f:
                f.write(main)
            cxx = "g++-12" if shutil.which("g++-12") else "clang++-14"
            exe = os.path.join(tmp, "main")
            subprocess.run([cxx, "-std=c++20", "-O1", "-I", os.path.join(h.REPO, "include"), "-I", tmp, cpp, "-o", exe],
                           check=True)
            lines = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
            self.assertEqual([[int(v) for v in line.split()] for line in lines], want)

    def test_converted_log_mel_with_q15(self):
        """A converted Pipeline(Window, RFFT, MelFilterbank, PowerToDb).with(ctml::q15{}): window, FFT and mel in
        integers, dB in float32; its bits are log_mel_q15's (g++ and clang++, UBSan), for slaney and htk banks."""
        from sklearn.pipeline import make_pipeline

        from _helpers import ctml
        from ctml import dsp

        cases = [(512, "hann", dict(sr=16000.0, n_mels=40)),
                 (256, "hamming", dict(sr=8000.0, n_mels=24, fmin=50.0, fmax=3500.0, htk=True, norm=None)),
                 (2048, "blackman", dict(sr=22050.0, n_mels=64))]
        for n, kind, mel in cases:
            x = np.concatenate([noise(n, 3, n), tones(n, 3, n + 5), extremes(n), np.zeros((1, n), np.int16)])
            pipe = make_pipeline(dsp.Window(kind), dsp.RFFT("power"), dsp.MelFilterbank(**mel), dsp.PowerToDb())
            pipe.fit(x.astype(np.float32))
            header = ctml.convert(pipe, name="logmel").header
            n_out = mel["n_mels"]
            main = ("#include \"logmel.hpp\"\n#include <cstdio>\n#include <bit>\n"
                    "constexpr auto fixed = logmel::model.with(ctml::q15{});\n"
                    "static_assert(std::is_same_v<decltype(fixed)::in_type, std::int16_t>);\n"
                    "static_assert(std::is_same_v<decltype(fixed)::out_type, float>);\n"
                    f"constexpr std::int16_t x[{x.size}] = {{{', '.join(map(str, x.ravel().tolist()))}}};\n"
                    f"int main() {{ std::array<std::int16_t, {n}> in; std::array<float, {n_out}> y;\n"
                    f" for (std::size_t r = 0; r < {x.shape[0]}; ++r) {{ for (std::size_t i = 0; i < {n}; ++i) in[i] = x[r * {n} + i];"
                    " fixed.run(in, y); for (float v : y) std::printf(\"%08x \", std::bit_cast<unsigned>(v));"
                    " std::printf(\"\\n\"); } }\n")
            want = q.log_mel_q15(x, kind, **mel).view(np.uint32).tolist()
            with tempfile.TemporaryDirectory() as tmp:
                with open(os.path.join(tmp, "logmel.hpp"), "w") as f:
                    f.write(header)
                cpp = os.path.join(tmp, "main.cpp")
                with open(cpp, "w") as f:
                    f.write(main)
                for cxx in ("g++-12", "clang++-14"):
                    if shutil.which(cxx) is None:
                        continue
                    exe = os.path.join(tmp, cxx)
                    subprocess.run([cxx, "-std=c++20", "-O1", "-ffp-contract=off", "-fsanitize=undefined",
                                    "-fno-sanitize-recover=all", "-I", os.path.join(h.REPO, "include"), "-I", tmp, cpp,
                                    "-o", exe], check=True)
                    lines = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
                    self.assertEqual([[int(v, 16) for v in line.split()] for line in lines], want, (cxx, n, kind))


if __name__ == "__main__":
    unittest.main()
