"""SVC / NuSVC decision_function (shapes 'ovr' and 'ovo', two classes) and
predict_proba (probability=True): the compiled header's values against
scikit-learn's, within the stated tolerances (include/ctml/svm/outputs.hpp):
decision values 1e-9 of their scale, probabilities 1e-6 absolute."""

import subprocess
import unittest

import numpy as np

import _helpers as h
from _helpers import ctml

_DRIVER = """\
#include "model.hpp"
#include <array>
#include <cstdio>
#include <boost/mp11/algorithm.hpp>
int main() {{
  using last = boost::mp11::mp_back<decltype({name}::model)::stages>;
  constexpr last svm{{}};
  std::array<float, {name}::n_features> x{{}};
  std::array<double, last::decision_extent> dec{{}};
  std::array<double, {pairs}> ovo{{}};
  std::array<float, last::n_classes> proba{{}};
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    svm.decision_function(x, dec);
    svm.decision_function_ovo(x, ovo);
    for (double v : dec) std::printf("%a ", v);
    for (double v : ovo) std::printf("%a ", v);
    {proba}
    std::printf("\\n");
  }}
}}
"""


def outputs(model, rows, k, proba):
    from ctml import host

    src = _DRIVER.format(name=model.name, pairs=k * (k - 1) // 2,
                         proba="svm.predict_proba(x, proba); for (float v : proba) std::printf(\"%a \", v);"
                         if proba else "")
    exe = host._build_driver(model.header, model.name, src)
    out = subprocess.run([exe], input=np.ascontiguousarray(rows, dtype=np.float32).tobytes(), capture_output=True,
                         check=True).stdout.decode().splitlines()
    return np.array([[float.fromhex(v) for v in line.split()] for line in out])


def _rows(X, n, seed):
    rng = np.random.default_rng(seed)
    return np.vstack([X, rng.uniform(X.min(0), X.max(0), size=(n, X.shape[1]))]).astype(np.float32)


class SvmOutputsTest(unittest.TestCase):
    def check(self, est, X, name="svo"):
        m = ctml.convert(est, name=name)
        svm = est[-1] if hasattr(est, "steps") else est  # a StandardScaler before an rbf/poly SVM is folded in
        k = len(est.classes_)
        rows = _rows(X, 400, 1)
        X64 = rows.astype(np.float64)
        got = outputs(m, rows, k, svm.probability)
        n_dec = 1 if k == 2 else (k if svm.decision_function_shape == "ovr" else k * (k - 1) // 2)
        want = est.decision_function(X64).reshape(len(rows), -1)
        scale = 1e-9 * max(1.0, np.abs(want).max())
        np.testing.assert_allclose(got[:, :n_dec], want, rtol=0, atol=scale)
        # libsvm's raw decision values (ovo), sign flipped for two classes as sklearn's
        ovo = svm._decision_function(est[:-1].transform(X64) if hasattr(est, "steps") else X64)
        ovo = ovo.reshape(len(rows), -1)
        np.testing.assert_allclose(got[:, n_dec:n_dec + k * (k - 1) // 2], ovo, rtol=0, atol=scale)
        if svm.probability:
            p = got[:, n_dec + k * (k - 1) // 2:]
            np.testing.assert_allclose(p, est.predict_proba(X64), rtol=0, atol=1e-6)
        return m

    def test_shapes_and_probabilities(self):
        from sklearn.datasets import load_wine
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC, NuSVC

        X, y = load_wine(return_X_y=True)
        for est in (SVC(probability=True, random_state=0), SVC(decision_function_shape="ovo", kernel="poly",
                                                                probability=True, random_state=0),
                    NuSVC(nu=0.2, kernel="sigmoid", gamma=0.01, probability=True, random_state=0)):
            with self.subTest(est=str(est)):
                self.check(make_pipeline(StandardScaler(), est).fit(X, y), X)
        Xs = StandardScaler().fit_transform(X)
        self.check(NuSVC(nu=0.2, kernel="linear", probability=True, random_state=0).fit(Xs, y), Xs)

    def test_four_classes_and_binary(self):
        from sklearn.datasets import make_blobs
        from sklearn.svm import SVC

        X, y = make_blobs(400, n_features=3, centers=4, cluster_std=2.5, random_state=3)
        self.check(SVC(gamma=0.3, probability=True, random_state=0).fit(X, y), X)
        self.check(SVC(decision_function_shape="ovo").fit(X, y), X)
        Xb, yb = h.binary()
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.check(make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)).fit(Xb, yb), Xb)


if __name__ == "__main__":
    unittest.main()
