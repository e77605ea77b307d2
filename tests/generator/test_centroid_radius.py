"""NearestCentroid and RadiusNeighborsClassifier: the compiled header predicts
what scikit-learn predicts, row for row: dataset rows, random rows over the
training range, rows one float32 step either side of a decision boundary,
and ties built on purpose (integer grids, queries half way between samples,
rows exactly on the radius)."""

import unittest

import numpy as np

import _helpers as h
from _helpers import ctml
from test_neighbors import _grid_data, _grid_queries, _tie_rows
from test_svm import _boundary_rows


def _random_rows(X, n, seed, widen=0.0):
    rng = np.random.default_rng(seed)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = widen * (hi - lo)
    return rng.uniform(lo - pad, hi + pad, size=(n, X.shape[1])).astype(np.float32)


def _radius_rows(est, X, far, n_pairs, seed):
    """Adjacent float32 rows either side of where some sample enters the
    radius, in sklearn's double pipeline: bisected between training rows
    (inside their own sample's radius) and rows of `far` without neighbours."""
    pre, clf = est[:-1], est[-1]

    def has_neighbour(R):
        return np.array([len(i) > 0 for i in clf.radius_neighbors(pre.transform(R), return_distance=False)])

    lonely = far[~has_neighbour(far.astype(np.float64))]
    return _boundary_rows(has_neighbour, np.vstack([X, lonely]), n_pairs, seed)


_INT16_DRIVER = """\
#include "model.hpp"
#include <array>
#include <cstdint>
#include <cstdio>
int main() {{
  std::array<float, {name}::n_features> x{{}};
  std::array<std::int16_t, {name}::n_features> q{{}};
  constexpr auto model = {name}::model.with(ctml::q<std::int16_t, {frac}>{{}});
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    for (std::size_t i = 0; i < x.size(); ++i) q[i] = static_cast<std::int16_t>(x[i]);
    std::printf("%d\\n", static_cast<int>(model.predict(q)));
  }}
}}
"""


_INT16_REGRESSOR_DRIVER = _INT16_DRIVER.replace('std::printf("%d\\n", static_cast<int>(model.predict(q)));',
                                                'std::printf("%a\\n", static_cast<double>(model.predict(q)));')


def run_int16_values(model, raw, frac):
    """A regressor's model.with(q<int16_t, frac>) on raw integer rows: values (hex floats, exact)."""
    import subprocess

    from ctml import host

    exe = host._build_driver(model.header, model.name, _INT16_REGRESSOR_DRIVER.format(name=model.name, frac=frac))
    r = subprocess.run([exe], input=np.ascontiguousarray(raw, dtype=np.float32).tobytes(), capture_output=True,
                       check=True)
    return np.array([float.fromhex(v.decode()) for v in r.stdout.split()])


def run_int16(model, raw, frac):
    """model.with(q<int16_t, frac>) on raw integer rows: class indices."""
    import subprocess

    from ctml import host

    exe = host._build_driver(model.header, model.name, _INT16_DRIVER.format(name=model.name, frac=frac))
    r = subprocess.run([exe], input=np.ascontiguousarray(raw, dtype=np.float32).tobytes(), capture_output=True,
                       check=True)
    return np.array(r.stdout.split(), dtype=np.int64)


class Agree(unittest.TestCase):
    def agree(self, est, sets, name="m"):
        m = ctml.convert(est, name=name)
        for rows in sets:
            rows = np.asarray(rows, dtype=np.float32)
            want = est.predict(rows.astype(np.float64))
            got = m.predict(rows)
            bad = np.flatnonzero(want != got)
            self.assertEqual(len(bad), 0, f"{est}: {len(bad)} of {len(rows)} rows differ, first {bad[:5]}: "
                                          f"sklearn {want[bad[:5]]} ctml {got[bad[:5]]}")
        return m


