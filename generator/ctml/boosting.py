"""Boosting from scikit-learn: GradientBoostingClassifier/Regressor,
HistGradientBoostingClassifier/Regressor, AdaBoostClassifier/Regressor.

Each becomes ``ctml::boosted_classifier<P>`` or ``ctml::boosted_regressor<P>``
(include/ctml/boosting/additive.hpp): the trees' node tables, the raw score
before the first tree (computed by sklearn itself), and how sklearn decides
on the summed raw scores. Binary classifiers decide by a threshold on the raw
score that is found here with sklearn's own decision function (bisection over
the doubles), so its expit and comparisons are reproduced exactly.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from . import treepack
from .registry import Family, register
from .emit import (ConversionError, Stage, check_finite, double_tokens, int_tokens, member_array, member_array_2d,
                   member_scalar)

DECISION_SCORE, DECISION_THRESHOLD, DECISION_ARGMAX, DECISION_ADABOOST, DECISION_MEDIAN = 0, 1, 2, 3, 4
_DBL_MAX = float(np.finfo(np.float64).max)


def _binary_threshold(decide) -> float:
    """The largest raw score sklearn still maps to class 0 (it predicts class 1
    above it). ``decide(raw)`` is sklearn's decision for one raw score."""
    lo, hi = -1.0, 1.0
    if decide(lo) != 0 or decide(hi) != 1:
        raise ConversionError("the loss does not decide class 1 for positive raw scores")
    return treepack.largest_false(lambda x: decide(x) == 1, lo, hi)


def _stage(est, t: dict, members: list[str], classifier: bool, kind: str) -> Stage:
    return Stage(
        type(est).__name__,
        "boosted",
        "ctml::boosted_classifier" if classifier else "ctml::boosted_regressor",
        members,
        t["n_features"],
        len(est.classes_) if classifier else 1,
        is_model=True,
        classes=np.asarray(est.classes_) if classifier else None,
        extra={"n_trees": t["n_trees"], "n_nodes": t["n_nodes"], "kind": kind},
    )


# ----------------------------------------------------------------------------
# GradientBoosting


def _gb_init(est, n_features: int) -> np.ndarray:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    init = est.init_
    if not (isinstance(init, str) and init == "zero") and not isinstance(init, (DummyClassifier, DummyRegressor)):
        raise ConversionError(
            f"{type(est).__name__} with init={type(init).__name__}: only the default (Dummy) init or init='zero' "
            "give a constant raw score to start from"
        )
    return np.asarray(est._raw_predict_init(np.zeros((1, n_features), dtype=np.float32)), dtype=np.float64)[0]


def _gb_trees(est) -> list:
    stages = np.asarray(est.estimators_)
    out = []
    for i in range(stages.shape[0]):
        for k in range(stages.shape[1]):
            tr = stages[i, k].tree_
            n = tr.node_count
            out.append(
                treepack.Tree(
                    tr.children_left[:n],
                    tr.children_right[:n],
                    tr.feature[:n],
                    tr.threshold[:n],
                    tr.value[:n, 0, 0],
                )
            )
    return out


def convert_gb(est) -> Stage:
    classifier = isinstance(est, GradientBoostingClassifier)
    n_features = int(est.n_features_in_)
    name = type(est).__name__
    trees = _gb_trees(est)
    t = treepack.pack(name, trees, n_features)
    init = _gb_init(est, n_features)
    K = init.size
    if classifier:
        n_classes = len(est.classes_)
        if K == 1:
            decide = lambda r: int(est._loss._raw_prediction_to_decision(np.array([[r]], dtype=np.float64))[0])
            decision, thr = DECISION_THRESHOLD, _binary_threshold(decide)
        else:
            decision, thr = DECISION_ARGMAX, 0.0
    else:
        n_classes, decision, thr = 1, DECISION_SCORE, 0.0
    members = treepack.members(
        t, n_classes=n_classes, n_outputs=K, init=init, scale=float(est.learning_rate), sum_bits=64,
        strict=False, decision=decision, decision_threshold=thr,
    )
    return _stage(est, t, members, classifier, "classifier" if classifier else "regressor")


