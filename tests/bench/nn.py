"""Model list of the network benchmark (bench.py nn): the reference networks
of the nn issue, G (the seed's gesture MLP, examples/gesture_mlp), D (digits
MLP, train_digits.py) and C (the PyTorch digits CNN, examples/digits_cnn;
skipped with a note when torch is not importable), in f32, int8 (TFLite's
31-bit multipliers) and int8_fast (15-bit multipliers). Cost for int8 from
float input (predict) and from int8 input (predict_quantized); accuracy on
the rows run (true labels) and agreement with the framework (scikit-learn's
predict, PyTorch's argmax, as `ctml vectors` writes them); the host runs the
whole test split.
"""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from ctml import measure

HERE = os.path.dirname(os.path.abspath(__file__))
PORTS = "host,cortex-m0,cortex-m4f,atmega32u4"
MODELS = ("G", "D", "C")
POLICIES = (measure.Variant("f32"), measure.Variant("int8", ("ctml::int8",), int8=True),
            measure.Variant("int8_fast", ("ctml::int8_fast",), int8=True))
# Rows of test vectors per port: all on the host; AVR's 32 KB of flash holds
# the float model and ~16 rows of G (600 B a row). C costs ~1.5-2.5 M cycles a
# prediction on AVR, so few rows there.
ROWS = {"G": {"host": None, "atmega32u4": 12, "atmega328p": 12, "*": 60},
        "D": {"host": None, "atmega32u4": 30, "atmega328p": 30, "*": 100},
        "C": {"host": None, "atmega32u4": 20, "atmega328p": 20, "*": 100}}
# Policies not built as they do not fit the chip's RAM: C in float keeps two
# 8x8x8 float activation buffers (4 KB); on the ATmega328P's 2 KB the int8
# buffers and the harness's float rows do not fit either.
SKIP = {("C", "atmega32u4"): ("f32",), ("C", "atmega328p"): ("f32", "int8", "int8_fast")}
# The nn issue's targets: int8 cost and flash per (model, port), and float cost.
TARGETS = {("G", "atmega32u4"): (24000, 3 * 1024), ("D", "cortex-m0"): (15000, 4 * 1024)}
FLOAT_TARGETS = {("G", "atmega32u4"): 25 * 16000, ("D", "cortex-m4f"): 12000}  # 25 ms at 16 MHz
_notes: list[str] = []


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


def prepare(root: str, args) -> dict:
    """Trains the models (deterministic) into root/src/<model>/."""
    from bench import Source

    no_torch = torch_missing()
    models = tuple(m for m in MODELS if not (m == "C" and no_torch))
    _notes.clear()
    if no_torch:
        _notes.append(f"- C (PyTorch digits CNN) skipped: {no_torch}")
    measure.log(f"[bench] training {', '.join(models)}" + (f" (C skipped: {no_torch})" if no_torch else ""))
    env = dict(os.environ, PYTHONPATH=os.path.join(measure.ROOT, "generator"), PYTHONDONTWRITEBYTECODE="1")
    src = {m: os.path.join(root, "src", m) for m in models}
    script = {"G": (os.path.join(measure.ROOT, "examples", "gesture_mlp", "train.py"), "gesture.joblib"),
              "D": (os.path.join(HERE, "train_digits.py"), "digits_mlp.joblib"),
              "C": (os.path.join(measure.ROOT, "examples", "digits_cnn", "train.py"), "digits_cnn.pt")}

    def one(m: str) -> Source:
        path, out = script[m]
        measure.run([python(), path, src[m]], env=env)
        model = os.path.join(src[m], "model" + os.path.splitext(out)[1])
        os.replace(os.path.join(src[m], out), model)
        return Source(model, os.path.join(src[m], "X_test.npy"), os.path.join(src[m], "y_test.npy"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(models, pool.map(one, models)))


def variants(name: str, port: str) -> list:
    return [v for v in POLICIES if v.name not in SKIP.get((name, port), ())]


def skip(port: str) -> list[str]:
    return []


def rows(name: str, port: str) -> int | None:
    return ROWS[name].get(port, ROWS[name]["*"])


def table(results: list[dict], ports: list[str], args) -> list[str]:
    notes = list(_notes)
    for m in MODELS:
        for port in ports:
            skipped = SKIP.get((m, port), ())
            if skipped:
                what = m if len(skipped) == len(POLICIES) else f"{m} {'/'.join(skipped)}"
                notes.append(f"- {what} is not built for {port}: it does not fit the chip's RAM")
    lines = ["| model | target | policy | accuracy (rows) | agrees with sklearn / PyTorch | cost / prediction: "
             "float in (int8 in) | flash: model (estimate) | stack |",
             "|---|---|---|---|---|---|---|---|"]
    order = {p: i for i, p in enumerate(ports)}
    names = [v.name for v in POLICIES]
    results = sorted(results, key=lambda r: (MODELS.index(r["model"]), order[r["port"]], names.index(r["variant"])))
    for r in results:
        unit = measure.PORTS[r["port"]].unit
        cost = f"{r['cost']:,.0f}"
        if r["variant"] != "f32":
            cost += f" ({r['cost_q']:,.0f})"
        acc = 100.0 * r["correct"] / r["rows"]
        lines.append(f"| {r['model']} | {r['port']} | {r['variant']} | {acc:.2f}% ({r['rows']}) | "
                     f"{r['agree']}/{r['rows']} | {cost} {unit} | {r['model_flash']:,} B ({r['flash_estimate']:,} B) | "
                     f"{r['stack'] if r['port'] != 'host' else '-'} |")
    lines.append("")
    lines += notes
    ok = lambda v, lim: "met" if v <= lim else "MISSED"  # noqa: E731
    for (model, port), (cycles, flash) in TARGETS.items():
        for r in results:
            if r["model"] == model and r["port"] == port and r["variant"] != "f32":
                unit = measure.PORTS[port].unit
                lines.append(f"- target {model} {r['variant']} on {port}: <= {cycles:,} {unit} "
                             f"(float in {ok(r['cost'], cycles)}, int8 in {ok(r['cost_q'], cycles)}), "
                             f"<= {flash:,} B flash ({ok(r['model_flash'], flash)})")
    for (model, port), cycles in FLOAT_TARGETS.items():
        for r in results:
            if r["model"] == model and r["port"] == port and r["variant"] == "f32":
                lines.append(f"- target {model} f32 on {port}: <= {cycles:,} {measure.PORTS[port].unit} "
                             f"({ok(r['cost'], cycles)})")
    return lines
