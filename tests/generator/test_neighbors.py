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


def _tie_rows(X, y, k, n_rows, seed, scale, p):
    """Raw-space midpoints of training pairs (i, j) that are the k-th and
    (k+1)-th nearest of the midpoint in the scaled space, with different
    labels (an exact tie there in real numbers, which sklearn decides by its
    double rounding), then one float32 step either side (all features, and the
    feature that separates the pair most)."""
    rng = np.random.default_rng(seed)
    S = scale(X)
    rows = []
    for _ in range(20000):
        if len(rows) >= 5 * n_rows:
            break
        i = int(rng.integers(len(X)))
        j = int(np.argsort((np.abs(S - S[i]) ** p).sum(1))[rng.integers(1, 3 * k + 2)])
        if y is not None and y[i] == y[j]:
            continue
        m = (X[i] + X[j]) / 2
        order = np.argsort((np.abs(S - scale(m[None])[0]) ** p).sum(1), kind="stable")
        if set(order[k - 1:k + 1]) != {i, j}:
            continue
        m32 = m.astype(np.float32)
        f = int(np.argmax(np.abs(S[i] - S[j])))
        rows.append(m32)
        for direction in (np.inf, -np.inf):
            rows.append(np.nextafter(m32, np.float32(direction)))
            z = m32.copy()
            z[f] = np.nextafter(z[f], np.float32(direction))
            rows.append(z)
    return np.array(rows, dtype=np.float32).reshape(-1, X.shape[1])


