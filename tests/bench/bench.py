"""The benchmarks of every model family, on the host and on emulated
microcontrollers, with one harness (generator/ctml/measure.py and its
firmware harness/bench.cpp, shared with `python3 -m ctml report`).

    bench.py FAMILY [--ports host,cortex-m0,...] [--build DIR] [--markdown FILE] [--build-type T]
             [--code-size-data FILE] [family options]

FAMILY is a model list next to this file (trees.py, nn.py, folded.py,
boosting.py, linear.py, kernels.py): a new family adds one such module, with
    PORTS                      default ports
    prepare(root, args)        trains its models; returns {name: Source}
    variants(name, port)       the measure.Variant list of a model on a port
    rows(name, port)           parity-vector rows there (None: all)
    skip(port)                 firmware targets not built there (do not fit)
    table(results, ports, ...) the Markdown table and notes
    add_arguments(ap)          (optional) its own options
    extra(root, args)          (optional) lines after the table
    checks(results)            (optional) its own checks: a list of problems
    features(name)             (optional) what the code-size fit needs of a model (trees: n_nodes)
    BUILD_TYPE                 (optional) "Release" (default: the ports' -O2, AVR -Os)
                               or "MinSizeRel" (-Os everywhere)
    estimate_checked           (optional, default True) False: the code-size fit does not
                               cover this family yet; its flash estimate error is printed
                               as a known gap ("flash estimate not fitted for this family:
                               off by X%") instead of failing the benchmark
Every benchmark checks that emulated counts repeat exactly across two runs,
that the flash estimate is within 10% of the linker (the code-size fit,
scripts/fit-code-size; unless the family sets estimate_checked = False) and
what the family checks itself; it exits 1 if not.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "generator"))
sys.path.insert(0, HERE)

from ctml import measure  # noqa: E402

#: Past this the flash estimate fails the benchmark (the code-size fit is off).
ESTIMATE_TOLERANCE = 0.10


@dataclass
class Source:
    """A trained model: its file, test rows and (optional) true labels."""
    model: str
    X: str
    y: str | None = None


def headers(src: Source, out_dir: str, rows: int | None) -> None:
    if not os.path.exists(os.path.join(out_dir, "model_vectors.hpp")):
        measure.write_model(src.model, src.X, out_dir, rows, labels=src.y)


def run(family, ports: list[str], build: str, args) -> list[dict]:
    models_root = os.path.join(build, "models")
    sources = family.prepare(models_root, args)
    results = []
    for port in ports:
        models = []
        for name, src in sources.items():
            vs = family.variants(name, port)
            if not vs:
                continue
            rows = family.rows(name, port)
            d = os.path.join(models_root, f"rows-{rows or 'all'}", name)
            headers(src, d, rows)
            models.append(measure.Model(name, d, vs, truth=src.y is not None))
        # Emulated counts are exact: two runs must print the same numbers.
        results += measure.bench_port(port, models, build, repeat=1 if port == "host" else 2,
                                      skip=family.skip(port), build_type=args.build_type or getattr(family, "BUILD_TYPE", "Release"))
    return results


def checks(results: list[dict], estimate_checked: bool = True) -> list[str]:
    problems = []
    for r in results:
        what = f"{r['model']} {r['port']} {r['variant']}"
        if not r["repeatable"]:
            problems.append(f"{what}: emulated counts differ between two runs")
        err = measure.estimate_error(r)
        if estimate_checked and err is not None and abs(err) > ESTIMATE_TOLERANCE:
            problems.append(f"{what}: flash estimate {r['flash_estimate']:,} B is {err:+.1%} off the linker's "
                            f"{r['model_flash']:,} B (refit: scripts/fit-code-size)")
    return problems


def estimate_gaps(results: list[dict]) -> list[str]:
    """The known gap of a family the code-size fit does not cover (estimate_checked = False)."""
    lines = []
    for r in results:
        err = measure.estimate_error(r)
        if err is not None and abs(err) > ESTIMATE_TOLERANCE:
            lines.append(f"- flash estimate not fitted for this family: {r['model']} {r['port']} {r['variant']} "
                         f"off by {err:+.0%} ({r['flash_estimate']:,} B, linker {r['model_flash']:,} B)")
    return lines


def record_code_size(path: str, family, name: str, results: list[dict]) -> None:
    """Adds this run's measured sizes to FILE, for `scripts/fit-code-size --record FILE`."""
    data = {"measurements": []}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    features = getattr(family, "features", lambda model: {})
    recs = [dict({k: r[k] for k in ("model", "port", "variant", "model_flash", "linked_data", "data_estimate",
                                     "flash_estimate")}, family=name, **features(r["model"])) for r in results]
    key = lambda r: (r["family"], r["port"], r["model"], r["variant"])  # noqa: E731
    fresh = {key(r) for r in recs}
    data["measurements"] = [r for r in data["measurements"] if key(r) not in fresh] + recs
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("family", help="model list: trees, nn, folded, boosting, linear, kernels (tests/bench/<family>.py)")
    ap.add_argument("--build", default=None, help="build folder (default build/bench-<family>)")
    ap.add_argument("--ports", default=None, help="comma-separated ports (default: the family's)")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--build-type", default=None,
                    help="Release (the ports' -O2, AVR -Os) or MinSizeRel (-Os); default: the family's, else Release")
    ap.add_argument("--code-size-data", metavar="FILE", default=None,
                    help="add the measured sizes to FILE (then: scripts/fit-code-size --record FILE --refit)")
    known, _ = ap.parse_known_args()
    try:
        family = importlib.import_module(known.family)
    except ImportError as e:
        ap.error(f"no model list {known.family}.py in {HERE}: {e}")
    if hasattr(family, "add_arguments"):
        family.add_arguments(ap)
    args = ap.parse_args()
    t0 = time.perf_counter()
    build = args.build or os.path.join(ROOT, "build", f"bench-{args.family}")
    os.makedirs(build, exist_ok=True)
    ports = [p for p in (args.ports or family.PORTS).split(",") if p]
    results = run(family, ports, build, args)
    lines = family.table(results, ports, args)
    if hasattr(family, "extra"):
        lines += family.extra(os.path.join(build, "models"), args)
    estimate_checked = getattr(family, "estimate_checked", True)
    if not estimate_checked:
        lines += [""] + (estimate_gaps(results) or ["- flash estimate within 10% of the linker everywhere"])
    lines.append(f"\n(bench.py {args.family} ran in {time.perf_counter() - t0:.0f} s)")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.code_size_data:
        record_code_size(args.code_size_data, family, args.family, results)
    problems = checks(results, estimate_checked) + (family.checks(results) if hasattr(family, "checks") else [])
    print("emulated counts identical across two runs: " +
          ("yes" if all(r["repeatable"] for r in results) else "NO"))
    for p in problems:
        measure.log(f"[bench] {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
