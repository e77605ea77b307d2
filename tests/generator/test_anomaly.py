"""IsolationForest, GaussianMixture and EllipticEnvelope: the generated header
predicts what sklearn predicts, row for row (random rows, rows exactly on the
offset_ boundary, rows near and on the boundaries between components)."""

import copy
import os
import unittest

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 shared cores: no thread oversubscription

import numpy as np  # noqa: E402

import _helpers as h
from _agreement import Agreement, FixedSums, _random_rows
from _helpers import ctml


# ----------------------------------------------------------------------------
# IsolationForest


class IsolationForests(Agreement):
    def test_predict(self):
        from sklearn.ensemble import IsolationForest

        X, _ = h.binary()
        for kw in (dict(n_estimators=100), dict(n_estimators=20, max_samples=128, max_features=0.5, contamination=0.1),
                   dict(n_estimators=10, max_samples=64, bootstrap=True)):
            est = IsolationForest(random_state=0, **kw).fit(X)
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.assert_same(est, _random_rows(X, 800))

    def test_offset_boundary(self):
        """offset_ set to rows' own scores: decision_function is exactly 0
        there (inlier), and one step above (outlier)."""
        from sklearn.ensemble import IsolationForest

        X, _ = h.diabetes()
        est = IsolationForest(n_estimators=10, max_samples=64, random_state=0).fit(X)
        X32 = X.astype(np.float32)
        scores = est.score_samples(X32.astype(np.float64))
        for i in (17,):
            for off in (scores[i], np.nextafter(scores[i], 0.0), np.nextafter(scores[i], -1.0)):
                e = copy.deepcopy(est)
                e.offset_ = off
                with self.subTest(row=i, offset=off):
                    self.assert_same(e, X32)


# ----------------------------------------------------------------------------
# GaussianMixture and EllipticEnvelope


def _wine8():
    from sklearn.datasets import load_wine

    X, _ = load_wine(return_X_y=True)
    return X[:, :8]


def _boundary_rows(est, X, n=300, seed=0):
    """Rows on segments between two components' means, bisected (in float32)
    towards the point where sklearn's prediction changes."""
    rng = np.random.default_rng(seed)
    rows = []
    means = est.means_
    for _ in range(n):
        a, b = rng.choice(len(means), 2, replace=False)
        lo, hi = means[a].astype(np.float32), means[b].astype(np.float32)
        p_lo = est.predict(lo[np.newaxis].astype(np.float64))[0]
        for _ in range(30):
            mid = ((lo.astype(np.float64) + hi) / 2).astype(np.float32)
            if est.predict(mid[np.newaxis].astype(np.float64))[0] == p_lo:
                lo = mid
            else:
                hi = mid
        rows += [lo, hi]
    return np.vstack([X.astype(np.float32)] + rows)


class Gaussians(Agreement):
    def test_mixture_covariance_types(self):
        from sklearn.mixture import GaussianMixture

        X = _wine8()
        for ct in ("full", "tied", "diag", "spherical"):
            est = GaussianMixture(4, covariance_type=ct, random_state=0).fit(X)
            with self.subTest(covariance_type=ct):
                self.assert_same(est, _random_rows(X, 2000))
                self.assert_same(est, _boundary_rows(est, X, n=100))

    def test_mixture_exact_tie(self):
        """Two spherical components at 0 and 2, equal weights: x = 1 is an exact
        tie in sklearn's arithmetic; the first component wins."""
        from sklearn.mixture import GaussianMixture

        rng = np.random.default_rng(0)
        est = GaussianMixture(2, covariance_type="spherical", random_state=0).fit(rng.normal(size=(50, 2)))
        est.means_ = np.array([[0.0, 0.0], [2.0, 0.0]])
        est.weights_ = np.array([0.5, 0.5])
        est.precisions_cholesky_ = np.array([1.0, 1.0])
        R = np.array([[1.0, 0.0], [1.0, 5.0], [np.nextafter(np.float32(1), np.float32(2)), 0.0], [0.99999994, 3.0]])
        self.assertEqual(list(est.predict(R)), [0, 0, 1, 0])
        self.assert_same(est, R)

    def test_elliptic_envelope(self):
        from sklearn.covariance import EllipticEnvelope

        X = _wine8()
        for contamination in (0.05, 0.2):
            est = EllipticEnvelope(contamination=contamination, random_state=0).fit(X)
            with self.subTest(contamination=contamination):
                self.assert_same(est, _random_rows(X, 2000))
                # rows whose distance is exactly sklearn's threshold: offset_ = -their distance
                d = est.mahalanobis(X.astype(np.float32).astype(np.float64))
                e = copy.deepcopy(est)
                e.offset_ = -d[3]
                self.assert_same(e, X)


