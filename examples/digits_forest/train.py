"""Train the digits example model.

    python3 train.py OUT.joblib

Saves a RandomForestClassifier fitted on 75 % of sklearn's digits, plus the
held-out 25 % as X_test.npy / y_test.npy next to OUT.joblib. Deterministic.
"""

import argparse
import os

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", help="path of the .joblib model to write")
    args = ap.parse_args()

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    model = RandomForestClassifier(n_estimators=10, max_depth=10, random_state=0).fit(X_train, y_train)

    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    joblib.dump(model, args.output)
    np.save(os.path.join(out_dir, "X_test.npy"), X_test)
    np.save(os.path.join(out_dir, "y_test.npy"), y_test)
    print(f"digits forest: test accuracy {model.score(X_test, y_test):.4f} -> {args.output}")


if __name__ == "__main__":
    main()
