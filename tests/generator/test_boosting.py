"""scikit-learn GradientBoosting, HistGradientBoosting and AdaBoost: the generated header,
compiled on the host, predicts what sklearn predicts, row for row (random rows
over the training range, NaN rows, split boundaries, constructed near-ties)."""

import copy
import os
import unittest

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 shared cores: no thread oversubscription

import numpy as np  # noqa: E402

import _helpers as h
from _agreement import Agreement, FixedSums, _random_rows, _thresholds_rows
from _helpers import ctml


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
        est = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0).fit(Xn, y)
        self.assert_same(est, _random_rows(Xn, 1500, nan_fraction=0.1))
        # trained without NaN: NaN goes where sklearn sends it anyway
        est = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=8, random_state=0).fit(X, y)
        self.assert_same(est, _random_rows(X, 500, nan_fraction=0.2))

    def test_multiclass(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        Xi, yi = h.iris_str()
        est = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=8, random_state=0).fit(Xi, yi)
        self.assert_same(est, _random_rows(Xi, 2000, nan_fraction=0.05))

    def test_regressor_with_nan_diabetes(self):
        from sklearn.ensemble import HistGradientBoostingRegressor

        X, y = h.diabetes()
        rng = np.random.default_rng(3)
        Xn = X.copy()
        Xn[rng.random(X.shape) < 0.15] = np.nan
        for loss in ("squared_error", "absolute_error"):
            est = HistGradientBoostingRegressor(loss=loss, max_iter=40, max_leaf_nodes=12, random_state=0).fit(Xn, y)
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
            est = cls(max_iter=15, max_leaf_nodes=10, categorical_features=[0, 2], random_state=0).fit(X, target)
            with self.subTest(cls=cls.__name__):
                self.assert_same(est, T)

    def test_poisson_is_rejected(self):
        from sklearn.ensemble import HistGradientBoostingRegressor

        X, y = h.diabetes()
        est = HistGradientBoostingRegressor(loss="poisson", max_iter=3).fit(X, y)
        with self.assertRaisesRegex(ctml.ConversionError, "identity-link"):
            ctml.convert(est)


# ----------------------------------------------------------------------------
# AdaBoost


class AdaBoost(Agreement):
    def test_samme_and_samme_r(self):
        from sklearn.ensemble import AdaBoostClassifier
        from sklearn.tree import DecisionTreeClassifier

        Xb, yb = h.binary()
        Xi, yi = h.iris_str()
        for X, y in ((Xb, yb), (Xi, yi)):
            for algorithm in ("SAMME", "SAMME.R"):
                for depth in (1, 3):
                    est = AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=depth), n_estimators=25,
                                             algorithm=algorithm, random_state=0).fit(X, y)
                    with self.subTest(classes=len(est.classes_), algorithm=algorithm, depth=depth):
                        self.assert_same(est, _random_rows(X, 800))

    def test_samme_ties(self):
        """Two stumps of equal weight voting for different classes tie: the
        first class wins (binary: -s0 + s1 > 0 fails)."""
        from sklearn.ensemble import AdaBoostClassifier

        rng = np.random.default_rng(0)
        X = rng.normal(size=(200, 2))
        y = (X[:, 0] > 0).astype(int)
        est = AdaBoostClassifier(n_estimators=2, algorithm="SAMME", random_state=0).fit(X, y)
        est.estimator_weights_[:] = 0.7
        est.estimators_ = [est.estimators_[0], copy.deepcopy(est.estimators_[0])]
        value = est.estimators_[1].tree_.value  # a view: the second stump votes the other way
        value[:, 0, :] = value[:, 0, ::-1].copy()
        R = _random_rows(X, 400)
        self.assertTrue(np.any(est.decision_function(R.astype(np.float64)) == 0))
        self.assert_same(est, R)



def _median(p, w, kind):
    """sklearn's weighted median of predictions p with weights w, the argsort of the given kind."""
    o = np.argsort(p, kind=kind)
    c = np.cumsum(w[o])
    return p[o[np.argmax(c >= 0.5 * c[-1])]]


class AdaBoostRegressor(Agreement):
    def test_diabetes(self):
        from sklearn.ensemble import AdaBoostRegressor
        from sklearn.tree import DecisionTreeRegressor

        X, y = h.diabetes()
        for depth, n, loss in ((3, 50, "linear"), (None, 60, "square"), (4, 40, "exponential")):
            est = AdaBoostRegressor(DecisionTreeRegressor(max_depth=depth), n_estimators=n, loss=loss,
                                    random_state=0).fit(X, y)
            with self.subTest(depth=depth, loss=loss):
                self.assert_same(est, _random_rows(X, 1000))
                self.assert_same(est, _thresholds_rows(est, X))

    def test_weighted_median_near_ties(self):
        """Trees predicting equal values, weights whose float64 cumulative sum
        lands on half the total within rounding: numpy's (unstable) argsort
        order decides the median, and a stable order would pick another value."""
        from sklearn.ensemble import AdaBoostRegressor
        from sklearn.tree import DecisionTreeRegressor

        rng = np.random.default_rng(1)
        X = rng.normal(size=(100, 1))
        found = 0
        while found < 4:
            n = int(rng.integers(17, 60))
            w = rng.choice([0.1, 0.2, 0.3, 0.7, 1.1], size=n)
            left, right = rng.choice([1.0, 2.0, 3.0], size=(2, n))
            if _median(left, w, "quicksort") == _median(left, w, "stable"):
                continue
            found += 1
            est = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=1, random_state=0).fit(X, X[:, 0])
            stump = est.estimators_[0]
            est.estimators_ = [copy.deepcopy(stump) for _ in range(n)]
            for tree, a, b in zip(est.estimators_, left, right):
                value = tree.tree_.value  # a view: leaves 1 (left) and 2 (right)
                value[1:, 0, 0] = [a, b]
            est.estimator_weights_ = w.copy()
            R = _random_rows(X, 200, seed=found)
            t = np.float32(stump.tree_.threshold[0])
            R = np.vstack([R, [[t], [np.nextafter(t, np.float32(np.inf))]]]).astype(np.float32)
            want = est.predict(R.astype(np.float64))
            is_left = R[:, 0] <= stump.tree_.threshold[0]
            self.assertTrue(np.all(want[is_left] == _median(left, w, "quicksort")))
            with self.subTest(n=n):
                self.assert_same(est, R)


class GradientBoostingFixedSums(FixedSums, Agreement):
    """The same decisions through the integer fast path (chips without float hardware)."""

    test_binary_breast_cancer = GradientBoosting.test_binary_breast_cancer
    test_near_ties_log_loss = GradientBoosting.test_near_ties_log_loss
    test_near_ties_exponential = GradientBoosting.test_near_ties_exponential


if __name__ == "__main__":
    unittest.main()
