"""Linear models, linear discriminant analysis and k-means as affine stages.

Every estimator here decides from K affine scores ``X @ coef.T + intercept``
(k-means: ``-2 X @ centres.T + |centres|^2``); the C++ side
(include/ctml/linear/) reproduces sklearn's float64 order where float32
cannot prove a decision. Parameters are emitted as sklearn stores them.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn import linear_model as lm
from sklearn.svm import LinearSVC, LinearSVR

from .registry import Family, register
from .emit import ConversionError, Stage, check_finite, double_tokens, member_array_2d, member_array, member_scalar

# Every estimator whose predict is sklearn's LinearClassifierMixin or
# LinearModel on coef_ / intercept_ (the cross-validated variants included).
CLASSIFIERS = (lm.LogisticRegression, lm.LogisticRegressionCV, LinearSVC, lm.SGDClassifier, lm.RidgeClassifier,
               lm.RidgeClassifierCV, lm.Perceptron, lm.PassiveAggressiveClassifier, LinearDiscriminantAnalysis)
REGRESSORS = (lm.LinearRegression, lm.Ridge, lm.RidgeCV, lm.Lasso, lm.LassoCV, lm.ElasticNet, lm.ElasticNetCV,
              lm.Lars, lm.LarsCV, lm.LassoLars, lm.LassoLarsCV, lm.LassoLarsIC, lm.OrthogonalMatchingPursuit,
              lm.OrthogonalMatchingPursuitCV, lm.BayesianRidge, lm.ARDRegression, lm.HuberRegressor,
              lm.TheilSenRegressor, lm.QuantileRegressor, lm.SGDRegressor, lm.PassiveAggressiveRegressor, LinearSVR)
CLUSTERERS = (KMeans, MiniBatchKMeans)


def _dense(est, attr: str) -> np.ndarray:
    v = getattr(est, attr, None)
    if v is None:
        raise ConversionError(f"{type(est).__name__} has no {attr}; is it fitted?")
    if hasattr(v, "toarray"):
        raise ConversionError(f"{type(est).__name__}.{attr} is sparse (sparsify()); call densify() before converting")
    v = np.asarray(v, dtype=np.float64)
    check_finite(f"{type(est).__name__}.{attr}", v)
    return v


def affine_members(coef: np.ndarray, intercept: np.ndarray, extra=()) -> list[str]:
    k, d = coef.shape
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("std::size_t", "n_outputs", str(k)),
        *extra,
        member_array_2d("double", "coef", ["n_outputs", "n_features"], double_tokens(coef), d),
        member_array("double", "intercept", ["n_outputs"], double_tokens(intercept)),
    ]
    return members


def _intercept(est, k: int) -> np.ndarray:
    b = np.atleast_1d(_dense(est, "intercept_")).ravel()
    if b.size == 1 and k > 1:
        b = np.full(k, b[0])
    if b.size != k:
        raise ConversionError(f"{type(est).__name__}.intercept_ has {b.size} values for {k} outputs")
    return b


def _proba_kind(est) -> int:
    """0: no predict_proba; 1: logistic (sigmoid, one-vs-rest normalised); 2: softmax."""
    if isinstance(est, LinearDiscriminantAnalysis):
        return 2 if len(est.classes_) > 2 else 1
    if isinstance(est, lm.LogisticRegression):
        ovr = est.multi_class in ("ovr", "warn") or (
            est.multi_class == "auto" and (len(est.classes_) <= 2 or est.solver == "liblinear"))
        return 1 if ovr else 2
    if isinstance(est, lm.SGDClassifier) and est.loss in ("log_loss", "log", "modified_huber"):
        return 1 if est.loss != "modified_huber" else 0
    return 0


def convert_classifier(est) -> Stage:
    name = type(est).__name__
    coef = _dense(est, "coef_")
    if coef.ndim != 2:
        raise ConversionError(f"{name}.coef_ has shape {coef.shape}; expected (n_classes or 1, n_features)")
    classes = np.asarray(est.classes_)
    binarizer = getattr(est, "_label_binarizer", None)  # RidgeClassifier fitted on a label matrix
    if binarizer is not None and str(getattr(binarizer, "y_type_", "")).startswith("multilabel"):
        raise ConversionError(f"{name} is multilabel; only single-label classifiers are supported")
    if classes.ndim != 1 or len(classes) < 2:
        raise ConversionError(f"{name} is multilabel or has fewer than two classes; not supported")
    k = coef.shape[0]
    if not (k == len(classes) or (k == 1 and len(classes) == 2)):
        raise ConversionError(f"{name}.coef_ has {k} rows for {len(classes)} classes")
    members = affine_members(coef, _intercept(est, k), [member_scalar("int", "proba", str(_proba_kind(est)))])
    return Stage(name, "linear", "ctml::linear_classifier", members, coef.shape[1], k, is_model=True,
                 classes=classes, extra={"kind": "classifier"})


def convert_regressor(est) -> Stage:
    name = type(est).__name__
    coef = _dense(est, "coef_")
    if coef.ndim != 1:
        raise ConversionError(f"{name} has {coef.shape[0]} outputs (multi-output); only single-output regressors "
                              "are supported")
    b = np.atleast_1d(_dense(est, "intercept_")).ravel()
    if b.size != 1:
        raise ConversionError(f"{name}.intercept_ has {b.size} values; only single-output regressors are supported")
    members = affine_members(coef.reshape(1, -1), b)
    return Stage(name, "linear", "ctml::linear_regressor", members, coef.size, 1, is_model=True, classes=None,
                 extra={"kind": "regressor"})


def convert_kmeans(est) -> Stage:
    from sklearn.utils.extmath import row_norms

    centres = _dense(est, "cluster_centers_")
    # sklearn's own squared norms (einsum), the exact constants its predict adds
    norms = row_norms(centres, squared=True)
    members = affine_members(centres, norms)
    k = centres.shape[0]
    return Stage(type(est).__name__, "kmeans", "ctml::kmeans", members, centres.shape[1], k, is_model=True,
                 classes=np.arange(k), extra={"kind": "clusterer"})


def convert(est) -> Stage:
    if isinstance(est, QuadraticDiscriminantAnalysis):
        return convert_qda(est)
    if isinstance(est, CLUSTERERS):
        return convert_kmeans(est)
    if isinstance(est, REGRESSORS):
        return convert_regressor(est)
    return convert_classifier(est)




def convert_qda(est) -> Stage:
    """QuadraticDiscriminantAnalysis: its own stage (include/ctml/discriminant/quadratic.hpp)."""
    means = _dense(est, "means_")
    k, d = means.shape
    # exactly sklearn's R * (S ** (-0.5)), transposed so that each column is a row
    ws = [np.asarray(R * (S ** (-0.5)), dtype=np.float64).T for R, S in zip(est.rotations_, est.scalings_)]
    ranks = {w.shape[0] for w in ws}
    if len(ranks) != 1:
        raise ConversionError("QuadraticDiscriminantAnalysis with classes of different rank is not supported "
                              "(a class has fewer samples than features)")
    r = ranks.pop()
    w = np.stack(ws)
    log_det = np.asarray([np.sum(np.log(s)) for s in est.scalings_])
    log_prior = np.log(np.asarray(est.priors_, dtype=np.float64))
    for what, a in (("means_", means), ("rotations_ * scalings_^-1/2", w), ("log scalings", log_det),
                    ("log priors", log_prior)):
        check_finite(f"QuadraticDiscriminantAnalysis {what}", a)
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("std::size_t", "n_classes", str(k)),
        member_scalar("std::size_t", "rank", str(r)),
        member_array_2d("double", "mean", ["n_classes", "n_features"], double_tokens(means), d),
        member_array_2d("double", "w", ["n_classes * rank", "n_features"], double_tokens(w), d),
        member_array("double", "log_det", ["n_classes"], double_tokens(log_det)),
        member_array("double", "log_prior", ["n_classes"], double_tokens(log_prior)),
    ]
    return Stage("QuadraticDiscriminantAnalysis", "qda", "ctml::quadratic_discriminant", members, d, k,
                 is_model=True, classes=np.asarray(est.classes_), extra={"kind": "classifier"})



register(Family(name="linear", estimators=CLASSIFIERS + REGRESSORS + CLUSTERERS + (QuadraticDiscriminantAnalysis,),
                convert=convert, kind="model"))
