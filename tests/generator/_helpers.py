"""Shared helpers for the generator tests (not a test module)."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import subprocess
import sys

import numpy as np

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GENERATOR = os.path.join(REPO, "generator")
if GENERATOR not in sys.path:
    sys.path.insert(0, GENERATOR)

import ctml  # noqa: E402,F401  (re-exported for the tests)
from ctml import cli  # noqa: E402

FOREST_HPP = os.path.join(REPO, "include", "ctml", "trees", "forest.hpp")
LIBRARY_READY = os.path.exists(FOREST_HPP)
SKIP_REASON = f"the ctml C++ tree library is not there yet ({os.path.relpath(FOREST_HPP, REPO)} missing)"


# ----------------------------------------------------------------------------
# Datasets and small fitted models (cached: fit once per process)


@functools.lru_cache(maxsize=None)
def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=42)


@functools.lru_cache(maxsize=None)
def iris_str():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X, np.array(["setosa", "versicolor", "virginica"])[y]


@functools.lru_cache(maxsize=None)
def diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


@functools.lru_cache(maxsize=None)
def binary():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


@functools.lru_cache(maxsize=None)
def digits_forest():
    from sklearn.ensemble import RandomForestClassifier

    Xtr, Xte, ytr, yte = digits()
    return RandomForestClassifier(n_estimators=8, max_depth=8, random_state=0).fit(Xtr, ytr)


@functools.lru_cache(maxsize=None)
def diabetes_forest():
    from sklearn.ensemble import RandomForestRegressor

    X, y = diabetes()
    return RandomForestRegressor(n_estimators=5, max_depth=6, random_state=0).fit(X, y)


# ----------------------------------------------------------------------------
# Reading generated headers back


def array_text(header: str, name: str) -> str:
    m = re.search(r"\b" + re.escape(name) + r"((?:\[[^\]]*\])+) = (\{.*?\});", header, re.S)
    if not m:
        raise AssertionError(f"array {name} not found in header")
    return m.group(2)


def array_tokens(header: str, name: str) -> list[str]:
    body = array_text(header, name).replace("{", " ").replace("}", " ")
    return [t.strip() for t in body.split(",") if t.strip()]


def ints(header: str, name: str) -> np.ndarray:
    return np.array([int(t) for t in array_tokens(header, name)], dtype=np.int64)


def doubles(header: str, name: str) -> np.ndarray:
    return np.array([float(t) for t in array_tokens(header, name)], dtype=np.float64)


def scalar(header: str, name: str) -> str:
    m = re.search(r"\b" + re.escape(name) + r" = ([^;{]+);", header)
    if not m:
        raise AssertionError(f"scalar {name} not found in header")
    return m.group(1).strip()


def struct_text(header: str, struct: str) -> str:
    m = re.search(r"struct " + re.escape(struct) + r" \{\n(.*?)\n\};", header, re.S)
    if not m:
        raise AssertionError(f"struct {struct} not found")
    return m.group(1)


def forest_tables(header: str, struct: str = "forest0_params") -> dict:
    s = struct_text(header, struct)
    n_classes = int(scalar(s, "n_classes"))
    return {
        "n_features": int(scalar(s, "n_features")),
        "n_classes": n_classes,
        "n_trees": int(scalar(s, "n_trees")),
        "n_nodes": int(scalar(s, "n_nodes")),
        "n_values": int(scalar(s, "n_values")),
        "root": ints(s, "root"),
        "left": ints(s, "left"),
        "right": ints(s, "right"),
        "feature": ints(s, "feature"),
        "threshold": doubles(s, "threshold"),
        "leaf": ints(s, "leaf"),
        "values": doubles(s, "values").reshape(-1, n_classes),
    }


def forest_leaves(t: dict, X: np.ndarray) -> np.ndarray:
    """Global leaf node per (row, tree), walking the tables as the C++ library
    does: x cast to float32, ``x <= threshold`` goes left."""
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    out = np.empty((X.shape[0], t["n_trees"]), dtype=np.int64)
    for j, r in enumerate(t["root"]):
        node = np.full(X.shape[0], r)
        while True:
            inner = t["left"][node] != -1
            if not inner.any():
                break
            f = np.where(inner, t["feature"][node], 0)
            go_left = X[np.arange(X.shape[0]), f] <= t["threshold"][node]
            node = np.where(inner, np.where(go_left, t["left"][node], t["right"][node]), node)
        out[:, j] = node
    return out


def forest_eval(t: dict, X: np.ndarray, classifier: bool) -> np.ndarray:
    """Reference evaluation of the tables (normalise classifier rows, sum in
    tree order, divide, argmax)."""
    leaves = forest_leaves(t, X)
    acc = np.zeros((X.shape[0], t["n_classes"]))
    for j in range(t["n_trees"]):
        rows = t["values"][t["leaf"][leaves[:, j]]]
        if classifier:
            total = rows.sum(axis=1, keepdims=True)
            rows = rows / np.where(total == 0.0, 1.0, total)
        acc += rows
    acc /= t["n_trees"]
    return acc.argmax(axis=1) if classifier else acc[:, 0]


# ----------------------------------------------------------------------------
# Running the command line


def run_cli(*argv) -> tuple[int, str, str]:
    """Runs ``python3 -m ctml`` in this process; returns (rc, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def run_cli_process(*argv, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = GENERATOR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run(
        [sys.executable, "-m", "ctml", *map(str, argv)], capture_output=True, text=True, env=env, timeout=timeout
    )


def dump(obj, path) -> str:
    import joblib

    joblib.dump(obj, path)
    return str(path)


_TOGETHER_DRIVER = """\
#include "model.hpp"
#include <array>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
template <std::size_t N, class Model>
void run(const Model& model) {{
  std::array<float, N> x{{}};
  while (std::fread(x.data(), sizeof(float), N, stdin) == N) {{
    const auto y = model.predict(x);
    if constexpr (std::is_integral_v<decltype(y)>) std::printf("%d\\n", static_cast<int>(y));
    else std::printf("%a\\n", static_cast<double>(y));
  }}
}}
int main(int argc, char** argv) {{
  const int which = argc > 1 ? std::atoi(argv[1]) : -1;
{cases}
}}
"""


def predict_together(models, row_sets):
    """predict for each model's rows (classifiers' labels, regressors' values
    bit for bit), from one compiled program (one compile instead of one per
    model: the ctml headers are parsed once)."""
    from ctml import host

    header = "\n".join(m.header for m in models)
    cases = "\n".join(f"  if (which == {i}) run<{m.name}::n_features>({m.name}::model);" for i, m in enumerate(models))
    exe = host._build_driver(header, "together", _TOGETHER_DRIVER.format(cases=cases))
    out = []
    for i, (m, rows) in enumerate(zip(models, row_sets)):
        r = subprocess.run([exe, str(i)], input=np.ascontiguousarray(rows, dtype=np.float32).tobytes(),
                           capture_output=True, check=True)
        if m.is_classifier:
            out.append(m.classes_[np.array(r.stdout.split(), dtype=np.int64)])
        else:
            out.append(np.array([float.fromhex(v.decode()) for v in r.stdout.split()]))
    return out
