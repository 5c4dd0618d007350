"""MNIST loading (IDX format, MD5-verified) and the preprocessing the chapters share.

Thesis §4.1 and §4.2 train on MNIST. The loader reads the four original gz files itself
instead of calling ``keras.datasets.mnist.load_data()`` so that it works offline from a local
copy, checks every file, and explains what is wrong when something is.

Where the files are looked for, in order:

1. the ``data_dir`` argument;
2. the directory in the environment variable ``THESIS_MNIST_DIR`` (it must exist);
3. ``data/mnist/`` in the repository that holds this package (editable installs);
4. the user cache ``$XDG_CACHE_HOME/thesis_lib/mnist`` (default ``~/.cache/thesis_lib/mnist``).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thesis_lib.validation import positive_int

ENV_VAR = "THESIS_MNIST_DIR"
MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"


@dataclass(frozen=True)
class IdxFile:
    name: str
    md5: str
    size: int
    magic: int
    shape: tuple[int, ...]


# Magic 0x0803 = unsigned bytes, 3 dimensions; 0x0801 = unsigned bytes, 1 dimension.
FILES = {
    "train_images": IdxFile("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                            9_912_422, 0x0803, (60_000, 28, 28)),
    "train_labels": IdxFile("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                            28_881, 0x0801, (60_000,)),
    "test_images": IdxFile("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                           1_648_877, 0x0803, (10_000, 28, 28)),
    "test_labels": IdxFile("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c",
                           4_542, 0x0801, (10_000,)),
}

_FIX_CORRUPT = ("Delete it and run load_mnist() again online to download a fresh copy, or "
                "replace it with the original file (see data/README.md for the MD5 sums).")


class MNISTError(Exception):
    """Base class of every MNIST loading problem."""


class MNISTNotFoundError(MNISTError, FileNotFoundError):
    """The MNIST files are not where the loader looked, and could not be downloaded."""


class MNISTCorruptError(MNISTError, ValueError):
    """An MNIST file exists but is not the original file."""


def repo_data_dir() -> Path | None:
    """``data/mnist`` of the repository holding this package, or None when installed elsewhere."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "thesis_lib").is_dir():
        return root / "data" / "mnist"
    return None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "thesis_lib" / "mnist"


