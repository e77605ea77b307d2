"""Trains the models the C++ model tests use and writes, for each, its header
(NAME.hpp) and parity vectors (NAME_vectors.hpp) through the ctml CLI.

usage: make_models.py OUT_DIR
"""
import os
import sys
import tempfile

import joblib
import numpy as np
from sklearn.datasets import load_diabetes, load_digits, load_iris
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import ctml.nn
from ctml import cli


def models():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.25, random_state=42)
    yield "digits_rf", RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0).fit(Xtr, ytr), Xte
    yield "digits_dt", DecisionTreeClassifier(max_depth=8, random_state=0).fit(Xtr, ytr), Xte
    # Random labels on a few repeated points: impure leaves with small counts
    # (thirds, fifths), so class sums tie or nearly tie on many grid inputs
    # (30 exact ties in 1000) and sklearn's double arithmetic decides.
    rng = np.random.default_rng(0)
    Xn = rng.integers(0, 4, size=(90, 3)).astype(float)
    yn = rng.integers(0, 3, size=90)
    grid = np.array(np.meshgrid(*[np.arange(-0.5, 4.5, 0.5)] * 3)).reshape(3, -1).T
    yield "noisy_rf", RandomForestClassifier(n_estimators=6, random_state=0).fit(Xn, yn), grid
    Xi, yi = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[yi]
    yield "iris_pipe", make_pipeline(StandardScaler(), ExtraTreesClassifier(n_estimators=5, random_state=0)).fit(
        Xi, labels), Xi
    Xd, yd = load_diabetes(return_X_y=True)
    yield "diabetes_rf", RandomForestRegressor(n_estimators=4, max_depth=6, random_state=0).fit(Xd, yd), Xd[:200]
    # 64 -> 16 -> 10: widths that are whole multiples of the int8 kernels' row
    # blocks (empty tail loops, which once tripped GCC's -Werror).
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(Xtr / 16, ytr)
    ctml.nn.calibrate(mlp, Xtr / 16)
    yield "digits_mlp", mlp, Xte / 16


def main(out):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, est, X in models():
            model = os.path.join(tmp, name + ".joblib")
            data = os.path.join(tmp, name + ".npy")
            joblib.dump(est, model)
            np.save(data, X)
            for argv in (["convert", model, "--name", name, "-o", os.path.join(out, name + ".hpp")],
                         ["vectors", model, "--data", data, "--name", name,
                          "-o", os.path.join(out, name + "_vectors.hpp")]):
                if cli.main(argv) != 0:
                    sys.exit(f"make_models: ctml {argv[0]} failed for {name}")


if __name__ == "__main__":
    main(sys.argv[1])
