"""The q15 spectrum path of include/ctml/dsp (window, rfft, mel filterbank and
power_to_db with `.with(ctml::q<std::int16_t, 15>{})`), redone in numpy
integers: the same tables, the same shifts, the same roundings, so its results
equal the device's bit for bit. Use it to train on what a q15 device computes
(int16 frames -> `window_q15` -> `rfft_q15` [-> `mel_q15` -> `decibels_q15`],
or `log_mel_q15` for the whole chain), and to state the accuracy
(tests/generator/test_dsp_spectrum_q15.py).

The arithmetic (see rfft_q15.hpp, mel_q15.hpp, power_to_db.hpp for the why):
  - window: y = (x * w + 2^14) >> 15, w = round(window * 2^15) (at most 32767);
  - z[m] = x[2m] + i x[2m+1] in int32, bit-reversed; log2(n/2) radix-2 passes
    a, b -> a + t, a - t with t = w b, w = (c, -s) in q`twiddle_bits(n)`:
    t.re = (c b.re + s b.im + 2^(T-1)) >> T, t.im = (c b.im - s b.re + 2^(T-1)) >> T
    (w = 1 and w = -i exactly), each pass followed by a rounding shift
    (v + 2^(k-1)) >> k with k from `schedule(n)`: the smallest that keeps
    every product of the next pass inside int32 for any int16 input;
  - the split into the real input's bins with the same rounded products, then
    (sum + 1) >> 1;
  - power: (re^2 + im^2) / 2^(2p) rounded, in int32 steps (power_of);
  - mel: exact sums of uint16 weights times the bins, one rounding to float32;
  - dB: log2 in q20 from the float's bits and a 65-point table, then float32.
"""

import math

import numpy as np

from . import ctmath
from .dsp import _linspace_at

INT32_MAX = 2**31 - 1


def twiddle_bits(n: int) -> int:
    """Fraction bits of the twiddles: 13 up to n = 512, 12 above (the data get one bit more headroom,
    which the larger frames' white-noise SNR needs more than twiddle precision)."""
    return 13 if n <= 512 else 12


def window_q15_table(kind: str, n: int) -> np.ndarray:
    """round(w * 2^15) (at most 32767) of scipy's periodic window, w in double as ctml::math computes it."""
    a = {"hann": (0.5, 0.5), "hamming": (0.54, 1.0 - 0.54), "blackman": (0.42, 0.50, 0.08)}[kind]
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        fac = _linspace_at(-ctmath.PI, ctmath.PI, n + 1, i)
        v = 0.0
        for k, ak in enumerate(a):
            v += ak * ctmath.cos(float(k) * fac)
        out[i] = min(int(math.floor(v * 32768.0 + 0.5)), 32767)
    return out


def window_q15(x16: np.ndarray, kind: str) -> np.ndarray:
    x = np.asarray(x16, dtype=np.int64)
    w = window_q15_table(kind, x.shape[-1])
    return ((x * w + (1 << 14)) >> 15).astype(np.int16)


def twiddles_q(n: int):
    """round(cos, sin of 2 pi k / n * 2^T), k < n/2, from the quarter wave (as the float tables)."""
    q = n // 4
    quarter = [1.0 if k == 0 else (0.0 if k == q else ctmath.cos(float(k) * (2.0 * ctmath.PI / float(n))))
               for k in range(q + 1)]
    qi = [int(math.floor(v * (1 << twiddle_bits(n)) + 0.5)) for v in quarter]
    h = n // 2
    cos = [qi[k] if k <= q else -qi[h - k] for k in range(h)]
    sin = [qi[q - k] if k <= q else qi[k - q] for k in range(h)]
    return np.array(cos, dtype=np.int64), np.array(sin, dtype=np.int64)


def _limit(T: int) -> float:
    """The largest magnitude a product's input may have: 2^T |w| |b| + 2^(T-1) <= 2^31 - 1 (|w| <= 1 + 2^-T)."""
    return (INT32_MAX - (1 << (T - 1))) / ((1 << T) + 1.0)


