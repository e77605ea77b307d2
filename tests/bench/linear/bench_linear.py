"""Benchmark of the issue-12 targets (linear family) on emulated MCUs:
LogisticRegression multinomial on standardised wine, GaussianNB on iris, LDA
on breast cancer. Rows: the whole dataset plus random rows over its range
(wine 178 + 26 = 204, iris 150 + 45 = 195, cancer 569). Flash = firmware -
baseline firmware without the model; cost = mean QEMU -icount instructions
(AVR: cycles) per prediction. Usage: bench_linear.py [port ...]"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "generator"))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd) -> str:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout[-3000:]}")
    return p.stdout


def parse(output: str) -> dict:
    """`key value` lines of a firmware (ctest -V's `N: ` prefix, simavr colours allowed)."""
    vals = {}
    for line in output.splitlines():
        m = re.fullmatch(r"\s*(?:\d+: )?([a-z_]+) (\d+)\s*", re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            vals[m.group(1)] = int(m.group(2))
    return vals


def flash_of(port: str, elf: str) -> int:
    """text + data of the ELF."""
    tool = "avr-size" if port.startswith("atmega") else (
        "riscv64-unknown-elf-size" if port == "rv32imac" else "arm-none-eabi-size")
    text, data = run([tool, elf]).splitlines()[1].split()[:2]
    return int(text) + int(data)


def models():
    from sklearn.datasets import load_breast_cancer, load_iris, load_wine
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def rows(X, n, seed=0):
        rng = np.random.default_rng(seed)
        lo, hi = X.min(0), X.max(0)
        return np.vstack([X, lo + (hi - lo) * rng.random((n, X.shape[1]))]).astype(np.float32)

    Xw, yw = load_wine(return_X_y=True)
    Xi, yi = load_iris(return_X_y=True)
    Xc, yc = load_breast_cancer(return_X_y=True)
    return {
        "lr_wine": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(Xw, yw), rows(Xw, 26)),
        "gnb_iris": (GaussianNB().fit(Xi, yi), rows(Xi, 45)),
        "lda_cancer": (LinearDiscriminantAnalysis().fit(Xc, yc), rows(Xc, 0)),
    }


def write(est, X, out_dir):
    import joblib

    from ctml import cli

    os.makedirs(out_dir, exist_ok=True)
    joblib.dump(est, os.path.join(out_dir, "m.joblib"))
    np.save(os.path.join(out_dir, "X.npy"), X)
    for argv in (["convert", "m.joblib", "--name", "model", "-o", "model.hpp"],
                 ["vectors", "m.joblib", "--data", "X.npy", "--name", "model", "-o", "model_vectors.hpp"]):
        cwd = os.getcwd()
        os.chdir(out_dir)
        try:
            if cli.main(argv) != 0:
                raise RuntimeError(f"ctml {' '.join(argv)} failed")
        finally:
            os.chdir(cwd)


def main(ports) -> int:
    build = os.path.join(ROOT, "build", "bench-linear")
    models_dir = os.path.join(build, "models")
    ms = models()
    for name, (est, X) in ms.items():
        write(est, X, os.path.join(models_dir, name))
    names = list(ms)
    table = []
    for port in ports:
        b = os.path.join(build, f"port-{port}")
        shutil.rmtree(b, ignore_errors=True)
        run(["cmake", "-S", HERE, "-B", b, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
             f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}",
             f"-DCTML_BENCH_MODELS_DIR={models_dir}", f"-DCTML_BENCH_MODELS={';'.join(names)}"])
        run(["nice", "cmake", "--build", b, "-j2"])
        for name in names:
            vals = {}
            for kind in ("baseline", "model"):
                out = run(["ctest", "--test-dir", b, "-V", "-R", f"^bench_{name}_{kind}$"])
                vals[kind] = parse(out)
                vals[kind]["flash"] = flash_of(port, os.path.join(b, f"bench_{name}_{kind}.elf"))
            v = vals["model"]
            row = (port, name, f"{v['agree']}/{v['rows']}", round(v["cost_total"] / v["rows"]), v["cost_worst"],
                   v["flash"] - vals["baseline"]["flash"], v["stack"], v["flash_estimate"])
            table.append(row)
            log(" ".join(map(str, row)))
    print("| port | model | agree | cost (mean) | cost (worst) | flash B | stack B | flash estimate |")
    print("|---|---|---|---|---|---|---|---|")
    for r in table:
        print("| " + " | ".join(map(str, r)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["cortex-m0", "cortex-m4f"]))
