"""CategoricalNB: the compiled header predicts what scikit-learn predicts, row
for row, on float rows that sklearn casts to categories (2.7 -> 2, -0.5 -> 0),
with min_categories (categories never seen in training), and on exact ties
(classes with identical tables); rows where sklearn raises give -1."""

import subprocess
import unittest

import numpy as np

from _helpers import ctml


def _data(seed, n_cat=(3, 5, 2, 4), rows=300):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, n_cat, size=(rows, len(n_cat)))
    # the class depends on the categories, so the likelihoods differ
    y = (X[:, 0] + X[:, 1] * (X[:, 2] + 1) + rng.integers(0, 2, rows)) % 3
    return X, y


def _float_rows(n_cat, n, seed):
    """Floats over every category's range, from just above -1 (sklearn
    truncates to category 0) to just below the number of categories."""
    rng = np.random.default_rng(seed)
    n_cat = np.asarray(n_cat)
    return rng.uniform(-0.999, n_cat - 1e-3, size=(n, len(n_cat))).astype(np.float32)


class CategoricalNBTest(unittest.TestCase):
    def agree(self, est, rows, name="cnb"):
        m = ctml.convert(est, name=name)
        want = est.predict(rows.astype(np.float64))
        got = m.predict(rows)
        bad = np.flatnonzero(want != got)
        self.assertEqual(len(bad), 0, f"{len(bad)} of {len(rows)} differ, first {bad[:5]}")
        return m

    def test_hyperparameters(self):
        from sklearn.naive_bayes import CategoricalNB

        X, y = _data(0)
        for kw in ({}, {"alpha": 0.3}, {"fit_prior": False}, {"class_prior": [0.2, 0.5, 0.3]},
                   {"min_categories": [5, 6, 3, 4], "alpha": 2.0}, {"min_categories": 7}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                est = CategoricalNB(**kw).fit(X, y)
                self.agree(est, np.vstack([X, _float_rows(est.n_categories_, 3000, 1)]).astype(np.float32))

    def test_exact_ties(self):
        from sklearn.naive_bayes import CategoricalNB

        # Classes 0 and 2 see the same rows: identical tables, every row a tie
        # between them (the first wins); class 1 differs.
        X, _ = _data(1, rows=60)
        Xt = np.vstack([X, X, X[:30]])
        yt = np.concatenate([np.zeros(60, int), np.full(60, 2), np.ones(30, int)])
        est = CategoricalNB(fit_prior=False).fit(Xt, yt)
        grid = np.array(np.meshgrid(*[np.arange(c) for c in est.n_categories_])).reshape(4, -1).T
        self.assertTrue(np.any(est.predict(grid) == 0))
        self.agree(est, grid.astype(np.float32))

    def test_out_of_range_rows(self):
        from ctml import host
        from sklearn.naive_bayes import CategoricalNB

        X, y = _data(2)
        est = CategoricalNB(min_categories=[4, 5, 2, 4]).fit(X, y)
        m = ctml.convert(est, name="cnb_bad")
        rows = np.array([[3.99, 0, 0, 0],  # category 3: never seen, allowed by min_categories
                         [-0.99, 0, 0, 0],  # truncates to 0
                         [4.0, 0, 0, 0],  # beyond n_categories_: sklearn raises IndexError
                         [-1.0, 0, 0, 0],  # negative: sklearn raises
                         [np.nan, 0, 0, 0], [0, np.inf, 0, 0]], dtype=np.float32)
        for r in rows[2:]:
            with self.assertRaises((ValueError, IndexError)):
                est.predict(r[None].astype(np.float64))
        exe = host.build(m.header, m.name, True)
        out = [int(v) for v in subprocess.run([exe], input=rows.tobytes(), capture_output=True, check=True).stdout.split()]
        want = list(np.searchsorted(est.classes_, est.predict(rows[:2].astype(np.float64))))
        self.assertEqual(out, want + [-1, -1, -1, -1])

    def test_string_classes_and_many_categories(self):
        from sklearn.naive_bayes import CategoricalNB

        X, y = _data(3, n_cat=(12, 30, 7), rows=800)
        labels = np.array(["low", "mid", "high"])[y]
        est = CategoricalNB(alpha=0.1).fit(X, labels)
        self.agree(est, np.vstack([X, _float_rows(est.n_categories_, 2000, 4)]).astype(np.float32))



class CategoricalNBIntegerBinary64Test(CategoricalNBTest):
    """The same with the integer binary64 of chips without a double unit
    (AVR, Cortex-M0/M4F, RV32) forced on the host."""

    def setUp(self):
        from ctml import host

        self._flags = list(host.CXXFLAGS)
        host.CXXFLAGS.append("-DCTML_FORCE_INTEGER_BINARY64")

    def tearDown(self):
        from ctml import host

        host.CXXFLAGS[:] = self._flags


if __name__ == "__main__":
    unittest.main()
