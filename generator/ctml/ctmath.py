"""ctml's constexpr double math (include/ctml/number/math.hpp), redone in
Python floats operation for operation.

Python floats are IEEE binary64 and every operation rounds once, as C++
constant evaluation does, so these functions return the same bits as
ctml::math::cos/sin/exp/log at compile time. The DSP transformers build their
tables (windows, twiddles, mel banks, DCT) with them, so the float32 tables
the Python side trains with are exactly the ones the C++ library derives.
Keep in step with math.hpp (tests/generator/test_dsp.py compares them).
"""

from __future__ import annotations

import struct

INF = float("inf")
NAN = float("nan")
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e00
PIO2_1 = 1.57079632673412561417e00
PIO2_2 = 6.07710050630396597660e-11
PIO2_3 = 2.02226624871116645580e-21
PIO2_3T = 8.47842766036889956997e-32
TWO_OVER_PI = 6.36619772367581382433e-01
PI = 3.141592653589793


def _bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def _exp2i(e: int) -> float:
    return _from_bits((e + 1023) << 52)


def _scale(x: float, e: int) -> float:
    while e > 1023:
        x *= _exp2i(1023)
        e -= 1023
    while e < -1022:
        x *= _exp2i(-1022)
        e += 1022
    return x * _exp2i(e)


def _nearest_int(x: float) -> int:
    return int(x - 0.5) if x < 0 else int(x + 0.5)  # C++ static_cast truncates, as int() does


_SIN_C = (-1.0 / 121645100408832000.0, 1.0 / 355687428096000.0, -1.0 / 1307674368000.0, 1.0 / 6227020800.0,
          -1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0)
_COS_C = (1.0 / 2432902008176640000.0, -1.0 / 6402373705728000.0, 1.0 / 20922789888000.0, -1.0 / 87178291200.0,
          1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0)


def _sin_kernel(r: float) -> float:
    if -(2.0**-27) < r < 2.0**-27:
        return r
    r2 = r * r
    p = 0.0
    for c in _SIN_C:
        p = p * r2 + c
    return r + r * r2 * p


def _cos_kernel(r: float) -> float:
    r2 = r * r
    p = 0.0
    for c in _COS_C:
        p = p * r2 + c
    r4 = r2 * r2
    return (1.0 - 0.5 * r2) + r4 * p


def _reduce(x: float):
    kd = x * TWO_OVER_PI
    k = int(kd - 0.5) if kd < 0 else int(kd + 0.5)
    kf = float(k)
    r = (((x - kf * PIO2_1) - kf * PIO2_2) - kf * PIO2_3) - kf * PIO2_3T
    return r, k & 3


def _finite(x: float) -> bool:
    return x == x and x not in (INF, -INF)


def sin(x: float) -> float:
    x = float(x)
    if not _finite(x) or abs(x) > 2.0**30:
        return NAN
    r, q = _reduce(x)
    return (_sin_kernel(r), _cos_kernel(r), -_sin_kernel(r), -_cos_kernel(r))[q]


def cos(x: float) -> float:
    x = float(x)
    if not _finite(x) or abs(x) > 2.0**30:
        return NAN
    r, q = _reduce(x)
    return (_cos_kernel(r), -_sin_kernel(r), -_cos_kernel(r), _sin_kernel(r))[q]


def exp(x: float) -> float:
    x = float(x)
    if x != x:
        return x
    if x > 709.782712893384:
        return INF
    if x < -745.1332191019412:
        return 0.0
    k = _nearest_int(x * INV_LN2)
    r = (x - k * LN2_HI) - k * LN2_LO
    p = 1.0
    for n in range(13, 0, -1):
        p = 1.0 + p * r / n
    return _scale(p, k)


def log(x: float) -> float:
    x = float(x)
    if x != x or x < 0:
        return NAN
    if x == 0:
        return -INF
    if x == INF:
        return x
    e = 0
    if x < 2.0**-1022:
        x *= 2.0**54
        e -= 54
    b = _bits(x)
    e += ((b >> 52) & 0x7FF) - 1023
    m = _from_bits((b & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    if m > 1.4142135623730951:
        m *= 0.5
        e += 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = 0.0
    for n in range(23, 2, -2):
        p = (p + 1.0 / n) * s2
    log_m = 2.0 * s + 2.0 * s * p
    return e * LN2_HI + (log_m + e * LN2_LO)


def sqrt(x: float) -> float:
    x = float(x)
    if x != x or x < 0:
        return NAN
    if x == 0 or x == INF:
        return x
    h = 0
    m = x
    while m >= 4.0:
        m *= 0.25
        h += 1
    while m < 1.0:
        m *= 4.0
        h -= 1
    y = 0.5 * (m + 1.0)
    for _ in range(6):
        y = 0.5 * (y + m / y)
    return _scale(y, h)
