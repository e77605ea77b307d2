"""The family registry: which module converts which estimator.

Each model family is one module (``trees.py``, ``nn.py``, ``torch_nn.py``,
...) that ends with ``register(Family(...))``: the estimator types it takes
(matched with ``isinstance``, so subclasses work), its converter, and what
else it offers (calibration for integer policies, the framework's own
prediction when that is not scikit-learn's ``predict``). ``families.py``
imports every family module once; nothing here changes when a framework such
as torch is imported later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from .emit import ConversionError, Stage

MODEL = "model"  # a final estimator: classifier, regressor, clusterer, outlier detector
TRANSFORM = "transform"  # a Pipeline step before it (scalers, DSP, PCA, ...)


@dataclass(frozen=True)
class Family:
    name: str
    #: The estimator classes this family converts, or a function returning them
    #: (for frameworks imported lazily: it returns () while the framework is not loaded).
    estimators: Any
    #: est -> Stage (or a list of Stages for steps that become several stages).
    convert: Callable[[Any], Any]
    kind: str = MODEL
    #: (est, X) -> None: records what integer policies need (activation ranges ...).
    calibrate: Optional[Callable[[Any, np.ndarray], None]] = None
    #: Is the object a model of this family that is not a scikit-learn estimator (a torch module)?
    foreign: Optional[Callable[[Any], bool]] = None
    #: What error messages list as supported (default: the estimator classes' names).
    names: Optional[tuple] = None

    def types(self) -> tuple:
        t = self.estimators() if callable(self.estimators) and not isinstance(self.estimators, type) else self.estimators
        return tuple(t)

    def takes(self, est) -> bool:
        types = self.types()
        return bool(types) and isinstance(est, types)

    def type_names(self) -> list[str]:
        return list(self.names) if self.names is not None else [t.__name__ for t in self.types()]


_FAMILIES: list[Family] = []


def register(family: Family) -> Family:
    if any(f.name == family.name for f in _FAMILIES):
        raise ValueError(f"ctml family {family.name!r} registered twice")
    if family.kind not in (MODEL, TRANSFORM):
        raise ValueError(f"ctml family {family.name!r}: kind must be {MODEL!r} or {TRANSFORM!r}")
    _FAMILIES.append(family)
    return family


def families(kind: Optional[str] = None) -> list[Family]:
    from . import families as _all  # noqa: F401  (imports every family module once)

    return [f for f in _FAMILIES if kind is None or f.kind == kind]


def find(est, kind: str) -> Optional[Family]:
    """The family that converts ``est`` as a ``kind`` ("model" or "transform").
    Exact classes win over base classes, so a family may specialise a subclass."""
    matches = [f for f in families(kind) if f.takes(est)]
    for f in matches:
        if type(est) in f.types():
            return f
    return matches[0] if matches else None


def is_foreign_model(est) -> Optional[Family]:
    """The family of a model that is not a scikit-learn estimator (a torch network)."""
    for f in families(MODEL):
        if f.foreign is not None and f.foreign(est):
            return f
    return None


def supported(kind: str) -> list[str]:
    return sorted({n for f in families(kind) for n in f.type_names()})


def convert_step(family: Family, est) -> list[Stage]:
    out = family.convert(est)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def calibrate(estimator, X) -> None:
    """Records what integer policies need on ``estimator`` (a model, or a
    Pipeline ending in one: X goes through the preceding steps first)."""
    from sklearn.pipeline import Pipeline

    # The rows as the C++ sees them (float32): one calibration path for
    # ctml.calibrate and `convert/verify/vectors --calibrate`.
    X = np.asarray(X) if is_foreign_model(estimator) else np.asarray(X, dtype=np.float32).astype(np.float64)
    final = estimator
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps if s is not None and not (isinstance(s, str) and s == "passthrough")]
        *pre, final = steps
        for s in pre:
            X = s.transform(X)
    family = is_foreign_model(final) or find(final, MODEL)
    if family is None or family.calibrate is None:
        raise ConversionError(f"cannot calibrate {type(final).__name__}: only networks take calibration data")
    family.calibrate(final, X)