class GaussiansFloatFirst(Agreement):
    """The same through the float32 path with its binary64 fallback (chips
    with float but no binary64 hardware)."""

    def setUp(self):
        from ctml import host

        self._flags = list(host.CXXFLAGS)
        host.CXXFLAGS.append("-DCTML_FORCE_INTEGER_BINARY64")

    def tearDown(self):
        from ctml import host

        host.CXXFLAGS[:] = self._flags

    test_mixture_covariance_types = Gaussians.test_mixture_covariance_types
    test_mixture_exact_tie = Gaussians.test_mixture_exact_tie
    test_elliptic_envelope = Gaussians.test_elliptic_envelope


class IsolationForestsFixedSums(FixedSums, Agreement):
    """The same decisions through the integer fast path (chips without float hardware)."""

    test_predict = IsolationForests.test_predict
    test_offset_boundary = IsolationForests.test_offset_boundary


class GaussiansInt16(unittest.TestCase):
    """q<int16_t, F> inputs: integer scores (not bit for bit), their
    agreement with the float policy on the values the int16 rows stand for,
    measured on wine (raw features and standardised ones): at least these
    rates (measured: raw 99.5 to 100%, standardised 99.95 to 100%)."""

    def test_agreement_with_float_policy(self):
        from sklearn.covariance import EllipticEnvelope
        from sklearn.datasets import load_wine
        from sklearn.mixture import GaussianMixture
        from sklearn.preprocessing import StandardScaler
        from _linear_cases import frac_bits_for, run_q

        Xw = load_wine(return_X_y=True)[0][:, :8]
        rng = np.random.default_rng(0)
        for label, X, floor in (("raw", Xw, 0.99), ("standardised", StandardScaler().fit_transform(Xw), 0.999)):
            R = np.vstack([X, rng.uniform(X.min(0), X.max(0), size=(1000, X.shape[1]))]).astype(np.float32)
            F = frac_bits_for(R)
            Rd = (np.clip(np.round(R * 2.0**F), -32768, 32767) / 2.0**F).astype(np.float32)
            models = [GaussianMixture(4, covariance_type=ct, random_state=0).fit(X)
                      for ct in ("full", "tied", "diag", "spherical")]
            models.append(EllipticEnvelope(contamination=0.1, random_state=0).fit(X))
            for est in models:
                m = ctml.convert(est, name="m")
                agree = float(np.mean(run_q(m, R, F) == m.predict(Rd)))
                with self.subTest(data=label, model=type(est).__name__, cov=getattr(est, "covariance_type", "")):
                    self.assertGreaterEqual(agree, floor)


class HeaderText(unittest.TestCase):
    """The generated header and parity file say what predict returns: the
    component for a mixture, +1/-1 for outlier detectors (not classes or a
    regressor's value)."""

    def test_says_what_the_model_is(self):
        from sklearn.covariance import EllipticEnvelope
        from sklearn.ensemble import IsolationForest
        from sklearn.mixture import GaussianMixture
        from ctml import cli

        X, _ = h.binary()
        X = X[:, :4]
        cases = [(GaussianMixture(3, random_state=0).fit(X), "clusterer, 3 components (predict: the component)",
                  "(the component index;"),
                 (IsolationForest(n_estimators=3, random_state=0).fit(X),
                  "outlier detector (predict: +1 inlier, -1 outlier)", "(+1 inlier, -1 outlier;"),
                 (EllipticEnvelope(random_state=0).fit(X), "outlier detector (predict: +1 inlier, -1 outlier)",
                  "(+1 inlier, -1 outlier;")]
        for est, source, vectors in cases:
            with self.subTest(model=type(est).__name__):
                m = ctml.convert(est, name="m")
                line = m.header.splitlines()[1]
                self.assertTrue(line.endswith(", 4 features, " + source), line)
                self.assertNotIn("classes", line)
                v = cli.vectors_header(est, m, X[:3].astype(np.float32), "m", "rows")
                self.assertIn(vectors, v.splitlines()[2])


if __name__ == "__main__":
    unittest.main()
