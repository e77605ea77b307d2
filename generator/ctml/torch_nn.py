"""PyTorch networks: a ``torch.nn.Sequential`` saved whole with
``torch.save(model, path)``.

Supported children, in any order the C++ library can chain:

- ``Linear``; ``Conv1d``; ``Conv2d`` with ``groups`` 1 or ``in_channels``
  (depthwise); zero padding (an int, a pair, ``"valid"``, or ``"same"`` with
  stride 1 and odd kernels), dilation 1;
- ``BatchNorm1d`` / ``BatchNorm2d`` right after a Linear or conv layer: folded
  into its weights and bias here (eval mode: the running statistics);
- ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax`` (over the channels/features);
- ``MaxPool1d/2d``, ``AvgPool1d/2d`` without padding, dilation or ceil_mode;
- ``Flatten`` (the default start_dim 1, end_dim -1); ``Dropout`` and
  ``Identity`` (no-ops at inference) are dropped.

The last Linear layer is the output; after it only Softmax or Sigmoid may
follow. With two or more outputs the header is a classifier (argmax, classes
0..n-1); with one output it is a binary classifier when a Sigmoid follows
(class 1 when the output is > 0), else a regressor.

The input shape (channels first, without the batch dimension) is not stored
by PyTorch: a network starting with a Linear layer takes ``(in_features,)``;
otherwise set ``model.ctml_input_shape = (C, L)`` or ``(C, H, W)`` before
saving, or call :func:`calibrate`, which records it. :func:`calibrate` also
records the activation ranges the int8 policy needs (``ctml_calibration_``).
"""

from __future__ import annotations

import math
import os

import numpy as np

from .emit import ConversionError, Stage, check_finite
from .nn import CALIBRATION_ATTR, Layer, network_members, regressor_tolerance
from .registry import Family, register

#: Attribute holding the input shape (channels first, no batch dimension).
INPUT_SHAPE_ATTR = "ctml_input_shape"

SUPPORTED = (
    "Linear, Conv1d, Conv2d (groups 1 or in_channels), BatchNorm1d/2d after a Linear/conv layer, ReLU, Sigmoid, "
    "Tanh, Softmax, MaxPool1d/2d, AvgPool1d/2d (no padding), Flatten, Dropout, Identity"
)


def _unsupported(what: str) -> ConversionError:
    return ConversionError(f"{what} is not supported (supported: {SUPPORTED})")


def available() -> bool:
    try:
        import torch  # noqa: F401
    except Exception:  # noqa: BLE001
        return False
    return True


def is_torch_file(path: str) -> bool:
    """True for a file written by torch.save (a zip archive holding data.pkl)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as z:
            return any(n.endswith("data.pkl") for n in z.namelist())
    except OSError:
        return False


def load(path: str):
    """The module saved by ``torch.save(model, path)`` (whole module)."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


# ----------------------------------------------------------------------------
# Module -> layers


def _pair(v, what: str) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    if isinstance(v, (tuple, list)) and len(v) in (1, 2) and all(isinstance(e, int) for e in v):
        return (v[0], v[-1])
    raise _unsupported(f"{what}")


def _np(t) -> np.ndarray:
    return t.detach().cpu().to(dtype=__import__("torch").float64).numpy().copy()


