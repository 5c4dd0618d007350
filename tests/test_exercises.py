"""The exercises that close each chapter (issue 31): every answer that
``thesis_lib.report.exercises`` computes is checked against an independent reference (a hand
calculation written out here, a closed form, a simulation, SciPy, Keras or a second
implementation), and every chapter of ``CHAPTERS_WITH_EXERCISES`` ends with «Ideas clave» and
«Ejercicios» in the book's one format:

- ``## Ideas clave``: 3 to 6 bullets, one sentence each;
- ``## Ejercicios``: 3 to 6 numbered exercises, each with exactly one collapsed
  ``:::{dropdown} Respuesta`` (a numeric answer: it pastes at least one ``{glue:text}`ej_…```
  that the chapter's hidden cell defines, and does not also type a glued number, unless the
  question itself states it) or
  ``:::{dropdown} Explicación`` (an argument; it may paste numbers too);
- both sections are the chapter's last, before its links to the claims ledger when it has them;
- a page with code has at least one numeric exercise and one that changes a parameter
  («Cambie …»); the glue cell is hidden (``remove-cell``).
"""

import inspect
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from thesis_lib.formatting import NBSP, THIN, num
from thesis_lib.report import exercises
from thesis_lib.report.exercises import conclusions, gan, neural, practice

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

# The chapters that end with key ideas and exercises (extend it as chapters get theirs).
CHAPTERS_WITH_EXERCISES = [
    "01-introduccion",
    "02-0-antecedentes",
    "02-1-perceptron",
    "02-2-redes-prealimentadas",
    "02-3-entrenamiento",
    "02-4-regularizacion",
    "02-5-backpropagacion",
    "02-6-convolucion",
    "03-1-juego-gan",
    "03-2-desafios",
    "03-3-0-medir-gan",
    "03-3-variantes",
    "04-0-keras-mnist",
    "04-1-clasificadores",
    "04-2-dcgan",
    "05-conclusiones",
    "06-apendice-optimizacion",
]


# --- chapter 02-0 -----------------------------------------------------------------------------

def test_random_top5_error_is_the_hypergeometric_miss():
    # the correct category is one of 1000; drawing 5 without replacement misses it with the
    # hypergeometric probability of 0 successes
    assert neural.random_top_k_error(5, 1000) == pytest.approx(stats.hypergeom(1000, 1, 5).pmf(0))
    assert neural.random_top_k_error(1, 1000) == pytest.approx(0.999)
    with pytest.raises(ValueError):
        neural.random_top_k_error(0, 1000)


def test_parameter_counts_match_keras_layers():
    import keras
    dense = keras.layers.Dense(7)
    dense.build((None, 13))
    assert neural.dense_parameters(13, 7) == dense.count_params() == 13 * 7 + 7
    conv = keras.layers.Conv2D(5, 3)
    conv.build((None, 9, 9, 4))
    assert neural.conv_parameters(3, 4, 5) == conv.count_params() == (3 * 3 * 4 + 1) * 5
    # the exercise's two layers, by hand
    assert neural.dense_parameters(224 * 224 * 3, 4096) == 616_566_784
    assert neural.conv_parameters(11, 3, 96) == 34_944


def test_antecedentes_answers_by_hand():
    a = exercises.answers("02-0-antecedentes")
    assert a["ej_hist_drop_winners"] == f"56,9{NBSP}%"   # 1 − 6,6/15,3 = 0,5686
    assert a["ej_hist_drop_stated"] == f"74,7{NBSP}%"    # 1 − 6,6/26,1 = 0,7471
    assert a["ej_hist_random_ratio"] == "6,5"             # 99,5/15,3 = 6,50


# --- chapter 02-1 -----------------------------------------------------------------------------

def _perceptron_by_hand(X, y, rate, bias, weights):
    """A second implementation of the rule (exact fractions, one pass per epoch until an epoch
    without change)."""
    rate, b, w = Fraction(str(rate)), Fraction(str(bias)), [Fraction(str(v)) for v in weights]
    epochs = 0
    while True:
        epochs += 1
        changed = False
        for x, target in zip(X, y):
            y_hat = 1 if b + sum(wj * int(xj) for wj, xj in zip(w, x)) >= 0 else 0
            if y_hat != target:
                d = rate * (int(target) - y_hat)
                b += d
                w = [wj + d * int(xj) for wj, xj in zip(w, x)]
                changed = True
        if not changed:
            return epochs, float(b), tuple(float(v) for v in w)


def test_or_by_hand_and_the_two_rates():
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    result = neural.perceptron_run(neural.OR_Y, 1.0)
    assert (result.epochs, result.bias, result.weights) == \
        _perceptron_by_hand(X, [0, 1, 1, 1], 1, 0, (0, 0)) == (4, -1.0, (1.0, 1.0))
    assert neural.points_on_line(result) == 2  # (0, 1) and (1, 0): −1 + 1 = 0
    slow = neural.perceptron_run([0, 0, 0, 1], 0.1, 1.0, (1.0, 1.0))
    assert (slow.epochs, slow.bias, slow.weights) == \
        _perceptron_by_hand(X, [0, 0, 0, 1], 0.1, 1, (1, 1))


def test_from_zero_the_rate_only_scales_the_line():
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    runs = {rate: _perceptron_by_hand(X, [0, 0, 0, 1], rate, 0, (0, 0)) for rate in (0.1, 0.3, 1)}
    assert len({r[0] for r in runs.values()}) == 1
    for rate, (epochs, b, w) in runs.items():
        ours = neural.perceptron_run([0, 0, 0, 1], rate)
        assert ours.epochs == epochs
        assert np.allclose([ours.bias, *ours.weights], rate * np.array([runs[1][1], *runs[1][2]]))


