"""Linear models, LDA and k-means: the compiled header predicts what sklearn
predicts, row for row (test rows, random rows over the training range, rows
on decision boundaries), on the direct double path and on the float32 path
with its double refinement (CTML_FORCE_INTEGER_BINARY64 makes the host
behave like a chip without a double unit)."""

import unittest

import numpy as np

import _helpers as h
import _linear_cases as lc
from _helpers import ctml


def _cases():
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis as QDA
    from sklearn.linear_model import (ElasticNet, HuberRegressor, Lasso, LinearRegression, LogisticRegression,
                                      Perceptron, Ridge, RidgeClassifier, RidgeClassifierCV, SGDClassifier,
                                      SGDRegressor)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
    from sklearn.svm import LinearSVC, LinearSVR

    def fit(est, data):
        X, y = lc.dataset(data)
        return est.fit(X, y), X

    def std(est):
        return make_pipeline(StandardScaler(), est)

    return {
        "lr_multinomial_wine": fit(std(LogisticRegression(max_iter=2000)), "wine"),
        "lr_ovr_iris": fit(LogisticRegression(multi_class="ovr", max_iter=2000), "iris"),
        "lr_binary_cancer": fit(std(LogisticRegression(C=0.3, max_iter=2000)), "cancer"),
        "lr_liblinear_digits": fit(LogisticRegression(solver="liblinear", C=0.05), "digits"),
        "lr_noint_blobs": fit(make_pipeline(MinMaxScaler(), LogisticRegression(fit_intercept=False, max_iter=3000)),
                              "blobs"),
        "linear_svc_wine": fit(std(LinearSVC(C=0.5, max_iter=20000, random_state=0)), "wine"),
        "linear_svc_cancer": fit(make_pipeline(RobustScaler(), LinearSVC(max_iter=20000, random_state=0)), "cancer"),
        "sgd_hinge_blobs": fit(SGDClassifier(random_state=0), "blobs"),
        "sgd_log_iris": fit(std(SGDClassifier(loss="log_loss", random_state=1)), "iris"),
        "ridge_clf_digits": fit(RidgeClassifier(alpha=3.0), "digits"),
        "ridge_clf_cancer": fit(std(RidgeClassifier()), "cancer"),
        "perceptron_wine": fit(std(Perceptron(random_state=0)), "wine"),
        "lda_svd_cancer": fit(LDA(), "cancer"),
        "lda_lsqr_shrink_wine": fit(LDA(solver="lsqr", shrinkage="auto"), "wine"),
        "lda_eigen_iris": fit(LDA(solver="eigen", shrinkage=0.1), "iris"),
        "lda_priors_blobs": fit(std(LDA(priors=[0.1, 0.2, 0.3, 0.4])), "blobs"),
        "qda_iris": fit(QDA(), "iris"),
        "qda_reg_cancer": fit(std(QDA(reg_param=0.1, priors=[0.3, 0.7])), "cancer"),
        "linreg_diabetes": fit(LinearRegression(), "diabetes"),
        "ridge_regression": fit(std(Ridge(alpha=0.5)), "regression"),
        "lasso_diabetes": fit(Lasso(alpha=0.05), "diabetes"),
        "enet_regression": fit(ElasticNet(alpha=0.2, l1_ratio=0.3), "regression"),
        "sgd_reg_regression": fit(std(SGDRegressor(random_state=0)), "regression"),
        "linear_svr_diabetes": fit(std(LinearSVR(C=2.0, max_iter=20000, random_state=0)), "diabetes"),
        "ridge_clf_cv_wine": fit(std(RidgeClassifierCV()), "wine"),
        "huber_diabetes": fit(HuberRegressor(max_iter=1000), "diabetes"),
        "kmeans_wine": fit(std(KMeans(5, n_init=3, random_state=0)), "wine"),
        "kmeans_iris": fit(KMeans(3, n_init=3, random_state=0), "iris"),
        "minibatch_digits": fit(MiniBatchKMeans(8, n_init=3, random_state=0), "digits"),
    }


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class LinearPredictTest(lc.Agreement, unittest.TestCase):
    cases_factory = staticmethod(_cases)


