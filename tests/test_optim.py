"""thesis_lib.nn.optim: gradient descent regimes, Adam against Keras, numerical gradients (§6)."""

import keras
import numpy as np
import pytest

from thesis_lib import formatting
from thesis_lib.nn import optim

SMALL = np.array([1e-4, 1e-3])  # tiny gradients, so where δ goes matters


def small_grad(x):
    return SMALL * x


@pytest.mark.parametrize("lr, regime", [(0.1, "converges"), (0.9, "converges"),
                                        (1.0, "oscillates"), (1.1, "diverges")])
def test_gradient_descent_regimes_on_x_squared(lr, regime):
    xs = optim.gradient_descent(lambda x: 2 * x, 1.0, lr, 50)
    factor = 1 - 2 * lr  # x_{t+1} = (1 - 2η) x_t exactly
    np.testing.assert_allclose(xs, factor ** np.arange(51))
    last = abs(xs[-1])
    assert {"converges": last < 1e-4, "oscillates": last == 1.0, "diverges": last > 100}[regime]


@pytest.mark.parametrize("lr, regime", [(0.1, "converge"), (0.5, "converge"),
                                        (0.9, "converge oscilando"), (1.0, "rebota sin fin"),
                                        (1.1, "diverge")])
def test_quadratic_regime_names_what_the_iterates_do(lr, regime):
    assert optim.quadratic_regime(lr) == regime
    xs = optim.gradient_descent(lambda x: 2 * x, 1.0, lr, 40)
    signs = np.sign(xs[1:6])
    oscillates = bool(np.all(signs[1:] * signs[:-1] < 0))
    assert oscillates == (regime != "converge")
    assert (abs(xs[-1]) < 1e-3) == regime.startswith("converge")


def test_quadratic_regime_rejects_non_positive_steps():
    with pytest.raises(ValueError, match="positive"):
        optim.quadratic_regime(0.0)


def test_adam_first_step_is_learning_rate_sized():
    # With δ → 0 the first Adam step is ε·sign(g) whatever the gradient's size.
    xs = optim.adam(lambda x: np.array([1e-3, 50.0]), np.zeros(2), 0.01, 1, delta=0.0,
                    placement="outside")
    np.testing.assert_allclose(xs[1], [-0.01, -0.01])


def test_keras_adam_matches_the_keras_placement_only():
    x0 = np.array([1.0, -2.0])
    theirs = optim.keras_trajectory(keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-7),
                                    small_grad, x0, 300)
    gaps = {p: np.abs(optim.adam(small_grad, x0, 0.01, 300, delta=1e-7, placement=p)
                      - theirs).max() for p in optim.PLACEMENTS}
    assert gaps["keras"] < 2e-5           # float32 round-off only
    assert gaps["outside"] > 1e-3         # δ vs δ/√(1 − ρ₂ᵗ) early on
    assert gaps["inside"] > 1e-1          # √(r̂ + δ) damps tiny gradients hard


def test_inside_and_outside_agree_when_gradients_are_large():
    grad = lambda x: np.array([3.0, 40.0]) * x  # noqa: E731
    a = optim.adam(grad, [1.0, 1.0], 0.01, 100, placement="inside")
    b = optim.adam(grad, [1.0, 1.0], 0.01, 100, placement="outside")
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_momentum_matches_keras_sgd():
    grad = lambda x: np.array([1.0, 50.0]) * x  # noqa: E731
    ours = optim.momentum(grad, [1.0, 1.0], 0.01, 60, beta=0.9)
    theirs = optim.keras_trajectory(keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                                    grad, [1.0, 1.0], 60)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_numerical_gradient_of_rosenbrock():
    f = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2  # noqa: E731
    analytic = lambda p: np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2),  # noqa: E731
                                   200 * (p[1] - p[0] ** 2)])
    for p in ([0.3, -0.7], [1.2, 1.0], [-1.5, 2.0]):
        np.testing.assert_allclose(optim.numerical_gradient(f, p), analytic(np.array(p)),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("hessian, kind", [([[2, 0], [0, 2]], "mínimo"),
                                           ([[-2, 0], [0, -2]], "máximo"),
                                           ([[2, 0], [0, -2]], "punto silla")])
def test_critical_points(hessian, kind):
    assert optim.classify_critical_point(hessian) == kind


def test_bad_arguments():
    with pytest.raises(ValueError, match="inside, outside, keras"):
        optim.adam(small_grad, [1.0, 1.0], placement="middle")
    with pytest.raises(ValueError, match="steps"):
        optim.gradient_descent(small_grad, [1.0], 0.1, -1)


@pytest.mark.parametrize("x, sig, text", [(0.0013, 3, "1,30 · 10⁻³"), (1.8e-4, 3, "1,80 · 10⁻⁴"),
                                          (0.1, 1, "1 · 10⁻¹"), (1e-5, 1, "1 · 10⁻⁵"),
                                          (0.553, 1, "6 · 10⁻¹"), (-2.5e7, 2, "−2,5 · 10⁷"),
                                          (9.96e-4, 2, "1,0 · 10⁻³")])
def test_scientific_keeps_one_notation_and_sig_digits(x, sig, text):
    assert formatting.sci(x, sig) == text.replace(" · ", "\u00a0·\u00a0")
