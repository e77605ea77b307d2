"""XGBoost: XGBClassifier, XGBRegressor, Booster objects and saved Booster
files (JSON; UBJSON through xgboost itself).

XGBoost's CPU predictor starts every raw score (margin) at the base margin
and adds each tree's leaf in tree order, in float32; a node sends x left if
``x < split_condition`` (float32), a missing value (NaN) to its default
child. ctml's ``boosted_*`` stages do the same with ``sum_bits = 32`` and
``strict = true`` (include/ctml/boosting/additive.hpp).

Decisions: binary:logistic predicts class 1 when the float32 sigmoid of the
margin exceeds 0.5 (the margin threshold is found here by bisection with
float32 arithmetic); multi:softmax is the first maximum of the margins;
multi:softprob the maximum of the softmax probabilities, computed here as the
first maximum of the margins (XGBoost's float32 softmax can merge two margins
within a few ulps; there the first class wins in XGBoost).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

from . import treepack
from .registry import Family, register
from .emit import ConversionError, Stage

DECISION_SCORE, DECISION_THRESHOLD, DECISION_ARGMAX = 0, 1, 2
_CLASSIFIER_OBJECTIVES = ("binary:logistic", "multi:softprob", "multi:softmax")
_REGRESSOR_OBJECTIVES = ("reg:squarederror",)


class BoosterFile:
    """A saved XGBoost Booster (the parsed JSON model)."""

    def __init__(self, model: dict, path: str = "<model>"):
        self.model = model
        self.path = path
        try:
            self.n_features_in_ = int(model["learner"]["learner_model_param"]["num_feature"])
        except (KeyError, TypeError, ValueError):
            raise ConversionError(f"{path} is not an XGBoost model file (no learner.learner_model_param)") from None

    def predict(self, X) -> np.ndarray:
        """XGBoost's own prediction (needs the xgboost package): class index
        for classification objectives, the value for regression."""
        import xgboost

        booster = xgboost.Booster(model_file=bytearray(json.dumps(self.model).encode()))
        p = booster.predict(xgboost.DMatrix(np.asarray(X, dtype=np.float32)))
        obj = _objective(self.model)
        if obj == "binary:logistic":
            return (p > 0.5).astype(np.int64)
        if obj == "multi:softprob":
            return np.argmax(p, axis=1)
        if obj == "multi:softmax":
            return p.astype(np.int64)
        return p.astype(np.float64)


def load(path: str) -> BoosterFile:
    """Reads a .json Booster file, or a .ubj one through xgboost."""
    if path.lower().endswith(".ubj"):
        try:
            import xgboost
        except ImportError:
            raise ConversionError(f"reading the UBJSON file {path} needs the xgboost package (or save it as .json)") \
                from None
        try:
            raw = xgboost.Booster(model_file=path).save_raw("json")
        except Exception as e:  # noqa: BLE001
            raise ConversionError(f"cannot load {path} as an XGBoost model: {' '.join(str(e).split())[:200]}") from None
        return BoosterFile(json.loads(bytes(raw)), path)
    try:
        with open(path, "rb") as f:
            model = json.load(f)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ConversionError(f"cannot load {path} as an XGBoost JSON model: {' '.join(str(e).split())[:200]}") \
            from None
    if not isinstance(model, dict) or "learner" not in model:
        raise ConversionError(f"{path} is not an XGBoost model file (no 'learner')")
    return BoosterFile(model, path)


def _objective(model: dict) -> str:
    return model["learner"]["objective"]["name"]


def _f32(v) -> float:
    return float(np.float32(v))


def _sigmoid32(m: float) -> np.float32:
    """XGBoost's 1.0f / (1.0f + expf(-m)), with expf correctly rounded (the
    binary64 exp rounded to float32; numpy's float32 exp is not)."""
    with np.errstate(over="ignore"):
        e = np.float32(math.exp(-float(m)))
        return np.float32(1.0) / (np.float32(1.0) + e)


def _logistic_threshold() -> float:
    """The largest float32 margin whose float32 sigmoid is not above 0.5."""
    if _sigmoid32(0.0) > 0.5 or not _sigmoid32(1.0) > 0.5:
        raise ConversionError("float32 sigmoid is not monotone around 0")
    a, b = 0, int(np.float32(1.0).view(np.int32))  # bisection over the bits of the floats in [+0, 1]
    while b - a > 1:
        m = (a + b) // 2
        if _sigmoid32(np.int32(m).view(np.float32)) > 0.5:
            b = m
        else:
            a = m
    return float(np.int32(a).view(np.float32))


def _base_margin(model: dict, obj: str) -> float:
    bs = np.float32(float(model["learner"]["learner_model_param"]["base_score"]))
    if obj == "binary:logistic":  # ProbToMargin: -log(1 / p - 1) in float32
        if not 0 < bs < 1:
            raise ConversionError(f"base_score {bs} is not a probability")
        return _f32(-np.log(np.float32(1.0) / bs - np.float32(1.0)))
    return float(bs)


