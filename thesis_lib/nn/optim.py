"""Gradient descent and Adam written out in numpy (thesis appendix §6.1–6.2).

The Adam here follows the pseudocode the thesis reproduces from Goodfellow et al., Algorithm 8.7,
with the stabilising constant δ placed where the user asks:

- ``"inside"``: Δθ = −ε ŝ / √(r̂ + δ), as the thesis transcribes the algorithm;
- ``"outside"``: Δθ = −ε ŝ / (√r̂ + δ), as Goodfellow et al. and Kingma & Ba print it;
- ``"keras"``: what ``keras.optimizers.Adam`` computes. Keras folds the bias corrections into
  the step size, ε_t = ε √(1 − ρ₂ᵗ) / (1 − ρ₁ᵗ), and divides s by (√r + δ) without correcting r,
  which equals the "outside" form with δ replaced by δ / √(1 − ρ₂ᵗ).

Beside Adam, its two ancestors as Goodfellow et al. print them (:func:`rmsprop`, Algorithm 8.5;
:func:`adagrad`, Algorithm 8.4), Adam's moving averages alone (:func:`moment_estimates`) and the
one-sided numerical gradient the thesis describes (:func:`forward_difference`).
"""

from __future__ import annotations

import numpy as np

PLACEMENTS = ("inside", "outside", "keras")


def gradient_descent(grad, x0, learning_rate: float, steps: int) -> np.ndarray:
    """Iterates x_{t+1} = x_t − η ∇f(x_t); returns all of them, x0 first (thesis §6.1)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}.")
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * np.asarray(grad(xs[-1]), dtype=float))
    return np.array(xs)


def quadratic_regime(learning_rate: float, curvature: float = 2.0) -> str:
    """How gradient descent behaves on f(x) = ½ c x² (c = 2: x²) with step η (thesis §6.1).

    The iteration is x_{t+1} = (1 − ηc) x_t exactly, so the factor 1 − ηc decides: in [0, 1)
    'converge', in (−1, 0) 'converge oscilando', −1 'rebota sin fin', below −1 'diverge'.
    """
    if not learning_rate > 0 or not curvature > 0:
        raise ValueError(f"learning_rate and curvature must be positive, got {learning_rate!r} "
                         f"and {curvature!r}.")
    factor = 1 - learning_rate * curvature
    if np.isclose(factor, -1.0):
        return "rebota sin fin"
    if factor < -1:
        return "diverge"
    return "converge oscilando" if factor < 0 else "converge"


def momentum(grad, x0, learning_rate: float, steps: int, beta: float = 0.9) -> np.ndarray:
    """Heavy-ball momentum: v ← β v − η ∇f(x), x ← x + v (the form Keras' SGD uses)."""
    xs, v = [np.asarray(x0, dtype=float)], np.zeros_like(np.asarray(x0, dtype=float))
    for _ in range(steps):
        v = beta * v - learning_rate * np.asarray(grad(xs[-1]), dtype=float)
        xs.append(xs[-1] + v)
    return np.array(xs)


def adam(grad, x0, learning_rate: float = 1e-3, steps: int = 100, rho1: float = 0.9,
         rho2: float = 0.999, delta: float = 1e-7, placement: str = "inside") -> np.ndarray:
    """Adam (Goodfellow et al., Algorithm 8.7; thesis §6.2); returns every iterate, x0 first."""
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r}; use one of {', '.join(PLACEMENTS)}.")
    theta = np.asarray(x0, dtype=float)
    s, r, xs = np.zeros_like(theta), np.zeros_like(theta), [theta]
    for t in range(1, steps + 1):
        g = np.asarray(grad(theta), dtype=float)
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        if placement == "keras":
            step = learning_rate * np.sqrt(1 - rho2 ** t) / (1 - rho1 ** t)
            theta = theta - step * s / (np.sqrt(r) + delta)
        else:
            s_hat, r_hat = s / (1 - rho1 ** t), r / (1 - rho2 ** t)
            denom = np.sqrt(r_hat + delta) if placement == "inside" else np.sqrt(r_hat) + delta
            theta = theta - learning_rate * s_hat / denom
        xs.append(theta)
    return np.array(xs)