def _add_tests():
    for name in ["lr_multinomial_wine", "lr_ovr_iris", "lr_binary_cancer", "lr_liblinear_digits", "lr_noint_blobs",
                 "linear_svc_wine", "linear_svc_cancer", "sgd_hinge_blobs", "sgd_log_iris", "ridge_clf_digits",
                 "ridge_clf_cancer", "perceptron_wine", "lda_svd_cancer", "lda_lsqr_shrink_wine", "lda_eigen_iris",
                 "lda_priors_blobs", "qda_iris", "qda_reg_cancer", "linreg_diabetes", "ridge_regression",
                 "lasso_diabetes", "enet_regression",
                 "sgd_reg_regression", "linear_svr_diabetes", "ridge_clf_cv_wine", "huber_diabetes", "kmeans_wine",
                 "kmeans_iris", "minibatch_digits"]:
        setattr(LinearPredictTest, f"test_{name}", lambda self, n=name: self.check(n))


_add_tests()


class MoreLinearEstimatorsTest(unittest.TestCase):
    """The other estimators convert takes through the same stages (the
    cross-validated variants, Lars, Bayesian, robust and quantile
    regressors, passive-aggressive models): their predict is sklearn's
    LinearModel / LinearClassifierMixin on coef_ and intercept_ (the form
    compiled and checked above), and the header holds exactly those."""

    def test_predict_is_the_affine_form_and_the_header_holds_it(self):
        import warnings

        from sklearn import linear_model as lm

        Xc, yc = lc.dataset("wine")
        Xr, yr = lc.dataset("diabetes")
        classifiers = [lm.LogisticRegressionCV(max_iter=3000), lm.RidgeClassifierCV(),
                       lm.PassiveAggressiveClassifier(random_state=0)]
        regressors = [lm.RidgeCV(), lm.LassoCV(random_state=0), lm.ElasticNetCV(random_state=0), lm.Lars(),
                      lm.LarsCV(), lm.LassoLars(alpha=0.01), lm.LassoLarsCV(), lm.LassoLarsIC(),
                      lm.OrthogonalMatchingPursuit(), lm.OrthogonalMatchingPursuitCV(), lm.BayesianRidge(),
                      lm.ARDRegression(), lm.HuberRegressor(max_iter=1000), lm.TheilSenRegressor(random_state=0),
                      lm.QuantileRegressor(alpha=0.0, solver="highs"),
                      lm.PassiveAggressiveRegressor(random_state=0)]
        for est, (X, y) in [(c, (Xc, yc)) for c in classifiers] + [(r, (Xr, yr)) for r in regressors]:
            name = type(est).__name__
            with self.subTest(name), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence
                est.fit(X[:200], y[:200])
                header = ctml.convert(est, name="m").header
                coef = np.atleast_2d(est.coef_)
                np.testing.assert_array_equal(h.doubles(header, "coef"), coef.ravel())
                np.testing.assert_array_equal(h.doubles(header, "intercept"),
                                              np.broadcast_to(est.intercept_, (coef.shape[0],)))
                ref = lm.Perceptron() if hasattr(est, "classes_") else lm.LinearRegression()
                ref.coef_, ref.intercept_, ref.n_features_in_ = est.coef_, est.intercept_, X.shape[1]
                if hasattr(est, "classes_"):
                    ref.classes_ = est.classes_
                rows = lc.random_rows(X, 300)
                np.testing.assert_array_equal(est.predict(rows), ref.predict(rows))


def _extreme_cases():
    """Finite parameters at the ends of the double range: subnormal weights
    (the compile-time scaling must not overflow or loop), and scores that
    overflow to inf - inf = NaN (numpy's argmax takes the first NaN)."""
    from sklearn.linear_model import LogisticRegression, RidgeClassifier

    X, y = lc.dataset("cancer")
    tiny = LogisticRegression(max_iter=5000).fit(X, y)
    tiny.coef_[:] = 0.0
    tiny.coef_[0, :3] = (1e-300, -1e-300, 4e-320)
    tiny.intercept_[:] = 0.0
    ridge = RidgeClassifier().fit(X, y)
    ridge.coef_ *= 1e-312
    ridge.intercept_ *= 1e-312
    Xi, yi = lc.dataset("iris")
    nan = LogisticRegression(max_iter=2000).fit(Xi, yi)
    nan.coef_[1, :2] = (0.3e308, -0.5e308)  # inf - inf for x0 > 6 and x1 > 3.6
    return {"lr_tiny_weights": (tiny, X), "ridge_subnormal": (ridge, X), "lr_nan_scores": (nan, Xi)}


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class LinearExtremeParametersTest(lc.Agreement, unittest.TestCase):
    cases_factory = staticmethod(_extreme_cases)

    @classmethod
    def setUpClass(cls):
        with np.errstate(over="ignore", invalid="ignore"):  # sklearn's own overflow
            super().setUpClass()

    def check(self, name):
        with np.errstate(over="ignore", invalid="ignore"):
            super().check(name)

    def test_lr_tiny_weights(self):
        self.check("lr_tiny_weights")

    def test_ridge_subnormal(self):
        self.check("ridge_subnormal")

    def test_lr_nan_scores(self):
        est, _ = self.cases["lr_nan_scores"]
        with np.errstate(over="ignore", invalid="ignore"):
            scores = est.decision_function(self.rows["lr_nan_scores"])
        self.assertGreater(int(np.isnan(scores).any(axis=1).sum()), 20)
        self.check("lr_nan_scores")


