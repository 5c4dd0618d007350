"""Training a neural network as empirical risk minimisation (thesis §2.3).

The thesis's four components of supervised learning on one small example: the data are a
noisy XOR sample (points drawn around the four corners of the unit square, labelled by the XOR
of their corner), a training part and an independent held-out part; the family is the 2-2-1 ReLU
network of §2.2 (:func:`thesis_lib.nn.xor.xor_forward`) with a sigmoid on its output;
the loss is the binary cross-entropy; the optimiser is plain full-batch gradient descent with
the gradient written out by backpropagation (§2.5). Everything is numpy in double precision;
functions that draw take a ``numpy.random.Generator``, and the experiment derives one per use
from its seed (:func:`streams`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thesis_lib.formatting import num, pct, table
from thesis_lib.nn.xor import THESIS_XOR, XOR_X, XOR_Y, xor_forward

# θ = (θ⁽¹⁾ 2×2, c 2, θ⁽²⁾ 2, b 1): the arguments of xor.xor_forward, in this order.
PARAMETERS = (("θ⁽¹⁾", (2, 2)), ("c", (2,)), ("θ⁽²⁾", (2,)), ("b", ()))
N_PARAMS = 9
REDUCTIONS = ("mean", "sum")
RISK_COLUMNS = ("riesgo empírico", "riesgo en reservados", "diferencia")
ACCURACY_COLUMNS = ("exactitud en entrenamiento", "exactitud en reservados")
HELDOUT_EVERY = 10  # steps between records of the held-out risk (2,000 points: as dear as a step)


# --- component 1: the data -----------------------------------------------------------------

def noisy_xor(n: int, noise: float, rng: np.random.Generator):
    """``n`` pairs (xᵢ, yᵢ): a corner of {0, 1}² chosen uniformly plus N(0, noise²) on each
    coordinate; the label is the XOR of the corner."""
    corners = rng.integers(0, 4, size=n)
    return XOR_X[corners] + noise * rng.normal(size=(n, 2)), XOR_Y[corners].copy()


@dataclass(frozen=True)
class Sample:
    """A training part and a held-out part drawn from the same distribution."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_heldout: np.ndarray
    y_heldout: np.ndarray


def streams(seed: int, count: int) -> list[np.random.Generator]:
    """The first ``count`` independent generators of ``seed`` (``SeedSequence.spawn``): 0 draws
    the training part, 1 the held-out part, 2 + i the initial weights of restart i. Each is
    the same whatever ``count`` is, so no size or number of restarts changes another."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def draw_sample(n_train: int, n_heldout: int, noise: float, seed: int) -> Sample:
    """A training part of ``n_train`` pairs and a held-out part of ``n_heldout`` pairs, drawn
    independently from the same distribution (:func:`noisy_xor`, :func:`streams`)."""
    train_rng, heldout_rng = streams(seed, 2)
    x_train, y_train = noisy_xor(n_train, noise, train_rng)
    x_held, y_held = noisy_xor(n_heldout, noise, heldout_rng)
    return Sample(x_train, y_train, x_held, y_held)


# --- component 2: the family F = {f(·; θ)} -------------------------------------------------

def unpack(theta) -> dict:
    """A flat vector of the 9 parameters as the keyword arguments of ``xor_forward``."""
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (N_PARAMS,):
        raise ValueError(f"theta must hold {N_PARAMS} numbers, got shape {theta.shape}.")
    return {"theta1": theta[:4].reshape(2, 2), "c": theta[4:6], "theta2": theta[6:8],
            "b": float(theta[8])}


def pack(theta1, c, theta2, b) -> np.ndarray:
    """The inverse of :func:`unpack`."""
    return np.concatenate([np.ravel(theta1), np.ravel(c), np.ravel(theta2), [float(b)]]
                          ).astype(float)


def parameter_table():
    """The family's parameters, their shapes and sizes (Spanish columns, a total row)."""
    import pandas as pd

    sizes = [int(np.prod(shape)) for _, shape in PARAMETERS]
    frame = pd.DataFrame({
        "forma": ["×".join(map(str, shape)) or "escalar" for _, shape in PARAMETERS] + [""],
        "números": sizes + [sum(sizes)]}, index=[name for name, _ in PARAMETERS] + ["total"])
    frame.index.name = "parámetro"
    return frame


