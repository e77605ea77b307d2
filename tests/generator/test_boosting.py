"""Boosted trees and isolation forests: the generated header, compiled on the
host, predicts what scikit-learn / XGBoost predict, row for row (training
rows, random rows over the training range, NaN rows, constructed near-ties)."""

import copy
import json
import os
import tempfile
import unittest

import numpy as np

import _helpers as h
from _helpers import ctml

try:
    import xgboost
except ImportError:  # optional: Debian's python3-xgboost
    xgboost = None
XGB_SKIP = "python3-xgboost is not installed: XGBoost tests skipped (scripts/setup-deps installs it)"


def _random_rows(X, n, seed=0, nan_fraction=0.0):
    """Rows uniform over the training range, plus the training rows; a
    fraction of NaN entries if asked."""
    rng = np.random.default_rng(seed)
    lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    R = np.vstack([X, rng.uniform(lo, hi, size=(n, X.shape[1]))]).astype(np.float32)
    if nan_fraction:
        R[rng.random(R.shape) < nan_fraction] = np.nan
    return R


def _thresholds_rows(est, X, n=200, seed=1):
    """Rows whose features sit exactly on (float32 of) split thresholds and
    one float32 step either side: the split decisions' boundaries."""
    rng = np.random.default_rng(seed)
    thr = []
    for t in np.asarray(getattr(est, "estimators_", [])).ravel():
        tr = t.tree_
        inner = tr.children_left >= 0
        thr.extend(zip(tr.feature[inner], tr.threshold[inner]))
    R = np.repeat(X[rng.integers(0, len(X), n)].astype(np.float32), 1, axis=0)
    for i in range(n):
        f, v = thr[rng.integers(0, len(thr))]
        v32 = np.float32(v)
        R[i, f] = [v32, np.nextafter(v32, np.float32(np.inf)), np.nextafter(v32, np.float32(-np.inf))][i % 3]
    return R


class Agreement(unittest.TestCase):
    def assert_same(self, est, X, reference=None, name="m"):
        X32 = np.asarray(X, dtype=np.float32)
        model = ctml.convert(est, name=name)
        got = model.predict(X32)
        want = est.predict(X32.astype(np.float64)) if reference is None else reference(X32)
        want = np.asarray(want)
        if want.dtype.kind == "f":  # regressors: the same double, bit for bit
            bad = np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))
        else:
            bad = np.flatnonzero(got != want)
        self.assertEqual(len(bad), 0, f"{len(bad)}/{len(X32)} rows differ, first {bad[:5]}: "
                                      f"framework {want[bad[:5]]} ctml {got[bad[:5]]}")
        return model


# ----------------------------------------------------------------------------
# scikit-learn GradientBoosting


def _constant_gb(values, loss="log_loss", classifier=True):
    """A fitted GradientBoosting model of stumps whose leaves are all set to
    values[i] for stage i (init zero, learning rate 1): every row's raw score
    is the float64 sum of `values` in order."""
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    cls = GradientBoostingClassifier if classifier else GradientBoostingRegressor
    kw = {"loss": loss} if classifier else {}
    est = cls(n_estimators=len(values), max_depth=1, learning_rate=1.0, init="zero", random_state=0, **kw)
    est.fit(X, y if classifier else X[:, 0])
    for stage, v in zip(est.estimators_[:, 0], values):
        val = stage.tree_.value  # a view of the tree's own array
        val[:] = v
    return est, X


class GradientBoosting(Agreement):
    def test_binary_breast_cancer(self):
        from sklearn.ensemble import GradientBoostingClassifier

        X, y = h.binary()
        est = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0).fit(X, y)
        self.assert_same(est, _random_rows(X, 2000))
        self.assert_same(est, _thresholds_rows(est, X))

    def test_losses_and_options(self):
        from sklearn.ensemble import GradientBoostingClassifier

        X, y = h.binary()
        for kw in (dict(loss="exponential", n_estimators=25), dict(subsample=0.7, max_features=0.5, n_estimators=30),
                   dict(init="zero", n_estimators=20, learning_rate=0.3)):
            est = GradientBoostingClassifier(max_depth=2, random_state=1, **kw).fit(X, y)
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.assert_same(est, _random_rows(X, 1000, seed=2))

    def test_multiclass(self):
        from sklearn.ensemble import GradientBoostingClassifier

        Xtr, Xte, ytr, _ = h.digits()
        est = GradientBoostingClassifier(n_estimators=8, max_depth=2, random_state=0).fit(Xtr, ytr)
        self.assert_same(est, np.vstack([Xtr, Xte]))
        Xi, yi = h.iris_str()  # string labels
        est = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xi, yi)
        self.assert_same(est, _random_rows(Xi, 2000))

    def test_regressor_losses(self):
        from sklearn.ensemble import GradientBoostingRegressor

        X, y = h.diabetes()
        for loss in ("squared_error", "absolute_error", "huber", "quantile"):
            est = GradientBoostingRegressor(loss=loss, n_estimators=40, max_depth=3, random_state=0).fit(X, y)
            with self.subTest(loss=loss):
                self.assert_same(est, _random_rows(X, 1000))

    def test_near_ties_log_loss(self):
        """Raw scores on both sides of sklearn's decision (expit(raw) > 1 - expit(raw))
        and sums whose float64 rounding in stage order decides."""
        tiny = np.nextafter(0.0, 1.0)
        cases = [[0.0], [tiny], [-tiny], [1e-16], [2e-16], [3e-16], [1.1102230246251565e-16],
                 [1.1102230246251568e-16], [0.1, 0.2, -0.3], [-0.3, 0.2, 0.1], [1.0, 1e-16, -1.0],
                 [1.0, 2.3e-16, -1.0], [1e-16, 1.0, -1.0]]
        for values in cases:
            est, X = _constant_gb(values)
            raw = est.decision_function(X[:1].astype(np.float32))
            with self.subTest(values=values, raw=float(raw[0])):
                self.assert_same(est, X[:2])

    def test_near_ties_exponential(self):
        tiny = np.nextafter(0.0, 1.0)
        for values in ([0.0], [-0.0], [-tiny], [tiny], [0.1, 0.2, -0.3], [0.3, -0.2, -0.1], [1.0, -1e-16, -1.0]):
            est, X = _constant_gb(values, loss="exponential")
            with self.subTest(values=values):
                self.assert_same(est, X[:2])

    def test_regressor_sum_order(self):
        """float64 sums in stage order, init first: reassociation would differ."""
        for values in ([1e16, 1.0, 1.0, -1e16], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [1.0, 1e-16, 1e-16]):
            est, X = _constant_gb(values, classifier=False)
            with self.subTest(values=values):
                self.assert_same(est, X[:2])

    def test_custom_init_is_rejected(self):
        from sklearn.ensemble import GradientBoostingRegressor
        from sklearn.linear_model import LinearRegression

        X, y = h.diabetes()
        est = GradientBoostingRegressor(n_estimators=3, init=LinearRegression()).fit(X, y)
        with self.assertRaisesRegex(ctml.ConversionError, "init"):
            ctml.convert(est)


