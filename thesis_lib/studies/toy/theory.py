"""The closed forms of the GAN theory (§3.1–3.2) for 1-D densities, by numerical integration.

Goodfellow et al. (2014, Proposition 1 and Theorem 1), which the thesis cites for D*: for a fixed
generator the best discriminator is D* = p_data / (p_data + p_g), and against it the value
function is V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g). Arjovsky and Bottou (2017) add why this
criterion starves the generator: once the two supports separate, JSD sits at log 2 whatever the
distance, while the Wasserstein-1 distance (in 1-D, ∫|F_data − F_g|) keeps growing with it.
They also show (Theorem 2.5) what the non-saturating generator cost −log D follows against D*:
the *gradient* of KL(p_g ‖ p_data) − 2·JSD, not its value (:func:`nonsaturating_family`).

Everything here is NumPy/SciPy on a grid (densities) or with adaptive quadrature
(:func:`jsd_quad`, an independent computation of the same divergence); the Keras experiments
that check these formulas against trained networks live in :mod:`thesis_lib.gan.experiments`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

LOG4 = float(np.log(4.0))
LOG2 = float(np.log(2.0))


@dataclass(frozen=True)
class Mixture1D:
    """A finite mixture of 1-D Gaussians Σ wᵢ N(μᵢ, σᵢ²); one component is a plain Gaussian."""

    means: tuple[float, ...]
    stds: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def __post_init__(self):
        means, stds = tuple(map(float, self.means)), tuple(map(float, self.stds))
        weights = (tuple(1.0 / len(means) for _ in means) if self.weights is None
                   else tuple(map(float, self.weights)))
        if not means or len(stds) != len(means) or len(weights) != len(means):
            raise ValueError(f"means, stds and weights must have the same positive length, got "
                             f"{len(means)}, {len(stds)} and {len(weights)}.")
        if min(stds) <= 0:
            raise ValueError(f"every std must be positive, got {stds}.")
        if min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-9:
            raise ValueError(f"weights must be >= 0 and add up to 1, got {weights}.")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "stds", stds)
        object.__setattr__(self, "weights", weights)

    def pdf(self, x):
        x = np.asarray(x, dtype="float64")[..., None]
        return (np.asarray(self.weights) * stats.norm.pdf(x, self.means, self.stds)).sum(-1)

    def logpdf(self, x):
        """log of :meth:`pdf`, by log-sum-exp: finite far in the tails, where the density
        itself underflows to 0."""
        x = np.asarray(x, dtype="float64")[..., None]
        return special.logsumexp(stats.norm.logpdf(x, self.means, self.stds),
                                 b=np.asarray(self.weights), axis=-1)

    def cdf(self, x):
        x = np.asarray(x, dtype="float64")[..., None]
        return (np.asarray(self.weights) * stats.norm.cdf(x, self.means, self.stds)).sum(-1)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` samples as an (n, 1) float32 array (the shape a Keras network takes)."""
        comp = rng.choice(len(self.means), size=n, p=self.weights)
        x = np.asarray(self.means)[comp] + np.asarray(self.stds)[comp] * rng.standard_normal(n)
        return x[:, None].astype("float32")

    def shifted(self, delta: float) -> "Mixture1D":
        return Mixture1D(tuple(m + delta for m in self.means), self.stds, self.weights)

    def support(self, k: float = 8.0) -> tuple[float, float]:
        """An interval holding all but a negligible mass (k standard deviations each side)."""
        return (min(m - k * s for m, s in zip(self.means, self.stds)),
                max(m + k * s for m, s in zip(self.means, self.stds)))


