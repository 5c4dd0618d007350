"""Attributes of a digit image that need no label (thesis §3.3, controlled generation): how much
ink it has and how far it leans, both from the image's moments.

The thesis speaks of controlling "features" (hair colour, glasses, a beard) by moving in Z; on
MNIST the two features any image carries, and that can be measured without a person or a
classifier, are stroke thickness and slant.
"""

from __future__ import annotations

import numpy as np


def _unit(images) -> np.ndarray:
    images = np.asarray(images, dtype="float64")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3:
        raise ValueError(f"expected images shaped (n, h, w) or (n, h, w, 1), got {images.shape}.")
    if images.size and (images.min() < -1e-6 or images.max() > 1 + 1e-6):
        raise ValueError("pixels must lie in [0, 1]; convert a tanh generator's output with "
                         "thesis_lib.gan.latent.to_unit first.")
    return images


def ink(images) -> np.ndarray:
    """Ink mass: the sum of the pixel intensities of each image, in pixels of full ink.

    For strokes of a fixed length it grows in proportion to their width, which is what "thicker"
    means to a reader; it also grows with a longer stroke (an 8 has more ink than a 1).
    """
    return _unit(images).sum(axis=(1, 2))


def slant(images) -> np.ndarray:
    """Slant of each image as a shear: the horizontal shift per row going up, from the second
    moments of the ink, −μ₁₁/μ₀₂ (x to the right, y the row index, downwards).

    0 for an upright stroke, positive when the top leans right (as in "/"), in pixels per pixel;
    the angle from the vertical is arctan of it. This is the quantity the classic MNIST deskewing
    removes. An image without ink has slant 0.
    """
    images = _unit(images)
    n, h, w = images.shape
    rows, cols = np.mgrid[0:h, 0:w].astype("float64")
    mass = images.sum(axis=(1, 2))
    safe = np.where(mass > 0, mass, 1.0)
    y_mean = (images * rows).sum(axis=(1, 2)) / safe
    x_mean = (images * cols).sum(axis=(1, 2)) / safe
    dy = rows[None] - y_mean[:, None, None]
    dx = cols[None] - x_mean[:, None, None]
    mu11 = (images * dx * dy).sum(axis=(1, 2))
    mu02 = (images * dy * dy).sum(axis=(1, 2))
    return np.where((mass > 0) & (mu02 > 0), -mu11 / np.where(mu02 > 0, mu02, 1.0), 0.0)


ATTRIBUTES = {"ink": ink, "slant": slant}


def measure(images, name: str) -> np.ndarray:
    """One attribute (``ink`` or ``slant``) of every image."""
    if name not in ATTRIBUTES:
        raise ValueError(f"unknown attribute {name!r}; valid: {', '.join(ATTRIBUTES)}.")
    return ATTRIBUTES[name](images)


def stroke(length: int = 16, width: int = 2, shear: float = 0.0, size: int = 28,
           value: float = 1.0) -> np.ndarray:
    """A hand-built test image: a straight stroke ``length`` rows tall and ``width`` pixels wide,
    centred, whose column shifts by ``shear`` pixels per row going up (the slant it has by
    construction). Used by the tests and by the chapter to show what the measures read."""
    image = np.zeros((size, size))
    top = (size - length) // 2
    centre = size / 2
    for i in range(length):
        row = top + i
        offset = shear * ((length - 1) / 2 - i)  # rows above the middle shift right if shear > 0
        left = int(round(centre - width / 2 + offset))
        image[row, max(left, 0):max(left + width, 0)] = value
    return image
