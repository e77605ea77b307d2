"""Networks: MLPClassifier / MLPRegressor headers, run on the host."""

from __future__ import annotations

import os
import tempfile
import unittest
import warnings

import numpy as np

from _helpers import LIBRARY_READY, SKIP_REASON, binary, ctml, digits  # noqa: F401

import ctml.nn  # noqa: E402


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on the small fits
        return est.fit(X, y)


@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class NetworkTests(unittest.TestCase):
    def test_digits_mlp_agrees_with_sklearn(self):
        from sklearn.neural_network import MLPClassifier

        X_tr, X_te, y_tr, _ = digits()
        m = _fit(MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0), X_tr / 16, y_tr)
        ctml.nn.calibrate(m, X_tr / 16)
        conv = ctml.convert(m, name="dmlp")
        self.assertIn("ctml::nn::network<mlp0_params>", conv.header)
        self.assertIn("static constexpr bool calibrated = true;", conv.header)
        X32 = (X_te / 16).astype(np.float32)
        got = conv.predict(X32)
        ref = m.predict(X32.astype(np.float64))
        self.assertEqual(int((got == ref).sum()), len(ref))

    def test_binary_pipeline_and_tanh(self):
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        X, y = binary()
        p = _fit(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), activation="tanh",
                                                             max_iter=300, random_state=0)), X, y)
        conv = ctml.convert(p, name="bc")
        self.assertIn("ctml::nn::head::logistic", conv.header)
        self.assertIn("ctml::nn::tanh", conv.header)
        X32 = X.astype(np.float32)
        ref = p.predict(X32.astype(np.float64))
        self.assertGreaterEqual(int((conv.predict(X32) == ref).sum()), len(ref) - 1)

    def test_regressor_close(self):
        from sklearn.neural_network import MLPRegressor

        rng = np.random.default_rng(0)
        X = rng.uniform(-1, 1, (200, 4))
        y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1
        m = _fit(MLPRegressor(hidden_layer_sizes=(6,), activation="logistic", max_iter=300, random_state=0), X, y)
        conv = ctml.convert(m, name="reg")
        X32 = X.astype(np.float32)
        ref = m.predict(X32.astype(np.float64))
        np.testing.assert_allclose(conv.predict(X32), ref, rtol=1e-4, atol=1e-4)

    def test_unsupported_is_one_line_exit_2(self):
        import joblib
        from sklearn.neural_network import MLPClassifier

        X, _ = binary()
        Y = np.stack([X[:, 0] > X[:, 0].mean(), X[:, 1] > X[:, 1].mean()], axis=1).astype(int)
        m = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0), X, Y)
        with self.assertRaisesRegex(ctml.ConversionError, "multi-label"):
            ctml.convert(m, name="ml")
        from ctml import cli

        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.joblib")
            out = os.path.join(d, "m.hpp")
            joblib.dump(m, path)
            import contextlib
            import io

            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = cli.main(["convert", path, "--name", "ml", "-o", out])
            self.assertEqual(rc, 2)
            self.assertEqual(len(err.getvalue().strip().splitlines()), 1)
            self.assertFalse(os.path.exists(out))

    def test_calibrate_rejects_wrong_width(self):
        from sklearn.neural_network import MLPClassifier

        X, y = binary()
        m = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0), X, y)
        with self.assertRaises(ctml.ConversionError):
            ctml.nn.calibrate(m, X[:, :5])


@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class PolicyVectorsTests(unittest.TestCase):
    """`vectors --policy`: expected classes from the host's int8 build."""

    @classmethod
    def setUpClass(cls):
        from sklearn.neural_network import MLPClassifier

        X_tr, X_te, y_tr, cls.y_te = digits()
        cls.X = (X_te / 16).astype(np.float32)
        cls.m = _fit(MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0), X_tr / 16, y_tr)
        # Ranges a twentieth of the real ones: int8 saturates and loses most
        # digits, so an int8 build cannot pass for the float one.
        ctml.nn.calibrate(cls.m, X_tr / 16 / 20)

    def test_expected_are_the_int8_builds_predictions(self):
        from _helpers import dump, run_cli

        conv = ctml.convert(self.m, name="pm")
        float_acc = float((conv.predict(self.X) == self.y_te).mean())
        int8_idx = conv.predict_index(self.X, "int8")
        self.assertGreater(float_acc, 0.9)
        self.assertLess(float((conv.classes_[int8_idx] == self.y_te).mean()), float_acc - 0.2)
        with tempfile.TemporaryDirectory() as d:
            data = os.path.join(d, "X.npy")
            np.save(data, self.X)
            out = os.path.join(d, "v.hpp")
            rc, _, err = run_cli("vectors", dump(self.m, os.path.join(d, "m.joblib")), "--data", data,
                                 "--name", "pm", "--policy", "int8", "-o", out)
            self.assertEqual(rc, 0, err)
            with open(out) as f:
                text = f.read()
        self.assertIn("expected = ctml's int8 build on the host", text)
        body = text.split("expected[n_rows] = {", 1)[1].split("}", 1)[0]
        self.assertEqual([int(t) for t in body.replace(",", " ").split()], int8_idx.tolist())

    def test_rejects_trees_and_uncalibrated_networks(self):
        from sklearn.neural_network import MLPClassifier
        from _helpers import digits_forest, dump, run_cli

        X, y = binary()
        raw = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0), X, y)
        for est, what in ((digits_forest(), "is for networks"), (raw, "needs a calibrated network")):
            with tempfile.TemporaryDirectory() as d:
                data = os.path.join(d, "X.npy")
                np.save(data, self.X if est is not raw else X.astype(np.float32))
                out = os.path.join(d, "v.hpp")
                rc, _, err = run_cli("vectors", dump(est, os.path.join(d, "m.joblib")), "--data", data,
                                     "--name", "v", "--policy", "int8_fast", "-o", out)
                self.assertEqual(rc, 2)
                self.assertEqual(len(err.strip().splitlines()), 1)
                self.assertIn(what, err)
                self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
