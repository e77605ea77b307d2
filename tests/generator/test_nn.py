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


if __name__ == "__main__":
    unittest.main()
