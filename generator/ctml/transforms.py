"""Transforms as pipeline stages before any estimator: PCA, TruncatedSVD,
LinearDiscriminantAnalysis (as a transform), Normalizer, PolynomialFeatures
(degree 2), Binarizer, and feature selectors (the kept columns). The C++ stages (include/ctml/transforms/) compute
sklearn's double arithmetic in its order and hand float32 to the next stage."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.feature_selection import SelectorMixin
from sklearn.preprocessing import Binarizer, Normalizer, PolynomialFeatures

from .registry import Family, register
from .emit import (ConversionError, Stage, check_finite, double_literal, double_tokens, member_array,
                   member_array_2d, member_scalar)


def _projection(est, mean, components, scale) -> Stage:
    mean, components, scale = (np.asarray(a, dtype=np.float64) for a in (mean, components, scale))
    for what, a in (("mean", mean), ("components", components), ("scale", scale)):
        check_finite(f"{type(est).__name__} {what}", a)
    m, d = components.shape
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("std::size_t", "n_outputs", str(m)),
        member_array("double", "mean", ["n_features"], double_tokens(mean)),
        member_array_2d("double", "components", ["n_outputs", "n_features"], double_tokens(components), d),
        member_array("double", "scale", ["n_outputs"], double_tokens(scale)),
    ]
    return Stage(type(est).__name__, "projection", "ctml::projection", members, d, m, extra={"kind": "transform"})


def convert_pca(est: PCA) -> Stage:
    comps = est.components_
    scale = np.sqrt(est.explained_variance_) if est.whiten else np.ones(comps.shape[0])
    mean = est.mean_ if est.mean_ is not None else np.zeros(comps.shape[1])
    return _projection(est, mean, comps, scale)


def convert_truncated_svd(est: TruncatedSVD) -> Stage:
    comps = est.components_
    return _projection(est, np.zeros(comps.shape[1]), comps, np.ones(comps.shape[0]))


def convert_lda_transform(est: LinearDiscriminantAnalysis) -> Stage:
    if est.solver == "lsqr":
        raise ConversionError("LinearDiscriminantAnalysis(solver='lsqr') has no transform; use 'svd' or 'eigen'")
    w = np.asarray(est.scalings_, dtype=np.float64).T[: est._max_components]
    mean = est.xbar_ if est.solver == "svd" else np.zeros(w.shape[1])
    return _projection(est, mean, w, np.ones(w.shape[0]))


def convert_normalizer(est: Normalizer) -> Stage:
    norms = {"l1": 0, "l2": 1, "max": 2}
    if est.norm not in norms:
        raise ConversionError(f"Normalizer(norm={est.norm!r}) is not supported")
    d = int(est.n_features_in_)
    members = [member_scalar("std::size_t", "n_features", str(d)), member_scalar("int", "norm", str(norms[est.norm]))]
    return Stage("Normalizer", "normalizer", "ctml::normalizer", members, d, d, extra={"kind": "transform"})


def convert_polynomial(est: PolynomialFeatures) -> Stage:
    if est.degree != 2 or getattr(est, "order", "C") != "C":
        raise ConversionError(f"PolynomialFeatures(degree={est.degree!r}) is not supported; only degree=2")
    d = int(est.n_features_in_)
    members = [
        member_scalar("std::size_t", "n_features", str(d)),
        member_scalar("bool", "include_bias", "true" if est.include_bias else "false"),
        member_scalar("bool", "interaction_only", "true" if est.interaction_only else "false"),
    ]
    return Stage("PolynomialFeatures", "poly", "ctml::polynomial_features", members, d,
                 int(est.n_output_features_), extra={"kind": "transform"})


def convert_binarizer(est: Binarizer) -> Stage:
    d = int(est.n_features_in_)
    members = [member_scalar("std::size_t", "n_features", str(d)),
               member_scalar("double", "threshold", double_literal(est.threshold))]
    return Stage("Binarizer", "binarizer", "ctml::binarizer", members, d, d, extra={"kind": "transform"})


def convert_selector(est) -> Stage:
    """Any fitted feature selector (VarianceThreshold, SelectKBest, SelectFromModel, RFE, ...)."""
    name = type(est).__name__
    try:
        keep = np.asarray(est.get_support(indices=True), dtype=np.int64)
    except Exception as e:  # an unfitted selector raises from get_support
        raise ConversionError(f"{name} is not fitted ({e})") from None
    d = int(est.n_features_in_)
    if keep.size == 0:
        raise ConversionError(f"{name} keeps no feature; a model cannot follow it")
    members = [member_scalar("std::size_t", "n_features", str(d)),
               member_scalar("std::size_t", "n_outputs", str(keep.size)),
               member_array("std::uint16_t", "index", ["n_outputs"], [str(int(i)) for i in keep])]
    return Stage(name, "select", "ctml::select_features", members, d, int(keep.size), extra={"kind": "transform"})


def convert(est):
    for cls, conv in CONVERTERS.items():
        if isinstance(est, cls):
            return conv(est)
    raise ConversionError(f"unsupported transform {type(est).__name__}")


CONVERTERS = {
    PCA: convert_pca,
    TruncatedSVD: convert_truncated_svd,
    LinearDiscriminantAnalysis: convert_lda_transform,
    Normalizer: convert_normalizer,
    PolynomialFeatures: convert_polynomial,
    Binarizer: convert_binarizer,
    SelectorMixin: convert_selector,
}

register(Family(name="transforms", estimators=tuple(CONVERTERS), convert=convert, kind="transform",
                names=tuple(c.__name__ for c in CONVERTERS if c is not SelectorMixin) +
                ("any feature selector (VarianceThreshold, SelectKBest, SelectFromModel, RFE, ...)",)))
