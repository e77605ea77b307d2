"""Nearest neighbours: KNeighborsClassifier, KNeighborsRegressor.

The header holds the training samples (sklearn's ``_fit_X``, float64), the
labels as indices into ``classes_`` (classifiers) or the targets
(regressors), k, the Minkowski exponent p and the weighting. The fixed-point
grid, error bounds and sklearn's tie rules live in
include/ctml/neighbors/neighbors.hpp.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from .registry import Family, register
from .emit import (
    ConversionError,
    Stage,
    check_finite,
    double_literal,
    double_tokens,
    int_tokens,
    member_array,
    member_array_2d,
    member_scalar,
)


def _common(est) -> tuple[list[str], int]:
    name = type(est).__name__
    metric = est.effective_metric_
    p = float(est.effective_metric_params_.get("p", 2.0 if metric in ("euclidean", "l2") else 1.0))
    if metric in ("euclidean", "l2"):
        p = 2.0
    elif metric in ("manhattan", "cityblock", "l1"):
        p = 1.0
    elif metric != "minkowski":
        raise ConversionError(f"{name} with metric={est.metric!r} is not supported; use minkowski (any p >= 1)")
    if not (math.isfinite(p) and p >= 1.0):
        raise ConversionError(f"{name} with p={p!r} is not supported; use a finite p >= 1")
    if est.effective_metric_params_.get("w") is not None:
        raise ConversionError(f"{name} with weighted minkowski (w=...) is not supported")
    if callable(est.weights) or est.weights not in (None, "uniform", "distance"):
        raise ConversionError(f"{name} with weights={est.weights!r} is not supported; use 'uniform' or 'distance'")
    X = est._fit_X
    if hasattr(X, "toarray"):
        raise ConversionError(f"{name} was fitted on sparse data; fit it on a dense array")
    X = np.asarray(X, dtype=np.float64)
    check_finite(f"{name} training samples", X)
    m, n = X.shape
    k = int(est.n_neighbors)
    if not 1 <= k <= m:
        raise ConversionError(f"{name} has n_neighbors={k} but {m} training samples")
    if m > 65535:
        raise ConversionError(f"{name} has {m} training samples; ctml supports up to 65535")
    members = [
        member_scalar("std::size_t", "n_features", str(n)),
        member_scalar("std::size_t", "n_samples", str(m)),
        member_scalar("std::size_t", "n_neighbors", str(k)),
        member_scalar("double", "p", double_literal(p)),
        member_scalar("bool", "distance_weights", "true" if est.weights == "distance" else "false"),
        member_array_2d("double", "samples", ["n_samples", "n_features"], double_tokens(X), n),
    ]
    if est._fit_method == "kd_tree":
        members.extend(_kd_tree(est, n))
    return members, n


def _kd_tree(est, n: int) -> list[str]:
    """sklearn's KDTree: its traversal order breaks exact distance ties."""
    _, idx, node_data, bounds = est._tree.get_arrays()
    idx = np.asarray(idx, dtype=np.int64)
    nodes = len(node_data)
    start = np.array([int(d["idx_start"]) for d in node_data])
    end = np.array([int(d["idx_end"]) for d in node_data])
    leaf = np.array([int(bool(d["is_leaf"])) for d in node_data])
    lo, hi = np.asarray(bounds[0], dtype=np.float64), np.asarray(bounds[1], dtype=np.float64)
    return [
        member_scalar("std::size_t", "n_nodes", str(nodes)),
        member_array("std::int32_t", "tree_order", ["n_samples"], int_tokens(idx)),
        member_array("std::int32_t", "node_start", ["n_nodes"], int_tokens(start)),
        member_array("std::int32_t", "node_end", ["n_nodes"], int_tokens(end)),
        member_array("std::int32_t", "node_leaf", ["n_nodes"], int_tokens(leaf)),
        member_array_2d("double", "node_lo", ["n_nodes", "n_features"], double_tokens(lo), n),
        member_array_2d("double", "node_hi", ["n_nodes", "n_features"], double_tokens(hi), n),
    ]


def convert_classifier(est: KNeighborsClassifier) -> Stage:
    if getattr(est, "outputs_2d_", False):
        raise ConversionError("KNeighborsClassifier with several outputs is not supported")
    members, n = _common(est)
    classes = np.asarray(est.classes_)
    labels = np.asarray(est._y, dtype=np.int64).ravel()
    members.insert(0, member_scalar("std::size_t", "n_classes", str(len(classes))))
    members.append(member_array("std::int32_t", "labels", ["n_samples"], int_tokens(labels)))
    return Stage(type(est).__name__, "knn", "ctml::knn_classifier", members, n, 1, is_model=True, classes=classes,
                 extra={"kind": "classifier"})


def convert_regressor(est: KNeighborsRegressor) -> Stage:
    y = np.asarray(est._y, dtype=np.float64)
    if y.ndim != 1:
        raise ConversionError("KNeighborsRegressor with several outputs is not supported")
    check_finite("KNeighborsRegressor targets", y)
    members, n = _common(est)
    members.append(member_array("double", "targets", ["n_samples"], double_tokens(y)))
    return Stage(type(est).__name__, "knn", "ctml::knn_regressor", members, n, 1, is_model=True, classes=None,
                 extra={"kind": "regressor"})


def convert(est) -> Stage:
    if isinstance(est, KNeighborsClassifier):
        return convert_classifier(est)
    return convert_regressor(est)


register(Family(name="neighbors", estimators=(KNeighborsClassifier, KNeighborsRegressor), convert=convert))
