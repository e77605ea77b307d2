"""The reference digits MLP (D) for the benchmarks and tests.

    python3 train_digits.py OUT_DIR

load_digits / 16, train_test_split(test_size=0.25, random_state=42),
MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0),
calibrated for int8 on the training rows (ctml.nn.calibrate). Writes
OUT_DIR/digits_mlp.joblib, X_test.npy, y_test.npy.
"""

import os
import sys
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import ctml.nn


def main() -> None:
    out = sys.argv[1]
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0).fit(X_train, y_train)
    ctml.nn.calibrate(model, X_train)
    os.makedirs(out, exist_ok=True)
    joblib.dump(model, os.path.join(out, "digits_mlp.joblib"))
    np.save(os.path.join(out, "X_test.npy"), X_test)
    np.save(os.path.join(out, "y_test.npy"), y_test)
    print(f"digits MLP: test accuracy {model.score(X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
