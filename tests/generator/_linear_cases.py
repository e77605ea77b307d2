"""Shared pieces of the linear-family generator tests (not a test module):
reference rows (test rows, random rows over the training range, and rows on
sklearn's decision boundaries found by bisection on float32 values)."""

from __future__ import annotations

import concurrent.futures
import functools

import numpy as np

FORCED = "-DCTML_FORCE_INTEGER_BINARY64"  # the float path with double refinement, as on MCUs
SOFT_BOUND = "-DCTML_FORCE_SOFT_FLOAT_BOUND"  # and the exponent bound of soft-float chips (every other model)


@functools.lru_cache(maxsize=None)
def dataset(name: str):
    from sklearn import datasets

    if name == "iris":
        return datasets.load_iris(return_X_y=True)
    if name == "wine":
        return datasets.load_wine(return_X_y=True)
    if name == "cancer":
        return datasets.load_breast_cancer(return_X_y=True)
    if name == "digits":
        return datasets.load_digits(return_X_y=True)
    if name == "diabetes":
        return datasets.load_diabetes(return_X_y=True)
    if name == "blobs":
        X, y = datasets.make_classification(n_samples=300, n_features=12, n_informative=6, n_classes=4,
                                            random_state=3)
        return X * 7.0 + 3.0, y
    if name == "regression":
        return datasets.make_regression(n_samples=200, n_features=9, noise=3.0, random_state=2)
    raise KeyError(name)


def f32(X) -> np.ndarray:
    return np.asarray(X, dtype=np.float32).astype(np.float64)


