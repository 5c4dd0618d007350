"""thesis_lib.nn.perceptron against the thesis's hand-worked AND table (§2.1) and XOR."""

from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from thesis_lib.nn import perceptron as P
from thesis_lib.profiles import get_config


@pytest.fixture
def thesis_config():
    return get_config("perceptron", "quick")


def test_and_trace_equals_the_thesis_table(thesis_config):
    result = P.train(P.AND_X, P.AND_Y, thesis_config)
    assert list(result.trace.columns) == list(P.THESIS_AND_TRACE.columns)
    np.testing.assert_allclose(result.trace.to_numpy(float),
                               P.THESIS_AND_TRACE.to_numpy(float), rtol=0, atol=1e-12)
    assert P.matches_thesis_table(result.trace)
    assert result.converged and result.epochs == 3 and result.cycle is None
    assert result.bias == pytest.approx(-0.8) and result.weights == pytest.approx((0.4, 0.4))
    assert result.errors_per_epoch == [3, 3, 0]


def test_final_line_is_x2_equals_2_minus_x1(thesis_config):
    result = P.train(P.AND_X, P.AND_Y, thesis_config)
    b, (w1, w2) = result.bias, result.weights
    for x1 in (0.0, 0.5, 2.0):  # points of x2 = -x1 + 2 lie on b + w1 x1 + w2 x2 = 0
        assert b + w1 * x1 + w2 * (2 - x1) == pytest.approx(0, abs=1e-12)
    assert P.Perceptron(0.3, b, (w1, w2)).predict(P.AND_X).tolist() == [0, 0, 0, 1]


def test_float_arithmetic_departs_at_the_tie(thesis_config):
    result = P.train(P.AND_X, P.AND_Y, thesis_config, exact=False)
    assert P.first_difference(result.trace) == 7  # row 8: z should be exactly 0
    assert result.trace.z[7] < 0
    assert result.converged and result.epochs == 4
    assert not P.matches_thesis_table(result.trace)


def test_matches_detects_a_single_changed_value(thesis_config):
    trace = P.train(P.AND_X, P.AND_Y, thesis_config).trace.copy()
    trace.loc[5, "w2"] += 0.1
    assert not P.matches_thesis_table(trace)
    assert P.first_difference(trace) == 5


def test_rule_against_a_second_implementation():
    """Random separable problems: a plain-Python loop over Fractions gives the same trace."""
    rng = np.random.default_rng(0)
    X = np.array(list(product([0, 1, 2], repeat=2)))
    for _ in range(20):
        w_true, b_true = rng.integers(-3, 4, size=2), rng.integers(-3, 4)
        y = (X @ w_true + b_true >= 0).astype(int)
        result = P.Perceptron(0.5, 0, (0, 0)).fit(X, y, max_epochs=200)
        b, w, rows = Fraction(0), [Fraction(0), Fraction(0)], []
        for _epoch in range(200):
            changed = False
            for x, t in zip(X, y):
                z = b + w[0] * int(x[0]) + w[1] * int(x[1])
                d = Fraction(1, 2) * (int(t) - (1 if z >= 0 else 0))
                rows.append(float(z))
                if d:
                    changed = True
                    b, w = b + d, [w[0] + d * int(x[0]), w[1] + d * int(x[1])]
            if not changed:
                break
        assert result.converged
        assert result.trace.z.tolist() == rows
        assert (result.bias, result.weights) == (float(b), tuple(map(float, w)))
        assert result.trace.y_hat.tail(len(X)).tolist() == y.tolist()


def test_xor_cycles_and_never_converges(thesis_config):
    result = P.train(P.AND_X, P.XOR_Y, thesis_config)
    assert not result.converged and result.cycle == (7, 1) and result.epochs == 7
    states = P.cycle_steps(result)
    assert len(states) == 4
    assert all(P.misclassified(s[0], s[1:]) for s in states)


@pytest.mark.parametrize("lr, b, w1, w2", [(0.3, 1, 1, 1), (1, 0, 0, 0), (0.1, -0.5, 2, -1)])
def test_xor_never_converges_from_any_start(lr, b, w1, w2):
    result = P.Perceptron(lr, b, (w1, w2)).fit(P.AND_X, P.XOR_Y, max_epochs=10_000)
    assert not result.converged and result.cycle is not None


