"""Rosenblatt's perceptron with the thesis's learning rule, recording every step (thesis §2.1).

The rule: for each sample, ŷ = Θ(b + w·x) with Θ(z) = 1 if z ≥ 0 else 0, then
Δb = η(y − ŷ), Δwⱼ = η(y − ŷ)xⱼ, all applied simultaneously. Training stops after an epoch
with no change (converged), or when the weights at the start of an epoch repeat an earlier
epoch's: the rule is deterministic, so from then on it cycles forever (not separable).

Arithmetic is exact by default (``fractions.Fraction``). Why: the thesis's AND table has
z = −0.8 + 0.4 + 0.4 = 0 exactly at epoch 2, where Θ(0) = 1; in binary floating point that sum
is −1.1e−16, Θ gives 0 and the run takes a different path (see ``exact=False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from thesis_lib.formatting import num, table
from thesis_lib.validation import positive_int

AND_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND_Y = np.array([0, 0, 0, 1])
XOR_Y = np.array([0, 1, 1, 0])

# The thesis's table for AND (§2.1, η = 0.3, b = w1 = w2 = 1), copied by hand as the
# reference the implementation is checked against.
THESIS_AND_TRACE = pd.DataFrame(
    [
        (1, 0, 0, 1.0, 1.0, 1.0, 1.0, 1, 0, -0.3, 0.0, 0.0),
        (1, 0, 1, 0.7, 1.0, 1.0, 1.7, 1, 0, -0.3, 0.0, -0.3),
        (1, 1, 0, 0.4, 1.0, 0.7, 1.4, 1, 0, -0.3, -0.3, 0.0),
        (1, 1, 1, 0.1, 0.7, 0.7, 1.5, 1, 1, 0.0, 0.0, 0.0),
        (2, 0, 0, 0.1, 0.7, 0.7, 0.1, 1, 0, -0.3, 0.0, 0.0),
        (2, 0, 1, -0.2, 0.7, 0.7, 0.5, 1, 0, -0.3, 0.0, -0.3),
        (2, 1, 0, -0.5, 0.7, 0.4, 0.2, 1, 0, -0.3, -0.3, 0.0),
        (2, 1, 1, -0.8, 0.4, 0.4, 0.0, 1, 1, 0.0, 0.0, 0.0),
        (3, 0, 0, -0.8, 0.4, 0.4, -0.8, 0, 0, 0.0, 0.0, 0.0),
        (3, 0, 1, -0.8, 0.4, 0.4, -0.4, 0, 0, 0.0, 0.0, 0.0),
        (3, 1, 0, -0.8, 0.4, 0.4, -0.4, 0, 0, 0.0, 0.0, 0.0),
        (3, 1, 1, -0.8, 0.4, 0.4, 0.0, 1, 1, 0.0, 0.0, 0.0),
    ],
    columns=["epoch", "x1", "x2", "b", "w1", "w2", "z", "y_hat", "y",
             "delta_b", "delta_w1", "delta_w2"],
)


def step(z) -> int:
    """Θ(z) = 1 if z ≥ 0 else 0 (thesis §2.1, threshold folded into the bias)."""
    return 1 if z >= 0 else 0


@dataclass
class PerceptronResult:
    """Outcome of :meth:`Perceptron.fit`."""

    converged: bool
    epochs: int                    # epochs run, the last one included
    bias: float
    weights: tuple[float, ...]
    trace: pd.DataFrame            # one row per sample visit, as in the thesis's table
    errors_per_epoch: list[int]
    cycle: tuple[int, int] | None  # (first epoch of the repeated state, period), if cycling

    @property
    def boundary(self) -> str:
        """The decision line b + w1 x1 + w2 x2 = 0, written out."""
        w = " + ".join(f"{wj:g}·x{j + 1}" for j, wj in enumerate(self.weights))
        return f"{w} + ({self.bias:g}) = 0"


class Perceptron:
    """A single threshold unit trained sample by sample with the perceptron rule (thesis §2.1)."""

    def __init__(self, learning_rate=0.3, bias=0.0, weights=(0.0, 0.0), *, exact: bool = True):
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
        self.exact = exact
        self.learning_rate = self._num(learning_rate)
        self.bias = self._num(bias)
        self.weights = np.array([self._num(w) for w in weights], dtype=object if exact else float)

    def _num(self, value):
        # Fraction(str(0.3)) is 3/10, the number the thesis means, not the nearest double.
        return Fraction(str(value)) if self.exact else float(value)

    def decision(self, x) -> object:
        """z = b + w·x."""
        return self.bias + sum(w * self._num(xj) for w, xj in zip(self.weights, x))

    def predict(self, X) -> np.ndarray:
        return np.array([step(self.decision(x)) for x in np.asarray(X)])

    def fit(self, X, y, max_epochs: int = 100, *, stop_at_cycle: bool = True) -> PerceptronResult:
        """Run the rule over ``X`` in order, epoch after epoch, recording each step.

        With ``stop_at_cycle=False`` a detected cycle is still reported but training goes on
        until ``max_epochs`` (to show the repetition).
        """
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2 or X.shape[1] != len(self.weights) or len(X) != len(y):
            raise ValueError(f"X must have shape (n, {len(self.weights)}) and y shape (n,); "
                             f"got {X.shape} and {y.shape}.")
        if set(np.unique(y)) - {0, 1}:
            raise ValueError("y must hold the classes 0 and 1 only.")
        positive_int("max_epochs", max_epochs)
        n = X.shape[1]
        rows, errors, seen = [], [], {}
        converged, cycle, epoch = False, None, 0
        for epoch in range(1, max_epochs + 1):
            state = (self.bias, *self.weights)
            if state in seen and cycle is None:
                cycle = (seen[state], epoch - seen[state])
                if stop_at_cycle:
                    epoch -= 1  # this epoch was not run: its start state closed the cycle
                    break
            seen.setdefault(state, epoch)
            changed, wrong = False, 0
            for x, target in zip(X, y):
                z = self.decision(x)
                y_hat = step(z)
                delta = self.learning_rate * (int(target) - y_hat)
                delta_w = [delta * self._num(xj) for xj in x]
                rows.append([epoch, *x.tolist(), float(self.bias), *map(float, self.weights),
                             float(z), y_hat, int(target), float(delta), *map(float, delta_w)])
                if delta != 0:
                    changed, wrong = True, wrong + 1
                    self.bias = self.bias + delta
                    self.weights = self.weights + np.array(delta_w, dtype=self.weights.dtype)
            errors.append(wrong)
            if not changed:
                converged = True
                break
        columns = (["epoch"] + [f"x{j + 1}" for j in range(n)] + ["b"]
                   + [f"w{j + 1}" for j in range(n)] + ["z", "y_hat", "y", "delta_b"]
                   + [f"delta_w{j + 1}" for j in range(n)])
        return PerceptronResult(
            converged=converged, epochs=epoch, bias=float(self.bias),
            weights=tuple(float(w) for w in self.weights),
            trace=pd.DataFrame(rows, columns=columns), errors_per_epoch=errors, cycle=cycle)


def train(X, y, config, *, exact: bool = True, max_epochs: int | None = None,
          stop_at_cycle: bool = True) -> PerceptronResult:
    """Fit a fresh perceptron with a :class:`thesis_lib.profiles.PerceptronConfig`."""
    model = Perceptron(config.learning_rate, config.initial_bias, config.initial_weights,
                       exact=exact)
    return model.fit(X, y, max_epochs=max_epochs or config.max_epochs,
                     stop_at_cycle=stop_at_cycle)


def misclassified(bias, weights, X=AND_X, y=XOR_Y) -> list[int]:
    """Indices of the samples that the unit with ``bias`` and ``weights`` gets wrong (exactly)."""
    unit = Perceptron(1, bias, weights)
    return [i for i, (x, t) in enumerate(zip(np.asarray(X), y)) if step(unit.decision(x)) != t]


def matches_thesis_table(trace: pd.DataFrame, reference: pd.DataFrame = THESIS_AND_TRACE,
                         atol: float = 1e-12) -> bool:
    """True when a trace has the reference's rows and every value agrees within ``atol``."""
    if list(trace.columns) != list(reference.columns) or len(trace) != len(reference):
        return False
    return bool(np.allclose(trace.to_numpy(float), reference.to_numpy(float), rtol=0, atol=atol))


