"""Vibration anomaly detection on a synthetic motor: an accelerometer on the
bearing housing sampled at 1024 Hz, the shaft turning at about 25 Hz.

  healthy     1x, 2x and 3x rotation harmonics (load and speed drift) + noise
  unbalanced  the 1x harmonic grows 1.5 to 4 times (a mass off the shaft's axis)
  bearing     an outer-race defect: every 1 / BPFO seconds (BPFO = 3.57 x the
              shaft rate, with 1% slip) a hit rings the housing's 300 Hz
              resonance; hits are stronger in the load zone (amplitude
              modulated at the shaft rate)

Frames of 256 samples every 128 (the device's framer) -> ctml.dsp.ChannelStats:
rms, ptp, kurtosis, dominant frequency and the energy in two bands ->
IsolationForest trained on healthy frames only. Its threshold (offset_) is the
1% quantile of the scores of held-out healthy frames: a 1% false-alarm rate
by construction, measured again on other healthy frames.

Usage: train.py OUTDIR -> OUTDIR/vibration.joblib, X_test.npy (the frames of one
continuous test stream: unbalanced, healthy, bearing fault, healthy, four times),
vibration_labels.hpp (the condition of each test frame) and summary.txt."""

import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.pipeline import make_pipeline

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "generator"))
from ctml import dsp  # noqa: E402

RATE, FRAME, HOP = 1024.0, 256, 128
CONDITIONS = ("healthy", "unbalanced", "bearing")
BANDS = ((0.0, 40.0), (160.0, 512.0))  # around 1x; the bearing resonance (to Nyquist)
FEATURES = ("rms", "ptp", "kurtosis", "dominant_freq", "band_energy")
FALSE_ALARM = 0.01


def segment(condition: str, seconds: float, rng) -> np.ndarray:
    """Acceleration in g for one stretch of running in one condition."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f_rot = rng.uniform(24.0, 26.0) * (1 + 0.01 * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * t))  # speed drift
    phase = 2 * np.pi * np.cumsum(f_rot) / RATE + rng.uniform(0, 2 * np.pi)
    load = rng.uniform(0.8, 1.2)
    a1 = 0.10 * load * (rng.uniform(1.5, 4.0) if condition == "unbalanced" else 1.0)
    x = a1 * np.sin(phase) + 0.05 * load * np.sin(2 * phase + 1.0) + 0.02 * np.sin(3 * phase + 2.0)
    x += rng.normal(0, rng.uniform(0.03, 0.05), n)
    if condition == "bearing":
        bpfo = 3.57 * np.mean(f_rot)
        hit, ring = rng.uniform(0.1, 0.6), np.exp(-np.arange(int(0.03 * RATE)) / (0.006 * RATE))
        ring = ring * np.sin(2 * np.pi * 300.0 * np.arange(len(ring)) / RATE)
        at = rng.uniform(0, 1 / bpfo)
        while at < seconds:
            i = int(at * RATE)
            gain = hit * (1 + 0.5 * np.cos(phase[i]))  # load zone: modulated at the shaft rate
            m = min(len(ring), n - i)
            x[i:i + m] += gain * ring[:m]
            at += (1 / bpfo) * (1 + rng.normal(0, 0.01))
    return x.astype(np.float32)


def frames(x: np.ndarray) -> np.ndarray:
    """sliding_window_view(x, FRAME)[::HOP]: what the framer yields."""
    return np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(x, FRAME)[::HOP])


def runs(condition: str, count: int, rng) -> np.ndarray:
    return np.concatenate([frames(segment(condition, rng.uniform(3, 6), rng)) for _ in range(count)])


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2026)
    train, held_out, healthy_test = runs("healthy", 60, rng), runs("healthy", 40, rng), runs("healthy", 40, rng)
    faults = {c: runs(c, 30, rng) for c in CONDITIONS[1:]}
    pipe = make_pipeline(dsp.ChannelStats(1, FEATURES, sr=RATE, bands=BANDS),
                         IsolationForest(n_estimators=40, max_samples=128, random_state=0))
    pipe.fit(train)
    # The threshold: flag the lowest 1% of held-out healthy scores.
    forest = pipe[-1]
    forest.offset_ = float(np.quantile(pipe.score_samples(held_out), FALSE_ALARM))
    far = np.mean(pipe.predict(healthy_test) == -1)
    lines = [f"vibration: IsolationForest({forest.n_estimators} trees) on {len(train)} healthy frames; threshold at the "
             f"{100 * FALSE_ALARM:g}% quantile of {len(held_out)} held-out healthy frames",
             f"false alarms {100 * far:.1f}% of {len(healthy_test)} other healthy frames"]
    for c, X in faults.items():
        lines.append(f"detected {c}: {100 * np.mean(pipe.predict(X) == -1):.1f}% of {len(X)} frames")

    # The test stream: 1-second stretches, healthy between faults (one continuous signal;
    # its first 24 frames, which the ports' parity tests take, hold all three conditions).
    parts = [(c, 1.0) for c in ("unbalanced", "healthy", "bearing", "healthy") * 4]
    xs, cond = [], []
    for c, s in parts:
        xs.append(segment(c, s, rng))
        cond += [CONDITIONS.index(c)] * len(xs[-1])
    stream = np.concatenate(xs)
    X_test = frames(stream)
    # A frame's condition: the fault when any of its samples has one (frames never span two faults).
    y_test = frames(np.asarray(cond)).max(axis=1)
    pred = pipe.predict(X_test)
    for k, c in enumerate(CONDITIONS):
        sel = y_test == k
        lines.append(f"test stream {c}: {int(np.sum(pred[sel] == -1))}/{int(sel.sum())} frames flagged")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    joblib.dump(pipe, os.path.join(out, "vibration.joblib"))
    np.save(os.path.join(out, "X_test.npy"), X_test)
    with open(os.path.join(out, "vibration_labels.hpp"), "w", encoding="utf-8") as f:
        f.write("// GENERATED by examples/vibration_anomaly/train.py - do not edit\n"
                "// The condition of each test frame: 0 healthy, 1 unbalanced, 2 bearing fault.\n"
                "#pragma once\n#include <cstddef>\nnamespace vibration_labels {\n"
                f"inline constexpr std::size_t n_rows = {len(y_test)};\n"
                "inline constexpr unsigned char condition[n_rows] = {" + ", ".join(map(str, y_test.tolist())) + "};\n"
                "}  // namespace vibration_labels\n")


if __name__ == "__main__":
    main(sys.argv[1])
