"""Naive Bayes: GaussianNB (its own stage: sklearn's joint log likelihood with
priors), MultinomialNB, ComplementNB and BernoulliNB (affine scores on the
linear core: their joint log likelihood is X @ W.T + c in sklearn too)."""

from __future__ import annotations

import numpy as np
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB

from .registry import Family, register
from .emit import ConversionError, Stage, check_finite, double_literal, double_tokens, member_array, \
    member_array_2d, member_scalar


def _arr(est, attr):
    v = getattr(est, attr, None)
    if v is None:
        raise ConversionError(f"{type(est).__name__} has no {attr}; is it fitted?")
    v = np.asarray(v, dtype=np.float64)
    return v


def convert_gaussian_nb(est: GaussianNB) -> Stage:
    theta, var = _arr(est, "theta_"), _arr(est, "var_")
    prior = _arr(est, "class_prior_")
    k, d = theta.shape
    with np.errstate(divide="ignore"):
        log_prior = np.array([np.log(prior[i]) for i in range(k)])  # sklearn: np.log per class
        log_norm = np.array([-0.5 * np.sum(np.log(2.0 * np.pi * var[i, :])) for i in range(k)])
    for what, v in (("theta_", theta), ("var_", var), ("log(class_prior_)", log_prior), ("log norm", log_norm)):
        check_finite(f"GaussianNB.{what}", v)
    if np.any(var <= 0):
        raise ConversionError("GaussianNB.var_ has values <= 0; fit with var_smoothing > 0")
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("std::size_t", "n_classes", str(k)),
        member_array_2d("double", "theta", ["n_classes", "n_features"], double_tokens(theta), d),
        member_array_2d("double", "var", ["n_classes", "n_features"], double_tokens(var), d),
        member_array("double", "log_prior", ["n_classes"], double_tokens(log_prior)),
        member_array("double", "log_norm", ["n_classes"], double_tokens(log_norm)),
    ]
    return Stage("GaussianNB", "gnb", "ctml::gaussian_nb", members, d, k, is_model=True,
                 classes=np.asarray(est.classes_), extra={"kind": "classifier"})


def _affine(est, coef, intercept) -> Stage:
    from .linear import affine_members

    check_finite(f"{type(est).__name__} log probabilities", coef)
    check_finite(f"{type(est).__name__} class log priors", intercept)
    k, d = coef.shape
    members = affine_members(coef, intercept, [member_scalar("int", "proba", "0")])
    classes = np.asarray(est.classes_)
    if k != len(classes) or k < 2:
        raise ConversionError(f"{type(est).__name__} needs at least two classes")
    return Stage(type(est).__name__, "nb", "ctml::linear_classifier", members, d, k, is_model=True,
                 classes=classes, extra={"kind": "classifier"})


def convert_multinomial_nb(est) -> Stage:
    # jll = X @ feature_log_prob_.T + class_log_prior_
    return _affine(est, _arr(est, "feature_log_prob_"), _arr(est, "class_log_prior_"))


def convert_complement_nb(est) -> Stage:
    # jll = X @ feature_log_prob_.T (class_log_prior_ only with one class): + 0.0 changes nothing
    flp = _arr(est, "feature_log_prob_")
    return _affine(est, flp, np.zeros(flp.shape[0]))


def convert_bernoulli_nb(est) -> list[Stage]:
    flp = _arr(est, "feature_log_prob_")
    neg_prob = np.log(1 - np.exp(flp))
    coef = flp - neg_prob
    intercept = _arr(est, "class_log_prior_") + neg_prob.sum(axis=1)
    stages = []
    if est.binarize is not None:
        d = flp.shape[1]
        stages.append(Stage("Binarizer", "binarizer", "ctml::binarizer", [
            member_scalar("std::size_t", "n_features", str(d)),
            member_scalar("double", "threshold", double_literal(est.binarize)),
        ], d, d, extra={"kind": "transform"}))
    stages.append(_affine(est, coef, intercept))
    return stages


def convert_categorical_nb(est: CategoricalNB) -> Stage:
    """sklearn's tables as they are: feature_log_prob_[i] (classes x
    n_categories_[i], min_categories included) stacked feature after feature,
    and class_log_prior_ (include/ctml/bayes/categorical.hpp)."""
    flp = getattr(est, "feature_log_prob_", None)
    if flp is None:
        raise ConversionError("CategoricalNB has no feature_log_prob_; is it fitted?")
    prior = _arr(est, "class_log_prior_")
    k, d = prior.size, len(flp)
    n_cat = np.asarray(est.n_categories_, dtype=np.int64)
    if k < 2:
        raise ConversionError("CategoricalNB needs at least two classes")
    blocks = [np.asarray(f, dtype=np.float64) for f in flp]
    if any(b.shape != (k, int(c)) for b, c in zip(blocks, n_cat)):
        raise ConversionError("CategoricalNB: feature_log_prob_ does not match n_categories_")
    if int(n_cat.sum()) > 1 << 20:
        raise ConversionError(f"CategoricalNB has {int(n_cat.sum())} categories in all; ctml supports up to 2^20")
    table = np.vstack([b.T for b in blocks])  # [category rows][classes]
    if np.any(table > 0) or np.any(prior > 0):  # chips without a double unit add magnitudes
        raise ConversionError("CategoricalNB has log probabilities above 0 (class_prior values above 1); "
                              "give class_prior as probabilities")
    check_finite("CategoricalNB.feature_log_prob_", table)
    check_finite("CategoricalNB.class_log_prior_", prior)
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("std::size_t", "n_classes", str(k)),
        member_scalar("std::size_t", "n_values", str(table.shape[0])),
        member_array("std::int32_t", "n_categories", ["n_features"], [str(int(c)) for c in n_cat]),
        member_array_2d("double", "log_prob", ["n_values", "n_classes"], double_tokens(table), k),
        member_array("double", "log_prior", ["n_classes"], double_tokens(prior)),
    ]
    return Stage("CategoricalNB", "cnb", "ctml::categorical_nb", members, d, k, is_model=True,
                 classes=np.asarray(est.classes_), extra={"kind": "classifier"})


def convert(est):
    if isinstance(est, CategoricalNB):
        return convert_categorical_nb(est)
    if isinstance(est, GaussianNB):
        return convert_gaussian_nb(est)
    if isinstance(est, ComplementNB):
        return convert_complement_nb(est)
    if isinstance(est, BernoulliNB):
        return convert_bernoulli_nb(est)
    return convert_multinomial_nb(est)


ESTIMATORS = (GaussianNB, MultinomialNB, ComplementNB, BernoulliNB, CategoricalNB)

register(Family(name="bayes", estimators=ESTIMATORS, convert=convert, kind="model"))
