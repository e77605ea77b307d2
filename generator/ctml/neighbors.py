"""Nearest neighbours: KNeighborsClassifier, KNeighborsRegressor, LocalOutlierFactor,
NearestCentroid, RadiusNeighborsClassifier.

The header holds the training samples (sklearn's ``_fit_X``, float64), the
labels as indices into ``classes_`` (classifiers) or the targets
(regressors), k, the Minkowski exponent p and the weighting. The fixed-point
grid, error bounds and sklearn's tie rules live in
include/ctml/neighbors/neighbors.hpp.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.neighbors import (KNeighborsClassifier, KNeighborsRegressor, LocalOutlierFactor, NearestCentroid,
                               RadiusNeighborsClassifier)

from .registry import Family, register
from .scalers import absorb_standard_scaler
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
    weights = getattr(est, "weights", "uniform")
    if callable(weights) or weights not in (None, "uniform", "distance"):
        raise ConversionError(f"{name} with weights={weights!r} is not supported; use 'uniform' or 'distance'")
    X = est._fit_X
    if hasattr(X, "toarray"):
        raise ConversionError(f"{name} was fitted on sparse data; fit it on a dense array")
    X = np.asarray(X, dtype=np.float64)
    check_finite(f"{name} training samples", X)
    m, n = X.shape
    k = int(getattr(est, "n_neighbors_", est.n_neighbors))
    if not 1 <= k <= m:
        raise ConversionError(f"{name} has n_neighbors={k} but {m} training samples")
    if m > 65535:
        raise ConversionError(f"{name} has {m} training samples; ctml supports up to 65535")
    members = [
        member_scalar("std::size_t", "n_features", str(n)),
        member_scalar("std::size_t", "n_samples", str(m)),
        member_scalar("std::size_t", "n_neighbors", str(k)),
        member_scalar("double", "p", double_literal(p)),
        member_scalar("bool", "distance_weights", "true" if weights == "distance" else "false"),
        member_array_2d("double", "samples", ["n_samples", "n_features"], double_tokens(X), n),
    ]
    if est._fit_method in ("kd_tree", "ball_tree"):
        members.extend(_tree(est, n))
    elif est._fit_method == "brute" and p == 2.0:  # sklearn's GEMM form of the distance (neighbors.hpp)
        members.append(member_scalar("bool", "gemm_distances", "true"))
    return members, n


def _tree(est, n: int) -> list[str]:
    """sklearn's KDTree or BallTree: its traversal order breaks exact distance
    ties (a kd-tree node's box, a ball tree node's centre and radius)."""
    _, idx, node_data, bounds = est._tree.get_arrays()
    idx = np.asarray(idx, dtype=np.int64)
    nodes = len(node_data)
    start = np.array([int(d["idx_start"]) for d in node_data])
    end = np.array([int(d["idx_end"]) for d in node_data])
    leaf = np.array([int(bool(d["is_leaf"])) for d in node_data])
    members = [
        member_scalar("std::size_t", "n_nodes", str(nodes)),
        member_array("std::int32_t", "tree_order", ["n_samples"], int_tokens(idx)),
        member_array("std::int32_t", "node_start", ["n_nodes"], int_tokens(start)),
        member_array("std::int32_t", "node_end", ["n_nodes"], int_tokens(end)),
        member_array("std::int32_t", "node_leaf", ["n_nodes"], int_tokens(leaf)),
    ]
    if est._fit_method == "ball_tree":
        centre = np.asarray(bounds[0], dtype=np.float64)
        radius = np.array([float(d["radius"]) for d in node_data])
        return members + [
            member_array_2d("double", "node_centre", ["n_nodes", "n_features"], double_tokens(centre), n),
            member_array("double", "node_radius", ["n_nodes"], double_tokens(radius)),
        ]
    lo, hi = np.asarray(bounds[0], dtype=np.float64), np.asarray(bounds[1], dtype=np.float64)
    return members + [
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
    stage = Stage(type(est).__name__, "knn", "ctml::knn_classifier", members, n, 1, is_model=True, classes=classes,
                  extra={"kind": "classifier"})
    stage.extra["absorb"] = absorb_standard_scaler(stage)  # scaled in float on the grid, in double near ties
    return stage


def convert_regressor(est: KNeighborsRegressor) -> Stage:
    y = np.asarray(est._y, dtype=np.float64)
    if y.ndim != 1:
        raise ConversionError("KNeighborsRegressor with several outputs is not supported")
    check_finite("KNeighborsRegressor targets", y)
    members, n = _common(est)
    members.append(member_array("double", "targets", ["n_samples"], double_tokens(y)))
    stage = Stage(type(est).__name__, "knn", "ctml::knn_regressor", members, n, 1, is_model=True, classes=None,
                  extra={"kind": "regressor"})
    stage.extra["absorb"] = absorb_standard_scaler(stage)
    return stage


# A StandardScaler, RobustScaler or MaxAbsScaler right before a KNN folds into
# it (the grid scales in float with widened bounds, sklearn's path in double).
# After another stage (PCA, MinMaxScaler) the library proves the neighbours
# with bounds that cover that stage's float32 rounding and redoes the rest
# from sklearn's double row (predict_exact): exact, no tolerance.


def convert_lof(est: LocalOutlierFactor) -> Stage:
    if not est.novelty:
        raise ConversionError("LocalOutlierFactor(novelty=False) has no predict for new data; fit it with novelty=True")
    members, n = _common(est)
    lrd = np.asarray(est._lrd, dtype=np.float64)
    kdist = np.asarray(est._distances_fit_X_, dtype=np.float64)[:, est.n_neighbors_ - 1]
    offset = float(est.offset_)
    for what, a in (("_lrd", lrd), ("k-distances", kdist), ("offset_", [offset])):
        check_finite(f"LocalOutlierFactor {what}", a)
    members += [
        member_array("double", "lrd", ["n_samples"], double_tokens(lrd)),
        member_array("double", "k_distance", ["n_samples"], double_tokens(kdist)),
        member_scalar("double", "offset", double_literal(offset)),
    ]
    return Stage("LocalOutlierFactor", "lof", "ctml::local_outlier_factor", members, n, 1, is_model=True,
                 classes=None, extra={"kind": "outlier"})


def convert_nearest_centroid(est: NearestCentroid) -> Stage:
    """centroids_ (shrink_threshold already applied by fit) and, for the
    euclidean metric, their squared norms as sklearn's argmin computes them."""
    metric = est.metric
    if metric in ("euclidean", "l2"):
        p = 2.0
    elif metric in ("manhattan", "cityblock", "l1"):
        p = 1.0
    else:
        raise ConversionError(f"NearestCentroid with metric={metric!r} is not supported; use 'euclidean' or 'manhattan'")
    c = np.asarray(est.centroids_, dtype=np.float64)
    check_finite("NearestCentroid.centroids_", c)
    k, n = c.shape
    classes = np.asarray(est.classes_)
    if k < 2:
        raise ConversionError("NearestCentroid needs at least two classes")
    try:  # the function sklearn's argmin uses (BLAS ddot per row)
        from sklearn.metrics._pairwise_distances_reduction._base import _sqeuclidean_row_norms64 as norms_of

        norms = np.asarray(norms_of(np.ascontiguousarray(c), 1), dtype=np.float64)
    except (ImportError, TypeError):  # pragma: no cover - other sklearn versions
        norms = np.einsum("ij,ij->i", c, c)
    members = [
        member_scalar("std::size_t", "n_features", str(n)),
        member_scalar("std::size_t", "n_classes", str(k)),
        member_scalar("double", "p", double_literal(p)),
        member_array_2d("double", "centroids", ["n_classes", "n_features"], double_tokens(c), n),
        member_array("double", "norms", ["n_classes"], double_tokens(norms)),
    ]
    return Stage("NearestCentroid", "centroid", "ctml::nearest_centroid", members, n, 1, is_model=True,
                 classes=classes, extra={"kind": "classifier"})


