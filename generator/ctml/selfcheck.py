"""``convert --data X.npy [--check-rows N]``: a conversion the compiler proves.

The header gets N rows of X (the rows nearest to a decision boundary first,
then rows spread over the rest) and the original model's predictions for
them, with ``static_assert(ctml::self_check<...>)`` (include/ctml/self_check.hpp):
every compiler and port that includes the header evaluates the model at
compile time and fails to build if it disagrees. A bare forest on integer
data also checks ``model.with(ctml::q<std::int16_t, 0>{})`` on the same rows
(forests of at most INT16_CHECK_MAX_NODES nodes).
Networks compute through run-time kernels (not constant expressions): they
get no checks, and a warning says so. ``CTML_NO_SELF_CHECK`` turns the
checks off.
"""

from __future__ import annotations

import struct

import numpy as np

from .emit import ConversionError, INDENT, float_tokens, rows_block, wrap

DEFAULT_ROWS = 8
NETWORK_NOTE = ("networks predict through run-time kernels, not constant expressions: the header has no "
                "compile-time checks (check them with python3 -m ctml verify / vectors)")
MACRO = "CTML_NO_SELF_CHECK"
_CANDIDATES = 4096  # rows looked at when ranking by distance to a boundary


def _final_and_input(est, X: np.ndarray):
    """The final estimator and the rows as it sees them (after a Pipeline's
    transforms, computed as sklearn does, in float64)."""
    from sklearn.pipeline import Pipeline

    X64 = X.astype(np.float64)
    if isinstance(est, Pipeline):
        steps = [s for _, s in est.steps if s is not None and not (isinstance(s, str) and s == "passthrough")]
        for s in steps[:-1]:
            X64 = s.transform(X64)
        return steps[-1], X64
    return est, X64


def _tree_margin(final, Xt: np.ndarray):
    """Distance of each row to the nearest threshold on its decision paths
    (in float32, as the trees compare), or None if ``final`` is no tree model."""
    trees = [final] if hasattr(final, "tree_") else list(getattr(final, "estimators_", []))
    if not trees or not all(hasattr(t, "tree_") for t in np.ravel(trees)):
        return None
    X32 = Xt.astype(np.float32)
    margin = np.full(X32.shape[0], np.inf)
    for t in np.ravel(trees):
        path = t.decision_path(X32).tocoo()
        feat = t.tree_.feature[path.col]
        inner = feat >= 0
        d = np.abs(X32[path.row[inner], feat[inner]].astype(np.float64) - t.tree_.threshold[path.col[inner]])
        np.minimum.at(margin, path.row[inner], d)
    return margin


def _proba_margin(est, X: np.ndarray):
    """Top-1 minus top-2 probability per row, or None."""
    if not hasattr(est, "predict_proba"):
        return None
    try:
        p = np.asarray(est.predict_proba(X.astype(np.float64)), dtype=np.float64)
    except Exception:  # noqa: BLE001 - no usable probabilities: spread the rows instead
        return None
    if p.ndim != 2 or p.shape[1] < 2:
        return None
    p = np.sort(p, axis=1)
    return p[:, -1] - p[:, -2]


def candidate_order(est, X: np.ndarray) -> np.ndarray:
    """Row indices: nearest to a decision boundary first (half of them), the
    others spread evenly over the data."""
    n = X.shape[0]
    X = X[:_CANDIDATES]
    margin = None
    if not _is_torch(est):
        final, Xt = _final_and_input(est, X)
        margin = _tree_margin(final, Xt)
        if margin is None:
            margin = _proba_margin(est, X)
    if margin is None:
        return np.linspace(0, n - 1, num=min(n, _CANDIDATES)).round().astype(np.int64)
    near = np.argsort(margin, kind="stable")
    return near


def _is_torch(est) -> bool:
    return type(est).__module__.startswith("torch")


def _double_bits(v: float) -> int:
    return struct.unpack("<q", struct.pack("<d", float(v)))[0]


def _ll(v: int) -> str:
    lo = -(2**63)
    return f"({lo + 1}LL - 1)" if v == lo else f"{v}LL"


def select_rows(order: np.ndarray, n_rows: int) -> np.ndarray:
    """The first half of ``order`` (nearest boundaries), then evenly spaced
    picks from the rest, in order of appearance."""
    n_rows = min(n_rows, len(order))
    n_near = (n_rows + 1) // 2
    near = list(order[:n_near])
    rest = order[n_near:]
    if n_rows > n_near and len(rest):
        picks = np.linspace(0, len(rest) - 1, num=n_rows - n_near).round().astype(np.int64)
        near += list(np.sort(rest)[picks])
    return np.asarray(near, dtype=np.int64)