def test_no_line_separates_xor_and_one_error_is_reachable():
    from scipy.optimize import linprog
    # a separating line with margin 1 would solve: −b ≥ 1 at (0,0), b + w2 ≥ 1 at (0,1),
    # b + w1 ≥ 1 at (1,0), −(b + w1 + w2) ≥ 1 at (1,1); the LP is infeasible
    a_ub = -np.array([[-1, 0, 0], [1, 0, 1], [1, 1, 0], [-1, -1, -1]], dtype=float)
    lp = linprog(np.zeros(3), A_ub=a_ub, b_ub=-np.ones(4), bounds=[(None, None)] * 3)
    assert lp.status == 2  # infeasible
    fewest, reaching, tried = neural.best_line_errors()
    assert (fewest, tried) == (1, 9 ** 3) and 0 < reaching < tried
    # the exercise's line x1 + x2 − 0,5 = 0 gets (1, 1) wrong only: z = 1,5 there
    assert exercises.answers("02-1-perceptron")["ej_perc_xor_line_errors"] == "1"


# --- chapter 02-2 -----------------------------------------------------------------------------

def test_thesis_network_is_a_tent_in_the_sum():
    points = np.array([[0.5, 0.5], [2.0, 0.0], [0.5, 0.0], [0, 0], [0, 1], [1, 0], [1, 1]])
    s = points.sum(axis=1)
    tent = np.maximum(s, 0) - 2 * np.maximum(s - 1, 0)
    assert np.allclose(neural.thesis_xor_outputs(points), tent)
    assert np.allclose(tent[:3], [1.0, 0.0, 0.5])


def test_sigmoid_derivative_peaks_at_a_quarter():
    assert neural.sigmoid_derivative_max() == pytest.approx(0.25, abs=1e-6)


def test_dead_at_init_against_a_simulation():
    rng = np.random.default_rng(0)
    width, nets = 4, 20_000
    limit = math.sqrt(6 / (2 + width))  # Glorot uniform, 2 inputs
    w = rng.uniform(-limit, limit, size=(nets, 2, width))
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    pre = np.einsum("pi,niw->npw", corners, w)  # zero biases
    dead = np.all(pre <= 0, axis=1)              # (nets, width)
    expected = neural.dead_at_init(width)
    se = math.sqrt(expected["any"] * (1 - expected["any"]) / nets)
    assert abs(dead.any(axis=1).mean() - expected["any"]) < 4 * se
    assert expected["unit"] == 0.25 and expected["all"] == pytest.approx(0.25 ** 4)
    assert neural.dead_at_init(2)["any"] == pytest.approx(7 / 16)


# --- chapter 02-3 -----------------------------------------------------------------------------

def test_corner_risk_closed_form():
    for k in (0.5, 2.0, 4.0, 30.0):
        assert neural.corner_risk(k) == pytest.approx(math.log1p(math.exp(-k / 2)))


def test_bayes_error_against_the_bayes_rule_by_simulation():
    from thesis_lib.nn import erm
    rng = np.random.default_rng(1)
    for noise in (0.2, 0.4):
        x, y = erm.noisy_xor(400_000, noise, rng)
        g = stats.norm(0, noise).pdf
        # the Bayes rule straight from the class densities (each a mixture of two corners)
        p1 = g(x[:, 0]) * g(x[:, 1] - 1) + g(x[:, 0] - 1) * g(x[:, 1])
        p0 = g(x[:, 0]) * g(x[:, 1]) + g(x[:, 0] - 1) * g(x[:, 1] - 1)
        error = np.mean((p1 > p0) != (y == 1))
        e = neural.bayes_error(noise)
        assert abs(error - e) < 4 * math.sqrt(e * (1 - e) / len(y))


def test_wrong_side_points_are_binomial():
    e = neural.bayes_error(0.2)
    for n in (20, 200):
        got = neural.wrong_side_points(n, 0.2)
        assert got["expected"] == pytest.approx(stats.binom(n, e).mean())
        assert got["at_least_one"] == pytest.approx(stats.binom(n, e).sf(0))


# --- chapter 02-4 -----------------------------------------------------------------------------

def test_l2_and_l1_exercises_by_hand():
    a = exercises.answers("02-4-regularizacion")
    # diagonal H: each coordinate times λ/(λ + α): 4/5 and 0,25/1,25
    assert (a["ej_reg_l2_w1"], a["ej_reg_l2_w2"]) == ("0,80", "0,20")
    # thresholds λ/H = 0,5 and 2: 0,8 − 0,5 = 0,3; |−1,5| ≤ 2 → 0
    assert (a["ej_reg_l1_w1"], a["ej_reg_l1_w2"]) == ("0,30", "0,00")


def test_batches_to_cover_closed_form():
    for fraction, momentum in ((0.5, 0.99), (0.99, 0.99), (0.99, 0.9), (0.9, 0.5)):
        closed = math.ceil(math.log(1 - fraction) / math.log(momentum) - 1e-12)
        assert neural.batches_to_cover(fraction, momentum) == closed
    assert neural.batches_to_cover(0.99, 0.99) == 459  # the chapter's «unos 460»


