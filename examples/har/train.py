"""Human activity recognition from a synthetic 3-axis accelerometer stream
(50 Hz, in g): idle, walking, running, stairs. Frames of 64 samples (x, y, z
interleaved: 192 values) every 32 samples, as the device's framer cuts them;
per-axis statistics (ctml.dsp.ChannelStats) feed a random forest.

Usage: train.py OUTDIR  -> OUTDIR/har.joblib, X_test.npy, y_test.npy
X_test holds the frames of one continuous test stream (hop = half a frame), so
the firmware can rebuild the stream and check that streaming gives the same
frames and predictions."""

import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "generator"))
from ctml import dsp  # noqa: E402

RATE, FRAME, HOP = 50.0, 64, 32
ACTIVITIES = ("idle", "walking", "running", "stairs")


def segment(activity: str, seconds: float, rng) -> np.ndarray:
    """(samples, 3) acceleration in g for one activity bout."""
    t = np.arange(int(seconds * RATE)) / RATE
    tilt = rng.normal(0, 0.05, 3)
    g = np.array([0.0, 0.0, 1.0]) + tilt
    if activity == "idle":
        sig = np.zeros((len(t), 3))
        noise = 0.01
    else:
        f, amp, noise = {"walking": (1.9, 0.25, 0.05), "running": (2.8, 0.9, 0.12), "stairs": (1.5, 0.35, 0.06)}[activity]
        f *= 1 + rng.normal(0, 0.08)
        ph = rng.uniform(0, 2 * np.pi)
        vert = amp * np.sin(2 * np.pi * f * t + ph) + 0.3 * amp * np.sin(4 * np.pi * f * t + ph)
        fwd = 0.5 * amp * np.sin(2 * np.pi * f * t + ph + 1.0)
        side = 0.3 * amp * np.sin(np.pi * f * t + ph)
        if activity == "stairs":  # climbing: a forward lean and sharper steps
            vert = vert + 0.4 * amp * np.abs(np.sin(2 * np.pi * f * t + ph)) - 0.1
            fwd = fwd + 0.15
        sig = np.stack([fwd, side, vert], axis=1)
    return (g + sig + rng.normal(0, noise, (len(t), 3))).astype(np.float32)


def stream(rng, bouts: int):
    parts, labels = [], []
    for _ in range(bouts):
        a = ACTIVITIES[rng.integers(len(ACTIVITIES))]
        s = segment(a, rng.uniform(6, 14), rng)
        parts.append(s)
        labels += [a] * len(s)
    return np.concatenate(parts), np.array(labels)


def frames(x: np.ndarray, labels: np.ndarray):
    """sliding_window_view(x interleaved, FRAME * 3)[::HOP * 3]; a frame's label is its last sample's."""
    flat = x.reshape(-1)
    X = np.lib.stride_tricks.sliding_window_view(flat, FRAME * 3)[:: HOP * 3]
    y = labels[FRAME - 1 :: HOP][: len(X)]
    return np.ascontiguousarray(X), y


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    X, y = frames(*stream(rng, 120))
    Xt, yt = frames(*stream(rng, 12))
    pipe = make_pipeline(dsp.ChannelStats(3, ("mean", "std", "min", "max", "ptp", "rms", "skew", "kurtosis", "zcr")),
                         RandomForestClassifier(n_estimators=12, max_depth=8, random_state=0))
    pipe.fit(X, y)
    print(f"har: {len(X)} training frames, test accuracy {np.mean(pipe.predict(Xt) == yt):.3f} on {len(Xt)} frames")
    joblib.dump(pipe, os.path.join(out, "har.joblib"))
    np.save(os.path.join(out, "X_test.npy"), Xt)
    np.save(os.path.join(out, "y_test.npy"), yt)


if __name__ == "__main__":
    main(sys.argv[1])
