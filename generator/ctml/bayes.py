"""Naive Bayes: GaussianNB (its own stage: sklearn's joint log likelihood with
priors), MultinomialNB, ComplementNB and BernoulliNB (affine scores on the
linear core: their joint log likelihood is X @ W.T + c in sklearn too)."""

from __future__ import annotations

import numpy as np
from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB

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


def convert(est):
    if isinstance(est, GaussianNB):
        return convert_gaussian_nb(est)
    if isinstance(est, ComplementNB):
        return convert_complement_nb(est)
    if isinstance(est, BernoulliNB):
        return convert_bernoulli_nb(est)
    return convert_multinomial_nb(est)


ESTIMATORS = (GaussianNB, MultinomialNB, ComplementNB, BernoulliNB)

register(Family(name="bayes", estimators=ESTIMATORS, convert=convert, kind="model"))
