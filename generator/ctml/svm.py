"""Kernel SVMs (libsvm): SVC, NuSVC, SVR, NuSVR, OneClassSVM.

The header holds libsvm's model as scikit-learn keeps it for ``predict``:
support vectors grouped by class, ``_dual_coef_`` (libsvm's sv_coef, not the
sign-flipped ``dual_coef_`` of binary classifiers) and ``_intercept_`` (-rho),
the kernel and its resolved ``_gamma``. Everything else (float32 tables,
error bounds, folded linear weights) is derived by include/ctml/svm/svm.hpp.
"""

from __future__ import annotations

import numpy as np
from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

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

_KERNELS = ("linear", "poly", "rbf", "sigmoid")


def _common(est) -> tuple[list[str], int]:
    name = type(est).__name__
    if not isinstance(est.kernel, str) or est.kernel not in _KERNELS:
        raise ConversionError(
            f"{name} with kernel={est.kernel!r} is not supported; use one of {', '.join(_KERNELS)}"
        )
    sv = np.asarray(est.support_vectors_, dtype=np.float64)
    if sv.ndim != 2 or sv.shape[0] == 0:
        raise ConversionError(f"{name} has no support vectors")
    if hasattr(sv, "toarray") or type(est.support_vectors_).__module__.startswith("scipy.sparse"):
        raise ConversionError(f"{name} was fitted on sparse data; fit it on a dense array")
    coef = np.asarray(est._dual_coef_, dtype=np.float64)
    if hasattr(coef, "toarray"):
        coef = coef.toarray()
    intercept = np.asarray(est._intercept_, dtype=np.float64).ravel()
    gamma = float(est._gamma)
    degree = int(est.degree)
    if est.kernel == "poly" and not 0 <= degree <= 64:
        raise ConversionError(f"{name} degree={degree} is out of range (0..64)")
    for what, a in (("support_vectors_", sv), ("_dual_coef_", coef), ("_intercept_", intercept)):
        check_finite(f"{name}.{what}", a)
    check_finite(f"{name}._gamma / coef0", [gamma, float(est.coef0)])
    m, n = sv.shape
    members = [
        member_scalar("std::size_t", "n_features", str(n)),
        member_scalar("std::size_t", "n_vectors", str(m)),
        member_scalar("ctml::svm::kernel", "kernel", f"ctml::svm::kernel::{est.kernel}"),
        member_scalar("double", "gamma", double_literal(gamma)),
        member_scalar("double", "coef0", double_literal(float(est.coef0))),
        member_scalar("int", "degree", str(degree)),
        member_array_2d("double", "vectors", ["n_vectors", "n_features"], double_tokens(sv), n),
        member_array_2d("double", "dual_coef", [str(coef.shape[0]), "n_vectors"], double_tokens(coef), m),
        member_array("double", "intercept", [str(intercept.size)], double_tokens(intercept)),
    ]
    return members, n


def _absorb(stage: Stage):
    """The SVM takes over a StandardScaler right before it: the float32 path
    then scales once per row instead of through a soft-float scaler stage, and
    the double path scales in double as sklearn's Pipeline does. Not for the
    linear kernel's folded weights: there the scaler stays a stage."""
    if "ctml::svm::kernel::linear" not in "".join(stage.members):
        stage.extra["absorb"] = absorb_standard_scaler(stage)
    return stage


def _output_members(est, k: int) -> list[str]:
    """decision_function_shape, and libsvm's Platt sigmoids when fitted with
    probability=True (include/ctml/svm/outputs.hpp)."""
    members = [member_scalar("bool", "ovr", "true" if est.decision_function_shape == "ovr" else "false")]
    a = np.asarray(getattr(est, "_probA", []), dtype=np.float64).ravel()
    b = np.asarray(getattr(est, "_probB", []), dtype=np.float64).ravel()
    if getattr(est, "probability", False) and a.size == k * (k - 1) // 2 and b.size == a.size:
        check_finite(f"{type(est).__name__}.probA_ / probB_", np.concatenate([a, b]))
        members += [member_array("double", "prob_a", [str(a.size)], double_tokens(a)),
                    member_array("double", "prob_b", [str(b.size)], double_tokens(b))]
    return members


