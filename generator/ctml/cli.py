"""Command line: ``python3 -m ctml {convert,verify,vectors} ...``.

Every failure prints exactly one line ``ctml: error: <reason>`` on stderr and
exits with status 2, leaving no output file behind (outputs are written to a
temp file in the target directory and renamed at the end).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import warnings

import numpy as np

from . import ConversionError, HostError, __version__, convert, files
from .emit import BANNER, INDENT, double_tokens, float_tokens, identifier_problem, rows_block, wrap


class UsageError(Exception):
    """Bad command line, data file or output path."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise UsageError(f"{message} (see 'python3 -m ctml --help')")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# ----------------------------------------------------------------------------
# Inputs


def load_model(path: str):
    """Loads a joblib or pickle file; returns (estimator, warnings)."""
    if not os.path.exists(path):
        raise UsageError(f"cannot read model file {path}: no such file")
    if not os.path.isfile(path):
        raise UsageError(f"cannot read model file {path}: not a regular file")
    if path.lower().endswith((".json", ".ubj")):  # a saved XGBoost Booster
        from . import xgboost_model

        try:
            return xgboost_model.load(path), []
        except ConversionError as e:
            raise UsageError(str(e)) from None
    from . import torch_nn

    try:
        module = torch_nn.load_if_torch(path)  # a torch.save file: a PyTorch network
    except ConversionError as e:
        raise UsageError(str(e)) from None
    if module is not None:
        return module, []
    import joblib

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            obj = joblib.load(path)
        except Exception as e1:  # noqa: BLE001 - any failure means "not a model file"
            try:
                with open(path, "rb") as f:
                    obj = pickle.load(f)
            except Exception:  # noqa: BLE001
                raise UsageError(
                    f"cannot load {path}: not a readable joblib/pickle file ({type(e1).__name__}: {_one_line(e1)})"
                ) from None
    from sklearn.base import BaseEstimator

    if not isinstance(obj, BaseEstimator):
        raise UsageError(f"{path} does not hold a scikit-learn estimator (it holds a {type(obj).__name__})")
    return obj, [_one_line(w.message) for w in caught]


def load_data(path: str, n_features: int) -> np.ndarray:
    """Rows of X (.npy or .csv) as float32; see files.load_data."""
    return files.load_data(path, n_features)


def _check_output(path: str, *inputs) -> None:
    files.check_output(path, inputs)


def _sklearn_predict(est, X32: np.ndarray) -> np.ndarray:
    """sklearn's prediction for the float32 rows the C++ sees, given to sklearn
    as float64 (its usual input: scalers then compute in double, as ctml's f32
    scalers do, and trees cast to float32 themselves)."""
    try:
        return np.asarray(est.predict(X32.astype(np.float64)))
    except Exception as e:  # noqa: BLE001
        raise UsageError(f"scikit-learn predict failed on the data: {_one_line(e)}") from None


def _is_torch(est) -> bool:
    from . import torch_nn

    return torch_nn.is_network(est)


def reference_predict(est, X32: np.ndarray) -> np.ndarray:
    """The framework's own prediction for the float32 rows the C++ sees:
    sklearn's ``predict`` (labels), or for a PyTorch network the argmax of
    its output on those rows (eval mode, no_grad; class indices, which are
    its labels), see ``torch_nn.predict``."""
    if _is_torch(est):
        from . import torch_nn

        return torch_nn.predict(est, X32)
    return _sklearn_predict(est, X32)


def _n_features_in(est) -> int:
    """Columns of the model's input (a PyTorch network: its flattened input shape)."""
    if _is_torch(est):
        from . import torch_nn

        return int(np.prod(torch_nn.input_shape(est)))
    return int(getattr(est, "n_features_in_", 0))


def _reference_name(est) -> str:
    return "torch" if _is_torch(est) else "sklearn"


# ----------------------------------------------------------------------------
# Subcommands


def _network_from_state_dict(obj, args):
    """A PyTorch state dict (torch.save(model.state_dict())) becomes a network
    with --torch-module; anything else passes through."""
    from . import torch_nn

    state = type(obj).__module__ == "collections" and torch_nn.available() and torch_nn.is_state_dict(obj)
    if args.torch_module is None:
        if state:
            raise UsageError(f"{args.model} holds a state dict: name the network with --torch-module FILE.py:NAME")
        return obj
    if not state:
        raise UsageError(f"--torch-module needs a PyTorch state dict, and {args.model} is not one")
    return torch_nn.with_state_dict(obj, args.torch_module)


