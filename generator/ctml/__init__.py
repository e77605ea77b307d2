"""ctml: turn fitted scikit-learn models into compile-time C++ headers.

>>> import ctml
>>> m = ctml.convert(fitted_forest, name="digits")
>>> m.save("digits.hpp")          # the header text is m.header
>>> m.predict(X)                  # runs the compiled C++ on the host

See docs/generated-header.md for the header format.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from . import families, registry  # noqa: F401  (families: every family module, so ctml.nn etc. exist)
from .emit import BANNER, ConversionError, Stage, braced, c_string, double_literal, identifier_problem, render_members

__version__ = "0.1.0"

__all__ = ["convert", "calibrate", "ConversionError", "HostError", "ConvertedModel", "supported_estimators",
           "supported_preprocessors", "__version__"]

# ----------------------------------------------------------------------------
# Families: each module registers what it converts (registry.py, families.py).


def supported_estimators() -> list[str]:
    """Names of the final estimators ctml converts."""
    return registry.supported(registry.MODEL)


def supported_preprocessors() -> list[str]:
    """Names of the Pipeline steps ctml converts before a final estimator."""
    return registry.supported(registry.TRANSFORM)


def calibrate(estimator, X) -> None:
    """Records what integer policies need (int8 activation ranges) on a
    network, or on a Pipeline ending in one."""
    registry.calibrate(estimator, X)


def _unsupported_message(est, where: str = "estimator") -> str:
    return (
        f"unsupported {where} {type(est).__name__}; supported: "
        + ", ".join(supported_estimators())
        + ", or a Pipeline of "
        + "/".join(supported_preprocessors())
        + " steps followed by one of them"
    )


class HostError(RuntimeError):
    """Compiling or running the generated C++ on the host failed."""


# ----------------------------------------------------------------------------
# Labels


def _label_kind(classes: np.ndarray) -> str:
    kind = classes.dtype.kind
    if kind == "b":
        return "bool"
    if kind in "iu":
        return "int"
    if kind == "f":
        return "float"
    if kind == "O":
        items = classes.tolist()
        if all(isinstance(v, (bool, np.bool_)) for v in items):
            return "bool"
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items):
            return "int"
        if all(isinstance(v, (float, np.floating)) for v in items):
            return "float"
    return "str"


def _labels_decl(classes: np.ndarray) -> str:
    kind = _label_kind(classes)
    items = classes.tolist()
    if kind == "bool":
        ctype, toks = "bool", ["true" if v else "false" for v in items]
    elif kind == "int":
        lo, hi = -(2**63), 2**63 - 1
        if any(not lo <= int(v) <= hi for v in items):
            raise ConversionError("class labels do not fit in long long")
        # -2^63 has no literal (9223372036854775808 overflows long long).
        ctype, toks = "long long", [str(int(v)) if int(v) != lo else f"({lo + 1}LL - 1)" for v in items]
    elif kind == "float":
        try:
            ctype, toks = "double", [double_literal(v) for v in items]
        except ValueError as e:
            raise ConversionError(f"class labels: {e}") from None
    else:
        strs = [v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else str(v) for v in items]
        ctype, toks = "const char* const", [c_string(s) for s in strs]
    return f"inline constexpr {ctype} labels[] = {braced(toks, '')};"


# ----------------------------------------------------------------------------
# Conversion


def _steps(estimator) -> list:
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps if s is not None and not (isinstance(s, str) and s == "passthrough")]
        if not steps:
            raise ConversionError("the Pipeline has no steps besides 'passthrough'")
        return steps
    return [estimator]


def _check_fitted(est) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(est)
    except NotFittedError:
        raise ConversionError(f"{type(est).__name__} is not fitted; call fit() before converting") from None
    except TypeError as e:  # not an estimator at all
        raise ConversionError(f"not a scikit-learn estimator: {e}") from None


def build_stages(estimator) -> list[Stage]:
    from sklearn.base import BaseEstimator

    foreign = registry.is_foreign_model(estimator)
    if foreign is not None:  # a torch network, an XGBoost Booster
        stages = registry.convert_step(foreign, estimator)
        for stage in stages:
            stage.family = foreign.name
        return stages
    if not isinstance(estimator, BaseEstimator):
        if type(estimator).__module__.startswith("torch."):
            from . import torch_nn

            raise torch_nn._unsupported(f"a {type(estimator).__name__} module (not a torch.nn.Sequential)")
        raise ConversionError(f"not a scikit-learn estimator (got {type(estimator).__name__})")
    steps = _steps(estimator)
    in_pipeline = len(steps) > 1 or steps[0] is not estimator
    *pre, final = steps
    families = []
    for s in pre:
        fam = registry.find(s, registry.TRANSFORM)
        if fam is None:
            raise ConversionError(_unsupported_message(s, "pipeline step"))
        families.append(fam)
    fam = registry.find(final, registry.MODEL)
    if fam is None and in_pipeline:  # a Pipeline without an estimator: the header gives model.run
        fam = registry.find(final, registry.TRANSFORM)
    if fam is None:
        raise ConversionError(_unsupported_message(final, "final pipeline step" if in_pipeline else "estimator"))
    families.append(fam)
    stages: list[Stage] = []
    for s, fam in zip(steps, families):
        _check_fitted(s)
        for stage in registry.convert_step(fam, s):
            stage.family = fam.name
            if stages and stage.n_features_in != stages[-1].n_features_out:
                raise ConversionError(
                    f"pipeline step {type(s).__name__} expects {stage.n_features_in} features but "
                    f"{stages[-1].source} produces {stages[-1].n_features_out}"
                )
            stages.append(stage)
    # A model may take over the step before it (an SVM folds in a StandardScaler).
    absorb = stages[-1].extra.pop("absorb", None)
    if absorb is not None and len(stages) >= 2:
        merged = absorb(steps[-2])
        if merged is not None:
            merged.family = getattr(stages[-1], "family", None)
            stages[-2:] = [merged]
    return stages


def _render(stages: list[Stage], name: str) -> str:
    import sklearn

    final = stages[-1]
    sources = [s.source for s in stages]
    source = sources[0] if len(sources) == 1 else "Pipeline(" + ", ".join(sources) + ")"
    framework = final.extra.get("framework", f"scikit-learn {sklearn.__version__}")
    facts = [f"{stages[0].n_features_in} features"]
    if not final.is_model:
        facts.append(f"{final.n_features_out} outputs (transform)")
    else:
        facts.append(final.describe())
    if final.extra.get("summary"):  # what the family says of its model ("10 trees, 1234 nodes")
        facts.append(final.extra["summary"])
    out = [
        BANNER,
        f"// source: {source} ({framework}), " + ", ".join(facts),
        f"// ctml generator {__version__}",
        "#pragma once",
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <ctml/ctml.hpp>",
        "",
        f"namespace {name} {{",
    ]
    head = len(out)
    out.append("")
    exprs = []
    for i, st in enumerate(stages):
        struct = f"{st.prefix}{i}_params"
        out.append(f"// {st.source}")
        out.append(f"struct {struct} {{")
        out.extend(render_members(st.members))
        out.append("};")
        out.append("")
        exprs.append(f"{st.template}<{struct}>{{}}")
    # Every model is a ctml::pipeline, so `.with(...)` works on one stage too.
    if len(exprs) == 1:
        out.append(f"inline constexpr auto model = ctml::pipeline<{exprs[0][:-2]}>{{}};")
    else:
        out.append("inline constexpr auto model = " + " >> ".join(exprs) + ";")
    out.append(f"inline constexpr std::size_t n_features = {stages[0].n_features_in};")
    if not final.is_model:  # a Pipeline without an estimator: model.run(in, out)
        out.append(f"inline constexpr std::size_t n_outputs = {final.n_features_out};")
    if final.classes is not None:
        out.append(f"inline constexpr std::size_t n_classes = {len(final.classes)};")
        out.append(_labels_decl(final.classes))
    _unique_per_model(out, head)
    out.append(f"}} // namespace {name}")
    return "\n".join(out) + "\n"


def _unique_per_model(lines: list[str], head: int) -> None:
    """Wraps lines[head:] in an inline namespace named by a hash of their
    content: two different models converted with the same NAME get different
    symbols (no silent ODR clash across translation units), NAME::model
    still names the model."""
    import hashlib

    digest = hashlib.sha256("\n".join(lines[head:]).encode()).hexdigest()[:16]
    lines.insert(head, f"inline namespace model_{digest} {{  // one per model content: see docs/generated-header.md")
    lines.append(f"}} // inline namespace model_{digest}")


class ConvertedModel:
    """The result of :func:`convert`."""

    def __init__(self, estimator, name: str, stages: list[Stage], header: str):
        self.estimator = estimator
        self.name = name
        self.header = header
        self.n_features = stages[0].n_features_in
        self.classes_ = stages[-1].classes  # None for regressors
        self.is_classifier = self.classes_ is not None
        self.is_transform = not stages[-1].is_model  # no estimator: run() gives n_outputs values
        #: What predict returns, in words ("4 classes", "outlier detector (predict: +1 inlier, -1 outlier)").
        self.describes = stages[-1].describe() if stages[-1].is_model else "transform"
        self.n_outputs = stages[-1].n_features_out
        self.sources = [s.source for s in stages]
        self.families = [s.family for s in stages]
        #: Networks take the int8 policies; calibrated ones carry activation ranges.
        self.is_network = stages[-1].family in ("mlp", "torch")
        self.calibrated = bool(stages[-1].extra.get("calibrated", False))
        # The stated float32 tolerance of the prediction (|ctml - framework| <= abs + rel * |framework|).
        self.tolerance = stages[-1].extra.get("tolerance", {"abs": 0.0, "rel": 0.0})

    def save(self, path) -> None:
        from . import files

        files.write_atomic(os.fspath(path), self.header)

    def predict_index(self, X, policy: str | None = None) -> np.ndarray:
        """Runs the compiled header on the host: class indices (classifiers,
        int64) or predicted values (regressors, float64). ``policy``
        ("int8", "int8_fast") builds a network with that number policy."""
        from . import host

        return host.run(self, X, policy)

    def predict(self, X, policy: str | None = None) -> np.ndarray:
        """Like sklearn's ``predict``, computed by the generated C++ on the host.
        X is cast to float32 (the C++ input type)."""
        y = self.predict_index(X, policy)
        if self.is_classifier:
            return self.classes_[y]
        return y

    def run(self, X) -> np.ndarray:
        """The outputs of a Pipeline without an estimator (``NAME::model.run``),
        computed by the generated C++ on the host: float32, (rows, n_outputs)."""
        from . import host

        return host.run_transform(self, X)

    def __repr__(self) -> str:
        return f"<ctml.ConvertedModel {self.name}: {' >> '.join(self.sources)}>"


def convert(estimator, name: str = "model") -> ConvertedModel:
    """Converts a fitted estimator or Pipeline into a generated header."""
    problem = identifier_problem(name)
    if problem:
        raise ConversionError(problem)
    stages = build_stages(estimator)
    return ConvertedModel(estimator, name, stages, _render(stages, name))