def convert_classifier(est) -> Stage:
    name = type(est).__name__
    classes = np.asarray(est.classes_)
    k = len(classes)
    if k < 2:
        raise ConversionError(f"{name} has fewer than two classes")
    if getattr(est, "break_ties", False) and est.decision_function_shape == "ovo" and k > 2:
        raise ConversionError(f"{name}(break_ties=True) with decision_function_shape='ovo' cannot predict "
                              "(sklearn raises); refit with break_ties=False or decision_function_shape='ovr'")
    members, n = _common(est)
    n_support = np.asarray(est._n_support, dtype=np.int64)
    if n_support.size != k or int(n_support.sum()) != est.support_vectors_.shape[0]:
        raise ConversionError(f"{name}: n_support_ does not match the support vectors")
    if np.asarray(est._dual_coef_).shape[0] != k - 1 or np.asarray(est._intercept_).size != k * (k - 1) // 2:
        raise ConversionError(f"{name}: dual coefficients do not match the classes")
    members.insert(2, member_scalar("std::size_t", "n_classes", str(k)))
    members.append(member_array("std::int32_t", "n_support", ["n_classes"], int_tokens(n_support)))
    members += _output_members(est, k)
    if getattr(est, "break_ties", False) and est.decision_function_shape == "ovr" and k > 2:
        members.append(member_scalar("bool", "break_ties", "true"))  # predict: argmax of the ovr decision function
    return _absorb(Stage(name, "svm", "ctml::svm_classifier", members, n, 1, is_model=True, classes=classes,
                         extra={"kind": "classifier", "n_vectors": int(n_support.sum())}))


# SVR/NuSVR: ctml sums libsvm's kernel terms in double in its order, but libsvm
# reaches some dot products through BLAS (another summation order) and libm's
# exp: the prediction is within a few double ulps of the terms' size. Measured
# on diabetes (StandardScaler >> SVR, 742 rows): 2.8e-14 absolute on values up
# to 163, i.e. below 2e-16 of sum |dual coef|.
REGRESSOR_REL_TOLERANCE = 1e-12


def convert_regressor(est) -> Stage:
    members, n = _common(est)
    scale = float(np.abs(est.dual_coef_).sum() + np.abs(est.intercept_).sum())
    tolerance = {"abs": REGRESSOR_REL_TOLERANCE * scale, "rel": REGRESSOR_REL_TOLERANCE}
    return _absorb(Stage(type(est).__name__, "svm", "ctml::svm_regressor", members, n, 1, is_model=True, classes=None,
                         extra={"kind": "regressor", "tolerance": tolerance}))


def convert_one_class(est) -> Stage:
    members, n = _common(est)
    offset = float(est.offset_)
    check_finite("OneClassSVM.offset_", [offset])
    members.append(member_scalar("double", "offset", double_literal(offset)))
    return _absorb(Stage(type(est).__name__, "svm", "ctml::one_class_svm", members, n, 1, is_model=True, classes=None,
                         extra={"kind": "outlier"}))


CONVERTERS = {
    SVC: convert_classifier,
    NuSVC: convert_classifier,
    SVR: convert_regressor,
    NuSVR: convert_regressor,
    OneClassSVM: convert_one_class,
}


def convert(est) -> Stage:
    for cls, conv in CONVERTERS.items():
        if type(est) is cls:
            return conv(est)
    if isinstance(est, (SVC, NuSVC)):
        return convert_classifier(est)
    if isinstance(est, OneClassSVM):
        return convert_one_class(est)
    return convert_regressor(est)


register(Family(name="svm", estimators=(SVC, NuSVC, SVR, NuSVR, OneClassSVM), convert=convert, kind="model"))
