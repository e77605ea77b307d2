"""End to end: the generated header compiled with the ctml library predicts
exactly what scikit-learn predicts (needs g++ and include/ctml/trees/forest.hpp)."""

import concurrent.futures
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

import _helpers as h
from _helpers import ctml


def _cases():
    from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                                  RandomForestRegressor)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    Xtr, Xte, ytr, _ = h.digits()
    Xd = np.vstack([Xtr, Xte])
    Xi, yi = h.iris_str()
    Xr, yr = h.diabetes()
    Xb, yb = h.binary()

    def small_rf():
        return RandomForestClassifier(n_estimators=4, max_depth=6, random_state=0)

    return {
        "rf_digits": (h.digits_forest(), Xd),
        "dt_digits": (DecisionTreeClassifier(random_state=0).fit(Xtr, ytr), Xd),
        "et_digits": (ExtraTreesClassifier(n_estimators=4, max_depth=8, random_state=0).fit(Xtr, ytr), Xd),
        "et_iris_str": (ExtraTreesClassifier(n_estimators=5, random_state=0).fit(Xi, yi), Xi),
        # best-first trees (max_leaf_nodes) are renumbered into pre-order
        "rf_best_first": (RandomForestClassifier(n_estimators=3, max_leaf_nodes=40, random_state=0).fit(Xtr, ytr), Xd),
        "rf_binary": (RandomForestClassifier(n_estimators=5, max_depth=6, random_state=0).fit(Xb, yb), Xb),
        "rf_diabetes": (h.diabetes_forest(), Xr),
        "dt_diabetes": (DecisionTreeRegressor(random_state=0).fit(Xr, yr), Xr),
        "et_diabetes": (ExtraTreesRegressor(n_estimators=4, max_depth=8, random_state=0).fit(Xr, yr), Xr),
        "pipe_standard": (make_pipeline(StandardScaler(), small_rf()).fit(Xi, yi), Xi),
        "pipe_minmax": (make_pipeline(MinMaxScaler(clip=True), small_rf()).fit(Xi, yi), Xi),
        "pipe_maxabs": (make_pipeline(MaxAbsScaler(), small_rf()).fit(Xi, yi), Xi),
        "pipe_robust": (make_pipeline(RobustScaler(), small_rf()).fit(Xi, yi), Xi),
        "pipe_standard_reg": (
            make_pipeline(StandardScaler(), RandomForestRegressor(n_estimators=3, max_depth=5, random_state=0))
            .fit(Xr, yr),
            Xr,
        ),
    }


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class HostPredictTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from ctml import host

        cls.cases = _cases()
        cls.models = {name: ctml.convert(est, name=name) for name, (est, _) in cls.cases.items()}
        # compile everything in parallel once; .predict then finds the cached binaries
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            futures = {n: pool.submit(host.build, m.header, m.name, m.is_classifier) for n, m in cls.models.items()}
            cls.build_errors = {}
            for n, f in futures.items():
                try:
                    f.result()
                except Exception as e:  # reported per test below
                    cls.build_errors[n] = e

    def check(self, name):
        if name in self.build_errors:
            self.fail(f"{name}: {self.build_errors[name]}")
        est, X = self.cases[name]
        m = self.models[name]
        got = m.predict(X)
        want = est.predict(X.astype(np.float32).astype(np.float64))
        self.assertEqual(got.shape, want.shape)
        if m.is_classifier:
            self.assertEqual(got.dtype, want.dtype)
            bad = np.flatnonzero(got != want)
        else:
            bad = np.flatnonzero(got != want)  # exact, not approximate
        self.assertEqual(len(bad), 0, f"{name}: {len(bad)} of {len(X)} rows differ, first {bad[:5]}: "
                                      f"ctml {got[bad[:5]]} sklearn {want[bad[:5]]}")

    def test_rf_digits(self):
        self.check("rf_digits")

    def test_dt_digits(self):
        self.check("dt_digits")

    def test_et_digits(self):
        self.check("et_digits")

    def test_et_iris_string_labels(self):
        self.check("et_iris_str")

    def test_rf_best_first(self):
        self.check("rf_best_first")

    def test_rf_binary(self):
        self.check("rf_binary")

    def test_rf_regressor(self):
        self.check("rf_diabetes")

    def test_dt_regressor(self):
        self.check("dt_diabetes")

    def test_et_regressor(self):
        self.check("et_diabetes")

    def test_pipeline_standard_scaler(self):
        self.check("pipe_standard")

    def test_pipeline_min_max_scaler(self):
        self.check("pipe_minmax")

    def test_pipeline_max_abs_scaler(self):
        self.check("pipe_maxabs")

    def test_pipeline_robust_scaler(self):
        self.check("pipe_robust")

    def test_pipeline_regressor(self):
        self.check("pipe_standard_reg")

    def test_predict_index_and_empty(self):
        m = self.models["et_iris_str"]
        X = self.cases["et_iris_str"][1]
        idx = m.predict_index(X[:7])
        self.assertEqual(idx.dtype, np.int64)
        np.testing.assert_array_equal(m.classes_[idx], m.predict(X[:7]))
        self.assertEqual(len(m.predict(X[:0])), 0)
        with self.assertRaises(ValueError):
            m.predict(np.zeros((2, 3)))

    def test_two_headers_in_one_program(self):
        from ctml import host

        with tempfile.TemporaryDirectory() as d:
            for n in ("rf_digits", "rf_diabetes"):
                self.models[n].save(os.path.join(d, n + ".hpp"))
            src = os.path.join(d, "main.cpp")
            with open(src, "w") as f:
                f.write('#include "rf_digits.hpp"\n#include "rf_diabetes.hpp"\n#include <array>\n'
                        "int main() {\n"
                        "  std::array<float, rf_digits::n_features> a{};\n"
                        "  std::array<float, rf_diabetes::n_features> b{};\n"
                        "  auto i = rf_digits::model.predict(a);\n"
                        "  auto v = rf_diabetes::model.predict(b);\n"
                        "  return (static_cast<long long>(i) >= 0 && v == v) ? 0 : 1;\n}\n")
            r = subprocess.run([host.compiler(), *host.CXXFLAGS, "-I", host.include_dir(), src,
                                "-o", os.path.join(d, "a.out")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            self.assertEqual(subprocess.run([os.path.join(d, "a.out")]).returncode, 0)


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class VerifyCommandTest(unittest.TestCase):
    def test_verify_agrees(self):
        d = tempfile.mkdtemp(prefix="ctml-verify-")
        try:
            model = h.dump(h.digits_forest(), os.path.join(d, "digits.joblib"))
            _, Xte, _, _ = h.digits()
            data = os.path.join(d, "X.npy")
            np.save(data, Xte)
            r = h.run_cli_process("verify", model, "--data", data, "--name", "rf_digits", timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(f"agree: {len(Xte)}/{len(Xte)} (100.00%)", r.stdout)
            self.assertNotIn("mismatch", r.stdout)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
