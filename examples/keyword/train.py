"""Sound event ("keyword") spotting on synthetic audio at 8 kHz: five classes
of 0.4-second clips, generated here with a fixed seed:

  background   room noise only
  tone         a steady tone, 300-3000 Hz, with a weaker 2nd harmonic
  chirp_up     a sweep rising over 1-3 octaves
  chirp_down   the same, falling
  noise_burst  a 50-200 ms burst of band-limited noise

Every clip is 3200 samples: the device's framer cuts 256-sample frames every
128 samples, and the clip's first 24 frames (0..2943 + 256) become a log-mel
spectrogram (ctml.dsp: Window >> RFFT >> MelFilterbank(20 mels) >> PowerToDb)
of 24 x 20 values, the input of a small CNN trained with PyTorch and run in
int8 on the device.

Usage: train.py OUTDIR  (PYTHONPATH holding ctml's generator) ->
  kws_frontend.joblib  the front end (a Pipeline without an estimator)
  kws_cnn.pt           the calibrated CNN (torch.save)
  spec_test.npy, y_test.npy   the test clips' spectrograms (as the device computes them), labels
  kws_data.hpp         the first N_DEVICE test clips as int16 audio, their labels and PyTorch's predictions
  summary.txt          accuracy figures
"""

from __future__ import annotations

import os
import sys

import numpy as np

os.environ["ATEN_CPU_CAPABILITY"] = "default"  # read by torch on import: no per-CPU kernels
import joblib  # noqa: E402
import torch  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "generator"))
import ctml.torch_nn  # noqa: E402
from ctml import dsp  # noqa: E402

RATE, FRAME, HOP, COLUMNS, MELS = 8000.0, 256, 128, 24, 20
CLIP = HOP * (COLUMNS + 1)  # 3200 samples: frames k*25 .. k*25+23 of a stream of clips lie inside clip k
CLASSES = ("background", "tone", "chirp_up", "chirp_down", "noise_burst")
N_DEVICE = 60  # test clips embedded in the firmware (int16: 6.4 KB each)


def clip(label: str, rng) -> np.ndarray:
    """One clip as int16 samples (the ADC's), a peak level between -30 and -6 dBFS."""
    n = CLIP
    t = np.arange(n) / RATE
    x = rng.normal(0, rng.uniform(0.001, 0.01), n)  # background noise
    if label != "background":
        dur = rng.uniform(0.05, 0.2) if label == "noise_burst" else rng.uniform(0.2, 0.36)
        start = rng.uniform(0, n / RATE - dur)
        on = (t >= start) & (t < start + dur)
        tt = t - start
        env = np.where(on, np.minimum(1.0, np.minimum(tt, start + dur - t) / 0.01), 0.0)  # 10 ms ramps
        amp = 10 ** rng.uniform(-1.5, -0.3)
        if label == "tone":
            f = np.exp(rng.uniform(np.log(300), np.log(3000)))
            ph = 2 * np.pi * f * tt
            s = np.sin(ph) + 0.3 * np.sin(2 * ph + 1.0)
        elif label in ("chirp_up", "chirp_down"):
            octaves = rng.uniform(1, 3)
            f0 = np.exp(rng.uniform(np.log(200), np.log(3600 / 2**octaves)))
            f1 = f0 * 2**octaves
            if label == "chirp_down":
                f0, f1 = f1, f0
            k = np.log(f1 / f0) / dur  # exponential sweep: f(t) = f0 e^(k t)
            s = np.sin(2 * np.pi * f0 * (np.exp(k * np.clip(tt, 0, dur)) - 1) / k)
        else:
            lo = rng.uniform(200, 2000)
            spec = np.fft.rfft(rng.normal(size=n))
            f = np.fft.rfftfreq(n, 1 / RATE)
            spec[(f < lo) | (f > lo * rng.uniform(1.5, 3))] = 0
            s = np.fft.irfft(spec, n)
            s /= np.abs(s).max()
        x = x + amp * env * s
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def frames(audio16: np.ndarray) -> np.ndarray:
    """The clip's first COLUMNS frames, as float32 (int16 / 32768, exact)."""
    x = audio16.astype(np.float32) / np.float32(32768.0)
    return np.lib.stride_tricks.sliding_window_view(x, FRAME)[::HOP][:COLUMNS]


