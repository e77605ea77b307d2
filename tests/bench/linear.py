"""Model list of the linear-family benchmark (bench.py linear, issue 12):
LogisticRegression (multinomial) on standardised wine, GaussianNB on iris,
LDA on breast cancer. Rows: the whole dataset plus random rows over its range
(wine 178 + 26 = 204, iris 150 + 45 = 195, cancer 569).
"""
from __future__ import annotations

import os

import joblib
import numpy as np

import issue_targets
from ctml import measure

PORTS = "host,cortex-m0,cortex-m4f"
# At -Os, as issue 12 states its targets.
BUILD_TYPE = "MinSizeRel"
AUTO = measure.Variant("auto")
LABELS = {"lr_wine": "Pipeline(StandardScaler, LogisticRegression multinomial), wine",
          "gnb_iris": "GaussianNB, iris",
          "lda_cancer": "LinearDiscriminantAnalysis, breast cancer"}
# Issue 12's targets.
TARGETS = {("lr_wine", "cortex-m0"): {"cost": 5000, "flash": 2 * 1024}, ("lr_wine", "cortex-m4f"): {"cost": 250},
           ("gnb_iris", "cortex-m0"): {"cost": 4000, "flash": 1536}, ("gnb_iris", "cortex-m4f"): {"cost": 600},
           ("lda_cancer", "cortex-m0"): {"cost": 1500, "flash": 1024}}
# flash_bytes() of these stages: tables plus detail::linear_target_code, the
# code measured here (within 10% of the linker, checked by bench.py).
estimate_checked = True
# The issue's measurements of the best peers on the same models.
ANCHORS = {("lr_wine", "cortex-m0"): "micromlgen 10,176 instr / 3,860 B; m2cgen (double) 17,701 / 7,476 B",
           ("lr_wine", "cortex-m4f"): "micromlgen 1,075 instr; m2cgen 5,249",
           ("gnb_iris", "cortex-m0"): "emlearn 8,268 instr / 1,952 B, 193/195 (ignores priors); micromlgen 165/195",
           ("lda_cancer", "cortex-m0"): "none converts it"}


def prepare(root: str, args) -> dict:
    from bench import Source
    from sklearn.datasets import load_breast_cancer, load_iris, load_wine
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def with_random(X, n, seed=0):
        rng = np.random.default_rng(seed)
        lo, hi = X.min(0), X.max(0)
        return np.vstack([X, lo + (hi - lo) * rng.random((n, X.shape[1]))]).astype(np.float32)

    measure.log("[bench] training " + ", ".join(LABELS))
    Xw, yw = load_wine(return_X_y=True)
    Xi, yi = load_iris(return_X_y=True)
    Xc, yc = load_breast_cancer(return_X_y=True)
    models = {
        "lr_wine": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(Xw, yw),
                    with_random(Xw, 26)),
        "gnb_iris": (GaussianNB().fit(Xi, yi), with_random(Xi, 45)),
        "lda_cancer": (LinearDiscriminantAnalysis().fit(Xc, yc), with_random(Xc, 0)),
    }
    out = {}
    for name, (est, X) in models.items():
        d = os.path.join(root, "src", name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), X)
        out[name] = Source(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"))
    return out


def variants(name: str, port: str) -> list:
    return [AUTO]


def rows(name: str, port: str) -> int | None:
    # ATmega328P's 32 KB hold 150 rows of 30 floats besides the firmware
    return 150 if port.startswith("atmega") and name == "lda_cancer" else None


def skip(port: str) -> list[str]:
    return []


def table(results: list[dict], ports: list[str], args) -> list[str]:
    return issue_targets.table(results, ports, LABELS, TARGETS, ANCHORS)


def checks(results: list[dict]) -> list[str]:
    return issue_targets.checks(results)