def block(model, est, X32: np.ndarray, n_rows: int, data_label: str, reference, reference_name: str) -> tuple[str, list[str]]:
    """The C++ text of the checks and warnings. ``reference(est, X32)`` gives
    the framework's predictions (labels or values)."""
    if n_rows <= 0:
        raise ConversionError("--check-rows must be at least 1")
    if "ctml::nn::network<" in model.header:
        return "", [NETWORK_NOTE]
    order = candidate_order(est, X32)
    ref = np.asarray(reference(est, X32[order]))
    got = model.predict(X32[order])
    # Trees and scalers reproduce the framework bit for bit: any difference
    # on the host is a bug to report, not a row to leave out.
    agree = ref == got if model.is_classifier else got == ref.astype(np.float64)
    if not agree.all():
        i = int(np.flatnonzero(~agree)[0])
        raise ConversionError(
            f"the converted model predicts {got[i]!r} for row {int(order[i])} of {data_label} where "
            f"{reference_name} predicts {ref[i]!r}; please report this (python3 -m ctml verify shows all rows)"
        )
    keep = select_rows(np.arange(len(order)), n_rows)
    rows, ref = order[keep], ref[keep]
    X = X32[rows]
    n = len(rows)
    if model.is_classifier:
        expected = [_ll(int(v)) for v in np.searchsorted(model.classes_, ref)]
    else:
        expected = [_ll(_double_bits(v)) for v in ref]
    xt = float_tokens(X)
    nf = X.shape[1]
    lines = [
        "",
        f"// The compiler proves that the model predicts what {reference_name} predicted for {n} rows of",
        f"// {data_label} (those nearest to a decision boundary first): see ctml/self_check.hpp.",
        f"// Define {MACRO} to skip.",
        f"#if !defined({MACRO})",
        "struct self_check_rows {",
        f"{INDENT}static constexpr std::size_t n_rows = {n};",
        f"{INDENT}static constexpr float x[{n}][{nf}] = {rows_block([xt[i:i + nf] for i in range(0, len(xt), nf)])};",
        f"{INDENT}// " + ("index into classes_" if model.is_classifier else "bits of the predicted double"),
        f"{INDENT}static constexpr long long expected[{n}] = {{\n{wrap(expected, INDENT * 2)}\n{INDENT}}};",
        f"{INDENT}static constexpr double tolerance = 0.0;  // exact",
        "};",
        "static_assert(ctml::self_check<decltype(model), self_check_rows>);",
    ]
    if _takes_int16(model, est, X):
        # Trees on raw int16 inputs decide exactly as the float model (the
        # integer thresholds are derived at compile time), so the same rows
        # and expectations hold for q<int16_t, 0>.
        lines += [
            "// The same rows as raw int16 inputs: model.with(ctml::q<std::int16_t, 0>{}) decides as the float model.",
            "static_assert(ctml::self_check<decltype(model.with(ctml::q<std::int16_t, 0>{})), self_check_rows>);",
        ]
    lines.append(f"#endif // {MACRO}")
    return "\n".join(lines), []


#: Larger forests check the float policy only: building their int16 tables
#: too would double the compile time (M3, 100 trees: +4.6 s of 3.9 s, g++-12).
INT16_CHECK_MAX_NODES = 4096


def _takes_int16(model, est, X: np.ndarray) -> bool:
    """A bare, small forest (no scaler) and rows that are int16 values."""
    bare = model.header.count("inline constexpr auto model = ctml::pipeline<ctml::forest_") == 1
    if not bare:
        return False
    trees = [est] if hasattr(est, "tree_") else list(getattr(est, "estimators_", []))
    nodes = sum(t.tree_.node_count for t in trees)
    return nodes <= INT16_CHECK_MAX_NODES and bool(np.all(X == np.round(X)) and np.all(np.abs(X) <= 32767))


def embed(header: str, text: str) -> str:
    """Puts the checks at the end of the model's namespace and includes
    ctml/self_check.hpp."""
    head = "#include <ctml/ctml.hpp>\n"
    end = "} // inline namespace model_"
    if not text:
        return header
    if head not in header or end not in header:
        raise ConversionError("internal: unexpected generated header shape")
    header = header.replace(head, head + "#include <ctml/self_check.hpp>\n", 1)
    at = header.rindex(end)
    return header[:at] + text.lstrip("\n") + "\n" + header[at:]
