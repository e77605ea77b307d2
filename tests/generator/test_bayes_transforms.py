"""Naive Bayes and the transforms (PCA, TruncatedSVD, LDA transform,
Normalizer, PolynomialFeatures, Binarizer, feature selectors) before estimators: the compiled
header predicts what sklearn predicts, row for row, on the double path and the
float32 path; decision_function / predict_proba within float tolerance; the
sums are in numpy's order, bit for bit."""

import unittest

import numpy as np

import _helpers as h
import _linear_cases as lc
from _helpers import ctml


def _cases():
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
    from sklearn.feature_selection import SelectKBest, VarianceThreshold
    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDRegressor
    from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Binarizer, Normalizer, PolynomialFeatures, StandardScaler

    def fit(est, data):
        X, y = lc.dataset(data)
        return est.fit(X, y), X

    return {
        "gnb_iris": fit(GaussianNB(), "iris"),
        "gnb_priors_wine": fit(GaussianNB(priors=[0.5, 0.3, 0.2]), "wine"),
        "gnb_digits": fit(GaussianNB(var_smoothing=1e-2), "digits"),
        "gnb_blobs_scaled": fit(make_pipeline(StandardScaler(), GaussianNB()), "blobs"),
        "mnb_digits": fit(MultinomialNB(alpha=0.5), "digits"),
        "cnb_digits": fit(ComplementNB(), "digits"),
        "bnb_digits": fit(BernoulliNB(binarize=4.0), "digits"),
        "pca_whiten_lr_wine": fit(make_pipeline(StandardScaler(), PCA(5, whiten=True),
                                                LogisticRegression(max_iter=1000)), "wine"),
        "svd_ridge_digits": fit(make_pipeline(TruncatedSVD(6, random_state=0), RidgeClassifier()), "digits"),
        "normalizer_lr_iris": fit(make_pipeline(Normalizer(), LogisticRegression(max_iter=3000)), "iris"),
        "normalizer_l1_gnb_wine": fit(make_pipeline(Normalizer("l1"), GaussianNB()), "wine"),
        "normalizer_max_lr_cancer": fit(make_pipeline(Normalizer("max"), LogisticRegression(max_iter=3000)),
                                        "cancer"),
        "poly_lr_iris": fit(make_pipeline(StandardScaler(), PolynomialFeatures(2),
                                          LogisticRegression(max_iter=3000)), "iris"),
        "poly_interaction_sgd_reg": fit(make_pipeline(StandardScaler(), PolynomialFeatures(2, interaction_only=True,
                                                                                          include_bias=False),
                                                      SGDRegressor(random_state=0)), "regression"),
        "lda_transform_kmeans_wine": fit(make_pipeline(LDA(n_components=2), KMeans(3, n_init=2, random_state=0)),
                                         "wine"),
        "lda_eigen_transform_gnb": fit(make_pipeline(LDA(solver="eigen", shrinkage=0.05), GaussianNB()), "wine"),
        "pca_gnb_digits": fit(make_pipeline(PCA(8), GaussianNB()), "digits"),
        "binarizer_lr_digits": fit(make_pipeline(Binarizer(threshold=7.0), LogisticRegression(max_iter=2000)),
                                   "digits"),
        "variance_std_lr_digits": fit(make_pipeline(VarianceThreshold(4.0), StandardScaler(),
                                                    LogisticRegression(max_iter=3000)), "digits"),
        "kbest_gnb_cancer": fit(make_pipeline(SelectKBest(k=7), GaussianNB()), "cancer"),
    }


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class BayesTransformsPredictTest(lc.Agreement, unittest.TestCase):
    cases_factory = staticmethod(_cases)



def _add_tests():
    names = ["gnb_iris", "gnb_priors_wine", "gnb_digits", "gnb_blobs_scaled", "mnb_digits", "cnb_digits",
             "bnb_digits", "pca_whiten_lr_wine", "svd_ridge_digits", "normalizer_lr_iris", "normalizer_l1_gnb_wine",
             "normalizer_max_lr_cancer", "poly_lr_iris", "poly_interaction_sgd_reg", "lda_transform_kmeans_wine",
             "lda_eigen_transform_gnb", "pca_gnb_digits", "binarizer_lr_digits", "variance_std_lr_digits",
             "kbest_gnb_cancer"]
    for name in names:
        setattr(BayesTransformsPredictTest, f"test_{name}", lambda self, n=name: self.check(n))


_add_tests()


