"""Tree-ensemble benchmark: the reference models of the trees issue on the host
and on emulated microcontrollers, per layout. Prints tables; numbers come from
the tools, not from estimates:

  - instructions per prediction: callgrind on the host (x86-64, g++ -O2),
    QEMU -icount on Cortex-M / RISC-V, simavr cycles on AVR (exact, repeatable);
  - flash: `size` of the firmware minus a baseline firmware without the model
    (model data + predict code), next to ctml's compile-time estimate;
  - agreement with scikit-learn on the digits test split;
  - compile time and memory of M3's header with g++ -O2, and generator time.

usage: bench_trees.py [--build DIR] [--ports host,cortex-m0,...] [--big] [--markdown FILE]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import NM_TOOL, ROOT, callgrind, flash_of, log, parse, run, write_model as write_headers  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

import ctml  # noqa: E402

# Rows of parity vectors per port (their flash: AVR holds the model and ~20 rows,
# rv32imac 128 KB).
ROWS = {"atmega328p": 20, "atmega32u4": 20, "rv32imac": 100}
# Firmware that does not fit a port's flash (or compiles too long: M3 unrolled).
SKIP = {"*": ["bench_M3_unrolled"],
        "atmega328p": ["bench_M1_unrolled", "bench_M3_baseline", "bench_M3_table"],
        "atmega32u4": ["bench_M1_unrolled", "bench_M3_baseline", "bench_M3_table"]}


def reference_models():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=42)
    models = {
        "M1": RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0),
        "M2": DecisionTreeClassifier(max_depth=10, random_state=0),
        "M3": RandomForestClassifier(n_estimators=100, random_state=0),
    }
    for m in models.values():
        m.fit(Xtr, ytr)
    return models, Xte


def write_model(est, X, out_dir: str, rows: int | None) -> None:
    os.makedirs(out_dir, exist_ok=True)
    joblib.dump(est, os.path.join(out_dir, "model.joblib"))
    np.save(os.path.join(out_dir, "X.npy"), X)
    write_headers(os.path.join(out_dir, "model.joblib"), os.path.join(out_dir, "X.npy"), out_dir, rows)


def numbered_output(text: str) -> dict:
    """ctest -V output split by test number (it prefixes every line with it)."""
    numbered = {}
    for line in text.splitlines():
        m = re.match(r"(\d+): (.*)", line)
        if m:
            numbered.setdefault(int(m.group(1)), []).append(m.group(2))
    return numbered


def linked_table_bytes(nm_tool: str, elf: str) -> int:
    """Bytes of ctml's constant tables the linker placed (data symbols only)."""
    total = 0
    for line in run([nm_tool, "-S", "-C", elf]).splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] not in "TtWwBb" and parts[3].startswith("ctml::"):
            total += int(parts[1], 16)
    return total


def callgrind_per_prediction(exe: str, rows: int, cwd: str) -> float:
    return callgrind(exe, "bench_predict", os.path.join(cwd, "callgrind.out")) / rows


def bench_port(port: str, models_dir: str, names: list[str], build: str) -> list[dict]:
    b = os.path.join(build, f"port-{port}")
    skip = SKIP["*"] + SKIP.get(port, [])
    shutil.rmtree(b, ignore_errors=True)
    cfg = ["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}",
           f"-DCTML_BENCH_MODELS_DIR={models_dir}", f"-DCTML_BENCH_MODELS={';'.join(names)}",
           f"-DCTML_BENCH_SKIP={';'.join(skip)}"]
    if port == "host":
        cfg.append("-DCMAKE_CXX_COMPILER=g++-12")
    log(f"[bench] {port}: configure + build {len(names) * 3} firmware images")
    run(cfg)
    run(["cmake", "--build", b, "-j2"])
    results = []
    # Emulated counts are exact: two runs must print the same numbers.
    runs = [numbered_output(run(["ctest", "--test-dir", b, "-V", "-j2"])) for _ in range(2 if port != "host" else 0)]
    numbered = runs[0] if runs else {}
    order = [f"bench_{m}_{l}" for m in names for l in ("baseline", "unrolled", "table")
             if f"bench_{m}_{l}" not in skip]
    for idx, target in enumerate(order, start=1):
        exe = os.path.join(b, target + ("" if port == "host" else ".elf"))
        if port == "host":
            out = run([exe])
        else:
            out = "\n".join(numbered.get(idx, []))
        vals = parse(out)
        vals["repeatable"] = all(parse("\n".join(r.get(idx, []))) == vals for r in runs)
        if port == "host":
            vals["cost"] = callgrind_per_prediction(exe, vals["rows"], b)
        else:
            vals["cost"] = vals["cost_total"] / vals["rows"]
        vals["flash"] = flash_of(port, exe)
        vals["linked_data"] = linked_table_bytes(NM_TOOL[port], exe)
        model, layout = target[len("bench_"):].rsplit("_", 1)
        vals.update(port=port, model=model, layout=layout)
        results.append(vals)
    base = {r["model"]: r for r in results if r["layout"] == "baseline"}
    for r in results:
        r["model_flash"] = r["flash"] - base[r["model"]]["flash"]
    return [r for r in results if r["layout"] != "baseline"]


