"""Sample grids as PNG files (thesis §4.2's figures of generated digits), drawn with Pillow as one
array: the training loop that saves one per monitored epoch needs no plotting library."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thesis_lib import artifacts


def save_grid(samples, path: str | Path, pixel_range=(0.0, 1.0), n: int = 10):
    """Save an n × n grid of images as a PNG (atomically): dark ink on white, each image 34
    pixels wide, 2-pixel white gaps between them and 1 around (360 × 360 for n = 10).

    Drawn as one array: a figure of 100 Matplotlib panels took seconds per grid, and runs save
    one at every monitored epoch."""
    from PIL import Image
    lo, hi = pixel_range
    images = np.asarray(samples[: n * n], dtype="float32")
    images = images.reshape(len(images), *images.shape[1:3])  # drop a channel axis of 1
    cell, gap, margin = 34, 2, 1
    side = n * cell + (n - 1) * gap + 2 * margin
    canvas = np.full((side, side), 255, dtype=np.uint8)
    for i, image in enumerate(images):
        ink = np.clip((image - lo) / (hi - lo), 0.0, 1.0)
        tile = Image.fromarray(np.round(255 * (1.0 - ink)).astype(np.uint8))  # gray_r
        r, c = divmod(i, n)
        y, x = margin + r * (cell + gap), margin + c * (cell + gap)
        canvas[y:y + cell, x:x + cell] = np.asarray(tile.resize((cell, cell), Image.BILINEAR))
    picture = Image.fromarray(canvas).convert("RGB")
    artifacts.atomic_save(lambda p: picture.save(p, format="PNG"), path)


def real_grid(images, path: str | Path, n: int = 10, seed: int = 0) -> Path:
    """``n × n`` real digits drawn at random (``seed``), saved as the runs save their sample
    grids (same size, same gray scale), so the two can stand side by side."""
    images = np.asarray(images)
    chosen = images[np.random.default_rng(seed).choice(len(images), n * n, replace=False)]
    if chosen.dtype == np.uint8:
        chosen = chosen.astype("float32") / 255.0
    save_grid(chosen, path, (0.0, 1.0), n)
    return Path(path)