def schedule(n: int):
    """(shifts after each pass, shift of the power's components, bound of |X|): compile-time bounds
    of the magnitudes (triangle inequality, rounding included)."""
    passes = int(math.log2(n // 2))
    T = twiddle_bits(n)
    lim = _limit(T)
    eps = 1.0 / (1 << T)
    b = math.sqrt(2.0) * 32768.0  # |z| <= sqrt(2) 2^15
    shifts = []
    for p in range(passes):
        cap = lim if p + 1 < passes else lim / 2.0  # the split multiplies sums of two points
        grown = b * (2.0 + eps) + 1.0  # |a + w b| <= |a| + |w| |b| + rounding
        k = 0
        while grown / 2**k + (1.0 if k else 0.0) > cap:
            k += 1
        b = grown / 2**k + (1.0 if k else 0.0)
        shifts.append(k)
    bx = b * (2.0 + eps) + 1.5  # |X| <= (|S| + |w D| + 1) / 2 + 1 with |S|, |D| <= 2 b
    p = 0  # rh^2 + ih^2 <= (bx / 2^p)^2 + 2 sqrt(2) bx / 2^p + 2 must fit (power_of)
    while (bx / 2**p) ** 2 + 2.0 * math.sqrt(2.0) * bx / 2**p + 2.0 > INT32_MAX:
        p += 1
    return shifts, p, bx


def _product(p, q, r, sign):
    """p + sign q + r, which the C++ computes in int32: every partial value must fit (the schedule's
    promise, checked here on every input)."""
    for v in (p, q, p + sign * q, p + sign * q + r):
        assert np.abs(v).max(initial=0) <= INT32_MAX, "rfft_q15: int32 overflow"
    return p + sign * q + r


def _round_shift(v, k):
    return v if k == 0 else (v + (1 << (k - 1))) >> k


def _bit_reverse(h: int) -> np.ndarray:
    bits = int(math.log2(h))
    return np.array([int(format(m, f"0{bits}b")[::-1], 2) if bits else 0 for m in range(h)], dtype=np.int64)


def rfft_q15(x16: np.ndarray, output: str = "power") -> np.ndarray:
    """rows of int16 -> power (int32, q<int32, power_frac_bits(n)>) or complex (re, im interleaved,
    int32, q<int32, complex_frac_bits(n)>), as the C++ stage."""
    x = np.atleast_2d(np.asarray(x16, dtype=np.int64))
    n = x.shape[1]
    h = n // 2
    T = twiddle_bits(n)
    r = 1 << (T - 1)
    cos, sin = twiddles_q(n)
    shifts, p, _ = schedule(n)
    rev = _bit_reverse(h)
    re = x[:, 0::2][:, rev].copy()
    im = x[:, 1::2][:, rev].copy()
    length = 2
    for k in shifts:
        half = length // 2
        for j in range(half):
            c, s = cos[j * (n // length)], sin[j * (n // length)]
            a = np.arange(j, h, length)
            b = a + half
            br, bi = re[:, b], im[:, b]
            if j == 0:
                tr, ti = br, bi
            elif 4 * j == length:
                tr, ti = bi, -br
            else:
                tr = _product(c * br, s * bi, r, 1) >> T
                ti = _product(c * bi, s * br, r, -1) >> T
            ar, ai = re[:, a], im[:, a]
            re[:, a], im[:, a] = _round_shift(ar + tr, k), _round_shift(ai + ti, k)
            re[:, b], im[:, b] = _round_shift(ar - tr, k), _round_shift(ai - ti, k)
        length *= 2
    Xr = np.zeros((x.shape[0], h + 1), dtype=np.int64)
    Xi = np.zeros_like(Xr)
    Xr[:, 0] = re[:, 0] + im[:, 0]
    Xr[:, h] = re[:, 0] - im[:, 0]
    for k in range(1, h // 2 + 1):
        ar, ai, br, bi = re[:, k], im[:, k], re[:, h - k], im[:, h - k]
        sr, di, si, dr = ar + br, ai - bi, ai + bi, br - ar
        c, s = cos[k], sin[k]
        tr = _product(c * si, s * dr, r, 1) >> T
        ti = _product(c * dr, s * si, r, -1) >> T
        Xr[:, k], Xi[:, k] = (sr + tr + 1) >> 1, (di + ti + 1) >> 1
        if k != h - k:
            Xr[:, h - k], Xi[:, h - k] = (sr - tr + 1) >> 1, (ti - di + 1) >> 1
    if output == "complex":
        out = np.empty((x.shape[0], 2 * (h + 1)), dtype=np.int64)
        out[:, 0::2], out[:, 1::2] = Xr, Xi
        assert np.abs(out).max() <= INT32_MAX
        return out.astype(np.int32)
    if output != "power":
        raise ValueError("rfft_q15: output is 'power' or 'complex'")
    out = power_of(Xr, Xi, p)
    assert out.max() <= INT32_MAX
    return out.astype(np.int32)


def power_of(re, im, p):
    """(re^2 + im^2) / 2^(2p) rounded (half up), in int32 steps: re = rh 2^p + rl, 0 <= rl < 2^p."""
    if p == 0:
        return re * re + im * im
    rh, rl, ih, il = re >> p, re & ((1 << p) - 1), im >> p, im & ((1 << p) - 1)
    cross = rh * rl + ih * il
    low = rl * rl + il * il
    for v in (rh * rh + ih * ih, cross << (p + 1)):
        assert np.abs(v).max(initial=0) <= INT32_MAX, "rfft_q15: int32 overflow"
    return rh * rh + ih * ih + (((cross << (p + 1)) + low + (1 << (2 * p - 1))) >> (2 * p))


def complex_frac_bits(n: int) -> int:
    """The complex output is X * 2^F for the rfft X of the samples read as q15 (x / 2^15)."""
    return 15 - sum(schedule(n)[0])


def power_frac_bits(n: int) -> int:
    """The power output is |X|^2 * 2^F for the rfft X of the samples read as q15."""
    return 2 * (15 - sum(schedule(n)[0]) - schedule(n)[1])


def mel_q15_weights(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney"):
    """(first, count, uint16 weights, W): ctml.dsp's float32 mel weights rounded to w 2^W (include/ctml/dsp/mel_q15.hpp)."""
    from .dsp import mel_table
    first, count, w = mel_table(float(sr), n_fft, n_mels, float(fmin), float(sr) / 2.0 if fmax is None else float(fmax),
                                bool(htk), norm == "slaney")
    wmax = float(np.max(w)) if len(w) else 0.0
    W = 0
    while W < 60 and wmax * 2.0 ** (W + 1) + 0.5 < 65536.0:
        W += 1
    q = np.floor(np.asarray(w, dtype=np.float64) * 2.0**W + 0.5).astype(np.int64)
    return np.asarray(first, dtype=np.int64), np.asarray(count, dtype=np.int64), q, W


def _scaled_float32(v: int, k: int) -> np.float32:
    """v 2^-k rounded to float32 (nearest, ties to even) in integers, as the C++ (scaled_float)."""
    if v == 0:
        return np.float32(0.0)
    shift = max(v.bit_length() - 24, 0)
    mant = v >> shift
    if shift:
        rem, half = v & ((1 << shift) - 1), 1 << (shift - 1)
        if rem > half or (rem == half and mant & 1):
            mant += 1
    return np.float32(mant) * np.float32(2.0 ** (shift - k))


def mel_q15(power: np.ndarray, sr, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney") -> np.ndarray:
    """rows of rfft_q15 power (int32, n_fft/2 + 1 bins) -> float32 mel energies (of the samples read as q15),
    as mel_filterbank<Params, q15>: exact integer sums of uint16 weights times the bins, one rounding."""
    p = np.atleast_2d(np.asarray(power, dtype=np.int64))
    n_fft = 2 * (p.shape[1] - 1)
    first, count, w, W = mel_q15_weights(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    k = W + power_frac_bits(n_fft)
    out = np.empty((p.shape[0], n_mels), dtype=np.float32)
    at = np.concatenate([[0], np.cumsum(count)])
    for m in range(n_mels):
        sums = p[:, first[m]:first[m] + count[m]] @ w[at[m]:at[m + 1]] if count[m] else np.zeros(p.shape[0], np.int64)
        for r in range(p.shape[0]):
            out[r, m] = _scaled_float32(int(sums[r]), k)
    return out


def _log2_table() -> np.ndarray:
    """log2(1 + i/64), i = 0..64, in q20 (include/ctml/dsp/power_to_db.hpp, log2_table)."""
    return np.array([int(ctmath.log(1.0 + float(i) / 64.0) / 0.6931471805599453 * 1048576.0 + 0.5) for i in range(65)],
                    dtype=np.int64)


def decibels_q15(x: np.ndarray, amin=1e-10) -> np.ndarray:
    """power_to_db<Params, q15>: 10 log10(max(x, amin)) of float32 x with the logarithm in integers (log2 in q20,
    linear between 65 table points), then float32(l) * float32(10 log10(2) / 2^20): bit for bit."""
    x = np.asarray(x, dtype=np.float32)
    a = np.float32(amin)
    bits = np.where(x > a, x, a).astype(np.float32).view(np.uint32).astype(np.int64)
    e = ((bits >> 23) & 0xFF) - 127
    frac = bits & 0x7FFFFF
    i, rem = frac >> 17, frac & 0x1FFFF
    t = _log2_table()
    lo, hi = t[i], t[i + 1]
    f = lo + (((hi - lo) * rem + (1 << 16)) >> 17)
    l = (e * (1 << 20) + f).astype(np.int32)
    return l.astype(np.float32) * (np.float32(3.0102999566398120) / np.float32(1048576.0))


def log_mel_q15(x16: np.ndarray, window: str, sr, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney",
                amin=1e-10) -> np.ndarray:
    """int16 frames -> what `(Window >> RFFT("power") >> MelFilterbank >> PowerToDb).with(ctml::q15{})` computes:
    the q15 window, rfft and mel in integers (float mel energies), then the q15 dB (decibels_q15), bit for bit."""
    mel = mel_q15(rfft_q15(window_q15(x16, window), "power"), sr, n_mels, fmin, fmax, htk, norm)
    return decibels_q15(mel, amin)
