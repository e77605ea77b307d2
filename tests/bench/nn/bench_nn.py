"""Network benchmark: the reference networks of the nn issue, G (the seed's
gesture MLP, examples/gesture_mlp), D (digits MLP, train_digits.py) and C
(the PyTorch digits CNN, examples/digits_cnn; skipped with a note when torch
is not importable), in f32, int8 (TFLite's 31-bit multipliers) and int8_fast
(15-bit multipliers), on the host and on emulated microcontrollers. Prints
one markdown table; numbers come from the tools, not from estimates:

  - cost per prediction: callgrind instructions on the host (x86-64, g++ -O2),
    QEMU -icount instructions on Cortex-M, simavr cycles on AVR (exact);
    for int8 from float input (predict) / from int8 input (predict_quantized);
  - accuracy on the rows run (true labels) and agreement with the model's
    framework: scikit-learn's predict (G, D), PyTorch's argmax (C), as
    `ctml vectors` writes them; the host runs the whole test split;
  - flash: `size` of the firmware minus a baseline firmware with the same
    harness and no model (model data + predict code), next to ctml's estimate;
  - stack: peak stack of one prediction (painted stack).

usage: bench_nn.py [--build DIR] [--ports host,cortex-m0,cortex-m4f,atmega32u4] [--markdown FILE]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench_common import ROOT, callgrind as callgrind_count, flash_of, log, parse, run, write_model  # noqa: E402

UNIT = {"host": "instr", "atmega328p": "cycles", "atmega32u4": "cycles"}
MODELS = ("G", "D", "C")
# Rows of test vectors per port: all on the host; AVR's 32 KB of flash holds
# the float model and ~16 rows of G (600 B a row). C costs ~1.5-2.5 M cycles a
# prediction on AVR, so few rows there.
ROWS = {"G": {"host": None, "atmega32u4": 12, "atmega328p": 12, "*": 60},
        "D": {"host": None, "atmega32u4": 30, "atmega328p": 30, "*": 100},
        "C": {"host": None, "atmega32u4": 20, "atmega328p": 20, "*": 100}}
POLICIES = ("f32", "int8", "int8_fast")
# Policies not built as they do not fit the chip's RAM: C in float keeps two
# 8x8x8 float activation buffers (4 KB); on the ATmega328P's 2 KB the int8
# buffers and the harness's float rows do not fit either.
SKIP = {("C", "atmega32u4"): ("f32",), ("C", "atmega328p"): POLICIES}
# The nn issue's targets: int8 cost and flash per (model, port), and float cost.
TARGETS = {("G", "atmega32u4"): (24000, 3 * 1024), ("D", "cortex-m0"): (15000, 4 * 1024)}
FLOAT_TARGETS = {("G", "atmega32u4"): 25 * 16000, ("D", "cortex-m4f"): 12000}  # 25 ms at 16 MHz


def python() -> str:
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def torch_missing() -> str | None:
    """Why C cannot run (torch not importable here or by python()), or None."""
    try:
        import torch  # noqa: F401  (the vectors of C are written in this process)
    except Exception:  # noqa: BLE001
        return f"{sys.executable} cannot import torch"
    if os.path.realpath(python()) != os.path.realpath(sys.executable):
        if subprocess.run([python(), "-c", "import torch"], capture_output=True).returncode != 0:
            return f"{python()} cannot import torch"
    return None


def train(models_root: str, models: tuple[str, ...]) -> dict:
    """Trains the models (deterministic) into models_root/<model>/ as model.joblib
    or model.pt, with X_test.npy and y_test.npy; returns their folders."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "generator"), PYTHONDONTWRITEBYTECODE="1")
    src = {m: os.path.join(models_root, m) for m in models}

    def one(m: str) -> None:
        if m == "G":
            run([python(), os.path.join(ROOT, "examples", "gesture_mlp", "train.py"), src[m]], env=env)
            os.replace(os.path.join(src[m], "gesture.joblib"), os.path.join(src[m], "model.joblib"))
        elif m == "D":
            run([python(), os.path.join(HERE, "train_digits.py"), src[m]], env=env)
            os.replace(os.path.join(src[m], "digits_mlp.joblib"), os.path.join(src[m], "model.joblib"))
        else:
            run([python(), os.path.join(ROOT, "examples", "digits_cnn", "train.py"), src[m]], env=env)
            os.replace(os.path.join(src[m], "digits_cnn.pt"), os.path.join(src[m], "model.pt"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, models))
    return src


