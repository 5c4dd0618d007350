"""Answers to the exercises of part 3 (GANs, thesis §3.1–3.3) and of the page «Cómo se mide una
GAN», computed from the closed forms of :mod:`thesis_lib.studies.toy.theory`, the metrics of
:mod:`thesis_lib.evaluation`, the engine's gradient penalty (:mod:`thesis_lib.gan.losses`) and
first principles (a linear program for the Kantorovich–Rubinstein dual); never typed into the
prose, tested in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, linalg

from thesis_lib.evaluation import gan_scores, metrics
from thesis_lib.formatting import num
from thesis_lib.gan import families, losses
from thesis_lib.studies.toy import theory

# --- §3.1 El juego (chapter 03-1) -------------------------------------------------------------

# The chapter's data and its fixed affine generator, N(0,5; 1,5²).
EX_P_DATA = theory.Mixture1D((-2.0, 2.0), (0.5, 0.5))
EX_P_G = theory.Mixture1D((0.5,), (1.5,))


def optimal_d_at(x, p_data: theory.Mixture1D = EX_P_DATA,
                 p_g: theory.Mixture1D = EX_P_G) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) at the points ``x`` (thesis §3.1, eq. D*),
    through :func:`thesis_lib.studies.toy.theory.optimal_discriminator`."""
    x = np.asarray(x, dtype=float)
    return theory.optimal_discriminator(p_data.pdf(x), p_g.pdf(x))


def equilibrium_value(p: theory.Mixture1D = EX_P_DATA) -> float:
    """V(D, G) with p_g = p_data and D = ½ everywhere, integrated on a grid
    (:func:`thesis_lib.studies.toy.theory.value_function`); the theory says −log 4."""
    x = theory.grid_for(p)
    return theory.value_function(np.full_like(x, 0.5), p.pdf(x), p.pdf(x), x)


def uniform_divergences(shift: float, points: int = 600_001) -> dict[str, float]:
    """JSD and Wasserstein-1 between U(0, 1) and U(shift, shift + 1), on a grid: the JSD by
    the chapter's :func:`thesis_lib.studies.toy.theory.jsd`, W₁ as ∫|F − G| (its 1-D form).
    Closed forms: JSD = log 2 · min(|shift|, 1) and W₁ = |shift|."""
    x = np.linspace(min(0.0, shift) - 1.0, max(1.0, shift + 1.0) + 1.0, points)
    p = ((x >= 0) & (x <= 1)).astype(float)
    q = ((x >= shift) & (x <= shift + 1)).astype(float)
    cdf_p, cdf_q = np.clip(x, 0, 1), np.clip(x - shift, 0, 1)
    return {"jsd": theory.jsd(p, q, x),
            "w1": float(integrate.trapezoid(np.abs(cdf_p - cdf_q), x))}


def game_answers() -> dict[str, str]:
    """Chapter 03-1: D* at two points, the value and the discriminator's loss at equilibrium,
    JSD and W₁ of two uniforms, and the generator's gradient under each cost when D rejects."""
    at_two, at_zero = optimal_d_at([2.0, 0.0])
    value = equilibrium_value()
    out = {"ej_game_dstar2": num(at_two, 3), "ej_game_dstar0": num(at_zero, sig=2),
           "ej_game_pdata2": num(float(EX_P_DATA.pdf(2.0)), 4),
           "ej_game_pg2": num(float(EX_P_G.pdf(2.0)), 4),
           "ej_game_value": num(value, 4), "ej_game_bce": num(-value / 2, 4)}
    for name, shift in (("half", 0.5), ("three", 3.0)):
        d = uniform_divergences(shift)
        out[f"ej_game_jsd_{name}"] = num(d["jsd"], 3)
        out[f"ej_game_w1_{name}"] = num(d["w1"], 2)
    grads = theory.generator_logit_gradients(0.01)
    out["ej_game_grad_minimax"] = num(float(grads["minimax"]), 2)
    out["ej_game_grad_ns"] = num(float(grads["non_saturating"]), 2)
    out["ej_game_grad_ratio"] = num(float(grads["non_saturating"] / grads["minimax"]))
    return out