def first_difference(trace: pd.DataFrame, reference: pd.DataFrame = THESIS_AND_TRACE,
                     atol: float = 1e-12) -> int | None:
    """Index of the first row where ``trace`` departs from ``reference`` (None if it never does)."""
    for i in range(min(len(trace), len(reference))):
        if not np.allclose(trace.iloc[i].to_numpy(float), reference.iloc[i].to_numpy(float),
                           rtol=0, atol=atol):
            return i
    return None if len(trace) == len(reference) else min(len(trace), len(reference))


def trace_table(trace: pd.DataFrame, decimals: int = 1):
    """The trace as the book shows it: the thesis's column headings (ŷ, Δb, Δw₁, ...), one row
    per step numbered from 1, every number in Spanish (:func:`thesis_lib.formatting.table`;
    ``decimals=1`` is exact for the thesis's η = 0.3 and integer inputs)."""

    names = {"epoch": "época", "y_hat": "ŷ", "delta_b": "Δb"}
    for c in trace.columns:
        for prefix, symbol in (("delta_w", "Δw"), ("w", "w"), ("x", "x")):
            if c.startswith(prefix) and c[len(prefix):].isdigit():
                names[c] = symbol + c[len(prefix):].translate(_SUBSCRIPT)
                break
    frame = trace.rename(columns=names)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="paso")
    return table(frame, decimals)


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def describe(result: PerceptronResult, sig: int | None = None) -> str:
    """A run in two Spanish lines: whether it converged (in how many epochs) or cycled (from
    which epoch, every how many), and the final parameters (``sig`` significant digits; the
    shortest exact form by default). For a cycle those are the state that repeats."""

    params = "; ".join([f"b = {num(result.bias, sig=sig)}"] + [
        f"w{str(j + 1).translate(_SUBSCRIPT)} = {num(w, sig=sig)}"
        for j, w in enumerate(result.weights)])
    if result.converged:
        return f"Convergió: sí, en {num(result.epochs)} épocas\nParámetros finales: {params}"
    if result.cycle is None:
        return f"Convergió: no, en {num(result.epochs)} épocas\nParámetros finales: {params}"
    first, period = result.cycle
    every = "en cada época" if period == 1 else f"cada {num(period)} épocas"
    return (f"Convergió: no\nEl estado al inicio de la época {num(first)} se repite {every}: "
            f"{params}")