def _widening_case():
    """Pipeline(StandardScaler, KNN(1)) in 2-D on which the folded scaler's
    float rounding decides: the query's float-scaled value rounds to the grid
    point past the half that its true scaled value stops short of (by e, the
    most among nearby float32 inputs), and the two samples' grid roundings are
    almost half a unit each, in the directions that make sample 1 look nearer
    by just more than the plain bound (2|t|_1 + 3n + 1) allows while sklearn's
    double scaling finds sample 2 nearer: only the widening for the float
    scaling (neighbors.hpp input_scaling) keeps the grid from proving it."""
    from fractions import Fraction as Fr

    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    s, m = 0.37, 55.61  # |m/s| ~ 150: float scaling errors ~0.01 grid units, the widening below 1/16
    scaler = StandardScaler().fit(np.array([[m - s] * 2, [m + s] * 2]))
    mean, scale = Fr(scaler.mean_[0]), Fr(scaler.scale_[0])
    F = 10  # the grid of 2 features with samples spanning [-7, 7] (grid<> in neighbors.hpp)
    a, b = np.float32(1.0 / scaler.scale_[0]), np.float32(scaler.mean_[0] / scaler.scale_[0])
    best, x = None, np.float32(scaler.mean_[0] - scaler.scale_[0] * 1.2)
    for _ in range(3000):
        x = np.nextafter(x, np.float32(np.inf))
        xs = np.float32(np.float32(x * a) - b)
        v = Fr(float(xs)) * 2**F
        grid = int(np.sign(xs)) * int(np.floor(abs(v) + Fr(1, 2)))  # to_fixed: the magnitude rounded half up
        true = (Fr(float(x)) - mean) / scale * 2**F
        for sign in (1, -1):  # grid above (below) the half that the true value is below (above) of
            e = sign * ((grid - sign * Fr(1, 2)) - true)
            if e > 0 and (best is None or e > best[0]):
                best = (e, x, grid, sign)
    e, x, grid, sign = best
    tau = Fr(1, 10**6)
    for A in range(900, 1400):  # sample 2 at A units in both features, sample 1 at B1, B2
        for B1 in range(A - 200, A + 200):
            root = int(np.floor(np.sqrt(2 * A * A - B1 * B1 - (2 * (B1 + 2 * A) + 16))))
            for B2 in (root - 1, root, root + 1):
                L, G = B1 + B2 + 2 * A, 2 * A * A - B1 * B1 - B2 * B2
                if 2 * L + 16 < G < 2 * L + 2 * (e - tau) * L - 4:  # proven by the plain bound; sklearn: sample 2
                    z = lambda g: float((g + sign * (Fr(1, 2) - tau)) / 2**F)  # noqa: E731  rounds to g
                    Z = np.array([[z(grid + sign * B1), z(grid + sign * B2)], [z(grid - sign * A)] * 2, [-7.0] * 2,
                                  [7.0] * 2])
                    knn = KNeighborsClassifier(1).fit(Z, [0, 1, 2, 2])
                    return Pipeline([("scale", scaler), ("knn", knn)]), np.array([[x, x]], dtype=np.float32)
    raise AssertionError("no widening case found")


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

    def test_pipeline_tie_rows(self):
        """After a scaler (or PCA) the float32 input is the scaler's double
        rounded once; rows on exact scaled-space ties (issue 12: 30 of 80
        wine rows differed before the rounded bounds and the double redo)."""
        from sklearn.datasets import load_iris, load_wine
        from sklearn.decomposition import PCA
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        for load in (load_wine, load_iris):
            X, y = load(return_X_y=True)
            rand = _random_rows(X, 300, 6)
            for kw in ({"n_neighbors": 1}, {"n_neighbors": 5}, {"n_neighbors": 4, "weights": "distance"},
                       {"n_neighbors": 4, "p": 1}, {"n_neighbors": 3, "p": 1, "weights": "distance"},
                       {"n_neighbors": 3, "p": 3}):
                with self.subTest(data=load.__name__, **{k: str(v) for k, v in kw.items()}):
                    est = make_pipeline(StandardScaler(), KNeighborsClassifier(**kw)).fit(X, y)
                    ties = _tie_rows(X, y, kw["n_neighbors"], 16, 1, est[0].transform, kw.get("p", 2))
                    self.assertGreater(len(ties), 20)
                    self.check(est, X, [ties, rand])
            for pre in ((MinMaxScaler(),), (PCA(3),), (StandardScaler(), PCA(3))):
                with self.subTest(data=load.__name__, pre=[type(t).__name__ for t in pre]):
                    est = make_pipeline(*pre, KNeighborsClassifier(3)).fit(X, y)
                    self.check(est, X, [_tie_rows(X, y, 3, 12, 2, est[:-1].transform, 2), rand])
            # regressors: bit for bit (the same double sums as sklearn's)
            Xr, yr = X[:, 1:], X[:, 0] * 2 + y
            for kw in ({"n_neighbors": 4}, {"n_neighbors": 5, "weights": "distance"},
                       {"n_neighbors": 3, "p": 1, "weights": "distance"}):
                with self.subTest(data=load.__name__, regressor=str(kw)):
                    est = make_pipeline(StandardScaler(), KNeighborsRegressor(**kw)).fit(Xr, yr)
                    self.check(est, Xr, [_tie_rows(Xr, None, kw["n_neighbors"], 12, 3, est[0].transform,
                                                   kw.get("p", 2)), _random_rows(Xr, 300, 7)])

    def test_folded_scaler(self):
        """A RobustScaler or MaxAbsScaler right before the KNN folds into it
        as a StandardScaler does (test_pipeline_tie_rows): one stage, the grid
        scales in float with widened bounds, sklearn's double scaling decides
        near-ties. After another step (PCA >> StandardScaler >> KNN: the
        scaler folds, PCA stays a stage) it is a refining predictor
        (try_predict, predict_exact). Rows on exact scaled-space ties, one
        float32 step either side, and random rows, and the row of
        _widening_case (0 instead of 1 without the widening); one compiled
        program."""
        from sklearn.datasets import load_wine
        from sklearn.decomposition import PCA
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MaxAbsScaler, RobustScaler, StandardScaler

        X, y = load_wine(return_X_y=True)
        Xr, yr = X[:, 1:], X[:, 0] * 2 + y
        pca = lambda: PCA(5, random_state=0)  # noqa: E731
        cases = [((RobustScaler(),), KNeighborsClassifier(5)),
                 ((RobustScaler(),), KNeighborsClassifier(4, p=1, weights="distance")),
                 ((RobustScaler(),), KNeighborsRegressor(4)),
                 ((MaxAbsScaler(),), KNeighborsClassifier(3, p=1)),
                 ((pca(), StandardScaler()), KNeighborsClassifier(5)),
                 ((pca(), StandardScaler()), KNeighborsClassifier(4, weights="distance")),
                 ((pca(), StandardScaler()), KNeighborsRegressor(4)),
                 ((pca(), StandardScaler()), KNeighborsRegressor(3, p=1, weights="distance"))]
        ests, models, rows = [], [], []
        for i, (steps, knn) in enumerate(cases):
            regressor = isinstance(knn, KNeighborsRegressor)
            A, b = (Xr, yr) if regressor else (X, y)
            est = make_pipeline(*steps, knn).fit(A, b)
            ties = _tie_rows(A, None if regressor else b, knn.n_neighbors, 12, 8 + i, est[:-1].transform, knn.p)
            self.assertGreater(len(ties), 20)
            m = ctml.convert(est, name=f"folded_{i}")
            pipeline = m.header.split("inline constexpr auto model")[1].splitlines()[0]
            self.assertNotIn("scaler", pipeline)  # folded: no scaler stage
            self.assertEqual("projection" in pipeline, len(steps) == 2)  # PCA stays a stage
            ests.append(est)
            models.append(m)
            rows.append(np.vstack([ties, _random_rows(A, 100, 9 + i)]))
        widening, Q = _widening_case()
        self.assertEqual(widening.predict(Q.astype(np.float64)), [1])  # sklearn: sample 2 (the grid's bound: 1)
        cases.append(((widening[0],), widening[-1]))
        ests.append(widening)
        models.append(ctml.convert(widening, name="folded_widening"))
        rows.append(Q)
        for (steps, knn), est, R, got in zip(cases, ests, rows, h.predict_together(models, rows)):
            with self.subTest(steps=[type(t).__name__ for t in steps], knn=str(knn)):
                want = est.predict(R.astype(np.float64))
                bad = np.flatnonzero(want != got)  # regressors too: bit for bit
                self.assertEqual(len(bad), 0, f"{len(bad)} of {len(R)} rows differ, first {bad[:5]}")

    def test_folded_scaler_int16(self):
        """model.with(q<int16_t, 0>) of Pipeline(StandardScaler, KNN): the
        folded scaler's fixed-point step (the scaler stage's), then the integer
        search; exact here, where the scaled training data stay integers
        (integer column means, with_std=False), ties included."""
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from test_centroid_radius import run_int16, run_int16_values

        rng = np.random.default_rng(12)
        A = rng.integers(0, 40, size=(40, 3)).astype(np.float64)
        X = np.vstack([A, 2 * np.array([20.0, 17.0, 25.0]) - A])  # column means 20, 17, 25
        y = rng.integers(0, 3, len(X))
        Q = np.vstack([X, rng.integers(-5, 60, size=(300, 3))]).astype(np.float64)
        est = make_pipeline(StandardScaler(with_std=False), KNeighborsClassifier(5)).fit(X, y)
        np.testing.assert_array_equal(run_int16(ctml.convert(est, name="knn_std_q"), Q, 0), est.predict(Q))
        est = make_pipeline(StandardScaler(with_std=False), KNeighborsRegressor(4)).fit(X, y * 1.5)
        np.testing.assert_array_equal(run_int16_values(ctml.convert(est, name="knn_std_qr"), Q, 0), est.predict(Q))

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

    def test_local_outlier_factor(self):
        from sklearn.neighbors import LocalOutlierFactor
        from test_svm import _boundary_rows

        X, _ = h.iris_str()
        wide = np.random.default_rng(5).uniform(X.min(0) - 1, X.max(0) + 1, (1500, 4)).astype(np.float32)
        for kw in ({"n_neighbors": 20}, {"n_neighbors": 5, "p": 1}, {"n_neighbors": 10, "contamination": 0.1}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                est = LocalOutlierFactor(novelty=True, **kw).fit(X)
                self.check(est, X, [X.astype(np.float32), wide, _boundary_rows(est.predict, np.vstack([X, wide]), 8, 6)])
        with self.assertRaises(ctml.ConversionError):
            ctml.convert(LocalOutlierFactor().fit(X), name="bad")

    def test_ball_tree(self):
        """algorithm="ball_tree": sklearn's BallTree visits the nearer ball
        first (max(0, dist(x, centre) - radius)), which orders exact ties;
        models compiled into one program agree on dataset rows, random rows,
        training-pair midpoints, rounded random rows (integer ties on digits),
        rows far outside the range, and rows with one feature at 1e30 (all
        distances tie). In training order instead, 300, 15, 159, 318, 304 and
        300 of these rows differed."""
        from sklearn.datasets import load_digits, load_iris, load_wine
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        rng = np.random.default_rng(1)
        X, y = load_iris(return_X_y=True)
        Xd, yd = np.vstack([X, X[::3]]), np.concatenate([y, (y[::3] + 1) % 3])  # duplicates: exact ties
        D, t = load_digits(return_X_y=True)
        D, t = D[:500], t[:500]
        W, wy = load_wine(return_X_y=True)

        def rows(A, count):
            R = rng.uniform(A.min(0), A.max(0), (count, A.shape[1]))
            i, j = rng.integers(len(A), size=(2, count))
            span = A.max(0) - A.min(0)
            far = rng.uniform(A.min(0) - 100 * span, A.max(0) + 100 * span, (count, A.shape[1]))
            huge = A[i].copy()
            huge[:, 0] = 1e30
            return np.vstack([A, R, (A[i] + A[j]) / 2, np.round(R), far, huge]).astype(np.float32)

        ball = {"algorithm": "ball_tree"}
        cases = [(KNeighborsClassifier(3, **ball), W, wy),
                 (KNeighborsClassifier(5, leaf_size=3, **ball), Xd, yd),
                 (KNeighborsRegressor(3, weights="distance", leaf_size=2, **ball), Xd, yd.astype(np.float64)),
                 (KNeighborsClassifier(5, p=1, **ball), D, t),
                 (KNeighborsClassifier(5, **ball), D, t),
                 (make_pipeline(StandardScaler(), KNeighborsClassifier(4, weights="distance", **ball)), W, wy)]
        row_sets = [rows(A, 300) for _, A, _ in cases]
        models = [ctml.convert(est.fit(A, b), name=f"ball_{i}") for i, (est, A, b) in enumerate(cases)]
        for (est, _, _), R, got in zip(cases, row_sets, h.predict_together(models, row_sets)):
            with self.subTest(est=str(est)):
                want = est.predict(R.astype(np.float64))
                bad = np.flatnonzero(want != got)
                self.assertEqual(len(bad), 0, f"{len(bad)} of {len(R)} rows differ, first {bad[:5]}")

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
