"""XGBoost: the generated header predicts what XGBoost predicts, row for row
(float32 sums in XGBoost's order, missing values, Booster files, hand-made
near-tie margins). Skipped, saying so, without python3-xgboost."""

import copy
import json
import os
import tempfile
import unittest

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 shared cores: no thread oversubscription

import numpy as np  # noqa: E402

import _helpers as h
from _agreement import Agreement, _random_rows
from _helpers import ctml

try:
    import xgboost
except ImportError:  # optional: Debian's python3-xgboost
    xgboost = None
XGB_SKIP = "python3-xgboost is not installed: XGBoost tests skipped (scripts/setup-deps installs it)"


# ----------------------------------------------------------------------------
# XGBoost


@unittest.skipIf(xgboost is None, XGB_SKIP)
class XGBoost(Agreement):
    def test_binary_breast_cancer(self):
        X, y = h.binary()
        est = xgboost.XGBClassifier(n_estimators=40, max_depth=4).fit(X, y)
        self.assert_same(est, _random_rows(X, 2000), reference=est.predict)
        self.assert_same(est, _random_rows(X, 500, nan_fraction=0.1), reference=est.predict)

    def test_missing_values_and_base_score(self):
        X, y = h.binary()
        rng = np.random.default_rng(0)
        Xn = X.copy()
        Xn[rng.random(X.shape) < 0.1] = np.nan
        est = xgboost.XGBClassifier(n_estimators=30, max_depth=3, base_score=0.3).fit(Xn, y)
        self.assert_same(est, _random_rows(Xn, 1000, nan_fraction=0.1), reference=est.predict)

    def test_multiclass(self):
        Xi, yi = h.iris_str()
        y = np.unique(yi, return_inverse=True)[1]
        for obj in ("multi:softprob", "multi:softmax"):
            est = xgboost.XGBClassifier(n_estimators=20, max_depth=3, objective=obj).fit(Xi, y)
            with self.subTest(objective=obj):
                self.assert_same(est, _random_rows(Xi, 2000, nan_fraction=0.05), reference=est.predict)

    def test_regressor(self):
        X, y = h.diabetes()
        est = xgboost.XGBRegressor(n_estimators=60, max_depth=4).fit(X, y)
        ref = lambda R: est.predict(R).astype(np.float64)  # noqa: E731 - float32 values, exactly
        self.assert_same(est, _random_rows(X, 1500, nan_fraction=0.05), reference=ref)

    def test_early_stopping_uses_best_iteration(self):
        X, y = h.binary()
        est = xgboost.XGBClassifier(n_estimators=200, max_depth=3, early_stopping_rounds=3, learning_rate=0.5)
        est.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])], verbose=False)
        self.assertLess(est.best_iteration + 1, 200)
        self.assert_same(est, _random_rows(X, 1000), reference=est.predict)

    def _saved(self, booster, suffix):
        d = tempfile.mkdtemp()
        path = os.path.join(d, "model" + suffix)
        booster.save_model(path)
        return path

    def test_booster_files_through_the_cli(self):
        X, y = h.diabetes()
        est = xgboost.XGBRegressor(n_estimators=20, max_depth=3).fit(X, y)
        R = _random_rows(X, 300, nan_fraction=0.05)
        for suffix in (".json", ".ubj"):
            path = self._saved(est.get_booster(), suffix)
            out = os.path.join(os.path.dirname(path), "m.hpp")
            rc, _, err = h.run_cli("convert", path, "--name", "xgbfile", "-o", out)
            self.assertEqual(rc, 0, err)
            model, _ = h.cli.load_model(path)
            got = ctml.convert(model, name="xgbfile").predict(R)
            want = xgboost.Booster(model_file=path).predict(xgboost.DMatrix(R)).astype(np.float64)
            with self.subTest(suffix=suffix):
                np.testing.assert_array_equal(got, want)

    def test_float32_sum_order_and_logistic_threshold(self):
        """Hand-made Booster files: every row's margin is the float32 sum of
        chosen leaves in tree order; XGBoost itself is the reference."""
        X, y = h.binary()
        base = xgboost.XGBClassifier(n_estimators=4, max_depth=1).fit(X, y)
        model = json.loads(bytes(base.get_booster().save_raw("json")))
        f = np.float32
        cases = [
            [4.0, 2.0**-22, -4.0, 0.0],  # float32: 0 (class 0); float64 would say 2^-22 (class 1)
            [2.0**-22, 4.0, -4.0, 0.0],
            [1.0, 2.0**-24, -1.0, 0.0],
            [f(8.940697e-08), 0.0, 0.0, 0.0], [f(1.1920929e-07), 0.0, 0.0, 0.0],
            [f(5.9604645e-08), 0.0, 0.0, 0.0], [f(8.940697e-08) * f(1.0000001), 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0], [-0.0, 0.0, 0.0, -0.0], [0.1, 0.2, -0.3, 0.0],
        ]
        R = X[:5].astype(np.float32)
        for values in cases:
            m = copy.deepcopy(model)
            for t, v in zip(m["learner"]["gradient_booster"]["model"]["trees"], values):
                t["split_conditions"] = [float(f(v)) if left == -1 else c
                                         for left, c in zip(t["left_children"], t["split_conditions"])]
            booster = h.cli.load_model(self._write(m))[0]
            with self.subTest(values=values):
                self.assert_same(booster, R, reference=booster.predict)

    def _write(self, model):
        d = tempfile.mkdtemp()
        path = os.path.join(d, "m.json")
        with open(path, "w") as fh:
            json.dump(model, fh)
        return path

    def test_unsupported(self):
        X, y = h.diabetes()
        est = xgboost.XGBRegressor(n_estimators=2, objective="reg:pseudohubererror").fit(X, y)
        with self.assertRaisesRegex(ctml.ConversionError, "not supported"):
            ctml.convert(est)
        est = xgboost.XGBRegressor(n_estimators=2, missing=0.0).fit(X, y)
        with self.assertRaisesRegex(ctml.ConversionError, "missing"):
            ctml.convert(est)


if __name__ == "__main__":
    unittest.main()
