"""Decision trees and tree ensembles (random forests, extra trees).

Every model of this family becomes a forest (a single tree is a forest of one):
``ctml::forest_classifier<P>`` or ``ctml::forest_regressor<P>`` with the node
tables described in docs/generated-header.md. All table building is vectorised
with numpy; the only per-element Python work is ``repr``/``str`` through ``map``.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.base import is_classifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from .emit import ConversionError, Param, Stage, check_finite
from .registry import Family, register

_INT32_MAX = 2**31 - 1


def _trees(est):
    if isinstance(est, (DecisionTreeClassifier, DecisionTreeRegressor)):
        return [est]
    trees = list(getattr(est, "estimators_", []))
    if not trees:
        raise ConversionError(f"{type(est).__name__} has no fitted trees")
    return trees


def _unique_rows(rows: np.ndarray, with_first: bool = False):
    """De-duplicates rows by their exact bytes, keeping first-occurrence order.

    Returns (unique_rows, index_of_each_input_row[, input index of each unique row])."""
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    if rows.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return (rows, empty, empty) if with_first else (rows, empty)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    # np.unique orders by key; renumber so that rows appear in first-seen order.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    if with_first:
        return rows[first[order]], rank[inverse.ravel()], first[order]
    return rows[first[order]], rank[inverse.ravel()]


def _preorder(left: np.ndarray, right: np.ndarray):
    """Node ids in pre-order (root, left subtree, right subtree), or None if
    the arrays do not describe one tree rooted at node 0."""
    n = left.size
    order, stack = [], [0]
    seen = np.zeros(n, dtype=bool)
    while stack:
        i = stack.pop()
        if i < 0 or i >= n or seen[i]:
            return None
        seen[i] = True
        order.append(i)
        if left[i] >= 0:
            stack.append(int(right[i]))
            stack.append(int(left[i]))
    if len(order) != n:
        return None
    return np.asarray(order, dtype=np.int64)


def build_tables(est, classifier: bool) -> dict:
    """The forest tables as numpy arrays (also used by the tests)."""
    name = type(est).__name__
    if int(getattr(est, "n_outputs_", 1)) != 1:
        raise ConversionError(
            f"{name} has {est.n_outputs_} outputs; only single-output models are supported"
        )
    n_features = int(est.n_features_in_)
    n_classes = len(est.classes_) if classifier else 1

    lefts, rights, feats, thrs, leaf_rows, offsets = [], [], [], [], [], []
    offset = 0
    for t_i, t in enumerate(_trees(est)):
        tree = t.tree_
        if int(getattr(t, "n_outputs_", 1)) != 1 or tree.n_outputs != 1:
            raise ConversionError(f"{name} tree {t_i} has several outputs; only single-output models are supported")
        n = int(tree.node_count)
        cl = np.asarray(tree.children_left, dtype=np.int64)[:n]
        cr = np.asarray(tree.children_right, dtype=np.int64)[:n]
        ft = np.asarray(tree.feature, dtype=np.int64)[:n]
        th = np.asarray(tree.threshold, dtype=np.float64)[:n]
        val = np.asarray(tree.value, dtype=np.float64)[:n]
        is_leaf = cl == -1
        if np.any((cr == -1) != is_leaf):
            raise ConversionError(f"{name} tree {t_i} has a node with only one child")
        order = _preorder(cl, cr)
        if order is None:
            raise ConversionError(f"{name} tree {t_i} is not a tree (a node is reached twice or never)")
        # Renumber in pre-order (a decision node's left child follows it), the
        # order the library's table layout relies on. sklearn's depth-first
        # builder already produces it; best-first (max_leaf_nodes) does not.
        new_id = np.empty(n, dtype=np.int64)
        new_id[order] = np.arange(n)
        cl = np.where(cl[order] < 0, -1, new_id[np.maximum(cl[order], 0)])
        cr = np.where(cr[order] < 0, -1, new_id[np.maximum(cr[order], 0)])
        ft, th, val, is_leaf = ft[order], th[order], val[order], is_leaf[order]
        internal = ~is_leaf
        if np.any(ft[internal] < 0) or np.any(ft[internal] >= n_features):
            raise ConversionError(f"{name} tree {t_i} splits on a feature outside 0..{n_features - 1}")
        check_finite(f"{name} tree {t_i} threshold", th[internal])

        if classifier:
            if val.shape[1:] != (1, n_classes):
                raise ConversionError(
                    f"{name} tree {t_i} has value shape {val.shape[1:]}, expected (1, {n_classes})"
                )
            # The raw (weighted) class counts: the library normalises them as
            # predict_proba does and can store integer counts compactly.
            rows = np.array(val[is_leaf, 0, :], dtype=np.float64, copy=True)
            if np.any(rows < 0):
                raise ConversionError(
                    f"{name} tree {t_i} has a leaf with a negative class weight (fitted with negative "
                    "sample_weight); ctml converts classifiers fitted with sample_weight >= 0"
                )
        else:
            rows = val[is_leaf, 0, :1]
        check_finite(f"{name} tree {t_i} leaf values", rows)

        offsets.append(offset)
        lefts.append(np.where(is_leaf, -1, cl + offset))
        rights.append(np.where(is_leaf, -1, cr + offset))
        feats.append(np.where(is_leaf, -1, ft))
        thrs.append(np.where(is_leaf, 0.0, th))
        leaf_rows.append((is_leaf, rows))
        offset += n

    if offset > _INT32_MAX:
        raise ConversionError(f"{name} has {offset} nodes; at most {_INT32_MAX} fit the int32 tables")
    is_leaf_all = np.concatenate([m for m, _ in leaf_rows])
    all_rows = np.concatenate([r for _, r in leaf_rows], axis=0)
    if classifier and _raw_argmax(est):
        # A single tree predicts the argmax of the raw (weighted) values: rows
        # are shared only when equal.
        values, row_of_leaf = _unique_rows(all_rows)
    elif classifier:
        # Leaves whose predict_proba rows are equal behave identically, so they
        # share one row (the first one's counts), computed as sklearn does.
        totals = all_rows.sum(axis=1, keepdims=True)
        proba = all_rows / np.where(totals == 0.0, 1.0, totals)
        _, row_of_leaf, first = _unique_rows(proba, with_first=True)
        values = all_rows[first]
    else:
        values, row_of_leaf = _unique_rows(all_rows)
    leaf = np.full(offset, -1, dtype=np.int64)
    leaf[is_leaf_all] = row_of_leaf
    return {
        "n_features": n_features,
        "n_classes": n_classes,
        "n_trees": len(offsets),
        "n_nodes": offset,
        "n_values": values.shape[0],
        "root": np.asarray(offsets, dtype=np.int64),
        "left": np.concatenate(lefts),
        "right": np.concatenate(rights),
        "feature": np.concatenate(feats),
        "threshold": np.concatenate(thrs),
        "leaf": leaf,
        "values": values,
    }


def _raw_argmax(est) -> bool:
    """sklearn's single-tree classifiers predict the first maximum of the raw
    (class-weighted) leaf values; forests average normalised rows."""
    return isinstance(est, DecisionTreeClassifier)


def _convert(est, classifier: bool) -> Stage:
    t = build_tables(est, classifier)
    i32 = "std::int32_t"
    size = "std::size_t"
    members = [Param(k, size, t[k]) for k in ("n_features", "n_classes", "n_trees", "n_nodes", "n_values")]
    members.append(Param("root", i32, t["root"], ("n_trees",)))
    for k in ("left", "right", "feature"):
        members.append(Param(k, i32, t[k], ("n_nodes",)))
    members.append(Param("threshold", "double", t["threshold"], ("n_nodes",)))
    members.append(Param("leaf", i32, t["leaf"], ("n_nodes",)))
    values = np.asarray(t["values"], dtype=np.float64).reshape(t["n_values"], t["n_classes"])
    members.append(Param("values", "double", values, ("n_values", "n_classes")))
    if classifier and _raw_argmax(est):
        members.append(Param("raw_argmax", "bool", True))
    template = "ctml::forest_classifier" if classifier else "ctml::forest_regressor"
    return Stage(
        type(est).__name__,
        "forest",
        template,
        members,
        t["n_features"],
        t["n_classes"] if classifier else 1,
        is_model=True,
        classes=np.asarray(est.classes_) if classifier else None,
        extra={"n_trees": t["n_trees"], "n_nodes": t["n_nodes"], "summary": f"{t['n_trees']} trees, {t['n_nodes']} nodes"},
    )


def convert(est) -> Stage:
    return _convert(est, classifier=is_classifier(est))


register(Family(
    name="trees",
    estimators=(DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor,
                ExtraTreesClassifier, ExtraTreesRegressor),
    convert=convert,
))