# --- «Cómo se mide una GAN» (chapter 03-3-0) ---------------------------------------------------

def gaussian_frechet(mean_a, cov_a, mean_b, cov_b) -> float:
    """The Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b), from the moments:
    ‖μa − μb‖² + tr(Σa + Σb − 2(ΣaΣb)^½) (the formula :func:`thesis_lib.evaluation.metrics.
    frechet_distance` applies to the moments it estimates from two samples)."""
    mean_a, mean_b = np.atleast_1d(np.asarray(mean_a, float)), np.atleast_1d(np.asarray(mean_b, float))
    cov_a, cov_b = np.atleast_2d(np.asarray(cov_a, float)), np.atleast_2d(np.asarray(cov_b, float))
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def mnist_score_of(case: str, images: int = 1000) -> float:
    """The MNIST score (:func:`thesis_lib.evaluation.metrics.mnist_score`, one split) of an
    invented evaluator output: ``"diez"`` (each image one digit for sure, the ten equally
    often), ``"cinco"`` (the same with five digits), ``"dudosa"`` (every image 0,1 on each
    digit) or ``"un_digito"`` (every image the same digit, for sure)."""
    probs = np.zeros((images, 10))
    if case == "diez":
        probs[np.arange(images), np.arange(images) % 10] = 1.0
    elif case == "cinco":
        probs[np.arange(images), np.arange(images) % 5] = 1.0
    elif case == "dudosa":
        probs[:] = 0.1
    elif case == "un_digito":
        probs[:, 7] = 1.0
    else:
        raise ValueError(f"unknown case {case!r}; use diez, cinco, dudosa or un_digito.")
    return metrics.mnist_score(probs, splits=1)[0]


