"""The attribute directions of chapter 3.3 judged out of sample (thesis §3.3, controlled
generation): cross-validated R², its permutation baseline, and paired flip differences
(thesis_lib.studies.latent_directions)."""

import numpy as np
import pytest

from thesis_lib.studies import latent_directions as directions


def test_noise_gets_a_large_in_sample_r2_but_no_out_of_sample_r2():
    # 100 predictors, 400 points, an attribute unrelated to z: in-sample R² ≈ p/n = 0.25 by
    # chance alone; out of sample it is at or below 0.
    rng = np.random.default_rng(0)
    z, values = rng.normal(size=(400, 100)), rng.normal(size=400)
    _, _, r2_in = directions.regression_direction(z, values)
    assert 0.18 < r2_in < 0.32
    assert directions.cross_validated_r2(z, values) < 0.0


def test_a_real_linear_attribute_keeps_its_r2_out_of_sample():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(400, 100))
    values = z[:, 0] + 0.5 * rng.normal(size=400)  # R² of the truth: 1 / 1.25 = 0.8
    r2 = directions.cross_validated_r2(z, values)
    assert 0.55 < r2 < 0.8
    chance = directions.permutation_r2(z, values, permutations=10)
    assert len(chance) == 10 and chance.max() < 0.0 < r2


def test_direction_fit_bundles_the_direction_the_cv_r2_and_the_chance_level():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(300, 20))
    values = 2 * z[:, 3] + rng.normal(size=300)
    fit = directions.direction_fit(z, values, folds=5, permutations=8, seed=3)
    assert abs(fit["direction"][3]) == pytest.approx(1.0, abs=0.05)
    assert fit["r2"] == fit["r2_cv"] and fit["r2_cv"] < fit["r2_in_sample"]
    assert fit["r2_chance_mean"] < 0.05 and fit["r2_chance_sd"] > 0
    assert (fit["n"], fit["predictors"], fit["folds"], fit["permutations"]) == (300, 20, 5, 8)
    again = directions.direction_fit(z, values, folds=5, permutations=8, seed=3)
    assert again["r2_cv"] == fit["r2_cv"]  # the folds and permutations follow the seed


def test_cross_validation_refuses_too_few_points_per_training_split():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="more points per training split"):
        directions.cross_validated_r2(rng.normal(size=(20, 20)), rng.normal(size=20))
    with pytest.raises(ValueError, match="folds"):
        directions.cross_validated_r2(rng.normal(size=(50, 2)), rng.normal(size=50), folds=1)


def test_paired_share_difference_against_a_hand_count():
    a = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 1], bool)
    b = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 1], bool)
    d = directions.paired_share_difference(a, b)
    diffs = a.astype(float) - b
    half = 1.959964 * diffs.std(ddof=1) / np.sqrt(10)
    assert d["difference"] == pytest.approx(0.3) and d["n"] == 10
    assert (d["low"], d["high"]) == pytest.approx((0.3 - half, 0.3 + half), abs=1e-6)
    with pytest.raises(ValueError, match="equal 1-D"):
        directions.paired_share_difference(a, b[:5])