# ----------------------------------------------------------------------------
# HistGradientBoosting


def _hgb_trees(est, n_features: int):
    trees, left_sets = [], []
    for iteration in est._predictors:
        for p in iteration:
            nodes = p.nodes
            leaf = nodes["is_leaf"].astype(bool)
            is_cat = nodes["is_categorical"].astype(bool) & ~leaf
            cat = np.full(nodes.size, -1, dtype=np.int64)
            for i in np.flatnonzero(is_cat):
                cat[i] = len(left_sets)
                left_sets.append(np.asarray(p.raw_left_cat_bitsets[nodes["bitset_idx"][i]], dtype=np.uint32))
            trees.append(
                treepack.Tree(
                    np.where(leaf, -1, nodes["left"].astype(np.int64)),
                    np.where(leaf, -1, nodes["right"].astype(np.int64)),
                    nodes["feature_idx"].astype(np.int64),
                    # +-inf thresholds (all values on one side) as +-DBL_MAX: additive.hpp maps them back
                    np.clip(np.where(leaf | is_cat, 0.0, nodes["num_threshold"]), -_DBL_MAX, _DBL_MAX),
                    nodes["value"],
                    default_left=nodes["missing_go_to_left"].astype(bool),
                    categorical=cat if is_cat.any() else None,
                )
            )
    return trees, left_sets


def convert_hgb(est) -> Stage:
    classifier = isinstance(est, HistGradientBoostingClassifier)
    n_features = int(est.n_features_in_)
    name = type(est).__name__
    trees, left_sets = _hgb_trees(est, n_features)
    t = treepack.pack(name, trees, n_features)
    K = int(est.n_trees_per_iteration_)
    init = (np.zeros((1, K)) + est._baseline_prediction)[0]
    if classifier:
        n_classes = len(est.classes_)
        if K == 1:
            decide = lambda r: int(np.argmax(est._loss.predict_proba(np.array([r], dtype=np.float64)), axis=1)[0])
            decision, thr = DECISION_THRESHOLD, _binary_threshold(decide)
        else:
            decision, thr = DECISION_ARGMAX, 0.0
    else:
        link = type(est._loss.link).__name__
        if link != "IdentityLink":
            raise ConversionError(f"{name} with loss={est.loss!r} ({link}): only identity-link losses are supported")
        n_classes, decision, thr = 1, DECISION_SCORE, 0.0
    members = treepack.members(
        t, n_classes=n_classes, n_outputs=K, init=init, scale=1.0, sum_bits=64, strict=False,
        decision=decision, decision_threshold=thr,
    )
    if t["categorical"] is not None:
        known, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
        row = np.full(n_features, -1, dtype=np.int64)
        is_cat = np.asarray(est._bin_mapper.is_categorical_, dtype=bool)
        row[is_cat] = np.asarray(f_idx_map, dtype=np.int64)[is_cat]
        members += [
            member_array("std::int32_t", "categorical", ["n_nodes"], int_tokens(t["categorical"])),
            member_array("std::int32_t", "feature_category_row", [str(n_features)], int_tokens(row)),
            member_array_2d("std::uint32_t", "left_categories", [str(len(left_sets)), "8"],
                            int_tokens(np.asarray(left_sets, dtype=np.uint32)), 8),
            member_array_2d("std::uint32_t", "known_categories", [str(len(known)), "8"],
                            int_tokens(np.asarray(known, dtype=np.uint32)), 8),
        ]
    return _stage(est, t, members, classifier, "classifier" if classifier else "regressor")


# ----------------------------------------------------------------------------
# AdaBoost


def _tree_proba(tree, n_classes: int) -> np.ndarray:
    """DecisionTreeClassifier.predict_proba of every node, as sklearn computes it."""
    proba = np.array(tree.tree_.value[:, 0, :n_classes], dtype=np.float64)
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    proba /= normalizer
    return proba