def expected_coverage(k: int) -> float:
    """Coverage of a generator that samples the real distribution, with as many generated as
    real items: a real item's ball (radius: its k-th nearest real neighbour) holds no generated
    item iff its k nearest neighbours in the pooled sample are all real, probability about
    2^−k (each neighbour is real or generated with chance ½). So 1 − 2^−k."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    return 1.0 - 0.5 ** k


def two_point_fd_infinity(sizes=(1000, 4000), values=(5.0, 2.0)) -> dict[str, float]:
    """The line d_F(N) = d_F∞ + c/N through two measurements, by the book's own fit
    (:func:`thesis_lib.evaluation.gan_scores.fd_infinity`)."""
    fit = gan_scores.fd_infinity(sizes, values, fit_from=min(sizes))
    return {"fd_inf": fit["fd_inf"], "slope": fit["slope"]}


def measuring_answers() -> dict[str, str]:
    """Chapter 03-3-0: Fréchet distances of Gaussians with the wrong mean or a shrunken
    spread, the MNIST score of four invented outputs, the coverage of a faithful generator and
    the extrapolation d_F∞ from two sizes."""
    out = {"ej_med_fd_1d": num(gaussian_frechet(0.0, 1.0, 1.0, 4.0), 2),
           "ej_med_fd_2d": num(gaussian_frechet(np.zeros(2), 0.25 * np.eye(2),
                                                np.zeros(2), np.eye(2)), 2),
           "ej_med_fd_64d": num(gaussian_frechet(np.zeros(64), 0.25 * np.eye(64),
                                                 np.zeros(64), np.eye(64)), 2)}
    for case in ("diez", "cinco", "dudosa", "un_digito"):
        out[f"ej_med_score_{case}"] = num(mnist_score_of(case), 2)
    for k in (1, 3, 5):
        out[f"ej_med_cov_k{k}"] = num(expected_coverage(k), 3)
    fit = two_point_fd_infinity()
    out["ej_med_fd_inf"] = num(fit["fd_inf"], 2)
    out["ej_med_fd_slope"] = num(fit["slope"], 0)
    return out




# --- §3.3 Variantes (chapter 03-3) ------------------------------------------------------------

def kantorovich_dual(points, p, q, bound: str = "lipschitz") -> float:
    """sup_C Σᵢ C(xᵢ)(pᵢ − qᵢ) over the functions C on a finite set of ``points``, as a linear
    program (:func:`scipy.optimize.linprog`): with ``bound="lipschitz"``,
    |C(xᵢ) − C(xⱼ)| ≤ ‖xᵢ − xⱼ‖ for every pair, the Kantorovich–Rubinstein dual, whose value is
    W₁(p, q) (the chapter's eq-kr); with ``"values"``, |C| ≤ 1, whose value is Σ|pᵢ − qᵢ|, twice
    the total variation distance. ``points``: shape (n,) or (n, d); ``p``, ``q``: the weights
    of two distributions on them."""
    from scipy.optimize import linprog

    x = np.asarray(points, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    gap = np.asarray(p, dtype=float) - np.asarray(q, dtype=float)
    n = len(x)
    if bound == "lipschitz":
        rows, limits = [], []
        for i in range(n):
            for j in range(i + 1, n):
                row = np.zeros(n)
                row[i], row[j] = 1.0, -1.0
                rows += [row, -row]
                limits += [np.linalg.norm(x[i] - x[j])] * 2
        # C is defined up to a constant (the weights of p − q sum to 0): fix C(x₀) = 0
        bounds = [(0.0, 0.0)] + [(None, None)] * (n - 1)
        result = linprog(-gap, A_ub=np.array(rows), b_ub=np.array(limits), bounds=bounds)
    elif bound == "values":
        result = linprog(-gap, bounds=[(-1.0, 1.0)] * n)
    else:
        raise ValueError(f"unknown bound {bound!r}; valid: lipschitz, values.")
    return float(-result.fun)


def discrete_jsd(p, q) -> float:
    """The Jensen–Shannon divergence (nats) of two distributions on the same finite set:
    ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2. log 2 when their supports are disjoint."""
    from scipy.special import xlogy

    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p + q) / 2
    kl = lambda a: float(np.sum(xlogy(a, a) - xlogy(a, np.where(a > 0, m, 1.0))))  # noqa: E731
    return 0.5 * kl(p) + 0.5 * kl(q)


# The exercise's distributions: the data put half their mass at 0 and half at 2; the generator
# puts all of its mass at θ.
EX_ATOMS = (0.0, 2.0)


def point_mass_distances(theta: float) -> dict[str, float]:
    """W₁, the supremum with |C| ≤ 1 and the JSD between the data ½δ₀ + ½δ₂ and a generator
    δ_θ, each from its dual or its definition on the three points."""
    points = [*EX_ATOMS, theta]
    p, q = [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]
    if theta in EX_ATOMS:
        raise ValueError(f"theta must differ from the data's atoms {EX_ATOMS}.")
    return {"w1": kantorovich_dual(points, p, q, "lipschitz"),
            "values": kantorovich_dual(points, p, q, "values"),
            "jsd": discrete_jsd(p, q)}


# The 2-D critic of the chapter (thesis_lib.studies.toy.networks.mlp_gan's defaults): the plane,
# three hidden Dense layers of 128 with LeakyReLU (slope 0,2, so 1-Lipschitz), one score.
TOY_CRITIC_WIDTHS = (2, 128, 128, 128, 1)


def clipped_lipschitz_bound(clip: float, widths=TOY_CRITIC_WIDTHS) -> float:
    """The largest ‖∇ₓC‖ a critic of Dense layers of these ``widths`` and 1-Lipschitz
    activations can have when every weight lies in [−c, c]: ‖∇C‖ ≤ ∏ ‖W_l‖₂, and an m × n matrix
    with entries in [−c, c] has spectral norm at most c·√(mn), which the matrix of all c
    reaches. The bound is attained: with every kernel entry +c the network is linear where the
    inputs are large and positive."""
    if clip <= 0:
        raise ValueError(f"clip must be positive, got {clip!r}.")
    return float(np.prod([np.linalg.norm(np.full((m, n), clip), 2)
                          for m, n in zip(widths[:-1], widths[1:])]))


def clip_for_bound(target: float = 1.0, widths=TOY_CRITIC_WIDTHS) -> float:
    """The clipping constant c whose :func:`clipped_lipschitz_bound` is ``target`` (the bound
    grows as c to the number of layers)."""
    layers = len(widths) - 1
    return float((target / clipped_lipschitz_bound(1.0, widths)) ** (1.0 / layers))


def linear_critic_penalty(norm: float, gp_weight: float | None = None, dim: int = 5,
                          points: int = 8, seed: int = 0) -> float:
    """λ·E(‖∇C(x̂)‖ − 1)² for the linear critic C(x) = w·x with ‖w‖ = ``norm`` (its gradient is
    w at every x̂), computed by the engine's :func:`thesis_lib.gan.losses.gradient_penalty` on
    random real and generated points; λ defaults to the WGAN-GP recipe's (10)."""
    from keras import ops

    weight = families.FAMILIES["wasserstein_gp"].gp_weight if gp_weight is None else gp_weight
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=dim)
    w = ops.convert_to_tensor((norm * direction / np.linalg.norm(direction))[:, None], "float32")
    real, fake = (rng.normal(size=(points, dim)).astype("float32") for _ in range(2))
    alpha = rng.uniform(size=points).astype("float32")
    penalty = losses.gradient_penalty(lambda x: ops.matmul(x, w), real, fake, alpha)
    return float(weight * ops.convert_to_numpy(penalty))


