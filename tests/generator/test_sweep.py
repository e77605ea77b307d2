"""An outside-style sweep over the classic families (issue 12): models the other
tests do not use (other datasets, hyperparameters, Pipelines with scalers, PCA,
TruncatedSVD, Normalizer and PolynomialFeatures before the estimator),
converted through the command line (`python3 -m ctml convert`), compiled, and
compared with scikit-learn's predict on held-out rows and on random rows spread
over the training range: every row must agree (regressors: within the
model's stated tolerance, 0 for most, i.e. the same double)."""

import os
import subprocess
import tempfile
import unittest
import warnings

import numpy as np

import _helpers as h
from _helpers import ctml


def _split(X, y, seed=0):
    from sklearn.model_selection import train_test_split

    return train_test_split(np.asarray(X, dtype=np.float64), y, test_size=0.3, random_state=seed)


def _cases():
    """(label, estimator, X, y): the estimator is fitted on 70% of X."""
    from sklearn import datasets as d
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
    from sklearn.linear_model import (ElasticNet, LogisticRegression, Perceptron, Ridge, RidgeClassifier,
                                      SGDClassifier)
    from sklearn.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB
    from sklearn.neighbors import (KNeighborsClassifier, KNeighborsRegressor, NearestCentroid,
                                   RadiusNeighborsClassifier)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, Normalizer, PolynomialFeatures, StandardScaler
    from sklearn.svm import SVC, LinearSVC, LinearSVR, NuSVR

    digits = d.load_digits(return_X_y=True)
    wine = d.load_wine(return_X_y=True)
    cancer = d.load_breast_cancer(return_X_y=True)
    diabetes = d.load_diabetes(return_X_y=True)
    cls3 = d.make_classification(600, n_features=12, n_informative=6, n_classes=3, random_state=1)
    cls2 = d.make_classification(500, n_features=15, n_informative=5, random_state=2)
    reg = d.make_regression(400, n_features=10, noise=5.0, random_state=3)
    reg4 = d.make_regression(300, n_features=4, noise=2.0, random_state=4)
    blobs = d.make_blobs(500, n_features=5, centers=4, cluster_std=2.0, random_state=5)
    cat_X = np.clip(np.round(cls3[0][:, :5] + 2.5), 0, 5)
    return [
        ("logreg-ovr digits minmax+pca", make_pipeline(MinMaxScaler(), PCA(8, random_state=0),
                                                       LogisticRegression(multi_class="ovr", C=0.3, max_iter=500)), *digits),
        ("linearsvc 3-class standard", make_pipeline(StandardScaler(), LinearSVC(C=0.05, random_state=0)), *cls3),
        ("sgd modified_huber blobs", SGDClassifier(loss="modified_huber", random_state=0), *blobs),
        ("perceptron cancer standard+pca", make_pipeline(StandardScaler(), PCA(6, random_state=0),
                                                         Perceptron(random_state=0)), *cancer),
        ("ridgeclassifier truncatedsvd", make_pipeline(StandardScaler(), TruncatedSVD(5, random_state=0),
                                                       RidgeClassifier(alpha=3.0)), *cls2),
        ("elasticnet minmax", make_pipeline(MinMaxScaler(), ElasticNet(alpha=0.05, l1_ratio=0.3)), *reg),
        ("ridge poly2", make_pipeline(PolynomialFeatures(2), Ridge(alpha=2.0)), *reg4),
        ("linearsvr diabetes standard", make_pipeline(StandardScaler(), LinearSVR(C=0.5, epsilon=1.0,
                                                                                  random_state=0, max_iter=5000)), *diabetes),
        ("lda lsqr shrinkage wine", LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"), *wine),
        ("qda reg_param", QuadraticDiscriminantAnalysis(reg_param=0.1), *cls3),
        ("gnb priors wine standard+pca", make_pipeline(StandardScaler(), PCA(4, random_state=0),
                                                       GaussianNB(priors=[0.5, 0.3, 0.2])), *wine),
        ("multinomialnb digits", MultinomialNB(alpha=0.2), *digits),
        ("complementnb normalizer", make_pipeline(MinMaxScaler(), Normalizer(), ComplementNB(alpha=0.5)), *cls3),
        ("bernoullinb binarize", make_pipeline(StandardScaler(), BernoulliNB(alpha=0.5, binarize=0.1)), *cls2),
        ("categoricalnb min_categories", CategoricalNB(min_categories=7, alpha=0.7), cat_X, cls3[1]),
        ("svc poly minmax", make_pipeline(MinMaxScaler(), SVC(kernel="poly", degree=2, coef0=1.0, C=3.0)), *cls3),
        ("nusvr standard", make_pipeline(StandardScaler(), NuSVR(nu=0.4, C=5.0)), *reg),
        ("knn p1 distance cancer standard+pca", make_pipeline(StandardScaler(), PCA(5, random_state=0),
                                                              KNeighborsClassifier(7, weights="distance", p=1)), *cancer),
        ("knn regressor minmax", make_pipeline(MinMaxScaler(), KNeighborsRegressor(4)), *reg4),
        # distance weights after a scaler: within the stated tolerance (float32 between the stages)
        ("knn regressor distance standard", make_pipeline(StandardScaler(), KNeighborsRegressor(7, weights="distance")),
         *diabetes),
        ("nearest centroid digits pca", make_pipeline(PCA(12, random_state=0), NearestCentroid(shrink_threshold=0.2)), *digits),
        ("radius wine standard", make_pipeline(StandardScaler(), RadiusNeighborsClassifier(
            2.8, weights="distance", outlier_label="most_frequent")), *wine),
        ("kmeans blobs", KMeans(5, n_init=3, random_state=0), *blobs),
        ("minibatch kmeans digits pca", make_pipeline(PCA(6, random_state=0),
                                                      MiniBatchKMeans(8, n_init=3, random_state=0)), *digits),
    ]


def _random_rows(X, n, seed, low=None):
    rng = np.random.default_rng(seed)
    lo, hi = X.min(axis=0), X.max(axis=0)
    if low is not None:
        lo = np.maximum(lo, low)
    return rng.uniform(lo, hi, size=(n, X.shape[1])).astype(np.float32)


class SweepTest(unittest.TestCase):
    def test_sweep(self):
        from ctml import host

        results = []
        with tempfile.TemporaryDirectory() as tmp:
            for i, (label, est, X, y) in enumerate(_cases()):
                with self.subTest(model=label):
                    Xtr, Xte, ytr, yte = _split(X, y, seed=i)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # convergence warnings of small max_iter
                        est.fit(Xtr, ytr) if not label.startswith(("kmeans", "minibatch")) else est.fit(Xtr)
                    path = h.dump(est, os.path.join(tmp, f"m{i}.joblib"))
                    out = os.path.join(tmp, f"m{i}.hpp")
                    name = f"sweep{i}"
                    if i == 0:  # the real command once; in-process after that (same code, no interpreter start)
                        r = h.run_cli_process("convert", path, "--name", name, "-o", out)
                        rc, err = r.returncode, r.stderr
                    else:
                        rc, _, err = h.run_cli("convert", path, "--name", name, "-o", out)
                    self.assertEqual(rc, 0, f"{label}: {err}")
                    with open(out, encoding="utf-8") as f:
                        header = f.read()
                    info = ctml.convert(est, name=name)  # classes_ and stated tolerance (no compile)
                    rows = np.vstack([Xte, _random_rows(Xtr, 600, i, low=0.0 if "categorical" in label else None)])
                    rows = rows.astype(np.float32)
                    exe = host.build(header, name, info.is_classifier)
                    lines = subprocess.run([exe], input=rows.tobytes(), capture_output=True, check=True).stdout.split()
                    want = est.predict(rows.astype(np.float64))
                    if info.is_classifier:
                        idx = np.array([int(v) for v in lines])
                        got = np.asarray(info.classes_)[idx]
                        same = got == want
                    else:
                        got = np.array([float.fromhex(v.decode()) for v in lines])
                        tol = info.tolerance
                        same = np.abs(got - want) <= tol["abs"] + tol["rel"] * np.abs(want)
                    results.append((label, int(same.sum()), len(rows)))
                    bad = np.flatnonzero(~same)
                    self.assertEqual(len(bad), 0, f"{label}: {len(bad)} of {len(rows)} rows differ, first {bad[:5]}: "
                                                  f"sklearn {want[bad[:5]]} ctml {got[bad[:5]]}")
        for label, ok, n in results:
            print(f"  {label}: {ok}/{n}")


if __name__ == "__main__":
    unittest.main()
