"""Anomaly detection and mixtures: IsolationForest, GaussianMixture,
EllipticEnvelope.

IsolationForest becomes ``ctml::isolation_forest<P>``
(include/ctml/anomaly/isolation_forest.hpp): its trees with, at each leaf,
the path length sklearn adds for it (nodes on the path + c(n_samples) - 1,
computed with sklearn's own ``_average_path_length``), and the threshold on
the summed path lengths above which sklearn's predict says inlier (found by
bisection with sklearn's own score arithmetic).
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.mixture import GaussianMixture

from . import treepack
from .registry import Family, register
from .emit import ConversionError, Stage, check_finite, double_tokens, member_array, member_scalar

_MAX_DOUBLE = 1.7976931348623157e308


def _iforest_trees(est, n_features: int) -> list:
    from sklearn.ensemble._iforest import _average_path_length

    subsample = est._max_features != n_features
    trees = []
    for tree, features in zip(est.estimators_, est.estimators_features_):
        tr = tree.tree_
        n = tr.node_count
        left, right = tr.children_left[:n], tr.children_right[:n]
        depth = np.zeros(n, dtype=np.int64)  # nodes on the path from the root
        depth[0] = 1
        for i in range(n):  # sklearn numbers children after their parent
            if left[i] >= 0:
                depth[left[i]] = depth[right[i]] = depth[i] + 1
        # As sklearn: (nodes on the path + c(n_samples at the leaf)) - 1.0 in float64.
        value = depth + _average_path_length(tr.n_node_samples[:n]) - 1.0
        feature = np.asarray(tr.feature[:n], dtype=np.int64)
        if subsample:
            feature = np.where(feature >= 0, np.asarray(features, dtype=np.int64)[np.maximum(feature, 0)], -1)
        trees.append(treepack.Tree(left, right, feature, tr.threshold[:n], value))
    return trees


def convert_iforest(est) -> Stage:
    from sklearn.ensemble._iforest import _average_path_length

    name = type(est).__name__
    n_features = int(est.n_features_in_)
    t = treepack.pack(name, _iforest_trees(est, n_features), n_features)
    denominator = float(len(est.estimators_) * _average_path_length([est.max_samples_])[0])
    offset = float(est.offset_)

    def inlier(d: float) -> bool:  # sklearn's predict for a path-length sum d
        depths = np.array([d], dtype=np.float64)
        scores = 2 ** (-np.divide(depths, denominator, out=np.ones_like(depths), where=denominator != 0))
        return not bool(((-scores) - offset < 0)[0])

    if inlier(0.0):
        thr = -1.0  # sums are >= 0: always inlier
    elif not inlier(_MAX_DOUBLE):
        thr = _MAX_DOUBLE
    else:
        thr = treepack.largest_false(inlier, 0.0, _MAX_DOUBLE)
    members = treepack.members(t, n_classes=1, n_outputs=1, init=[0.0], scale=1.0, sum_bits=64, strict=False,
                               decision=1, decision_threshold=thr)
    members += [member_scalar("double", "denominator", repr(denominator)),
                member_scalar("double", "offset", repr(offset))]
    return Stage(name, "iforest", "ctml::isolation_forest", members, n_features, 1, is_model=True, classes=None,
                 extra={"n_trees": t["n_trees"], "n_nodes": t["n_nodes"], "kind": "outlier"})


# ----------------------------------------------------------------------------
# Gaussian scores (include/ctml/anomaly/gaussian.hpp): factors U_k with
# q_k = |x U_k - mu_k U_k|^2


def _gaussian_members(name, means, factors, bias, bias_magnitude, extra=()) -> list[str]:
    means = np.asarray(means, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    K, N = means.shape
    for what, a in (("means", means), ("precision factors", factors), ("biases", bias)):
        check_finite(f"{name} {what}", a)
    return [
        member_scalar("std::size_t", "n_features", str(N)),
        member_scalar("std::size_t", "n_components", str(K)),
        member_array("double", "means", ["n_components", "n_features"], double_tokens(means)),
        member_array("double", "factor", ["n_components", "n_features", "n_features"], double_tokens(factors)),
        member_array("double", "bias", ["n_components"], double_tokens(bias)),
        member_array("double", "bias_magnitude", ["n_components"], double_tokens(bias_magnitude)),
        *extra,
    ]


def convert_gmm(est) -> Stage:
    from sklearn.mixture._gaussian_mixture import _compute_log_det_cholesky

    name = type(est).__name__
    K, N = est.means_.shape
    chol = np.asarray(est.precisions_cholesky_, dtype=np.float64)
    ct = est.covariance_type
    if ct == "full":
        factors = chol
    elif ct == "tied":
        factors = np.repeat(chol[np.newaxis], K, axis=0)
    elif ct == "diag":
        factors = np.stack([np.diag(c) for c in chol])
    elif ct == "spherical":
        factors = np.stack([c * np.eye(N) for c in chol])
    else:
        raise ConversionError(f"{name}: covariance_type {ct!r} is not supported")
    log_det = np.asarray(_compute_log_det_cholesky(est.precisions_cholesky_, ct, N), dtype=np.float64)
    log_w = np.log(est.weights_)
    c = N * np.log(2 * np.pi)
    bias = -0.5 * c + log_det + log_w
    magnitude = 0.5 * abs(c) + np.abs(log_det) + np.abs(log_w)
    members = _gaussian_members(name, est.means_, factors, bias, magnitude)
    return Stage(name, "gmm", "ctml::gaussian_mixture", members, N, 1, is_model=True, classes=np.arange(K),
                 extra={"kind": "clusterer", "unit": "component"})


def convert_envelope(est) -> Stage:
    name = type(est).__name__
    N = est.location_.size
    precision = np.asarray(est.get_precision(), dtype=np.float64)
    try:
        L = np.linalg.cholesky(precision)  # precision = L L^T: q = |(x - loc) L|^2
    except np.linalg.LinAlgError:
        raise ConversionError(f"{name}: the precision matrix is not positive definite") from None
    offset = float(est.offset_)

    def outlier(s: float) -> bool:  # sklearn's predict for scipy's mahalanobis sum s (dist = sqrt(s), squared)
        d2 = np.reshape(np.sqrt(np.array([[s]])), (1,)) ** 2
        return bool(((-d2) - offset < 0)[0])

    if outlier(0.0):
        s_max = -1.0  # every row is an outlier
    elif not outlier(_MAX_DOUBLE):
        s_max = _MAX_DOUBLE
    else:
        s_max = treepack.largest_false(outlier, 0.0, _MAX_DOUBLE)
    members = _gaussian_members(name, est.location_[np.newaxis], L[np.newaxis], [0.0], [0.0], extra=[
        member_scalar("double", "offset", repr(offset)),
        member_array("double", "precision", ["n_features", "n_features"], double_tokens(precision)),
        member_scalar("double", "inlier_max", repr(s_max)),
    ])
    return Stage(name, "envelope", "ctml::elliptic_envelope", members, N, 1, is_model=True, classes=None,
                 extra={"kind": "outlier"})


#: Final models of this family.
CONVERTERS = {IsolationForest: convert_iforest, GaussianMixture: convert_gmm, EllipticEnvelope: convert_envelope}


def convert(est) -> Stage:
    for t, conv in CONVERTERS.items():
        if isinstance(est, t):
            return conv(est)
    raise ConversionError(f"not an anomaly model: {type(est).__name__}")


register(Family(name="anomaly", estimators=tuple(CONVERTERS), convert=convert, kind="model"))