def test_inverted_dropout_moments_against_keras():
    import keras
    rate = 0.25
    out = keras.ops.convert_to_numpy(
        keras.layers.Dropout(rate, seed=3)(np.ones((2000, 200), "float32"), training=True))
    d = neural.inverted_dropout(rate)
    assert np.unique(out).max() == pytest.approx(d["scale"], rel=1e-6)
    assert out.mean() == pytest.approx(d["mean"], abs=0.01)
    assert out.var() == pytest.approx(d["variance"], rel=0.03)
    assert d["variance"] == pytest.approx(rate / (1 - rate))


# --- chapter 02-5 -----------------------------------------------------------------------------

def test_thesis_graph_at_the_exercise_points_by_hand():
    # x = 1, y = −4, z = −2: v = −3, u = 6 > 0, f = 6; ∂f/∂x = ∂f/∂y = z, ∂f/∂z = v
    assert neural.thesis_graph_gradient(1.0, -4.0, -2.0) == {"f": 6, "dx": -2, "dy": -2, "dz": -3}
    # z = −2 at the chapter's point: u = −2 < 0, the ReLU is off
    assert neural.thesis_graph_gradient(-2.0, 3.0, -2.0) == {"f": 0, "dx": 0, "dy": 0, "dz": 0}


def test_small_network_step_by_hand_and_by_finite_differences():
    step = neural.small_network_step(0.05)
    # forward: h1 = relu(0,5 + 0,5) = 1, h2 = relu(1 − 2) = 0, ŷ = 2, L = ½
    # backward: ∂L/∂ŷ = 1; ∂L/∂v = h = (1, 0); ∂L/∂w1 = v1·x = (2, 4); ∂L/∂w2 = 0
    assert step["before"] == 0.5
    assert [step[k] for k in ("v1", "v2", "w11", "w12", "w21", "w22")] == [1, 0, 2, 4, 0, 0]
    # after the step: w1 = (0,4; 0,05), v1 = 1,95: h1 = 0,5, ŷ = 0,975, L = ½ · 0,025²
    assert step["after"] == pytest.approx(0.5 * 0.025 ** 2)

    def loss(p):
        w, v = p[:4].reshape(2, 2), p[4:]
        h = np.maximum(w @ np.array([1.0, 2.0]), 0)
        return 0.5 * (v @ h - 1.0) ** 2
    p0 = np.array([0.5, 0.25, 1.0, -1.0, 2.0, 1.0])
    fd = [(loss(p0 + e) - loss(p0 - e)) / 2e-6 for e in 1e-6 * np.eye(6)]
    assert np.allclose(fd, [step[k] for k in ("w11", "w12", "w21", "w22", "v1", "v2")], atol=1e-6)


def test_finite_differences_beside_the_kink():
    kink = neural.kink_finite_difference(1e-7, 1e-6)
    # f(x + h) = 2(10⁻⁷ + 10⁻⁶), f(x − h) = 0: (2,2 · 10⁻⁶)/(2 · 10⁻⁶) = 1,1
    assert kink == {"autodiff": 2.0, "finite": pytest.approx(1.1, rel=1e-6)}
    assert neural.finite_difference_evaluations(118_282) == 236_564


# --- chapter 02-6 -----------------------------------------------------------------------------

def _positions(n, k, stride, padding):
    return len(range(0, n + 2 * padding - k + 1, stride))


def test_output_sizes_by_counting_window_starts():
    a = exercises.answers("02-6-convolucion")
    assert a["ej_conv_size_k5"] == str(_positions(28, 5, 2, 2)) == "14"
    assert a["ej_conv_size_k3"] == str(_positions(28, 3, 2, 0)) == "13"
    assert a["ej_conv_size_7"] == str(_positions(14, 3, 2, 1)) == "7"
    # windows start at 0, 2, …, 24 and end at 26: the last row and column are never covered
    assert a["ej_conv_unvisited"] == str(28 + 28 - 1)


def test_visits_with_stride_two_by_hand():
    a = exercises.answers("02-6-convolucion")
    # windows start at 0 and 2 on each axis: the middle row and column are covered twice
    assert (a["ej_conv_visit_center"], a["ej_conv_visit_once"], a["ej_conv_visit_never"]) == \
        ("4", "16", "0")


def test_transposed_convolution_with_stride_two_by_hand():
    from thesis_lib.nn import convolution
    out = convolution.conv_transpose2d(neural.EX_TCONV_INPUT, neural.EX_TCONV_KERNEL, stride=2)
    expected = np.array([[1, 2, 2, 4], [2, 1, 4, 2], [3, 6, 4, 8], [6, 3, 8, 4]], dtype=float)
    assert np.array_equal(out, expected)
    assert out.sum() == neural.EX_TCONV_INPUT.sum() * neural.EX_TCONV_KERNEL.sum()


def test_central_overlaps_from_the_one_dimensional_count():
    def one_d(n_in, k, s):
        size = (n_in - 1) * s + k
        return np.array([sum(0 <= i - s * j < k for j in range(n_in)) for i in range(size)])
    for k, s in ((3, 2), (4, 2), (5, 2), (6, 2), (6, 3)):
        counts = np.outer(one_d(4, k, s), one_d(4, k, s))
        m = k - s
        expected = sorted({int(v) for v in counts[m:len(counts) - m, m:len(counts) - m].ravel()})
        assert neural.central_overlaps(k, s) == expected
    assert neural.central_overlaps(6, 2) == [9] and neural.central_overlaps(4, 2) == [4]
    assert len(neural.central_overlaps(5, 2)) > 1


# --- chapter 06 -------------------------------------------------------------------------------