class NearestCentroidTest(Agree):
    def test_iris_wine_metrics_and_shrinkage(self):
        from sklearn.datasets import load_iris, load_wine
        from sklearn.neighbors import NearestCentroid

        for X, y in (load_iris(return_X_y=True), load_wine(return_X_y=True)):
            for kw in ({}, {"metric": "manhattan"}, {"shrink_threshold": 0.3}, {"metric": "manhattan", "shrink_threshold": 0.5}):
                with self.subTest(n=X.shape[1], **{k: str(v) for k, v in kw.items()}):
                    est = NearestCentroid(**kw).fit(X, y)
                    self.agree(est, [X, _random_rows(X, 1500, 1, widen=0.5), _boundary_rows(est.predict, X, 8, 2)])

    def test_ties_on_integer_grid(self):
        from sklearn.neighbors import NearestCentroid

        # Centroids at integer points; queries equidistant from two or more.
        X = np.array([[0, 0], [2, 0], [0, 2], [2, 2]] * 2, dtype=np.float64)
        y = np.array([0, 1, 2, 3] * 2)
        g = np.arange(-1.0, 3.01, 0.5)
        Q = np.array(np.meshgrid(g, g)).reshape(2, -1).T
        for metric in ("euclidean", "manhattan"):
            with self.subTest(metric=metric):
                est = NearestCentroid(metric=metric).fit(X, y)
                self.agree(est, [Q])
                self.assertEqual(est.predict([[1.0, 1.0]])[0], 0)  # a four-way tie: the first centroid

    def test_pipeline_scaler_pca(self):
        from sklearn.datasets import load_breast_cancer
        from sklearn.decomposition import PCA
        from sklearn.neighbors import NearestCentroid
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        X, y = load_breast_cancer(return_X_y=True)
        est = make_pipeline(StandardScaler(), PCA(5, random_state=0), NearestCentroid()).fit(X, y)
        self.agree(est, [X, _random_rows(X, 800, 3)])

    def test_int16_policy(self):
        from sklearn.datasets import load_iris
        from sklearn.neighbors import NearestCentroid

        X, y = load_iris(return_X_y=True)
        Xi = np.round(X * 10)  # raw integer "sensor" values
        rng = np.random.default_rng(4)
        Q = np.vstack([Xi, rng.integers(Xi.min(0), Xi.max(0) + 1, size=(3000, 4))]).astype(np.float64)
        # manhattan: medians of integers lie on the half-integer grid: exact
        est = NearestCentroid(metric="manhattan").fit(Xi, y)
        got = run_int16(ctml.convert(est, name="ncq"), Q, 0)
        np.testing.assert_array_equal(got, est.predict(Q))
        # euclidean: means rounded to 2^-8; the measured agreement (docs/svm-neighbors.md)
        est = NearestCentroid().fit(Xi, y)
        got = run_int16(ctml.convert(est, name="ncq2"), Q, 0)
        agree = int((got == est.predict(Q)).sum())
        self.assertGreaterEqual(agree, len(Q) - 2, f"{agree}/{len(Q)}")
        # fraction bits: raw = value * 2
        got = run_int16(ctml.convert(NearestCentroid(metric="manhattan").fit(Xi / 2, y), name="ncq3"), Q, 1)
        np.testing.assert_array_equal(got, NearestCentroid(metric="manhattan").fit(Xi / 2, y).predict(Q / 2))

    def test_rejects(self):
        from sklearn.neighbors import NearestCentroid

        X, y = h.iris_str()
        import warnings

        with warnings.catch_warnings(), self.assertRaises(ctml.ConversionError) as e:
            warnings.simplefilter("ignore")  # sklearn: "averaging ... set to be the mean"
            ctml.convert(NearestCentroid(metric="chebyshev").fit(X, y), name="bad")
        self.assertIn("metric", str(e.exception))


