"""The command line's file handling: it never harms the user's files.

- Outputs: only a regular, writable file or a new name in an existing folder;
  never a device, FIFO, socket, symbolic link, folder or one of the inputs.
  Written to a short temp name in the same folder and renamed over the target
  (atomic); errors name the user's path, not the temp file.
- Data (.npy / .csv): a finite 2-D numeric array whose values fit float32 (the
  C++ input type), or one clear error.
"""

from __future__ import annotations

import os
import stat
import tempfile
import warnings

import numpy as np


class FileError(Exception):
    """An output path the CLI refuses, or a data file it cannot use."""


def _one_line(text) -> str:
    return " ".join(str(text).split())


def check_output(path: str, inputs: tuple = ()) -> None:
    """Raises FileError unless ``path`` is a regular writable file or a new
    name in an existing folder, and is none of ``inputs`` (files read by the
    same command)."""
    if path == "":
        raise FileError("output path is empty")
    if path.endswith(os.sep) or os.path.basename(path) in (".", ".."):
        raise FileError(f"output {path} names a folder; give a file name")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise FileError(f"cannot use output {path}: {e.strerror}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise FileError(f"output {path} is a symbolic link; ctml writes only regular files (give the real path)")
        if stat.S_ISDIR(st.st_mode):
            raise FileError(f"output {path} is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise FileError(f"output {path} is not a regular file (a device, FIFO or socket); ctml will not replace it")
        if not st.st_mode & 0o222:
            raise FileError(f"output {path} is read-only; ctml will not replace it")
        for other in inputs:
            if other is None:
                continue
            try:
                o = os.stat(other)
            except OSError:
                continue
            if (o.st_dev, o.st_ino) == (st.st_dev, st.st_ino):
                raise FileError(f"output {path} is the input file {other}; choose another output")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileError(f"output directory {d} does not exist")


def write_atomic(path: str, text: str, inputs: tuple = ()) -> None:
    """Writes ``text`` to ``path`` through a short temp name in its folder,
    then renames it over ``path`` (checked again just before the rename)."""
    check_output(path, inputs)
    d = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ctml-", suffix=".tmp", dir=d)
    except OSError as e:
        raise FileError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a header is an ordinary file
        check_output(path, inputs)  # nothing replaced the target meanwhile
        os.replace(tmp, path)
    except OSError as e:
        _discard(tmp)
        raise FileError(f"cannot write {path}: {e.strerror or _one_line(e)}") from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


# ----------------------------------------------------------------------------
# Data


_F32_MAX = float(np.finfo(np.float32).max)


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _read_csv(path: str) -> np.ndarray:
    """Comma-separated numbers. Lines starting with '#' are comments; a first
    line without a single number is a header (column names). Any other
    non-number is an error that names it: a data row is never dropped."""
    rows, header = [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line_no, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if not rows and not header and not any(map(_is_number, text.split(","))):
                header = True
                continue
            row = []
            for col, field in enumerate(text.split(","), 1):
                try:
                    row.append(float(field))
                except ValueError:
                    raise FileError(
                        f"data file {path} line {line_no} column {col}: {field.strip()[:40]!r} is not a number "
                        "(only a first line without numbers is taken as a header)"
                    ) from None
            if rows and len(row) != len(rows[0]):
                raise FileError(f"data file {path} line {line_no} has {len(row)} values; earlier lines have {len(rows[0])}")
            rows.append(row)
    return np.asarray(rows, dtype=np.float64)


def load_data(path: str, n_features: int) -> np.ndarray:
    """Rows of X from a .npy file or a comma-separated text file, as float32
    (the C++ input type): finite, and every value representable."""
    if not os.path.isfile(path):
        raise FileError(f"cannot read data file {path}: no such file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X = np.load(path, allow_pickle=False) if path.endswith(".npy") else _read_csv(path)
    except FileError:
        raise
    except Exception as e:  # noqa: BLE001
        raise FileError(f"cannot load data file {path}: {_one_line(e)}") from None
    X = np.asarray(X)
    if X.ndim == 1 and X.size:
        X = X.reshape(1, -1)
    if X.size == 0:
        raise FileError(f"data file {path} has no rows")
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise FileError(f"data file {path} must hold a 2-D numeric array (got {X.dtype} {X.shape})")
    if X.shape[1] != n_features:
        raise FileError(f"data file {path} has {X.shape[1]} columns; the model expects {n_features} features")
    X64 = X.astype(np.float64)
    bad = ~np.isfinite(X64) | (np.abs(np.nan_to_num(X64)) > _F32_MAX)
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        raise FileError(
            f"data file {path} row {r} column {c} holds {X64[r, c]!r}, which is not a finite float32 "
            f"(the C++ input type); {int(bad.sum())} such value(s)"
        )
    return X64.astype(np.float32)