def dataset(count: int, rng):
    y = rng.integers(len(CLASSES), size=count)
    audio = np.stack([clip(CLASSES[k], rng) for k in y])
    return audio, y


def build() -> torch.nn.Sequential:
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),    # 8 x 24 x 20
        nn.MaxPool2d(2),                                                # 8 x 12 x 10
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),  # 16 x 12 x 10
        nn.MaxPool2d(2),                                                # 16 x 6 x 5
        nn.Conv2d(16, 16, 3), nn.ReLU(),                                # 16 x 4 x 3
        nn.Flatten(),
        nn.Linear(16 * 4 * 3, len(CLASSES)),
    )


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False

    audio_tr, y_tr = dataset(2000, rng)
    audio_te, y_te = dataset(500, rng)
    front = make_pipeline(dsp.Window("hann"), dsp.RFFT("power"), dsp.MelFilterbank(RATE, MELS), dsp.PowerToDb(amin=1e-10))
    front.fit(frames(audio_tr[0]))

    def spectrograms(audio):  # (clips, COLUMNS * MELS): time-major, as the CNN's (1, COLUMNS, MELS) input
        f = np.concatenate([frames(a) for a in audio])
        return front.transform(f).reshape(len(audio), COLUMNS * MELS)

    S_tr, S_te = spectrograms(audio_tr), spectrograms(audio_te)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt = torch.from_numpy(S_tr.reshape(-1, 1, COLUMNS, MELS))
    yt = torch.from_numpy(y_tr.astype(np.int64))
    for _epoch in range(12):
        perm = torch.randperm(len(xt))
        model.train()
        for i in range(0, len(xt), 64):
            idx = perm[i : i + 64]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(S_te.reshape(-1, 1, COLUMNS, MELS))).argmax(dim=1).numpy()
    acc = 100.0 * np.mean(pred == y_te)
    text = (f"keyword: PyTorch float CNN test accuracy {acc:.1f}% on {len(y_te)} clips "
            f"(first {N_DEVICE} on the device: {100.0 * np.mean(pred[:N_DEVICE] == y_te[:N_DEVICE]):.1f}%)")
    print(text)

    ctml.torch_nn.calibrate(model, S_tr.reshape(-1, 1, COLUMNS, MELS))  # input shape and int8 activation ranges
    torch.save(model, os.path.join(out, "kws_cnn.pt"))
    joblib.dump(front, os.path.join(out, "kws_frontend.joblib"))
    np.save(os.path.join(out, "spec_test.npy"), S_te)
    np.save(os.path.join(out, "y_test.npy"), y_te)
    with open(os.path.join(out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")

    rows = ",\n".join("  {" + ", ".join(map(str, a.tolist())) + "}" for a in audio_te[:N_DEVICE])
    header = "\n".join([
        "// GENERATED by examples/keyword/train.py - do not edit",
        f"// {N_DEVICE} test clips of {CLIP} int16 samples at {RATE:g} Hz (sample / 32768 is the",
        "// float the front end reads), their labels and PyTorch's float CNN predictions.",
        "#pragma once",
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <ctml/detail/flash.hpp>",
        "namespace kws_data {",
        f"inline constexpr std::size_t n_clips = {N_DEVICE}, clip = {CLIP}, frame = {FRAME}, hop = {HOP}, columns = {COLUMNS};",
        "inline constexpr const char* classes[] = {" + ", ".join(f'"{c}"' for c in CLASSES) + "};",
        f"CTML_FLASH inline constexpr std::int16_t audio[n_clips][clip] = {{\n{rows}\n}};",
        "inline constexpr int truth[n_clips] = {" + ", ".join(map(str, y_te[:N_DEVICE].tolist())) + "};",
        "inline constexpr int torch_pred[n_clips] = {" + ", ".join(map(str, pred[:N_DEVICE].tolist())) + "};",
        "}  // namespace kws_data",
        "",
    ])
    with open(os.path.join(out, "kws_data.hpp"), "w", encoding="utf-8") as f:
        f.write(header)


if __name__ == "__main__":
    main(sys.argv[1])
