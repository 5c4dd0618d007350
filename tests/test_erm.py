"""thesis_lib.nn.erm (thesis §2.3): empirical risk, its gradient, sum against mean, training."""

import math

import numpy as np
import pytest

from thesis_lib.nn import erm
from thesis_lib.nn import feedforward as F
from thesis_lib.profiles import get_config


def small_config(**overrides):
    """The quick profile, shortened: enough steps to train, a fraction of a second per seed."""
    return get_config("training", "quick", **{"iterations": 400, "n_heldout": 200, **overrides})


def test_empirical_risk_equals_a_hand_computation():
    # The thesis's XOR weights with the output scaled by k = 2 and bias −1: logits ∓1 on the
    # four corners, each on the right side, so every point costs log(1 + e⁻¹).
    theta = erm.scaled_thesis_xor(2.0)
    np.testing.assert_allclose(erm.logits(theta, F.XOR_X), [-1, 1, 1, -1])
    assert erm.empirical_risk(theta, F.XOR_X, F.XOR_Y) == pytest.approx(math.log(1 + math.e ** -1))
    assert erm.empirical_risk(theta, F.XOR_X, F.XOR_Y, "sum") == \
        pytest.approx(4 * math.log(1 + math.e ** -1))
    # One point on the wrong side: logit −1 for label 1 costs log(1 + e) instead.
    y = np.array([0.0, 0.0, 1.0, 0.0])
    assert erm.empirical_risk(theta, F.XOR_X, y) == \
        pytest.approx((3 * math.log(1 + math.e ** -1) + math.log(1 + math.e)) / 4)
    # θ = 0: f(x; θ) = ½ everywhere and the risk is log 2 whatever the data.
    assert erm.empirical_risk(np.zeros(9), [[3.0, -7.0]], [1.0]) == pytest.approx(math.log(2))


def test_the_network_is_the_one_of_chapter_2_2():
    theta = erm.pack(**{k: v for k, v in F.THESIS_XOR.items()})
    np.testing.assert_array_equal(erm.logits(theta, F.XOR_X), [0, 1, 1, 0])
    np.testing.assert_array_equal(erm.unpack(theta)["theta1"], F.THESIS_XOR["theta1"])
    assert erm.parameter_table().loc["total", "números"] == erm.N_PARAMS == 9
    with pytest.raises(ValueError, match="9 numbers"):
        erm.unpack(np.zeros(8))


def test_bce_does_not_overflow():
    assert erm.bce(1000.0, 1.0) == pytest.approx(0.0)
    assert erm.bce(1000.0, 0.0) == pytest.approx(1000.0)
    assert erm.bce(-1000.0, 0.0) == pytest.approx(0.0)


@pytest.mark.parametrize("reduction", erm.REDUCTIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_finite_differences(seed, reduction):
    rng = np.random.default_rng(seed)
    x, y = erm.noisy_xor(25, 0.3, rng)
    theta = rng.normal(size=9)
    ours = erm.gradient(theta, x, y, reduction)
    numeric = erm.finite_difference_gradient(
        lambda t: erm.empirical_risk(t, x, y, reduction), theta)
    np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)
    risk, _ = erm.risk_and_gradient(theta, x, y, reduction)
    assert risk == pytest.approx(erm.empirical_risk(theta, x, y, reduction))


def test_a_wrong_gradient_would_be_caught():
    # The check above is not vacuous: dropping ReLU' (a classic slip) breaks it.
    rng = np.random.default_rng(5)
    x, y = erm.noisy_xor(25, 0.3, rng)
    theta = rng.normal(size=9)
    p = erm.unpack(theta)
    pre, hidden, z = F.xor_forward(**p, X=x)
    dz = (1 / (1 + np.exp(-z)) - y) / len(y)
    wrong = np.outer(p["theta2"], dz) @ x  # without * (pre > 0)
    numeric = erm.finite_difference_gradient(lambda t: erm.empirical_risk(t, x, y), theta)
    assert np.any(pre <= 0)
    assert not np.allclose(wrong.T.ravel(), numeric[:4], rtol=1e-6, atol=1e-8)


