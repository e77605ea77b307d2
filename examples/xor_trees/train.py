"""Train the XOR example models.

    python3 train.py OUT_DIR

Writes OUT_DIR/xor_tree.joblib (DecisionTreeClassifier), OUT_DIR/xor_forest.joblib
(a small RandomForestClassifier) and OUT_DIR/X_test.npy / y_test.npy (the four
corners plus fresh noisy points). Two features; label = (x0 > 0.5) xor (x1 > 0.5).
Deterministic.
"""

import argparse
import os

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def make_xor(rng: np.random.Generator, n_per_corner: int, noise: float):
    X = np.repeat(CORNERS, n_per_corner, axis=0) + rng.normal(0.0, noise, size=(4 * n_per_corner, 2))
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(np.int64)
    return X, y


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output_dir", help="directory to write the models and test data into")
    args = ap.parse_args()
    os.makedirs(args.output_dir, exist_ok=True)

    rng = np.random.default_rng(0)
    X, y = make_xor(rng, 50, 0.15)
    X_new, y_new = make_xor(rng, 10, 0.15)
    X_test = np.vstack([CORNERS, X_new])
    y_test = np.concatenate([(CORNERS[:, 0] != CORNERS[:, 1]).astype(np.int64), y_new])

    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    forest = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(X, y)
    joblib.dump(tree, os.path.join(args.output_dir, "xor_tree.joblib"))
    joblib.dump(forest, os.path.join(args.output_dir, "xor_forest.joblib"))
    np.save(os.path.join(args.output_dir, "X_test.npy"), X_test)
    np.save(os.path.join(args.output_dir, "y_test.npy"), y_test)
    print(f"xor tree: test accuracy {tree.score(X_test, y_test):.4f}, "
          f"forest: {forest.score(X_test, y_test):.4f} -> {args.output_dir}")


if __name__ == "__main__":
    main()
