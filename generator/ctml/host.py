"""Compiling and running a generated header on the host.

Used by ``ConvertedModel.predict`` and ``ctml verify``. A small driver program
reads rows of float32 (binary, native byte order) from stdin and prints one
prediction per line: the class index for classifiers (``%lld``), the value as a
hex float for regressors (``%a``, exact). Binaries are cached in a per-user
temp directory, keyed by a hash of the header, the driver, the compiler command
and the ctml library headers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile

import numpy as np

from . import HostError

CXXFLAGS = ["-std=c++20", "-O1"]

_DRIVER = """\
// ctml host driver (generated)
#include "model.hpp"

#include <array>
#include <cstdio>

int main() {{
  std::array<float, {name}::n_features> x{{}};
  constexpr auto model = {model};
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    const auto y = model.predict(x);
    std::printf({fmt}, {cast}(y));
  }}
  return 0;
}}
"""


def include_dir() -> str:
    """The ctml library's include directory: $CTML_INCLUDE_DIR, or
    ``generator/../include`` relative to this package."""
    env = os.environ.get("CTML_INCLUDE_DIR")
    if env:
        return os.path.abspath(env)
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "include"))


def compiler() -> str:
    return os.environ.get("CTML_CXX", "g++")


def cache_dir() -> str:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    d = os.path.join(tempfile.gettempdir(), f"ctml-host-cache-{uid}")
    os.makedirs(d, mode=0o700, exist_ok=True)
    return d


# Number policies a network can be built with on the host (`model.with(...)`).
POLICIES = ("int8", "int8_fast")


def driver_source(name: str, is_classifier: bool, policy: str | None = None) -> str:
    model = f"{name}::model" if policy is None else f"{name}::model.with(ctml::{policy}{{}})"
    if is_classifier:
        return _DRIVER.format(name=name, model=model, fmt='"%lld\\n"', cast="static_cast<long long>")
    return _DRIVER.format(name=name, model=model, fmt='"%a\\n"', cast="static_cast<double>")


def _library_digest(inc: str) -> str:
    h = hashlib.sha256()
    root = os.path.join(inc, "ctml")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            h.update(os.path.relpath(p, inc).encode() + b"\0")
            with open(p, "rb") as f:
                h.update(f.read())
            h.update(b"\0")
    return h.hexdigest()


def build(header: str, name: str, is_classifier: bool, policy: str | None = None) -> str:
    """Compiles the header with the driver (the model with ``policy``, one of
    POLICIES, if given); returns the executable's path."""
    if policy is not None and policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    return _build_driver(header, name, driver_source(name, is_classifier, policy))


def _build_driver(header: str, name: str, driver: str) -> str:
    """Compiles the header with a driver program (cached); returns the executable."""
    inc = include_dir()
    if not os.path.isfile(os.path.join(inc, "ctml", "ctml.hpp")):
        raise HostError(f"the ctml C++ library is not available ({os.path.join(inc, 'ctml', 'ctml.hpp')} missing)")
    cxx = compiler()
    if shutil.which(cxx) is None:
        raise HostError(f"C++ compiler {cxx!r} not found (set CTML_CXX)")
    key = hashlib.sha256(
        "\0".join([header, driver, cxx, " ".join(CXXFLAGS), inc, _library_digest(inc)]).encode()
    ).hexdigest()[:32]
    cache = cache_dir()
    exe = os.path.join(cache, f"{name}-{key}")
    if os.path.isfile(exe) and os.access(exe, os.X_OK):
        return exe
    log = exe + ".log"
    with tempfile.TemporaryDirectory(prefix="ctml-build-", dir=cache) as tmp:
        with open(os.path.join(tmp, "model.hpp"), "w", encoding="utf-8") as f:
            f.write(header)
        with open(os.path.join(tmp, "main.cpp"), "w", encoding="utf-8") as f:
            f.write(driver)
        out = os.path.join(tmp, "a.out")
        cmd = [cxx, *CXXFLAGS, "-I", inc, "-I", tmp, os.path.join(tmp, "main.cpp"), "-o", out]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            with open(log, "w", encoding="utf-8") as f:
                f.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
            first = next((ln for ln in r.stderr.splitlines() if "error" in ln), r.stderr.strip()[:200])
            raise HostError(
                f"compiling the generated header failed ({cxx} exit {r.returncode}): {first.strip()} "
                f"[full log: {log}]"
            )
        os.replace(out, exe)
    return exe


def run(model, X, policy: str | None = None) -> np.ndarray:
    """Predictions of the compiled header for the rows of X (cast to float32),
    with the model's default number policy or ``policy`` (one of POLICIES)."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != model.n_features:
        raise ValueError(f"X has shape {X.shape}; the model expects (n_rows, {model.n_features})")
    if X.shape[0] == 0:
        return np.zeros(0, dtype=np.int64 if model.is_classifier else np.float64)
    exe = build(model.header, model.name, model.is_classifier, policy)
    data = np.ascontiguousarray(X, dtype=np.float32).tobytes()
    r = subprocess.run([exe], input=data, capture_output=True)
    if r.returncode != 0:
        raise HostError(f"host program {exe} failed with exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[:300]}")
    lines = r.stdout.decode().split()
    if len(lines) != X.shape[0]:
        raise HostError(f"host program printed {len(lines)} predictions for {X.shape[0]} rows")
    if model.is_classifier:
        y = np.array([int(v) for v in lines], dtype=np.int64)
        if np.any((y < 0) | (y >= len(model.classes_))):
            raise HostError("host program returned a class index outside classes_")
        return y
    return np.array([float.fromhex(v) for v in lines], dtype=np.float64)


# --- Pipelines without an estimator (model.run): float32 rows in, float32 rows out.
_RUN_DRIVER = """\
// ctml host driver (generated)
#include "model.hpp"

#include <array>
#include <cstdio>

int main() {{
  std::array<float, {name}::n_features> x{{}};
  std::array<float, {name}::n_outputs> y{{}};
  constexpr auto model = {name}::model;
  while (std::fread(x.data(), sizeof(float), x.size(), stdin) == x.size()) {{
    model.run(x, y);
    std::fwrite(y.data(), sizeof(float), y.size(), stdout);
  }}
  return 0;
}}
"""


def run_transform(model, X) -> np.ndarray:
    """``NAME::model.run`` of the compiled header for the rows of X (cast to float32)."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != model.n_features:
        raise ValueError(f"X has shape {X.shape}; the model expects (n_rows, {model.n_features})")
    exe = _build_driver(model.header, model.name, _RUN_DRIVER.format(name=model.name))
    r = subprocess.run([exe], input=np.ascontiguousarray(X).tobytes(), capture_output=True)
    if r.returncode != 0:
        raise HostError(f"host program {exe} failed with exit {r.returncode}")
    y = np.frombuffer(r.stdout, dtype=np.float32)
    if y.size != X.shape[0] * model.n_outputs:
        raise HostError(f"host program wrote {y.size} values for {X.shape[0]} rows of {model.n_outputs}")
    return y.reshape(X.shape[0], model.n_outputs).copy()