def categorical_code_information(accuracy: float, values: int = 10) -> float:
    """InfoGAN's lower bound L_I = H(c) + E log Q(c | x) (nats) for a code c uniform on
    ``values`` values, when Q names the right value for a share ``accuracy`` of the images and
    is calibrated (it gives its guess probability ``accuracy`` and spreads the rest evenly):
    log K + a log a + (1 − a) log((1 − a)/(K − 1)). It is then the mutual information between
    the code and Q's guess: log K at a = 1, 0 at a = 1/K."""
    from scipy.special import xlogy

    if not 0 < accuracy <= 1:
        raise ValueError(f"accuracy must lie in (0, 1], got {accuracy!r}.")
    a = float(accuracy)
    return float(np.log(values) + xlogy(a, a) + xlogy(1 - a, (1 - a) / (values - 1)))


def variants_answers() -> dict[str, str]:
    """Chapter 03-3: W₁, the bounded-values supremum and the JSD of point masses (and W₁'s
    slope in θ), the Lipschitz bound of the chapter's clipped critic with c = 0,01 and 0,1, the
    gradient penalty for a few gradient norms, and InfoGAN's information bound."""
    out = {}
    for name, theta in (("near", 1.0), ("far", 4.0)):
        d = point_mass_distances(theta)
        out[f"ej_var_w1_{name}"] = num(round(d["w1"], 6))
        out[f"ej_var_values_{name}"] = num(round(d["values"], 6))
        out[f"ej_var_jsd_{name}"] = num(d["jsd"], 3)
    h = 1e-3
    slope = (point_mass_distances(4.0 + h)["w1"] - point_mass_distances(4.0 - h)["w1"]) / (2 * h)
    out["ej_var_w1_slope"] = num(round(slope, 6))
    out["ej_var_clip_bound"] = num(clipped_lipschitz_bound(0.01), 3)
    out["ej_var_clip_bound01"] = num(clipped_lipschitz_bound(0.1), 0)
    out["ej_var_clip_for_one"] = num(clip_for_bound(1.0), 3)
    for name, norm in (("0", 0.0), ("05", 0.5), ("15", 1.5), ("3", 3.0)):
        out[f"ej_var_gp_{name}"] = num(linear_critic_penalty(norm), sig=2)
    out["ej_var_gp_clip"] = num(linear_critic_penalty(clipped_lipschitz_bound(0.01)), sig=2)
    out["ej_var_info_max"] = num(categorical_code_information(1.0), 2)
    out["ej_var_info_95"] = num(categorical_code_information(0.95), 2)
    out["ej_var_info_chance"] = num(categorical_code_information(0.1), 2)
    return out