def test_stable_rate_and_slow_coordinate():
    assert neural.largest_stable_rate([1.0, 50.0]) == 0.04
    # |x_t| = 0,965^t ≤ 10⁻³ first at t = ⌈log 10⁻³ / log 0,965⌉
    assert neural.steps_to_shrink(1.0, 0.035) == math.ceil(math.log(1e-3) / math.log(0.965))
    a = exercises.answers("06-apendice-optimizacion")
    assert (a["ej_opt_eig_low"], a["ej_opt_eig_high"], a["ej_opt_kind"]) == ("−1", "5", "punto silla")


def test_adam_first_step_closed_forms():
    eps, delta = 1e-3, 1e-7
    for g in (1e3, 1e-3, 1e-4):
        assert neural.adam_first_step(g, eps, delta, "outside") == \
            pytest.approx(eps * g / (g + delta))
        assert neural.adam_first_step(g, eps, delta, "inside") == \
            pytest.approx(eps * g / math.sqrt(g * g + delta))


def test_momentum_settles_at_one_over_one_minus_beta():
    for beta in (0.5, 0.9):
        assert neural.momentum_speedup(beta) == pytest.approx(1 / (1 - beta))


# --- chapter 03-1 -----------------------------------------------------------------------------

def test_optimal_discriminator_at_the_exercise_points():
    norm = stats.norm
    for x in (2.0, 0.0):
        p_data = 0.5 * norm.pdf(x, -2, 0.5) + 0.5 * norm.pdf(x, 2, 0.5)
        p_g = norm.pdf(x, 0.5, 1.5)
        assert gan.optimal_d_at([x])[0] == pytest.approx(p_data / (p_data + p_g))
    a = exercises.answers("03-1-juego-gan")
    assert a["ej_game_dstar2"] == "0,712"


def test_equilibrium_value_is_minus_log_four():
    assert gan.equilibrium_value() == pytest.approx(-math.log(4), abs=1e-8)


def test_uniform_divergences_closed_forms():
    for shift in (0.25, 0.5, 1.0, 3.0):
        d = gan.uniform_divergences(shift)
        assert d["jsd"] == pytest.approx(math.log(2) * min(shift, 1.0), abs=1e-3)
        assert d["w1"] == pytest.approx(shift, abs=1e-3)


def test_generator_logit_gradients_by_finite_differences():
    a = math.log(0.01 / 0.99)  # D = σ(a) = 0,01
    sig = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    h = 1e-6
    minimax = (math.log(1 - sig(a + h)) - math.log(1 - sig(a - h))) / (2 * h)
    ns = (-math.log(sig(a + h)) + math.log(sig(a - h))) / (2 * h)
    got = exercises.answers("03-1-juego-gan")
    assert got["ej_game_grad_minimax"] == num(minimax, 2)
    assert got["ej_game_grad_ns"] == num(ns, 2)
    assert got["ej_game_grad_ratio"] == num(round(ns / minimax))


# --- chapter 03-3-0 ---------------------------------------------------------------------------

def test_gaussian_frechet_closed_form_and_against_the_sample_metric():
    from thesis_lib.evaluation import metrics
    assert gan.gaussian_frechet(0.0, 1.0, 1.0, 4.0) == pytest.approx((0 - 1) ** 2 + (1 - 2) ** 2)
    for d in (2, 64):
        assert gan.gaussian_frechet(np.zeros(d), np.eye(d) / 4, np.zeros(d), np.eye(d)) == \
            pytest.approx(d / 4)
    # the book's sample metric on large samples with the same moments (independent draws)
    rng = np.random.default_rng(0)
    mean_a, cov_a = np.array([0.0, 1.0]), np.array([[1.0, 0.3], [0.3, 0.5]])
    mean_b, cov_b = np.array([0.5, 0.0]), np.array([[2.0, -0.2], [-0.2, 1.0]])
    a = rng.multivariate_normal(mean_a, cov_a, 200_000)
    b = rng.multivariate_normal(mean_b, cov_b, 200_000)
    assert metrics.frechet_distance(a, b) == \
        pytest.approx(gan.gaussian_frechet(mean_a, cov_a, mean_b, cov_b), abs=0.02)


def test_mnist_score_cases_closed_form():
    # exp(H(p(y)) − mean H(p(y|x))): log 10 − 0, log 5 − 0, log 10 − log 10, 0 − 0
    expected = {"diez": 10.0, "cinco": 5.0, "dudosa": 1.0, "un_digito": 1.0}
    for case, value in expected.items():
        assert gan.mnist_score_of(case) == pytest.approx(value, rel=1e-6)
    with pytest.raises(ValueError):
        gan.mnist_score_of("otro")


def test_expected_coverage_against_a_simulation():
    from thesis_lib.evaluation import manifold
    rng = np.random.default_rng(0)
    for k in (1, 3):
        real, fake = rng.normal(size=(3000, 2)), rng.normal(size=(3000, 2))
        got = manifold.prdc(real, fake, k)["coverage"]
        assert got == pytest.approx(gan.expected_coverage(k), abs=0.03)


def test_two_point_extrapolation_by_hand():
    # 5 = d + c/1000, 2 = d + c/4000: c (1/1000 − 1/4000) = 3, c = 4000, d = 1
    fit = gan.two_point_fd_infinity((1000, 4000), (5.0, 2.0))
    assert fit["fd_inf"] == pytest.approx(1.0) and fit["slope"] == pytest.approx(4000.0)


# --- chapter 04-0 -----------------------------------------------------------------------------