def _conv_layer(m, rank: int) -> Layer:
    name = type(m).__name__
    if getattr(m, "padding_mode", "zeros") != "zeros":
        raise _unsupported(f"{name} with padding_mode={m.padding_mode!r}")
    if any(d != 1 for d in m.dilation):
        raise _unsupported(f"{name} with dilation {tuple(m.dilation)}")
    w = _np(m.weight)
    k = w.shape[2:]
    stride = tuple(m.stride)
    pad = m.padding
    if isinstance(pad, str):
        if pad == "valid":
            pad = (0,) * len(k)
        elif pad == "same" and all(s == 1 for s in stride) and all(kk % 2 == 1 for kk in k):
            pad = tuple(kk // 2 for kk in k)
        else:
            raise _unsupported(f"{name} with padding={pad!r}")
    pad = tuple(pad)
    groups = int(m.groups)
    if groups == 1:
        kind = "conv1d" if rank == 2 else "conv2d"
    elif rank == 3 and groups == m.in_channels:
        kind = "depthwise_conv2d"
    else:
        raise _unsupported(f"{name} with groups={groups} (in_channels={m.in_channels})")
    b = _np(m.bias) if m.bias is not None else np.zeros(w.shape[0])
    if rank == 2:
        stride, pad = (1, stride[0]), (0, pad[0])
    return Layer(kind, w, b, stride=stride, padding=pad, groups=groups)


def _fold_bn(layer: Layer, bn) -> None:
    name = type(bn).__name__
    if bn.running_mean is None or bn.running_var is None:
        raise _unsupported(f"{name} without running statistics (track_running_stats=False)")
    mean, var = _np(bn.running_mean), _np(bn.running_var)
    gamma = _np(bn.weight) if bn.weight is not None else np.ones_like(mean)
    beta = _np(bn.bias) if bn.bias is not None else np.zeros_like(mean)
    n_out = layer.weight.shape[0]
    if mean.shape[0] != n_out:
        raise _unsupported(f"{name}({mean.shape[0]}) after a layer of {n_out} outputs")
    a = gamma / np.sqrt(var + float(bn.eps))
    layer.weight = layer.weight * a.reshape((-1,) + (1,) * (layer.weight.ndim - 1))
    layer.bias = (layer.bias - mean) * a + beta


def _children(model):
    import torch

    if not isinstance(model, torch.nn.Sequential):
        raise _unsupported(f"a {type(model).__name__} module (not a torch.nn.Sequential)")
    out = []
    for m in model:
        if isinstance(m, torch.nn.Sequential):
            out.extend(_children(m))
        else:
            out.append(m)
    return out


def _layers(model) -> tuple[list[Layer], list[int]]:
    """Layers, and for each the index of the last child it covers (BN folded)."""
    import torch.nn as tnn

    layers: list[Layer] = []
    last_child: list[int] = []
    for i, m in enumerate(_children(model)):
        t = type(m)
        name = t.__name__
        if t is tnn.Linear:
            w = _np(m.weight)
            b = _np(m.bias) if m.bias is not None else np.zeros(w.shape[0])
            layers.append(Layer("dense", w, b))
        elif t is tnn.Conv1d:
            layers.append(_conv_layer(m, 2))
        elif t is tnn.Conv2d:
            layers.append(_conv_layer(m, 3))
        elif t in (tnn.BatchNorm1d, tnn.BatchNorm2d):
            prev = layers[-1] if layers and last_child[-1] == i - 1 else None
            ok = prev is not None and (prev.kind == "dense" or (prev.kind == "conv1d" and t is tnn.BatchNorm1d) or
                                       (prev.kind in ("conv2d", "depthwise_conv2d") and t is tnn.BatchNorm2d))
            if not ok:
                raise _unsupported(f"{name} not right after a Linear/Conv layer")
            _fold_bn(prev, m)
            last_child[-1] = i
            continue
        elif t in (tnn.ReLU, tnn.Sigmoid, tnn.Tanh):
            layers.append(Layer({tnn.ReLU: "relu", tnn.Sigmoid: "sigmoid", tnn.Tanh: "tanh"}[t]))
        elif t is tnn.Softmax:
            if m.dim not in (1, -1):
                raise _unsupported(f"Softmax(dim={m.dim})")
            layers.append(Layer("softmax"))
        elif t in (tnn.MaxPool1d, tnn.MaxPool2d, tnn.AvgPool1d, tnn.AvgPool2d):
            rank = 2 if t in (tnn.MaxPool1d, tnn.AvgPool1d) else 3
            if getattr(m, "ceil_mode", False):
                raise _unsupported(f"{name} with ceil_mode=True")
            if getattr(m, "return_indices", False):
                raise _unsupported(f"{name} with return_indices=True")
            if _pair(m.padding, f"{name} padding") != (0, 0):
                raise _unsupported(f"{name} with padding {m.padding}")
            if hasattr(m, "dilation") and _pair(m.dilation, f"{name} dilation") != (1, 1):
                raise _unsupported(f"{name} with dilation {m.dilation}")
            if getattr(m, "divisor_override", None) is not None:
                raise _unsupported(f"{name} with divisor_override")
            k = _pair(m.kernel_size, f"{name} kernel_size {m.kernel_size}")
            s = _pair(m.stride if m.stride is not None else m.kernel_size, f"{name} stride {m.stride}")
            if rank == 2:
                k, s = (1, k[1]), (1, s[1])
            layers.append(Layer("pool", pool="max" if "Max" in name else "avg", rank=rank, kernel=k, stride=s))
        elif t is tnn.Flatten:
            if m.start_dim != 1 or m.end_dim != -1:
                raise _unsupported(f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim})")
            layers.append(Layer("flatten"))
        elif t in (tnn.Dropout, tnn.Identity):
            continue
        else:
            raise _unsupported(f"layer {name}")
        last_child.append(i)
    if not layers:
        raise _unsupported("an empty Sequential")
    return layers, last_child