class LinearErrorsTest(unittest.TestCase):
    """Bad input: one ``ctml: error:`` line, exit 2, no file."""

    def expect_error(self, est, contains):
        import os
        import re
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            model = h.dump(est, os.path.join(d, "m.joblib"))
            out = os.path.join(d, "out.hpp")
            rc, stdout, stderr = h.run_cli("convert", model, "--name", "m", "-o", out)
            self.assertEqual(rc, 2, stderr)
            self.assertRegex(stderr, re.compile(r"ctml: error: \S.*\n\Z"))
            self.assertIn(contains, stderr)
            self.assertFalse(os.path.exists(out))

    def test_unfitted(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.naive_bayes import GaussianNB

        self.expect_error(LogisticRegression(), "LogisticRegression is not fitted")
        self.expect_error(GaussianNB(), "GaussianNB is not fitted")

    def test_sparse_coefficients(self):
        from sklearn.linear_model import SGDClassifier

        X, y = lc.dataset("iris")
        self.expect_error(SGDClassifier(random_state=0).fit(X, y).sparsify(), "densify()")

    def test_multi_output_regression(self):
        from sklearn.linear_model import Ridge

        X, y = lc.dataset("diabetes")
        self.expect_error(Ridge().fit(X, np.stack([y, y], axis=1)), "multi-output")

    def test_multilabel_classifier(self):
        from sklearn.linear_model import RidgeClassifier

        X, y = lc.dataset("iris")
        Y = np.stack([y == 0, y == 1], axis=1).astype(int)
        self.expect_error(RidgeClassifier().fit(X, Y), "multilabel")

    def test_unsupported_transform_options(self):
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import PolynomialFeatures

        X, y = lc.dataset("iris")
        self.expect_error(make_pipeline(PolynomialFeatures(3), LogisticRegression(max_iter=50)).fit(X, y),
                          "degree=2")
        from sklearn.pipeline import Pipeline

        pipe = Pipeline([("lda", LDA(solver="lsqr").fit(X, y)), ("lr", LogisticRegression(max_iter=50).fit(X[:, :2], y))])
        self.expect_error(pipe, "has no transform")


class SklearnOrderTest(unittest.TestCase):
    """The arithmetic the C++ double path reproduces is sklearn's, bit for bit."""

    def test_decision_function_is_a_sequential_dot_then_intercept(self):
        from sklearn.linear_model import LogisticRegression

        X, y = lc.dataset("digits")
        X = X + np.random.default_rng(0).normal(size=X.shape) * 0.37
        est = LogisticRegression(max_iter=3000).fit(X, y)
        X = lc.f32(X)
        want = est.decision_function(X)
        s = X[:, :1] * est.coef_[:, 0]
        for i in range(1, X.shape[1]):
            s = s + X[:, i:i + 1] * est.coef_[:, i]
        np.testing.assert_array_equal(s + est.intercept_, want)

    def test_boundary_rows_are_near_ties(self):
        from sklearn.linear_model import LogisticRegression

        X, y = lc.dataset("cancer")
        est = LogisticRegression(max_iter=5000).fit(X, y)
        rows = lc.boundary_rows(est.predict, X, 8)
        d = np.abs(est.decision_function(rows))
        scale = np.abs(rows) @ np.abs(est.coef_.ravel()) + abs(est.intercept_[0])
        self.assertTrue(np.all(d <= scale * 2.0**-20), "boundary rows are not within float32 error of the boundary")


if __name__ == "__main__":
    unittest.main()
