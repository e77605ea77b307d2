"""ctml.dsp: the transformers against numpy/scipy/librosa-formula float64
references (accuracy), the compiled C++ f32 stages against the transformers
(bit for bit), the tables ctml derives at compile time against ctml.dsp's, and
a converted log-mel forest against sklearn's Pipeline.predict."""

import os
import pickle
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import scipy.fft
import scipy.signal
import scipy.stats
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

import _helpers as h
from _helpers import ctml
from ctml import dsp
from ctml.emit import ConversionError

F32 = np.float32
HAVE_CXX = shutil.which(os.environ.get("CTML_CXX", "g++")) is not None


def frames(n, rows=40, seed=0, channels=1):
    """Random rows over several scales, plus rows built to stress the stages."""
    rng = np.random.default_rng(seed)
    t = np.arange(n // channels)
    X = [rng.normal(size=n) * s for s in (1e-3, 1.0, 30.0, 1e4) for _ in range(rows // 8)]
    X += [rng.uniform(-1, 1, size=n) for _ in range(rows // 8)]
    X += [np.repeat(np.sin(2 * np.pi * f * t / len(t) + p), channels) for f, p in ((1, 0), (3, 0.5), (len(t) // 4, 0))]
    X += [np.zeros(n), np.ones(n), np.eye(1, n, 0)[0], np.eye(1, n, n // 2)[0], np.full(n, -2.5),
          np.where(np.arange(n) % 2 == 0, 1.0, -1.0), rng.normal(size=n) * 1e-25]
    return np.asarray(X, dtype=F32)


def bits(a):
    return np.ascontiguousarray(a, dtype=F32).view(np.uint32)


def assert_same_bits(tc, got, want, what):
    got, want = bits(got), bits(want)
    tc.assertEqual(got.shape, want.shape, what)
    bad = np.argwhere(got != want)
    tc.assertEqual(len(bad), 0, f"{what}: {len(bad)} values differ, first at {bad[:3].tolist()}: "
                   f"{got[tuple(bad[0])] if len(bad) else ''} vs {want[tuple(bad[0])] if len(bad) else ''}")


# ----------------------------------------------------------------------------
# Independent float64 references


def mel_reference(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    """librosa.filters.mel (0.10) written out with numpy's own float64 math."""
    def hz_to_mel(f):
        f = np.asanyarray(f, dtype=float)
        if htk:
            return 2595.0 * np.log10(1.0 + f / 700.0)
        f_sp, min_log_hz = 200.0 / 3, 1000.0
        logstep = np.log(6.4) / 27.0
        return np.where(f >= min_log_hz, min_log_hz / f_sp + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, f / f_sp)

    def mel_to_hz(m):
        if htk:
            return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
        f_sp, min_log_hz = 200.0 / 3, 1000.0
        min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fft_f = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_f)
    w = np.zeros((n_mels, len(fft_f)), dtype=np.float32)
    for i in range(n_mels):
        w[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    if norm == "slaney":
        w *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return w


def dense_mel(est):
    w = np.zeros((len(est.first_), est.n_fft_ // 2 + 1), dtype=F32)
    j = 0
    for i, (f, c) in enumerate(zip(est.first_, est.count_)):
        w[i, f:f + c] = est.weights_[j:j + c]
        j += c
    return w


# ----------------------------------------------------------------------------


class TestAccuracy(unittest.TestCase):
    """float32 transforms against float64 numpy/scipy, with the issue's bounds."""

    def test_windows_are_scipys(self):
        for n in (2, 3, 16, 100, 256, 1000, 4096):
            for w in dsp.WINDOWS:
                got = dsp.Window(w).fit(np.zeros((1, n))).table_
                np.testing.assert_array_equal(got, scipy.signal.get_window(w, n, fftbins=True).astype(F32), f"{w} {n}")

    def test_rfft_within_1e5_of_largest_bin(self):
        for n in (16, 32, 256, 1024, 4096):
            X = frames(n, seed=n)[:-1]  # not the 1e-25 row: subnormal powers
            ref = np.fft.rfft(X.astype(np.float64))
            for out, want in (("power", np.abs(ref) ** 2), ("magnitude", np.abs(ref)),
                              ("complex", np.stack([ref.real, ref.imag], -1).reshape(len(X), -1))):
                got = dsp.RFFT(out).fit(X).transform(X)
                self.assertEqual(got.shape, want.shape)
                scale = np.maximum(np.abs(want).max(axis=1, keepdims=True), 1e-30)
                err = (np.abs(got - want) / scale).max()
                self.assertLess(err, 1e-5 if out == "power" else 3e-6, f"{out} n={n}")

    def test_mel_weights_are_librosas(self):
        for sr, n_fft, n_mels, fmin, fmax, htk, norm in [
            (16000, 512, 40, 0.0, None, False, "slaney"), (22050, 2048, 128, 0.0, None, False, None),
            (8000, 256, 20, 50.0, 3500.0, True, "slaney"), (44100, 1024, 64, 20.0, 16000.0, True, None),
            (16000, 1024, 64, 0.0, None, False, "slaney")]:
            est = dsp.MelFilterbank(sr, n_mels, fmin, fmax, htk, norm).fit(np.zeros((1, n_fft // 2 + 1)))
            ref = mel_reference(sr, n_fft, n_mels, fmin, sr / 2 if fmax is None else fmax, htk, norm)
            got = dense_mel(est)
            # Same float32 weights but for ulp-level differences of the double math; at
            # most a 1e-14-relative sliver where a bin sits on a band edge.
            np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-12 * ref.max())

    def test_log_mel_and_mfcc_within_001_db(self):
        rng = np.random.default_rng(3)
        n = 1024
        t = np.arange(n) / 16000
        X = [rng.normal(size=n) * s for s in (0.01, 1.0, 100.0) for _ in range(10)]
        X += [np.sin(2 * np.pi * f * t) + 0.01 * rng.normal(size=n) for f in (300, 1000, 4000)]
        X = np.asarray(X, dtype=F32)
        for htk, norm in ((False, "slaney"), (True, None)):
            pipe = make_pipeline(dsp.Window(), dsp.RFFT(), dsp.MelFilterbank(16000, 64, htk=htk, norm=norm),
                                 dsp.PowerToDb(), dsp.DCT(20)).fit(X)
            mel = mel_reference(16000, n, 64, 0.0, 8000.0, htk, norm).astype(np.float64)
            power = np.abs(np.fft.rfft(X * scipy.signal.get_window("hann", n))) ** 2
            logmel = 10 * np.log10(np.maximum(power @ mel.T, 1e-10))
            got = pipe[:4].transform(X)
            self.assertLess(np.abs(got - logmel).max(), 0.01)
            mfcc = scipy.fft.dct(logmel, type=2, norm="ortho")[:, :20]
            self.assertLess(np.abs(pipe.transform(X) - mfcc).max(), 0.01)

    def test_power_to_db(self):
        x = np.concatenate([np.logspace(-37.9, 38.5, 5001), [1e-10, 1.0, 10.0, 2.0**-126, 3.4e38]]).astype(F32)
        got = dsp.PowerToDb(amin=2.0**-126).fit(x[None]).transform(x[None])[0]
        np.testing.assert_allclose(got, 10 * np.log10(x.astype(np.float64)), rtol=3e-7, atol=1e-5)
        self.assertEqual(dsp.PowerToDb().fit(x[None]).transform(np.zeros((1, x.size), F32)).max(), F32(-100.0))

    def test_dct_is_scipys(self):
        X = frames(40, seed=5)
        got = dsp.DCT(13).fit(X).transform(X)
        ref = scipy.fft.dct(X.astype(np.float64), type=2, norm="ortho")[:, :13]
        self.assertLess((np.abs(got - ref) / np.maximum(np.abs(X).max(1, keepdims=True), 1e-30)).max(), 2e-6)

    def test_filters_within_1e4_of_full_scale(self):
        rng = np.random.default_rng(7)
        X = rng.uniform(-1, 1, size=(8, 4096)).astype(F32)
        for sos in (scipy.signal.butter(8, 0.1, output="sos"), scipy.signal.cheby1(4, 1, [0.1, 0.3], "bandpass", output="sos"),
                    scipy.signal.butter(2, 0.02, "highpass", output="sos")):
            got = dsp.SOSFilter(sos).fit(X).transform(X)
            self.assertLess(np.abs(got - scipy.signal.sosfilt(sos, X.astype(np.float64))).max(), 1e-4)
        for taps in (scipy.signal.firwin(32, 0.2), scipy.signal.firwin(101, [0.1, 0.4], pass_zero=False), [0.5]):
            got = dsp.FIRFilter(taps).fit(X).transform(X)
            self.assertLess(np.abs(got - scipy.signal.lfilter(taps, [1.0], X.astype(np.float64))).max(), 1e-4)

    def test_filters_per_channel(self):
        X = frames(3 * 200, seed=8, channels=3)[:-1]
        sos = scipy.signal.butter(4, 0.2, output="sos")
        got = dsp.SOSFilter(sos, n_channels=3).fit(X).transform(X)
        for c in range(3):
            ref = scipy.signal.sosfilt(sos, X[:, c::3].astype(np.float64))
            np.testing.assert_allclose(got[:, c::3], ref, atol=1e-4 * np.abs(X).max())

    def test_channel_stats(self):
        X = frames(3 * 64, seed=9, channels=3)[:-6] + F32(0.25)
        names = dsp.STATS
        got = dsp.ChannelStats(3, names).fit(X).transform(X).reshape(len(X), 3, len(names))
        for c in range(3):
            a = X[:, c::3].astype(np.float64)
            sign = a >= 0
            ref = {"mean": a.mean(1), "std": a.std(1), "min": a.min(1), "max": a.max(1), "ptp": np.ptp(a, 1),
                   "rms": np.sqrt((a * a).mean(1)), "skew": scipy.stats.skew(a, 1), "kurtosis": scipy.stats.kurtosis(a, 1),
                   "zcr": (sign[:, 1:] != sign[:, :-1]).sum(1) / (a.shape[1] - 1)}
            for j, s in enumerate(names):
                # float32 two-pass moments: skew and kurtosis to about 1e-3 (rows down to 1e-3 around 0.25)
                tol = (1e-6 * np.abs(a).max(1)) if s in ("mean", "std", "min", "max", "ptp", "rms") else 1e-3
                g, r = got[:, c, j], np.asarray(ref[s])
                self.assertTrue(np.array_equal(np.isnan(g), np.isnan(r)), s)  # constant rows: NaN as scipy
                ok = np.isnan(r) | (np.abs(g - r) <= tol + 1e-4 * np.abs(r))
                self.assertTrue(np.all(ok), s)
        const = np.full((1, 3 * 64), 3.0, F32)
        out = dsp.ChannelStats(3, ("std", "skew", "kurtosis")).fit(const).transform(const)
        self.assertTrue(np.all(out[0, 0::3] == 0) and np.all(np.isnan(out[0, 1::3])) and np.all(np.isnan(out[0, 2::3])))


class TestSpectralStats(unittest.TestCase):
    """ChannelStats' dominant_freq and band_energy against numpy.fft.rfft in float64."""

    SR = 50.0
    BANDS = ((0.0, 3.0), (3.0, 7.5), (7.5, 25.0))  # the last holds the Nyquist bin (hi >= sr / 2)

    def reference(self, X, channels, n):
        """(dominant frequency, band energies, top-two power margin) per row and channel, float64."""
        X = X.astype(np.float64)
        f = np.arange(n // 2 + 1) * self.SR / n
        dom, bands, margin = [], [], []
        for c in range(channels):
            p = np.abs(np.fft.rfft(X[:, c::channels], axis=1)) ** 2
            k = 1 + np.argmax(p[:, 1:], axis=1)
            top = p[np.arange(len(X)), k]
            dom.append(np.where(top > 0, f[k], 0.0))
            srt = np.sort(p[:, 1:], axis=1)
            margin.append((srt[:, -1] - srt[:, -2]) / np.maximum(p.max(1), 1e-300))
            inside = [(f >= lo) & ((f < hi) | ((f == self.SR / 2) & (hi >= self.SR / 2))) for lo, hi in self.BANDS]
            bands.append(np.stack([p[:, m].sum(1) / n for m in inside], axis=1))
            bands[-1] = np.concatenate([bands[-1], p.sum(1, keepdims=True) / n], axis=1)
        return np.stack(dom, 1), np.stack(bands, 1), np.stack(margin, 1)

    def test_against_float64_rfft(self):
        n, channels = 64, 3
        X = frames(channels * n, rows=64, seed=12, channels=channels)
        t = np.arange(n)
        X[0, 0::3] = 0.0
        X[0, 0] = 1.0                                             # impulse: flat spectrum, an exact tie -> bin 1
        X[1, 1::3] = np.where(t % 2 == 0, 1.0, -1.0)               # Nyquist only -> sr / 2
        X[2, 2::3] = 3.5                                          # constant: nothing above DC -> 0
        X[3, 0::3] = (np.cos(2 * np.pi * 5 * t / n) + np.cos(2 * np.pi * 9 * t / n)).astype(F32)  # a near tie
        X[4, 1::3] = np.sin(2 * np.pi * 10 * t / n).astype(F32)   # 10 * 50/64 Hz = 7.8125: band 3, near its lo
        st = dsp.ChannelStats(channels, ("dominant_freq", "band_energy", "mean"), sr=self.SR, bands=self.BANDS + ((0.0, 25.0),))
        got = st.fit(X).transform(X).reshape(len(X), channels, 6)
        dom, energy, margin = self.reference(X, channels, n)
        # dominant_freq: the float64 bin's frequency whenever float32 rounding cannot swap the top two bins
        # (the power spectrum is within 1e-5 of the largest bin); every other row: the top power within that.
        # (rows of 1e-25 have powers below float32's range: they are 0 there, so dominant_freq is 0)
        tiny = energy[..., 3] * n < 1e-30
        np.testing.assert_array_equal(got[..., 0][tiny], 0.0)
        clear = (margin > 1e-5) & ~tiny
        np.testing.assert_array_equal(got[..., 0][clear], dom[clear].astype(F32))
        self.assertGreater(clear.sum(), 0.8 * clear.size)
        self.assertEqual(got[0, 0, 0], F32(self.SR / n))           # tie: the lowest bin
        self.assertEqual(got[1, 1, 0], F32(self.SR / 2))
        self.assertEqual(got[2, 2, 0], F32(0.0))
        self.assertIn(got[3, 0, 0], (F32(5 * self.SR / n), F32(9 * self.SR / n)))
        self.assertEqual(got[4, 1, 0], F32(10 * self.SR / n))
        # band_energy: within 1e-5 of the frame's total spectral energy / n (the power spectrum's bound)
        tol = 1e-5 * energy[..., 3:4]
        self.assertTrue(np.all(np.abs(got[..., 1:5] - energy) <= tol + 1e-30), np.abs(got[..., 1:5] - energy).max())
        # Parseval: the whole-band energy of the one-sided spectrum is between sum x^2 / 2 and sum x^2 (+ DC, Nyquist)
        np.testing.assert_allclose(got[1, 1, 1:4].sum(), got[1, 1, 4], rtol=1e-6)

    def test_clone_and_pickle(self):
        X = frames(64, rows=16, seed=14)
        st = dsp.ChannelStats(1, ("band_energy", "dominant_freq"), sr=50.0, bands=self.BANDS).fit(X)
        self.assertEqual(clone(st).get_params(), st.get_params())
        assert_same_bits(self, pickle.loads(pickle.dumps(st)).transform(X), st.transform(X), "pickled")
        assert_same_bits(self, clone(st).fit(X).transform(X), st.transform(X), "cloned")

    def test_band_bins(self):
        # n = 16 at sr = 16: bins at 0, 1, ..., 8 Hz; [lo, hi) with the Nyquist bin in a band reaching sr / 2
        self.assertEqual(dsp.band_bins(16, 16.0, [(0, 1), (1, 3), (2.5, 8), (3, 8.0001), (8, 9)]),
                         [(0, 1), (1, 3), (3, 9), (3, 9), (8, 9)])

    def test_bad_parameters(self):
        X = np.zeros((2, 64), F32)
        for est in (dsp.ChannelStats(1, ("dominant_freq",)), dsp.ChannelStats(1, ("dominant_freq",), sr=0.0),
                    dsp.ChannelStats(2, ("dominant_freq",), sr=8.0),  # 32 samples: fine, see below
                    dsp.ChannelStats(4, ("band_energy",), sr=8.0, bands=((0, 1),)),  # 16 samples: 0.5 Hz apart
                    dsp.ChannelStats(1, ("band_energy",), sr=8.0), dsp.ChannelStats(1, ("band_energy",), sr=8.0, bands=((2, 1),)),
                    dsp.ChannelStats(1, ("band_energy",), sr=8.0, bands=((1.01, 1.1),)),  # between two bins
                    dsp.ChannelStats(8, ("dominant_freq",), sr=8.0)):  # 8 samples: below the FFT's 16
            if est.n_channels in (2, 4):
                est.fit(X)
                continue
            with self.assertRaises(ValueError, msg=repr(est.get_params())):
                est.fit(X)
        self.assertEqual(dsp.ChannelStats(1, ("band_energy", "band_energy"), sr=8.0, bands=((0, 1), (1, 4))).fit(X).transform(X).shape, (2, 4))

    @unittest.skipUnless(HAVE_CXX and h.LIBRARY_READY, "needs a host C++ compiler")
    def test_compiled_bits(self):
        X = frames(2 * 128, rows=24, seed=13, channels=2)
        pipe = make_pipeline(dsp.ChannelStats(2, ("rms", "band_energy", "dominant_freq"), sr=1000.0,
                                              bands=((0, 50), (50, 200), (200, 500))))
        pipe.fit(X)
        m = ctml.convert(pipe, name="spectral_stats")
        self.assertIn("n_outputs = 10;", m.header)
        assert_same_bits(self, m.run(X), pipe.transform(X), "spectral stats")


class TestSklearnApi(unittest.TestCase):
    def test_clone_pickle_params(self):
        X = frames(256)
        pipe = make_pipeline(dsp.Window("blackman"), dsp.RFFT("magnitude"), dsp.MelFilterbank(8000, 16, htk=True, norm=None),
                             dsp.PowerToDb(1e-6), dsp.DCT(8)).fit(X)
        again = pickle.loads(pickle.dumps(pipe))
        assert_same_bits(self, again.transform(X), pipe.transform(X), "pickled")
        cloned = clone(pipe)
        self.assertEqual(cloned.get_params()["melfilterbank__n_mels"], 16)
        assert_same_bits(self, cloned.fit(X).transform(X), pipe.transform(X), "cloned")
        for est in (dsp.SOSFilter(scipy.signal.butter(2, 0.3, output="sos"), 2), dsp.FIRFilter([1, 2], 2),
                    dsp.ChannelStats(2, ("mean", "zcr"))):
            self.assertEqual(clone(est).get_params().keys(), est.get_params().keys())

    def test_bad_parameters(self):
        X = np.zeros((2, 100), F32)
        for est in (dsp.Window("kaiser"), dsp.RFFT(), dsp.RFFT("phase"), dsp.MelFilterbank(16000, 10, fmin=9000.0),
                    dsp.MelFilterbank(16000, 10, norm=2), dsp.PowerToDb(0.0), dsp.DCT(101), dsp.SOSFilter([[1, 0, 0, 2, 0, 0]]),
                    dsp.ChannelStats(3), dsp.ChannelStats(2, ("median",))):
            with self.assertRaises(ValueError, msg=repr(est)):
                est.fit(X)
        w = dsp.Window().fit(X)
        w.window = "kaiser"  # changed after fit: conversion re-checks
        with self.assertRaises(ConversionError):
            ctml.convert(make_pipeline(w, dsp.ChannelStats(1, ("mean",))))


@unittest.skipUnless(HAVE_CXX and h.LIBRARY_READY, "needs a host C++ compiler")
class TestCompiledStages(unittest.TestCase):
    """The C++ f32 stages, compiled on the host, give the transformers' bits."""

    def check(self, pipe, X, name):
        pipe.fit(X)
        m = ctml.convert(pipe, name=name)
        self.assertIn(f"n_outputs = {pipe.transform(X[:1]).shape[1]};", m.header)
        assert_same_bits(self, m.run(X), pipe.transform(X), name)

    def test_mfcc_chain(self):
        self.check(make_pipeline(dsp.Window(), dsp.RFFT(), dsp.MelFilterbank(16000, 40), dsp.PowerToDb(), dsp.DCT(13)),
                   frames(512), "mfcc")

    def test_fft_outputs(self):
        self.check(make_pipeline(dsp.Window("hamming"), dsp.RFFT("complex")), frames(16, seed=1), "fft_complex")
        self.check(make_pipeline(dsp.Window("blackman"), dsp.RFFT("magnitude")), frames(4096, rows=16, seed=2), "fft_mag")
        self.check(make_pipeline(dsp.RFFT("power"), dsp.PowerToDb(1e-20)), frames(64, seed=3), "fft_power")

    def test_htk_mel(self):
        self.check(make_pipeline(dsp.RFFT(), dsp.MelFilterbank(22050, 128, fmin=30.0, fmax=10000.0, htk=True, norm=None)),
                   frames(2048, rows=16, seed=4), "htk")

    def test_filters_and_stats(self):
        sos = scipy.signal.butter(8, 0.1, output="sos")
        pipe = make_pipeline(dsp.SOSFilter(sos, n_channels=3), dsp.FIRFilter(scipy.signal.firwin(17, 0.3), n_channels=3),
                             dsp.ChannelStats(3, dsp.STATS))
        self.check(pipe, frames(3 * 128, seed=5, channels=3)[:-7], "filters")

    def test_log_mel_forest_predicts_as_sklearn(self):
        rng = np.random.default_rng(11)
        n, sr = 256, 8000
        t = np.arange(n) / sr
        X, y = [], []
        for i in range(600):
            k = i % 3
            f = (400, 1200, 2500)[k] * (1 + 0.15 * rng.normal())
            X.append(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) * rng.uniform(0.05, 2) + rng.normal(size=n) * 0.3)
            y.append(["low", "mid", "high"][k])
        X = np.asarray(X, dtype=F32)
        pipe = make_pipeline(dsp.Window(), dsp.RFFT(), dsp.MelFilterbank(sr, 24), dsp.PowerToDb(),
                             RandomForestClassifier(n_estimators=15, max_depth=8, random_state=0)).fit(X[:400], y[:400])
        m = ctml.convert(pipe, name="logmel_forest")
        want = pipe.predict(X)
        got = m.predict(X)
        self.assertEqual(list(got), list(want))
        self.assertGreater(np.mean(want[400:] == np.asarray(y[400:])), 0.8)

    def test_tables_match_ctml_dsp(self):
        """Windows, FFT twiddles, mel banks and DCT tables that g++ and clang++
        derive at compile time are ctml.dsp's tables, bit for bit."""
        sizes = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
        mels = [(16000.0, 512, 40, 0.0, 8000.0, False, True), (22050.0, 2048, 128, 0.0, 11025.0, False, False),
                (8000.0, 256, 20, 50.0, 3500.0, True, True), (44100.0, 1024, 64, 20.0, 16000.0, True, False)]
        dcts = [(40, 13), (64, 64), (128, 20)]
        src = ["#include <ctml/dsp/dsp.hpp>", "#include <cstdio>", "#include <bit>", "using namespace ctml::dsp;",
               "template <class A> void put(const A& a) { for (auto v : a) { if constexpr (sizeof(v) == 4) std::printf(\"%08x \", std::bit_cast<unsigned>(v)); else std::printf(\"%x \", unsigned(v)); } std::printf(\"\\n\"); }"]
        body = []
        for i, (sr, n_fft, n_mels, fmin, fmax, htk, slaney) in enumerate(mels):
            src.append(f"struct mel{i} {{ static constexpr std::size_t n_fft = {n_fft}, n_mels = {n_mels}; static constexpr double sr = {sr!r}, "
                       f"fmin = {fmin!r}, fmax = {fmax!r}; static constexpr bool htk = {str(htk).lower()}; "
                       f"static constexpr auto norm = mel_norm::{'slaney' if slaney else 'none'}; }};")
            body.append(f"put(detail::mel_tables<mel{i}>::table.weights); put(detail::mel_tables<mel{i}>::table.first); put(detail::mel_tables<mel{i}>::table.count);")
        for n in sizes:
            body.append(f"put(detail::fft_tables<{n}>::twiddles);")
            for w in dsp.WINDOWS:
                body.append(f"put(detail::window_table<window_kind::{w}, {n}>::table);")
        for n, k in dcts:
            body.append(f"put(detail::dct_table<{n}, {k}>::table);")
        src.append("int main() { " + " ".join(body) + " }")
        want = []
        for sr, n_fft, n_mels, fmin, fmax, htk, slaney in mels:
            first, count, w = dsp.mel_table(sr, n_fft, n_mels, fmin, fmax, htk, slaney)
            want += [bits(w), first, count]
        for n in sizes:
            cos, sin = dsp.fft_twiddles(n)
            want.append(bits(np.stack([cos, sin], axis=1).ravel()))
            want += [bits(dsp.window_table(w, n)) for w in dsp.WINDOWS]
        want += [bits(dsp.dct_table(n, k).ravel()) for n, k in dcts]
        with tempfile.TemporaryDirectory() as tmp:
            cpp = os.path.join(tmp, "tables.cpp")
            with open(cpp, "w") as f:
                f.write("\n".join(src) + "\n")
            for cxx in ("g++-12", "clang++-14"):
                if shutil.which(cxx) is None:
                    continue
                exe = os.path.join(tmp, cxx)
                subprocess.run([cxx, "-std=c++20", "-O0", "-I", os.path.join(h.REPO, "include"), cpp, "-o", exe], check=True)
                lines = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
                self.assertEqual(len(lines), len(want))
                for i, (line, w) in enumerate(zip(lines, want)):
                    got = np.array([int(v, 16) for v in line.split()], dtype=np.int64)
                    np.testing.assert_array_equal(got, np.asarray(w, dtype=np.int64), f"{cxx}: table {i}")


if __name__ == "__main__":
    unittest.main()


class TestDecimate(unittest.TestCase):
    """Decimate: scipy.signal.decimate(x, q, ftype="fir", zero_phase=False) with its
    default taps, lfilter(taps, [1.0], x)[::q] with given taps, per channel."""

    def test_within_1e4_of_full_scale(self):
        rng = np.random.default_rng(12)
        X = rng.uniform(-1, 1, size=(8, 3 * 200 + 3)).astype(F32)  # 201 samples: the last kept output is partial
        for q, taps, c in ((2, None, 1), (3, None, 3), (4, scipy.signal.firwin(15, 0.2), 3), (5, None, 1), (1, None, 1)):
            got = dsp.Decimate(q, taps, n_channels=c).fit(X).transform(X)
            self.assertEqual(got.shape, (len(X), c * -(-(X.shape[1] // c) // q)))
            for ch in range(c):
                x = X[:, ch::c].astype(np.float64)
                if taps is None and q > 1:
                    ref = scipy.signal.decimate(x, q, ftype="fir", zero_phase=False, axis=1)
                else:
                    ref = scipy.signal.lfilter([1.0] if taps is None else taps, [1.0], x, axis=1)[:, ::q]
                self.assertLess(np.abs(got[:, ch::c] - ref).max(), 1e-4, (q, c))

    def test_bad_parameters(self):
        X = np.zeros((2, 100), F32)
        for est in (dsp.Decimate(0), dsp.Decimate(2.5), dsp.Decimate(2, []), dsp.Decimate(2, [np.nan]), dsp.Decimate(2, None, 3)):
            with self.assertRaises(ValueError, msg=repr(est)):
                est.fit(X)
        d = dsp.Decimate(2, [0.5, 0.5])
        self.assertEqual(clone(d).get_params(), d.get_params())
        again = pickle.loads(pickle.dumps(d.fit(X)))
        assert_same_bits(self, again.transform(X), d.transform(X), "pickled")

    @unittest.skipUnless(HAVE_CXX and h.LIBRARY_READY, "needs a host C++ compiler")
    def test_compiled_stage_gives_the_same_bits(self):
        X = frames(2 * 150, seed=13, channels=2)
        for q, taps in ((3, None), (4, scipy.signal.firwin(9, 0.25))):
            pipe = make_pipeline(dsp.Decimate(q, taps, n_channels=2), dsp.ChannelStats(2, ("mean", "rms"))).fit(X)
            TestCompiledStages.check(self, pipe, X, f"decimate{q}")
            TestCompiledStages.check(self, make_pipeline(dsp.Decimate(q, taps, n_channels=2)), X, f"decimate_only{q}")