def _out_shape(layer: Layer, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of a layer, or a ConversionError naming the mismatch."""
    k = layer.kind

    def window(n, kk, s, p, what):
        if n + 2 * p < kk:
            raise _unsupported(f"{what} with a window of {kk} on an input of {n} (padding {p})")
        return (n + 2 * p - kk) // s + 1

    if k == "dense":
        n_in = layer.weight.shape[1]
        if len(shape) != 1:
            raise _unsupported(f"Linear on a tensor of shape {shape} (insert a Flatten)")
        if shape[0] != n_in:
            raise _unsupported(f"Linear(in_features={n_in}) on {shape[0]} features")
        return (layer.weight.shape[0],)
    if k in ("conv1d", "conv2d", "depthwise_conv2d"):
        rank = 2 if k == "conv1d" else 3
        name = "Conv1d" if rank == 2 else "Conv2d"
        if len(shape) != rank:
            raise _unsupported(f"{name} on a tensor of shape {shape}")
        c_in = layer.weight.shape[1] * layer.attrs["groups"]
        if shape[0] != c_in:
            raise _unsupported(f"{name}(in_channels={c_in}) on {shape[0]} channels")
        (sh, sw), (ph, pw) = layer.attrs["stride"], layer.attrs["padding"]
        ow = window(shape[-1], layer.weight.shape[-1], sw, pw, name)
        if rank == 2:
            return (layer.weight.shape[0], ow)
        return (layer.weight.shape[0], window(shape[1], layer.weight.shape[2], sh, ph, name), ow)
    if k == "pool":
        a = layer.attrs
        name = ("MaxPool" if a["pool"] == "max" else "AvgPool") + ("1d" if a["rank"] == 2 else "2d")
        if len(shape) != a["rank"]:
            raise _unsupported(f"{name} on a tensor of shape {shape}")
        ow = window(shape[-1], a["kernel"][1], a["stride"][1], 0, name)
        if a["rank"] == 2:
            return (shape[0], ow)
        return (shape[0], window(shape[1], a["kernel"][0], a["stride"][0], 0, name), ow)
    if k == "flatten":
        return (int(np.prod(shape)),)
    return shape


def _input_shape(model, layers: list[Layer]) -> tuple[int, ...]:
    shape = getattr(model, INPUT_SHAPE_ATTR, None)
    if shape is None:
        cal = getattr(model, CALIBRATION_ATTR, None)
        shape = cal.get("input_shape") if isinstance(cal, dict) else None
    if shape is None:
        if layers[0].kind == "dense":
            return (int(layers[0].weight.shape[1]),)
        raise ConversionError(
            f"the input shape of a Sequential starting with {layers[0].kind} is unknown: set "
            f"model.{INPUT_SHAPE_ATTR} = (C, L) or (C, H, W), or call ctml.torch_nn.calibrate(model, X), "
            "before torch.save"
        )
    shape = tuple(int(s) for s in shape)
    if not shape or any(s <= 0 for s in shape) or len(shape) > 3:
        raise _unsupported(f"input shape {shape}")
    return shape


def _head(model, layers: list[Layer]) -> tuple[str, int]:
    weighted = [i for i, la in enumerate(layers) if la.kind in ("dense", "conv1d", "conv2d", "depthwise_conv2d")]
    if not weighted or layers[weighted[-1]].kind != "dense":
        raise _unsupported("a network whose last weighted layer is not Linear")
    last = weighted[-1]
    tail = [la.kind for la in layers[last + 1 :]]
    if any(t not in ("softmax", "sigmoid") for t in tail) or len(tail) > 1:
        raise _unsupported(f"{'/'.join(tail)} after the last Linear layer (only one Softmax or Sigmoid may follow)")
    n_out = layers[last].weight.shape[0]
    if n_out >= 2:
        return "argmax", n_out
    return ("logistic" if tail == ["sigmoid"] else "value"), n_out


def _check_shapes(layers: list[Layer], shape: tuple[int, ...]) -> None:
    for la in layers:
        shape = _out_shape(la, shape)


# ----------------------------------------------------------------------------
# Calibration and conversion


def calibrate(model, X) -> None:
    """Records the input shape and the activation ranges of every layer (as
    the generator lists them, BatchNorm folded) over the rows of X, a batch
    of inputs shaped (N, *input_shape) or (N, n_features)."""
    import torch

    layers, last_child = _layers(model)
    X = np.asarray(X, dtype=np.float32).astype(np.float64)  # as the C++ sees the rows (see nn.calibrate)
    if X.ndim < 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ConversionError("calibration data must be a non-empty batch of finite inputs")
    shape = getattr(model, INPUT_SHAPE_ATTR, None)
    if shape is not None and X.ndim == 2 and len(shape) > 1:
        X = X.reshape((X.shape[0],) + tuple(shape))
    shape = tuple(int(s) for s in X.shape[1:])
    _check_shapes(layers, shape)
    children = _children(model)
    was_training = model.training
    model.eval()
    outs = []
    try:
        with torch.no_grad():
            x = torch.from_numpy(X).to(torch.float64)
            for m in children:
                x = m.to(torch.float64)(x)
                outs.append(x.numpy())
    finally:
        model.to(torch.float32)
        model.train(was_training)
    ranges = [[float(outs[c].min()), float(outs[c].max())] for c in last_child]
    setattr(model, CALIBRATION_ATTR,
            {"input": [float(X.min()), float(X.max())], "ranges": ranges, "rows": int(X.shape[0]),
             "input_shape": list(shape)})
    setattr(model, INPUT_SHAPE_ATTR, shape)


def convert_sequential(model) -> Stage:
    layers, _ = _layers(model)
    for i, la in enumerate(layers):
        if la.weight is not None:
            check_finite(f"the weights of layer {i} ({la.kind})", la.weight)
            check_finite(f"the bias of layer {i} ({la.kind})", la.bias)
    shape = _input_shape(model, layers)
    _check_shapes(layers, shape)
    head, n_out = _head(model, layers)
    calibration = getattr(model, CALIBRATION_ATTR, None)
    if calibration is not None and len(calibration.get("ranges", ())) != len(layers):
        raise ConversionError("the calibration does not match the network's layers; calibrate again")
    members = network_members(layers, shape, head, calibration)
    n_params = sum(la.weight.size + la.bias.size for la in layers if la.weight is not None)
    classes = None if head == "value" else np.arange(2 if head == "logistic" else n_out)
    n_in = int(math.prod(shape))
    import torch

    extra = {"n_params": n_params, "framework": f"PyTorch {torch.__version__}",
             "kind": "regressor" if head == "value" else "classifier", "calibrated": calibration is not None}
    if head == "value":
        last = [la for la in layers if la.kind == "dense"][-1]
        extra["tolerance"] = regressor_tolerance(last.weight, last.bias)
    return Stage("Sequential", "net", "ctml::nn::network", members, n_in, 1, is_model=True, classes=classes,
                 extra=extra)


def input_shape(model) -> tuple[int, ...]:
    """The input shape of the network (channels first, no batch dimension):
    ``ctml_input_shape``, the calibrated one, or (in_features,) of a first
    Linear layer; a ConversionError saying how to set it otherwise."""
    layers, _ = _layers(model)
    return _input_shape(model, layers)


def head(model) -> str:
    """How the network's output becomes a prediction: "argmax" (two or more
    outputs), "logistic" (one output followed by a Sigmoid) or "value"."""
    layers, _ = _layers(model)
    return _head(model, layers)[0]


def is_network(obj) -> bool:
    """True for a torch.nn.Module (what ``verify`` and ``vectors`` run with
    :func:`predict` instead of scikit-learn's ``predict``)."""
    import sys

    torch = sys.modules.get("torch")  # a torch object means torch is imported
    return torch is not None and isinstance(obj, torch.nn.Module)


def predict(model, X) -> np.ndarray:
    """PyTorch's own prediction for rows of X as the generated header takes
    them (float32, the input tensor flattened row-major): the model runs in
    eval mode under ``torch.no_grad`` on the float32 rows (in the dtype of its
    parameters), and the result is the argmax of its output (the class
    index; classes are 0..n-1), ``output > 0.5`` for one Sigmoid output, or
    the output as float64 for a regressor. The model's train/eval mode is
    restored afterwards."""
    import torch

    layers, _ = _layers(model)
    shape = _input_shape(model, layers)
    head, _ = _head(model, layers)
    X = np.asarray(X, dtype=np.float32)
    n_in = int(math.prod(shape))
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ConversionError(f"the network takes {n_in} inputs per row ({shape}); the data has shape {X.shape}")
    param = next(model.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    x = torch.from_numpy(np.ascontiguousarray(X).reshape((X.shape[0],) + shape)).to(dtype)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(x)
    except Exception as e:  # noqa: BLE001 - report the user's network failing in one line
        raise ConversionError(f"PyTorch forward failed on the data: {' '.join(str(e).split())[:300]}") from None
    finally:
        model.train(was_training)
    out = out.reshape(out.shape[0], -1)
    if head == "argmax":
        return out.argmax(dim=1).numpy().astype(np.int64)
    if head == "logistic":
        return (out[:, 0] > 0.5).numpy().astype(np.int64)
    return out[:, 0].to(torch.float64).numpy()


def _types() -> tuple:
    """torch.nn.Sequential once torch is loaded (a torch object means it is):
    importing torch costs seconds, which scikit-learn conversions should not pay."""
    import sys

    torch = sys.modules.get("torch")
    return (torch.nn.Sequential,) if torch is not None else ()


register(Family(name="torch", estimators=_types, convert=convert_sequential, calibrate=calibrate, foreign=is_network))


def with_state_dict(state, spec: str):
    """The network ``spec`` ('FILE.py:NAME': a torch.nn.Sequential, or a function
    returning one, in FILE.py) with the weights of the state dict ``state``."""
    import importlib.util

    import torch

    path, _, name = spec.rpartition(":")
    if not path or not name.isidentifier():
        raise ConversionError(f"--torch-module must be FILE.py:NAME (got {spec!r})")
    if not os.path.isfile(path):
        raise ConversionError(f"--torch-module file {path} does not exist")
    try:
        loader = importlib.util.spec_from_file_location("ctml_torch_module", path)
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the user's code: report it in one line
        raise ConversionError(f"cannot run {path}: {' '.join(str(e).split()) or type(e).__name__}") from None
    net = getattr(module, name, None)
    if net is None:
        raise ConversionError(f"{path} defines no {name}")
    if callable(net) and not isinstance(net, torch.nn.Module):
        net = net()
    if not isinstance(net, torch.nn.Module):
        raise ConversionError(f"{path}:{name} is not a torch.nn.Module (got {type(net).__name__})")
    try:
        net.load_state_dict(state)
    except Exception as e:  # noqa: BLE001
        raise ConversionError(f"the state dict does not fit {path}:{name}: {' '.join(str(e).split())[:300]}") from None
    return net.eval()


def is_state_dict(obj) -> bool:
    """A mapping of parameter names to tensors, as torch.save(model.state_dict())."""
    import collections.abc

    return isinstance(obj, collections.abc.Mapping) and all(type(v).__name__ == "Tensor" for v in obj.values())


def load_if_torch(path: str):
    """The module in ``path`` if it is a torch.save file, else None."""
    if not os.path.isfile(path) or not is_torch_file(path):
        return None
    if not available():
        raise ConversionError(f"{path} is a PyTorch file, but torch is not importable by this Python")
    return load(path)
