"""Prints the expected checksums of tests/portable/test_dsp.cpp: FNV-1a over
the float32 bits that ctml.dsp's numpy emulation (generator/ctml/dsp.py)
computes for the test's inputs. The firmware checks that the C++ stages give
these bits on every port. Run: PYTHONPATH=generator /usr/bin/python3 tests/portable/test_dsp_expected.py"""

import numpy as np
import scipy.signal
from sklearn.pipeline import make_pipeline

from ctml import dsp


def inputs(seed: int, rows: int, n: int) -> np.ndarray:
    """xorshift32 -> int16 -> / 4096: the test's frames, exactly."""
    s = seed
    out = np.empty((rows, n), dtype=np.float32)
    for r in range(rows):
        for i in range(n):
            s ^= (s << 13) & 0xFFFFFFFF
            s ^= s >> 17
            s ^= (s << 5) & 0xFFFFFFFF
            v = (s >> 16) & 0xFFFF
            v = v - 65536 if v >= 32768 else v
            out[r, i] = np.float32(v) / np.float32(4096.0)
    return out


def fnv(a: np.ndarray) -> int:
    h = 2166136261
    for w in np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).ravel().tolist():
        h = ((h ^ w) * 16777619) & 0xFFFFFFFF
    return h


def main():
    X = inputs(12345, 4, 64)
    mfcc = make_pipeline(dsp.Window("hann"), dsp.RFFT("power"), dsp.MelFilterbank(8000.0, 12), dsp.PowerToDb(), dsp.DCT(6))
    print("mfcc", hex(fnv(mfcc.fit(X).transform(X))))
    fc = make_pipeline(dsp.Window("blackman"), dsp.RFFT("complex"))
    print("complex", hex(fnv(fc.fit(X).transform(X))))
    print("magnitude", hex(fnv(dsp.RFFT("magnitude").fit(X).transform(X))))
    print("sos", hex(fnv(dsp.SOSFilter(scipy.signal.butter(4, 0.2, output="sos")).fit(X).transform(X))))
    print("fir", hex(fnv(dsp.FIRFilter(scipy.signal.firwin(9, 0.25)).fit(X).transform(X))))
    print("stats", hex(fnv(dsp.ChannelStats(2, dsp.STATS).fit(X).transform(X))))
    print("sos coefficients", repr(scipy.signal.butter(4, 0.2, output="sos").tolist()))
    print("fir taps", repr(scipy.signal.firwin(9, 0.25).tolist()))


if __name__ == "__main__":
    main()


def fir_q15(x16: np.ndarray, taps) -> np.ndarray:
    """The q15 FIR's integer arithmetic (include/ctml/dsp/filters.hpp), redone in numpy int64."""
    taps = np.asarray(taps, dtype=np.float64)

    def quantize(shift):
        v = taps * 2.0**shift
        return np.where(v < 0, np.trunc(v - 0.5), np.trunc(v + 0.5)).astype(np.int64)

    shift = 30
    while shift > 1:
        q = quantize(shift)
        if np.all(np.abs(q) <= 32767) and np.abs(q).sum() * 32768 + (1 << (shift - 1)) <= 2**31 - 1:
            break
        shift -= 1
    q = quantize(shift)
    x = x16.astype(np.int64)
    acc = np.full(x.shape, 1 << (shift - 1), dtype=np.int64)
    for k in range(len(q)):
        acc[:, k:] += q[k] * x[:, : x.shape[1] - k]
    return np.clip(acc >> shift, -32768, 32767).astype(np.int16)


def q15_main():
    X = (inputs(12345, 4, 64) * 4096).astype(np.int16)  # the same int16 values
    y = fir_q15(X, scipy.signal.firwin(9, 0.25))
    h = 2166136261
    for w in y.astype(np.uint16).ravel().tolist():
        h = ((h ^ w) * 16777619) & 0xFFFFFFFF
    print("fir q15", hex(h))


if __name__ == "__main__":
    q15_main()


def spectrum_q15_main():
    """Checksums of the q15 spectrum path (tests/portable/test_dsp_q15.cpp): FNV-1a over the int32 outputs' bits
    of ctml.dsp_spectrum_q15's numpy integer model, on the test's int16 frames and on full-scale extremes."""
    from ctml import dsp_spectrum_q15 as q

    X = (inputs(12345, 4, 64) * 4096).astype(np.int16)
    t = np.arange(64)
    extremes = np.array([np.full(64, -32768), np.where(t % 2 == 0, -32768, 32767),
                         np.where(np.cos(2 * np.pi * 5 * t / 64 + 0.1) >= 0, 32767, -32768)]).astype(np.int16)
    X = np.concatenate([X, extremes])

    def fnv32(a):
        h = 2166136261
        for w in np.asarray(a, dtype=np.int32).view(np.uint32).ravel().tolist():
            h = ((h ^ w) * 16777619) & 0xFFFFFFFF
        return h

    print("q15 hann power", hex(fnv32(q.rfft_q15(q.window_q15(X, "hann"), "power"))), "F", q.power_frac_bits(64))
    lm = q.log_mel_q15(X, "hann", 8000.0, 12)
    h = 2166136261
    for w in lm.view(np.uint32).ravel().tolist():
        h = ((h ^ w) * 16777619) & 0xFFFFFFFF
    print("q15 log-mel", hex(h))
    print("q15 blackman complex", hex(fnv32(q.rfft_q15(q.window_q15(X, "blackman"), "complex"))), "F",
          q.complex_frac_bits(64))


if __name__ == "__main__":
    spectrum_q15_main()