def candidate_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Directories searched for the MNIST files, in order (see the module docstring)."""
    if data_dir is not None:
        return [Path(data_dir)]
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise MNISTNotFoundError(
                f"The environment variable {ENV_VAR} points to {path}, which is not an existing "
                f"directory. Fix the path (it must hold the four MNIST .gz files) or unset "
                f"{ENV_VAR} to use data/mnist/ or the download cache.")
        return [path]
    repo = repo_data_dir()
    return ([repo] if repo is not None else []) + [cache_dir()]


def md5sum(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path: str | os.PathLike, expected: IdxFile | None = None) -> np.ndarray:
    """Parse a gzip-compressed IDX file (magic number, dimensions, raw bytes) into uint8.

    With ``expected``, the magic number and the dimensions must match it.
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except EOFError as exc:
        raise MNISTCorruptError(
            f"{path}: the gzip stream is truncated ({exc}); the download or copy was cut "
            f"short. {_FIX_CORRUPT}") from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise MNISTCorruptError(
            f"{path}: not a valid gzip file ({exc}). {_FIX_CORRUPT}") from exc
    if len(raw) < 4:
        raise MNISTCorruptError(f"{path}: too short to hold an IDX header. {_FIX_CORRUPT}")
    magic = struct.unpack(">I", raw[:4])[0]
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or (expected is not None and magic != expected.magic):
        want = f"0x{expected.magic:08X}" if expected is not None else "0x000008NN"
        raise MNISTCorruptError(
            f"{path}: wrong IDX magic number 0x{magic:08X} (expected {want}, unsigned bytes); "
            f"this is not the MNIST file its name says. {_FIX_CORRUPT}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MNISTCorruptError(f"{path}: IDX header cut short. {_FIX_CORRUPT}")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    if expected is not None and tuple(shape) != expected.shape:
        raise MNISTCorruptError(
            f"{path}: wrong dimensions {tuple(shape)} in the IDX header (expected "
            f"{expected.shape}). {_FIX_CORRUPT}")
    count = int(np.prod(shape))
    if len(raw) - header != count:
        raise MNISTCorruptError(
            f"{path}: the header announces {count} bytes of data for shape {tuple(shape)} but "
            f"the file holds {len(raw) - header}. {_FIX_CORRUPT}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _check_file(path: Path, spec: IdxFile) -> np.ndarray:
    """Parse one file and verify its MD5; the parse runs first so its diagnosis is specific."""
    array = read_idx(path, spec)
    actual = md5sum(path)
    if actual != spec.md5:
        raise MNISTCorruptError(
            f"{path}: MD5 {actual} does not match the original MNIST file ({spec.md5}); the "
            f"file parses but its content was altered. {_FIX_CORRUPT}")
    return array


def _download(spec: IdxFile, directory: Path) -> Path:
    """Fetch one file from the public mirror with keras' hash-checked downloader."""
    import keras  # imported here: loading local files must not pay for the framework import

    directory.mkdir(parents=True, exist_ok=True)
    fetched = keras.utils.get_file(
        fname=spec.name, origin=MIRROR + spec.name, file_hash=spec.md5, hash_algorithm="md5",
        cache_dir=str(directory), cache_subdir=".")
    return Path(fetched)


def locate_mnist(data_dir: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """Directory holding the four MNIST files, downloading them if needed and allowed."""
    candidates = candidate_dirs(data_dir)
    for directory in candidates:
        if all((directory / spec.name).is_file() for spec in FILES.values()):
            return directory
    target = candidates[0] if (data_dir is not None or os.environ.get(ENV_VAR)) else cache_dir()
    looked = "\n".join(f"  - {d}" + ("" if d.is_dir() else " (does not exist)")
                       for d in candidates)
    missing = [spec.name for spec in FILES.values()
               if not any((d / spec.name).is_file() for d in candidates)]
    reason = "downloading is disabled (download=False)"
    if download:
        try:
            for spec in FILES.values():
                if not (target / spec.name).is_file():
                    _download(spec, target)
            return target
        except Exception as exc:  # offline, DNS failure, hash mismatch, unwritable directory...
            reason = f"the download from {MIRROR} failed: {type(exc).__name__}: {exc}"
    raise MNISTNotFoundError(
        f"MNIST files not found (missing: {', '.join(missing)}); looked in:\n{looked}\n"
        f"and {reason}. Fix: copy the four original .gz files into one of those directories "
        f"(for example data/mnist/), or set {ENV_VAR} to a directory that holds them, or run "
        f"once with internet access to download them.")


def load_mnist(data_dir: str | os.PathLike | None = None, *, download: bool = True):
    """MNIST as ``((x_train, y_train), (x_test, y_test))`` uint8 arrays, like Keras' loader.

    Shapes: (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). Thesis §4.1.
    """
    directory = locate_mnist(data_dir, download=download)
    arrays = {key: _check_file(directory / spec.name, spec) for key, spec in FILES.items()}
    return ((arrays["train_images"], arrays["train_labels"]),
            (arrays["test_images"], arrays["test_labels"]))


# --- preprocessing shared by the chapters ------------------------------------------------

def scale_01(images: np.ndarray) -> np.ndarray:
    """Pixels 0..255 to float32 in [0, 1] (thesis §4.1, and the DCGAN's sigmoid output, §4.2)."""
    return np.asarray(images, dtype=np.float32) / 255.0


def scale_pm1(images: np.ndarray) -> np.ndarray:
    """Pixels 0..255 to float32 in [-1, 1], for a tanh generator (thesis §4.2, proposed improvement)."""
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def add_channel(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) to (n, 28, 28, 1), the channels-last shape convolutions expect (thesis §2.6)."""
    return np.asarray(images)[..., np.newaxis]


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Integer labels to float32 one-hot rows (thesis §4.1)."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects a 1-D array of labels, got shape {labels.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}; found "
                         f"{labels.min()}..{labels.max()}. Pass the right num_classes.")
    return np.eye(num_classes, dtype=np.float32)[labels]


def stratified_indices(labels: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """Indices of a reproducible subset of ``size`` items keeping each class's share.

    Class quotas are proportional to the class frequencies (largest remainders); within a
    class the items are drawn without replacement by a generator seeded with ``seed``. The
    indices are returned sorted, so the subset keeps the data's original order.
    """
    labels = np.asarray(labels)
    n = labels.shape[0]
    positive_int("subset size", size)
    if size > n:
        raise ValueError(f"subset size {size} is larger than the data ({n} items); "
                         f"choose a size between 1 and {n}.")
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * size / n
    quota = np.floor(exact).astype(int)
    # Largest remainders get the leftover slots; ties broken by class order for determinism.
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: size - quota.sum()]] += 1
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == c), size=q, replace=False)
              for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(chosen))


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int, seed: int = 0):
    """``(x[idx], y[idx])`` for :func:`stratified_indices` of ``y``."""
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} vs {len(y)}).")
    idx = stratified_indices(y, size, seed)
    return x[idx], y[idx]


def balanced_indices(labels: np.ndarray, size: int, seed: int = 0,
                     num_classes: int = 10) -> np.ndarray:
    """Indices of ``size`` items with the same count of every class (``size / num_classes``
    each), drawn without replacement by a generator seeded with ``seed``; sorted.

    The scarce-data experiment (thesis §5) uses it: its N labelled images are class-balanced.
    """
    labels = np.asarray(labels)
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size <= 0 \
            or size % num_classes:
        raise ValueError(f"a balanced subset needs a positive multiple of {num_classes} items, "
                         f"got {size!r}.")
    per_class = size // num_classes
    rng = np.random.default_rng(seed)
    chosen = []
    for c in range(num_classes):
        pool = np.flatnonzero(labels == c)
        if len(pool) < per_class:
            raise ValueError(f"class {c} has {len(pool)} items, fewer than the {per_class} a "
                             f"balanced subset of {size} needs; choose a smaller size.")
        chosen.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))
