"""Confidence intervals, written once for every chapter (issue 29: every comparison states n,
spread and an interval): a mean over a few numbers (seeds, paired differences, per-sample
flags) and a proportion. NumPy and SciPy only."""

from __future__ import annotations

import numpy as np


def mean_interval(values, level: float = 0.95, method: str = "t") -> dict:
    """The mean of ``values`` with its ``level`` interval, mean ± q·sd/√n, where q is the
    Student-t quantile with n − 1 degrees of freedom (``method="t"``: a few seeds) or the normal
    one (``"normal"``: hundreds of per-sample values). Needs at least two values."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) < 2:
        raise ValueError(f"need at least two values for an interval, got {v.size}.")
    if method not in ("t", "normal"):
        raise ValueError(f"method must be 't' or 'normal', not {method!r}.")
    q = stats.t.ppf(0.5 + level / 2, len(v) - 1) if method == "t" else \
        stats.norm.ppf(0.5 + level / 2)
    sd = float(v.std(ddof=1))
    half = float(q) * sd / np.sqrt(len(v))
    mean = float(v.mean())
    return {"mean": mean, "sd": sd, "n": int(len(v)), "low": mean - half, "high": mean + half,
            "level": level}


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (scipy's)."""
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)
