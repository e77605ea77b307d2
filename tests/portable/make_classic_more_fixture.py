"""Writes classic_more_fixture.hpp: CategoricalNB, NearestCentroid,
RadiusNeighborsClassifier and SVC outputs (decision_function, predict_proba),
converted by ctml, with rows and scikit-learn's answers for them (one more row
set of the svm/knn firmware, test_svm_knn.cpp). Run from the repository root:
    PYTHONPATH=generator /usr/bin/python3 tests/portable/make_classic_more_fixture.py
"""

import os
import sys
import warnings

import numpy as np
from sklearn.datasets import load_iris
from sklearn.naive_bayes import CategoricalNB
from sklearn.neighbors import NearestCentroid, RadiusNeighborsClassifier
from sklearn.svm import SVC

import ctml
from ctml.emit import double_tokens, float_tokens, int_tokens

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "generator"))
from make_svm_knn_fixture import body, rows_block  # noqa: E402
from test_neighbors import _grid_data, _grid_queries  # noqa: E402
from test_svm import _boundary_rows  # noqa: E402


def doubles(name, a):
    a = np.asarray(a, dtype=np.float64)
    return f"CTML_FLASH inline constexpr double {name}[{a.size}] = {{{', '.join(double_tokens(a.ravel()))}}};"


def main():
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(11)
    sub = rng.choice(len(X), 40, replace=False)
    Xs, ys = X[sub], y[sub]
    everywhere, parts = [], []

    # Integer policy (AVR too): NearestCentroid, manhattan, raw integers (iris * 10):
    # the medians lie on the half-integer grid, so the integer distances are exact.
    Xi = np.round(X * 10)
    nc_q = NearestCentroid(metric="manhattan").fit(Xi, y)
    Q = np.vstack([Xi[::10], rng.integers(Xi.min(0), Xi.max(0) + 1, (12, 4))]).astype(np.float32)
    everywhere.append(body(ctml.convert(nc_q, name="fx_centroid_q").header))
    everywhere.append(rows_block("centroid_q", Q, nc_q.predict(Q.astype(np.float64)), "int"))

    # KNeighborsRegressor with q<int16_t, 0> (AVR too): integer grid data, ties;
    # sklearn's values (double; float for AVR, which sums in float).
    from sklearn.neighbors import KNeighborsRegressor

    Xg, yg = _grid_data(4)
    reg = KNeighborsRegressor(4, p=1, leaf_size=5).fit(Xg * 2, yg * 1.37 + 0.25)
    Q = (_grid_queries(Xg)[::23] * 2).astype(np.float32)
    want = reg.predict(Q.astype(np.float64))
    everywhere.append(body(ctml.convert(reg, name="fx_knnreg_q").header))
    everywhere.append(rows_block("knnreg_q", Q, np.zeros(len(Q), int), "int").split("\nCTML_FLASH inline constexpr std::int8_t")[0])
    everywhere.append(f"CTML_FLASH inline constexpr float knnreg_q_yf[{len(Q)}] = {{{', '.join(float_tokens(want))}}};")
    parts.append(doubles("knnreg_q_y", want))

    # CategoricalNB: float rows sklearn truncates; the last rows are ones sklearn
    # rejects (-1 on the device).
    Xc = rng.integers(0, [3, 4, 2], size=(80, 3))
    yc = (Xc[:, 0] + Xc[:, 1] + rng.integers(0, 2, 80)) % 3
    cnb = CategoricalNB(min_categories=[4, 4, 3]).fit(Xc, yc)
    R = rng.uniform(-0.99, cnb.n_categories_ - 1e-3, size=(14, 3)).astype(np.float32)
    want = list(cnb.predict(R.astype(np.float64)))
    bad = np.array([[4.0, 0, 0], [-1.0, 1, 1], [1e30, 0, 0]], dtype=np.float32)
    everywhere.append(body(ctml.convert(cnb, name="fx_cnb").header))  # integer binary64 on AVR
    everywhere.append(rows_block("cnb", np.vstack([R, bad]), want + [-1, -1, -1], "int"))

    # NearestCentroid f32: dataset rows and rows one float32 step either side of a boundary.
    nc = NearestCentroid(shrink_threshold=0.2).fit(Xs, ys)
    R = np.vstack([X[::15], _boundary_rows(nc.predict, Xs, 4, 3)]).astype(np.float32)
    parts.append(body(ctml.convert(nc, name="fx_centroid").header))
    parts.append(rows_block("centroid", R, nc.predict(R.astype(np.float64)), "int"))

    # RadiusNeighborsClassifier on the integer grid: samples exactly on the radius,
    # distance weights, an outlier label that is not a class (index n_classes).
    Xg, yg = _grid_data(1)
    Xg, yg = Xg[::2], yg[::2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rn = RadiusNeighborsClassifier(1.0, weights="distance", outlier_label=9, leaf_size=4).fit(Xg, yg)
        Q = np.vstack([_grid_queries(Xg)[::20], [[9, 9, 9]]]).astype(np.float32)
        m = ctml.convert(rn, name="fx_radius")
        want = np.searchsorted(m.classes_, rn.predict(Q.astype(np.float64)))
    parts.append(body(m.header))
    parts.append(rows_block("radius", Q, want, "int"))

    # SVC with probability=True: decision_function (ovr) and predict_proba.
    svc = SVC(gamma=0.4, probability=True, random_state=0).fit(Xs, ys)
    R = X[::30].astype(np.float32)
    parts.append(body(ctml.convert(svc, name="fx_svc_proba").header))
    parts.append(rows_block("svc_proba", R, svc.predict(R.astype(np.float64)), "int").replace(
        "svc_proba_y", "svc_proba_class"))
    parts.append(doubles("svc_proba_dec", svc.decision_function(R.astype(np.float64))))
    parts.append(doubles("svc_proba_p", svc.predict_proba(R.astype(np.float64))))

    text = ["// GENERATED by tests/portable/make_classic_more_fixture.py - do not edit",
            "// CategoricalNB, NearestCentroid, RadiusNeighborsClassifier and SVC outputs with rows and",
            "// scikit-learn's answers.", "#pragma once", "#include <cstddef>", "#include <cstdint>",
            "#include <ctml/bayes/categorical.hpp>", "#include <ctml/neighbors/centroid.hpp>",
            "#include <ctml/neighbors/radius.hpp>", "#include <ctml/pipeline.hpp>", "#include <ctml/svm/svm.hpp>", ""]
    text.append("namespace classic_more_fixture {\n")
    text.extend(p + "\n" for p in everywhere)
    text.append("// binary64 at run time: not on AVR")
    text.append("#if !defined(__AVR__)")
    text.extend(p + "\n" for p in parts)
    text.append("#endif")
    text.append("}  // namespace classic_more_fixture")
    with open(os.path.join(HERE, "classic_more_fixture.hpp"), "w") as f:
        f.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
