"""The kernel distance (KID) of Bińkowski et al. (2018) on the evaluator's features (book section
«Cómo se mide una GAN», beside thesis §3.3 and §4.2).

KID is the squared maximum mean discrepancy between the real and the generated features under
the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, estimated without bias: the mean of k over
pairs of distinct real items, plus the same over generated items, minus twice its mean over
(real, generated) pairs. Unlike the Fréchet distance, its expected value does not depend on the
number of samples, and it can come out slightly negative when the two distributions are equal.

:func:`kid` follows the published convention (torch-fidelity, the authors' code): the estimate
on ``subset_size`` items drawn from each sample, averaged over ``subsets`` draws, with the
standard deviation of those draws. :func:`kid_full` is the same estimator on all the items at
once (what the subset average approximates), and :class:`KernelSums` re-weights it for bootstrap
replicates of the generated sample.
"""

from __future__ import annotations

import numpy as np

BLOCK = 2000


def polynomial_kernel(x, y, degree: int = 3, coef0: float = 1.0) -> np.ndarray:
    """(xᵀy / d + coef0) ** degree for every pair of rows (d: the feature width)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (x @ y.T / x.shape[1] + coef0) ** degree


def mmd2_unbiased(k_xx, k_xy, k_yy) -> float:
    """Unbiased MMD² from the three kernel matrices: the within-sample means leave out the
    diagonal (an item paired with itself), the cross mean keeps every pair."""
    m, n = len(k_xx), len(k_yy)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def _check(real, fake):
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be 2-D arrays of the same width, got {real.shape} and "
                         f"{fake.shape}.")
    return real, fake


def kid(real_features, fake_features, subsets: int = 100, subset_size: int = 1000,
        seed: int = 0) -> dict[str, float]:
    """KID as published: mean and standard deviation of the unbiased MMD² over ``subsets``
    draws of ``subset_size`` items (without replacement) from each sample."""
    real, fake = _check(real_features, fake_features)
    if not 2 <= subset_size <= min(len(real), len(fake)):
        raise ValueError(f"subset_size must lie between 2 and the smaller sample "
                         f"({min(len(real), len(fake))}), got {subset_size}; pass a smaller "
                         f"subset_size.")
    rng = np.random.default_rng(seed)
    values = np.empty(subsets)
    for s in range(subsets):
        x = real[rng.choice(len(real), subset_size, replace=False)]
        y = fake[rng.choice(len(fake), subset_size, replace=False)]
        values[s] = mmd2_unbiased(polynomial_kernel(x, x), polynomial_kernel(x, y),
                                  polynomial_kernel(y, y))
    return {"kid": float(values.mean()), "kid_sd": float(values.std()), "subsets": subsets,
            "subset_size": subset_size}


class KernelSums:
    """The unbiased MMD² of all real against all generated items, kept as per-item sums so
    that a bootstrap replicate of the generated sample (``weights``: how many times each item
    was drawn) costs one matrix product. With w the weights and K the generated kernel matrix,
    the pairs of draws that are not copies of one image sum to wᵀKw − Σⱼ wⱼ² Kⱼⱼ over
    (Σw)² − Σⱼ wⱼ² of them: leaving the copies out keeps a replicate unbiased, as the estimate
    is (with every weight 1 it is the estimate itself)."""

    def __init__(self, real_features, fake_features):
        real, fake = _check(real_features, fake_features)
        self.n_real, self.n_fake = len(real), len(fake)
        within_x = 0.0
        self.cross = np.zeros(len(fake))  # Σ_i k(x_i, y_j), per generated item j
        for start in range(0, len(real), BLOCK):
            x = real[start:start + BLOCK]
            within_x += polynomial_kernel(x, real).sum() - np.sum(polynomial_kernel(x, x)
                                                                  .diagonal())
            self.cross += polynomial_kernel(x, fake).sum(axis=0)
        self.within_real = within_x / (len(real) * (len(real) - 1))
        self._fake = fake
        self.diag = ((fake * fake).sum(axis=1) / fake.shape[1] + 1.0) ** 3

    def value(self, weights=None) -> float | np.ndarray:
        """MMD² for the full sample, or one value per column of ``weights`` (n_fake × B)."""
        w = np.ones((self.n_fake, 1)) if weights is None else np.asarray(weights, float)
        single = w.ndim == 1 or weights is None
        w = w.reshape(self.n_fake, -1)
        kw = np.zeros_like(w)
        for start in range(0, self.n_fake, BLOCK):
            kw[start:start + BLOCK] = polynomial_kernel(self._fake[start:start + BLOCK],
                                                        self._fake) @ w
        total = w.sum(axis=0)
        pairs = (w * kw).sum(axis=0) - self.diag @ (w * w)
        within_y = pairs / (total * total - (w * w).sum(axis=0))
        cross = self.cross @ w / (self.n_real * total)
        out = self.within_real + within_y - 2.0 * cross
        return float(out[0]) if single else out


def kid_full(real_features, fake_features) -> float:
    """The unbiased MMD² on every item at once (the subset average's limit)."""
    return KernelSums(real_features, fake_features).value()
