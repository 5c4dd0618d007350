"""Fidelity and diversity apart: precision and recall of Kynkäänniemi et al. (2019) and density
and coverage of Naeem et al. (2020), on the evaluator's features (book section «Cómo se mide
una GAN», beside thesis §3.3 and §4.2).

Each sample approximates its distribution's support by a union of balls: around every item, the
ball whose radius is the distance to its ``k``-th nearest neighbour in the same sample.

* precision: share of generated items inside some real ball (are the images plausible?);
* recall: share of real items inside some generated ball (is the variety there?);
* density: generated items counted with how many real balls hold them, divided by ``k`` (1 on
  average when both samples come from one distribution; it does not saturate at 1 as
  precision does, so isolated outliers of the real sample weigh less);
* coverage: share of real items whose own ball holds at least one generated item.

The comparisons are strict (``<``), as in the reference ``prdc`` package, which the tests
reproduce on the same arrays. NumPy only: distances are computed in row blocks so that 10,000 ×
10,000 comparisons stay within a few hundred megabytes.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1000  # rows of a distance block: 1000 × 10,000 float64 is 80 MB


def _as_features(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or len(a) < 2:
        raise ValueError(f"{name} must be a 2-D array of at least two feature rows, got shape "
                         f"{a.shape}.")
    return a


def distance_blocks(a: np.ndarray, b: np.ndarray, block: int = BLOCK):
    """Yield ``(start, D)``: Euclidean distances from rows ``start…start+len(D)`` of ``a`` to
    every row of ``b``."""
    b_sq = np.einsum("ij,ij->i", b, b)
    for start in range(0, len(a), block):
        rows = a[start:start + block]
        sq = np.einsum("ij,ij->i", rows, rows)[:, None] + b_sq[None, :] - 2.0 * rows @ b.T
        yield start, np.sqrt(np.maximum(sq, 0.0))


def knn_radii(features, k: int = 3) -> np.ndarray:
    """Distance from each row to its ``k``-th nearest other row (the row itself excluded)."""
    x = _as_features(features, "features")
    if not 1 <= k < len(x):
        raise ValueError(f"k must lie between 1 and the number of items minus one "
                         f"({len(x) - 1}), got {k}.")
    radii = np.empty(len(x))
    for start, d in distance_blocks(x, x):
        # the item itself is at distance 0: the k-th neighbour is the (k+1)-th smallest
        radii[start:start + len(d)] = np.partition(d, k, axis=1)[:, k]
    return radii


class Manifolds:
    """Everything precision, recall, density and coverage need, computed once per pair of
    samples, so that a bootstrap replicate of the generated sample (:meth:`metrics` with
    ``weights``, how many times each generated item was drawn) costs only sums.

    Stored as memberships: ``real_ball`` holds the pairs (real i, generated j) with j inside
    real i's ball, ``fake_ball`` the pairs with real i inside generated j's ball.
    """

    def __init__(self, real_features, fake_features, k: int = 3):
        real = _as_features(real_features, "real_features")
        fake = _as_features(fake_features, "fake_features")
        if real.shape[1] != fake.shape[1]:
            raise ValueError(f"real and generated features differ in width: {real.shape[1]} vs "
                             f"{fake.shape[1]}.")
        self.k, self.n_real, self.n_fake = k, len(real), len(fake)
        self.real_radii, self.fake_radii = knn_radii(real, k), knn_radii(fake, k)
        real_ball, fake_ball = [], []
        for start, d in distance_blocks(real, fake):
            i, j = np.nonzero(d < self.real_radii[start:start + len(d), None])
            real_ball.append(np.stack([i + start, j]))
            i, j = np.nonzero(d < self.fake_radii[None, :])
            fake_ball.append(np.stack([i + start, j]))
        self.real_ball = np.concatenate(real_ball, axis=1)
        self.fake_ball = np.concatenate(fake_ball, axis=1)
        # how many real balls hold each generated item
        self.in_real = np.bincount(self.real_ball[1], minlength=self.n_fake)

    def metrics(self, weights=None) -> dict[str, float]:
        """The four metrics; with ``weights`` (one count per generated item, e.g. a bootstrap
        draw), those of the generated sample that repeats item j ``weights[j]`` times. The
        generated balls keep the radii of the full sample there: a resample's duplicates would
        otherwise sit at distance 0 from each other and shrink them."""
        w = np.ones(self.n_fake) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (self.n_fake,):
            raise ValueError(f"weights must hold one count per generated item ({self.n_fake}), "
                             f"got shape {w.shape}.")
        drawn = w > 0

        def covered(pairs):  # real items with at least one drawn generated item in the pair
            return np.bincount(pairs[0], weights=drawn[pairs[1]], minlength=self.n_real) > 0

        return {"precision": float(w @ (self.in_real > 0) / w.sum()),
                "recall": float(np.mean(covered(self.fake_ball))),
                "density": float(w @ self.in_real / (self.k * w.sum())),
                "coverage": float(np.mean(covered(self.real_ball)))}


def prdc(real_features, fake_features, k: int = 3) -> dict[str, float]:
    """Precision, recall, density and coverage of ``fake_features`` against ``real_features``
    with ``k``-nearest-neighbour balls (k = 3 by default, as Kynkäänniemi et al.; Naeem et al.
    use 5)."""
    return Manifolds(real_features, fake_features, k).metrics()
