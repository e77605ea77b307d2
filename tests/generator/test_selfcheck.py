"""convert --data: a conversion the compiler proves (issue 10, section 4).

The header embeds rows and the framework's predictions; static_asserts make
every compiler evaluate the model on them. Tampering with the model's data
must fail the build with ctml's message; CTML_NO_SELF_CHECK skips the checks.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

import _helpers as h

INCLUDE = os.path.join(h.REPO, "include")
COMPILERS = ("g++-12", "clang++-14")


def compile_tu(header: str, cxx: str, *defines) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="ctml-sc-") as d:
        with open(os.path.join(d, "m.hpp"), "w") as f:
            f.write(header)
        with open(os.path.join(d, "main.cpp"), "w") as f:
            f.write('#include "m.hpp"\nint main() {}\n')
        return subprocess.run([cxx, "-std=gnu++20", "-Wall", "-Wextra", "-Werror", *defines, "-I", INCLUDE, "-I", d,
                               "-c", os.path.join(d, "main.cpp"), "-o", os.path.join(d, "main.o")],
                              capture_output=True, text=True)


class SelfCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ctml-sc-")
        _, Xte, _, _ = h.digits()
        cls.digits_model = h.dump(h.digits_forest(), os.path.join(cls.dir, "digits.joblib"))
        cls.digits_data = os.path.join(cls.dir, "digits.npy")
        np.save(cls.digits_data, Xte)
        X, _ = h.diabetes()
        cls.reg_model = h.dump(h.diabetes_forest(), os.path.join(cls.dir, "reg.joblib"))
        cls.reg_data = os.path.join(cls.dir, "reg.npy")
        np.save(cls.reg_data, X[:200])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def convert(self, model, data, *more):
        out = os.path.join(self.dir, "out.hpp")
        rc, _, err = h.run_cli("convert", model, "--name", "m", "--data", data, *more, "-o", out)
        self.assertEqual((rc, err), (0, ""))
        with open(out) as f:
            return f.read()

    def embedded(self, header):
        n = int(h.scalar(header, "n_rows"))
        x = np.array([np.float32(t[:-1]) for t in h.array_tokens(header, "x")], dtype=np.float32).reshape(n, -1)
        expected = np.array([int(t.replace("LL", "")) for t in h.array_tokens(header, "expected")], dtype=np.int64)
        return x, expected

    def test_classifier_rows_and_predictions(self):
        header = self.convert(self.digits_model, self.digits_data)
        x, expected = self.embedded(header)
        self.assertEqual(x.shape, (8, 64))
        rf = h.digits_forest()
        want = np.searchsorted(rf.classes_, rf.predict(x.astype(np.float64)))
        np.testing.assert_array_equal(expected, want)  # sklearn's predictions, not ctml's
        _, Xte, _, _ = h.digits()
        rows = [int(np.flatnonzero((Xte.astype(np.float32) == r).all(axis=1))[0]) for r in x]
        self.assertEqual(len(set(rows)), 8)  # distinct rows of the data
        self.assertIn("#include <ctml/self_check.hpp>", header)
        self.assertIn("static_assert(ctml::self_check<decltype(model), self_check_rows>);", header)
        for cxx in COMPILERS:
            r = compile_tu(header, cxx)
            self.assertEqual(r.returncode, 0, (cxx, r.stderr[-3000:]))

    def test_rows_nearest_a_threshold_come_first(self):
        from sklearn.tree import DecisionTreeClassifier

        rng = np.random.default_rng(3)
        X = rng.uniform(-10, 10, size=(500, 2))
        y = (X[:, 0] > 1.0).astype(int)
        t = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
        thr = t.tree_.threshold[0]
        model = h.dump(t, os.path.join(self.dir, "stump.joblib"))
        data = os.path.join(self.dir, "stump.npy")
        np.save(data, X)
        x, _ = self.embedded(self.convert(model, data, "--check-rows", "4"))
        self.assertEqual(x.shape, (4, 2))
        nearest = np.sort(np.abs(X[:, 0].astype(np.float32).astype(np.float64) - thr))[:2]
        got = np.sort(np.abs(x[:2, 0].astype(np.float64) - thr))
        np.testing.assert_array_equal(got, nearest)

    def test_regressor_bits(self):
        header = self.convert(self.reg_model, self.reg_data, "--check-rows", "5")
        x, expected = self.embedded(header)
        want = h.diabetes_forest().predict(x.astype(np.float64)).astype(np.float64)
        np.testing.assert_array_equal(expected.view(np.float64), want)
        for cxx in COMPILERS:
            r = compile_tu(header, cxx)
            self.assertEqual(r.returncode, 0, (cxx, r.stderr[-3000:]))

    def test_a_disagreeing_model_does_not_compile(self):
        header = self.convert(self.digits_model, self.digits_data)
        # Move every threshold of the forest: the model no longer predicts
        # what sklearn predicted for the embedded rows.
        body = h.array_text(header, "threshold")
        broken = header.replace(body, re.sub(r"\b(\d+)\.5\b", lambda m: f"{int(m.group(1)) + 7}.5", body))
        self.assertNotEqual(broken, header)
        for cxx in COMPILERS:
            r = compile_tu(broken, cxx)
            self.assertNotEqual(r.returncode, 0, cxx)
            self.assertIn("ctml: self check failed", r.stderr)
            self.assertRegex(r.stderr, r"self_check_row<\d+, \d+, \d+, false>")
            r = compile_tu(broken, cxx, "-DCTML_NO_SELF_CHECK")
            self.assertEqual(r.returncode, 0, (cxx, r.stderr[-3000:]))

    def test_bad_options(self):
        out = os.path.join(self.dir, "bad.hpp")
        for argv, text in (
            (["--check-rows", "3"], "--check-rows needs --data"),
            (["--data", self.digits_data, "--check-rows", "0"], "--check-rows"),
            (["--data", self.reg_data], "10 columns"),
        ):
            rc, _, err = h.run_cli("convert", self.digits_model, "--name", "m", *argv, "-o", out)
            self.assertEqual(rc, 2, argv)
            self.assertIn(text, err)
            self.assertEqual(err.count("\n"), 1)
            self.assertFalse(os.path.exists(out))

    def test_int16_policy_checked_on_integer_data(self):
        header = self.convert(self.digits_model, self.digits_data)  # digits: pixel counts 0..16
        self.assertIn("static_assert(ctml::self_check<decltype(model.with(ctml::q<std::int16_t, 0>{})), "
                      "self_check_rows>);", header)
        header = self.convert(self.reg_model, self.reg_data)  # diabetes: scaled reals
        self.assertNotIn("ctml::q<std::int16_t, 0>", header)

    def test_networks_say_they_are_not_checked(self):
        import warnings

        from sklearn.neural_network import MLPClassifier

        Xtr, Xte, ytr, _ = h.digits()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(Xtr / 16, ytr)
        model = h.dump(m, os.path.join(self.dir, "mlp.joblib"))
        out = os.path.join(self.dir, "mlp.hpp")
        rc, _, err = h.run_cli("convert", model, "--name", "m", "--data", self.digits_data, "-o", out)
        self.assertEqual(rc, 0)
        self.assertRegex(err, r"\Actml: warning: networks .* no compile-time checks.*\n\Z")
        with open(out) as f:
            self.assertNotIn("self_check", f.read())

if __name__ == "__main__":
    unittest.main()
