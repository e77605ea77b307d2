"""Prints the expected checksums of tests/portable/test_dsp.cpp and test_dsp_filters.cpp: FNV-1a over
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
    spectral = dsp.ChannelStats(1, ("dominant_freq", "band_energy"), sr=8000.0,
                                bands=((0.0, 1000.0), (1000.0, 2500.0), (2500.0, 4000.0)))
    print("spectral stats", hex(fnv(spectral.fit(X).transform(X))))
    print("sos coefficients", repr(scipy.signal.butter(4, 0.2, output="sos").tolist()))
    print("fir taps", repr(scipy.signal.firwin(9, 0.25).tolist()))


if __name__ == "__main__":
    main()


def fir_q15(x16: np.ndarray, taps) -> np.ndarray:
    """The q15 FIR's integer arithmetic (include/ctml/dsp/filters.hpp), redone in numpy int64:
    taps at 3 more fractional bits than one int32 accumulator allows, summed in
    consecutive int32 groups, the groups' sums shifted right and added, rounded."""
    taps = np.asarray(taps, dtype=np.float64)
    limit = 2**31 - 1

    def quantize(shift):
        v = taps * 2.0**shift
        return np.where(v < 0, np.trunc(v - 0.5), np.trunc(v + 0.5)).astype(np.int64)

    shift = 30
    while shift > 1:
        q = quantize(shift)
        if np.all(np.abs(q) * 32768 <= limit) and np.abs(q).sum() * 32768 + (1 << (shift - 1)) <= limit:
            break
        shift -= 1
    fine = shift
    while fine < shift + 3 and np.all(np.abs(quantize(fine + 1)) * 32768 <= limit):
        fine += 1
    shift = fine
    q = quantize(shift)
    groups, run = [], limit + 1
    for k, m in enumerate((np.abs(q) * 32768).tolist()):
        if run + m > limit:
            groups.append([k, 0])
            run = 0
        run += m
        groups[-1][1] = run
    jb = 0
    while jb < shift:
        if (1 << (shift - jb - 1)) + sum((b >> jb) + 1 for _, b in groups) <= limit:
            break
        jb += 1
    x = x16.astype(np.int64)
    n = x.shape[1]
    total = np.full(x.shape, 1 << (shift - jb - 1), dtype=np.int64)
    ends = [g[0] for g in groups[1:]] + [len(q)]
    for (start, _), end in zip(groups, ends):
        acc = np.zeros(x.shape, dtype=np.int64)
        for k in range(start, min(end, n)):
            acc[:, k:] += q[k] * x[:, : n - k]
        assert np.all(np.abs(acc) <= limit)
        total += acc >> jb
    assert np.all(np.abs(total) <= limit)
    return np.clip(total >> (shift - jb), -32768, 32767).astype(np.int16)


def q15_main():
    X = (inputs(12345, 4, 64) * 4096).astype(np.int16)  # the same int16 values
    y = fir_q15(X, scipy.signal.firwin(9, 0.25))
    h = 2166136261
    for w in y.astype(np.uint16).ravel().tolist():
        h = ((h ^ w) * 16777619) & 0xFFFFFFFF
    print("fir q15", hex(h))
    taps = scipy.signal.firwin(32, 0.2)  # SNR on the test's frames and on full-scale white noise
    ref = np.array([np.convolve(r, taps)[: X.shape[1]] for r in X.astype(np.float64)])
    y = fir_q15(X, taps)
    print(f"fir32 q15 SNR {10 * np.log10((ref**2).sum() / ((y - ref) ** 2).sum()):.1f} dB", end=", ")
    w = np.random.default_rng(1).integers(-32768, 32768, (1, 20000)).astype(np.int16)
    ref = np.convolve(w[0].astype(np.float64), taps)[: w.shape[1]]
    y = fir_q15(w, taps)[0]
    print(f"white noise {10 * np.log10((ref**2).sum() / ((y - ref) ** 2).sum()):.1f} dB")


if __name__ == "__main__":
    q15_main()


def _round_away(v: float) -> int:
    return int(v - 0.5) if v < 0 else int(v + 0.5)