def cycle_steps(result: PerceptronResult) -> list[tuple[float, float, float]]:
    """(b, w1, w2) before each sample of one period of a cycle; empty when there is no cycle."""
    if result.cycle is None:
        return []
    first, period = result.cycle
    rows = result.trace[(result.trace.epoch >= first) & (result.trace.epoch < first + period)]
    return [(r.b, r.w1, r.w2) for r in rows.itertuples()]


def cycle_changes(result: PerceptronResult, X=AND_X, y=XOR_Y) -> list[tuple[int, list, list]]:
    """What each step of one period of a cycle does to the line: (sample visited, samples it
    fixes, samples it breaks), comparing the misclassified samples before and after the step
    (after the period's last step the state is the first one again)."""
    states = cycle_steps(result)
    wrong = [set(misclassified(s[0], s[1:], X, y)) for s in states]
    return [(i % len(X), sorted(wrong[i] - wrong[(i + 1) % len(states)]),
             sorted(wrong[(i + 1) % len(states)] - wrong[i])) for i in range(len(states))]


def describe_cycle_changes(result: PerceptronResult, X=AND_X, y=XOR_Y) -> str:
    """:func:`cycle_changes` in Spanish, a line per step: the point visited, the points whose
    class the step fixes and those it breaks."""
    def points(indices):
        names = [f"({', '.join(str(int(v)) for v in np.asarray(X)[i])})" for i in indices]
        return ", ".join(names[:-1]) + " y " + names[-1] if len(names) > 1 else names[0]

    lines = []
    for step_no, (i, fixed, broken) in enumerate(cycle_changes(result, X, y), start=1):
        fixes = f"arregla {points(fixed)}" if fixed else "no arregla ninguno"
        breaks = f"estropea {points(broken)}" if broken else "no estropea ninguno"
        lines.append(f"Paso {step_no}, punto {points([i])}: {fixes}; {breaks}")
    return "\n".join(lines)