def _calibrate(est, args) -> None:
    """--calibrate X: activation ranges for int8 networks, from the float32
    rows the C++ sees (the one calibration path of convert, verify, vectors)."""
    if getattr(args, "calibrate", None) is not None:
        from . import calibrate

        calibrate(est, load_data(args.calibrate, _n_features_in(est)))


def _check_policy(model, policy, command: str) -> None:
    """--policy int8|int8_fast needs a calibrated network."""
    if policy is None:
        return
    if not model.is_network:
        raise UsageError(f"--policy {policy} is for networks (MLPs, PyTorch Sequentials)")
    if not model.calibrated:
        raise UsageError(f"--policy {policy} needs a calibrated network: add --calibrate X.npy to {command} "
                         "(or calibrate with ctml.calibrate before saving the model)")


def _self_checked_header(est, model, args, warn) -> str:
    """convert --data: the header with compile-time checks (selfcheck.py)."""
    if args.data is None:
        if args.check_rows is not None:
            raise UsageError("--check-rows needs --data")
        return model.header
    from . import selfcheck

    X = load_data(args.data, model.n_features)
    rows = selfcheck.DEFAULT_ROWS if args.check_rows is None else args.check_rows
    text, ws = selfcheck.block(model, est, X, rows, os.path.basename(args.data), reference_predict,
                               _reference_name(est))
    warn.extend(ws)
    return selfcheck.embed(model.header, text)


def cmd_convert(args, warn) -> int:
    inputs = (args.model, args.calibrate, args.data)
    _check_output(args.output, *inputs)
    est, ws = load_model(args.model)
    warn.extend(ws)
    est = _network_from_state_dict(est, args)
    _calibrate(est, args)
    model = convert(est, name=args.name)
    files.write_atomic(args.output, _self_checked_header(est, model, args, warn), inputs)
    return 0


def cmd_verify(args, warn) -> int:
    est, ws = load_model(args.model)
    warn.extend(ws)
    est = _network_from_state_dict(est, args)
    _calibrate(est, args)
    model = convert(est, name=args.name)
    _check_policy(model, args.policy, "verify")
    X = load_data(args.data, model.n_features)
    ref = reference_predict(est, X)
    got = model.predict(X, args.policy)
    if model.is_classifier:
        ok = ref == got
    else:
        tol = model.tolerance if args.tolerance is None else {"abs": args.tolerance, "rel": 0.0}
        ok = np.abs(ref.astype(np.float64) - got) <= tol["abs"] + tol["rel"] * np.abs(ref.astype(np.float64))
    n_ok = int(ok.sum())
    n = len(ok)
    out = sys.stdout
    print(f"ctml verify: {args.model} ({' >> '.join(model.sources)}) on {args.data}: {n} rows, "
          f"{model.n_features} features", file=out)
    print(f"agree: {n_ok}/{n} ({100.0 * n_ok / n:.2f}%)", file=out)
    if not model.is_classifier and (tol["abs"] or tol["rel"]):
        print(f"tolerance: |ctml - {_reference_name(est)}| <= {tol['abs']:.3g} + {tol['rel']:.3g} * |{_reference_name(est)}|",
              file=out)
    bad = np.flatnonzero(~ok)
    ref_name = _reference_name(est)
    np.set_printoptions(threshold=1_000_000, linewidth=1_000_000)
    for i in bad[: args.show]:
        print(f"mismatch row {i}: {ref_name}={ref[i]!r} ctml={got[i]!r} x={X[i].tolist()}", file=out)
    if len(bad) > args.show:
        print(f"... and {len(bad) - args.show} more mismatches", file=out)
    return 0 if len(bad) == 0 else 1


def _expected_text(model) -> str:
    """What the expected values of a parity file are, in words."""
    kind = model.describes
    if kind.startswith("outlier"):
        return "+1 inlier, -1 outlier"
    if kind.startswith("clusterer"):
        return kind.split("(predict: ")[1].rstrip(")") + " index"
    return "index into classes_" if model.is_classifier else "predicted value"


