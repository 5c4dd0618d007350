"""thesis_lib.intervals against SciPy's own interval routines."""

import numpy as np
import pytest
from scipy import stats

from thesis_lib import intervals


def test_the_t_interval_is_scipys_one_sample_interval():
    d = np.array([0.55, 0.95, 0.35])
    out = intervals.mean_interval(d)
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(0.95)
    assert (out["low"], out["high"]) == pytest.approx((ci.low, ci.high))
    assert out["n"] == 3 and out["mean"] == pytest.approx(d.mean())
    assert out["sd"] == pytest.approx(d.std(ddof=1))


def test_the_normal_interval_uses_the_normal_quantile():
    d = np.random.default_rng(0).normal(size=400)
    out = intervals.mean_interval(d, method="normal")
    low, high = stats.norm.interval(0.95, loc=d.mean(), scale=stats.sem(d))
    assert (out["low"], out["high"]) == pytest.approx((low, high))


def test_one_value_or_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="at least two"):
        intervals.mean_interval([1.0])
    with pytest.raises(ValueError, match="method"):
        intervals.mean_interval([1.0, 2.0], method="bootstrap")


def test_wilson_is_the_score_interval():
    low, high = intervals.wilson(19, 100)
    # the closed form: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    z, p, n = stats.norm.ppf(0.975), 0.19, 100
    centre, half = p + z**2 / (2 * n), z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (low, high) == pytest.approx(((centre - half) / (1 + z**2 / n),
                                         (centre + half) / (1 + z**2 / n)))
