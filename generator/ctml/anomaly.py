"""Anomaly detection and mixtures: IsolationForest.

IsolationForest becomes ``ctml::isolation_forest<P>``
(include/ctml/anomaly/isolation_forest.hpp): its trees with, at each leaf,
the path length sklearn adds for it (nodes on the path + c(n_samples) - 1,
computed with sklearn's own ``_average_path_length``), and the threshold on
the summed path lengths above which sklearn's predict says inlier (found by
bisection with sklearn's own score arithmetic).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest

from . import treepack
from .registry import Family, register
from .emit import ConversionError, Stage, member_scalar

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


#: Final models of this family.
CONVERTERS = {IsolationForest: convert_iforest}


def convert(est) -> Stage:
    for t, conv in CONVERTERS.items():
        if isinstance(est, t):
            return conv(est)
    raise ConversionError(f"not an anomaly model: {type(est).__name__}")


register(Family(name="anomaly", estimators=tuple(CONVERTERS), convert=convert, kind="model"))