def test_chi_square_tests_against_scipy():
    counts_a = np.array([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    counts_b = np.array([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    ours = practice.chi_square_uniform(counts_a)
    ref = stats.chisquare(counts_a)
    assert ours["statistic"] == pytest.approx(ref.statistic)
    assert ours["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)
    ours = practice.chi_square_homogeneity(counts_a, counts_b)
    ref = stats.chi2_contingency(np.array([counts_a, counts_b]), correction=False)
    assert ours["statistic"] == pytest.approx(ref.statistic)
    assert ours["p_value"] == pytest.approx(ref.pvalue)
    assert ours["dof"] == ref.dof == 9


def test_guessing_and_ink_by_hand():
    train, test = np.array([0, 0, 0, 1]), np.array([0, 1])
    assert practice.guessing_accuracy(train, test) == pytest.approx(0.75 * 0.5 + 0.25 * 0.5)
    images = np.zeros((2, 3, 3), dtype=np.uint8)
    images[0, 0, :] = (10, 128, 255)
    images[1, 1, 1] = 127
    assert practice.inked_per_image(images, 0) == 2.0
    assert practice.inked_per_image(images, 127) == 1.0


def test_keras_mnist_answers_on_the_real_data(mnist):
    a = exercises.answers("04-0-keras-mnist", mnist=mnist)
    assert a["ej_mnist_bytes"] == num(70_000 * 28 * 28)
    assert a["ej_mnist_always5"] == f"8,92{NBSP}%"  # 892 fives among the 10 000 test images
    assert a["ej_mnist_chi2_dof"] == "9"


# --- chapter 04-1 -----------------------------------------------------------------------------

def test_cnn_parameters_by_hand():
    def by_hand(filters):
        side = ((28 - 2) // 2 - 2) // 2  # conv 3×3, pool 2, conv 3×3, pool 2: 26, 13, 11, 5
        return ((3 * 3 * 1 + 1) * 64 + (3 * 3 * 64 + 1) * filters
                + (side * side * filters + 1) * 64 + (64 + 1) * 10)
    assert practice.cnn_parameters(128) == by_hand(128) == 280_010
    assert practice.cnn_parameters(64) == by_hand(64) == 140_682  # the thesis's prose variant
    assert practice.cnn_parameters(32) == by_hand(32)
    sizes = [s[1][0] for s in practice.cnn_shapes() if len(s[1]) == 3]
    assert sizes == [26, 13, 11, 5]


def test_precision_recall_f1_of_the_invented_matrix_by_hand():
    a = exercises.answers("04-1-clasificadores")
    precision, recall = 90 / (9 + 13 + 90), 90 / (6 + 4 + 90)
    assert a["ej_clf_prec9"] == num(precision, 3)
    assert a["ej_clf_rec9"] == num(recall, 3)
    assert a["ej_clf_f19"] == num(2 * precision * recall / (precision + recall), 3)
    assert a["ej_clf_acc"] == f"88,3{NBSP}%"  # (90 + 85 + 90)/300


def test_accuracy_interval_is_wilsons_formula():
    z = stats.norm.ppf(0.975)
    for acc in (0.993, 0.976):
        n = 10_000
        centre = (acc + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(acc * (1 - acc) / n + z * z / (4 * n * n))
        low, high = practice.accuracy_interval(acc, n)
        assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-9)


# --- chapter 03-3 -----------------------------------------------------------------------------

def test_kantorovich_dual_against_scipy_and_total_variation():
    from scipy.spatial.distance import jensenshannon
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(size=6)
        p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
        # the primal, by scipy: W₁ as transport on the line
        assert gan.kantorovich_dual(x, p, q) == \
            pytest.approx(stats.wasserstein_distance(x, x, p, q), abs=1e-7)
        assert gan.kantorovich_dual(x, p, q, "values") == pytest.approx(np.abs(p - q).sum())
        # scipy's Jensen–Shannon distance is the square root of the divergence (natural log)
        assert gan.discrete_jsd(p, q) == pytest.approx(jensenshannon(p, q) ** 2)
    with pytest.raises(ValueError):
        gan.kantorovich_dual(x, p, q, "otro")


def test_point_masses_closed_forms():
    for theta in (1.0, 4.0, -3.0, 0.5):
        d = gan.point_mass_distances(theta)
        assert d["w1"] == pytest.approx(0.5 * abs(theta) + 0.5 * abs(theta - 2), abs=1e-7)
        assert d["values"] == pytest.approx(2.0) and d["jsd"] == pytest.approx(math.log(2))
    a = exercises.answers("03-3-variantes")
    assert (a["ej_var_w1_near"], a["ej_var_w1_far"], a["ej_var_w1_slope"]) == ("1", "3", "1")


def test_clipped_bound_is_reached_by_the_toy_critic():
    from thesis_lib.studies.toy import critic, networks
    c = 0.01
    # the all-c matrices' spectral norms, by hand: c·√(mn) for each of the four layers
    assert gan.clipped_lipschitz_bound(c) == pytest.approx(c ** 4 * 128 ** 3 * math.sqrt(2))
    assert gan.clipped_lipschitz_bound(0.1) == pytest.approx(1e4 * gan.clipped_lipschitz_bound(c))
    assert gan.clipped_lipschitz_bound(gan.clip_for_bound(1.0)) == pytest.approx(1.0)
    net = networks.mlp((2,), (128, 128, 128), 1, "linear", 0.2, "critic")
    assert [w.shape[0] for w in net.weights if len(w.shape) == 2] + [1] == \
        list(gan.TOY_CRITIC_WIDTHS)
    for w in net.weights:  # every kernel entry at +c: reaches the bound where inputs are positive
        w.assign(np.full(w.shape, c if len(w.shape) == 2 else 0.0, dtype="float32"))
    grad = critic.critic_input_gradients(net, np.array([[5.0, 5.0]], dtype="float32"))
    assert np.linalg.norm(grad) == pytest.approx(gan.clipped_lipschitz_bound(c), rel=1e-5)
    rng = np.random.default_rng(0)  # random clipped weights stay below it everywhere
    for w in net.weights:
        w.assign(rng.uniform(-c, c, size=w.shape).astype("float32"))
    points = rng.normal(scale=3, size=(500, 2)).astype("float32")
    norms = np.linalg.norm(critic.critic_input_gradients(net, points), axis=1)
    assert norms.max() <= gan.clipped_lipschitz_bound(c)


def test_linear_critic_penalty_closed_form():
    for norm in (0.0, 0.5, 1.5, 3.0):
        assert gan.linear_critic_penalty(norm) == pytest.approx(10 * (norm - 1) ** 2, abs=1e-4)
    assert gan.linear_critic_penalty(2.0, gp_weight=1.0) == pytest.approx(1.0, abs=1e-5)
    a = exercises.answers("03-3-variantes")
    assert a["ej_var_gp_05"] == a["ej_var_gp_15"] == "2,5"


def test_categorical_code_information_is_the_channel_mutual_information():
    for values, accuracy in ((10, 0.95), (10, 0.5), (4, 0.8)):
        wrong = (1 - accuracy) / (values - 1)
        joint = np.full((values, values), wrong / values)
        np.fill_diagonal(joint, accuracy / values)
        row, col = joint.sum(axis=1, keepdims=True), joint.sum(axis=0, keepdims=True)
        mutual = float(np.sum(joint * np.log(joint / (row * col))))
        assert gan.categorical_code_information(accuracy, values) == pytest.approx(mutual)
    assert gan.categorical_code_information(1.0) == pytest.approx(math.log(10))
    assert gan.categorical_code_information(0.1) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        gan.categorical_code_information(0.0)


# --- chapter 04-2 -----------------------------------------------------------------------------

def test_dcgan_generator_parameters_against_keras():
    from thesis_lib.models import dcgan
    for latent_dim in (50, 100, 200):
        counts = practice.dcgan_generator_parameters(latent_dim)
        model = dcgan.generator(latent_dim)
        layers = [layer.count_params() for layer in model.layers if layer.count_params()]
        assert layers == [counts["dense"], counts["tconv"], counts["tconv"], counts["out"]]
        assert model.count_params() == counts["total"]
    assert practice.dcgan_generator_parameters()["total"] == 1_164_289  # the thesis's total
    assert practice.dcgan_generator_parameters()["dense"] == 100 * 6272 + 6272


def test_transposed_output_sizes_against_keras():
    import keras
    for n in (7, 16):
        for padding in ("same", "valid"):
            layer = keras.layers.Conv2DTranspose(1, 4, strides=2, padding=padding)
            side = layer.compute_output_shape((None, n, n, 1))[1]
            assert practice.transposed_output_size(n, 4, 2, padding) == side
    a = exercises.answers("04-2-dcgan")
    assert (a["ej_dcgan_valid1"], a["ej_dcgan_valid2"]) == ("16", "34")


def test_dcgan_epoch_by_hand():
    assert practice.dcgan_epoch(256) == {"steps": 60_000 // 256, "real": 234 * 128}
    assert practice.dcgan_epoch(128) == {"steps": 60_000 // 128, "real": 468 * 64}


def test_midpoint_norms_against_the_chi_distribution():
    norms = practice.midpoint_norms()
    median = stats.chi(100).median()
    # (z_a + z_b)/2 ~ N(0, I/2): its norm is a χ₁₀₀ divided by √2
    assert norms["point"] == pytest.approx(median, abs=0.1)
    assert norms["linear"] == pytest.approx(median / math.sqrt(2), abs=0.1)
    assert norms["slerp"] == pytest.approx(median, abs=0.1)


def test_inside_midpoint_against_the_incomplete_gamma():
    from scipy.special import gammainc
    assert practice.inside_midpoint(2) == pytest.approx(1 - math.exp(-0.5))
    # P(χ²_k ≤ x) = P(k/2, x/2), the regularised lower incomplete gamma
    assert practice.inside_midpoint(100) == pytest.approx(gammainc(50, 25), rel=1e-9)


def test_expected_minimum_against_a_simulation():
    assert practice.expected_minimum(1) == pytest.approx(0.0, abs=1e-9)
    assert practice.expected_minimum(2) == pytest.approx(-1 / math.sqrt(math.pi))
    rng = np.random.default_rng(0)
    for n in (10, 100):
        draws = rng.normal(size=(20_000, n)).min(axis=1)
        assert practice.expected_minimum(n) == \
            pytest.approx(draws.mean(), abs=4 * draws.std() / math.sqrt(len(draws)))


# --- chapter 05 -------------------------------------------------------------------------------

def test_student_quantiles_against_the_table():
    table = {2: 12.706, 3: 4.303, 5: 2.776, 10: 2.262}  # t₀,₉₇₅ with n − 1 degrees of freedom
    for n, q in table.items():
        assert conclusions.student_quantile(n) == pytest.approx(q, abs=1e-3)
        assert conclusions.student_half_width(n) == pytest.approx(q / math.sqrt(n), abs=1e-3)


def test_paired_and_welch_intervals_against_scipy():
    alone, gan_ = np.array(conclusions.EX_ALONE), np.array(conclusions.EX_GAN)
    paired = conclusions.paired_interval(alone, gan_)
    ref = stats.ttest_rel(gan_, alone).confidence_interval()
    assert (paired["low"], paired["high"]) == pytest.approx((ref.low, ref.high))
    welch = conclusions.welch_interval(alone, gan_)
    ref = stats.ttest_ind(gan_, alone, equal_var=False).confidence_interval()
    assert (welch["low"], welch["high"]) == pytest.approx((ref.low, ref.high))
    assert paired["low"] > 0 > welch["low"]  # the exercise's point


def test_wilson_half_width_and_the_test_set_size():
    from thesis_lib import intervals
    for k, n in ((993, 1000), (9930, 10_000), (60, 100)):
        low, high = intervals.wilson(k, n)
        assert conclusions.wilson_half_width(k / n, n) == pytest.approx((high - low) / 2)
    n = conclusions.items_for_half_width(0.993, 0.0005)
    assert conclusions.wilson_half_width(0.993, n) <= 0.0005 < \
        conclusions.wilson_half_width(0.993, n - 1)
    normal = stats.norm.ppf(0.975) ** 2 * 0.993 * 0.007 / 0.0005 ** 2  # the normal approximation
    assert n == pytest.approx(normal, rel=0.01)


def test_real_views_by_hand():
    views = conclusions.real_views()
    assert views == {"design2": 300 * 64, "design1_gan": 300 * 32, "synthetic": 300 * 64,
                     "per_image_100": 300 * 64 // 100}


def test_selection_advantage_against_a_simulation():
    rng = np.random.default_rng(0)
    best = rng.binomial(2000, 0.9, size=(20_000, 50)).max(axis=1) / 2000
    assert conclusions.selection_advantage(50, 2000, 0.9) == \
        pytest.approx(best.mean() - 0.9, abs=0.001)


# --- the registry -----------------------------------------------------------------------------

def test_answers_registry_names_and_errors():
    for stem in exercises.CHAPTERS:
        assert (CHAPTERS / f"{stem}.ipynb").exists(), stem
    with pytest.raises(ValueError, match="no exercise answers"):
        exercises.answers("99-no-existe")


# --- the chapters' closing sections -----------------------------------------------------------

GLUE = re.compile(r"\{glue:(?:text|md|any)\}`([^`:]+)(?::[^`]*)?`")
DROPDOWN = re.compile(r"^\s*:::\{dropdown\}\s*(.*)$", re.M)
TOGGLES = re.compile(r"\{toggle\}|:class:\s*dropdown|```\{admonition\}")


def page(stem: str) -> tuple[str, list[dict]]:
    """A chapter's prose (markdown cells joined, or the .md page) and its code cells."""
    path = CHAPTERS / f"{stem}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        prose = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        return prose, [c for c in cells if c["cell_type"] == "code"]
    return (CHAPTERS / f"{stem}.md").read_text(encoding="utf-8"), []


def sections(prose: str) -> list[tuple[str, str]]:
    """The level-2 sections of a page: (heading, body)."""
    parts = re.split(r"^## (.+)$", prose, flags=re.M)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def items(body: str) -> list[str]:
    """The top-level numbered items of a section, each with its indented lines."""
    found = re.split(r"^(?=\d+\. )", body, flags=re.M)
    return [f for f in found if re.match(r"\d+\. ", f)]


def bullets(body: str) -> list[str]:
    return [" ".join(b.split()) for b in re.split(r"^- ", body, flags=re.M)[1:]]


def closing_problems(prose: str, defined: dict[str, str] | None, has_code: bool) -> list[str]:
    """What is wrong with a page's «Ideas clave» and «Ejercicios» (empty when nothing is).
    ``defined`` maps the glue names the page's code defines to their texts."""
    problems = []
    heads = [h for h, _ in sections(prose)]
    tail = heads[-3:] if heads and heads[-1] == "En el registro de afirmaciones" else heads[-2:] + [None]
    if tail[:2] != ["Ideas clave", "Ejercicios"]:
        return [f"the last sections are {heads[-3:]}, not «Ideas clave» and «Ejercicios» "
                f"(before the ledger links, if any)"]
    body = dict(sections(prose))
    ideas = bullets(body["Ideas clave"])
    if not 3 <= len(ideas) <= 6:
        problems.append(f"{len(ideas)} key ideas (3 to 6)")
    for idea in ideas:
        if not idea.endswith(".") or re.search(r"[.!?] [A-ZÁÉÍÓÚ¿¡]", idea[:-1]):
            problems.append(f"key idea is not one sentence: {idea[:60]}…")
    listed = items(body["Ejercicios"])
    if not 3 <= len(listed) <= 6:
        problems.append(f"{len(listed)} exercises (3 to 6)")
    if [int(re.match(r"\d+", i).group()) for i in listed] != list(range(1, len(listed) + 1)):
        problems.append("exercises are not numbered 1, 2, 3, …")
    if TOGGLES.search(body["Ejercicios"]):
        problems.append("answers use another toggle than :::{dropdown}")
    numeric = 0
    for n, item in enumerate(listed, start=1):
        kinds = DROPDOWN.findall(item)
        if len(kinds) != 1 or kinds[0].strip() not in ("Respuesta", "Explicación") \
                or len(re.findall(r"^\s*:::\s*$", item, re.M)) != 1:
            problems.append(f"exercise {n}: needs one :::{{dropdown}} Respuesta or Explicación")
            continue
        question = item[:DROPDOWN.search(item).start()].replace(THIN, " ").replace(NBSP, " ")
        toggle = item[DROPDOWN.search(item).end():]
        names = GLUE.findall(item)
        if names and defined is None:
            problems.append(f"exercise {n}: a page without code cannot glue {names}")
        for name in names:
            if defined is not None and name not in defined:
                problems.append(f"exercise {n}: glue {name!r} is not defined by the page's code")
        if kinds[0].strip() == "Respuesta":
            numeric += 1
            pasted = GLUE.findall(toggle)
            if not pasted:
                problems.append(f"exercise {n}: a Respuesta must paste its numbers with glue")
            typed = GLUE.sub("", toggle).replace(THIN, " ").replace(NBSP, " ")
            for name in pasted:
                text = (defined or {}).get(name, "").replace(THIN, " ").replace(NBSP, " ")
                if sum(c.isdigit() for c in text) >= 2 and text not in question and (
                        re.search(rf"(?<![\d,]){re.escape(text)}(?![\d,])", typed)
                        or text.replace(",", "{,}") in typed):
                    problems.append(f"exercise {n}: the glued answer {text!r} is also typed")
    if has_code and not numeric:
        problems.append("no numeric exercise (a Respuesta with glued numbers)")
    if has_code and not any(re.search(r"\b[Cc]ambie\b", i) for i in listed):
        problems.append("no exercise changes a parameter («Cambie …»)")
    return problems


def defined_names(stem: str, code_cells: list[dict], request) -> dict[str, str] | None:
    """The glue names a page's code defines, with their texts: those of
    ``exercises.answers(stem)`` when a hidden cell calls it, and literal ``glue("name", …)``."""
    if not code_cells:
        return None
    names = {}
    for cell in code_cells:
        source = "".join(cell["source"])
        if f'exercises.answers("{stem}"' in source:
            assert "remove-cell" in cell["metadata"].get("tags", []), \
                f"{stem}: the cell that glues the answers must be hidden (remove-cell)"
            function = exercises.CHAPTERS[stem]
            inputs = {"mnist": request.getfixturevalue("mnist")} \
                if "mnist" in inspect.signature(function).parameters else {}
            names.update(exercises.answers(stem, **inputs))
        names.update({n: "" for n in re.findall(r'\bglue\(\s*f?"([^"{]+)"', source)})
    return names


@pytest.mark.parametrize("stem", CHAPTERS_WITH_EXERCISES)
def test_chapter_ends_with_key_ideas_and_exercises(stem, request):
    prose, code_cells = page(stem)
    problems = closing_problems(prose, defined_names(stem, code_cells, request), bool(code_cells))
    assert not problems, f"{stem}: " + "; ".join(problems)


GOOD = """## Algo

Texto.

## Ideas clave

- Una idea.
- Otra idea, con una coma.
- Una tercera.

## Ejercicios

1. **Uno.** Calcule algo.

   :::{dropdown} Respuesta
   Vale {glue:text}`ej_a`.
   :::

2. **Dos.** Cambie el parámetro y explique.

   :::{dropdown} Explicación
   Porque sí.
   :::

3. **Tres.** Otra cuenta.

   :::{dropdown} Respuesta
   Da {glue:text}`ej_b` por eje.
   :::
"""


def test_the_closing_checker_can_fail():
    defined = {"ej_a": "12,5", "ej_b": "3"}
    assert closing_problems(GOOD, defined, True) == []
    assert closing_problems(GOOD + "\n## Más\n\nTexto.\n", defined, True)  # not last
    assert closing_problems(GOOD.replace("Vale {glue:text}`ej_a`", "Vale 12,5"), defined, True)
    assert closing_problems(GOOD.replace("Vale {glue:text}`ej_a`.", "Vale {glue:text}`ej_a` (12,5)."),
                            defined, True)  # typed as well as glued
    assert closing_problems(GOOD, {"ej_b": "3"}, True)  # ej_a is not defined
    assert closing_problems(GOOD.replace(":::{dropdown} Explicación", "```{toggle}"), defined, True)
    assert closing_problems(GOOD.replace("- Una tercera.\n", ""), defined, True)  # 2 ideas
    assert closing_problems(GOOD.replace("- Una idea.", "- Una idea. Y otra."), defined, True)
    assert closing_problems(GOOD.replace("Cambie", "Calcule"), defined, True)
    assert closing_problems(GOOD, None, False)  # a page without code cannot glue
    ledger = GOOD + "\n## En el registro de afirmaciones\n\nEnlaces.\n"
    assert closing_problems(ledger, defined, True) == []


def test_exercise_numbers_are_spanish():
    # every glued answer is Spanish-formatted: no decimal point between digits
    for stem in exercises.CHAPTERS:
        if stem == "04-0-keras-mnist":
            continue  # needs MNIST: test_keras_mnist_answers_on_the_real_data
        for name, text in exercises.answers(stem).items():
            assert not re.search(r"\d\.\d", text), f"{stem}: {name} = {text!r}"
            assert "-" not in text or not re.search(r"-\d", text), f"{stem}: {name} = {text!r}"


def test_uniform_divergences_against_quadrature():
    # the W₁ of two unit uniforms by quadrature of |F − G|, a second route
    for shift in (0.5, 3.0):
        w1, _ = integrate.quad(lambda t: abs(np.clip(t, 0, 1) - np.clip(t - shift, 0, 1)),
                               -1, shift + 2, points=[0, 1, shift, shift + 1])
        assert gan.uniform_divergences(shift)["w1"] == pytest.approx(w1, abs=1e-4)
