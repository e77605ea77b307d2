"""Bad input: one line ``ctml: error: <reason>`` on stderr, exit 2, no output file."""

import os
import pickle
import re
import shutil
import tempfile
import unittest

import numpy as np

import _helpers as h

ERROR_LINE = re.compile(r"ctml: error: \S.*\n\Z")
SENTINEL = "// an existing file that must survive a failed run\n"


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ctml-errors-")
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        X, y = h.iris_str()
        cls.X, cls.y = X, y
        cls.good = h.dump(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y), cls.p("good.joblib"))
        Y2 = np.stack([np.arange(len(X)) % 2, np.arange(len(X)) % 3], axis=1)
        cls.multi_clf = h.dump(DecisionTreeClassifier(max_depth=2).fit(X, Y2), cls.p("multi_clf.joblib"))
        cls.multi_reg = h.dump(
            RandomForestRegressor(n_estimators=2, max_depth=2).fit(X, Y2.astype(float)), cls.p("multi_reg.joblib")
        )
        cls.unfitted = h.dump(RandomForestClassifier(), cls.p("unfitted.joblib"))
        # non-finite parameters
        t = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
        t.tree_.threshold[0] = np.nan
        cls.nan_threshold = h.dump(t, cls.p("nan_threshold.joblib"))
        r = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, np.arange(len(X), dtype=float))
        leaf = int(np.flatnonzero(r.tree_.children_left == -1)[0])
        r.tree_.value[leaf, 0, 0] = np.inf
        cls.inf_leaf = h.dump(r, cls.p("inf_leaf.joblib"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def p(cls, name):
        return os.path.join(cls.dir, name)

    def expect_error(self, argv_fn, contains=(), subprocess=False):
        """argv_fn(out_path) -> argv. Runs twice: once with no output file (it
        must not appear), once with an existing one (it must be untouched)."""
        for existing in (False, True):
            with tempfile.TemporaryDirectory(dir=self.dir) as d:
                out = os.path.join(d, "out.hpp")
                if existing:
                    with open(out, "w") as f:
                        f.write(SENTINEL)
                argv = argv_fn(out)
                if subprocess:
                    r = h.run_cli_process(*argv)
                    rc, stdout, stderr = r.returncode, r.stdout, r.stderr
                else:
                    rc, stdout, stderr = h.run_cli(*argv)
                self.assertEqual(rc, 2, (argv, stderr))
                self.assertRegex(stderr, ERROR_LINE)
                self.assertEqual(stderr.count("\n"), 1, stderr)
                self.assertEqual(stdout, "")
                for c in contains:
                    self.assertIn(c, stderr)
                if existing:
                    self.assertEqual(os.listdir(d), ["out.hpp"])
                    with open(out) as f:
                        self.assertEqual(f.read(), SENTINEL)
                else:
                    self.assertEqual(os.listdir(d), [])
        return stderr

    def convert(self, model, name="m"):
        return lambda out: ["convert", model, "--name", name, "-o", out]

    def test_unsupported_estimator_lists_supported(self):
        from sklearn.gaussian_process import GaussianProcessClassifier

        m = h.dump(GaussianProcessClassifier().fit(self.X[::4], self.y[::4]), self.p("gpc.joblib"))
        err = self.expect_error(self.convert(m), ["GaussianProcessClassifier"])
        import ctml

        for name in ctml.supported_estimators() + ctml.supported_preprocessors():
            self.assertIn(name, err)

    def test_unsupported_estimator_subprocess(self):
        from sklearn.gaussian_process import GaussianProcessClassifier

        m = h.dump(GaussianProcessClassifier().fit(self.X[::4], self.y[::4]), self.p("gpc.joblib"))
        self.expect_error(self.convert(m), ["unsupported estimator GaussianProcessClassifier", "RandomForestClassifier"],
                          subprocess=True)

    def test_unsupported_pipeline_step(self):
        from sklearn.decomposition import FastICA
        from sklearn.pipeline import make_pipeline
        from sklearn.tree import DecisionTreeClassifier

        pipe = make_pipeline(FastICA(n_components=2, random_state=0, whiten="unit-variance"), DecisionTreeClassifier())
        m = h.dump(pipe.fit(self.X, self.y), self.p("ica.joblib"))
        self.expect_error(self.convert(m), ["unsupported pipeline step FastICA", "StandardScaler"])

    def test_unfitted(self):
        self.expect_error(self.convert(self.unfitted), ["RandomForestClassifier is not fitted"])

    def test_unfitted_pipeline_step(self):
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier

        pipe = Pipeline([("s", StandardScaler()), ("t", DecisionTreeClassifier().fit(self.X, self.y))])
        m = h.dump(pipe, self.p("unfitted_pipe.joblib"))
        self.expect_error(self.convert(m), ["StandardScaler is not fitted"])

    def test_pipeline_feature_mismatch(self):
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier

        pipe = Pipeline([("s", StandardScaler().fit(self.X[:, :3])), ("t", DecisionTreeClassifier().fit(self.X, self.y))])
        m = h.dump(pipe, self.p("mismatch.joblib"))
        self.expect_error(self.convert(m), ["expects 4 features", "produces 3"])

    def test_bad_names(self):
        for name in ("1abc", "a-b", "class", "namespace", "__x", "_Foo", "a__b", "std", ""):
            self.expect_error(self.convert(self.good, name), ["NAME"])

    def test_bad_name_subprocess(self):
        self.expect_error(self.convert(self.good, "int"), ["keyword"], subprocess=True)

    def test_multi_output(self):
        self.expect_error(self.convert(self.multi_clf), ["DecisionTreeClassifier has 2 outputs"])
        self.expect_error(self.convert(self.multi_reg), ["RandomForestRegressor has 2 outputs"])

    def test_non_finite_parameters(self):
        self.expect_error(self.convert(self.nan_threshold), ["threshold", "nan"])
        self.expect_error(self.convert(self.inf_leaf), ["leaf values", "inf"])
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier

        pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=2)).fit(self.X, self.y)
        pipe[0].mean_[1] = np.nan
        self.expect_error(self.convert(h.dump(pipe, self.p("nan_mean.joblib"))), ["StandardScaler.mean_", "nan"])
        # finite parameters whose derived value overflows (k-means' |c|^2)
        from sklearn.cluster import KMeans

        km = KMeans(2, n_init=1, random_state=0).fit(self.X)
        km.cluster_centers_[0, 0] = 1e200
        self.expect_error(self.convert(h.dump(km, self.p("huge_centre.joblib"))), ["derived", "inf"])

    def test_unreadable_files(self):
        self.expect_error(self.convert(self.p("does_not_exist.joblib")), ["no such file"])
        self.expect_error(self.convert(self.dir), ["not a regular file"])
        garbage = self.p("garbage.joblib")
        with open(garbage, "wb") as f:
            f.write(b"\x00\x01 this is not a pickle \xff" * 10)
        self.expect_error(self.convert(garbage), ["cannot load"])
        empty = self.p("empty.joblib")
        open(empty, "wb").close()
        self.expect_error(self.convert(empty), ["cannot load"])
        not_model = self.p("dict.pkl")
        with open(not_model, "wb") as f:
            pickle.dump({"not": "a model"}, f)
        self.expect_error(self.convert(not_model), ["does not hold a scikit-learn estimator", "dict"])
        arr = self.p("array.joblib")
        h.dump(np.zeros(3), arr)
        self.expect_error(self.convert(arr), ["does not hold a scikit-learn estimator", "ndarray"])

    def test_plain_pickle_is_accepted(self):
        from sklearn.tree import DecisionTreeClassifier

        pk = self.p("plain.pkl")
        with open(pk, "wb") as f:
            pickle.dump(DecisionTreeClassifier(max_depth=2).fit(self.X, self.y), f)
        out = self.p("plain.hpp")
        rc, _, err = h.run_cli("convert", pk, "--name", "plain", "-o", out)
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(os.path.isfile(out))

    def test_missing_output_directory(self):
        self.expect_error(
            lambda out: ["convert", self.good, "--name", "m", "-o", os.path.join(self.dir, "nope", "x.hpp")],
            ["does not exist"],
        )

    def test_usage_errors_are_one_line(self):
        self.expect_error(lambda out: ["convert", self.good, "-o", out], ["--name"])
        self.expect_error(lambda out: ["frobnicate", self.good], ["frobnicate"])

    def test_vectors_bad_data(self):
        bad = self.p("bad_cols.npy")
        np.save(bad, np.zeros((3, 5)))
        self.expect_error(
            lambda out: ["vectors", self.good, "--data", bad, "--name", "v", "-o", out], ["5 columns", "4 features"]
        )
        self.expect_error(
            lambda out: ["vectors", self.good, "--data", self.p("missing.npy"), "--name", "v", "-o", out],
            ["no such file"],
        )
        nan = self.p("nan.npy")
        np.save(nan, np.full((2, 4), np.inf))
        self.expect_error(lambda out: ["vectors", self.good, "--data", nan, "--name", "v", "-o", out], ["inf"])
        self.expect_error(
            lambda out: ["vectors", self.good, "--data", bad, "--name", "class", "-o", out], ["keyword"]
        )

    def test_verify_bad_data(self):
        self.expect_error(lambda out: ["verify", self.good, "--data", self.p("missing.csv")], ["no such file"])


if __name__ == "__main__":
    unittest.main()
