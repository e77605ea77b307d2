"""SVM and KNN benchmark: the issue's reference models on emulated
microcontrollers (QEMU -icount: exact instruction counts), flash as firmware
minus a baseline firmware, agreement with scikit-learn on the parity rows.

  svc_wine: Pipeline(StandardScaler, SVC(rbf)) on wine; rows: the 178 wine
            rows and 26 random rows over the training range (204)
  knn_iris: KNeighborsClassifier(5) on iris; rows: the 150 iris rows and 45
            random rows (195)

usage: bench_kernels.py [--build DIR] [--ports cortex-m0,cortex-m4f] [--markdown FILE]
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import ROOT, flash_of, log, parse, run, write_model  # noqa: E402
from sklearn.datasets import load_iris, load_wine  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402


def models():
    rng = np.random.default_rng(0)
    Xw, yw = load_wine(return_X_y=True)
    Xi, yi = load_iris(return_X_y=True)
    return {
        "svc_wine": (make_pipeline(StandardScaler(), SVC()).fit(Xw, yw),
                     np.vstack([Xw, rng.uniform(Xw.min(0), Xw.max(0), (26, Xw.shape[1]))])),
        # the same SVC without the Pipeline's scaler (rows standardised in numpy)
        "svc_wine_std": (SVC().fit(StandardScaler().fit_transform(Xw), yw),
                         StandardScaler().fit(Xw).transform(np.vstack([Xw, rng.uniform(Xw.min(0), Xw.max(0), (26, Xw.shape[1]))]))),
        "knn_iris": (KNeighborsClassifier(5).fit(Xi, yi),
                     np.vstack([Xi, rng.uniform(Xi.min(0), Xi.max(0), (45, Xi.shape[1]))])),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench-kernels"))
    ap.add_argument("--ports", default="cortex-m0,cortex-m4f")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    mdir = os.path.join(args.build, "models")
    names = []
    for name, (est, X) in models().items():
        d = os.path.join(mdir, name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), X.astype(np.float32))
        write_model(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"), d, None)
        names.append(name)
    rows = []
    for port in args.ports.split(","):
        b = os.path.join(args.build, port)
        run(["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=MinSizeRel",
             f"-DCMAKE_TOOLCHAIN_FILE={ROOT}/ports/{port}/toolchain.cmake",
             f"-DCTML_BENCH_MODELS={';'.join(names)}", f"-DCTML_BENCH_MODELS_DIR={mdir}"])
        run(["nice", "cmake", "--build", b, "-j2"])
        out = run(["ctest", "--test-dir", b, "-V"])
        for name in names:
            vals = parse(run(["ctest", "--test-dir", b, "-V", "-R", f"bench_{name}_model$"]))
            flash = flash_of(port, os.path.join(b, f"bench_{name}_model.elf")) - \
                flash_of(port, os.path.join(b, f"bench_{name}_baseline.elf"))
            rows.append((name, port, vals.get("agree"), vals.get("rows"), vals.get("cost_total", 0) // max(vals.get("rows", 1), 1),
                         vals.get("cost_worst"), flash, vals.get("flash_estimate"), vals.get("stack")))
            log(f"{rows[-1]}")
        del out
    lines = ["| model | port | agree | instr/prediction (mean) | worst | flash B (measured) | estimate | stack B |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]}/{r[3]} | {r[4]:,} | {r[5]:,} | {r[6]:,} | {r[7]:,} | {r[8]} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
