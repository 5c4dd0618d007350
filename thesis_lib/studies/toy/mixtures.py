"""The 2-D mixtures of §3.2 and the mode protocol that judges a generator on them.

:func:`ring_of_gaussians` (8 Gaussians on a circle of radius 2, σ = 0.02) and
:func:`grid_of_gaussians` (5 × 5 Gaussians) are the mixtures on which Metz et al. (2017, unrolled
GANs), Srivastava et al. (2017, VEEGAN) and Gulrajani et al. (2017, WGAN-GP) show mode collapse
and its remedies; :func:`mode_stats` is VEEGAN's protocol for counting the modes a generator
covers.
"""

from __future__ import annotations

import numpy as np

from thesis_lib import streams
from thesis_lib.validation import positive_int


# --- 2-D mixtures -----------------------------------------------------------------------------
def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``modes`` centres evenly spaced on a circle of ``radius``, the first on the positive
    x axis, as a (modes, 2) float32 array."""
    positive_int("modes", modes)
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius!r}.")
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")


def grid_centers(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """``side`` × ``side`` centres on a square grid of ``spacing``, centred on the origin (for 5
    and 2: x, y in {−4, −2, 0, 2, 4}), row by row, as a (side², 2) float32 array."""
    positive_int("side", side)
    if not spacing > 0:
        raise ValueError(f"spacing must be positive, got {spacing!r}.")
    ticks = spacing * (np.arange(side) - (side - 1) / 2.0)
    xs, ys = np.meshgrid(ticks, ticks)
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype("float32")


def mixture(n: int, centers, std: float, seed: int = 0):
    """``n`` samples of an equal-weight mixture of isotropic Gaussians N(centre, std²·I): the
    samples ((n, d) float32) and each one's mode (the index of its centre, (n,) int64). The
    modes are drawn uniformly; everything depends on ``seed`` only."""
    centers = np.asarray(centers, dtype="float64")
    if centers.ndim != 2 or len(centers) == 0:
        raise ValueError(f"centers must be a non-empty (modes, dim) array, got shape "
                         f"{centers.shape}.")
    positive_int("n", n)
    if not std >= 0:
        raise ValueError(f"std must be >= 0, got {std!r}.")
    rng = streams.rng(seed, "mixture")
    labels = rng.integers(len(centers), size=n)
    samples = centers[labels] + std * rng.standard_normal((n, centers.shape[1]))
    return samples.astype("float32"), labels


def ring_of_gaussians(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02,
                      seed: int = 0):
    """``n`` samples of ``modes`` Gaussians (sd ``std``) evenly spaced on a circle of ``radius``:
    (samples (n, 2) float32, labels (n,) mode index). The defaults are the "2D ring" of VEEGAN
    (Srivastava et al. 2017) and of the unrolled GAN (Metz et al. 2017)."""
    return mixture(n, ring_centers(modes, radius), std, seed)


def grid_of_gaussians(n: int, side: int = 5, spacing: float = 2.0, std: float = 0.02,
                      seed: int = 0):
    """``n`` samples of ``side``² Gaussians (sd ``std``) on a square grid (:func:`grid_centers`):
    (samples (n, 2) float32, labels (n,) mode index); the "2D grid" of VEEGAN."""
    return mixture(n, grid_centers(side, spacing), std, seed)


def nearest_mode(samples, centers):
    """Index of each sample's nearest centre and its (Euclidean) distance to it."""
    samples, centers = _check_samples(samples, centers)
    dist = np.sqrt(((samples[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
    nearest = dist.argmin(axis=1)
    return nearest, dist[np.arange(len(samples)), nearest]


def mode_stats(samples, centers, std: float, threshold: float = 3.0) -> dict:
    """VEEGAN's mode protocol (Srivastava et al. 2017, §5.1) for samples of a Gaussian mixture.

    A sample is of *high quality* when it lies within ``threshold`` (3) standard deviations
    ``std`` of its nearest mode's centre (distance ≤ 3σ, the boundary counting as inside); a mode
    is *captured* when it is the nearest mode of at least one high-quality sample. Returns:

    - ``high_quality``: the share of the samples that are of high quality;
    - ``modes_captured``: how many modes are captured (int);
    - ``per_mode``: the number of high-quality samples at each mode (a list, in centre order);
    - ``kl``: KL(p ‖ uniform) of the high-quality samples' mode histogram p (0 when they are
      spread evenly, log K when all sit at one of K modes; NaN when there are none).

    Counting captured modes alone rewards a blurry generator: a wide blob over the whole ring
    lands a few samples near most centres. Read it with ``high_quality``.
    """
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}.")
    nearest, dist = nearest_mode(samples, centers)
    good = dist <= threshold * std
    per_mode = np.bincount(nearest[good], minlength=len(np.asarray(centers))).astype(int)
    total = int(per_mode.sum())
    if total:
        p = per_mode / total
        nz = p > 0
        kl = float(np.sum(p[nz] * np.log(p[nz] * len(p))))
    else:
        kl = float("nan")
    return {"high_quality": float(good.mean()), "modes_captured": int((per_mode > 0).sum()),
            "per_mode": per_mode.tolist(), "kl": kl}


def _check_samples(samples, centers):
    samples = np.asarray(samples, dtype="float64")
    centers = np.asarray(centers, dtype="float64")
    if centers.ndim != 2 or len(centers) == 0:
        raise ValueError(f"centers must be a non-empty (modes, dim) array, got shape "
                         f"{centers.shape}.")
    if samples.ndim != 2 or len(samples) == 0:
        raise ValueError(f"samples must be a non-empty (n, dim) array, got shape "
                         f"{samples.shape}.")
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples have {samples.shape[1]} coordinates but centers have "
                         f"{centers.shape[1]}.")
    if not np.isfinite(samples).all():
        raise ValueError("samples contain NaN or infinite values (a diverged generator?).")
    return samples, centers