def vectors_header(est, model, X32: np.ndarray, name: str, data_label: str, y=None, policy=None) -> str:
    if policy is not None:  # the host's integer results, which every target must reproduce
        from . import host

        who = f"ctml {policy}"
        reference = f"ctml's {policy} build on the host ({host.compiler()})"
    elif _is_torch(est):
        import torch

        from . import torch_nn

        who = "PyTorch"
        how = {"argmax": "argmax", "logistic": "output > 0.5", "value": "output"}[torch_nn.head(est)]
        reference = f"PyTorch {torch.__version__} {how}"
    else:
        import sklearn

        who = "sklearn"
        reference = f"scikit-learn {sklearn.__version__} predict"
    pred = reference_predict(est, X32) if policy is None else model.predict(X32, policy)
    if model.is_classifier:
        classes = model.classes_
        idx = np.searchsorted(classes, pred)
        if np.any(idx >= len(classes)) or np.any(classes[np.minimum(idx, len(classes) - 1)] != pred):
            raise UsageError(f"{who} predicted a label that is not in classes_")
        exp_type, exp_tokens = "int", list(map(str, idx.tolist()))
    else:
        pred = pred.astype(np.float64)
        if not np.all(np.isfinite(pred)):
            raise UsageError(f"{who} predicted a non-finite value")
        exp_type, exp_tokens = "double", double_tokens(pred)
    if not np.all(np.isfinite(X32)):
        raise UsageError("the data holds NaN or inf (after the cast to float32); parity vectors need finite inputs")
    ns = f"{name}_vectors"
    n_rows, n_features = X32.shape
    xt = float_tokens(X32)
    rows = [xt[i : i + n_features] for i in range(0, len(xt), n_features)]
    lines = [
        BANNER,
        f"// parity vectors: {n_rows} rows of {data_label}; expected = {reference} of {' >> '.join(model.sources)}",
        "// (" + _expected_text(model) + "; inputs are float32)",
        "#pragma once",
        "#include <cstddef>",
        "#include <ctml/detail/flash.hpp>",
        "",
        f"namespace {ns} {{",
        f"inline constexpr std::size_t n_rows = {n_rows};",
        f"inline constexpr std::size_t n_features = {n_features};",
        f"CTML_FLASH inline constexpr float x[n_rows][n_features] = {rows_block(rows, '')};",
        f"CTML_FLASH inline constexpr {exp_type} expected[n_rows] = {{\n{wrap(exp_tokens, INDENT)}\n}};",
    ]
    if y is not None:  # the true labels, as class indices, for accuracy figures
        idx = np.searchsorted(model.classes_, y)
        if np.any(idx >= len(model.classes_)) or np.any(model.classes_[np.minimum(idx, len(model.classes_) - 1)] != y):
            raise UsageError("--labels holds a label that is not in the model's classes_")
        lines.append(f"CTML_FLASH inline constexpr int truth[n_rows] = {{\n{wrap(list(map(str, idx.tolist())), INDENT)}\n}};")
    lines.append(f"}} // namespace {ns}")
    return "\n".join(lines) + "\n"


def cmd_vectors(args, warn) -> int:
    inputs = (args.model, args.data, args.labels, args.calibrate)
    _check_output(args.output, *inputs)
    problem = identifier_problem(args.name)
    if problem:
        raise ConversionError(problem)
    est, ws = load_model(args.model)
    warn.extend(ws)
    est = _network_from_state_dict(est, args)
    _calibrate(est, args)
    model = convert(est, name=args.name)
    X = load_data(args.data, model.n_features)
    if args.rows is not None:
        if args.rows <= 0:
            raise UsageError("--rows must be positive")
        X = X[: args.rows]
    y = None
    if args.labels is not None:
        if not model.is_classifier:
            raise UsageError("--labels is for classifiers")
        try:
            y = np.load(args.labels, allow_pickle=False).ravel()
        except Exception as e:  # noqa: BLE001
            raise UsageError(f"cannot load labels file {args.labels}: {_one_line(e)}") from None
        y = y[: X.shape[0]]
        if y.shape[0] != X.shape[0]:
            raise UsageError(f"labels file {args.labels} has fewer rows than the data")
    _check_policy(model, args.policy, "vectors")
    text = vectors_header(est, model, X, args.name, os.path.basename(args.data), y, args.policy)
    files.write_atomic(args.output, text, inputs)
    return 0


def _count(text: str) -> int:
    """A whole number >= 0 (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return n


def _positive(text: str) -> int:
    n = _count(text)
    if n == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _tolerance(text: str) -> float:
    """A finite number >= 0 (argparse type)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(x) or x < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return x


PICKLE_WARNING = ("Loading a pickle or joblib file runs code stored in it: convert only model files you trust "
                  "(as scikit-learn and joblib warn).")


def _calibrate_option(p) -> None:
    p.add_argument("--calibrate", metavar="X.npy", default=None,
                   help="inputs (.npy/.csv) whose activation ranges set the int8 scales of a network "
                   "(the same as ctml.nn.calibrate on those rows as float32)")


