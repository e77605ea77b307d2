"""Train the gesture network (the seed's 8-bit Arduino model) on synthetic data.

    python3 train.py OUT_DIR

Generates "punch" and "flex" recordings of a 3-axis accelerometer (50 samples
x 3 axes, int8 counts at 32 counts/g, as an 8-bit sensor gives them), fits
MLPClassifier(hidden_layer_sizes=(10, 5)) on 600 of them, records activation
ranges for int8 on the training rows (ctml.nn.calibrate), and writes
OUT_DIR/gesture.joblib, X_test.npy, y_test.npy. Deterministic.
"""

import argparse
import os

import joblib
import numpy as np
from sklearn.neural_network import MLPClassifier

import ctml.nn

N_SAMPLES = 50
COUNTS_PER_G = 32.0


def recording(rng: np.random.Generator, punch: bool) -> np.ndarray:
    t = np.arange(N_SAMPLES) / N_SAMPLES
    # Gravity on z at rest, a slowly drifting hand orientation.
    tilt = rng.normal(0, 0.15, 3)
    a = np.tile(np.array([0.0, 0.0, 1.0]) + tilt, (N_SAMPLES, 1))
    start = rng.uniform(0.1, 0.35)
    if punch:
        # A sharp forward acceleration on x, then braking: 0.6-2.5 g peaks.
        peak = rng.uniform(0.6, 2.5)
        width = rng.uniform(0.04, 0.08)
        a[:, 0] += peak * np.exp(-(((t - start) / width) ** 2))
        a[:, 0] -= 0.8 * peak * np.exp(-(((t - start - 2.5 * width) / width) ** 2))
        a[:, 1] += rng.normal(0, 0.3) * np.exp(-(((t - start) / (2 * width)) ** 2))
    else:
        # Flexing the arm: gravity rotates from z to y and back, slowly.
        amp = rng.uniform(0.6, 1.0)
        phase = np.clip((t - start) / rng.uniform(0.4, 0.6), 0, 1)
        angle = amp * np.pi / 2 * np.sin(np.pi * phase)
        a[:, 1] += np.sin(angle)
        a[:, 2] += np.cos(angle) - 1.0
        a[:, 0] += rng.uniform(0.3, 1.2) * np.sin(np.pi * phase) ** 2
    a += rng.normal(0, 0.7, a.shape)
    counts = np.clip(np.round(a * COUNTS_PER_G), -128, 127)
    return counts.ravel()  # x0 y0 z0 x1 y1 z1 ...


def dataset(n: int, seed: int):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = np.stack([recording(rng, bool(v)) for v in y])
    return X, np.where(y == 1, "punch", "flex")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    args = ap.parse_args()
    X_train, y_train = dataset(600, 1)
    X_test, y_test = dataset(400, 2)
    model = MLPClassifier(hidden_layer_sizes=(10, 5), max_iter=2000, random_state=0).fit(X_train / 128.0, y_train)
    # Keep raw counts as the model's input: fold the 1/128 into the first layer.
    model.coefs_[0] = model.coefs_[0] / 128.0
    # Calibrate on the training rows plus the sensor's full range, so that
    # the int8 input scale is exactly 1 count (q = raw int8 sample).
    calib = np.vstack([X_train, np.full((1, X_train.shape[1]), -128.0), np.full((1, X_train.shape[1]), 127.0)])
    ctml.nn.calibrate(model, calib)
    os.makedirs(args.out_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.out_dir, "gesture.joblib"))
    np.save(os.path.join(args.out_dir, "X_test.npy"), X_test)
    np.save(os.path.join(args.out_dir, "y_test.npy"), y_test)
    n_params = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
    print(f"gesture MLP: {n_params} parameters, test accuracy {model.score(X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
