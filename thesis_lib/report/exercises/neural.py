"""Answers to the exercises of part 2 (neural networks, thesis §2.1–2.6) and of the appendix
(thesis §6.1–6.2).

Each exercise's number is computed here, from the same engine the chapter uses
(:mod:`thesis_lib.nn`) or from first principles, and a chapter pastes it with ``glue``: the
answers are never typed into the prose. The raw functions return numbers (tested against
independent references in ``tests/test_exercises.py``); the per-chapter functions at the end of
each section return the Spanish texts the chapter glues, keyed by glue name (``ej_…``).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from thesis_lib.formatting import num, pct, sci
from thesis_lib.models import classifiers
from thesis_lib.nn import autodiff, convolution, erm, feedforward, optim, regularization, xor
from thesis_lib.nn import perceptron as P
from thesis_lib.profiles import PerceptronConfig
from thesis_lib.report import ilsvrc

# --- §2.1 Antecedentes (chapter 02-0) ---------------------------------------------------------


def random_top_k_error(k: int = 5, classes: int = 1000) -> float:
    """Expected top-k error of a participant who proposes ``k`` distinct categories at random
    out of ``classes``: the correct one is missed with probability 1 − k/classes (§2.1, the
    ILSVRC's top-5 error)."""
    if not 1 <= k <= classes:
        raise ValueError(f"k must lie between 1 and classes ({classes}), got {k}.")
    return 1.0 - k / classes


def relative_drop(before: float, after: float) -> float:
    """The fraction by which an error went down: 1 − after/before."""
    return 1.0 - after / before


def dense_parameters(n_in: int, n_out: int, bias: bool = True) -> int:
    """Weights (and biases) of a dense layer from ``n_in`` inputs to ``n_out`` units."""
    return n_in * n_out + (n_out if bias else 0)


def conv_parameters(k: int, channels_in: int, filters: int, bias: bool = True) -> int:
    """Parameters of a convolution with ``filters`` filters of k × k × ``channels_in`` (§2.6:
    the weights are shared across positions, so the image size does not enter)."""
    return (k * k * channels_in + (1 if bias else 0)) * filters


def antecedentes_answers() -> dict[str, str]:
    """Chapter 02-0: the top-5 error of random guesses, the relative drop between the tables'
    winners, and the parameters of a dense layer against a convolution on a 224 × 224 photo."""
    arith = ilsvrc.arithmetic()
    dense = dense_parameters(224 * 224 * 3, 4096)
    conv = conv_parameters(11, 3, 96)
    return {
        "ej_hist_random5": pct(random_top_k_error(5, 1000), 1),
        "ej_hist_random1": pct(random_top_k_error(1, 1000), 1),
        "ej_hist_random_ratio": num(random_top_k_error(5, 1000) / (arith.winner_2012 / 100), 1),
        "ej_hist_drop_winners": pct(relative_drop(arith.winner_2012, arith.winner_2014), 1),
        "ej_hist_drop_stated": pct(relative_drop(arith.runner_up_2012, arith.winner_2014), 1),
        "ej_hist_dense_params": num(dense),
        "ej_hist_conv_params": num(conv),
        "ej_hist_params_ratio": num(round(dense / conv)),
    }


# --- §2.1 El perceptrón (chapter 02-1) --------------------------------------------------------

OR_Y = np.array([0, 1, 1, 1])


def perceptron_run(y, learning_rate: float, bias: float = 0.0, weights=(0.0, 0.0),
                   X=P.AND_X) -> P.PerceptronResult:
    """The perceptron rule (exact arithmetic) on the four points of ``X`` with targets ``y``,
    from the given start: the chapter's engine, :class:`thesis_lib.nn.perceptron.Perceptron`."""
    return P.Perceptron(learning_rate, bias, weights).fit(X, y)


def best_line_errors(grid=np.arange(-2.0, 2.01, 0.5), y=P.XOR_Y) -> tuple[int, int, int]:
    """The fewest XOR points any line b + w₁x₁ + w₂x₂ = 0 with b, w₁, w₂ on ``grid`` gets
    wrong, how many of those lines reach it, and how many lines were tried."""
    errors = [len(P.misclassified(b, (w1, w2), P.AND_X, y))
              for b in grid for w1 in grid for w2 in grid]
    fewest = min(errors)
    return fewest, errors.count(fewest), len(errors)


def points_on_line(result: P.PerceptronResult, X=P.AND_X) -> int:
    """How many of the points ``X`` lie exactly on the final line (z = 0, exact arithmetic):
    the step function sends them to class 1 only because it uses ≥."""
    unit = P.Perceptron(1, result.bias, result.weights)
    return sum(unit.decision(x) == 0 for x in np.asarray(X))


def _line(result: P.PerceptronResult) -> dict[str, str]:
    return {"b": num(result.bias), "w1": num(result.weights[0]), "w2": num(result.weights[1])}


def perceptron_answers() -> dict[str, str]:
    """Chapter 02-1: OR by hand, the thesis's AND start with η = 0,1, the zero start for
    three rates, and the fewest errors of a line on XOR."""
    out = {}
    by_hand = perceptron_run(OR_Y, 1.0)
    out["ej_perc_or_epochs"] = num(by_hand.epochs)
    out["ej_perc_or_ties"] = num(points_on_line(by_hand))
    out.update({f"ej_perc_or_{k}": v for k, v in _line(by_hand).items()})
    thesis = PerceptronConfig()
    slow = perceptron_run(P.AND_Y, 0.1, thesis.initial_bias, thesis.initial_weights)
    out["ej_perc_eta01_epochs"] = num(slow.epochs)
    out.update({f"ej_perc_eta01_{k}": v for k, v in _line(slow).items()})
    for name, rate in (("01", 0.1), ("03", 0.3), ("1", 1.0)):
        zero = perceptron_run(P.AND_Y, rate)
        out[f"ej_perc_zero{name}_epochs"] = num(zero.epochs)
        out.update({f"ej_perc_zero{name}_{k}": v for k, v in _line(zero).items()})
    out["ej_perc_xor_line_errors"] = num(len(P.misclassified(-0.5, (1.0, 1.0))))
    fewest, reaching, tried = best_line_errors()
    out["ej_perc_xor_fewest"] = num(fewest)
    out["ej_perc_xor_reaching"] = num(reaching)
    out["ej_perc_xor_tried"] = num(tried)
    return out


# --- §2.2 Redes prealimentadas (chapter 02-2) -------------------------------------------------

def thesis_xor_outputs(points) -> np.ndarray:
    """The output of the thesis's hand-built XOR network (§2.2) at each of ``points``."""
    return xor.xor_forward(**xor.THESIS_XOR, X=np.asarray(points, dtype=float))[2]


def sigmoid_derivative_max(grid=np.linspace(-6, 6, 1201)) -> float:
    """The largest derivative of the sigmoid on ``grid``, by the chapter's automatic
    differentiation (:func:`thesis_lib.nn.feedforward.activation_curves` through Keras); the
    closed form says ¼, at 0."""
    return float(feedforward.activation_curves(grid)["sigmoide"][1].max())


def dead_at_init(width: int, inputs: int = 2) -> dict[str, float]:
    """For a ReLU layer of ``width`` units with zero biases and weights drawn from a symmetric
    continuous distribution (Glorot uniform), on XOR: a unit is dead on all four points iff all
    its ``inputs`` weights are ≤ 0, probability 2^−inputs. Returns the chance that at least one
    unit and that every unit is dead (§2.2)."""
    p = 0.5 ** inputs
    return {"unit": p, "any": 1 - (1 - p) ** width, "all": p ** width}


def feedforward_answers() -> dict[str, str]:
    """Chapter 02-2: the thesis's network off the data, the sigmoid's bound through 20 layers,
    and dead units at initialization for two widths."""
    middle, far, half = thesis_xor_outputs([[0.5, 0.5], [2.0, 0.0], [0.5, 0.0]])
    top = sigmoid_derivative_max()
    out = {"ej_ff_out_middle": num(middle), "ej_ff_out_far": num(far),
           "ej_ff_out_half": num(half), "ej_ff_sigmoid_max": num(top, 4),
           "ej_ff_sigmoid_bound": sci(top ** 19, 2)}
    for width in (2, 4):
        dead = dead_at_init(width)
        out[f"ej_ff_dead_any{width}"] = pct(dead["any"], 1)
        out[f"ej_ff_dead_all{width}"] = pct(dead["all"], 2)
    return out


# --- §2.3 Entrenamiento (chapter 02-3) --------------------------------------------------------

def corner_risk(k: float) -> float:
    """Mean cross-entropy, on the four XOR corners, of the thesis's XOR weights with the output
    layer scaled by ``k`` (:func:`thesis_lib.nn.erm.scaled_thesis_xor`)."""
    return erm.empirical_risk(erm.scaled_thesis_xor(k), erm.XOR_X, erm.XOR_Y)


def bayes_error(noise: float) -> float:
    """The smallest possible error on the chapter's noisy XOR (corners equally likely, N(0,
    noise²) on each coordinate). Comparing p(x | y = 1) with p(x | y = 0), the Gaussian's
    product form factors the difference as (g(x₁) − g(x₁ − 1))(g(x₂ − 1) − g(x₂)), so the best
    rule is "class 1 iff exactly one coordinate exceeds ½", which errs iff exactly one
    coordinate crossed ½: 2q(1 − q) with q = P(N(0, noise²) > ½)."""
    q = stats.norm.sf(0.5 / noise)
    return float(2 * q * (1 - q))


def wrong_side_points(n: int, noise: float) -> dict[str, float]:
    """In a sample of ``n`` points, the expected number on the wrong side of the best boundary
    and the probability that at least one is."""
    e = bayes_error(noise)
    return {"expected": n * e, "at_least_one": 1 - (1 - e) ** n}


def training_answers() -> dict[str, str]:
    """Chapter 02-3: a corner risk by hand, the Bayes error for two noise levels, and how many
    training points fall on the wrong side of it for two sample sizes."""
    out = {"ej_erm_risk_k4": num(corner_risk(4.0), 4)}
    for name, noise in (("02", 0.2), ("04", 0.4)):
        out[f"ej_erm_bayes{name}"] = pct(bayes_error(noise), 2)
        out[f"ej_erm_best_acc{name}"] = pct(1 - bayes_error(noise), 2)
    for n in (20, 200):
        wrong = wrong_side_points(n, 0.2)
        out[f"ej_erm_wrong_expected{n}"] = num(wrong["expected"], 2)
        out[f"ej_erm_wrong_any{n}"] = pct(wrong["at_least_one"], 0)
    return out


# --- §2.4 Regularización (chapter 02-4) -------------------------------------------------------

EX_L2_H = np.diag([4.0, 0.25])
EX_L2_W = np.array([1.0, 1.0])
EX_L2_ALPHA = 1.0
EX_L1_H = np.array([2.0, 0.5])
EX_L1_W = np.array([0.8, -1.5])
EX_L1_LAMBDA = 1.0


def batches_to_cover(fraction: float, momentum: float) -> int:
    """How many batches Keras' moving average (:func:`thesis_lib.nn.regularization.moving_average`,
    from 0, every batch with the same statistic) needs to cover ``fraction`` of the way."""
    if not 0 < fraction < 1 or not 0 < momentum < 1:
        raise ValueError("fraction and momentum must lie strictly between 0 and 1.")
    batches = 0
    m = 0.0
    while m < fraction:
        m = float(regularization.moving_average([1.0], momentum=momentum, initial=m))
        batches += 1
    return batches


def inverted_dropout(rate: float) -> dict[str, float]:
    """Inverted dropout on a unit worth 1: it keeps it with probability 1 − rate and then
    multiplies it by 1/(1 − rate). The kept value, the mean and the variance of the output."""
    if not 0 <= rate < 1:
        raise ValueError(f"rate must lie in [0, 1), got {rate!r}.")
    keep = 1 - rate
    scale = 1 / keep
    mean = keep * scale
    return {"scale": scale, "mean": mean, "variance": keep * scale ** 2 - mean ** 2}


def regularization_answers() -> dict[str, str]:
    """Chapter 02-4: an L2 minimiser and an L1 minimiser by hand, moving averages of batch
    normalization, and the moments of inverted dropout."""
    l2 = regularization.l2_optimum(EX_L2_H, EX_L2_W, EX_L2_ALPHA)
    l1 = regularization.l1_optimum(EX_L1_H, EX_L1_W, EX_L1_LAMBDA)
    out = {"ej_reg_l2_w1": num(l2[0], 2), "ej_reg_l2_w2": num(l2[1], 2),
           "ej_reg_l1_w1": num(l1[0], 2), "ej_reg_l1_w2": num(l1[1], 2),
           "ej_reg_bn_099_50": num(batches_to_cover(0.5, 0.99)),
           "ej_reg_bn_09_99": num(batches_to_cover(0.99, 0.9)),
           "ej_reg_bn_099_99": num(batches_to_cover(0.99, 0.99))}
    for name, rate in (("05", 0.5), ("025", 0.25)):
        d = inverted_dropout(rate)
        out[f"ej_reg_drop{name}_scale"] = num(d["scale"], 3)
        out[f"ej_reg_drop{name}_var"] = num(d["variance"], 3)
    return out


# --- §2.5 Propagación hacia atrás (chapter 02-5) ----------------------------------------------

EX_NET = {"x": (1.0, 2.0), "y": 1.0, "w": ((0.5, 0.25), (1.0, -1.0)), "v": (2.0, 1.0)}


def thesis_graph_gradient(x: float, y: float, z: float) -> dict[str, float]:
    """f = max((x + y) z, 0) and its gradient by the chapter's autodiff
    (:func:`thesis_lib.nn.autodiff.thesis_graph`)."""
    f, nodes = autodiff.thesis_graph(x, y, z)
    f.backward()
    return {"f": f.value, **{f"d{name}": nodes[name].grad for name in "xyz"}}


def small_network(x=EX_NET["x"], y=EX_NET["y"], w=EX_NET["w"], v=EX_NET["v"]):
    """A 2-2-1 network, ŷ = v₁ ReLU(w₁·x) + v₂ ReLU(w₂·x), with loss L = ½(ŷ − y)², built from
    :class:`thesis_lib.nn.autodiff.Scalar` and differentiated by its backward pass. Returns the
    loss and the Scalars of the weights (their ``grad`` filled in)."""
    ws = [[autodiff.Scalar(w[i][j], name=f"w{i + 1}{j + 1}") for j in range(2)] for i in range(2)]
    vs = [autodiff.Scalar(v[i], name=f"v{i + 1}") for i in range(2)]
    hidden = [(ws[i][0] * x[0] + ws[i][1] * x[1]).relu() for i in range(2)]
    out = vs[0] * hidden[0] + vs[1] * hidden[1]
    loss = 0.5 * (out - y) ** 2
    loss.backward()
    return loss, {s.name: s for s in [*ws[0], *ws[1], *vs]}


def small_network_step(learning_rate: float = 0.05) -> dict[str, float]:
    """One gradient-descent step on :func:`small_network`: the loss before, the gradient and
    the loss after."""
    loss, params = small_network()
    grads = {name: p.grad for name, p in params.items()}
    w = tuple(tuple(params[f"w{i}{j}"].value - learning_rate * grads[f"w{i}{j}"]
                    for j in (1, 2)) for i in (1, 2))
    v = tuple(params[f"v{i}"].value - learning_rate * grads[f"v{i}"] for i in (1, 2))
    after, _ = small_network(w=w, v=v)
    return {"before": loss.value, "after": after.value, **grads}


def finite_difference_evaluations(parameters: int) -> int:
    """Loss evaluations that central differences need for one gradient: two per parameter."""
    return 2 * parameters


def kink_finite_difference(offset: float = 1e-7, h: float = 1e-6) -> dict[str, float]:
    """∂f/∂x of the thesis's graph at x = −3 + ``offset``, y = 3, z = 2 (just right of the kink
    u = 0): exact (autodiff) and by central differences with step ``h``."""
    point = [-3.0 + offset, 3.0, 2.0]
    fd = autodiff.finite_differences(lambda x, y, z: max((x + y) * z, 0.0), point, h)
    return {"autodiff": thesis_graph_gradient(*point)["dx"], "finite": fd[0]}


def backpropagation_answers() -> dict[str, str]:
    """Chapter 02-5: the thesis's graph at another point and with z = −2, one step of a 2-2-1
    network by hand, the cost of finite differences on the §4.1 dense network, and finite
    differences beside the kink."""
    out = {}
    for name, point in (("new", (1.0, -4.0, -2.0)), ("zneg", (-2.0, 3.0, -2.0))):
        g = thesis_graph_gradient(*point)
        out.update({f"ej_bp_{name}_{k}": num(v) for k, v in g.items()})
    step = small_network_step(0.05)
    out.update({"ej_bp_net_loss": num(step["before"], 2), "ej_bp_net_after": sci(step["after"], 3),
                "ej_bp_net_dv1": num(step["v1"]), "ej_bp_net_dv2": num(step["v2"]),
                "ej_bp_net_dw11": num(step["w11"]), "ej_bp_net_dw12": num(step["w12"]),
                "ej_bp_net_dw21": num(step["w21"]), "ej_bp_net_dw22": num(step["w22"])})
    params = classifiers.dense_classifier().count_params()
    out["ej_bp_dense_params"] = num(params)
    out["ej_bp_dense_evals"] = num(finite_difference_evaluations(params))
    kink = kink_finite_difference()
    out["ej_bp_kink_exact"] = num(kink["autodiff"])
    out["ej_bp_kink_fd"] = num(kink["finite"], 2)
    return out


# --- §2.6 Convolución (chapter 02-6) ----------------------------------------------------------

EX_TCONV_INPUT = np.array([[1.0, 2.0], [3.0, 4.0]])
EX_TCONV_KERNEL = np.array([[1.0, 2.0], [2.0, 1.0]])


def central_overlaps(k: int, stride: int, input_size: int = 4) -> list[int]:
    """The distinct numbers of input pixels feeding an output pixel of a transposed convolution
    (:func:`thesis_lib.nn.convolution.transpose_overlaps`), away from the borders: at least
    k − stride pixels from each edge, where every filter position that could reach a pixel
    exists."""
    counts = convolution.transpose_overlaps((input_size, input_size), k, stride)
    margin = max(k - stride, 0)
    inner = counts[margin:counts.shape[0] - margin, margin:counts.shape[1] - margin]
    return sorted({int(v) for v in inner.ravel()})


def convolution_answers() -> dict[str, str]:
    """Chapter 02-6: output sizes with stride and padding, parameters of two convolutions
    against a dense layer, visits with stride 2, a transposed convolution with stride 2, and
    the checkerboard for filters of 5 and 6."""
    visits = convolution.visit_counts((5, 5), 3, stride=2)
    mnist_visits = convolution.visit_counts((28, 28), 3, stride=2)
    tconv = convolution.conv_transpose2d(EX_TCONV_INPUT, EX_TCONV_KERNEL, stride=2)
    return {
        "ej_conv_size_k5": num(convolution.output_size(28, 5, stride=2, padding=2)),
        "ej_conv_size_k3": num(convolution.output_size(28, 3, stride=2, padding=0)),
        "ej_conv_size_7": num(convolution.output_size(14, 3, stride=2, padding=1)),
        "ej_conv_unvisited": num(int(np.sum(mnist_visits == 0))),
        "ej_conv_params_1": num(conv_parameters(3, 1, 64)),
        "ej_conv_params_2": num(conv_parameters(3, 64, 128)),
        "ej_conv_params_dense": num(dense_parameters(784, 128)),
        "ej_conv_visit_center": num(int(visits[2, 2])),
        "ej_conv_visit_once": num(int(np.sum(visits == 1))),
        "ej_conv_visit_never": num(int(np.sum(visits == 0))),
        "ej_conv_tconv_size": num(tconv.shape[0]),
        "ej_conv_tconv_pixel": num(tconv[1, 2]),
        "ej_conv_tconv_sum": num(tconv.sum()),
        "ej_conv_overlaps_k5": ", ".join(num(v) for v in central_overlaps(5, 2)[:-1])
        + " y " + num(central_overlaps(5, 2)[-1]),
        "ej_conv_overlaps_k6": ", ".join(num(v) for v in central_overlaps(6, 2)),
    }


# --- §6 Apéndice: descenso por gradiente y Adam (chapter 06) ----------------------------------

EX_CURVATURE = np.array([1.0, 50.0])


def largest_stable_rate(curvatures) -> float:
    """Gradient descent on ½ Σ cᵢ xᵢ² multiplies coordinate i by 1 − η cᵢ: it converges iff
    η < 2 / max cᵢ."""
    return 2.0 / float(np.max(curvatures))


def steps_to_shrink(curvature: float, learning_rate: float, factor: float = 1e-3,
                    limit: int = 100_000) -> int:
    """Steps of :func:`thesis_lib.nn.optim.gradient_descent` on ½ c x² from x₀ = 1 until
    |x_t| ≤ ``factor``."""
    xs = optim.gradient_descent(lambda x: curvature * x, 1.0, learning_rate, limit)
    below = np.flatnonzero(np.abs(xs) <= factor)
    if not below.size:
        raise ValueError("gradient descent does not get there within the limit.")
    return int(below[0])


def adam_first_step(gradient: float, learning_rate: float = 1e-3, delta: float = 1e-7,
                    placement: str = "outside") -> float:
    """The size of Adam's first step (:func:`thesis_lib.nn.optim.adam`) on a loss whose
    gradient is constant, ``gradient``."""
    path = optim.adam(lambda x: np.full_like(x, gradient), np.zeros(1), learning_rate, 1,
                      delta=delta, placement=placement)
    return float(abs(path[1, 0] - path[0, 0]))


def momentum_speedup(beta: float = 0.9, steps: int = 300) -> float:
    """With a constant gradient, heavy-ball momentum's step settles at η g / (1 − β): the last
    step of :func:`thesis_lib.nn.optim.momentum` divided by plain gradient descent's."""
    path = optim.momentum(lambda x: np.ones_like(x), np.zeros(1), 1.0, steps, beta=beta)
    return float(abs(path[-1, 0] - path[-2, 0]))


def optimization_answers() -> dict[str, str]:
    """Appendix: the stable rates of the ill-conditioned quadratic and how slowly x converges,
    a saddle point, Adam's first step with δ inside and outside the root, momentum's speed-up
    and the ill-conditioned problem with a rate above the limit."""
    hessian = np.array([[2.0, 3.0], [3.0, 2.0]])
    eig = np.linalg.eigvalsh(hessian)
    quadratic = lambda p: 0.5 * float(np.sum(EX_CURVATURE * p ** 2))  # noqa: E731
    too_fast = optim.gradient_descent(lambda p: EX_CURVATURE * p, np.array([-1.8, 0.9]),
                                      0.045, 100)
    return {
        "ej_opt_limit": num(largest_stable_rate(EX_CURVATURE), 2),
        "ej_opt_factor_x": num(1 - 0.035 * EX_CURVATURE[0], 3),
        "ej_opt_factor_y": num(1 - 0.035 * EX_CURVATURE[1], 2),
        "ej_opt_steps_x": num(steps_to_shrink(EX_CURVATURE[0], 0.035)),
        "ej_opt_eig_low": num(eig[0], 0), "ej_opt_eig_high": num(eig[1], 0),
        "ej_opt_kind": optim.classify_critical_point(hessian),
        "ej_opt_adam_big": sci(adam_first_step(1e3), 3),
        "ej_opt_adam_small": sci(adam_first_step(1e-3), 3),
        "ej_opt_adam_inside": sci(adam_first_step(1e-4, placement="inside"), 3),
        "ej_opt_adam_outside": sci(adam_first_step(1e-4, placement="outside"), 3),
        "ej_opt_momentum": num(momentum_speedup(0.9), 2),
        "ej_opt_fast_factor": num(1 - 0.045 * EX_CURVATURE[1], 2),
        "ej_opt_fast_loss": sci(quadratic(too_fast[-1]), 2),
    }