def convert_model(model: dict, name: str, n_trees_limit: int | None = None, classes=None) -> Stage:
    learner = model["learner"]
    obj = _objective(model)
    if obj not in _CLASSIFIER_OBJECTIVES + _REGRESSOR_OBJECTIVES:
        raise ConversionError(
            f"{name}: objective {obj!r} is not supported; supported: "
            + ", ".join(_CLASSIFIER_OBJECTIVES + _REGRESSOR_OBJECTIVES)
        )
    gb = learner["gradient_booster"]
    if gb.get("name") != "gbtree":
        raise ConversionError(f"{name}: booster {gb.get('name')!r} is not supported (only gbtree)")
    n_features = int(learner["learner_model_param"]["num_feature"])
    num_class = int(learner["learner_model_param"].get("num_class", "0"))
    K = num_class if obj.startswith("multi:") else 1
    if int(learner["learner_model_param"].get("num_target", "1")) != 1:
        raise ConversionError(f"{name}: multi-target models are not supported")
    trees_json = gb["model"]["trees"]
    info = [int(v) for v in gb["model"]["tree_info"]]
    if n_trees_limit is not None:
        trees_json, info = trees_json[:n_trees_limit], info[:n_trees_limit]
    if info != [i % K for i in range(len(info))]:
        raise ConversionError(f"{name}: trees are not in round-robin class order (num_parallel_tree > 1?)")
    trees = []
    for i, t in enumerate(trees_json):
        if any(int(s) != 0 for s in t.get("split_type", [])) or t.get("categories_nodes"):
            raise ConversionError(f"{name} tree {i} has categorical splits; only numerical splits are supported")
        left = np.asarray(t["left_children"], dtype=np.int64)
        cond = np.asarray(t["split_conditions"], dtype=np.float32).astype(np.float64)
        trees.append(
            treepack.Tree(
                left,
                np.asarray(t["right_children"], dtype=np.int64),
                np.asarray(t["split_indices"], dtype=np.int64),
                cond,
                cond,  # a leaf's split_condition holds its value
                default_left=np.asarray(t["default_left"], dtype=bool),
            )
        )
    packed = treepack.pack(name, trees, n_features)
    margin = _base_margin(model, obj)
    if obj == "binary:logistic":
        decision, thr, n_classes = DECISION_THRESHOLD, _logistic_threshold(), 2
    elif obj.startswith("multi:"):
        decision, thr, n_classes = DECISION_ARGMAX, 0.0, K
    else:
        decision, thr, n_classes = DECISION_SCORE, 0.0, 1
    classifier = obj in _CLASSIFIER_OBJECTIVES
    members = treepack.members(
        packed, n_classes=n_classes, n_outputs=K, init=[margin] * K, scale=1.0, sum_bits=32, strict=True,
        decision=decision, decision_threshold=thr,
    )
    if classifier and classes is None:
        classes = np.arange(n_classes)
    import importlib.metadata as md

    try:
        version = md.version("xgboost")
    except md.PackageNotFoundError:
        version = model.get("version", "?")
        version = ".".join(map(str, version)) if isinstance(version, list) else str(version)
    return Stage(
        name,
        "boosted",
        "ctml::boosted_classifier" if classifier else "ctml::boosted_regressor",
        members,
        n_features,
        n_classes if classifier else 1,
        is_model=True,
        classes=np.asarray(classes) if classifier else None,
        extra={"n_trees": packed["n_trees"], "n_nodes": packed["n_nodes"],
               "kind": "classifier" if classifier else "regressor", "framework": f"XGBoost {version}"},
    )


def convert_file(f: BoosterFile) -> Stage:
    return convert_model(f.model, "Booster")


def convert_booster(b) -> Stage:
    return convert_model(json.loads(bytes(b.save_raw("json"))), "Booster")


def convert_sklearn(est) -> Stage:
    import xgboost

    name = type(est).__name__
    if not (isinstance(est.missing, float) and math.isnan(est.missing)):
        raise ConversionError(f"{name} with missing={est.missing!r}: only NaN as the missing value is supported")
    model = json.loads(bytes(est.get_booster().save_raw("json")))
    obj = _objective(model)
    limit = None
    best = getattr(est, "best_iteration", None) if hasattr(est, "best_iteration") else None
    if best is not None:  # predict() stops at the best iteration
        K = max(1, int(model["learner"]["learner_model_param"].get("num_class", "0")))
        limit = (int(best) + 1) * K * int(getattr(est, "num_parallel_tree", None) or 1)
    classes = None
    if isinstance(est, xgboost.XGBClassifier):
        if obj not in _CLASSIFIER_OBJECTIVES:
            raise ConversionError(f"{name} with objective {obj!r} is not supported")
        classes = np.asarray(est.classes_)
    elif obj not in _REGRESSOR_OBJECTIVES:
        raise ConversionError(f"{name} with objective {obj!r} is not supported")
    st = convert_model(model, name, limit, classes)
    return st


def _converters() -> dict:
    """Type -> converter; the xgboost types only once xgboost is imported
    (loading a pickled XGBClassifier imports it)."""
    out = {BoosterFile: convert_file}
    if "xgboost" in sys.modules:
        import xgboost

        out.update({xgboost.XGBClassifier: convert_sklearn, xgboost.XGBRegressor: convert_sklearn,
                    xgboost.Booster: convert_booster})
    return out


def convert(est) -> Stage:
    for t, conv in _converters().items():
        if isinstance(est, t):
            return conv(est)
    raise ConversionError(f"not an XGBoost model: {type(est).__name__}")


def _is_booster(est) -> bool:
    """A Booster (or a Booster file) is not a scikit-learn estimator."""
    xgb = sys.modules.get("xgboost")
    return isinstance(est, BoosterFile) or (xgb is not None and isinstance(est, xgb.Booster))


register(Family(name="xgboost", estimators=lambda: tuple(_converters()), convert=convert, foreign=_is_booster,
                names=("XGBClassifier", "XGBRegressor", "xgboost.Booster (or its .json/.ubj file)")))