class SelectorTest(unittest.TestCase):
    def test_header_keeps_sklearns_columns(self):
        from sklearn.feature_selection import SelectKBest
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        X, y = lc.dataset("wine")
        pipe = make_pipeline(SelectKBest(k=4), LogisticRegression(max_iter=3000)).fit(X, y)
        header = ctml.convert(pipe, name="m").header
        np.testing.assert_array_equal(h.ints(header, "index"), pipe[0].get_support(indices=True))
        self.assertIn("ctml::select_features<", header)

    def test_selector_keeping_nothing_is_an_error(self):
        import os
        import tempfile
        import warnings

        from sklearn.feature_selection import SelectKBest
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        X, y = lc.dataset("iris")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns that k=0 keeps nothing
            sel = SelectKBest(k=0).fit(X, y)
        pipe = Pipeline([("s", sel), ("lr", LogisticRegression(max_iter=500).fit(X, y))])
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "m.hpp")
            rc, _, stderr = h.run_cli("convert", h.dump(pipe, os.path.join(d, "m.joblib")), "--name", "m", "-o", out)
            self.assertEqual(rc, 2, stderr)
            self.assertRegex(stderr, r"\Actml: error: SelectKBest keeps no feature.*\n\Z")
            self.assertFalse(os.path.exists(out))


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class OutputsTest(unittest.TestCase):
    """decision_function and predict_proba: float32, within stated tolerances."""

    def test_logistic_decision_function_and_proba(self):
        from sklearn.linear_model import LogisticRegression

        for data, kw in (("wine", {}), ("iris", {"multi_class": "ovr"}), ("cancer", {}),
                         ("cancer", {"multi_class": "multinomial"})):
            X, y = lc.dataset(data)
            X = (X - X.mean(0)) / X.std(0)
            est = LogisticRegression(max_iter=3000, **kw).fit(X, y)
            m = ctml.convert(est, name="lr")
            R = lc.f32(np.vstack([X, lc.random_rows(X, 100)]))
            k = est.coef_.shape[0]
            dec = lc.run_outputs(m, R, "decision_function", k)
            want = est.decision_function(R).reshape(len(R), -1)
            # float32 sums: |error| <= (D + 9) 2^-24 (sum |w x| + |b|)
            scale = np.abs(R) @ np.abs(est.coef_.T) + np.abs(est.intercept_)
            self.assertTrue(np.all(np.abs(dec - want) <= (X.shape[1] + 9) * 2.0**-24 * scale), data)
            proba = lc.run_outputs(m, R, "predict_proba", len(est.classes_))
            np.testing.assert_allclose(proba, est.predict_proba(R), atol=2e-6, err_msg=data)

    def test_lda_proba_and_gaussian_nb_proba(self):
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
        from sklearn.naive_bayes import GaussianNB

        for est, data in ((LinearDiscriminantAnalysis(), "cancer"), (LinearDiscriminantAnalysis(), "wine"),
                          (GaussianNB(), "iris")):
            X, y = lc.dataset(data)
            est.fit(X, y)
            m = ctml.convert(est, name="m")
            R = lc.f32(X)
            proba = lc.run_outputs(m, R, "predict_proba", len(est.classes_))
            np.testing.assert_allclose(proba, est.predict_proba(R), atol=1e-5, err_msg=type(est).__name__)


class NumpyOrderTest(unittest.TestCase):
    """The orders the C++ double paths reproduce, checked against numpy itself."""

    @staticmethod
    def pairwise(a):  # numpy's pairwise sum along axis 1 (as gaussian_nb.hpp)
        n = a.shape[1]
        if n < 8:
            s = a[:, 0].copy()
            for i in range(1, n):
                s = s + a[:, i]
            return s
        if n <= 128:
            r = [a[:, j].copy() for j in range(8)]
            full = n - n % 8
            for i in range(8, full, 8):
                for j in range(8):
                    r[j] = r[j] + a[:, i + j]
            s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            for i in range(full, n):
                s = s + a[:, i]
            return s
        half = n // 2
        half -= half % 8
        return NumpyOrderTest.pairwise(a[:, :half]) + NumpyOrderTest.pairwise(a[:, half:])

    @staticmethod
    def einsum(X):  # numpy.einsum("ij,ij->i") as normalizer.hpp
        lane0, lane1 = np.zeros(len(X)), np.zeros(len(X))
        c, d = 0, X.shape[1]
        while d - c >= 8:
            for e in (6, 4, 2, 0):
                lane0 = lane0 + X[:, c + e] * X[:, c + e]
                lane1 = lane1 + X[:, c + e + 1] * X[:, c + e + 1]
            c += 8
        while c < d:
            lane0 = lane0 + X[:, c] * X[:, c]
            if c + 1 < d:
                lane1 = lane1 + X[:, c + 1] * X[:, c + 1]
            c += 2
        return lane0 + lane1

    def test_pairwise_and_einsum_orders(self):
        rng = np.random.default_rng(5)
        for d in (1, 3, 7, 8, 13, 64, 130, 300):
            X = rng.normal(size=(500, d)) * rng.random(d) * 100
            np.testing.assert_array_equal(np.add.reduce(X, axis=1), self.pairwise(X))
            np.testing.assert_array_equal(np.einsum("ij,ij->i", X, X), self.einsum(X))

    def test_gaussian_nb_joint_log_likelihood(self):
        from sklearn.naive_bayes import GaussianNB

        X, y = lc.dataset("digits")
        est = GaussianNB(var_smoothing=1e-3).fit(X, y)
        X = lc.f32(X + np.random.default_rng(0).normal(size=X.shape))
        want = est._joint_log_likelihood(X)
        for i in range(len(est.classes_)):
            n = -0.5 * np.sum(np.log(2.0 * np.pi * est.var_[i, :]))
            n = n - 0.5 * self.pairwise(((X - est.theta_[i, :]) ** 2) / est.var_[i, :])
            np.testing.assert_array_equal(np.log(est.class_prior_[i]) + n, want[:, i])


if __name__ == "__main__":
    unittest.main()