def _torch_module_option(p) -> None:
    p.add_argument("--torch-module", metavar="FILE.py:NAME", default=None,
                   help="for a PyTorch state dict: the torch.nn.Sequential (or a function returning it) to load it into")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m ctml",
                description="Convert fitted scikit-learn models and PyTorch networks to ctml C++ headers. "
                + PICKLE_WARNING)
    p.add_argument("--version", action="version", version=f"ctml {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("convert", help="write the generated header for a model", description=PICKLE_WARNING)
    c.add_argument("model", help="joblib/pickle file of a fitted estimator or Pipeline")
    c.add_argument("--name", required=True, help="C++ namespace of the generated symbols")
    c.add_argument("-o", "--output", required=True, help="header to write")
    _torch_module_option(c)
    _calibrate_option(c)
    c.add_argument("--data", metavar="X.npy", default=None,
                   help="rows (.npy/.csv) to embed with the framework's predictions: the header static_asserts "
                   "that the model predicts them (define CTML_NO_SELF_CHECK to skip)")
    c.add_argument("--check-rows", metavar="N", type=_positive, default=None,
                   help="how many rows of --data to embed (default 8; those nearest to decision boundaries first)")
    c.set_defaults(func=cmd_convert)

    v = sub.add_parser(
        "verify",
        help="compile the header on the host and compare with sklearn's (or PyTorch's) predictions",
        description="Compiles the generated header with the host compiler, runs it on the rows of the data "
        "file (cast to float32, the C++ input type) and compares with sklearn's predict on the same "
        "rows (as float64), or for a PyTorch network with the argmax of its output on the float32 rows "
        "(eval mode; a regressor's output value). Exit 0 if all agree, 1 if some differ, 2 on error.",
    )
    v.add_argument("model")
    _torch_module_option(v)
    v.add_argument("--data", required=True, help="X as .npy or .csv")
    v.add_argument("--name", default="model", help="namespace used for the compiled header (default: model)")
    v.add_argument("--show", type=_count, default=10, help="how many mismatches to print (default 10)")
    v.add_argument("--tolerance", type=_tolerance, default=None,
                   help="regressors: allowed absolute difference (default: the model's stated float32 tolerance, "
                        "0 where ctml is exact)")
    _calibrate_option(v)
    v.add_argument("--policy", choices=("int8", "int8_fast"), default=None,
                   help="networks: compare the header built with model.with(ctml::POLICY{}) (needs a calibrated "
                   "network, or --calibrate)")
    v.set_defaults(func=cmd_verify)

    t = sub.add_parser("vectors",
                       help="write parity vectors (inputs and sklearn's or PyTorch's predictions) as a header")
    t.add_argument("model")
    _torch_module_option(t)
    t.add_argument("--data", required=True, help="X as .npy or .csv")
    t.add_argument("--name", required=True, help="vectors go in namespace NAME_vectors")
    t.add_argument("--rows", type=_positive, default=None, help="use only the first N rows")
    t.add_argument("--policy", choices=("int8", "int8_fast"), default=None,
                   help="networks: expected = the header built with model.with(ctml::POLICY{}) on the host, "
                   "for checking that a target computes the same integers (default: the framework's predictions)")
    _calibrate_option(t)
    t.add_argument("--labels", default=None, help="true labels (.npy) to emit as truth[] (classifiers)")
    t.add_argument("-o", "--output", required=True)
    t.set_defaults(func=cmd_vectors)

    from . import report  # python3 -m ctml report: generator/ctml/report.py

    report.add_parser(sub, _torch_module_option)
    return p


def _run(args, warn) -> int:
    """Runs a subcommand; numpy and library warnings become one-line
    ``ctml: warning:`` lines (printed after success, dropped on error)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rc = args.func(args, warn)
    for w in caught:
        text = _one_line(w.message)
        if text not in warn:
            warn.append(text)
    return rc


def main(argv=None) -> int:
    warn: list[str] = []
    try:
        args = build_parser().parse_args(argv)
        rc = _run(args, warn)
    except (UsageError, ConversionError, HostError, files.FileError) as e:
        print(f"ctml: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except OSError as e:
        where = f" {e.filename}" if e.filename else ""
        print(f"ctml: error: cannot access{where}: {e.strerror or _one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ctml: error: interrupted", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a bug, but keep the one-line contract
        if os.environ.get("CTML_DEBUG"):
            raise
        print(f"ctml: error: internal error: {type(e).__name__}: {_one_line(e)} (set CTML_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return 2
    for w in warn:
        print(f"ctml: warning: {w}", file=sys.stderr)
    return rc
