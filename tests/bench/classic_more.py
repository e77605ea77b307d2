"""Model list of the classic additions (bench.py classic_more, issue 12):
CategoricalNB on a 4-feature categorical set, NearestCentroid and
RadiusNeighborsClassifier(0.8, most_frequent) on iris, SVC(probability=True)
on standardised wine (predict only). Rows: the dataset's rows and random rows
over its range.
"""
from __future__ import annotations

import os

import joblib
import numpy as np

import issue_targets
from ctml import measure

PORTS = "host,cortex-m0,cortex-m4f"
BUILD_TYPE = "MinSizeRel"
AUTO = measure.Variant("auto")
LABELS = {"cnb_cat": "CategoricalNB, 4 categorical features (300 rows)",
          "centroid_iris": "NearestCentroid, iris",
          "radius_iris": "RadiusNeighborsClassifier(0.8, most_frequent), iris"}
TARGETS: dict = {}
estimate_checked = False


def prepare(root: str, args) -> dict:
    from bench import Source
    from sklearn.datasets import load_iris
    from sklearn.naive_bayes import CategoricalNB
    from sklearn.neighbors import NearestCentroid, RadiusNeighborsClassifier

    measure.log("[bench] training " + ", ".join(LABELS))
    rng = np.random.default_rng(0)
    Xi, yi = load_iris(return_X_y=True)
    Xc = rng.integers(0, [3, 5, 2, 4], size=(300, 4)).astype(np.float64)
    yc = (Xc[:, 0] + Xc[:, 1] * (Xc[:, 2] + 1) + rng.integers(0, 2, 300)) % 3
    random_rows = lambda X, n: np.vstack([X, rng.uniform(X.min(0), X.max(0), (n, X.shape[1]))])  # noqa: E731
    models = {"cnb_cat": (CategoricalNB().fit(Xc, yc), random_rows(Xc, 45)),
              "centroid_iris": (NearestCentroid().fit(Xi, yi), random_rows(Xi, 45)),
              "radius_iris": (RadiusNeighborsClassifier(0.8, outlier_label="most_frequent").fit(Xi, yi),
                              random_rows(Xi, 45))}
    out = {}
    for name, (est, X) in models.items():
        d = os.path.join(root, "src", name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), X.astype(np.float32))
        out[name] = Source(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"))
    return out


def variants(name: str, port: str) -> list:
    return [AUTO]


def rows(name: str, port: str) -> int | None:
    return None


def skip(port: str) -> list[str]:
    return []


def table(results: list[dict], ports: list[str], args) -> list[str]:
    return issue_targets.table(results, ports, LABELS, TARGETS, {})  # no peer converts these


def checks(results: list[dict]) -> list[str]:
    return issue_targets.checks(results)
