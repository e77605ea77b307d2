"""The integer policy q<int16_t, F> on raw int16 input: its accuracy cost
against sklearn (the float policy is exact), measured and bounded. One format
F for all features (the most fraction bits with which the data fits int16), as
a firmware reading raw sensor values would use. Prints the measured
agreement (see the family's README for the recorded numbers)."""

import unittest

import numpy as np

import _helpers as h
import _linear_cases as lc
from _helpers import ctml


def _cases():
    from sklearn.cluster import KMeans
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    def fit(est, data):
        X, y = lc.dataset(data)
        return est.fit(X, y), X

    # name: (fitted, X, least agreement expected)
    return {
        "lr_wine_standardised": (*fit(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), "wine"),
                                 0.99),
        # 30 features over five decades (area ~ 4000, fractal dimension ~ 0.05) in one
        # format F = 2: the small features round to a few levels; measured 376/569
        "lda_cancer": (*fit(LDA(), "cancer"), 0.65),
        "lda_iris": (*fit(LDA(), "iris"), 0.99),
        "linear_svc_digits": (*fit(LinearSVC(C=0.01, max_iter=20000, random_state=0), "digits"), 0.99),
        "kmeans_iris": (*fit(KMeans(3, n_init=3, random_state=0), "iris"), 0.99),
        "linreg_diabetes": (*fit(LinearRegression(), "diabetes"), None),
    }


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class Int16PolicyTest(unittest.TestCase):
    def test_accuracy_cost_against_sklearn(self):
        report = []
        for name, (est, X, least) in _cases().items():
            frac = lc.frac_bits_for(X)
            m = ctml.convert(est, name=name)
            got = lc.run_q(m, X, frac)
            want = est.predict(X)
            if least is None:  # regressor: error relative to the target's spread
                err = np.max(np.abs(got - want)) / np.std(want)
                report.append(f"{name}: F={frac}, max |error| = {err:.2e} std(prediction)")
                self.assertLess(err, 0.02, name)
                continue
            idx = np.searchsorted(m.classes_, want) if m.classes_ is not None else want
            agree = float(np.mean(got == idx))
            report.append(f"{name}: F={frac}, agreement {int(round(agree * len(X)))}/{len(X)}")
            self.assertGreaterEqual(agree, least, name)
        print("\nint16 policy vs sklearn:\n  " + "\n  ".join(report))

    def test_integer_input_is_exact_where_the_weights_are(self):
        """k-means on integer centres: integer arithmetic decides exactly."""
        from sklearn.cluster import KMeans

        rng = np.random.default_rng(0)
        X = rng.integers(-50, 50, size=(400, 3)).astype(float)
        km = KMeans(4, n_init=2, random_state=0).fit(X)
        km.cluster_centers_ = np.round(km.cluster_centers_)  # integer centres: |c|^2 and 2 x.c are integers
        m = ctml.convert(km, name="km")
        np.testing.assert_array_equal(lc.run_q(m, X, 0), km.predict(X))


if __name__ == "__main__":
    unittest.main()