def glorot_init(rng: np.random.Generator) -> np.ndarray:
    """Glorot-uniform weights and zero biases (Keras' default for a dense layer)."""
    theta1 = rng.uniform(-np.sqrt(6 / 4), np.sqrt(6 / 4), size=(2, 2))
    theta2 = rng.uniform(-np.sqrt(6 / 3), np.sqrt(6 / 3), size=2)
    return pack(theta1, np.zeros(2), theta2, 0.0)


def logits(theta, x) -> np.ndarray:
    """z = θ⁽²⁾ᵀ ReLU(θ⁽¹⁾ᵀx + c) + b for each row of ``x`` (the §2.2 network)."""
    return xor_forward(**unpack(theta), X=np.asarray(x, dtype=float))[2]


def active_units(theta, x) -> np.ndarray:
    """For each hidden unit, on how many rows of ``x`` its ReLU is active (> 0); a unit at 0
    is dead there: no gradient reaches its weights (§2.2)."""
    pre = xor_forward(**unpack(theta), X=np.asarray(x, dtype=float))[0]
    return (pre > 0).sum(axis=1)


def probability(theta, x) -> np.ndarray:
    """f(x; θ) = σ(z): the network's probability that y = 1."""
    return 1 / (1 + np.exp(-logits(theta, x)))


def scaled_thesis_xor(k: float) -> np.ndarray:
    """The thesis's hand-built XOR weights (§2.2) with the output layer scaled by ``k`` and its
    bias set to −k/2: the logits are k·(−½, ½, ½, −½) on the four XOR points, so the rounded
    output is XOR's for every k > 0 and the probabilities approach 0 and 1 as k grows."""
    return pack(THESIS_XOR["theta1"], THESIS_XOR["c"], k * THESIS_XOR["theta2"], -k / 2)


# --- component 3: the loss L ---------------------------------------------------------------

def bce(z, y) -> np.ndarray:
    """Binary cross-entropy of σ(z) against y, per point: −y log σ(z) − (1 − y) log(1 − σ(z)),
    computed as log(1 + eᶻ) − y z (no overflow for large |z|)."""
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return np.logaddexp(0.0, z) - y * z