def random_rows(X: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Rows drawn uniformly over the training range of each feature."""
    rng = np.random.default_rng(seed)
    lo, hi = X.min(axis=0), X.max(axis=0)
    return f32(lo + (hi - lo) * rng.random((n, X.shape[1])))


def _ordered(v: np.ndarray) -> np.ndarray:
    """float32 -> integers in the same order (for bisection on floats)."""
    b = np.asarray(v, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(b < 0, -(b & 0x7FFFFFFF), b)


def _from_ordered(o: np.ndarray) -> np.ndarray:
    o = np.asarray(o, dtype=np.int64)
    b = np.where(o < 0, (-o) | 0x80000000, o).astype(np.uint32).view(np.int32)
    return b.view(np.float32).astype(np.float64)


def boundary_rows(predict, X: np.ndarray, n_rows: int = 24, seed: int = 1, ulps: int = 2) -> np.ndarray:
    """Rows on sklearn's decision boundaries: for a row and a feature, the two
    adjacent float32 values of that feature where ``predict`` changes, found
    by bisection over float32 bit patterns, plus ``ulps`` neighbours on each
    side. Scores there are within an ulp or so of a tie."""
    rng = np.random.default_rng(seed)
    X = f32(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    out = []
    tries = 0
    while len(out) < n_rows * (2 * ulps + 2) and tries < 40 * n_rows:
        tries += 1
        row = X[rng.integers(len(X))].copy()
        j = int(rng.integers(X.shape[1]))
        a, b = lo[j] - span[j], hi[j] + span[j]
        rows = np.repeat(row[None], 2, axis=0)
        rows[0, j], rows[1, j] = np.float32(a), np.float32(b)
        pa, pb = predict(rows)
        if pa == pb:
            continue
        oa, ob = _ordered(np.float32(a)), _ordered(np.float32(b))
        while ob - oa > 1:  # one bisection step per call would be slow: batch 32 probes
            probes = np.unique(np.linspace(oa, ob, 34).astype(np.int64))
            cand = np.repeat(row[None], len(probes), axis=0)
            cand[:, j] = _from_ordered(probes)
            p = predict(cand)
            k = int(np.flatnonzero(p != pa)[0])
            oa, ob = probes[k - 1], probes[k]
        centre = np.arange(oa - ulps, ob + ulps + 1)
        cand = np.repeat(row[None], len(centre), axis=0)
        cand[:, j] = _from_ordered(centre)
        out.append(cand)
    return np.vstack(out) if out else np.zeros((0, X.shape[1]))


def reference_rows(est, X: np.ndarray, n_random: int = 300, n_boundary: int = 16) -> np.ndarray:
    X = f32(X)
    parts = [X, random_rows(X, n_random)]
    from sklearn.base import is_regressor

    if not is_regressor(est):
        parts.append(boundary_rows(est.predict, X, n_boundary))
    return np.vstack(parts)


class Agreement:
    """Mixin for a TestCase: ``cases_factory()`` gives {name: (fitted, X)}; every
    model is compiled twice (double path, float32 path) and compared with
    sklearn on reference_rows."""

    cases_factory = None

    @classmethod
    def setUpClass(cls):
        import ctml
        from ctml import host

        cls.cases = cls.cases_factory()
        cls.rows = {n: reference_rows(est, X) for n, (est, X) in cls.cases.items()}
        cls.models = {n: ctml.convert(est, name=n) for n, (est, _) in cls.cases.items()}
        cls.got, cls.errors = {}, {}
        base = list(host.CXXFLAGS)

        def run(name, forced):
            m = cls.models[name]
            return m.predict(cls.rows[name])

        # the direct double path, then the float32 path (FPU bound for half of
        # the models, soft-float bound for the other half)
        names = list(cls.models)
        batches = [(False, [], names), (True, [FORCED], names[0::2]), (True, [FORCED, SOFT_BOUND], names[1::2])]
        for forced, flags, batch in batches:
            host.CXXFLAGS[:] = base + flags
            try:
                with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                    futures = {n: pool.submit(run, n, forced) for n in batch}
                    for n, f in futures.items():
                        try:
                            cls.got[n, forced] = f.result()
                        except Exception as e:  # reported per test
                            cls.errors[n, forced] = e
            finally:
                host.CXXFLAGS[:] = base

    def check(self, name):
        est, _ = self.cases[name]
        X = self.rows[name]
        want = est.predict(X)
        for forced in (False, True):
            if (name, forced) in self.errors:
                self.fail(f"{name}: {self.errors[name, forced]}")
            got = self.got[name, forced]
            bad = np.flatnonzero(got != want)
            self.assertEqual(len(bad), 0, f"{name} ({'float path' if forced else 'double'}): {len(bad)} of {len(X)} "
                                          f"rows differ, first {bad[:5]}: ctml {got[bad[:5]]} sklearn {want[bad[:5]]}")


_OUTPUT_DRIVER = """\
#include "model.hpp"
#include <array>
#include <cstdio>
int main() {{
  std::array<float, {name}::n_features> x{{}};
  std::array<float, {n_out}> y{{}};
  constexpr auto last = boost::mp11::mp_back<typename decltype({name}::model)::stages>{{}};
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    last.{method}(x, std::span<float, {n_out}>(y));
    for (float v : y) std::printf("%a ", static_cast<double>(v));
    std::printf("\\n");
  }}
}}
"""


def run_outputs(model, X, method: str, n_out: int) -> np.ndarray:
    """``method`` (decision_function, predict_proba) of the model's only stage,
    compiled on the host, for the float32 rows of X."""
    import os
    import subprocess
    import tempfile

    from ctml import host

    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "model.hpp"), "w") as f:
            f.write(model.header)
        with open(os.path.join(d, "main.cpp"), "w") as f:
            f.write(_OUTPUT_DRIVER.format(name=model.name, n_out=n_out, method=method))
        exe = os.path.join(d, "a.out")
        r = subprocess.run([host.compiler(), *host.CXXFLAGS, "-I", host.include_dir(), "-I", d,
                            os.path.join(d, "main.cpp"), "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr[-2000:])
        out = subprocess.run([exe], input=np.ascontiguousarray(X, dtype=np.float32).tobytes(), capture_output=True)
    return np.array([[float.fromhex(v) for v in line.split()] for line in out.stdout.decode().splitlines()])


_Q_DRIVER = """\
#include "model.hpp"
#include <array>
#include <cstdint>
#include <cstdio>
int main() {{
  std::array<std::int16_t, {name}::n_features> x{{}};
  constexpr auto model = {name}::model.with(ctml::q<std::int16_t, {frac}>{{}});
  while (std::fread(x.data(), sizeof(std::int16_t), x.size(), stdin) == x.size())
    std::printf("%.9g\\n", static_cast<double>(model.predict(x)));
}}
"""


def frac_bits_for(X) -> int:
    """The most fraction bits with which every value of X fits int16."""
    top = float(np.max(np.abs(X)))
    f = 15
    while f > 0 and top * 2.0**f >= 32767:
        f -= 1
    return f


def run_q(model, X, frac: int) -> np.ndarray:
    """predict of the model with q<int16_t, frac> on X quantised to that format."""
    import os
    import subprocess
    import tempfile

    from ctml import host

    Xq = np.clip(np.round(np.asarray(X) * 2.0**frac), -32768, 32767).astype(np.int16)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "model.hpp"), "w") as f:
            f.write(model.header)
        with open(os.path.join(d, "main.cpp"), "w") as f:
            f.write(_Q_DRIVER.format(name=model.name, frac=frac))
        exe = os.path.join(d, "a.out")
        r = subprocess.run([host.compiler(), "-std=c++20", "-O1", "-I", host.include_dir(), "-I", d,
                            os.path.join(d, "main.cpp"), "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr[-2000:])
        out = subprocess.run([exe], input=np.ascontiguousarray(Xq).tobytes(), capture_output=True)
    return np.array([float(v) for v in out.stdout.decode().split()])