# ----------------------------------------------------------------------------
# HistGradientBoosting


class HistGradientBoosting(Agreement):
    def test_binary_with_nan(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        X, y = h.binary()
        rng = np.random.default_rng(0)
        Xn = X.copy()
        Xn[rng.random(X.shape) < 0.1] = np.nan
        est = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(Xn, y)
        self.assert_same(est, _random_rows(Xn, 1500, nan_fraction=0.1))
        # trained without NaN: NaN goes where sklearn sends it anyway
        est = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
        self.assert_same(est, _random_rows(X, 500, nan_fraction=0.2))

    def test_multiclass(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        Xi, yi = h.iris_str()
        est = HistGradientBoostingClassifier(max_iter=25, random_state=0).fit(Xi, yi)
        self.assert_same(est, _random_rows(Xi, 2000, nan_fraction=0.05))

    def test_regressor_with_nan_diabetes(self):
        from sklearn.ensemble import HistGradientBoostingRegressor

        X, y = h.diabetes()
        rng = np.random.default_rng(3)
        Xn = X.copy()
        Xn[rng.random(X.shape) < 0.15] = np.nan
        for loss in ("squared_error", "absolute_error"):
            est = HistGradientBoostingRegressor(loss=loss, max_iter=60, random_state=0).fit(Xn, y)
            with self.subTest(loss=loss):
                self.assert_same(est, _random_rows(Xn, 1500, nan_fraction=0.1))

    def test_categorical(self):
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        rng = np.random.default_rng(0)
        n = 800
        X = np.column_stack([rng.integers(0, 12, n), rng.normal(size=n), rng.integers(0, 5, n)]).astype(float)
        y = ((X[:, 0] % 3 == 0) ^ (X[:, 1] > 0) ^ (X[:, 2] == 2)).astype(int)
        X[rng.random(n) < 0.05, 0] = np.nan
        # test rows: unknown categories (12..19), negative and fractional values, NaN
        T = np.column_stack([rng.integers(-3, 20, n) + rng.choice([0.0, 0.5], n), rng.normal(size=n),
                             rng.integers(-1, 7, n)]).astype(float)
        T[rng.random(n) < 0.1, 0] = np.nan
        for cls, target in ((HistGradientBoostingClassifier, y), (HistGradientBoostingRegressor, X[:, 1] + y)):
            est = cls(max_iter=20, categorical_features=[0, 2], random_state=0).fit(X, target)
            with self.subTest(cls=cls.__name__):
                self.assert_same(est, T)

    def test_poisson_is_rejected(self):
        from sklearn.ensemble import HistGradientBoostingRegressor

        X, y = h.diabetes()
        est = HistGradientBoostingRegressor(loss="poisson", max_iter=3).fit(X, y)
        with self.assertRaisesRegex(ctml.ConversionError, "identity-link"):
            ctml.convert(est)


# ----------------------------------------------------------------------------
# IsolationForest


class IsolationForests(Agreement):
    def test_predict(self):
        from sklearn.ensemble import IsolationForest

        X, _ = h.binary()
        for kw in (dict(n_estimators=100), dict(n_estimators=40, max_features=0.5, contamination=0.1),
                   dict(n_estimators=30, max_samples=64, bootstrap=True)):
            est = IsolationForest(random_state=0, **kw).fit(X)
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.assert_same(est, _random_rows(X, 800))

    def test_offset_boundary(self):
        """offset_ set to rows' own scores: decision_function is exactly 0
        there (inlier), and one step above (outlier)."""
        from sklearn.ensemble import IsolationForest

        X, _ = h.diabetes()
        est = IsolationForest(n_estimators=20, random_state=0).fit(X)
        X32 = X.astype(np.float32)
        scores = est.score_samples(X32.astype(np.float64))
        for i in (0, 5, 17):
            for off in (scores[i], np.nextafter(scores[i], 0.0), np.nextafter(scores[i], -1.0)):
                e = copy.deepcopy(est)
                e.offset_ = off
                with self.subTest(row=i, offset=off):
                    self.assert_same(e, X32)


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
