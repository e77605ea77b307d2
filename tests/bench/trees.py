"""Model list of the tree-ensemble benchmark (bench.py trees): the reference
models of the trees issue, per layout, on the digits test split.

  M1 RandomForestClassifier(10 trees, max_depth 10), M2 DecisionTree(max_depth 10),
  M3 RandomForestClassifier(100 trees); table layout and unrolled code.
Also: compile time and memory of M3's header with g++ -O2, generator time,
and (--big) a 300,000-node forest.
"""
from __future__ import annotations

import os
import time

import joblib
import numpy as np

from ctml import measure

PORTS = "host,cortex-m0,atmega328p"
LAYOUTS = (measure.Variant("unrolled", ("ctml::unrolled_layout",)), measure.Variant("table", ("ctml::table_layout",)))
# Rows of parity vectors per port (their flash: AVR holds the model and ~20 rows,
# rv32imac 128 KB).
ROWS = {"atmega328p": 20, "atmega32u4": 20, "rv32imac": 100}
# Firmware that does not fit a port's flash (or compiles too long: M3 unrolled).
SKIP = {"*": ["bench_M3_unrolled"],
        "atmega328p": ["bench_M1_unrolled", "bench_M3_baseline", "bench_M3_table"],
        "atmega32u4": ["bench_M1_unrolled", "bench_M3_baseline", "bench_M3_table"]}
_convert_m3 = 0.0
_nodes: dict[str, int] = {}


def add_arguments(ap) -> None:
    ap.add_argument("--big", action="store_true", help="also compile a 300,000-node forest (slow)")


def prepare(root: str, args) -> dict:
    global _convert_m3
    from bench import Source
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    import ctml

    measure.log("[bench] training M1, M2, M3 on digits")
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.25, random_state=42)
    models = {
        "M1": RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0),
        "M2": DecisionTreeClassifier(max_depth=10, random_state=0),
        "M3": RandomForestClassifier(n_estimators=100, random_state=0),
    }
    out = {}
    for name, m in models.items():
        m.fit(Xtr, ytr)
        _nodes[name] = sum(e.tree_.node_count for e in getattr(m, "estimators_", [m]))
        d = os.path.join(root, "src", name)
        os.makedirs(d, exist_ok=True)
        joblib.dump(m, os.path.join(d, "model.joblib"))
        np.save(os.path.join(d, "X.npy"), Xte)
        out[name] = Source(os.path.join(d, "model.joblib"), os.path.join(d, "X.npy"))
    t0 = time.perf_counter()
    ctml.convert(models["M3"], name="m3")
    _convert_m3 = time.perf_counter() - t0
    return out


def features(name: str) -> dict:
    """What scripts/fit-code-size needs: the nodes of the model's trees, and
    whether it is a single tree (raw argmax: its own constants)."""
    return {"n_nodes": _nodes[name], "single": name == "M2"}


def variants(name: str, port: str) -> list:
    skip = skip_list(port)
    if f"bench_{name}_baseline" in skip:
        return []
    return [v for v in LAYOUTS if f"bench_{name}_{v.name}" not in skip]


def skip_list(port: str) -> list[str]:
    return SKIP["*"] + SKIP.get(port, [])


def skip(port: str) -> list[str]:
    return skip_list(port)


def rows(name: str, port: str) -> int | None:
    return ROWS.get(port)


def off(r: dict) -> str:
    """The estimate's distance from the linker, when more than 10%."""
    d = measure.estimate_error(r) or 0.0
    return f", {d:+.0%}" if abs(d) > 0.10 else ""


def table(results: list[dict], ports: list[str], args) -> list[str]:
    lines = ["| model | target | layout | agreement | cost / prediction | flash: model (estimate) | tables: linked (estimate) | stack |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        unit = measure.PORTS[r["port"]].unit
        lines.append(f"| {r['model']} | {r['port']} | {r['variant']} | {r['agree']}/{r['rows']} | "
                     f"{r['cost']:,.0f} {unit} | {r['model_flash']:,} B ({r['flash_estimate']:,} B{off(r)}) | "
                     f"{r['linked_data']:,} B ({r['data_estimate']:,} B) | {r['stack'] if r['port'] != 'host' else '-'} |")
    return lines


def compile_cost(models_dir: str, name: str, layout: str) -> tuple[float, int]:
    """Seconds and peak MB to compile a caller of the model with g++ -O2."""
    src = os.path.join(models_dir, name, "caller.cpp")
    with open(src, "w") as f:
        f.write('#include <array>\n#include "model.hpp"\n'
                f"int predict(const std::array<float, model::n_features>& x) {{\n"
                f"  return model::model.with(ctml::{layout}_layout{{}}).predict(x);\n}}\n")
    t0 = time.perf_counter()
    out = measure.run(["/usr/bin/time", "-f", "%M", "g++-12", "-std=c++20", "-O2", "-c", "-I",
                       os.path.join(measure.ROOT, "include"), "-I", os.path.join(models_dir, name), src, "-o", os.devnull])
    return time.perf_counter() - t0, int(out.strip().splitlines()[-1]) // 1024


def big_forest(models_dir: str) -> dict:
    """A forest of about 300,000 nodes in the compact layout."""
    from sklearn.ensemble import RandomForestClassifier

    import ctml

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40000, 16))
    y = rng.integers(0, 3, size=40000)  # random labels: every tree grows to about 19,000 nodes
    est = RandomForestClassifier(n_estimators=16, random_state=0, n_jobs=2).fit(X, y)
    nodes = sum(e.tree_.node_count for e in est.estimators_)
    d = os.path.join(models_dir, "BIG")
    os.makedirs(d, exist_ok=True)
    t0 = time.perf_counter()
    ctml.convert(est, name="model").save(os.path.join(d, "model.hpp"))
    conv = time.perf_counter() - t0
    secs, mb = compile_cost(models_dir, "BIG", "table")
    return {"nodes": nodes, "convert_s": conv, "compile_s": secs, "compile_mb": mb}


def extra(models_root: str, args) -> list[str]:
    d = os.path.join(models_root, "rows-all")
    if not os.path.isdir(os.path.join(d, "M3")):
        return []
    secs, mb = compile_cost(d, "M3", "automatic")
    lines = ["", f"M3 header + caller, g++-12 -O2 (automatic layout = table): {secs:.2f} s, {mb} MB; "
                 f"generator converts M3 in {_convert_m3:.2f} s"]
    if args.big:
        big = big_forest(models_root)
        lines.append(f"{big['nodes']:,}-node forest, table layout: compiles in {big['compile_s']:.1f} s, "
                     f"{big['compile_mb']} MB (converted in {big['convert_s']:.2f} s)")
    return lines


def checks(results: list[dict]) -> list[str]:
    problems = [f"{r['model']} {r['port']} {r['variant']}: agrees on {r['agree']} of {r['rows']} rows"
                for r in results if r["agree"] != r["rows"]]
    # The table estimate is exact by construction; the check catches tables
    # that were copied to RAM, duplicated or not placed at all.
    for r in results:
        if abs(r["linked_data"] - r["data_estimate"]) > 0.1 * max(r["data_estimate"], 1):
            problems.append(f"{r['model']} {r['port']} {r['variant']}: tables linked {r['linked_data']} B, "
                            f"estimated {r['data_estimate']} B (more than 10% apart)")
    return problems
