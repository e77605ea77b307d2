"""IsolationForest: the generated header predicts what sklearn predicts, row
for row, including rows exactly on the offset_ boundary."""

import copy
import os
import unittest

os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 shared cores: no thread oversubscription

import numpy as np  # noqa: E402

import _helpers as h
from _agreement import Agreement, _random_rows
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


if __name__ == "__main__":
    unittest.main()
