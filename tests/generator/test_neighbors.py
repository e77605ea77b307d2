"""k-nearest neighbours: the compiled header predicts what scikit-learn
predicts, row for row, including ties built on purpose (duplicate training
points with different labels, integer grids where many samples are
equidistant, queries half way between samples)."""

import unittest

import numpy as np

import _helpers as h
from _helpers import ctml


def _random_rows(X, n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(X.min(axis=0), X.max(axis=0), size=(n, X.shape[1])).astype(np.float32)


def _grid_data(seed):
    """Integer points on a small grid (many exact distance ties), with
    duplicated points carrying different labels."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(60, 3)).astype(np.float64)
    y = rng.integers(0, 3, size=60)
    X = np.vstack([X, X[:10]])  # duplicates ...
    y = np.concatenate([y, (y[:10] + 1) % 3])  # ... with other labels
    return X, y


def _grid_queries(X):
    """Integer and half-integer queries: equidistant from many samples."""
    g = np.arange(-0.5, 4.0, 0.5)
    Q = np.array(np.meshgrid(g, g, g)).reshape(3, -1).T
    return np.vstack([Q, X]).astype(np.float32)


class NeighborsTest(unittest.TestCase):
    def check(self, est, X, rows, exact_values=True):
        m = ctml.convert(est, name="knn")
        for r in rows:
            want = est.predict(r.astype(np.float64))
            got = m.predict(r)
            if exact_values:
                bad = np.flatnonzero(want != got)
                self.assertEqual(len(bad), 0, f"{len(bad)} of {len(r)} rows differ, first {bad[:5]}")
            else:
                np.testing.assert_allclose(got, want, rtol=1e-5)

    def test_iris_classifier(self):
        from sklearn.datasets import load_iris
        from sklearn.neighbors import KNeighborsClassifier

        X, y = load_iris(return_X_y=True)
        rows = [X.astype(np.float32), _random_rows(X, 2000, 1)]
        for kw in ({"n_neighbors": 5}, {"n_neighbors": 1}, {"n_neighbors": 8, "weights": "distance"},
                   {"n_neighbors": 5, "p": 1}, {"n_neighbors": 4, "p": 1, "weights": "distance"},
                   {"n_neighbors": 6, "p": 3}, {"n_neighbors": 5, "algorithm": "brute", "p": 1},
                   {"n_neighbors": 7, "leaf_size": 5}, {"n_neighbors": 5, "metric": "manhattan"}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.check(KNeighborsClassifier(**kw).fit(X, y), X, rows)

    def test_constructed_ties(self):
        from sklearn.neighbors import KNeighborsClassifier

        for seed in (0, 1):
            X, y = _grid_data(seed)
            Q = _grid_queries(X)
            for kw in ({"n_neighbors": 3}, {"n_neighbors": 4, "p": 1}, {"n_neighbors": 6, "weights": "distance"},
                       {"n_neighbors": 5, "algorithm": "brute"}, {"n_neighbors": 5, "algorithm": "brute", "p": 1},
                       {"n_neighbors": 9, "leaf_size": 4, "p": 1}, {"n_neighbors": 2, "p": 1.5}):
                with self.subTest(seed=seed, **{k: str(v) for k, v in kw.items()}):
                    self.check(KNeighborsClassifier(**kw).fit(X, y), X, [Q])

    def test_pipeline_wine(self):
        from sklearn.datasets import load_wine
        from sklearn.neighbors import KNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        X, y = load_wine(return_X_y=True)
        est = make_pipeline(StandardScaler(), KNeighborsClassifier(5)).fit(X, y)
        self.check(est, X, [X.astype(np.float32), _random_rows(X, 1000, 2)])
        # more than 15 features: sklearn's "auto" takes brute force
        Xb, yb = h.binary()
        self.check(make_pipeline(StandardScaler(), KNeighborsClassifier(3)).fit(Xb, yb), Xb,
                   [Xb.astype(np.float32), _random_rows(Xb, 300, 3)])

    def test_regressor(self):
        from sklearn.neighbors import KNeighborsRegressor

        X, y = h.diabetes()
        for kw in ({"n_neighbors": 9}, {"n_neighbors": 5, "weights": "distance"}, {"n_neighbors": 10, "p": 1},
                   {"n_neighbors": 3, "weights": "distance", "p": 1}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                # bit for bit: the same double sums in numpy's order
                self.check(KNeighborsRegressor(**kw).fit(X, y), X, [X.astype(np.float32), _random_rows(X, 300, 4)])
        Xg, yg = _grid_data(2)
        self.check(KNeighborsRegressor(4, weights="distance").fit(Xg, yg * 1.5), Xg, [_grid_queries(Xg)])

    def test_rejects(self):
        from sklearn.neighbors import KNeighborsClassifier

        X, y = h.iris_str()
        for kw, words in (({"metric": "chebyshev"}, "metric"), ({"weights": lambda d: d}, "weights")):
            with self.subTest(words=words):
                with self.assertRaises(ctml.ConversionError) as e:
                    ctml.convert(KNeighborsClassifier(**kw).fit(X, y), name="bad")
                self.assertIn(words, str(e.exception))


if __name__ == "__main__":
    unittest.main()
