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
    images = np.asarray(samples[: n * n], dtype="float32")
    picture = Image.fromarray(draw_grid(images, n, pixel_range, rows=n)).convert("RGB")
    artifacts.atomic_save(lambda p: picture.save(p, format="PNG"), path)


def draw_grid(images, cols: int, pixel_range=(0.0, 1.0), rows: int | None = None) -> np.ndarray:
    """Images in a grid of ``cols`` columns (and ``rows`` rows, by default as many as they
    fill), drawn as :func:`save_grid` draws its grids: a uint8 array, dark ink on white, each
    image 34 pixels wide with 2-pixel gaps and a 1-pixel margin; empty cells stay white."""
    from PIL import Image
    lo, hi = pixel_range
    images = np.asarray(images, dtype="float32")
    images = images.reshape(len(images), *images.shape[1:3])  # drop a channel axis of 1
    rows = rows if rows is not None else -(-len(images) // cols)
    cell, gap, margin = 34, 2, 1
    canvas = np.full((rows * cell + (rows - 1) * gap + 2 * margin,
                      cols * cell + (cols - 1) * gap + 2 * margin), 255, dtype=np.uint8)
    for i, image in enumerate(images[: rows * cols]):
        ink = np.clip((image - lo) / (hi - lo), 0.0, 1.0)
        tile = Image.fromarray(np.round(255 * (1.0 - ink)).astype(np.uint8))  # gray_r
        r, c = divmod(i, cols)
        y, x = margin + r * (cell + gap), margin + c * (cell + gap)
        canvas[y:y + cell, x:x + cell] = np.asarray(tile.resize((cell, cell), Image.BILINEAR))
    return canvas


def real_grid(images, path: str | Path, n: int = 10, seed: int = 0) -> Path:
    """``n × n`` real digits drawn at random (``seed``), saved as the runs save their sample
    grids (same size, same gray scale), so the two can stand side by side."""
    images = np.asarray(images)
    chosen = images[np.random.default_rng(seed).choice(len(images), n * n, replace=False)]
    if chosen.dtype == np.uint8:
        chosen = chosen.astype("float32") / 255.0
    save_grid(chosen, path, (0.0, 1.0), n)
    return Path(path)


def grid_tiles(path: str | Path, rows: int, cols: int, n: int = 10) -> np.ndarray:
    """The top-left ``rows × cols`` images of a saved ``n × n`` grid (:func:`save_grid`, or an
    older grid drawn by Matplotlib at the same size) as an RGB array in [0, 1], so that a
    figure can show fewer, larger digits than the whole grid. Grids are cut at their pitch
    (image plus gap, ``side / n``): 36 pixels for the 360-pixel grids."""
    from PIL import Image
    if not (0 < rows <= n and 0 < cols <= n):
        raise ValueError(f"a {n} × {n} grid has no {rows} × {cols} corner.")
    with Image.open(path) as picture:
        image = np.asarray(picture.convert("RGB"), dtype="float32") / 255.0
    pitch_y, pitch_x = image.shape[0] / n, image.shape[1] / n
    # Up to the gap after the last image kept (one pixel of it, as the grid's outer margin).
    return image[:int(round(rows * pitch_y)), :int(round(cols * pitch_x))]