class KnnRegressorInt16Test(unittest.TestCase):
    def test_exact_on_integer_data(self):
        """Integer data (on the grid): the neighbours, their order and the mean
        are sklearn's, bit for bit, ties included (duplicates, grid queries)."""
        from sklearn.neighbors import KNeighborsRegressor

        X, y = h.diabetes()
        Xi = np.round(X * 1000)  # raw integers
        rng = np.random.default_rng(8)
        Q = np.vstack([Xi, rng.integers(Xi.min(0), Xi.max(0) + 1, size=(300, Xi.shape[1]))]).astype(np.float64)
        for kw in ({"n_neighbors": 5}, {"n_neighbors": 9, "p": 1}, {"n_neighbors": 3, "algorithm": "brute"}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                est = KNeighborsRegressor(**kw).fit(Xi, y)
                got = run_int16_values(ctml.convert(est, name="knnq"), Q, 0)
                np.testing.assert_array_equal(got, est.predict(Q))
        Xg, yg = _grid_data(3)
        Qg = _grid_queries(Xg)
        for kw in ({"n_neighbors": 4}, {"n_neighbors": 10, "p": 1, "leaf_size": 4}):
            with self.subTest(grid=True, **{k: str(v) for k, v in kw.items()}):
                est = KNeighborsRegressor(**kw).fit(Xg * 2, yg * 1.37)
                got = run_int16_values(ctml.convert(est, name="knnq2"), Qg * 2, 0)
                np.testing.assert_array_equal(got, est.predict(Qg * 2))


class RadiusNeighborsTest(Agree):
    def _inliers(self, est, R):
        """Rows with at least one neighbour (sklearn raises on the others with outlier_label=None)."""
        ind = est.radius_neighbors(R.astype(np.float64), return_distance=False)
        return R[[len(i) > 0 for i in ind]]

    def test_iris(self):
        from sklearn.datasets import load_iris
        from sklearn.neighbors import RadiusNeighborsClassifier

        X, y = load_iris(return_X_y=True)
        R = np.vstack([X, _random_rows(X, 1500, 5, widen=0.2)]).astype(np.float32)
        for kw in ({"radius": 0.8, "outlier_label": "most_frequent"},
                   {"radius": 1.0, "weights": "distance", "outlier_label": "most_frequent"},
                   {"radius": 0.7, "p": 1, "outlier_label": 0},
                   {"radius": 0.9, "p": 3, "outlier_label": 7},
                   {"radius": 0.6, "algorithm": "brute", "outlier_label": 1, "weights": "distance"},
                   {"radius": 0.5, "leaf_size": 4, "weights": "distance", "outlier_label": 2},
                   {"radius": 1.2}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # outlier label 7 is not a class: sklearn warns
                    est = RadiusNeighborsClassifier(**kw).fit(X, y)
                    rows = R if est.outlier_label is not None else self._inliers(est, R)
                    sets = [rows]
                    if est.outlier_label is not None:  # the boundary search may leave every radius
                        sets.append(_boundary_rows(est.predict, rows[:300], 10, 6))
                    m = self.agree(est, sets)
                if kw.get("outlier_label") == 7:
                    self.assertEqual(list(m.classes_), [0, 1, 2, 7])

    def test_no_neighbour_returns_minus_one(self):
        import subprocess

        from ctml import host
        from sklearn.neighbors import RadiusNeighborsClassifier

        X, y = h.iris_str()
        est = RadiusNeighborsClassifier(radius=0.3).fit(X, y)
        m = ctml.convert(est, name="rn")
        far = np.array([[100, 100, 100, 100], [5.1, 3.5, 1.4, 0.2]], dtype=np.float32)
        with self.assertRaises(ValueError):  # sklearn: "No neighbors found"
            est.predict(far[:1].astype(np.float64))
        exe = host.build(m.header, m.name, True)
        out = subprocess.run([exe], input=far.tobytes(), capture_output=True, check=True).stdout.split()
        self.assertEqual([int(v) for v in out], [-1, 0])

    def test_constructed_ties_and_radius_edges(self):
        from sklearn.neighbors import RadiusNeighborsClassifier

        for seed in (0, 1):
            X, y = _grid_data(seed)
            Q = _grid_queries(X)  # distances exactly 1, sqrt 2, ... : samples exactly on the radius
            for kw in ({"radius": 1.0}, {"radius": 1.0, "p": 1}, {"radius": 1.5, "weights": "distance"},
                       {"radius": 2.0, "algorithm": "brute", "p": 1, "weights": "distance"},
                       {"radius": 1.0, "leaf_size": 3, "weights": "distance"}):
                with self.subTest(seed=seed, **{k: str(v) for k, v in kw.items()}):
                    est = RadiusNeighborsClassifier(outlier_label="most_frequent", **kw).fit(X, y)
                    self.agree(est, [Q])

    def test_pipeline(self):
        from sklearn.datasets import load_wine
        from sklearn.neighbors import RadiusNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # The StandardScaler is folded into the radius classifier (scaled in double
        # as sklearn does): rows one float32 step from the radius agree too.
        X, y = load_wine(return_X_y=True)
        for kw in ({"weights": "distance"}, {"p": 1, "radius": 6.0}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                est = make_pipeline(StandardScaler(), RadiusNeighborsClassifier(**{"radius": 2.5, **kw},
                                                                                 outlier_label="most_frequent")).fit(X, y)
                self.agree(est, [X, _random_rows(X, 800, 7), _boundary_rows(est.predict, X, 8, 8)])

    def test_after_unfolded_steps(self):
        """After a step it does not fold (MinMaxScaler, PCA; PCA before a
        folded StandardScaler) the stage gets float32, sklearn's classifier the
        step's double output: rows one float32 step from the radius of a
        sample, and from a change of class, agree (before: 79 of 240 differed)."""
        import warnings

        from sklearn.datasets import load_wine
        from sklearn.decomposition import PCA
        from sklearn.neighbors import RadiusNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        X, y = load_wine(return_X_y=True)
        far = _random_rows(X, 200, 9, widen=1.0)
        cases, models, rows = [], [], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # outlier label -1 is not a class: sklearn warns
            for steps, radius in (((MinMaxScaler(),), 0.5), ((StandardScaler(), PCA(4, random_state=0)), 1.5),
                                  ((PCA(4, random_state=0), StandardScaler()), 0.8)):
                for kw in ({}, {"weights": "distance"}):
                    est = make_pipeline(*steps, RadiusNeighborsClassifier(radius, outlier_label=-1, **kw)).fit(X, y)
                    edges = _radius_rows(est, X, far, 10, 4)
                    self.assertGreater(len(edges), 12)
                    cases.append(([type(t).__name__ for t in steps], kw, est))
                    models.append(ctml.convert(est, name=f"radius_after_{len(models)}"))
                    rows.append(np.vstack([edges, _boundary_rows(est.predict, X, 10, 3)]))
            for (steps, kw, est), R, got in zip(cases, rows, h.predict_together(models, rows)):
                with self.subTest(steps=steps, **kw):
                    want = est.predict(R.astype(np.float64))
                    bad = np.flatnonzero(want != got)
                    self.assertEqual(len(bad), 0, f"{len(bad)} of {len(R)} rows differ, first {bad[:5]}")

    def test_rejects(self):
        from sklearn.neighbors import RadiusNeighborsClassifier

        X, y = h.iris_str()
        for kw, words in (({"metric": "chebyshev"}, "metric"), ({"weights": lambda d: d}, "weights")):
            with self.subTest(words=words):
                with self.assertRaises(ctml.ConversionError) as e:
                    ctml.convert(RadiusNeighborsClassifier(**kw).fit(X, y), name="bad")
                self.assertIn(words, str(e.exception))


class BruteForceTest(unittest.TestCase):
    def test_gemm_form(self):
        """sklearn's brute force with p = 2 (algorithm="brute", or "auto" above
        15 features) measures |x|^2 - 2 x.s + |s|^2: KNN and radius models
        compiled into one program agree with it on dataset rows, random rows,
        midpoints of training pairs (near-ties), rows 1e-6 from training rows,
        constructed k-th place ties and rows either side of the radius. With
        the direct sums instead, 1827, 6, 1, 2, 1607 and 608 of the KNN
        models' rows differed (the regressors by up to 0.33), and 2 of a
        radius model's."""
        from sklearn.datasets import load_digits, load_iris
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, RadiusNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        X, y = load_iris(return_X_y=True)
        X = np.vstack([X, X[::3]])  # every third row again under the next class: exact ties
        y = np.concatenate([y, (y[::3] + 1) % 3])
        D, t = load_digits(return_X_y=True)
        D, t = D[:600], t[:600].astype(np.float64)
        rng = np.random.default_rng(4)

        def rows(X, n):
            i, j = rng.integers(len(X), size=(2, n))
            near = X[i] + rng.normal(0.0, 1e-6, X[i].shape)
            return np.vstack([X, _random_rows(X, n, 5), (X[i] + X[j]) / 2, near]).astype(np.float32)

        brute = {"algorithm": "brute"}
        knn = [(KNeighborsRegressor(3, weights="distance", **brute), X, y.astype(np.float64)),
               (KNeighborsRegressor(3, **brute), X, y.astype(np.float64)),
               (KNeighborsClassifier(3, **brute), X, y),
               (KNeighborsClassifier(5, weights="distance", **brute), X, y),
               (make_pipeline(StandardScaler(), KNeighborsRegressor(4, weights="distance", **brute)), X,
                y.astype(np.float64)),
               (KNeighborsRegressor(5, weights="distance"), D, t)]
        cases = []
        for est, A, b in knn:
            est.fit(A, b)
            R = rows(A, 300)
            if A is X:
                R = np.vstack([R, _tie_rows(A, None, est[-1].n_neighbors if hasattr(est, "steps") else est.n_neighbors,
                                            40, 6, lambda Z: Z, 2.0)])
            cases.append((est, R))
        for est in (RadiusNeighborsClassifier(0.5, outlier_label="most_frequent", **brute),
                    RadiusNeighborsClassifier(0.6, weights="distance", outlier_label="most_frequent", **brute),
                    make_pipeline(MinMaxScaler(), RadiusNeighborsClassifier(0.2, outlier_label="most_frequent", **brute))):
            est.fit(X, y)
            pipe = est if hasattr(est, "steps") else make_pipeline("passthrough", est)
            R = rows(X, 300)
            cases.append((est, np.vstack([R, _radius_rows(pipe, X, _random_rows(X, 400, 7, widen=0.3), 30, 8)])))
        models = [ctml.convert(est, name=f"brute_{i}") for i, (est, _) in enumerate(cases)]
        for (est, R), got in zip(cases, h.predict_together(models, [r for _, r in cases])):
            with self.subTest(est=str(est)):
                want = est.predict(R.astype(np.float64))
                bad = np.flatnonzero(want != got)
                self.assertEqual(len(bad), 0, f"{len(bad)} of {len(R)} rows differ, first {bad[:5]}")


if __name__ == "__main__":
    unittest.main()