def test_sum_and_mean_have_the_same_argmin():
    rng = np.random.default_rng(0)
    x, y = erm.noisy_xor(30, 0.3, rng)
    n = len(y)
    candidates = rng.normal(scale=2.0, size=(200, 9))
    by_mean = [erm.empirical_risk(t, x, y, "mean") for t in candidates]
    by_sum = [erm.empirical_risk(t, x, y, "sum") for t in candidates]
    np.testing.assert_allclose(by_sum, n * np.array(by_mean))
    assert np.argmin(by_sum) == np.argmin(by_mean)
    # Gradient descent: the sum at rate η/n walks exactly the path of the mean at rate η,
    # and at the same rate η it takes steps n times longer.
    theta0 = erm.glorot_init(rng)
    mean_end, mean_risk, _ = erm.gradient_descent(theta0, x, y, 0.5, 200, "mean")
    sum_end, sum_risk, _ = erm.gradient_descent(theta0, x, y, 0.5 / n, 200, "sum")
    np.testing.assert_allclose(sum_end, mean_end, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sum_risk, n * mean_risk, rtol=1e-9)
    np.testing.assert_allclose(erm.gradient(theta0, x, y, "sum"),
                               n * erm.gradient(theta0, x, y, "mean"))


def test_on_the_four_exact_corners_the_risk_has_no_minimiser():
    # Scaling the thesis's weights keeps every corner right and lowers the risk towards 0,
    # which no finite θ attains: the argmin of §2.3 does not exist on separable data.
    risks = [erm.empirical_risk(erm.scaled_thesis_xor(k), F.XOR_X, F.XOR_Y)
             for k in (1, 2, 4, 8, 16, 32)]
    assert all(a > b > 0 for a, b in zip(risks, risks[1:]))
    assert risks[-1] < 1e-6
    assert all(erm.solves_xor(erm.scaled_thesis_xor(k)) for k in (0.1, 1, 100))


def test_training_reduces_the_empirical_risk():
    config = small_config()
    sample = erm.draw_sample(config.n_train, config.n_heldout, config.noise, config.seed)
    for restart in range(4):
        run = erm.train(config, sample, restart)
        assert run.train_risk[-1] < run.train_risk[0]
        assert len(run.train_risk) == config.iterations + 1
        np.testing.assert_array_equal(run.heldout_at,
                                      erm.heldout_steps(config.iterations, erm.HELDOUT_EVERY))
        assert len(run.heldout_risk) == len(run.heldout_at)
    # Restart 3 of the quick profile's sample finds XOR's solution and fits every point.
    solved = erm.train(small_config(iterations=3000), sample, 3)
    assert solved.solves_xor and solved.train_accuracy == 1.0
    assert solved.train_risk[-1] < 0.01 * solved.train_risk[0]


def test_reproducible_by_seed():
    config = small_config(iterations=50)
    sample = erm.draw_sample(config.n_train, config.n_heldout, config.noise, config.seed)
    a, b, c = (erm.train(config, sample, 3), erm.train(config, sample, 3),
               erm.train(config, sample, 4))
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.heldout_risk, b.heldout_risk)
    assert not np.array_equal(a.theta0, c.theta0)
    again = erm.draw_sample(config.n_train, config.n_heldout, config.noise, config.seed)
    np.testing.assert_array_equal(again.x_heldout, sample.x_heldout)
    other = erm.draw_sample(config.n_train, config.n_heldout, config.noise, config.seed + 1)
    assert not np.array_equal(other.x_train, sample.x_train)
    # The whole experiment, twice: the same numbers; restart i starts where train(…, i) does.
    first, runs = erm.experiment(small_config(iterations=5, restarts=3, n_heldout=10))
    _, rerun = erm.experiment(small_config(iterations=5, restarts=3, n_heldout=10))
    assert [r.restart for r in runs] == [0, 1, 2]
    for r, s in zip(runs, rerun):
        np.testing.assert_array_equal(r.theta, s.theta)
    np.testing.assert_array_equal(runs[2].theta0, erm.initial_weights(config.seed, 2))