def compile_cost(models_dir: str, name: str, layout: str) -> tuple[float, int]:
    """Seconds and peak MB to compile a caller of the model with g++ -O2."""
    src = os.path.join(models_dir, name, "caller.cpp")
    with open(src, "w") as f:
        f.write('#include <array>\n#include "model.hpp"\n'
                f"int predict(const std::array<float, model::n_features>& x) {{\n"
                f"  return model::model.with(ctml::{layout}_layout{{}}).predict(x);\n}}\n")
    t0 = time.perf_counter()
    out = run(["/usr/bin/time", "-f", "%M", "g++-12", "-std=c++20", "-O2", "-c", "-I", os.path.join(ROOT, "include"),
               "-I", os.path.join(models_dir, name), src, "-o", os.devnull])
    return time.perf_counter() - t0, int(out.strip().splitlines()[-1]) // 1024


def big_forest(models_dir: str) -> dict:
    """A forest of about 300,000 nodes in the compact layout."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40000, 16))
    y = rng.integers(0, 3, size=40000)  # random labels: every tree grows to about 19,000 nodes
    t0 = time.perf_counter()
    est = RandomForestClassifier(n_estimators=16, random_state=0, n_jobs=2).fit(X, y)
    train = time.perf_counter() - t0
    nodes = sum(e.tree_.node_count for e in est.estimators_)
    d = os.path.join(models_dir, "BIG")
    os.makedirs(d, exist_ok=True)
    t0 = time.perf_counter()
    ctml.convert(est, name="model").save(os.path.join(d, "model.hpp"))
    conv = time.perf_counter() - t0
    secs, mb = compile_cost(models_dir, "BIG", "table")
    return {"nodes": nodes, "train_s": train, "convert_s": conv, "compile_s": secs, "compile_mb": mb}


def off(r: dict) -> str:
    """The estimate's distance from the linker, when more than 10%."""
    d = (r["flash_estimate"] - r["model_flash"]) / max(r["model_flash"], 1)
    return f", {d:+.0%}" if abs(d) > 0.10 else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench-trees"))
    ap.add_argument("--ports", default="host,cortex-m0,atmega328p")
    ap.add_argument("--big", action="store_true", help="also compile a 300,000-node forest (slow)")
    ap.add_argument("--markdown", help="also write the tables to this file")
    args = ap.parse_args()
    os.makedirs(args.build, exist_ok=True)
    models_root = os.path.join(args.build, "models")

    log("[bench] training M1, M2, M3 on digits")
    models, Xte = reference_models()
    t0 = time.perf_counter()
    ctml.convert(models["M3"], name="m3")
    convert_m3 = time.perf_counter() - t0

    ports = [p for p in args.ports.split(",") if p]
    rows_needed = sorted({ROWS.get(p) for p in ports}, key=lambda r: r or 10**9)
    for rows in rows_needed:
        for name, est in models.items():
            write_model(est, Xte, os.path.join(models_root + (f"-{rows}" if rows else ""), name), rows)

    results = []
    for port in ports:
        rows = ROWS.get(port)
        names = [n for n in models if f"bench_{n}_baseline" not in SKIP.get(port, [])]
        results += bench_port(port, models_root + (f"-{rows}" if rows else ""), names, args.build)

    lines = ["| model | target | layout | agreement | cost / prediction | flash: model (estimate) | tables: linked (estimate) | stack |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        unit = "cycles" if r["port"].startswith("atmega") else "instr"
        lines.append(f"| {r['model']} | {r['port']} | {r['layout']} | {r['agree']}/{r['rows']} | "
                     f"{r['cost']:,.0f} {unit} | {r['model_flash']:,} B ({r['flash_estimate']:,} B{off(r)}) | "
                     f"{r['linked_data']:,} B ({r['data_estimate']:,} B) | {r['stack'] if r['port'] != 'host' else '-'} |")
    secs, mb = compile_cost(models_root, "M3", "automatic")
    lines += ["", f"M3 header + caller, g++-12 -O2 (automatic layout = table): {secs:.2f} s, {mb} MB; "
                  f"generator converts M3 in {convert_m3:.2f} s"]
    if args.big:
        big = big_forest(models_root)
        lines.append(f"{big['nodes']:,}-node forest, table layout: compiles in {big['compile_s']:.1f} s, "
                     f"{big['compile_mb']} MB (converted in {big['convert_s']:.2f} s)")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    unrepeatable = [f"{r['model']} {r['port']} {r['layout']}" for r in results if not r["repeatable"]]
    print("emulated counts identical across two runs: " + ("yes" if not unrepeatable else
                                                          "NO: " + ", ".join(unrepeatable)))
    bad = [r for r in results if r["agree"] != r["rows"]] + unrepeatable
    # The table estimate is exact by construction; the check catches tables
    # that were copied to RAM, duplicated or not placed at all.
    bad_data = [r for r in results if abs(r["linked_data"] - r["data_estimate"]) > 0.1 * max(r["data_estimate"], 1)]
    for r in bad_data:
        log(f"[bench] {r['model']} {r['port']} {r['layout']}: tables linked {r['linked_data']} B, "
            f"estimated {r['data_estimate']} B (more than 10% apart)")
    return 1 if bad or bad_data else 0


if __name__ == "__main__":
    sys.exit(main())