def sos_q15_design(sos):
    """The q15 cascade's compile-time design (include/ctml/dsp/filters.hpp, sos_q15_design), redone in Python floats."""
    sos = [[float(c) for c in row] for row in np.asarray(sos, dtype=np.float64)]
    ns = len(sos)
    total = [0.0] * ns
    z = [0.0] * (2 * ns)
    for n in range(max(65536 // ns, 1024)):  # L1 norms of the prefixes' impulse responses, in sosfilt's order
        v = 1.0 if n == 0 else 0.0
        for s in range(ns):
            b0, b1, b2, _, a1, a2 = sos[s]
            y = b0 * v + z[2 * s]
            z[2 * s] = b1 * v - a1 * y + z[2 * s + 1]
            z[2 * s + 1] = b2 * v - a2 * y
            total[s] += abs(y)
            v = y
        if n % 64 == 63 and all(abs(z[2 * s]) + abs(z[2 * s + 1]) <= 1e-13 * total[s] for s in range(ns)):
            break
    table = []
    for s in range(ns):
        if s + 1 < ns:
            g = 1.0 / total[s] if s == 0 else total[s - 1] / total[s]
        else:
            g = total[s - 1] if s > 0 else 1.0
        b = [sos[s][i] * g for i in range(3)]
        fb = 46
        while True:
            q0 = _round_away(b[0] * 2.0**fb)  # zeros at +-1 kept exact
            q1 = 2 * q0 if b[1] == 2.0 * b[0] else -2 * q0 if b[1] == -2.0 * b[0] else _round_away(b[1] * 2.0**fb)
            q2 = q0 if b[2] == b[0] else -q0 if b[2] == -b[0] else _round_away(b[2] * 2.0**fb)
            bq = [q0, q1, q2]
            if sum(abs(q) for q in bq) <= 65535 or fb == -16:
                break
            fb -= 1
        a1, a2 = sos[s][4], sos[s][5]
        k1, k2 = -_round_away(a1), -_round_away(a2)
        for f in range(14, 0, -1):
            q1, q2 = _round_away(a1 * 2.0**f), _round_away(a2 * 2.0**f)
            r1 = _round_away((a1 * 2.0**f - q1) * 32768.0)
            r2 = _round_away((a2 * 2.0**f - q2) * 32768.0)
            bias = (1 - k1 - k2) << (f - 1)
            bsum = sum(abs(q) for q in bq) * 32768
            sb = fb - f
            bound = ((bsum >> sb) + 1 if sb >= 0 else bsum << -sb) + (abs(q1) + abs(q2)) * 32768 \
                + (((abs(r1) + abs(r2)) * 32768) >> 15) + 1 + (abs(k1) + abs(k2)) * ((1 << f) - 1) + abs(bias)
            if bound <= 2**31 - 1:
                break
        table.append((bq, sb, q1, q2, r1, r2, k1, k2, bias, f))
    return table


def sos_q15(x16: np.ndarray, sos) -> np.ndarray:
    """The q15 cascade's integer arithmetic, one row at a time, in Python integers (direct form I per section)."""
    table = sos_q15_design(sos)
    ns = len(table)
    out = np.empty_like(x16)
    for r, row in enumerate(x16.astype(np.int64).tolist()):
        lines = [[0, 0] for _ in range(ns + 1)]  # x1, x2 of the input and of every section's output
        rem = [[0, 0] for _ in range(ns)]
        for i, v in enumerate(row):
            for s, (bq, sb, q1, q2, r1, r2, k1, k2, bias, f) in enumerate(table):
                x1, x2 = lines[s]
                y1, y2 = lines[s + 1]
                bx = bq[0] * v + bq[1] * x1 + bq[2] * x2
                acc = bx >> sb if sb >= 0 else bx << -sb
                acc = acc - q1 * y1 - q2 * y2 - ((r1 * y1 + r2 * y2) >> 15) + k1 * rem[s][0] + k2 * rem[s][1] + bias
                assert -2**31 <= acc < 2**31
                y = acc >> f
                rem[s] = [acc - (y << f), rem[s][0]]
                lines[s] = [v, x1]
                v = min(max(y, -32768), 32767)
            lines[ns] = [v, lines[ns][0]]
            out[r, i] = v
    return out


def sos_q15_main():
    X = (inputs(12345, 4, 64) * 4096).astype(np.int16)
    for name, sos in (("butter(4, 0.2)", scipy.signal.butter(4, 0.2, output="sos")),
                      ("butter(8, 0.1)", scipy.signal.butter(8, 0.1, output="sos"))):
        y = sos_q15(X, sos)
        h = 2166136261
        for w in y.astype(np.uint16).ravel().tolist():
            h = ((h ^ w) * 16777619) & 0xFFFFFFFF
        ref = scipy.signal.sosfilt(sos, X.astype(np.float64), axis=1)
        snr = 10 * np.log10((ref**2).sum() / ((y - ref) ** 2).sum())
        print(f"sos q15 {name}", hex(h), f"SNR {snr:.1f} dB")


if __name__ == "__main__":
    sos_q15_main()


def decimate_main():
    X = inputs(12345, 4, 64)
    y = dsp.Decimate(3, scipy.signal.firwin(9, 0.25)).fit(X).transform(X)
    print("decimate", hex(fnv(y)), y.shape)


if __name__ == "__main__":
    decimate_main()