def test_no_line_separates_xor():
    grid = np.linspace(-2, 2, 21)
    assert all(P.misclassified(b, (w1, w2)) for b, w1, w2 in product(grid, repeat=3))


def test_bad_inputs():
    with pytest.raises(ValueError, match="learning_rate"):
        P.Perceptron(0)
    with pytest.raises(ValueError, match="shape"):
        P.Perceptron().fit(np.zeros((4, 3)), P.AND_Y)
    with pytest.raises(ValueError, match="classes 0 and 1"):
        P.Perceptron().fit(P.AND_X, [0, 2, 0, 1])
    with pytest.raises(ValueError, match="max_epochs"):
        P.Perceptron().fit(P.AND_X, P.AND_Y, max_epochs=0)


def test_cycle_keeps_repeating_when_training_continues(thesis_config):
    result = P.train(P.AND_X, P.XOR_Y, thesis_config, max_epochs=12, stop_at_cycle=False)
    assert result.epochs == 12 and result.cycle == (7, 1) and not result.converged
    assert result.errors_per_epoch[6:] == [4] * 6
    per_epoch = [g.drop(columns="epoch").to_numpy() for _, g in result.trace.groupby("epoch")]
    assert all(np.array_equal(per_epoch[6], e) for e in per_epoch[7:])


def test_trace_table_is_the_thesis_table_in_spanish(thesis_config):
    result = P.train(P.AND_X, P.AND_Y, thesis_config)
    shown = P.trace_table(result.trace)
    assert list(shown.data.columns) == ["época", "x₁", "x₂", "b", "w₁", "w₂", "z", "ŷ", "y",
                                        "Δb", "Δw₁", "Δw₂"]
    assert list(shown.data.index) == list(range(1, 13)) and shown.data.index.name == "paso"
    html = shown.to_html()
    assert "−0,8" in html and "0,4" in html
    assert "0.4" not in html and "-0.8" not in html


def test_describe_reads_as_spanish(thesis_config):
    exact = P.train(P.AND_X, P.AND_Y, thesis_config)
    assert P.describe(exact) == ("Convergió: sí, en 3 épocas\n"
                                 "Parámetros finales: b = −0,8; w₁ = 0,4; w₂ = 0,4")
    floating = P.train(P.AND_X, P.AND_Y, thesis_config, exact=False)
    assert P.describe(floating, sig=15).endswith("w₁ = 0,7; w₂ = 0,4")
    xor = P.train(P.AND_X, P.XOR_Y, thesis_config)
    assert P.describe(xor) == ("Convergió: no\nEl estado al inicio de la época 7 se repite en "
                               "cada época: b = 0,1; w₁ = −0,2; w₂ = 0,1")


def test_cycle_changes_say_which_points_each_xor_step_fixes_and_breaks(thesis_config):
    result = P.train(P.AND_X, P.XOR_Y, thesis_config)
    # Points 0..3 are (0, 0), (0, 1), (1, 0), (1, 1); worked out by hand from the cycle's states
    # b, w1, w2 = (0.1, −0.2, 0.1), (−0.2, −0.2, 0.1), (0.1, −0.2, 0.4), (0.4, 0.1, 0.4).
    assert P.cycle_changes(result) == [(0, [0, 3], [1]), (1, [1], [0, 3]), (2, [2], []),
                                       (3, [], [2])]
    assert P.describe_cycle_changes(result).splitlines() == [
        "Paso 1, punto (0, 0): arregla (0, 0) y (1, 1); estropea (0, 1)",
        "Paso 2, punto (0, 1): arregla (0, 1); estropea (0, 0) y (1, 1)",
        "Paso 3, punto (1, 0): arregla (1, 0); no estropea ninguno",
        "Paso 4, punto (1, 1): no arregla ninguno; estropea (1, 0)"]
    converged = P.train(P.AND_X, P.AND_Y, thesis_config)
    assert P.cycle_changes(converged) == [] and P.describe_cycle_changes(converged) == ""
