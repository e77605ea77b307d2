"""Shared by test_boosting, test_xgboost and test_anomaly (not a test module):
random and boundary rows, and a row-for-row agreement check."""

import unittest

import numpy as np

import _helpers as h
from _helpers import ctml



def _random_rows(X, n, seed=0, nan_fraction=0.0):
    """Rows uniform over the training range, plus the training rows; a
    fraction of NaN entries if asked."""
    rng = np.random.default_rng(seed)
    lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    R = np.vstack([X, rng.uniform(lo, hi, size=(n, X.shape[1]))]).astype(np.float32)
    if nan_fraction:
        R[rng.random(R.shape) < nan_fraction] = np.nan
    return R


def _thresholds_rows(est, X, n=200, seed=1):
    """Rows whose features sit exactly on (float32 of) split thresholds and
    one float32 step either side: the split decisions' boundaries."""
    rng = np.random.default_rng(seed)
    thr = []
    for t in np.asarray(getattr(est, "estimators_", [])).ravel():
        tr = t.tree_
        inner = tr.children_left >= 0
        thr.extend(zip(tr.feature[inner], tr.threshold[inner]))
    R = np.repeat(X[rng.integers(0, len(X), n)].astype(np.float32), 1, axis=0)
    for i in range(n):
        f, v = thr[rng.integers(0, len(thr))]
        v32 = np.float32(v)
        R[i, f] = [v32, np.nextafter(v32, np.float32(np.inf)), np.nextafter(v32, np.float32(-np.inf))][i % 3]
    return R


class Agreement(unittest.TestCase):
    def assert_same(self, est, X, reference=None, name="m"):
        X32 = np.asarray(X, dtype=np.float32)
        model = ctml.convert(est, name=name)
        got = model.predict(X32)
        want = est.predict(X32.astype(np.float64)) if reference is None else reference(X32)
        want = np.asarray(want)
        if want.dtype.kind == "f":  # regressors: the same double, bit for bit
            bad = np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))
        else:
            bad = np.flatnonzero(got != want)
        self.assertEqual(len(bad), 0, f"{len(bad)}/{len(X32)} rows differ, first {bad[:5]}: "
                                      f"framework {want[bad[:5]]} ctml {got[bad[:5]]}")
        return model