def _check(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; valid: {', '.join(REDUCTIONS)}.")


def empirical_risk(theta, x, y, reduction: str = "mean") -> float:
    """(1/n) Σ L(f(xᵢ; θ), yᵢ) (``mean``) or Σ L(f(xᵢ; θ), yᵢ) (``sum``): the two ways the
    thesis writes the objective of §2.3."""
    _check(reduction)
    losses = bce(logits(theta, x), y)
    return float(losses.mean() if reduction == "mean" else losses.sum())


def accuracy(theta, x, y) -> float:
    """Share of points whose f(x; θ) rounds to the label."""
    return float(np.mean((logits(theta, x) > 0) == (np.asarray(y) > 0.5)))


def solves_xor(theta) -> bool:
    """Whether f(·; θ) rounds to XOR's label on the four exact corners."""
    return accuracy(theta, XOR_X, XOR_Y) == 1.0


# --- component 4: the optimiser ------------------------------------------------------------

def risk_and_gradient(theta, x, y, reduction: str = "mean") -> tuple[float, np.ndarray]:
    """:func:`empirical_risk` and its gradient by backpropagation (thesis §2.5), from one
    forward pass; the gradient is a flat vector in the order of :func:`pack`.

    With a = θ⁽¹⁾ᵀx + c, h = ReLU(a), z = θ⁽²⁾ᵀh + b: ∂L/∂z = σ(z) − y, then the chain rule
    layer by layer; ReLU'(0) is taken as 0, as in Keras.
    """
    _check(reduction)
    p = unpack(theta)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    pre, hidden, z = xor_forward(**p, X=x)          # pre, hidden: (2, n); z: (n,)
    losses = np.logaddexp(0.0, z) - y * z
    dz = 1 / (1 + np.exp(-z)) - y
    if reduction == "mean":
        risk, dz = losses.mean(), dz / len(y)
    else:
        risk = losses.sum()
    d_pre = np.outer(p["theta2"], dz) * (pre > 0)    # (2, n): through θ⁽²⁾ and ReLU'
    grad = np.concatenate([(d_pre @ x).T.ravel(), d_pre.sum(axis=1), hidden @ dz, [dz.sum()]])
    return float(risk), grad


def gradient(theta, x, y, reduction: str = "mean") -> np.ndarray:
    """The gradient of :func:`empirical_risk` (:func:`risk_and_gradient` without the risk)."""
    return risk_and_gradient(theta, x, y, reduction)[1]


def finite_difference_gradient(fn, theta, h: float = 1e-6) -> np.ndarray:
    """Central differences (fn(θ + h eᵢ) − fn(θ − h eᵢ)) / 2h, coordinate by coordinate."""
    theta = np.asarray(theta, dtype=float)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h
        grad[i] = (fn(theta + step) - fn(theta - step)) / (2 * h)
    return grad


def gradient_descent(theta0, x, y, learning_rate: float, steps: int, reduction: str = "mean",
                     x_heldout=None, y_heldout=None, heldout_every: int = 1):
    """θ ← θ − η ∇R̂(θ), ``steps`` times, on the whole sample. Returns the final θ, the empirical
    risk (in ``reduction``) after 0, 1, …, ``steps`` steps and, given held-out data, its mean
    risk after the steps of :func:`heldout_steps`."""
    theta = np.array(theta0, dtype=float)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    train, held = [], []
    for t in range(steps + 1):
        if x_heldout is not None and (t % heldout_every == 0 or t == steps):
            held.append(empirical_risk(theta, x_heldout, y_heldout))
        risk, grad = risk_and_gradient(theta, x, y, reduction)
        train.append(risk)
        if t < steps:
            theta = theta - learning_rate * grad
    return theta, np.array(train), np.array(held)


def heldout_steps(steps: int, every: int) -> np.ndarray:
    """The steps at which :func:`gradient_descent` records the held-out risk: 0, k, 2k, … and
    the last one."""
    return np.unique(np.r_[np.arange(0, steps + 1, every), steps])


# --- the experiment ------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One restart on a sample: the parameters at the start and the end, the empirical risk
    after every step and the held-out risk at the steps ``heldout_at``."""

    restart: int
    sample: Sample
    theta0: np.ndarray
    theta: np.ndarray
    train_risk: np.ndarray
    heldout_risk: np.ndarray
    heldout_at: np.ndarray

    @property
    def train_accuracy(self) -> float:
        return accuracy(self.theta, self.sample.x_train, self.sample.y_train)

    @property
    def heldout_accuracy(self) -> float:
        return accuracy(self.theta, self.sample.x_heldout, self.sample.y_heldout)

    @property
    def best_heldout_step(self) -> int:
        """The recorded step with the lowest held-out risk (what early stopping keeps, §2.4)."""
        return int(self.heldout_at[np.argmin(self.heldout_risk)])

    @property
    def solves_xor(self) -> bool:
        return solves_xor(self.theta)


def initial_weights(seed: int, restart: int) -> np.ndarray:
    """The initial weights of restart ``restart`` (:func:`glorot_init` on its own stream)."""
    return glorot_init(streams(seed, 3 + restart)[2 + restart])


def train(config, sample: Sample, restart: int) -> Run:
    """Plain gradient descent on the mean empirical risk of ``sample`` from the initial weights
    of ``restart`` (``config`` is a ``profiles.TrainingConfig``), recording the held-out risk
    every ``HELDOUT_EVERY`` steps."""
    theta0 = initial_weights(config.seed, restart)
    theta, train_risk, held = gradient_descent(
        theta0, sample.x_train, sample.y_train, config.learning_rate, config.iterations,
        x_heldout=sample.x_heldout, y_heldout=sample.y_heldout, heldout_every=HELDOUT_EVERY)
    return Run(restart, sample, theta0, theta, train_risk, held,
               heldout_steps(config.iterations, HELDOUT_EVERY))


def config_sample(config) -> Sample:
    """The sample of a ``profiles.TrainingConfig``: its sizes, noise and ``seed``."""
    return draw_sample(config.n_train, config.n_heldout, config.noise, config.seed)


def experiment(config) -> tuple[Sample, list[Run]]:
    """The chapter's experiment: the sample of ``config`` and ``config.restarts`` trainings on
    it, restart i from the initial weights of stream 2 + i."""
    sample = config_sample(config)
    return sample, [train(config, sample, i) for i in range(config.restarts)]


def risk_against_scale(ks, sample: Sample):
    """Mean binary cross-entropy of :func:`scaled_thesis_xor` (k) for each k, on the four exact
    XOR points, the training part and the held-out part: three arrays."""
    parts = ((XOR_X, XOR_Y), (sample.x_train, sample.y_train),
             (sample.x_heldout, sample.y_heldout))
    return tuple(np.array([empirical_risk(scaled_thesis_xor(k), x, y) for k in ks])
                 for x, y in parts)


def chosen(runs) -> Run:
    """The restart with the lowest final empirical risk (the first on a tie): the choice a
    practitioner can make without looking at held-out data."""
    return min(runs, key=lambda r: (r.train_risk[-1], r.restart))


def spread_table(runs):
    """Over the restarts, the median, minimum and maximum of the final empirical and held-out
    risks, their difference and both accuracies (Spanish rows and columns)."""
    import pandas as pd

    columns = (
        [r.train_risk[-1] for r in runs], [r.heldout_risk[-1] for r in runs],
        [r.heldout_risk[-1] - r.train_risk[-1] for r in runs],
        [r.train_accuracy for r in runs], [r.heldout_accuracy for r in runs])
    values = dict(zip(RISK_COLUMNS + ACCURACY_COLUMNS, columns))
    frame = pd.DataFrame({name: [np.median(v), np.min(v), np.max(v)]
                          for name, v in values.items()}, index=["mediana", "mínimo", "máximo"])
    frame.index.name = f"{len(runs)} inicializaciones"
    return frame


def show_spread(runs):
    """:func:`spread_table` as the book shows it, one row per quantity so that it fits the
    column: risks with three decimals, accuracies as percentages with one (a pandas Styler)."""
    import pandas as pd

    frame = spread_table(runs)
    shown = pd.DataFrame({stat: [num(frame.loc[stat, c], 3) if c in RISK_COLUMNS
                                 else pct(frame.loc[stat, c], 1) for c in frame.columns]
                          for stat in frame.index}, index=list(frame.columns))
    shown.index.name = frame.index.name
    return table(shown)


def training_numbers(config, runs, prefix: str = "erm_") -> dict[str, str]:
    """The numbers the chapter quotes about a set of restarts, formatted for its prose (names
    with ``prefix``): counts over the restarts, and for the :func:`chosen` one its final risks,
    accuracies, weight norms and the held-out minimum, with the held-out accuracy at that step
    (its θ recomputed by running gradient descent that far again)."""
    best = chosen(runs)
    sample = best.sample
    early = gradient_descent(best.theta0, sample.x_train, sample.y_train, config.learning_rate,
                             best.best_heldout_step)[0]
    numbers = {
        "restarts": num(len(runs)), "iterations": num(config.iterations),
        "every": num(HELDOUT_EVERY),
        "solved": num(sum(r.solves_xor for r in runs)),
        "above": num(sum(r.heldout_risk[-1] > r.train_risk[-1] for r in runs)),
        "chosen": num(best.restart), "chosen_train": num(best.train_risk[-1], sig=2),
        "best_step": num(best.best_heldout_step),
        "heldout_min": num(best.heldout_risk.min(), 2),
        "heldout_final": num(best.heldout_risk[-1], 2),
        "acc_train": pct(best.train_accuracy, 0), "acc_heldout": pct(best.heldout_accuracy, 1),
        "acc_early": pct(accuracy(early, sample.x_heldout, sample.y_heldout), 1),
        "norm0": num(float(np.linalg.norm(best.theta0)), 1),
        "norm": num(float(np.linalg.norm(best.theta)), 1),
    }
    return {prefix + name: text for name, text in numbers.items()}
