"""What the benchmark drivers (trees/bench_trees.py, nn/bench_nn.py) share:
running tools, reading `key value` lines, flash of an ELF, callgrind counts,
and writing a model's header and parity vectors with the ctml CLI."""
from __future__ import annotations

import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "generator"))

from ctml import cli  # noqa: E402

SIZE_TOOL = {"cortex-m0": "arm-none-eabi-size", "cortex-m4f": "arm-none-eabi-size", "cortex-m7": "arm-none-eabi-size",
             "rv32imac": "riscv64-unknown-elf-size", "atmega328p": "avr-size", "atmega32u4": "avr-size",
             "host": "size"}
NM_TOOL = {k: v.replace("size", "nm") for k, v in SIZE_TOOL.items()}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw) -> str:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout[-3000:]}")
    return p.stdout


def parse(output: str) -> dict:
    """`key value` lines of a benchmark firmware (ctest -V's `N: ` prefix and
    simavr's colour codes allowed)."""
    vals = {}
    for line in output.splitlines():
        m = re.fullmatch(r"\s*(?:\d+: )?([a-z_]+) (\d+)\s*", re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            vals[m.group(1)] = int(m.group(2))
    return vals


def flash_of(port: str, elf: str) -> int:
    """text + data of the ELF (Berkeley format of the port's `size`)."""
    text, data = run([SIZE_TOOL[port], elf]).splitlines()[1].split()[:2]
    return int(text) + int(data)


def callgrind(exe: str, function: str, out: str) -> int:
    """Instructions executed inside `function` (callgrind: exact and repeatable)."""
    run(["valgrind", "--tool=callgrind", f"--toggle-collect=*{function}(*", f"--callgrind-out-file={out}", exe],
        cwd=os.path.dirname(out))
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def write_model(model: str, data: str, out_dir: str, rows: int | None, labels: str | None = None) -> None:
    """OUT_DIR/model.hpp (namespace model) and model_vectors.hpp via the CLI."""
    os.makedirs(out_dir, exist_ok=True)
    extra = ([] if rows is None else ["--rows", str(rows)]) + ([] if labels is None else ["--labels", labels])
    for argv in (["convert", model, "--name", "model", "-o", os.path.join(out_dir, "model.hpp")],
                 ["vectors", model, "--data", data, "--name", "model", "-o",
                  os.path.join(out_dir, "model_vectors.hpp")] + extra):
        if cli.main(argv) != 0:
            raise RuntimeError(f"ctml {argv[0]} failed for {out_dir}")
