"""ctml.dsp: signal-processing transformers with the scikit-learn API, and
their conversion to ctml's C++ DSP stages (include/ctml/dsp/).

One row is one frame; multi-channel frames are interleaved (channel last).
``transform`` returns float32 values computed exactly as the C++ f32 stages
compute them: the same float32 tables (built with generator/ctml/ctmath.py,
the double math ctml's C++ uses at compile time) and the same float32
operations in the same order, emulated with numpy. So a model trained on
``Pipeline([Window(), RFFT(), MelFilterbank(...), PowerToDb(), forest])``
sees the features the device computes, and the converted pipeline predicts
exactly what the Pipeline predicts on the same raw float32 frames.

    Window(window="hann")        x * scipy.signal.get_window(window, n, fftbins=True)
    RFFT(output="power")         numpy.fft.rfft: n/2+1 bins of |X|^2, |X| or (re, im) interleaved
    MelFilterbank(sr, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney")
                                 librosa.filters.mel on power-spectrum rows (n_fft = 2 (width - 1))
    PowerToDb(amin=1e-10)        10 log10(max(x, amin))
    DCT(n_coefs)                 scipy.fft.dct(x, type=2, norm="ortho")[:n_coefs]
    SOSFilter(sos)               scipy.signal.sosfilt(sos, x), zero initial state
    FIRFilter(taps)              scipy.signal.lfilter(taps, [1.0], x), zero initial state
    Decimate(factor, taps=None)  lfilter(taps, [1.0], x)[::factor]; default taps: scipy.signal.decimate's
                                 FIR (firwin(20 factor + 1, 1 / factor, window="hamming"), zero_phase=False)
    ChannelStats(n_channels, stats=(...), sr=None, bands=())
                                 per-channel statistics, channel-major; the spectral ones
                                 (dominant_freq, band_energy) from the channel's rfft power
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import ctmath
from .registry import Family, register
from .emit import ConversionError, Stage, check_finite, double_literal, double_tokens, member_array, member_scalar

__all__ = ["Window", "RFFT", "MelFilterbank", "PowerToDb", "DCT", "SOSFilter", "FIRFilter", "Decimate", "ChannelStats"]

F32 = np.float32
WINDOWS = ("hann", "hamming", "blackman")
OUTPUTS = ("power", "magnitude", "complex")
STATS = ("mean", "std", "min", "max", "ptp", "rms", "skew", "kurtosis", "zcr")
#: Spectral statistics (need sr; band_energy also bands): see ChannelStats.
SPECTRAL_STATS = ("dominant_freq", "band_energy")


def _f32(x) -> np.float32:
    return np.float32(x)


# ----------------------------------------------------------------------------
# Tables: the double computations of include/ctml/dsp/*.hpp, rounded to float32


def _linspace_at(start: float, stop: float, num: int, i: int) -> float:
    if i + 1 == num:
        return stop
    step = (stop - start) / float(num - 1)
    return float(i) * step + start


def window_table(kind: str, n: int) -> np.ndarray:
    a = {"hann": (0.5, 0.5), "hamming": (0.54, 1.0 - 0.54), "blackman": (0.42, 0.50, 0.08)}[kind]
    out = np.empty(n, dtype=F32)
    for i in range(n):
        fac = _linspace_at(-ctmath.PI, ctmath.PI, n + 1, i)
        v = 0.0
        for k, ak in enumerate(a):
            v += ak * ctmath.cos(float(k) * fac)
        out[i] = v
    return out


def fft_twiddles(n: int):
    """cos and sin of 2 pi k / n, k < n/2, from the quarter-wave table (float32)."""
    q, h = n // 4, n // 2
    quarter = np.empty(q + 1, dtype=F32)
    for k in range(q + 1):
        quarter[k] = 1.0 if k == 0 else (0.0 if k == q else ctmath.cos(float(k) * (2.0 * ctmath.PI / float(n))))
    k = np.arange(h)
    cos = np.where(k <= q, quarter[np.minimum(k, q)], -quarter[np.clip(h - k, 0, q)]).astype(F32)
    sin = np.where(k <= q, quarter[np.clip(q - k, 0, q)], quarter[np.clip(k - q, 0, q)]).astype(F32)
    return cos, sin


def _bit_reverse(h: int) -> np.ndarray:
    bits = h.bit_length() - 1
    r = np.zeros(h, dtype=np.int64)
    for b in range(bits):
        r |= ((np.arange(h) >> b) & 1) << (bits - 1 - b)
    return r


_LN10 = 2.302585092994046


def _hz_to_mel(f: float, htk: bool) -> float:
    if htk:
        return 2595.0 * (ctmath.log(1.0 + f / 700.0) / _LN10)
    f_sp = 200.0 / 3
    mels = (f - 0.0) / f_sp
    min_log_hz, min_log_mel = 1000.0, (1000.0 - 0.0) / f_sp
    logstep = ctmath.log(6.4) / 27.0
    if f >= min_log_hz:
        return min_log_mel + ctmath.log(f / min_log_hz) / logstep
    return mels


def _mel_to_hz(m: float, htk: bool) -> float:
    if htk:
        return 700.0 * (ctmath.exp(m / 2595.0 * _LN10) - 1.0)
    f_sp = 200.0 / 3
    freqs = 0.0 + f_sp * m
    min_log_hz, min_log_mel = 1000.0, (1000.0 - 0.0) / f_sp
    logstep = ctmath.log(6.4) / 27.0
    if m >= min_log_mel:
        return min_log_hz * ctmath.exp(logstep * (m - min_log_mel))
    return freqs


def mel_table(sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float, htk: bool, slaney: bool):
    """(first, count, weights): the sparse float32 filterbank of include/ctml/dsp/mel.hpp."""
    lo, hi = _hz_to_mel(fmin, htk), _hz_to_mel(fmax, htk)
    f = [_mel_to_hz(_linspace_at(lo, hi, n_mels + 2, i), htk) for i in range(n_mels + 2)]
    n_bins = n_fft // 2 + 1

    def bin_hz(k):
        return float(k) * (1.0 / (float(n_fft) * (1.0 / sr)))

    def weight(i, k):
        fk = bin_hz(k)
        lower = -(f[i] - fk) / (f[i + 1] - f[i])
        upper = (f[i + 2] - fk) / (f[i + 2] - f[i + 1])
        w = lower if lower < upper else upper
        if not w > 0.0:
            return F32(0.0)
        w32 = F32(w)
        if slaney:
            w32 = F32(float(w32) * (2.0 / (f[i + 2] - f[i])))
        return w32

    first, count, weights = [], [], []
    k0 = 0
    for i in range(n_mels):
        while k0 < n_bins and bin_hz(k0) <= f[i]:
            k0 += 1
        k, c = k0, 0
        while k < n_bins and bin_hz(k) < f[i + 2]:
            k += 1
            c += 1
        start = k0
        while c > 0 and weight(i, start) == 0:
            start += 1
            c -= 1
        while c > 0 and weight(i, start + c - 1) == 0:
            c -= 1
        first.append(start)
        count.append(c)
        weights.extend(weight(i, start + j) for j in range(c))
    return np.array(first, dtype=np.int64), np.array(count, dtype=np.int64), np.array(weights, dtype=F32)


def dct_table(n: int, n_coefs: int) -> np.ndarray:
    c = [ctmath.cos(ctmath.PI * float(j) / (2.0 * float(n))) for j in range(4 * n)]
    f0, fk = ctmath.sqrt(1.0 / float(n)), ctmath.sqrt(2.0 / float(n))
    t = np.empty((n_coefs, n), dtype=F32)
    for k in range(n_coefs):
        for i in range(n):
            t[k, i] = (f0 if k == 0 else fk) * c[(k * (2 * i + 1)) % (4 * n)]
    return t


# ----------------------------------------------------------------------------
# The C++ stages' float32 arithmetic, in their order (vectorised over rows)


def rfft_f32(x: np.ndarray, output: str) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    rows, n = x.shape
    h = n // 2
    cos, sin = fft_twiddles(n)
    rev = _bit_reverse(h)
    zr = np.empty((rows, h), dtype=F32)
    zi = np.empty((rows, h), dtype=F32)
    zr[:, rev] = x[:, 0::2]
    zi[:, rev] = x[:, 1::2]
    length = 2
    while length <= h:
        hh = length // 2
        stride = n // length
        groups = np.arange(0, h, length)
        # j = 0: twiddle 1, no products
        a, b = groups, groups + hh
        ar, ai, br, bi = zr[:, a], zi[:, a], zr[:, b], zi[:, b]
        zr[:, a], zi[:, a], zr[:, b], zi[:, b] = ar + br, ai + bi, ar - br, ai - bi
        if hh > 1:
            j = np.arange(1, hh)
            a = (groups[:, None] + j[None, :]).ravel()
            jj = np.broadcast_to(j[None, :], (len(groups), hh - 1)).ravel()
            b = a + hh
            c, s = cos[jj * stride], sin[jj * stride]
            br, bi = zr[:, b], zi[:, b]
            tr = c * br + s * bi
            ti = c * bi - s * br
            q = jj * 4 == length  # twiddle -i: no products
            tr[:, q] = bi[:, q]
            ti[:, q] = -br[:, q]
            ar, ai = zr[:, a], zi[:, a]
            zr[:, a], zi[:, a], zr[:, b], zi[:, b] = ar + tr, ai + ti, ar - tr, ai - ti
        length *= 2
    dc = zr[:, 0] + zi[:, 0]
    nyquist = zr[:, 0] - zi[:, 0]
    k = np.arange(1, h)
    ar, ai, br, bi = zr[:, k], zi[:, k], zr[:, h - k], zi[:, h - k]
    sr, di, si, dr = ar + br, ai - bi, ai + bi, br - ar
    c, s = cos[k], sin[k]
    tr = c * si + s * dr
    ti = c * dr - s * si
    half = F32(0.5)
    re = half * (sr + tr)
    im = half * (di + ti)
    if output == "complex":
        out = np.zeros((rows, 2 * (h + 1)), dtype=F32)
        out[:, 0] = dc
        out[:, 2 * h] = nyquist
        out[:, 2:2 * h:2] = re
        out[:, 3:2 * h:2] = im
        return out
    zero = F32(0.0)
    p = np.empty((rows, h + 1), dtype=F32)
    p[:, 0] = dc * dc + zero * zero
    p[:, h] = nyquist * nyquist + zero * zero
    p[:, 1:h] = re * re + im * im
    return p if output == "power" else np.sqrt(p)


def mel_f32(x: np.ndarray, first: np.ndarray, count: np.ndarray, weights: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    rows, n_mels = x.shape[0], len(first)
    starts = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    acc = np.zeros((rows, n_mels), dtype=F32)
    for c in range(int(count.max(initial=0))):
        m = np.flatnonzero(count > c)
        w = weights[starts[m] + c]
        acc[:, m] = acc[:, m] + w * x[:, first[m] + c]
    return acc


def decibels_f32(x: np.ndarray) -> np.ndarray:
    """include/ctml/dsp/power_to_db.hpp's detail::decibels on positive normal floats."""
    x = np.asarray(x, dtype=F32)
    bits = x.view(np.uint32)
    e = ((bits >> np.uint32(23)) & np.uint32(0xFF)).astype(np.int32) - 127
    m = ((bits & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(F32)
    big = m > F32(1.41421354)
    m = np.where(big, m * F32(0.5), m)
    e = e + big.astype(np.int32)
    one = F32(1.0)
    s = (m - one) / (m + one)
    z = s * s
    p = z * (one / F32(9.0)) + one / F32(7.0)
    p = p * z + one / F32(5.0)
    p = p * z + one / F32(3.0)
    t = s + s
    ln_m = t + t * (z * p)
    return (e.astype(F32) * F32(0.693147182) + ln_m) * F32(4.34294462)


def dct_f32(x: np.ndarray, table: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    acc = np.zeros((x.shape[0], table.shape[0]), dtype=F32)
    for i in range(x.shape[1]):
        acc = acc + table[:, i] * x[:, i:i + 1]
    return acc


def sosfilt_f32(x: np.ndarray, sos32: np.ndarray, n_channels: int) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    rows, n = x.shape
    xs = x.reshape(rows, n // n_channels, n_channels)
    out = np.empty_like(xs)
    ns = sos32.shape[0]
    z0 = np.zeros((ns, rows, n_channels), dtype=F32)
    z1 = np.zeros((ns, rows, n_channels), dtype=F32)
    b0, b1, b2, a1, a2 = (sos32[:, i] for i in (0, 1, 2, 4, 5))
    for i in range(xs.shape[1]):
        v = xs[:, i, :]
        for s in range(ns):
            y = b0[s] * v + z0[s]
            z0[s] = (b1[s] * v - a1[s] * y) + z1[s]
            z1[s] = b2[s] * v - a2[s] * y
            v = y
        out[:, i, :] = v
    return out.reshape(rows, n)


def fir_f32(x: np.ndarray, taps32: np.ndarray, n_channels: int) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    rows, n = x.shape
    xs = x.reshape(rows, n // n_channels, n_channels)
    n_samples = xs.shape[1]
    acc = np.zeros_like(xs)
    for k in range(min(len(taps32), n_samples)):
        acc[:, k:, :] = acc[:, k:, :] + taps32[k] * xs[:, : n_samples - k, :]
    return acc.reshape(rows, n)


def band_bins(n_samples: int, sr: float, bands) -> list:
    """[first, end) bins of each (lo, hi) band: lo <= f_k < hi, f_k = k sr / n
    in double (that order); the Nyquist bin also when hi >= sr / 2
    (include/ctml/dsp/channel_stats.hpp, stats_layout::make_bins)."""
    n_bins = n_samples // 2 + 1
    out = []
    for lo, hi in bands:
        lo, hi = float(lo), float(hi)
        first = end = 0
        for k in range(n_bins):
            f = float(k) * sr / float(n_samples)
            first += f < lo
            end += f < hi or (k + 1 == n_bins and hi >= sr / 2.0)
        out.append((first, end))
    return out


def channel_stats_f32(x: np.ndarray, n_channels: int, stats, sr=None, bins=()) -> np.ndarray:
    x = np.asarray(x, dtype=F32)
    rows, width = x.shape
    n_samples = width // n_channels
    n = F32(n_samples)
    per_channel = sum(len(bins) if s == "band_energy" else 1 for s in stats)
    out = np.empty((rows, n_channels, per_channel), dtype=F32)
    spectral = any(s in SPECTRAL_STATS for s in stats)
    for ch in range(n_channels):
        xc = x[:, ch::n_channels]
        s1 = np.zeros(rows, dtype=F32)
        sq = np.zeros(rows, dtype=F32)
        for i in range(n_samples):
            s1 = s1 + xc[:, i]
            sq = sq + xc[:, i] * xc[:, i]
        lo, hi = xc.min(axis=1), xc.max(axis=1)
        crossings = ((xc[:, :-1] >= 0) != (xc[:, 1:] >= 0)).sum(axis=1)
        mean = s1 / n
        a2 = np.zeros(rows, dtype=F32)
        a3 = np.zeros(rows, dtype=F32)
        a4 = np.zeros(rows, dtype=F32)
        for i in range(n_samples):
            d = xc[:, i] - mean
            d2 = d * d
            a2 = a2 + d2
            a3 = a3 + d2 * d
            a4 = a4 + d2 * d2
        m2, m3, m4 = a2 / n, a3 / n, a4 / n
        tiny = F32(1e-6) * mean
        constant = m2 <= tiny * tiny
        with np.errstate(all="ignore"):
            root = np.sqrt(m2)
            values = {
                "mean": [mean],
                "std": [root],
                "min": [lo],
                "max": [hi],
                "ptp": [hi - lo],
                "rms": [np.sqrt(sq / n)],
                "skew": [np.where(constant, F32(np.nan), m3 / (m2 * root))],
                "kurtosis": [np.where(constant, F32(np.nan), m4 / (m2 * m2) - F32(3.0))],
                "zcr": [crossings.astype(F32) / F32(n_samples - 1)],
            }
            if spectral:
                p = rfft_f32(np.ascontiguousarray(xc), "power")
                best = 1 + np.argmax(p[:, 1:], axis=1)  # the first (lowest) bin of the largest power
                top = p[np.arange(rows), best]
                values["dominant_freq"] = [np.where(top > 0, best.astype(F32) * F32(float(sr) / float(n_samples)),
                                                    F32(0.0)).astype(F32)]
                energies = []
                for first, end in bins:
                    acc = np.zeros(rows, dtype=F32)
                    for k in range(first, end):
                        acc = acc + p[:, k]
                    energies.append(acc / n)
                values["band_energy"] = energies
        j = 0
        for name in stats:
            for v in values[name]:
                out[:, ch, j] = v
                j += 1
    return out.reshape(rows, n_channels * per_channel)


# ----------------------------------------------------------------------------
# Transformers


class _Dsp(TransformerMixin, BaseEstimator):
    """Shared fit/transform: rows are cast to float32 (the C++ input type)."""

    def fit(self, X, y=None):
        X = self._rows(X, fitting=True)
        self.n_features_in_ = X.shape[1]
        self._setup(X.shape[1])
        return self

    def transform(self, X):
        check_is_fitted(self)
        return self._apply(self._rows(X))

    def _rows(self, X, fitting: bool = False) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects 2-D input (rows = frames), got shape {X.shape}")
        if not fitting and X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with {self.n_features_in_}")
        return np.ascontiguousarray(X, dtype=F32)

    def _setup(self, n: int) -> None:  # pragma: no cover - overridden
        pass

    def _more_tags(self):
        return {"preserves_dtype": [np.float32]}


class Window(_Dsp):
    """x * scipy.signal.get_window(window, n, fftbins=True)."""

    def __init__(self, window="hann"):
        self.window = window

    def _setup(self, n):
        if self.window not in WINDOWS:
            raise ValueError(f"Window: window must be one of {', '.join(WINDOWS)}, not {self.window!r}")
        if n < 2:
            raise ValueError("Window needs frames of 2 or more values")
        self.table_ = window_table(self.window, n)

    def _apply(self, X):
        return X * self.table_


class RFFT(_Dsp):
    """numpy.fft.rfft of each row (length a power of two, 16..4096): n/2 + 1
    bins as power |X|^2, magnitude |X| or complex (re, im interleaved)."""

    def __init__(self, output="power"):
        self.output = output

    def _setup(self, n):
        if self.output not in OUTPUTS:
            raise ValueError(f"RFFT: output must be one of {', '.join(OUTPUTS)}, not {self.output!r}")
        if n < 16 or n > 4096 or n & (n - 1):
            raise ValueError(f"RFFT takes frames of a power of two from 16 to 4096 values, not {n}")

    def _apply(self, X):
        return rfft_f32(X, self.output)


class MelFilterbank(_Dsp):
    """librosa.filters.mel(sr=sr, n_fft=2 (width - 1), n_mels, fmin, fmax, htk, norm) @ row."""

    def __init__(self, sr, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney"):
        self.sr = sr
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.htk = htk
        self.norm = norm

    def _setup(self, n):
        if n < 2:
            raise ValueError("MelFilterbank needs power-spectrum rows of 2 or more bins")
        if self.norm not in ("slaney", None):
            raise ValueError(f"MelFilterbank: norm must be 'slaney' or None, not {self.norm!r}")
        sr = float(self.sr)
        fmax = sr / 2.0 if self.fmax is None else float(self.fmax)
        fmin = float(self.fmin)
        if not (np.isfinite(sr) and sr > 0 and 0.0 <= fmin < fmax and np.isfinite(fmax)):
            raise ValueError("MelFilterbank needs sr > 0 and 0 <= fmin < fmax")
        if int(self.n_mels) < 1:
            raise ValueError("MelFilterbank needs n_mels >= 1")
        self.n_fft_ = 2 * (n - 1)
        self.fmax_ = fmax
        self.first_, self.count_, self.weights_ = mel_table(sr, self.n_fft_, int(self.n_mels), fmin, fmax,
                                                           bool(self.htk), self.norm == "slaney")

    def _apply(self, X):
        return mel_f32(X, self.first_, self.count_, self.weights_)


class PowerToDb(_Dsp):
    """10 log10(max(x, amin)), computed in float32."""

    def __init__(self, amin=1e-10):
        self.amin = amin

    def _setup(self, n):
        if not (np.isfinite(self.amin) and F32(self.amin) >= F32(2.0**-126)):
            raise ValueError("PowerToDb needs amin >= 2**-126 (the smallest normal float32)")

    def _apply(self, X):
        amin = F32(self.amin)
        return decibels_f32(np.where(X > amin, X, amin))


class DCT(_Dsp):
    """scipy.fft.dct(x, type=2, norm="ortho")[:n_coefs]."""

    def __init__(self, n_coefs=13):
        self.n_coefs = n_coefs

    def _setup(self, n):
        if not 1 <= int(self.n_coefs) <= n:
            raise ValueError(f"DCT needs 1 <= n_coefs <= {n} (the row width)")
        self.table_ = dct_table(n, int(self.n_coefs))

    def _apply(self, X):
        return dct_f32(X, self.table_)


def _check_channels(name, n, n_channels):
    c = int(n_channels)
    if c < 1 or n % c:
        raise ValueError(f"{name}: the row width {n} is not a multiple of n_channels={n_channels}")
    return c


class SOSFilter(_Dsp):
    """scipy.signal.sosfilt(sos, x) along each channel of the row, from zero state."""

    def __init__(self, sos, n_channels=1):
        self.sos = sos
        self.n_channels = n_channels

    def _setup(self, n):
        sos = np.atleast_2d(np.asarray(self.sos, dtype=np.float64))
        if sos.ndim != 2 or sos.shape[1] != 6 or sos.shape[0] < 1:
            raise ValueError("SOSFilter: sos must have shape (n_sections, 6)")
        if not np.all(np.isfinite(sos)):
            raise ValueError("SOSFilter: sos has non-finite coefficients")
        if not np.all(sos[:, 3] == 1.0):
            raise ValueError("SOSFilter: sos[:, 3] (a0) must be 1, as scipy.signal.sosfilt requires")
        self._channels = _check_channels("SOSFilter", n, self.n_channels)
        self.sos_ = sos

    def _apply(self, X):
        return sosfilt_f32(X, self.sos_.astype(F32), int(self.n_channels))


class FIRFilter(_Dsp):
    """scipy.signal.lfilter(taps, [1.0], x) along each channel of the row, from zero state."""

    def __init__(self, taps, n_channels=1):
        self.taps = taps
        self.n_channels = n_channels

    def _setup(self, n):
        taps = np.asarray(self.taps, dtype=np.float64).ravel()
        if taps.size < 1 or not np.all(np.isfinite(taps)):
            raise ValueError("FIRFilter needs one or more finite taps")
        _check_channels("FIRFilter", n, self.n_channels)
        self.taps_ = taps

    def _apply(self, X):
        return fir_f32(X, self.taps_.astype(F32), int(self.n_channels))


class Decimate(_Dsp):
    """FIR decimation along each channel of the row, from zero state:
    ``lfilter(taps, [1.0], x)[::factor]``, i.e. y[j] = sum_k taps[k] x[j*factor - k]
    for j = 0 .. ceil(n_samples / factor) - 1 (channel last in the output too).
    Without taps: scipy.signal.decimate's FIR, ``firwin(20*factor + 1, 1/factor,
    window="hamming")``, so that the output is ``scipy.signal.decimate(x, factor,
    ftype="fir", zero_phase=False)`` (factor 1 without taps: the identity).
    float32 as the C++ stage ctml::dsp::decimate computes it (FIRFilter's arithmetic)."""

    def __init__(self, factor=2, taps=None, n_channels=1):
        self.factor = factor
        self.taps = taps
        self.n_channels = n_channels

    def _setup(self, n):
        if isinstance(self.factor, bool) or not isinstance(self.factor, (int, np.integer)) or self.factor < 1:
            raise ValueError(f"Decimate: factor must be an integer >= 1, got {self.factor!r}")
        import scipy.signal

        q = int(self.factor)
        if self.taps is None:
            taps = np.array([1.0]) if q == 1 else scipy.signal.firwin(20 * q + 1, 1.0 / q, window="hamming")
        else:
            taps = np.asarray(self.taps, dtype=np.float64).ravel()
        if taps.size < 1 or not np.all(np.isfinite(taps)):
            raise ValueError("Decimate needs one or more finite taps")
        _check_channels("Decimate", n, self.n_channels)
        self.taps_ = np.asarray(taps, dtype=np.float64)
        self.n_samples_ = n // int(self.n_channels)

    def _apply(self, X):
        c = int(self.n_channels)
        y = fir_f32(X, self.taps_.astype(F32), c).reshape(len(X), self.n_samples_, c)
        return np.ascontiguousarray(y[:, :: int(self.factor), :]).reshape(len(X), -1)


class ChannelStats(_Dsp):
    """Per channel of interleaved rows: the statistics in ``stats``, channel-major.

    Time domain: mean, std (ddof 0), min, max, ptp, rms, skew, kurtosis
    (scipy.stats defaults), zcr (sign changes / (n - 1)).
    Spectral, from P[k] = |numpy.fft.rfft(channel)[k]|^2 (no window, n a power
    of two 16..4096), bin k at f_k = k sr / n Hz:
      dominant_freq  f_k of the largest P[k], k = 1..n/2 (DC left out; ties:
                     the lowest k; 0 when P is 0 above DC); needs ``sr``
      band_energy    one value per band of ``bands`` ((lo, hi) Hz pairs):
                     sum(P[k] for lo <= f_k < hi) / n, with the Nyquist bin in a
                     band whose hi >= sr / 2; every band must hold a bin
    """

    def __init__(self, n_channels=1, stats=("mean", "std", "min", "max", "ptp", "rms", "skew", "kurtosis"),
                 sr=None, bands=()):
        self.n_channels = n_channels
        self.stats = stats
        self.sr = sr
        self.bands = bands

    def _setup(self, n):
        stats = (self.stats,) if isinstance(self.stats, str) else tuple(self.stats)
        bad = [s for s in stats if s not in STATS + SPECTRAL_STATS]
        if bad or not stats:
            raise ValueError(f"ChannelStats: unknown statistic(s) {bad}; choose from {', '.join(STATS + SPECTRAL_STATS)}")
        c = _check_channels("ChannelStats", n, self.n_channels)
        n_samples = n // c
        if n_samples < 2:
            raise ValueError("ChannelStats needs 2 or more samples per channel")
        self.stats_ = stats
        self.bins_ = []
        self.bands_ = np.zeros((0, 2))
        if not any(s in SPECTRAL_STATS for s in stats):
            return
        if n_samples < 16 or n_samples > 4096 or n_samples & (n_samples - 1):
            raise ValueError(f"ChannelStats: {'/'.join(SPECTRAL_STATS)} take the FFT of each channel: "
                             f"{n_samples} samples per channel is not a power of two from 16 to 4096")
        try:
            sr = float(self.sr)
        except (TypeError, ValueError):
            raise ValueError("ChannelStats: the spectral statistics need sr, the sample rate in Hz") from None
        if not (np.isfinite(sr) and sr > 0):
            raise ValueError("ChannelStats: sr must be a finite sample rate > 0 (Hz)")
        self.sr_ = sr
        if "band_energy" in stats:
            bands = np.asarray(self.bands, dtype=np.float64)
            if bands.size == 0 or bands.ndim != 2 or bands.shape[1] != 2:
                raise ValueError("ChannelStats: band_energy needs bands, a sequence of (lo, hi) pairs in Hz")
            if not np.all(np.isfinite(bands)) or np.any(bands[:, 0] < 0) or np.any(bands[:, 0] >= bands[:, 1]):
                raise ValueError("ChannelStats: every band (lo, hi) needs finite 0 <= lo < hi (Hz)")
            self.bins_ = band_bins(n_samples, sr, bands)
            for (lo, hi), (first, end) in zip(bands, self.bins_):
                if end <= first:
                    raise ValueError(f"ChannelStats: the band ({lo:g}, {hi:g}) Hz holds no FFT bin "
                                     f"(bins are {sr / n_samples:g} Hz apart)")
            self.bands_ = bands

    def _apply(self, X):
        return channel_stats_f32(X, int(self.n_channels), self.stats_, getattr(self, "sr_", None), self.bins_)


# ----------------------------------------------------------------------------
# Conversion to C++ stages


def _stage(est, prefix, template, members, n_out) -> Stage:
    n = int(est.n_features_in_)
    return Stage(type(est).__name__, prefix, template, members, n, int(n_out), extra={"kind": "transform"})


def _n(est):
    return member_scalar("std::size_t", "n", str(int(est.n_features_in_)))


def convert(est) -> Stage:
    try:
        est._setup(int(est.n_features_in_))  # re-validate parameters changed after fit
    except ValueError as e:
        raise ConversionError(str(e)) from None
    n = int(est.n_features_in_)
    if isinstance(est, Window):
        m = [_n(est), member_scalar("auto", "window", f"ctml::dsp::window_kind::{est.window}")]
        return _stage(est, "window", "ctml::dsp::window", m, n)
    if isinstance(est, RFFT):
        m = [_n(est), member_scalar("auto", "output", f"ctml::dsp::spectrum::{est.output}")]
        return _stage(est, "rfft", "ctml::dsp::rfft", m, n + 2 if est.output == "complex" else n // 2 + 1)
    if isinstance(est, MelFilterbank):
        m = [
            member_scalar("std::size_t", "n_fft", str(est.n_fft_)),
            member_scalar("std::size_t", "n_mels", str(int(est.n_mels))),
            member_scalar("double", "sr", double_literal(float(est.sr))),
            member_scalar("double", "fmin", double_literal(float(est.fmin))),
            member_scalar("double", "fmax", double_literal(est.fmax_)),
            member_scalar("bool", "htk", "true" if est.htk else "false"),
            member_scalar("auto", "norm", "ctml::dsp::mel_norm::" + ("slaney" if est.norm == "slaney" else "none")),
        ]
        return _stage(est, "mel", "ctml::dsp::mel_filterbank", m, int(est.n_mels))
    if isinstance(est, PowerToDb):
        m = [_n(est), member_scalar("double", "amin", double_literal(float(est.amin)))]
        return _stage(est, "db", "ctml::dsp::power_to_db", m, n)
    if isinstance(est, DCT):
        m = [_n(est), member_scalar("std::size_t", "n_coefs", str(int(est.n_coefs)))]
        return _stage(est, "dct", "ctml::dsp::dct", m, int(est.n_coefs))
    if isinstance(est, SOSFilter):
        sos = est.sos_
        check_finite("SOSFilter.sos", sos)
        rows = ["{" + ", ".join(double_tokens(r)) + "}" for r in sos]
        m = [
            _n(est),
            member_scalar("std::size_t", "n_channels", str(int(est.n_channels))),
            member_scalar("std::size_t", "n_sections", str(sos.shape[0])),
            "    static constexpr double sos[n_sections][6] = {" + ", ".join(rows) + "};",
        ]
        return _stage(est, "sos", "ctml::dsp::sos_filter", m, n)
    if isinstance(est, FIRFilter):
        m = [
            _n(est),
            member_scalar("std::size_t", "n_channels", str(int(est.n_channels))),
            member_scalar("std::size_t", "n_taps", str(est.taps_.size)),
            member_array("double", "taps", ["n_taps"], double_tokens(est.taps_)),
        ]
        return _stage(est, "fir", "ctml::dsp::fir_filter", m, n)
    if isinstance(est, Decimate):
        m = [
            _n(est),
            member_scalar("std::size_t", "n_channels", str(int(est.n_channels))),
            member_scalar("std::size_t", "factor", str(int(est.factor))),
            member_scalar("std::size_t", "n_taps", str(est.taps_.size)),
            member_array("double", "taps", ["n_taps"], double_tokens(est.taps_)),
        ]
        n_kept = -(-est.n_samples_ // int(est.factor))
        return _stage(est, "decimate", "ctml::dsp::decimate", m, n_kept * int(est.n_channels))
    if isinstance(est, ChannelStats):
        m = [
            _n(est),
            member_scalar("std::size_t", "n_channels", str(int(est.n_channels))),
            member_scalar("std::size_t", "n_stats", str(len(est.stats_))),
            member_array("ctml::dsp::stat", "stats", ["n_stats"], [f"ctml::dsp::stat::{s}" for s in est.stats_]),
        ]
        width = len(est.stats_)
        if any(s in SPECTRAL_STATS for s in est.stats_):
            m.append(member_scalar("double", "sr", double_literal(est.sr_)))
        if "band_energy" in est.stats_:
            n_bands = len(est.bands_)
            width += est.stats_.count("band_energy") * (n_bands - 1)
            rows = ["{" + ", ".join(double_tokens(b)) + "}" for b in est.bands_]
            m += [member_scalar("std::size_t", "n_bands", str(n_bands)),
                  "    static constexpr double bands[n_bands][2] = {" + ", ".join(rows) + "};"]
        return _stage(est, "stats", "ctml::dsp::channel_stats", m, int(est.n_channels) * width)
    raise ConversionError(f"not a ctml.dsp transformer: {type(est).__name__}")


#: ctml.dsp transformers allowed as pipeline steps (and as the last step).
CONVERTERS = {cls: convert for cls in (Window, RFFT, MelFilterbank, PowerToDb, DCT, SOSFilter, FIRFilter, Decimate, ChannelStats)}

register(Family(name="dsp", estimators=tuple(CONVERTERS), convert=convert, kind="transform"))
