"""Kernel SVMs: the compiled header predicts what scikit-learn predicts, row for
row, on dataset rows, random rows over the training range and rows built on
the decision boundary (one float32 step either side of it)."""

import unittest

import numpy as np

import _helpers as h
from _helpers import ctml


def _random_rows(X, n, seed):
    rng = np.random.default_rng(seed)
    lo, hi = X.min(axis=0), X.max(axis=0)
    return rng.uniform(lo, hi, size=(n, X.shape[1])).astype(np.float32)


def _boundary_rows(predict, X, n_pairs, seed):
    """Rows one float32 step either side of where `predict` changes, found by
    bisection between rows of different predictions, then by walking the
    feature that changes most in float32 steps."""
    rng = np.random.default_rng(seed)
    X = X.astype(np.float32)
    y = predict(X.astype(np.float64))
    rows = []
    for _ in range(n_pairs * 4):
        i, j = rng.integers(len(X), size=2)
        if y[i] == y[j]:
            continue
        a, b = X[i].astype(np.float64), X[j].astype(np.float64)
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if predict((a + mid * (b - a))[None])[0] == y[i]:
                lo = mid
            else:
                hi = mid
        x = (a + lo * (b - a)).astype(np.float32)
        f = int(np.argmax(np.abs(b - a)))
        cur = predict(x.astype(np.float64)[None])[0]

        def at(v):  # x with feature f set to the float32 of ordered key v
            z = x.copy()
            bits = v if v >= 0 else 0x80000000 | -v
            z[f] = np.array([bits], dtype=np.uint32).view(np.float32)[0]
            return z

        def key(v):  # float32 -> integer in numeric order (adjacent floats differ by 1)
            bits = int(np.array([v], dtype=np.float32).view(np.uint32)[0])
            return bits if bits < 0x80000000 else -(bits & 0x7FFFFFFF)

        k0 = key(x[f])
        direction = 1 if b[f] > a[f] else -1
        step, far = 1, None
        for _ in range(40):  # expand in float32 steps until the prediction changes
            if abs(k0 + direction * step) >= 0x7F800000:  # beyond the largest finite float
                break
            if predict(at(k0 + direction * step).astype(np.float64)[None])[0] != cur:
                far = k0 + direction * step
                break
            step *= 2
        if far is None:
            continue
        near = k0
        while abs(far - near) > 1:  # bisect on the float32 grid: adjacent values
            mid = (near + far) // 2
            if predict(at(mid).astype(np.float64)[None])[0] == cur:
                near = mid
            else:
                far = mid
        rows += [at(near), at(far)]
        if len(rows) >= 2 * n_pairs:
            break
    return np.array(rows, dtype=np.float32)