def grid_for(*densities: Mixture1D, points: int = 200_001, k: float = 10.0) -> np.ndarray:
    """A uniform grid over the union of the densities' supports (fine enough for 10⁻⁹ sums)."""
    lows, highs = zip(*(d.support(k) for d in densities))
    return np.linspace(min(lows), max(highs), points)


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1; thesis §3.1),
    given both densities evaluated on the same points; NaN where both vanish (D* is undefined
    there: no sample of either kind ever lands)."""
    p_data, p_g = np.asarray(p_data, dtype="float64"), np.asarray(p_g, dtype="float64")
    total = p_data + p_g
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), np.nan)


def value_function(d, p_data, p_g, x, one_minus_d=None) -> float:
    """V(D, G) = E_data[log D(x)] + E_g[log(1 − D(x))] (the thesis's cost, §3.1) by the
    trapezoidal rule over the grid ``x``; 0·log 0 counts as 0. ``one_minus_d`` (default 1 − d)
    lets a caller pass the complement exactly where d rounds to 1 in floating point."""
    d = np.nan_to_num(np.asarray(d, dtype="float64"), nan=0.5)
    rest = 1.0 - d if one_minus_d is None else np.nan_to_num(
        np.asarray(one_minus_d, dtype="float64"), nan=0.5)
    integrand = special.xlogy(p_data, d) + special.xlogy(p_g, rest)
    return float(integrate.trapezoid(integrand, x))


def kl(p, q, x) -> float:
    """KL(p ‖ q) = ∫ p log(p/q) on the grid ``x`` (q > 0 wherever p > 0 is assumed)."""
    p, q = np.asarray(p, dtype="float64"), np.asarray(q, dtype="float64")
    integrand = special.xlogy(p, p) - special.xlogy(p, np.where(p > 0, q, 1.0))
    return float(integrate.trapezoid(integrand, x))


def jsd(p, q, x) -> float:
    """JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = (p + q)/2, on the grid ``x`` (nats)."""
    m = 0.5 * (np.asarray(p, dtype="float64") + np.asarray(q, dtype="float64"))
    return 0.5 * kl(p, m, x) + 0.5 * kl(q, m, x)


def _quad(integrand, *densities: Mixture1D) -> float:
    """∫ integrand over the union of the densities' supports by adaptive quadrature
    (scipy.integrate.quad), split at every component mean so quad sees each bump."""
    lows, highs = zip(*(d.support() for d in densities))
    points = sorted({m for d in densities for m in d.means})
    value, _ = integrate.quad(integrand, min(lows), max(highs), points=points, limit=500,
                              epsabs=1e-12, epsrel=1e-10)
    return float(value)


def _gauss_legendre(integrand, *densities: Mixture1D, order: int = 20) -> float:
    """∫ integrand over the union of the densities' supports by composite Gauss–Legendre
    quadrature: panels half the narrowest standard deviation wide, ``order`` nodes each, one
    vectorised call of ``integrand``. For Gaussian mixtures this is exact to about 10⁻¹⁴ and
    a thousand times faster than :func:`_quad`, which the finite differences need."""
    lows, highs = zip(*(d.support() for d in densities))
    lo, hi = min(lows), max(highs)
    width = 0.5 * min(s for d in densities for s in d.stds)
    edges = np.linspace(lo, hi, int(np.ceil((hi - lo) / width)) + 1)
    t, w = np.polynomial.legendre.leggauss(order)
    half = 0.5 * np.diff(edges)[:, None]
    x = (0.5 * (edges[:-1] + edges[1:]))[:, None] + half * t
    return float(np.sum(half * w * integrand(x)))


def jsd_quad(p: Mixture1D, q: Mixture1D) -> float:
    """The same divergence by adaptive quadrature (scipy.integrate.quad on the densities
    themselves, no grid): an independent check of :func:`jsd` and of the identity."""

    def integrand(t):
        a, b = float(p.pdf(t)), float(q.pdf(t))
        m = 0.5 * (a + b)
        return 0.5 * (special.xlogy(a, a) - special.xlogy(a, m if a > 0 else 1.0)) + \
            0.5 * (special.xlogy(b, b) - special.xlogy(b, m if b > 0 else 1.0))

    return _quad(integrand, p, q)


def wasserstein1(p: Mixture1D, q: Mixture1D, x) -> float:
    """W₁(p, q) = ∫ |F_p(t) − F_q(t)| dt, the 1-D form of the earth mover's distance
    (thesis §3.3; Arjovsky et al. 2017), on the grid ``x``."""
    return float(integrate.trapezoid(np.abs(p.cdf(x) - q.cdf(x)), x))


def sliding_family(p_data: Mixture1D, p_g: Mixture1D, shifts) -> dict:
    """For each shift δ, the generator density p_g moved by δ: V(D*, G) by direct integration,
    −log 4 + 2·JSD (grid and quadrature), JSD and W₁. Returns a dict of NumPy arrays keyed
    ``shift``, ``value``, ``identity``, ``identity_quad``, ``jsd``, ``w1``."""
    rows = {k: [] for k in ("shift", "value", "identity", "identity_quad", "jsd", "w1")}
    for delta in shifts:
        q = p_g.shifted(float(delta))
        x = grid_for(p_data, q)
        a, b = p_data.pdf(x), q.pdf(x)
        divergence = jsd(a, b, x)
        rows["shift"].append(float(delta))
        # 1 − D* = p_g/(p_data + p_g) written out: 1 − D* would round to 0 where p_g is tiny.
        rows["value"].append(value_function(optimal_discriminator(a, b), a, b, x,
                                            one_minus_d=optimal_discriminator(b, a)))
        rows["identity"].append(-LOG4 + 2.0 * divergence)
        rows["identity_quad"].append(-LOG4 + 2.0 * jsd_quad(p_data, q))
        rows["jsd"].append(divergence)
        rows["w1"].append(wasserstein1(p_data, q, x))
    return {k: np.asarray(v) for k, v in rows.items()}


# --- the non-saturating generator against D*: a gradient identity, not a value identity -------
def mixture_of(p: Mixture1D, q: Mixture1D) -> Mixture1D:
    """m = (p + q)/2, exactly, as one mixture (the midpoint density of the JSD)."""
    return Mixture1D(p.means + q.means, p.stds + q.stds,
                     tuple(0.5 * w for w in p.weights + q.weights))


def kl_gl(p: Mixture1D, q: Mixture1D) -> float:
    """KL(p ‖ q) = ∫ p (log p − log q) by Gauss–Legendre quadrature, with log-densities
    (finite wherever both Gaussian mixtures are, so no 0·log 0 cases arise)."""
    return _gauss_legendre(lambda t: p.pdf(t) * (p.logpdf(t) - q.logpdf(t)), p, q)


def jsd_gl(p: Mixture1D, q: Mixture1D) -> float:
    """JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) by Gauss–Legendre quadrature (nats)."""
    m = mixture_of(p, q)
    return 0.5 * kl_gl(p, m) + 0.5 * kl_gl(q, m)


def nonsaturating_cost(p_g: Mixture1D, p_data: Mixture1D,
                       d_star_of: Mixture1D | None = None) -> float:
    """The non-saturating generator cost against the optimal discriminator (thesis §3.1),
    E_{x∼p_g}[−log D*(x)] with D* = p_data/(p_data + p_d), by Gauss–Legendre quadrature.

    ``d_star_of`` is the generator density p_d that D* was made for; by default p_g itself
    (D* optimal for the current generator). Holding it fixed while p_g moves is what a
    generator update does: D is a separate network, not differentiated through. −log D* =
    log(1 + p_d/p_data) is computed from log-densities so it stays finite in the tails."""
    ref = p_g if d_star_of is None else d_star_of

    def integrand(t):
        return p_g.pdf(t) * np.logaddexp(0.0, ref.logpdf(t) - p_data.logpdf(t))

    return _gauss_legendre(integrand, p_g, p_data, ref)


def kl_minus_two_jsd(p_g: Mixture1D, p_data: Mixture1D) -> float:
    """KL(p_g ‖ p_data) − 2·JSD(p_data ‖ p_g) by quadrature: the criterion whose gradient the
    non-saturating generator follows against D* (Arjovsky and Bottou 2017, Theorem 2.5)."""
    return kl_gl(p_g, p_data) - 2.0 * jsd_gl(p_data, p_g)


def nonsaturating_offset(p_g: Mixture1D, p_data: Mixture1D) -> float:
    """log 2 + KL(p_data ‖ m), m = (p_data + p_g)/2: what separates the *value* of the
    non-saturating cost from KL(p_g ‖ p_data) − 2·JSD (thesis §3.1). Derivation, with
    D* = p_data/(2m):  E_g[−log D*] = log 2 + E_g[log(m/p_data)]
    = log 2 + KL(p_g ‖ p_data) − KL(p_g ‖ m), and KL(p_g ‖ m) = 2·JSD − KL(p_data ‖ m).
    The offset depends on p_g, so the two criteria differ in value (by at least log 2)."""
    return LOG2 + kl_gl(p_data, mixture_of(p_data, p_g))


def nonsaturating_family(p_data: Mixture1D, p_g: Mixture1D, shifts, h: float = 1e-4) -> dict:
    """For each shift θ of ``p_g`` (p_θ = p_g moved by θ), against ``p_data`` (thesis §3.1):

    * ``cost``: E_{p_θ}[−log D*_θ], the non-saturating cost with D* optimal for p_θ;
    * ``criterion``: KL(p_θ ‖ p_data) − 2·JSD(p_data ‖ p_θ);
    * ``offset``: log 2 + KL(p_data ‖ m_θ), computed on its own (cost − criterion should equal it);
    * ``grad_cost``: d/dθ E_{p_θ}[−log D*_{θ0}] at θ = θ0, D* held at θ0 (what G's update
      follows), by central finite differences of step ``h``;
    * ``grad_criterion``: d/dθ (KL − 2·JSD) at θ0, by the same finite differences;
    * ``grad_moving``: d/dθ of ``cost`` with D* re-optimised at every θ (not what training
      does; it differs from the other two by d/dθ KL(p_data ‖ m_θ)).

    Arjovsky and Bottou (2017, Theorem 2.5) state ``grad_cost`` = ``grad_criterion``; the values
    ``cost`` and ``criterion`` differ by ``offset``. Returns a dict of NumPy arrays."""
    keys = ("shift", "cost", "criterion", "offset", "grad_cost", "grad_criterion", "grad_moving")
    rows = {k: [] for k in keys}
    for theta in map(float, shifts):
        q0, up, down = p_g.shifted(theta), p_g.shifted(theta + h), p_g.shifted(theta - h)
        rows["shift"].append(theta)
        rows["cost"].append(nonsaturating_cost(q0, p_data))
        rows["criterion"].append(kl_minus_two_jsd(q0, p_data))
        rows["offset"].append(nonsaturating_offset(q0, p_data))
        rows["grad_cost"].append((nonsaturating_cost(up, p_data, d_star_of=q0) -
                                  nonsaturating_cost(down, p_data, d_star_of=q0)) / (2 * h))
        rows["grad_criterion"].append((kl_minus_two_jsd(up, p_data) -
                                       kl_minus_two_jsd(down, p_data)) / (2 * h))
        rows["grad_moving"].append((nonsaturating_cost(up, p_data) -
                                    nonsaturating_cost(down, p_data)) / (2 * h))
    return {k: np.asarray(v) for k, v in rows.items()}


# --- the generator's two losses as functions of D(G(z)) (§3.2, vanishing gradient) ------------
def generator_losses(d):
    """The generator's loss per sample as a function of the discriminator's output d = D(G(z)):
    ``minimax`` log(1 − d) (G minimises it; the thesis's value function) and
    ``non_saturating`` −log d (Goodfellow et al. 2014, §3; the DCGAN's)."""
    d = np.asarray(d, dtype="float64")
    return {"minimax": np.log1p(-d), "non_saturating": -np.log(d)}


def generator_logit_gradients(d):
    """Derivative of each loss with respect to D's logit a (d = σ(a)), the signal that reaches
    G's weights: d/da log(1 − σ(a)) = −d, which vanishes as D becomes sure (d → 0) that G's
    samples are fake; d/da (−log σ(a)) = −(1 − d), which tends to −1 there."""
    d = np.asarray(d, dtype="float64")
    return {"minimax": -d, "non_saturating": -(1.0 - d)}
