"""Writes svm_knn_fixture.hpp: small SVM and KNN models converted by ctml, with
rows and scikit-learn's predictions for them (dataset rows, rows one float32
step either side of the decision boundary, integer-grid rows full of exact
distance ties). Run from the repository root:
    PYTHONPATH=generator /usr/bin/python3 tests/portable/make_svm_knn_fixture.py
"""

import os
import sys

import numpy as np
from sklearn.datasets import load_iris
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, LocalOutlierFactor
from sklearn.svm import SVC, SVR, OneClassSVM

import ctml
from ctml.emit import float_tokens, int_tokens, double_tokens

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "generator"))
from test_svm import _boundary_rows  # noqa: E402
from test_neighbors import _grid_data, _grid_queries  # noqa: E402


def body(header: str) -> str:
    """The namespace part of a generated header (no banner, no includes)."""
    lines = header.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("namespace "))
    return "\n".join(lines[start:])


def rows_block(name, X, y, kind):
    X = np.asarray(X, dtype=np.float32)
    out = [f"inline constexpr std::size_t {name}_rows = {len(X)};",
           f"CTML_FLASH inline constexpr float {name}_x[{len(X)}][{X.shape[1]}] = {{"]
    for r in X:
        out.append("    {" + ", ".join(float_tokens(r)) + "},")
    out.append("};")
    if kind == "int":
        out.append(f"CTML_FLASH inline constexpr std::int8_t {name}_y[{len(X)}] = {{{', '.join(int_tokens(y))}}};")
    else:
        out.append(f"CTML_FLASH inline constexpr double {name}_y[{len(X)}] = {{{', '.join(double_tokens(y))}}};")
    return "\n".join(out)


