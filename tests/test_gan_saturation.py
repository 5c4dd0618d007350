"""The saturation trace of §4.2's tanh finding (thesis_lib.gan.saturation): its measures against
closed forms, and a short trace that runs."""

import numpy as np
import pytest

from thesis_lib.gan import saturation


@pytest.mark.parametrize("output, activation", [
    ("tanh", np.tanh), ("sigmoid", lambda a: 1 / (1 + np.exp(-a)))])
def test_pre_activation_inverts_the_activation(output, activation):
    a = np.linspace(-6, 6, 49)
    np.testing.assert_allclose(saturation.pre_activation(activation(a), output), a, atol=1e-6)


def test_a_pixel_is_saturated_where_the_slope_is_below_one_percent_of_its_largest():
    # tanh' = 1 - tanh² < 0.01 beyond |a| = artanh(sqrt(0.99)) ≈ 2.99; for the sigmoid,
    # 4σ(1 − σ) < 0.01 beyond |a| ≈ 5.99 (σ'(0) = 1/4 is its largest slope)
    bound_tanh = np.arctanh(np.sqrt(0.99))
    p = (1 - np.sqrt(0.99)) / 2
    bound_sigmoid = np.log((1 - p) / p)
    assert bound_tanh == pytest.approx(2.993, abs=1e-3)
    assert bound_sigmoid == pytest.approx(5.986, abs=1e-3)
    a = np.array([-10.0, -bound_tanh - 0.01, -bound_tanh + 0.01, 0.0, bound_tanh + 0.01])
    assert saturation.saturated_share(np.tanh(a), "tanh") == pytest.approx(3 / 5)
    s = 1 / (1 + np.exp(-np.array([-bound_sigmoid - 0.01, -bound_sigmoid + 0.01, 0.0, 7.0])))
    assert saturation.saturated_share(s, "sigmoid") == pytest.approx(2 / 4)


def test_in_float32_tanh_reaches_minus_one_and_its_slope_from_the_output_is_exactly_zero():
    # what TensorFlow, JAX and PyTorch compute for tanh's gradient: 1 - y² from the output y
    a = np.float32(-10.0)
    y = np.tanh(a)
    assert y == np.float32(-1.0) and np.float32(1) - y * y == 0.0
    s = np.float32(1) / (np.float32(1) + np.exp(-a))  # the sigmoid at the same point
    assert s * (np.float32(1) - s) > 4e-5


def test_a_short_trace_records_every_few_steps(mnist):
    rows = saturation.trace("tanh", steps=4, seed=0, every=2, mnist=mnist, train_subset=512)
    assert [r["step"] for r in rows] == [0, 2, 4]
    for row in rows:
        assert 0 <= row["saturated"] <= 1 and 0 <= row["mean_pixel"] <= 1
        assert row["spread"] >= 0 and 0 <= row["d_fake"] <= 1
    assert "g_loss" in rows[-1] and "d_loss" in rows[-1]
