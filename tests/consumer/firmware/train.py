"""Trains the consumer test's model: python3 train.py <model path>."""

import sys

import joblib
import numpy as np
from sklearn.tree import DecisionTreeClassifier

rng = np.random.default_rng(7)
X = rng.uniform(-4.0, 4.0, size=(400, 3))
y = (X[:, 0] * X[:, 1] > 0.5).astype(int) + (X[:, 2] > 2.0)
joblib.dump(DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, y), sys.argv[1])
