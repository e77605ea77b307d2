"""Feature scalers: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler.

Parameters are emitted as sklearn stores them (float64); disabled parts of a
scaler (``with_mean=False`` ...) become zeros / ones so that the C++ stage
always applies the same operations.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from .emit import ConversionError, Param, Stage, check_finite
from .registry import TRANSFORM, Family, register


def _vec(est, attr: str, n: int, default: float | None) -> np.ndarray:
    v = getattr(est, attr, None)
    if v is None:
        if default is None:
            raise ConversionError(f"{type(est).__name__} has no {attr}")
        return np.full(n, default, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64).ravel()
    if v.shape != (n,):
        raise ConversionError(f"{type(est).__name__}.{attr} has {v.size} values, expected {n}")
    check_finite(f"{type(est).__name__}.{attr}", v)
    return v


def _stage(est, template: str, arrays: list[tuple[str, np.ndarray]], scalars=()) -> Stage:
    n = int(est.n_features_in_)
    members = [Param("n_features", "std::size_t", n)]
    for ctype, name, value in scalars:
        members.append(Param(name, ctype, value))
    for name, v in arrays:
        members.append(Param(name, "double", v, ("n_features",)))
    return Stage(type(est).__name__, "scaler", template, members, n, n)


def convert_standard_scaler(est: StandardScaler) -> Stage:
    n = int(est.n_features_in_)
    mean = _vec(est, "mean_", n, 0.0) if est.with_mean else np.zeros(n)
    scale = _vec(est, "scale_", n, 1.0) if est.with_std else np.ones(n)
    return _stage(est, "ctml::standard_scaler", [("mean", mean), ("scale", scale)])


def convert_min_max_scaler(est: MinMaxScaler) -> Stage:
    n = int(est.n_features_in_)
    scale = _vec(est, "scale_", n, None)
    min_ = _vec(est, "min_", n, None)
    lo, hi = (float(v) for v in est.feature_range)
    check_finite("MinMaxScaler.feature_range", [lo, hi])
    clip = bool(getattr(est, "clip", False))
    scalars = [("bool", "clip", clip), ("double", "clip_lo", lo), ("double", "clip_hi", hi)]
    return _stage(est, "ctml::min_max_scaler", [("scale", scale), ("min", min_)], scalars)


def convert_max_abs_scaler(est: MaxAbsScaler) -> Stage:
    n = int(est.n_features_in_)
    return _stage(est, "ctml::max_abs_scaler", [("scale", _vec(est, "scale_", n, None))])


def convert_robust_scaler(est: RobustScaler) -> Stage:
    n = int(est.n_features_in_)
    center = _vec(est, "center_", n, 0.0) if est.with_centering else np.zeros(n)
    scale = _vec(est, "scale_", n, 1.0) if est.with_scaling else np.ones(n)
    return _stage(est, "ctml::robust_scaler", [("center", center), ("scale", scale)])


_CONVERTERS = {
    StandardScaler: convert_standard_scaler,
    MinMaxScaler: convert_min_max_scaler,
    MaxAbsScaler: convert_max_abs_scaler,
    RobustScaler: convert_robust_scaler,
}


def convert(est) -> Stage:
    for cls, conv in _CONVERTERS.items():
        if isinstance(est, cls):
            return conv(est)
    raise ConversionError(f"not a scaler: {type(est).__name__}")


#: Scalers go before the model in a Pipeline.

def _centre_and_scale(prev, n: int):
    """(c, s) of a scaler that sklearn applies as (x - c) / s, in that order:
    StandardScaler, RobustScaler (X -= center_; X /= scale_) and MaxAbsScaler
    (X /= scale_, so c = 0: x - 0.0 is x exactly); None for another step."""
    kind = type(prev)
    if kind is StandardScaler:
        return (prev.mean_ if prev.with_mean else np.zeros(n)), (prev.scale_ if prev.with_std else np.ones(n))
    if kind is RobustScaler:
        return (prev.center_ if prev.with_centering else np.zeros(n)), (prev.scale_ if prev.with_scaling else np.ones(n))
    if kind is MaxAbsScaler:
        return np.zeros(n), prev.scale_
    return None


def absorb_standard_scaler(stage: Stage):
    """For a model stage that scales its input itself (members input_mean and
    input_scale): the `extra["absorb"]` hook that takes over a scaler of the
    form (x - c) / s right before it (StandardScaler, RobustScaler,
    MaxAbsScaler), so that its exact path scales in double as sklearn's
    Pipeline does (a separate scaler stage hands it float32, and rows within a
    float32 step of a decision could flip)."""
    from .emit import double_tokens, member_array

    def absorb(prev):
        n = stage.n_features_in
        found = _centre_and_scale(prev, n)
        if found is None:
            return None
        mean, scale = (np.asarray(v, dtype=np.float64) for v in found)
        if mean.shape != (n,) or scale.shape != (n,):
            return None
        check_finite(f"{type(prev).__name__} centre", mean)
        check_finite(f"{type(prev).__name__} scale", scale)
        members = stage.members + [
            member_array("double", "input_mean", ["n_features"], double_tokens(mean)),
            member_array("double", "input_scale", ["n_features"], double_tokens(scale)),
        ]
        return Stage(f"{type(prev).__name__}+{stage.source}", stage.prefix, stage.template, members, n, stage.n_features_out,
                     is_model=True, classes=stage.classes, extra={k: v for k, v in stage.extra.items() if k != "absorb"})

    return absorb

register(Family(name="scalers", estimators=tuple(_CONVERTERS), convert=convert, kind=TRANSFORM))