def keras_trajectory(optimizer, grad, x0, steps: int) -> np.ndarray:
    """Iterates of a Keras optimizer fed the exact gradient ``grad`` at each point."""
    import keras
    var = keras.Variable(np.asarray(x0, dtype="float32"))
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        g = np.asarray(grad(np.asarray(var.numpy(), dtype=float)), dtype="float32")
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), var)])
        xs.append(np.asarray(var.numpy(), dtype=float))
    return np.array(xs)


def numerical_gradient(f, x, h: float = 1e-5) -> np.ndarray:
    """Central differences of a scalar function ``f`` at ``x`` (the "sanity check", §6.1)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        out.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def classify_critical_point(hessian) -> str:
    """'mínimo', 'máximo' or 'punto silla' from the eigenvalue signs of the Hessian."""
    eig = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    if np.all(eig > 0):
        return "mínimo"
    if np.all(eig < 0):
        return "máximo"
    if np.any(eig > 0) and np.any(eig < 0):
        return "punto silla"
    return "indeterminado"


def forward_difference(f, x, h: float = 1e-5) -> np.ndarray:
    """One-sided differences (f(x + h eᵢ) − f(x)) / h: the numerical gradient exactly as the
    thesis describes it (§6.1: an increment of the function divided by the increment). Its
    error is O(h), against O(h²) for the central differences of :func:`numerical_gradient`."""
    x = np.asarray(x, dtype=float)
    fx, out = f(x), np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        out.flat[i] = (f(x + e) - fx) / h
    return out


def rmsprop(grad, x0, learning_rate: float = 1e-3, steps: int = 100, rho: float = 0.9,
            delta: float = 1e-6) -> np.ndarray:
    """RMSProp as Goodfellow et al. print it (Algorithm 8.5, after Tieleman and Hinton's
    lecture 6e): r ← ρ r + (1 − ρ) g ⊙ g and Δθ = −ε g / √(δ + r); returns every iterate.

    The only moving average is r, the uncentered second moment of the gradient (thesis §6.2
    says the first): there is no average of g itself and no bias correction.
    """
    theta = np.asarray(x0, dtype=float)
    r, xs = np.zeros_like(theta), [theta]
    for _ in range(steps):
        g = np.asarray(grad(theta), dtype=float)
        r = rho * r + (1 - rho) * g * g
        theta = theta - learning_rate * g / np.sqrt(delta + r)
        xs.append(theta)
    return np.array(xs)


def adagrad(grad, x0, learning_rate: float = 0.01, steps: int = 100,
            delta: float = 1e-7) -> np.ndarray:
    """AdaGrad (Goodfellow et al., Algorithm 8.4; Duchi et al. 2011): r ← r + g ⊙ g, the sum of
    all past squared gradients, and Δθ = −ε g / (δ + √r); returns every iterate (§6.2 names it
    as one of Adam's two ancestors)."""
    theta = np.asarray(x0, dtype=float)
    r, xs = np.zeros_like(theta), [theta]
    for _ in range(steps):
        g = np.asarray(grad(theta), dtype=float)
        r = r + g * g
        theta = theta - learning_rate * g / (delta + np.sqrt(r))
        xs.append(theta)
    return np.array(xs)


def moment_estimates(gradients, rho1: float = 0.9, rho2: float = 0.999) -> dict:
    """Adam's two moving averages over a given sequence of gradients (Algorithm 8.7, §6.2):
    ``s`` (of g, the first moment) and ``r`` (of g ⊙ g, the uncentered second moment), biased
    and bias-corrected (``s_hat`` = s / (1 − ρ₁ᵗ), ``r_hat`` = r / (1 − ρ₂ᵗ)), one row per step."""
    gradients = np.asarray(gradients, dtype=float)
    s, r = np.zeros_like(gradients[0]), np.zeros_like(gradients[0])
    out = {"s": [], "r": [], "s_hat": [], "r_hat": []}
    for t, g in enumerate(gradients, start=1):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        out["s"].append(s)
        out["r"].append(r)
        out["s_hat"].append(s / (1 - rho1 ** t))
        out["r_hat"].append(r / (1 - rho2 ** t))
    return {k: np.array(v) for k, v in out.items()}
