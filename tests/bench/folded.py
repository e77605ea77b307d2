"""Model list of the folded-scaler benchmark (bench.py folded, issue 9): wine
`StandardScaler >> RandomForestClassifier(20)`, whose scaler is folded into
the forest's thresholds at compile time, against the same forest alone fed
the scaled rows. Target: the pipeline costs <= 1.1x the forest alone on
Cortex-M4F, and links and agrees row for row on both AVR ports.
"""
from __future__ import annotations

import os

import joblib
import numpy as np

import trees

PORTS = "cortex-m4f,atmega328p,atmega32u4"
ROWS = {"atmega328p": 20, "atmega32u4": 20}
TARGET_RATIO = 1.1


def prepare(root: str, args) -> dict:
    from bench import Source
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, random_state=0)
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=20, random_state=0)).fit(Xtr, ytr)
    scaled = pipe.steps[0][1].transform(Xte.astype(np.float32).astype(np.float64)).astype(np.float32)
    out = {}
    for name, est, rows in (("WINE_PIPE", pipe, Xte), ("WINE_FOREST", pipe.steps[-1][1], scaled)):
        d = os.path.join(root, "src", name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(est, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), rows.astype(np.float32))
        out[name] = Source(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"))
    return out


def variants(name: str, port: str) -> list:
    return list(trees.LAYOUTS)


def rows(name: str, port: str) -> int | None:
    return ROWS.get(port)


def skip(port: str) -> list[str]:
    return []


def ratios(results: list[dict]) -> dict:
    cost = {(r["port"], r["variant"], r["model"]): r["cost"] for r in results}
    return {(p, v): cost[(p, v, "WINE_PIPE")] / cost[(p, v, "WINE_FOREST")]
            for (p, v, m) in cost if m == "WINE_PIPE" and (p, v, "WINE_FOREST") in cost}


def table(results: list[dict], ports: list[str], args) -> list[str]:
    lines = trees.table(results, ports, args)
    lines.append("")
    for (port, variant), ratio in sorted(ratios(results).items()):
        lines.append(f"{port} {variant}: scaler >> forest costs {ratio:.3f}x the forest alone")
    return lines


def checks(results: list[dict]) -> list[str]:
    problems = [f"{r['model']} {r['port']} {r['variant']}: agrees on {r['agree']} of {r['rows']} rows"
                for r in results if r["agree"] != r["rows"]]
    problems += [f"{p} {v}: scaler >> forest costs {x:.3f}x the forest alone (target {TARGET_RATIO}x)"
                 for (p, v), x in ratios(results).items() if x > TARGET_RATIO]
    return problems