def convert_adaboost(est) -> Stage:
    """AdaBoostClassifier: per estimator and class, what its decision_function
    adds for each leaf (SAMME: the estimator weight for the predicted class;
    SAMME.R: sklearn's _samme_proba of the leaf's probabilities), as one tree
    per (estimator, class); the sums are divided by the sum of the weights."""
    name = type(est).__name__
    n_features = int(est.n_features_in_)
    K = int(est.n_classes_)
    trees = []
    for i, (tree, w) in enumerate(zip(est.estimators_, est.estimator_weights_)):
        if not hasattr(tree, "tree_"):
            raise ConversionError(f"{name}: estimator {i} is a {type(tree).__name__}; only decision trees are supported")
        tr = tree.tree_
        if tr.n_outputs != 1 or tr.value.shape[2] != K:
            raise ConversionError(f"{name}: estimator {i} does not see all {K} classes")
        proba = _tree_proba(tree, K)
        if est.algorithm == "SAMME.R":
            np.clip(proba, np.finfo(proba.dtype).eps, None, out=proba)
            log_proba = np.log(proba)
            terms = (K - 1) * (log_proba - (1.0 / K) * log_proba.sum(axis=1)[:, np.newaxis])
        else:
            predicted = np.argmax(proba, axis=1)  # the tree's predict
            terms = (predicted[:, np.newaxis] == np.arange(K)[np.newaxis, :]) * w
        n = tr.node_count
        for k in range(K):
            trees.append(treepack.Tree(tr.children_left[:n], tr.children_right[:n], tr.feature[:n],
                                       tr.threshold[:n], terms[:n, k]))
    t = treepack.pack(name, trees, n_features)
    divisor = float(est.estimator_weights_.sum())
    if not divisor > 0:
        raise ConversionError(f"{name}: the estimator weights sum to {divisor}")
    members = treepack.members(t, n_classes=K, n_outputs=K, init=np.zeros(K), scale=1.0, sum_bits=64, strict=False,
                               decision=DECISION_ADABOOST)
    members.append(member_scalar("double", "divisor", repr(divisor)))
    return _stage(est, t, members, True, "classifier")


def convert_adaboost_regressor(est) -> Stage:
    """AdaBoostRegressor: each tree's prediction as its own raw score (K =
    number of trees), then sklearn's weighted median of them with the estimator
    weights (weighted_median.hpp: numpy's argsort order, float64 cumsum)."""
    name = type(est).__name__
    n_features = int(est.n_features_in_)
    trees = []
    for i, tree in enumerate(est.estimators_):
        if not hasattr(tree, "tree_") or tree.tree_.n_outputs != 1:
            raise ConversionError(f"{name}: estimator {i} is a {type(tree).__name__}; only single-output decision "
                                  "trees are supported")
        tr = tree.tree_
        n = tr.node_count
        trees.append(treepack.Tree(tr.children_left[:n], tr.children_right[:n], tr.feature[:n], tr.threshold[:n],
                                   tr.value[:n, 0, 0]))
    if len(trees) > 0x7fff:
        raise ConversionError(f"{name}: {len(trees)} estimators; at most 32767 are supported")
    t = treepack.pack(name, trees, n_features)
    weights = np.asarray(est.estimator_weights_[: len(trees)], dtype=np.float64)
    check_finite("estimator weights", weights)
    members = treepack.members(t, n_classes=1, n_outputs=t["n_trees"], init=np.zeros(t["n_trees"]), scale=1.0,
                               sum_bits=64, strict=False, decision=DECISION_MEDIAN)
    members.append(member_array("double", "weights", ["n_trees"], double_tokens(weights)))
    return _stage(est, t, members, False, "regressor")


#: Final models of this family.
CONVERTERS = {
    AdaBoostClassifier: convert_adaboost,
    AdaBoostRegressor: convert_adaboost_regressor,
    GradientBoostingClassifier: convert_gb,
    GradientBoostingRegressor: convert_gb,
    HistGradientBoostingClassifier: convert_hgb,
    HistGradientBoostingRegressor: convert_hgb,
}

def convert(est) -> Stage:
    if isinstance(est, AdaBoostClassifier):
        return convert_adaboost(est)
    if isinstance(est, AdaBoostRegressor):
        return convert_adaboost_regressor(est)
    if isinstance(est, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return convert_hgb(est)
    return convert_gb(est)


register(Family(name="boosting", estimators=tuple(CONVERTERS), convert=convert, kind="model"))
