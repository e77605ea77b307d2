"""What `convert --data` (compile-time self checks) adds to compile time.

    PYTHONPATH=generator /usr/bin/python3 tests/bench/selfcheck_cost.py [--repeat 3]

Trains the tree benchmark's M1 (10 trees, depth 10) and M3 (100 trees) on
digits, converts each with --data (8 rows of the test split), and compiles a
caller of `model.predict` (automatic layout) with g++-12 and clang++-14 at
-O2, with the checks and with -DCTML_NO_SELF_CHECK. Prints a Markdown table:
CPU seconds (user + system, the least of --repeat runs) and peak MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def compile_once(cxx: str, src: str, inc: str, defines: list[str]) -> tuple[float, int]:
    r = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", cxx, "-std=c++20", "-O2", *defines, "-I",
                        os.path.join(ROOT, "include"), "-I", inc, "-c", src, "-o", os.devnull],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{cxx} failed:\n{r.stderr[-3000:]}")
    user, system, kb = r.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system), int(kb) // 1024


def reference_models():
    """M1 and M3 of the trees benchmark (tests/bench/trees.py), on digits."""
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.25, random_state=42)
    models = {"M1": RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0),
              "M3": RandomForestClassifier(n_estimators=100, random_state=0)}
    for m in models.values():
        m.fit(Xtr, ytr)
    return models, Xte


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    models, Xte = reference_models()
    with tempfile.TemporaryDirectory(prefix="ctml-sc-cost-") as d:
        data = os.path.join(d, "X.npy")
        np.save(data, Xte)
        lines = ["| model | compiler | without checks | with 8 checked rows | added |", "|---|---|---|---|---|"]
        for name in ("M1", "M3"):
            import joblib

            md = os.path.join(d, name)
            os.makedirs(md)
            joblib.dump(models[name], os.path.join(md, "model.joblib"))
            env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "generator"))
            subprocess.run([sys.executable, "-m", "ctml", "convert", os.path.join(md, "model.joblib"), "--name",
                            "model", "--data", data, "-o", os.path.join(md, "model.hpp")], check=True, env=env)
            src = os.path.join(md, "caller.cpp")
            with open(src, "w") as f:
                f.write('#include <array>\n#include "model.hpp"\n'
                        "int predict(const std::array<float, model::n_features>& x) "
                        "{ return model::model.predict(x); }\n")
            for cxx in ("g++-12", "clang++-14"):
                off = min(compile_once(cxx, src, md, ["-DCTML_NO_SELF_CHECK"]) for _ in range(args.repeat))
                on = min(compile_once(cxx, src, md, []) for _ in range(args.repeat))
                lines.append(f"| {name} | {cxx} | {off[0]:.2f} s, {off[1]} MB | {on[0]:.2f} s, {on[1]} MB | "
                             f"+{on[0] - off[0]:.2f} s ({100 * (on[0] - off[0]) / off[0]:+.0f}%) |")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