def main():
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    sub = rng.choice(len(X), 30, replace=False)
    Xs, ys = X[sub], y[sub]
    parts = []

    svc = SVC(gamma=0.5).fit(Xs, ys)
    R = np.vstack([X[::20], _boundary_rows(svc.predict, Xs, 4, 1)]).astype(np.float32)
    parts.append(body(ctml.convert(svc, name="fx_svc").header))
    parts.append(rows_block("svc", R, np.searchsorted(svc.classes_, svc.predict(R.astype(np.float64))), "int"))

    lin = SVC(kernel="linear", C=0.5).fit(Xs, ys)
    R = np.vstack([X[::25], _boundary_rows(lin.predict, Xs, 3, 2)]).astype(np.float32)
    parts.append(body(ctml.convert(lin, name="fx_linear").header))
    parts.append(rows_block("linear", R, np.searchsorted(lin.classes_, lin.predict(R.astype(np.float64))), "int"))

    oc = OneClassSVM(nu=0.2, gamma=0.3).fit(Xs)
    R = np.vstack([X[::25], _boundary_rows(oc.predict, Xs, 3, 3)]).astype(np.float32)
    parts.append(body(ctml.convert(oc, name="fx_ocsvm").header))
    parts.append(rows_block("ocsvm", R, oc.predict(R.astype(np.float64)), "int"))

    parts.append(f"CTML_FLASH inline constexpr double ocsvm_score[{len(R)}] = "
                 f"{{{', '.join(double_tokens(oc.score_samples(R.astype(np.float64))))}}};")

    lof = LocalOutlierFactor(n_neighbors=6, novelty=True).fit(Xs)
    R = np.vstack([X[::25], rng.uniform(X.min(0) - 1, X.max(0) + 1, (6, 4))]).astype(np.float32)
    parts.append(body(ctml.convert(lof, name="fx_lof").header))
    parts.append(rows_block("lof", R, lof.predict(R.astype(np.float64)), "int"))
    parts.append(f"CTML_FLASH inline constexpr double lof_score[{len(R)}] = "
                 f"{{{', '.join(double_tokens(lof.score_samples(R.astype(np.float64))))}}};")

    svr = SVR(C=5.0, gamma=0.3).fit(Xs[:, :3], Xs[:, 3])
    R = X[::20, :3].astype(np.float32)
    parts.append(body(ctml.convert(svr, name="fx_svr").header))
    parts.append(rows_block("svr", R, svr.predict(R.astype(np.float64)), "double"))

    knn = KNeighborsClassifier(5).fit(Xs, ys)
    R = np.vstack([X[::15], rng.uniform(X.min(0), X.max(0), (10, 4))]).astype(np.float32)
    parts.append(body(ctml.convert(knn, name="fx_knn").header))
    parts.append(rows_block("knn", R, knn.predict(R.astype(np.float64)), "int"))

    everywhere = []  # integer-policy models: AVR too
    Xg, yg = _grid_data(0)
    Xg, yg = Xg[::2], yg[::2]  # 35 samples, duplicates included
    Q = _grid_queries(Xg)[::25]
    for name, est in (("grid_l1", KNeighborsClassifier(4, p=1, leaf_size=5).fit(Xg, yg)),
                      ("grid_l2", KNeighborsClassifier(5, leaf_size=4).fit(Xg, yg))):
        everywhere.append(body(ctml.convert(est, name=f"fx_{name}").header))
        everywhere.append(rows_block(name, Q, est.predict(Q.astype(np.float64)), "int"))
    reg = KNeighborsRegressor(4, weights="distance", leaf_size=5).fit(Xg, yg * 1.5)
    parts.append(body(ctml.convert(reg, name="fx_grid_reg").header))
    parts.append(rows_block("grid_reg", Q, reg.predict(Q.astype(np.float64)), "double"))

    # On-device learning (ctml::knn_learner): 3 features, 3 classes, capacity
    # 12, k = 3. The store's replacement rule, simulated here independently;
    # the expected classes are sklearn's brute-force KNN on the stored samples
    # in slot order, after 6 adds and after all 24 (class 2 arrives late).
    rng = np.random.default_rng(7)
    adds_x = rng.integers(-3, 4, size=(24, 3))
    adds_x[10] = adds_x[3]  # duplicates: ties
    adds_y = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 0, 2, 1, 2, 2, 0, 2, 1, 2])
    queries = rng.integers(-4, 5, size=(30, 3))

    def simulate(n_adds, capacity=12, n_classes=3):
        xs, ys, age = [], [], []
        for t in range(n_adds):
            if len(xs) < capacity:
                xs.append(adds_x[t]); ys.append(adds_y[t]); age.append(t)
                continue
            counts = np.bincount(ys, minlength=n_classes)
            most = int(np.argmax(counts))  # first maximum: smallest class
            slot = min((a, i) for i, (a, c) in enumerate(zip(age, ys)) if c == most)[1]
            xs[slot], ys[slot], age[slot] = adds_x[t], adds_y[t], t
        return np.array(xs), np.array(ys)

    learn = []
    for n_adds in (6, 24):
        Xs_, ys_ = simulate(n_adds)
        est = KNeighborsClassifier(3, algorithm="brute").fit(Xs_.astype(np.float64), ys_)
        learn.append(f"CTML_FLASH inline constexpr std::int8_t learn_y{n_adds}[{len(queries)}] = "
                     f"{{{', '.join(int_tokens(est.predict(queries.astype(np.float64))))}}};")
    learn.insert(0, f"CTML_FLASH inline constexpr std::int16_t learn_adds_x[24][3] = {{"
                 + ", ".join("{" + ", ".join(int_tokens(r)) + "}" for r in adds_x) + "};")
    learn.insert(1, f"CTML_FLASH inline constexpr std::int8_t learn_adds_y[24] = {{{', '.join(int_tokens(adds_y))}}};")
    learn.insert(2, f"CTML_FLASH inline constexpr std::int16_t learn_queries[{len(queries)}][3] = {{"
                 + ", ".join("{" + ", ".join(int_tokens(r)) + "}" for r in queries) + "};")
    everywhere.append("\n".join(learn))

    text = ["// GENERATED by tests/portable/make_svm_knn_fixture.py - do not edit",
            "// Small SVM and KNN models with rows and scikit-learn's predictions.",
            "#pragma once", "#include <cstddef>", "#include <cstdint>", "#include <ctml/neighbors/learner.hpp>",
            "#include <ctml/neighbors/neighbors.hpp>", "#include <ctml/pipeline.hpp>", "#include <ctml/svm/svm.hpp>", ""]
    text.append("namespace svm_knn_fixture {\n")
    text.extend(p + "\n" for p in everywhere)
    text.append("// binary64 at run time: not on AVR")
    text.append("#if !defined(__AVR__)")
    text.extend(p + "\n" for p in parts)
    text.append("#endif")
    text.append("}  // namespace svm_knn_fixture")
    with open(os.path.join(HERE, "svm_knn_fixture.hpp"), "w") as f:
        f.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
