"""Neural networks: scikit-learn's MLPClassifier and MLPRegressor (and the
layer emission shared with :mod:`ctml.torch_nn` for PyTorch networks).

A network becomes one stage, ``ctml::nn::network<P>``, whose params struct
holds one nested struct per dense layer (``weight[n_out][n_in]`` and
``bias[n_out]`` as float64, exactly as fitted) and the layer list as a type.
Int8 needs activation ranges: :func:`calibrate` runs the network in float64
on representative inputs and records the range of the input and of every
layer's output; the header then carries them (``calibrated = true``) and the
C++ library derives every scale, zero point and multiplier at compile time.
See docs/generated-header.md, "Networks".
"""

from __future__ import annotations

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

from . import registry
from .registry import Family, register
from .emit import Alias, Comment, ConversionError, Expr, Param, Stage, Struct, check_finite

#: Attribute that :func:`calibrate` sets on a fitted network (survives pickling).
CALIBRATION_ATTR = "ctml_calibration_"

_ACTIVATIONS = {"identity": "identity", "relu": "relu", "logistic": "sigmoid", "tanh": "tanh", "softmax": "softmax"}


class Layer:
    """One layer of a network, as the generator sees it.

    ``kind``: "dense", "conv1d", "conv2d", "depthwise_conv2d", "pool" (see
    ``attrs``), an activation name (C++ spelling), or "flatten". Weights are
    float64: dense (n_out, n_in); conv (out_channels, in_channels / groups,
    [kh,] kw). ``attrs`` holds the geometry: conv ``stride`` and ``padding``
    as (h, w) pairs; pool ``pool`` ("max"/"avg"), ``rank`` (2 or 3),
    ``kernel`` and ``stride`` as (h, w).
    """

    def __init__(self, kind: str, weight=None, bias=None, **attrs):
        self.kind = kind
        self.weight = weight
        self.bias = bias
        self.attrs = attrs

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "dense":
            return x @ self.weight.T + self.bias
        if self.kind == "relu":
            return np.maximum(x, 0)
        if self.kind == "sigmoid":
            return 1.0 / (1.0 + np.exp(-x))
        if self.kind == "tanh":
            return np.tanh(x)
        if self.kind == "softmax":
            e = np.exp(x - x.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return x  # identity, flatten


def _mlp_layers(est) -> list[Layer]:
    hidden = est.activation
    if hidden not in _ACTIVATIONS or hidden == "softmax":
        raise ConversionError(f"unsupported MLP activation {hidden!r}; supported: identity, logistic, relu, tanh")
    out = est.out_activation_
    if out not in ("identity", "softmax", "logistic"):
        raise ConversionError(f"unsupported MLP output activation {out!r}")
    layers = []
    n = len(est.coefs_)
    for i, (w, b) in enumerate(zip(est.coefs_, est.intercepts_)):
        w = np.asarray(w, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64).ravel()
        check_finite(f"{type(est).__name__}.coefs_[{i}]", w)
        check_finite(f"{type(est).__name__}.intercepts_[{i}]", b)
        layers.append(Layer("dense", np.ascontiguousarray(w.T), b))
        act = hidden if i + 1 < n else out
        layers.append(Layer(_ACTIVATIONS[act]))
    return layers


def forward_ranges(layers: list[Layer], X: np.ndarray) -> tuple[list[float], list[list[float]]]:
    """Range of the input and of every layer's output over the rows of X (float64)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ConversionError("calibration data must be a non-empty 2-D array")
    if not np.all(np.isfinite(X)):
        raise ConversionError("calibration data holds NaN or inf")
    ranges = []
    x = X
    for layer in layers:
        x = layer.forward(x)
        ranges.append([float(x.min()), float(x.max())])
    return [float(X.min()), float(X.max())], ranges


def calibrate(estimator, X) -> None:
    """Records activation ranges on ``estimator`` (a fitted MLP or PyTorch
    network, or a Pipeline ending in one: X then goes through the preceding
    steps first), for int8. The same as ``ctml.calibrate``."""
    registry.calibrate(estimator, X)


def calibrate_mlp(final, X) -> None:
    if X.ndim != 2 or X.shape[1] != int(final.n_features_in_):
        raise ConversionError(f"calibration data has shape {X.shape}; the network expects {final.n_features_in_} features")
    inp, ranges = forward_ranges(_mlp_layers(final), X)
    setattr(final, CALIBRATION_ATTR, {"input": inp, "ranges": ranges, "rows": int(X.shape[0])})


def _conv_struct(layer: Layer, name: str) -> Struct:
    w = layer.weight
    o, cpg = w.shape[0], w.shape[1]
    groups = layer.attrs.get("groups", 1)
    size = "std::size_t"
    body = [Param("in_channels", size, cpg * groups), Param("out_channels", size, o)]
    (sh, sw), (ph, pw) = layer.attrs["stride"], layer.attrs["padding"]
    if layer.kind == "conv1d":
        body += [Param("kernel", size, w.shape[2]), Param("stride", size, sw), Param("padding", size, pw)]
        dims = ("out_channels", "in_channels", "kernel")
    else:
        body += [Param("kernel_h", size, w.shape[2]), Param("kernel_w", size, w.shape[3]),
                 Param("stride_h", size, sh), Param("stride_w", size, sw), Param("pad_h", size, ph),
                 Param("pad_w", size, pw)]
        cdim = "1" if layer.kind == "depthwise_conv2d" else "in_channels"
        dims = ("out_channels", cdim, "kernel_h", "kernel_w")
    body += [Param("weight", "double", w, dims), Param("bias", "double", layer.bias, ("out_channels",))]
    return Struct(name, body)


def _pool_type(layer: Layer) -> str:
    a = layer.attrs
    (kh, kw), (sh, sw) = a["kernel"], a["stride"]
    kind = "max" if a["pool"] == "max" else "avg"
    if a["rank"] == 2:
        return f"ctml::nn::{kind}_pool1d<{kw}, {sw}>"
    return f"ctml::nn::{kind}_pool2d<{kh}, {kw}, {sh}, {sw}>"


def network_members(layers: list[Layer], in_shape: tuple[int, ...], head: str, calibration) -> list:
    """The body of a ``ctml::nn::network`` params struct (emit data)."""
    members: list = []
    names = []
    d = 0
    n_conv = 0
    for layer in layers:
        if layer.kind in ("conv1d", "conv2d", "depthwise_conv2d"):
            members.append(_conv_struct(layer, f"conv{n_conv}"))
            names.append(f"ctml::nn::{layer.kind}<conv{n_conv}>")
            n_conv += 1
        elif layer.kind == "pool":
            names.append(_pool_type(layer))
        elif layer.kind == "dense":
            n_out, n_in = layer.weight.shape
            members.append(Struct(f"dense{d}", [
                Param("n_in", "std::size_t", n_in),
                Param("n_out", "std::size_t", n_out),
                Param("weight", "double", layer.weight, ("n_out", "n_in")),
                Param("bias", "double", layer.bias, ("n_out",)),
            ]))
            names.append(f"ctml::nn::dense<dense{d}>")
            d += 1
        else:
            names.append(f"ctml::nn::{layer.kind}")
    shape = ", ".join(str(int(s)) for s in in_shape)
    members.append(Alias("input", f"ctml::nn::shape<{shape}>"))
    members.append(Alias("layers", f"ctml::nn::layers<{', '.join(names)}>"))
    members.append(Param("head", "ctml::nn::head", Expr(f"ctml::nn::head::{head}")))
    members.append(Param("n_layers", "std::size_t", len(layers)))
    if calibration is None:
        members.append(Param("calibrated", "bool", False))
    else:
        inp, ranges = calibration["input"], calibration["ranges"]
        if len(ranges) != len(layers):
            raise ConversionError("the calibration does not match the network's layers; calibrate again")
        check_finite("calibration ranges", np.asarray(ranges))
        members.append(Param("calibrated", "bool", True))
        members.append(Comment(f"activation ranges from {calibration.get('rows', '?')} calibration rows"))
        members.append(Param("input_range", "double", np.asarray(inp, dtype=np.float64), ("2",)))
        members.append(Param("ranges", "double", np.asarray(ranges, dtype=np.float64), ("n_layers", "2")))
    return members


def _convert_mlp(est, classifier: bool) -> Stage:
    layers = _mlp_layers(est)
    n_in = int(est.n_features_in_)
    n_out = layers[-2].weight.shape[0]
    if classifier:
        classes = np.asarray(est.classes_)
        if est.out_activation_ == "softmax":
            head = "argmax"
        elif est.out_activation_ == "logistic" and n_out == 1 and len(classes) == 2:
            head = "logistic"
        elif est.out_activation_ == "logistic" and n_out == 1 and len(classes) == 1:
            # Fitted on one class: sklearn predicts it for every row. An argmax
            # over the one output is always index 0.
            head = "argmax"
        else:
            raise ConversionError("multi-label MLPClassifier (several logistic outputs) is not supported")
    else:
        classes = None
        if n_out != 1:
            raise ConversionError(f"MLPRegressor with {n_out} outputs is not supported (one output only)")
        head = "value"
    calibration = getattr(est, CALIBRATION_ATTR, None)
    members = network_members(layers, (n_in,), head, calibration)
    n_params = sum(layer.weight.size + layer.bias.size for layer in layers if layer.kind == "dense")
    extra = {"n_params": n_params, "kind": "classifier" if classifier else "regressor",
             "calibrated": calibration is not None}
    if not classifier:
        extra["tolerance"] = regressor_tolerance(layers[-2].weight, layers[-2].bias)
    return Stage(type(est).__name__, "mlp", "ctml::nn::network", members, n_in, 1, is_model=True, classes=classes,
                 extra=extra)


# The float32 tolerance of a network regressor against the framework's
# float64 prediction: |ctml - reference| <= abs + rel * |reference|, with
# rel = REL_TOLERANCE (about 84 float32 ulps) and abs = REL_TOLERANCE times
# the output layer's magnitude (|bias| + sum |weights|: the size of the terms
# that cancel when the output is near zero, for hidden activations of order
# one). Measured on MLPRegressors (diabetes, Friedman #1 with y and 1000 y,
# relu and tanh; 2,000+ rows each): the largest difference was 3.5e-7 of
# |reference| + abs / rel, a margin of about 30.
REL_TOLERANCE = 1e-5


def regressor_tolerance(weight: np.ndarray, bias: np.ndarray) -> dict:
    """The stated float32 tolerance of a one-output network regressor whose
    last dense layer has ``weight`` (1 x n) and ``bias`` (see REL_TOLERANCE)."""
    scale = float(np.abs(bias).sum() + np.abs(weight).sum())
    return {"abs": REL_TOLERANCE * scale, "rel": REL_TOLERANCE}


def convert(est) -> Stage:
    return _convert_mlp(est, isinstance(est, MLPClassifier))


register(Family(name="mlp", estimators=(MLPClassifier, MLPRegressor), convert=convert, calibrate=calibrate_mlp))
