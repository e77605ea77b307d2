"""Boosting and anomaly benchmark: the reference models of the boosting issue
on emulated microcontrollers. Numbers come from the tools:

  - instructions per prediction: QEMU -icount on Cortex-M / RISC-V (exact);
  - flash: `size` of the firmware minus a baseline firmware without the model,
    next to ctml's compile-time estimate;
  - agreement with the framework's predict on every row.

usage: bench_boosting.py [--build DIR] [--ports cortex-m0,cortex-m4f] [--models X40,GB60,IF100] [--markdown FILE]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import flash_of, log, parse, run, write_model as write_headers  # noqa: E402

ROWS = {"atmega328p": 20, "atmega32u4": 20}


def reference_models(names):
    """name -> (estimator, X rows for the vectors); the issue's targets."""
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingRegressor, IsolationForest
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=42)
    out = {}
    if "X40" in names:
        try:
            import xgboost
        except ImportError:
            log("[bench] xgboost missing: X40 skipped")
        else:
            out["X40"] = (xgboost.XGBClassifier(n_estimators=40, max_depth=4, n_jobs=1).fit(Xtr, ytr), X)
    if "GB60" in names:
        out["GB60"] = (GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0).fit(Xtr, ytr), X)
    if "IF100" in names:
        out["IF100"] = (IsolationForest(n_estimators=100, random_state=0).fit(Xtr), X)
    if "HGB" in names:
        Xd, yd = load_diabetes(return_X_y=True)
        rng = np.random.default_rng(0)
        Xn = Xd.copy()
        Xn[rng.random(Xd.shape) < 0.1] = np.nan
        out["HGB"] = (HistGradientBoostingRegressor(max_iter=50, random_state=0).fit(Xn, yd), Xd)
    return out


def bench_port(port: str, models_dir: str, names: list[str], build: str) -> list[dict]:
    b = os.path.join(build, f"port-{port}")
    shutil.rmtree(b, ignore_errors=True)
    run(["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), 'ports', port, 'toolchain.cmake')}",
         f"-DCTML_BENCH_MODELS_DIR={models_dir}", f"-DCTML_BENCH_MODELS={';'.join(names)}"])
    log(f"[bench] {port}: building {2 * len(names)} firmware images")
    run(["nice", "cmake", "--build", b, "-j2"])
    results = []
    for name in names:
        vals = {}
        for variant in ("baseline", "model"):
            exe = os.path.join(b, f"bench_{name}_{variant}.elf")
            out = run(["ctest", "--test-dir", b, "-R", f"^bench_{name}_{variant}$", "-V"])
            v = parse(out)
            v["flash"] = flash_of(port, exe)
            vals[variant] = v
        r = vals["model"]
        r.update(port=port, model=name, model_flash=r["flash"] - vals["baseline"]["flash"],
                 cost=r["cost_total"] / r["rows"])
        results.append(r)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "build",
                                                   "bench-boosting"))
    ap.add_argument("--ports", default="cortex-m0,cortex-m4f")
    ap.add_argument("--models", default="X40,GB60,IF100")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    names = args.models.split(",")
    models = reference_models(names)
    results = []
    for port in args.ports.split(","):
        rows = ROWS.get(port)
        d = os.path.join(args.build, f"models-{rows or 'all'}")
        for name, (est, X) in models.items():
            md = os.path.join(d, name)
            os.makedirs(md, exist_ok=True)
            joblib.dump(est, os.path.join(md, "model.joblib"))
            np.save(os.path.join(md, "X.npy"), X)
            write_headers(os.path.join(md, "model.joblib"), os.path.join(md, "X.npy"), md, rows)
        results += bench_port(port, d, list(models), args.build)
    lines = ["| model | target | agreement | instr / prediction (worst) | flash: model (estimate) | stack |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['model']} | {r['port']} | {r['agree']}/{r['rows']} | {r['cost']:,.0f} ({r['cost_worst']:,}) | "
                     f"{r['model_flash']:,} B ({r['flash_estimate']:,} B) | {r['stack']} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0 if all(r["agree"] == r["rows"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
