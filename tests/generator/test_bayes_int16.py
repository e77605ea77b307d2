"""GaussianNB with the integer policy q<int16_t, F> on raw int16 input: its
accuracy against sklearn's predict on the same (quantised) values, measured
and bounded. One format F for all features (the most fraction bits with which
the data fits int16), as in test_linear_int16.py. Prints the agreement (see
docs/linear-family.md for the recorded numbers)."""

import unittest

import numpy as np

import _helpers as h
import _linear_cases as lc
from _helpers import ctml


def _integer_sensor_data():
    """Integer readings (ADC counts) of four classes, F = 0: x are integers."""
    rng = np.random.default_rng(5)
    centres = rng.integers(-300, 300, size=(4, 6))
    spread = rng.integers(5, 60, size=(4, 6))
    y = rng.integers(0, 4, size=600)
    X = np.round(centres[y] + spread[y] * rng.standard_normal((600, 6)))
    return X, y


def _cases():
    from sklearn.naive_bayes import GaussianNB

    def fit(data):
        X, y = _integer_sensor_data() if data == "sensor" else lc.dataset(data)
        return GaussianNB().fit(X, y), X

    # name: (fitted, X, F (None: the most that fits), least agreement expected)
    return {
        "gnb_iris": (*fit("iris"), None, 1.0),
        "gnb_wine": (*fit("wine"), None, 0.99),
        # integer inputs, F = 0: x_q = x
        "gnb_sensor": (*fit("sensor"), 0, 1.0),
        "gnb_digits": (*fit("digits"), 0, 0.9),
    }


@unittest.skipUnless(h.LIBRARY_READY, h.SKIP_REASON)
class GaussianNBInt16Test(unittest.TestCase):
    def test_agreement_with_sklearn(self):
        report, results = [], []
        for name, (est, X, frac, least) in _cases().items():
            frac = lc.frac_bits_for(X) if frac is None else frac
            Xq = np.clip(np.round(np.asarray(X) * 2.0**frac), -32768, 32767)
            m = ctml.convert(est, name=name)
            # sklearn on the very values the device sees (x_q 2^-F), and on random rows over the range
            rows = np.vstack([Xq / 2.0**frac, lc.random_rows(X, 400)])
            rows = np.clip(np.round(rows * 2.0**frac), -32768, 32767) / 2.0**frac
            got = lc.run_q(m, rows, frac)
            want = np.searchsorted(m.classes_, est.predict(rows))
            agree = int(np.sum(got == want))
            n = len(X)
            report.append(f"{name}: F={frac}, agreement {int(np.sum(got[:n] == want[:n]))}/{n} dataset rows, "
                          f"{int(np.sum(got[n:] == want[n:]))}/{len(rows) - n} random rows")
            results.append((name, agree / len(rows), least))
        print("\nGaussianNB int16 policy vs sklearn:\n  " + "\n  ".join(report))
        for name, agree, least in results:
            self.assertGreaterEqual(agree, least, name)

    def test_first_maximum_on_ties(self):
        """Two classes mirrored about 0 with equal priors: x = 0 is an exact tie
        in sklearn and in the integer scores; both take the first class."""
        from sklearn.naive_bayes import GaussianNB

        X = np.array([[-2.0], [-4.0], [2.0], [4.0]])
        est = GaussianNB().fit(X, [0, 0, 1, 1])
        rows = np.array([[0.0], [1.0], [-1.0]])
        self.assertEqual(list(est.predict(rows)), [0, 1, 0])
        m = ctml.convert(est, name="gnb_tie")
        np.testing.assert_array_equal(lc.run_q(m, rows, 0), [0, 1, 0])


if __name__ == "__main__":
    unittest.main()