class SvmTest(unittest.TestCase):
    def check(self, est, X, name="m", random=1000, boundary=0):
        m = ctml.convert(est, name=name)
        sets = [X.astype(np.float32), _random_rows(X, random, 1)]
        if boundary:
            b = _boundary_rows(est.predict, X, boundary, 2)
            self.assertGreater(len(b), 0)
            sets.append(b)
        for rows in sets:
            want = est.predict(rows.astype(np.float64))
            got = m.predict(rows)
            bad = np.flatnonzero(want != got)
            self.assertEqual(len(bad), 0, f"{len(bad)} of {len(rows)} rows differ, first {bad[:5]}")
        return m

    def test_svc_kernels_wine_standardised(self):
        from sklearn.datasets import load_wine
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        X, y = load_wine(return_X_y=True)
        Xs = StandardScaler().fit_transform(X)
        for kernel in ("rbf", "linear", "poly", "sigmoid"):
            with self.subTest(kernel=kernel):
                # A StandardScaler right before the SVM is folded into it and
                # scaled in double as sklearn does; the linear kernel keeps a
                # scaler stage and refines through it (pipeline.hpp; before, 4
                # of its 16 boundary rows differed).
                self.check(make_pipeline(StandardScaler(), SVC(kernel=kernel, C=2.0)).fit(X, y), X, boundary=8)
                self.check(SVC(kernel=kernel, C=2.0).fit(Xs, y), Xs, boundary=10 if kernel in ("rbf", "linear") else 4)

    def test_robust_and_max_abs_scalers_folded(self):
        from sklearn.datasets import load_wine
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MaxAbsScaler, RobustScaler
        from sklearn.svm import SVC, NuSVC

        # sklearn applies both as (x - c) / s, as StandardScaler: folded in too
        # (as separate stages, 4 and 5 of these 16 boundary rows differed).
        X, y = load_wine(return_X_y=True)
        for est in (make_pipeline(RobustScaler(), SVC(C=2.0)), make_pipeline(MaxAbsScaler(), NuSVC(kernel="poly", nu=0.2))):
            with self.subTest(est=str(est)):
                self.check(est.fit(X, y), X, boundary=8)

    def test_after_transforms_not_folded(self):
        from sklearn.datasets import load_wine
        from sklearn.decomposition import PCA
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, Normalizer, PolynomialFeatures, StandardScaler
        from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

        # The SVM decides on the stages' float32 output where its fast path's
        # bound proves it, else redoes the whole chain in double (pipeline.hpp);
        # regressors take only the double chain. Before (the SVM's double path
        # on the widened float32 output), 9, 12, 1, 10, 7 and 11 of the
        # classifiers' 24 boundary rows differed, 4 of the OneClassSVM's 10,
        # and the regressors were 6e-8 and 1.2e-7 relative off (with unsure
        # pairs taken as sure, 12 of 24 differ: the rows reach the double chain).
        X, y = load_wine(return_X_y=True)
        cases = []  # (estimator, rows)
        for est in (make_pipeline(MinMaxScaler(), SVC(C=2.0)),
                    make_pipeline(MinMaxScaler(), NuSVC(kernel="linear", nu=0.2)),
                    make_pipeline(PCA(5, random_state=0), SVC(C=2.0)),
                    make_pipeline(StandardScaler(), PCA(5, random_state=0), NuSVC(kernel="linear", nu=0.2)),
                    make_pipeline(Normalizer(), SVC(C=10.0, gamma=50.0)),
                    make_pipeline(MinMaxScaler(), PolynomialFeatures(2), NuSVC(kernel="linear", nu=0.2))):
            est.fit(X, y)
            cases.append((est, np.vstack([X.astype(np.float32), _random_rows(X, 200, 1), _boundary_rows(est.predict, X, 12, 2)])))
        est = make_pipeline(MinMaxScaler(), OneClassSVM(nu=0.1, gamma=2.0)).fit(X)
        cases.append((est, np.vstack([_random_rows(X, 200, 4), _boundary_rows(est.predict, X, 12, 5)])))
        Xd, yd = h.diabetes()
        for est in (make_pipeline(MinMaxScaler(), PCA(6, random_state=0), SVR(C=50.0, gamma=5.0)),
                    make_pipeline(MinMaxScaler(), PCA(6, random_state=0), NuSVR(kernel="poly", degree=2, C=10.0))):
            cases.append((est.fit(Xd, yd), np.vstack([Xd.astype(np.float32), _random_rows(Xd, 300, 3)])))
        models = [ctml.convert(est, name=f"svm_after_{i}") for i, (est, _) in enumerate(cases)]
        for (est, rows), got in zip(cases, h.predict_together(models, [r for _, r in cases])):
            with self.subTest(est=str(est)):
                want = est.predict(rows.astype(np.float64))
                if est._estimator_type == "regressor":
                    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
                else:
                    bad = np.flatnonzero(want != got)
                    self.assertEqual(len(bad), 0, f"{len(bad)} of {len(rows)} rows differ, first {bad[:5]}")

    def test_svc_iris_raw_and_hyperparameters(self):
        from sklearn.svm import SVC

        X, y = h.iris_str()
        for kw in ({"gamma": 0.5, "C": 10.0}, {"gamma": "auto"}, {"kernel": "poly", "degree": 2, "coef0": 1.0},
                   {"kernel": "linear", "C": 0.1}, {"decision_function_shape": "ovo"}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.check(SVC(**kw).fit(X, y), X, boundary=6)

    def test_binary_and_nu(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC, NuSVC

        Xb, yb = h.binary()
        Xs = StandardScaler().fit_transform(Xb)
        for est in (SVC(), SVC(kernel="linear"), NuSVC(nu=0.3), NuSVC(kernel="poly", degree=3, nu=0.2)):
            with self.subTest(est=str(est)):
                self.check(est.fit(Xs, yb), Xs, random=500, boundary=8)
        self.check(make_pipeline(StandardScaler(), NuSVC(nu=0.3)).fit(Xb, yb), Xb, random=500, boundary=6)
        X, y = h.iris_str()
        self.check(NuSVC(nu=0.1).fit(X, y), X, boundary=4)

    def test_regressors(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVR, NuSVR

        X, y = h.diabetes()
        for est, tol in ((SVR(C=50.0, gamma=5.0), 1e-12), (SVR(kernel="linear", C=100.0), 1e-12),
                         (NuSVR(kernel="poly", degree=2, C=10.0), 1e-12), (SVR(kernel="sigmoid", gamma=0.5), 1e-12),
                         (make_pipeline(StandardScaler(), SVR(C=50.0)), 1e-12)):
            with self.subTest(est=str(est)):
                est.fit(X, y)
                m = ctml.convert(est, name="r")
                for rows in (X.astype(np.float32), _random_rows(X, 300, 3)):
                    want = est.predict(rows.astype(np.float64))
                    got = m.predict(rows)
                    # libsvm sums with BLAS and the platform's exp: a few ulps apart at most
                    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())

    def test_one_class(self):
        from sklearn.svm import OneClassSVM

        X, _ = h.iris_str()
        for kw in ({"nu": 0.1, "gamma": 0.5}, {"nu": 0.3, "kernel": "linear"}, {"nu": 0.05, "gamma": "scale"}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                est = OneClassSVM(**kw).fit(X)
                m = ctml.convert(est, name="oc")
                for rows in (X.astype(np.float32), _random_rows(X, 1000, 4), _boundary_rows(est.predict, X, 6, 5)):
                    want = est.predict(rows.astype(np.float64))
                    np.testing.assert_array_equal(m.predict(rows), want)

    def test_break_ties(self):
        from sklearn.base import clone
        from sklearn.datasets import load_wine, make_blobs
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler
        from sklearn.svm import SVC

        # SVC(break_ties=True) predicts the argmax of the ovr decision function:
        # a different class than the vote only where classes share the most
        # votes. Rows: random ones, the tied ones, and rows either side of
        # where the tie break changes its answer (one float32 step apart).
        Xb, yb = make_blobs(600, n_features=4, centers=4, cluster_std=3.0, random_state=0)
        Xw, yw = load_wine(return_X_y=True)
        cases = []
        for est, X, y in ((SVC(break_ties=True), Xb, yb), (SVC(kernel="linear", break_ties=True), Xb, yb),
                          (SVC(kernel="poly", break_ties=True), Xb, yb),
                          (make_pipeline(MinMaxScaler(), SVC(kernel="linear", break_ties=True)), Xw, yw)):
            est.fit(X, y)
            voting = clone(est).set_params(**{k: False for k in est.get_params() if k.endswith("break_ties")}).fit(X, y)
            r = _random_rows(X, 3000, 7)
            tied = r[est.predict(r.astype(np.float64)) != voting.predict(r.astype(np.float64))]
            rows = np.vstack([r, _boundary_rows(est.predict, tied, 10, 3)])
            changed = int((est.predict(rows.astype(np.float64)) != voting.predict(rows.astype(np.float64))).sum())
            self.assertGreater(changed, 10, "rows on which the tie break decides")
            cases.append((est, rows))
        models = [ctml.convert(est, name=f"svm_ties_{i}") for i, (est, _) in enumerate(cases)]
        for (est, rows), got in zip(cases, h.predict_together(models, [r for _, r in cases])):
            with self.subTest(est=str(est)):
                bad = np.flatnonzero(est.predict(rows.astype(np.float64)) != got)
                self.assertEqual(len(bad), 0, f"{len(bad)} of {len(rows)} rows differ, first {bad[:5]}")

    def test_rejects(self):
        from sklearn.svm import SVC

        X, y = h.iris_str()
        for est, words in ((SVC(kernel="precomputed").fit(X @ X.T, y), "precomputed"),
                           (SVC(break_ties=True, decision_function_shape="ovo").fit(X, y), "break_ties")):
            with self.subTest(words=words):
                with self.assertRaises(ctml.ConversionError) as e:
                    ctml.convert(est, name="bad")
                self.assertIn(words, str(e.exception))


if __name__ == "__main__":
    unittest.main()
