"""Network benchmark: the reference networks of the nn issue, G (the seed's
gesture MLP, examples/gesture_mlp) and D (digits MLP, train_digits.py), in
f32, int8 (TFLite's 31-bit multipliers) and int8_fast (15-bit multipliers),
on the host and on emulated microcontrollers. Prints one markdown table;
numbers come from the tools, not from estimates:

  - cost per prediction: callgrind instructions on the host (x86-64, g++ -O2),
    QEMU -icount instructions on Cortex-M, simavr cycles on AVR (exact);
    for int8 from float input (predict) / from int8 input (predict_quantized);
  - accuracy on the rows run (true labels) and agreement with scikit-learn;
    the host runs the whole test split;
  - flash: `size` of the firmware minus a baseline firmware with the same
    harness and no model (model data + predict code), next to ctml's estimate;
  - stack: peak stack of one prediction (painted stack).

usage: bench_nn.py [--build DIR] [--ports host,cortex-m0,cortex-m4f,atmega32u4] [--markdown FILE]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench_common import ROOT, callgrind as callgrind_count, flash_of, log, parse, run, write_model  # noqa: E402

UNIT = {"host": "instr", "atmega328p": "cycles", "atmega32u4": "cycles"}
# Rows of test vectors per port: all on the host; AVR's 32 KB of flash holds
# the float model and ~16 rows of G (600 B a row).
ROWS = {"G": {"host": None, "atmega32u4": 12, "atmega328p": 12, "*": 60},
        "D": {"host": None, "atmega32u4": 30, "atmega328p": 30, "*": 100}}
POLICIES = ("f32", "int8", "int8_fast")
TARGETS = {("G", "atmega32u4"): (24000, 3 * 1024), ("D", "cortex-m0"): (15000, 4 * 1024)}


def python() -> str:
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def train(models_root: str) -> dict:
    """Trains G and D (deterministic) into models_root/{G,D}/; returns their test splits."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "generator"), PYTHONDONTWRITEBYTECODE="1")
    g, d = os.path.join(models_root, "G"), os.path.join(models_root, "D")
    run([python(), os.path.join(ROOT, "examples", "gesture_mlp", "train.py"), g], env=env)
    os.replace(os.path.join(g, "gesture.joblib"), os.path.join(g, "model.joblib"))
    run([python(), os.path.join(HERE, "train_digits.py"), d], env=env)
    os.replace(os.path.join(d, "digits_mlp.joblib"), os.path.join(d, "model.joblib"))
    return {"G": g, "D": d}


def write_headers(src: str, out_dir: str, rows: int | None) -> None:
    write_model(os.path.join(src, "model.joblib"), os.path.join(src, "X_test.npy"), out_dir, rows,
                labels=os.path.join(src, "y_test.npy"))


def callgrind(exe: str, function: str, cwd: str) -> int:
    return callgrind_count(exe, function, os.path.join(cwd, os.path.basename(exe) + "." + function + ".callgrind"))


def bench_port(port: str, models_dir: str, build: str) -> list[dict]:
    b = os.path.join(build, f"port-{port}")
    shutil.rmtree(b, ignore_errors=True)
    cfg = ["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}",
           f"-DCTML_BENCH_MODELS_DIR={models_dir}", "-DCTML_BENCH_MODELS=G;D"]
    if port == "host":
        cfg.append("-DCMAKE_CXX_COMPILER=g++-12")
    t0 = time.perf_counter()
    run(cfg)
    run(["cmake", "--build", b, "-j2"])
    targets = [f"bench_{m}_{p}" for m in ("G", "D") for p in ("baseline",) + POLICIES]
    exes = {t: os.path.join(b, t + ("" if port == "host" else ".elf")) for t in targets}

    def measure(target: str) -> dict:
        exe = exes[target]
        if port == "host":
            vals = parse(run([exe]))
            if not target.endswith("baseline"):
                vals["cost_total"] = callgrind(exe, "bench_predict", b)
                vals["cost_q_total"] = callgrind(exe, "bench_predict_quantized", b)
        else:
            vals = parse(run(["ctest", "--test-dir", b, "-V", "-R", f"^{target}$"]))
        vals["flash"] = flash_of(port, exe)
        model, policy = target[len("bench_"):].split("_", 1)
        vals.update(port=port, model=model, policy=policy)
        return vals

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(measure, targets))
    log(f"[bench] {port}: built and ran {len(targets)} firmware images in {time.perf_counter() - t0:.0f} s")
    base = {r["model"]: r for r in results if r["policy"] == "baseline"}
    for r in results:
        r["model_flash"] = r["flash"] - base[r["model"]]["flash"]
        r["cost"] = r["cost_total"] / r["rows"]
        r["cost_q"] = r["cost_q_total"] / r["rows"]
    return [r for r in results if r["policy"] != "baseline"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench-nn"))
    ap.add_argument("--ports", default="host,cortex-m0,cortex-m4f,atmega32u4")
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.build, exist_ok=True)
    models_root = os.path.join(args.build, "models")
    log("[bench] training G and D")
    src = train(os.path.join(models_root, "src"))
    ports = [p for p in args.ports.split(",") if p]
    dirs = {}
    for port in ports:
        key = tuple(ROWS[m].get(port, ROWS[m]["*"]) for m in ("G", "D"))
        d = os.path.join(models_root, "rows-" + "-".join(str(k) for k in key))
        if key not in dirs.values():
            for m, rows in zip(("G", "D"), key):
                write_headers(src[m], os.path.join(d, m), rows)
        dirs[port] = d
    results = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for res in pool.map(lambda p: bench_port(p, dirs[p], args.build), ports):
            results += res

    lines = ["| model | target | policy | accuracy (rows) | agrees with sklearn | cost / prediction: float in "
             "(int8 in) | flash: model (estimate) | stack |",
             "|---|---|---|---|---|---|---|---|"]
    order = {p: i for i, p in enumerate(ports)}
    results.sort(key=lambda r: (r["model"] != "G", order[r["port"]], POLICIES.index(r["policy"])))
    for r in results:
        unit = UNIT.get(r["port"], "instr")
        cost = f"{r['cost']:,.0f}"
        if r["policy"] != "f32":
            cost += f" ({r['cost_q']:,.0f})"
        acc = 100.0 * r["correct"] / r["rows"]
        lines.append(f"| {r['model']} | {r['port']} | {r['policy']} | {acc:.2f}% ({r['rows']}) | "
                     f"{r['agree']}/{r['rows']} | {cost} {unit} | {r['model_flash']:,} B ({r['flash_estimate']:,} B) | "
                     f"{r['stack'] if r['port'] != 'host' else '-'} |")
    lines.append("")
    for (model, port), (cycles, flash) in TARGETS.items():
        for r in results:
            if r["model"] == model and r["port"] == port and r["policy"] != "f32":
                ok = lambda v, lim: "met" if v <= lim else "MISSED"  # noqa: E731
                lines.append(f"- target {model} {r['policy']} on {port}: <= {cycles:,} {UNIT.get(port, 'instr')} "
                             f"(float in {ok(r['cost'], cycles)}, int8 in {ok(r['cost_q'], cycles)}), "
                             f"<= {flash:,} B flash ({ok(r['model_flash'], flash)})")
    lines.append(f"\n(bench_nn.py ran in {time.perf_counter() - t0:.0f} s)")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