def test_the_sample_is_xor_with_noise_and_split():
    sample = erm.draw_sample(30, 500, 0.05, seed=0)
    assert sample.x_train.shape == (30, 2) and sample.x_heldout.shape == (500, 2)
    corner = np.round(np.r_[sample.x_train, sample.x_heldout])  # noise 0,05: nearest corner
    labels = np.r_[sample.y_train, sample.y_heldout]
    np.testing.assert_array_equal(labels, corner[:, 0] != corner[:, 1])
    assert 0.4 < labels.mean() < 0.6
    # Neither part depends on the other's size, nor the initial weights on the restarts.
    other = erm.draw_sample(30, 10, 0.05, seed=0)
    np.testing.assert_array_equal(other.x_train, sample.x_train)
    np.testing.assert_array_equal(erm.initial_weights(0, 1)[:4], erm.streams(0, 9)[3].uniform(
        -np.sqrt(1.5), np.sqrt(1.5), size=4))


def test_the_heldout_risk_sits_above_the_empirical_risk_after_training():
    # What the chapter shows: the fitted θ is optimistic on its own sample.
    sample, runs = erm.experiment(small_config(iterations=1000, restarts=4, n_heldout=2000))
    assert all(r.heldout_risk[-1] > r.train_risk[-1] for r in runs)
    table = erm.spread_table(runs)
    assert list(table.index) == ["mediana", "mínimo", "máximo"]
    assert table.loc["mínimo", "diferencia"] > 0
    best = erm.chosen(runs)
    assert best.train_risk[-1] == min(r.train_risk[-1] for r in runs)


def test_risk_against_scale_separates_the_three_risks():
    # The chapter's loss figure: on the corners and on a sample the band separates, the risk
    # falls for ever as k grows; on held-out data with points across the band it turns up.
    sample = erm.draw_sample(20, 2000, 0.2, 0)
    assert erm.accuracy(erm.scaled_thesis_xor(1.0), sample.x_train, sample.y_train) == 1.0
    ks = 2.0 ** np.arange(-1, 7)
    corners, train, held = erm.risk_against_scale(ks, sample)
    assert np.all(np.diff(corners) < 0) and np.all(np.diff(train) < 0)
    best = int(np.argmin(held))
    assert 0 < best < len(ks) - 1 and held[-1] > held[best]
    assert corners[0] == pytest.approx(math.log(1 + math.exp(-0.25)))


@pytest.mark.parametrize("overrides, message", [
    ({"n_train": 0}, "n_train must be a positive integer"),
    ({"iterations": -1}, "iterations must be a positive integer"),
    ({"noise": 0}, "noise must be a positive number"),
    ({"learning_rate": -0.1}, "learning_rate must be a positive number"),
    ({"seed": -1}, "seed must be an integer >= 0"),
])
def test_invalid_training_config(overrides, message):
    with pytest.raises(ValueError, match=message):
        get_config("training", "quick", **overrides)


def test_unknown_reduction():
    with pytest.raises(ValueError, match="valid: mean, sum"):
        erm.empirical_risk(np.zeros(9), F.XOR_X, F.XOR_Y, "median")


def test_training_numbers_name_every_quoted_value():
    config = small_config(iterations=300, restarts=3)
    sample, runs = erm.experiment(config)
    numbers = erm.training_numbers(config, runs)
    best = erm.chosen(runs)
    assert numbers["erm_chosen"] == str(best.restart)
    assert numbers["erm_restarts"] == "3" and numbers["erm_iterations"] == "300"
    assert int(numbers["erm_best_step"]) == best.best_heldout_step
    assert all("." not in text for text in numbers.values())  # the decimal comma
