"""Networks beyond predict: predict_proba against scikit-learn's, the stated
float32 tolerance of regressors (and `verify` using it by default), and an
MLPClassifier fitted on one class."""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest
import warnings

import numpy as np

from _helpers import LIBRARY_READY, SKIP_REASON, binary, ctml, diabetes, digits, dump, run_cli  # noqa: F401

from ctml import host  # noqa: E402

# ctml::nn::proba_tolerance (include/ctml/nn/network.hpp)
PROBA_TOLERANCE = 1e-5

_PROBA_DRIVER = """\
#include "model.hpp"

#include <array>
#include <cstdio>

int main() {{
  std::array<float, {name}::n_features> x{{}};
  std::array<float, {n}> p{{}};
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    {name}::model.predict_proba(x, p);
    for (float v : p) std::printf("%a ", static_cast<double>(v));
    std::printf("\\n");
  }}
}}
"""


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on the small fits
        return est.fit(X, y)


def host_proba(conv, X, n: int) -> np.ndarray:
    """predict_proba of the generated header, compiled and run on the host."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "model.hpp"), "w") as f:
            f.write(conv.header)
        with open(os.path.join(tmp, "main.cpp"), "w") as f:
            f.write(_PROBA_DRIVER.format(name=conv.name, n=n))
        exe = os.path.join(tmp, "a.out")
        cmd = [host.compiler(), *host.CXXFLAGS, "-ffp-contract=off", "-I", host.include_dir(), "-I", tmp,
               os.path.join(tmp, "main.cpp"), "-o", exe]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr[:2000])
        data = np.ascontiguousarray(X, dtype=np.float32).tobytes()
        out = subprocess.run([exe], input=data, capture_output=True, check=True).stdout.decode()
    return np.array([[float.fromhex(v) for v in line.split()] for line in out.splitlines()])


def _rows(X, n, seed=0):
    """The rows of X and n random rows over its range, as float32."""
    rng = np.random.default_rng(seed)
    extra = rng.uniform(X.min(axis=0), X.max(axis=0), (n, X.shape[1]))
    return np.vstack([X, extra]).astype(np.float32)


@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class ProbaTests(unittest.TestCase):
    def check_proba(self, est, X32, name):
        conv = ctml.convert(est, name=name)
        ref = est.predict_proba(X32.astype(np.float64))
        got = host_proba(conv, X32, ref.shape[1])
        self.assertEqual(got.shape, ref.shape)
        err = np.abs(got - ref).max()
        self.assertLessEqual(err, PROBA_TOLERANCE, f"{name}: max |ctml - sklearn| = {err:.3g}")
        # The comparison can fail: ctml's float32 sums are not sklearn's float64 ones.
        self.assertGreater(err, 0.0)
        # and the argmax of the probabilities is predict's class wherever sklearn's is clear
        clear = np.sort(ref, axis=1)[:, -1] - np.sort(ref, axis=1)[:, -2] > 2 * PROBA_TOLERANCE
        self.assertTrue(np.all(got[clear].argmax(axis=1) == conv.predict_index(X32)[clear]))
        return err

    def test_softmax_digits(self):
        from sklearn.neural_network import MLPClassifier

        X_tr, X_te, y_tr, _ = digits()
        m = _fit(MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0), X_tr / 16, y_tr)
        self.check_proba(m, (X_te / 16).astype(np.float32), "pdig")

    def test_logistic_pipeline_breast_cancer(self):
        # sklearn's binary MLP: one logistic output, proba = [1 - p, p]; through a scaler (the pipeline forwards it)
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        X, y = binary()
        p = _fit(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=300,
                                                             random_state=0)), X, y)
        self.check_proba(p, _rows(X, 500), "pbc")

    def test_tanh_iris_random_rows(self):
        from sklearn.datasets import load_iris
        from sklearn.neural_network import MLPClassifier

        X, y = load_iris(return_X_y=True)
        m = _fit(MLPClassifier(hidden_layer_sizes=(10, 10), activation="tanh", max_iter=500, random_state=0), X, y)
        self.check_proba(m, _rows(X, 2000), "piris")


@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class SingleClassTests(unittest.TestCase):
    def test_one_class_predicts_it(self):
        from sklearn.neural_network import MLPClassifier

        rng = np.random.default_rng(3)
        X = rng.normal(size=(40, 5))
        m = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=0), X, np.full(40, "only"))
        self.assertEqual(m.out_activation_, "logistic")  # the case that was taken for multi-label
        conv = ctml.convert(m, name="one")
        X32 = _rows(X, 200, seed=4)
        ref = m.predict(X32.astype(np.float64))
        self.assertTrue(np.all(ref == "only"))
        self.assertTrue(np.all(conv.predict(X32) == ref))
        # ctml's predict_proba: the one class has probability 1 (sklearn returns two columns, 1 - p and p,
        # for its one logistic output: not probabilities of its classes_)
        self.assertTrue(np.all(host_proba(conv, X32[:20], 1) == 1.0))

    def test_multilabel_still_rejected(self):
        from sklearn.neural_network import MLPClassifier

        rng = np.random.default_rng(5)
        X = rng.normal(size=(40, 4))
        Y = (rng.uniform(size=(40, 3)) > 0.5).astype(int)
        m = _fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0), X, Y)
        with self.assertRaisesRegex(ctml.ConversionError, "multi-label"):
            ctml.convert(m, name="ml")


@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class RegressorToleranceTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.neural_network import MLPRegressor

        X, y = diabetes()
        cls.X, cls.y = X, y
        cls.m = _fit(MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=300, random_state=0), X, y)
        cls.dir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_stated_tolerance_holds_and_is_needed(self):
        conv = ctml.convert(self.m, name="dreg")
        tol = conv.tolerance
        w, b = self.m.coefs_[-1], self.m.intercepts_[-1]
        self.assertAlmostEqual(tol["abs"], 1e-5 * (np.abs(w).sum() + np.abs(b).sum()))
        self.assertEqual(tol["rel"], 1e-5)
        X32 = _rows(self.X, 3000)
        ref = self.m.predict(X32.astype(np.float64))
        diff = np.abs(conv.predict(X32) - ref)
        self.assertTrue(np.all(diff <= tol["abs"] + tol["rel"] * np.abs(ref)))
        self.assertGreater(diff.max(), 1e-6)  # float32 is not float64: an exact comparison fails

    def test_verify_uses_it_by_default(self):
        X32 = self.X.astype(np.float32)
        data = os.path.join(self.dir.name, "X.npy")
        np.save(data, X32)
        path = dump(self.m, os.path.join(self.dir.name, "reg.joblib"))
        rc, out, err = run_cli("verify", path, "--data", data, "--name", "vreg")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertIn(f"agree: {len(X32)}/{len(X32)}", out)
        self.assertIn("tolerance: |ctml - sklearn| <=", out)
        rc, out, _ = run_cli("verify", path, "--data", data, "--name", "vreg", "--tolerance", 0)
        self.assertEqual(rc, 1, out)  # exact comparison: float32 differs on most rows

    def test_classifier_has_no_tolerance(self):
        from sklearn.neural_network import MLPClassifier

        X, y = binary()
        m = _fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0), X, y)
        self.assertEqual(ctml.convert(m, name="c").tolerance, {"abs": 0.0, "rel": 0.0})


if __name__ == "__main__":
    unittest.main()
