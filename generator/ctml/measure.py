"""Build, run and measure converted models on the host and on emulated
microcontrollers: the code behind ``python3 -m ctml report`` and the
benchmarks (tests/bench). Numbers come from the tools, not from estimates:

  - cost per prediction: callgrind instructions on the host, QEMU -icount
    instructions on Cortex-M / RISC-V, simavr cycles on AVR (exact);
  - flash: ``size`` of the firmware minus a baseline firmware with the same
    harness and no model (tables + predict code), next to ctml's estimate;
    static RAM the same way (data + bss);
  - stack: peak stack of one prediction (painted stack);
  - agreement with the framework (and accuracy with true labels) on the rows
    of the parity vectors (``ctml vectors``).

One firmware source serves every model family (harness/bench.cpp); a
:class:`Model` names the folder holding ``model.hpp`` and
``model_vectors.hpp`` and the variants to build (``model.with(T{})``).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

#: The ctml source tree (include/, ports/, cmake/): two folders above this package.
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")


@dataclass(frozen=True)
class Port:
    name: str
    tools: str  # binutils prefix
    unit: str  # what a cost counts
    clock_hz: int | None  # the chip's clock, for microseconds (None: no chip)
    chip: str


PORTS = {
    "host": Port("host", "", "instr", None, "the build machine (x86-64, g++-12 -O2)"),
    "cortex-m0": Port("cortex-m0", "arm-none-eabi-", "instr", 16_000_000, "nRF51822 (BBC micro:bit)"),
    "cortex-m4f": Port("cortex-m4f", "arm-none-eabi-", "instr", 168_000_000, "STM32F407-class"),
    "cortex-m7": Port("cortex-m7", "arm-none-eabi-", "instr", 216_000_000, "STM32F746-class"),
    "rv32imac": Port("rv32imac", "riscv64-unknown-elf-", "instr", 108_000_000, "GD32VF103CB-class"),
    "atmega328p": Port("atmega328p", "avr-", "cycles", 16_000_000, "ATmega328P (Arduino Uno)"),
    "atmega32u4": Port("atmega32u4", "avr-", "cycles", 16_000_000, "ATmega32u4 (Arduino Leonardo)"),
}
#: The ports that run under an emulator (the default of ``report``).
EMULATED = ("cortex-m0", "cortex-m4f", "cortex-m7", "rv32imac", "atmega328p", "atmega32u4")


class MeasureError(RuntimeError):
    """A build or run failed (the message ends with the tool's last output)."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw) -> str:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise MeasureError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout[-3000:]}")
    return p.stdout


def budget(port: str) -> tuple[int, int]:
    """The chip's flash and RAM in bytes, read from ports/<port>/ctml_port.hpp."""
    with open(os.path.join(ROOT, "ports", port, "ctml_port.hpp")) as f:
        m = re.search(r"budget<(.+?),\s*(std::size_t\{1\} << 30|[0-9u *]+)>", f.read())
    if not m:
        raise MeasureError(f"no budget in ports/{port}/ctml_port.hpp")

    def value(expr: str) -> int:
        expr = expr.replace("std::size_t{1}", "1").replace("u", "")
        if not re.fullmatch(r"[0-9 *<]+", expr):
            raise MeasureError(f"cannot read budget {expr!r} of {port}")
        total = 1
        if "<<" in expr:
            a, b = expr.split("<<")
            return int(a) << int(b)
        for part in expr.split("*"):
            total *= int(part)
        return total

    return value(m.group(1)), value(m.group(2))


def parse(output: str) -> dict:
    """`key value` lines of a benchmark firmware (ctest -V's `N: ` prefix and
    simavr's colour codes allowed)."""
    vals = {}
    for line in output.splitlines():
        m = re.fullmatch(r"\s*(?:\d+: )?([a-z_0-9]+) (\d+)\s*", re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            vals[m.group(1)] = int(m.group(2))
    return vals


def sizes(port: str, elf: str) -> tuple[int, int]:
    """Flash (text + data) and static RAM (data + bss) of an ELF."""
    text, data, bss = (int(v) for v in run([PORTS[port].tools + "size", "-B", elf]).splitlines()[1].split()[:3])
    return text + data, data + bss


def flash_of(port: str, elf: str) -> int:
    return sizes(port, elf)[0]


def linked_table_bytes(port: str, elf: str) -> int:
    """Bytes of ctml's constant tables the linker placed (data symbols only)."""
    total = 0
    for line in run([PORTS[port].tools + "nm", "-S", "-C", elf]).splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] not in "TtWwBb" and parts[3].startswith("ctml::"):
            total += int(parts[1], 16)
    return total


def callgrind(exe: str, function: str, out: str) -> int:
    """Instructions executed inside `function` (callgrind: exact and repeatable)."""
    run(["valgrind", "--tool=callgrind", f"--toggle-collect=*{function}(*", f"--callgrind-out-file={out}", exe],
        cwd=os.path.dirname(out))
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def write_model(model: str, data: str, out_dir: str, rows: int | None, labels: str | None = None,
                torch_module: str | None = None) -> None:
    """OUT_DIR/model.hpp (namespace model) and model_vectors.hpp via the CLI."""
    from . import cli

    os.makedirs(out_dir, exist_ok=True)
    extra = ([] if rows is None else ["--rows", str(rows)]) + ([] if labels is None else ["--labels", labels])
    both = [] if torch_module is None else ["--torch-module", torch_module]
    for argv in (["convert", model, "--name", "model", "-o", os.path.join(out_dir, "model.hpp")] + both,
                 ["vectors", model, "--data", data, "--name", "model", "-o",
                  os.path.join(out_dir, "model_vectors.hpp")] + extra + both):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = cli.main(argv)
        if rc != 0:
            why = err.getvalue().strip().splitlines()
            raise MeasureError(f"ctml {argv[0]} failed for {out_dir}: " + (why[-1] if why else f"exit {rc}"))


@dataclass(frozen=True)
class Variant:
    """One way to build a model: `model.with(WITH{})` (a policy or a layout)."""
    name: str
    with_: tuple[str, ...] = ()  # C++ types, e.g. ("ctml::table_layout",); (): the model as converted
    int8: bool = False  # has the int8 input path (networks in int8 policies)


@dataclass
class Model:
    """A converted model: a folder with model.hpp and model_vectors.hpp."""
    name: str
    dir: str
    variants: list[Variant]
    truth: bool = False  # the vectors hold truth[] (accuracy)
    per_stage: bool = False  # also build a firmware that measures each stage


@dataclass
class Firmware:
    target: str
    model: Model
    variant: Variant | None  # None: the baseline
    per_stage: bool = False

    def definitions(self) -> list[str]:
        d = []
        if self.variant is None:
            d.append("CTML_BENCH_BASELINE")
            if any(v.int8 for v in self.model.variants):
                d.append("CTML_BENCH_INT8")
        else:
            for i, t in enumerate(self.variant.with_[:2]):
                d.append(f"CTML_BENCH_WITH{'' if i == 0 else 2}={t}")
        if self.model.truth:
            d.append("CTML_BENCH_TRUTH")
        if self.per_stage:
            d.append("CTML_BENCH_PER_STAGE")
        return d


def firmware_list(models: list[Model], skip=()) -> list[Firmware]:
    out = []
    for m in models:
        for v in [None] + list(m.variants):
            t = f"bench_{m.name}_{'baseline' if v is None else v.name}"
            if t in skip:
                continue
            out.append(Firmware(t, m, v))
            if v is not None and m.per_stage:
                out.append(Firmware(t + "_stages", m, v, per_stage=True))
    return out


def build(port: str, firmware: list[Firmware], build_dir: str, jobs: int = 2, build_type: str = "Release") -> str:
    """Configures and builds the firmware for one port in build_dir (fresh);
    returns the build log when some firmware failed to build, else "".
    build_type: Release (the ports' -O2, AVR -Os) or MinSizeRel (-Os everywhere)."""
    shutil.rmtree(build_dir, ignore_errors=True)
    os.makedirs(build_dir)
    targets_file = os.path.join(build_dir, "ctml_bench_targets.cmake")
    with open(targets_file, "w") as f:
        for fw in firmware:
            defs = " ".join(f'"{d}"' for d in fw.definitions())
            f.write(f'ctml_bench({fw.target} "{fw.model.dir}" {defs})\n')
    cfg = ["cmake", "-S", HARNESS, "-B", build_dir, "-G", "Ninja", f"-DCMAKE_BUILD_TYPE={build_type}",
           f"-DCTML_SOURCE_DIR={ROOT}", f"-DCTML_BENCH_TARGETS_FILE={targets_file}",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}"]
    if port == "host":
        cfg.append("-DCMAKE_CXX_COMPILER=g++-12")
    run(cfg)
    # Keep going: firmware that does not fit the chip fails to link, the rest is measured.
    p = subprocess.run(["nice", "cmake", "--build", build_dir, f"-j{jobs}", "--", "-k", "0"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.stdout if p.returncode != 0 else ""


def _stage_count(vals: dict) -> int:
    return vals.get("stages", 0)


def build_failures(build_log: str) -> dict:
    """target -> the first telling line of why it did not build (ninja's FAILED blocks)."""
    out = {}
    for block in build_log.split("FAILED: ")[1:]:
        lines = block.splitlines()
        m = re.search(r"(bench_[A-Za-z0-9_]+?)(?:\.elf)?(?:\s|$)", lines[0]) if lines else None
        if not m:
            continue
        why = "build failed"
        for pattern in (r"overflow|will not fit|exceeds", r"undefined reference to", r"error:"):
            hit = next((ln for ln in lines if re.search(pattern, ln)), None)
            if hit:
                why = re.sub(r"^.*?(region|section|undefined reference|error:)", r"\1", hit.strip())
                break
        out.setdefault(m.group(1), why[:200])
    return out


def measure(port: str, firmware: list[Firmware], build_dir: str, repeat: int = 1, jobs: int = 2,
            failures: dict | None = None, strict: bool = True) -> list[dict]:
    """Runs the built firmware; one dict per (model, variant) with the
    measured and estimated numbers (see the module doc). Emulated counts are
    exact: with repeat=2 every firmware runs twice and `repeatable` says
    whether both runs printed the same numbers. A firmware that did not build
    or run raises (strict) or gives a dict with `failed` (the reason)."""
    exe = {fw.target: os.path.join(build_dir, fw.target + ("" if port == "host" else ".elf")) for fw in firmware}
    failures = dict(failures or {})

    def one(fw: Firmware) -> dict:
        path = exe[fw.target]
        if not os.path.exists(path):
            return {"failed": failures.get(fw.target, "did not build")}
        try:
            if port == "host":
                vals = parse(run([path]))
                vals["repeatable"] = True
                if fw.variant is not None and not fw.per_stage:
                    cg = lambda fn: callgrind(path, fn, f"{path}.{fn}.callgrind")  # noqa: E731
                    vals["cost_total"] = cg("bench_predict")
                    vals["cost_q_total"] = cg("bench_predict_quantized") if fw.variant.int8 else 0
                if fw.per_stage:
                    for i in range(_stage_count(vals)):
                        fn = "bench_last" if i + 1 == _stage_count(vals) else f"bench_run<{i}ul>"
                        vals[f"stage_cost_{i}"] = callgrind(path, fn, f"{path}.stage{i}.callgrind")
            else:
                runs = [parse(run(["ctest", "--test-dir", build_dir, "-V", "-R", f"^{fw.target}$"]))
                        for _ in range(max(repeat, 1))]
                vals = runs[0]
                vals["repeatable"] = all(r == vals for r in runs)
        except MeasureError as e:
            if strict:
                raise
            return {"failed": "run failed: " + (str(e).splitlines()[-1] if str(e) else "?")[:200]}
        vals.pop("test", None)  # ctest's own `test N` line
        vals["flash"], vals["ram_static"] = sizes(port, path)
        vals["linked_data"] = linked_table_bytes(port, path)
        return vals

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        measured = dict(zip((fw.target for fw in firmware), pool.map(one, firmware)))
    bad = {t: v["failed"] for t, v in measured.items() if "failed" in v}
    if strict and bad:
        raise MeasureError(f"{port}: " + "; ".join(f"{t}: {why}" for t, why in bad.items()))
    results = []
    for fw in firmware:
        if fw.variant is None or fw.per_stage:
            continue
        m = fw.model
        vals = dict(measured[fw.target])
        vals.update(port=port, model=m.name, variant=fw.variant.name)
        if "failed" in vals:
            results.append(vals)
            continue
        base = measured.get(f"bench_{m.name}_baseline", {})
        if "failed" in base:
            base = {}
        vals["model_flash"] = vals["flash"] - base["flash"] if base else None
        vals["model_ram_static"] = vals["ram_static"] - base["ram_static"] if base else None
        rows = max(vals["rows"], 1)
        vals["cost"] = vals["cost_total"] / rows
        vals["cost_q"] = vals.get("cost_q_total", 0) / rows
        staged = measured.get(fw.target + "_stages")
        if staged and "failed" not in staged:
            vals["repeatable"] = vals["repeatable"] and staged["repeatable"]
            vals["stages"] = [{k: staged[f"stage_{k}_{i}"] / (rows if k == "cost" else 1)
                               for k in ("cost", "flash", "data", "ram", "state", "ops")}
                              for i in range(_stage_count(staged))]
        results.append(vals)
    return results


def bench_port(port: str, models: list[Model], build_root: str, repeat: int = 1, skip=(), jobs: int = 2,
               strict: bool = True, build_type: str = "Release") -> list[dict]:
    """Builds, runs and measures every model and variant on one port (see
    :func:`measure` for `strict`)."""
    firmware = firmware_list(models, skip)
    b = os.path.join(build_root, f"port-{port}")
    t0 = time.perf_counter()
    log(f"[ctml] {port}: building {len(firmware)} firmware images")
    failures = build_failures(build(port, firmware, b, jobs, build_type))
    if strict and failures:
        raise MeasureError(f"{port}: " + "; ".join(f"{t}: {why}" for t, why in failures.items()))
    log(f"[ctml] {port}: running them" + (" (under the emulator)" if port != "host" else " (callgrind)"))
    res = measure(port, firmware, b, repeat, jobs, failures, strict)
    log(f"[ctml] {port}: done in {time.perf_counter() - t0:.0f} s")
    return res


def microseconds(port: str, count: float) -> float | None:
    """Time at the chip's clock (instruction counts taken as one a cycle)."""
    hz = PORTS[port].clock_hz
    return None if hz is None else count * 1e6 / hz


def estimate_error(r: dict) -> float | None:
    """(estimate - linker) / linker of the model's flash."""
    if not r.get("model_flash"):
        return None
    return (r["flash_estimate"] - r["model_flash"]) / r["model_flash"]
