"""Scalers folded into a forest cost nothing: wine `StandardScaler >> RF(20)`
against the same forest alone (fed the scaled rows), per layout, on emulated
ports (QEMU -icount instructions, simavr cycles; flash from the linker).
Target (issue 9): pipeline <= 1.1x the forest alone on Cortex-M4F, and the
pipeline links and agrees row for row on both AVR ports.

With --mlp: breast cancer StandardScaler >> MLP(16), where the scaler runs in
float32, against the MLP alone.

usage: bench_folded.py [--build DIR] [--ports cortex-m4f,atmega328p,atmega32u4] [--mlp]
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from bench_trees import ROWS, bench_port  # noqa: E402
from bench_common import ROOT, write_model  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def models(out: str, rows: int | None) -> list[str]:
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, random_state=0)
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=20, random_state=0)).fit(Xtr, ytr)
    forest = pipe.steps[-1][1]
    scaled = pipe.steps[0][1].transform(Xte.astype(np.float32).astype(np.float64)).astype(np.float32)
    for name, est, X in (("WINE_PIPE", pipe, Xte), ("WINE_FOREST", forest, scaled)):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), X.astype(np.float32))
        write_model(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"), d, rows)
    return ["WINE_PIPE", "WINE_FOREST"]


def mlp_models(out: str, rows: int | None) -> list[str]:
    """Breast cancer StandardScaler >> MLP (the scaler runs in float) and the MLP alone."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.neural_network import MLPClassifier

    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=500,
                                                         random_state=0)).fit(Xtr, ytr)
    scaled = pipe.steps[0][1].transform(Xte.astype(np.float32).astype(np.float64)).astype(np.float32)
    names = []
    for name, est, X in (("BC_PIPE", pipe, Xte), ("BC_MLP", pipe.steps[-1][1], scaled)):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), X.astype(np.float32))
        write_model(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"), d, rows)
        names.append(name)
    return names


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench-folded"))
    ap.add_argument("--ports", default="cortex-m4f,atmega328p,atmega32u4")
    ap.add_argument("--mlp", action="store_true", help="breast cancer scaler >> MLP instead (float scaler)")
    args = ap.parse_args()
    results = []
    for port in args.ports.split(","):
        d = os.path.join(args.build, f"models-{port}" + ("-mlp" if args.mlp else ""))
        names = (mlp_models if args.mlp else models)(d, ROWS.get(port, 60))
        results += bench_port(port, d, names, args.build)
    print("| model | target | layout | agreement | cost / prediction | flash: model |")
    print("|---|---|---|---|---|---|")
    for r in results:
        unit = "cycles" if r["port"].startswith("atmega") else "instr"
        print(f"| {r['model']} | {r['port']} | {r['layout']} | {r['agree']}/{r['rows']} | {r['cost']:,.0f} {unit} | "
              f"{r['model_flash']:,} B |")
    if args.mlp:  # the table layout option does not apply: one number per port
        for port in {r["port"] for r in results}:
            c = {r["model"]: r["cost"] for r in results if r["port"] == port and r["layout"] == "unrolled"}
            print(f"{port}: scaler >> MLP / MLP alone = {c['BC_PIPE']:,.0f} / {c['BC_MLP']:,.0f}")
        return 0
    ok = all(r["agree"] == r["rows"] for r in results)
    for port in {r["port"] for r in results}:
        for layout in ("unrolled", "table"):
            c = {r["model"]: r["cost"] for r in results if r["port"] == port and r["layout"] == layout}
            if len(c) == 2:
                ratio = c["WINE_PIPE"] / c["WINE_FOREST"]
                print(f"{port} {layout}: pipeline / forest alone = {ratio:.3f}")
                ok &= ratio <= 1.1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
