"""micro-learn's use case: a binary LDA on an 8-bit Arduino reading raw
10-bit ADC counts from four sensors (synthetic: two machine states with
correlated readings). Writes lda.joblib, X_test.npy (counts as float), y_test.npy."""
import os
import sys

import joblib
import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(12)
n = 600
y = rng.integers(0, 2, n)
mix = np.array([[40, 10, 0, 5], [10, 30, 8, 0], [0, 8, 25, 6], [5, 0, 6, 20]], dtype=float)
centre = np.where(y[:, None] == 1, [560, 470, 300, 650], [520, 430, 320, 600])
X = np.clip(np.round(centre + rng.normal(size=(n, 4)) @ mix), 0, 1023)  # ADC counts
model = LinearDiscriminantAnalysis().fit(X[:400], y[:400])
joblib.dump(model, os.path.join(out, "lda.joblib"))
np.save(os.path.join(out, "X_test.npy"), X[400:])
np.save(os.path.join(out, "y_test.npy"), y[400:])
print(f"LDA test accuracy {model.score(X[400:], y[400:]):.3f}")