def write_headers(src: str, out_dir: str, rows: int | None) -> None:
    model = os.path.join(src, "model.joblib")
    if not os.path.exists(model):
        model = os.path.join(src, "model.pt")
    write_model(model, os.path.join(src, "X_test.npy"), out_dir, rows, labels=os.path.join(src, "y_test.npy"))


def callgrind(exe: str, function: str, cwd: str) -> int:
    return callgrind_count(exe, function, os.path.join(cwd, os.path.basename(exe) + "." + function + ".callgrind"))


def bench_port(port: str, models_dir: str, build: str, models: tuple[str, ...]) -> list[dict]:
    b = os.path.join(build, f"port-{port}")
    shutil.rmtree(b, ignore_errors=True)
    models = tuple(m for m in models if SKIP.get((m, port), ()) != POLICIES)
    skip = [f"bench_{m}_{p}" for m in models for p in SKIP.get((m, port), ())]
    cfg = ["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}",
           f"-DCTML_BENCH_MODELS_DIR={models_dir}", f"-DCTML_BENCH_MODELS={';'.join(models)}",
           f"-DCTML_BENCH_SKIP={';'.join(skip)}"]
    if port == "host":
        cfg.append("-DCMAKE_CXX_COMPILER=g++-12")
    t0 = time.perf_counter()
    run(cfg)
    run(["cmake", "--build", b, "-j2"])
    targets = [t for t in (f"bench_{m}_{p}" for m in models for p in ("baseline",) + POLICIES) if t not in skip]
    exes = {t: os.path.join(b, t + ("" if port == "host" else ".elf")) for t in targets}

    def measure(target: str) -> dict:
        exe = exes[target]
        if port == "host":
            vals = parse(run([exe]))
            if not target.endswith("baseline"):
                vals["cost_total"] = callgrind(exe, "bench_predict", b)
                if not target.endswith("_f32"):  # f32 has no quantised input (the table shows none)
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
    no_torch = torch_missing()
    models = tuple(m for m in MODELS if not (m == "C" and no_torch))
    notes = [f"- C (PyTorch digits CNN) skipped: {no_torch}"] if no_torch else []
    log(f"[bench] training {', '.join(models)}" + (f" (C skipped: {no_torch})" if no_torch else ""))
    src = train(os.path.join(models_root, "src"), models)
    ports = [p for p in args.ports.split(",") if p]
    dirs = {}
    for port in ports:
        key = tuple(ROWS[m].get(port, ROWS[m]["*"]) for m in models)
        d = os.path.join(models_root, "rows-" + "-".join(str(k) for k in key))
        if d not in dirs.values():
            for m, rows in zip(models, key):
                write_headers(src[m], os.path.join(d, m), rows)
        dirs[port] = d
        for m in models:
            skipped = SKIP.get((m, port), ())
            if skipped:
                what = m if skipped == POLICIES else f"{m} {'/'.join(skipped)}"
                notes.append(f"- {what} is not built for {port}: it does not fit the chip's RAM")
    results = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for res in pool.map(lambda p: bench_port(p, dirs[p], args.build, models), ports):
            results += res

    lines = ["| model | target | policy | accuracy (rows) | agrees with sklearn / PyTorch | cost / prediction: "
             "float in (int8 in) | flash: model (estimate) | stack |",
             "|---|---|---|---|---|---|---|---|"]
    order = {p: i for i, p in enumerate(ports)}
    results.sort(key=lambda r: (MODELS.index(r["model"]), order[r["port"]], POLICIES.index(r["policy"])))
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
    lines += notes
    for (model, port), (cycles, flash) in TARGETS.items():
        for r in results:
            if r["model"] == model and r["port"] == port and r["policy"] != "f32":
                ok = lambda v, lim: "met" if v <= lim else "MISSED"  # noqa: E731
                lines.append(f"- target {model} {r['policy']} on {port}: <= {cycles:,} {UNIT.get(port, 'instr')} "
                             f"(float in {ok(r['cost'], cycles)}, int8 in {ok(r['cost_q'], cycles)}), "
                             f"<= {flash:,} B flash ({ok(r['model_flash'], flash)})")
    for (model, port), cycles in FLOAT_TARGETS.items():
        for r in results:
            if r["model"] == model and r["port"] == port and r["policy"] == "f32":
                lines.append(f"- target {model} f32 on {port}: <= {cycles:,} {UNIT.get(port, 'instr')} "
                             f"({'met' if r['cost'] <= cycles else 'MISSED'})")
    lines.append(f"\n(bench_nn.py ran in {time.perf_counter() - t0:.0f} s)")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