def convert_radius_classifier(est: RadiusNeighborsClassifier) -> Stage:
    """The training samples, labels, radius and outlier rule; the kd-tree's
    sample order (it orders sklearn's sums of weights)."""
    if getattr(est, "outputs_2d_", False):
        raise ConversionError("RadiusNeighborsClassifier with several outputs is not supported")
    name = "RadiusNeighborsClassifier"
    metric = est.effective_metric_
    params = est.effective_metric_params_ or {}
    if metric in ("euclidean", "l2"):
        p = 2.0
    elif metric in ("manhattan", "cityblock", "l1"):
        p = 1.0
    elif metric == "minkowski":
        p = float(params.get("p", 2.0))
    else:
        raise ConversionError(f"{name} with metric={est.metric!r} is not supported; use minkowski (any p >= 1)")
    if not (math.isfinite(p) and p >= 1.0) or params.get("w") is not None:
        raise ConversionError(f"{name} with p={p!r} (or weighted minkowski) is not supported; use a finite p >= 1")
    if callable(est.weights) or est.weights not in (None, "uniform", "distance"):
        raise ConversionError(f"{name} with weights={est.weights!r} is not supported; use 'uniform' or 'distance'")
    radius = float(est.radius)
    if not (math.isfinite(radius) and radius > 0):
        raise ConversionError(f"{name} with radius={est.radius!r} is not supported; use a finite radius > 0")
    X = est._fit_X
    if hasattr(X, "toarray"):
        raise ConversionError(f"{name} was fitted on sparse data; fit it on a dense array")
    X = np.asarray(X, dtype=np.float64)
    check_finite(f"{name} training samples", X)
    m, n = X.shape
    if m > 65535:
        raise ConversionError(f"{name} has {m} training samples; ctml supports up to 65535")
    classes = np.asarray(est.classes_)
    k = len(classes)
    label = est.outlier_label_[0] if est.outlier_label_ is not None else None
    if label is None:
        outlier = -1  # sklearn raises: the device returns -1
    else:
        hit = np.flatnonzero(classes == label)
        if hit.size:
            outlier = int(hit[0])
        else:  # sklearn returns the label itself: one more entry in classes_
            outlier = k
            classes = np.append(classes, label)
    labels = np.asarray(est._y, dtype=np.int64).ravel()
    members = [
        member_scalar("std::size_t", "n_features", str(n)),
        member_scalar("std::size_t", "n_samples", str(m)),
        member_scalar("std::size_t", "n_classes", str(k)),
        member_scalar("double", "p", double_literal(p)),
        member_scalar("bool", "distance_weights", "true" if est.weights == "distance" else "false"),
        member_scalar("double", "radius", double_literal(radius)),
        member_scalar("int", "outlier", str(outlier)),
        member_array_2d("double", "samples", ["n_samples", "n_features"], double_tokens(X), n),
        member_array("std::int32_t", "labels", ["n_samples"], int_tokens(labels)),
    ]
    if est._fit_method in ("kd_tree", "ball_tree"):
        _, idx, _, _ = est._tree.get_arrays()
        members.append(member_array("std::int32_t", "tree_order", ["n_samples"], int_tokens(np.asarray(idx))))
    elif p == 2.0:  # brute force: sklearn's GEMM form of the distance (neighbors.hpp)
        members.append(member_scalar("bool", "gemm_distances", "true"))
    stage = Stage(name, "radius", "ctml::radius_neighbors_classifier", members, n, 1, is_model=True, classes=classes,
                  extra={"kind": "classifier"})
    stage.extra["absorb"] = absorb_standard_scaler(stage)  # scales in double where the radius is close
    return stage


def convert(est) -> Stage:
    if isinstance(est, NearestCentroid):
        return convert_nearest_centroid(est)
    if isinstance(est, RadiusNeighborsClassifier):
        return convert_radius_classifier(est)
    if isinstance(est, KNeighborsClassifier):
        return convert_classifier(est)
    if isinstance(est, LocalOutlierFactor):
        return convert_lof(est)
    return convert_regressor(est)


register(Family(name="neighbors", estimators=(KNeighborsClassifier, KNeighborsRegressor, LocalOutlierFactor,
                                              NearestCentroid, RadiusNeighborsClassifier),
                convert=convert))
