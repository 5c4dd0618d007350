"""A GAN run's full score on the evaluator's features (book section «Cómo se mide una GAN»,
beside thesis §3.3 and §4.2): the Fréchet distance at several sample sizes and its value
extrapolated to infinitely many samples (Chong & Forsyth 2020), KID, precision, recall, density
and coverage, the MNIST score, each with a bootstrap interval over the generated images, and
the same restricted to each digit.

Bootstrap: ``replicates`` draws, with replacement, of the generated images; the real reference
stays fixed. Each interval is the estimate ± 1.96 standard deviations of its replicates
(:func:`bootstrap_interval`). KID's replicates leave out the pairs of an image with its own
copy; recall's generated balls keep the radii of the full sample
(:meth:`thesis_lib.evaluation.manifold.Manifolds.metrics`).
"""

from __future__ import annotations

import numpy as np

from thesis_lib.evaluation import kernel, manifold
from thesis_lib.evaluation.metrics import class_coverage, frechet_distance, mnist_score
from thesis_lib.intervals import wilson

SIZES = (250, 500, 1000, 2000, 5000, 10_000)
FIT_FROM = 1000  # the 1/N line is fitted on sizes ≥ this (well above the 64 features)
MIN_CLASS = 100  # per-digit metrics need at least this many images of the digit


# Where each metric can lie: an interval is cut there (a share near 0 would otherwise reach
# below it).
BOUNDS = {"frechet_distance": (0.0, None), "mnist_score": (1.0, None), "kid": (None, None),
          "precision": (0.0, 1.0), "recall": (0.0, 1.0), "density": (0.0, None),
          "coverage": (0.0, 1.0)}


def bootstrap_interval(estimate: float, replicates, level: float = 0.95,
                       bounds=(None, None)) -> dict:
    """``estimate`` ± z·sd of its bootstrap ``replicates`` (the normal bootstrap interval).

    The spread, not the percentiles: a resample repeats about a third of the images, which
    moves the Fréchet distance, recall and coverage of a replicate away from the estimate (it
    behaves like a smaller sample), so percentile intervals would sit beside the estimate."""
    from scipy.stats import norm

    r = np.asarray(replicates, dtype=float)
    if len(r) < 20:
        raise ValueError(f"need at least 20 bootstrap replicates, got {len(r)}.")
    sd = float(r.std(ddof=1))
    half = float(norm.ppf(0.5 + level / 2)) * sd
    low, high = float(estimate) - half, float(estimate) + half
    if bounds[0] is not None:
        low = max(low, bounds[0])
    if bounds[1] is not None:
        high = min(high, bounds[1])
    return {"value": float(estimate), "sd": sd, "low": low, "high": high}


def fd_curve(reference, features, sizes=SIZES, draws: int = 3, seed: int = 0) -> dict:
    """Mean Fréchet distance of ``draws`` subsets of ``features`` of each size (all of them at
    the largest) to the whole ``reference``; sizes above the sample are left out."""
    features = np.asarray(features)
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in sizes if n <= len(features)]
    values = []
    for n in sizes:
        reps = 1 if n == len(features) else draws
        values.append(float(np.mean([
            frechet_distance(features[rng.choice(len(features), n, replace=False)], reference)
            for _ in range(reps)])))
    return {"sizes": sizes, "frechet_distance": values}


def fd_infinity(sizes, values, fit_from: int = FIT_FROM) -> dict:
    """The least-squares line FD(N) = FD∞ + slope / N through the sizes ≥ ``fit_from``:
    its intercept is the distance with infinitely many samples (Chong & Forsyth 2020)."""
    n = np.asarray(sizes, dtype=float)
    v = np.asarray(values, dtype=float)
    keep = n >= fit_from
    if keep.sum() < 2:
        raise ValueError(f"need at least two sizes ≥ {fit_from} to extrapolate, got "
                         f"{n[keep].tolist()}.")
    slope, intercept = np.polyfit(1.0 / n[keep], v[keep], 1)
    return {"fd_inf": float(intercept), "slope": float(slope),
            "fit_sizes": n[keep].astype(int).tolist()}


def paired_fd_difference(reference_features, features_a, features_b, *, replicates: int = 200,
                         seed: int = 0, level: float = 0.95) -> dict:
    """FD(a) − FD(b) against the same ``reference_features``, where row i of ``features_a`` and
    of ``features_b`` come from the same latent point (two generators of one run fed the same
    z): the bootstrap resamples the latent points, the same rows for both, so what the two
    samples share cancels in the spread. Returns each distance and the difference's
    :func:`bootstrap_interval` (book §4.2, "when to stop": a generator picked as the best of
    many noisy per-epoch measurements, re-measured on fresh samples beside the last one)."""
    ref = np.asarray(reference_features, dtype=np.float64)
    a, b = (np.asarray(f, dtype=np.float64) for f in (features_a, features_b))
    if a.shape != b.shape:
        raise ValueError(f"the paired samples differ in shape: {a.shape} vs {b.shape}; feed "
                         "both generators the same latent points.")
    fd_a, fd_b = frechet_distance(a, ref), frechet_distance(b, ref)
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(replicates):
        idx = rng.integers(0, len(a), len(a))
        reps.append(frechet_distance(a[idx], ref) - frechet_distance(b[idx], ref))
    return {"n": len(a), "n_reference": len(ref), "replicates": replicates, "seed": seed,
            "frechet_distance_a": fd_a, "frechet_distance_b": fd_b,
            "difference": bootstrap_interval(fd_a - fd_b, reps, level)}


def _weights(rng, n: int, replicates: int) -> np.ndarray:
    """(n, replicates) counts: how many times each item is drawn in each resample."""
    return np.stack([np.bincount(rng.integers(0, n, n), minlength=n)
                     for _ in range(replicates)], axis=1)


def score(reference_features, features, probabilities, *, k: int = 3, replicates: int = 200,
          seed: int = 0, curve: bool = True, kid_subsets: int = 100,
          kid_subset_size: int = 1000) -> dict:
    """Every metric of ``features``/``probabilities`` (generated images, through the evaluator)
    against ``reference_features`` (real test images), with its bootstrap interval:
    ``{name: {"value", "low", "high"}}`` plus the sample sizes, KID's subset convention and,
    with ``curve``, the Fréchet distance against N and FD∞ (its interval from refitting the
    curve on ``replicates // 4`` resamples)."""
    ref = np.asarray(reference_features, dtype=np.float64)
    feats = np.asarray(features, dtype=np.float64)
    probs = np.asarray(probabilities, dtype=np.float64)
    if len(feats) != len(probs):
        raise ValueError(f"features and probabilities describe different numbers of images: "
                         f"{len(feats)} vs {len(probs)}.")
    rng = np.random.default_rng(seed)
    w = _weights(rng, len(feats), replicates)
    reps: dict[str, list] = {}
    point: dict[str, float] = {"frechet_distance": frechet_distance(feats, ref),
                               "mnist_score": mnist_score(probs)[0]}
    for b in range(replicates):
        idx = np.repeat(np.arange(len(feats)), w[:, b])
        reps.setdefault("frechet_distance", []).append(frechet_distance(feats[idx], ref))
        reps.setdefault("mnist_score", []).append(mnist_score(probs[rng.permutation(idx)])[0])
    sums = kernel.KernelSums(ref, feats)
    point["kid"] = sums.value()
    reps["kid"] = list(sums.value(w))
    manifolds = manifold.Manifolds(ref, feats, k)
    point.update(manifolds.metrics())
    for b in range(replicates):
        for name, v in manifolds.metrics(w[:, b]).items():
            reps.setdefault(name, []).append(v)
    out = {"n_generated": len(feats), "n_reference": len(ref), "k": k,
           "replicates": replicates, "seed": seed, "metrics": {}}
    for name, value in point.items():
        out["metrics"][name] = bootstrap_interval(value, reps[name],
                                                  bounds=BOUNDS.get(name, (None, None)))
    conv = kernel.kid(ref, feats, kid_subsets, min(kid_subset_size, len(feats), len(ref)),
                      seed)
    out["kid_subsets"] = conv
    coverage = class_coverage(probs)
    out["classes_covered"] = coverage["classes_covered"]
    if curve:
        out["fd_curve"] = fd_curve(ref, feats, seed=seed)
        out["fd_inf"] = fd_infinity(out["fd_curve"]["sizes"], out["fd_curve"]["frechet_distance"])
        inf_reps = []
        for b in range(max(20, replicates // 4)):
            idx = np.repeat(np.arange(len(feats)), w[:, b])
            c = fd_curve(ref, feats[idx], seed=seed + 1 + b, draws=1)
            inf_reps.append(fd_infinity(c["sizes"], c["frechet_distance"])["fd_inf"])
        ci = bootstrap_interval(out["fd_inf"]["fd_inf"], inf_reps)
        out["fd_inf"].update(sd=ci["sd"], low=ci["low"], high=ci["high"])
    return out


def per_class(reference_features, reference_labels, features, classes, *, k: int = 3,
              floor_features=None, floor_labels=None, min_class: int = MIN_CLASS,
              seed: int = 0) -> list[dict]:
    """The metrics restricted to each digit: the generated images whose class (the one the
    evaluator assigns, or the one a conditional generator was asked for) is d, against the real
    reference images of digit d. Each row gives the digit's share with its Wilson interval; the
    Fréchet distance, precision, recall, density and coverage only where the digit has at least
    ``min_class`` images. With ``floor_features``/``floor_labels`` (other real images), the
    Fréchet distance of as many real images of d as the generator drew, the floor at that
    size."""
    classes = np.asarray(classes)
    ref_labels = np.asarray(reference_labels)
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(int(ref_labels.max()) + 1):
        mine = np.asarray(features)[classes == d]
        lo, hi = wilson(len(mine), len(classes))
        row = {"digit": d, "count": int(len(mine)), "share": len(mine) / len(classes),
               "share_low": lo, "share_high": hi}
        real = np.asarray(reference_features)[ref_labels == d]
        if len(mine) >= min_class:
            row["frechet_distance"] = frechet_distance(mine, real)
            row.update(manifold.prdc(real, mine, k))
            if floor_features is not None:
                pool = np.asarray(floor_features)[np.asarray(floor_labels) == d]
                take = rng.choice(len(pool), min(len(mine), len(pool)), replace=False)
                row["floor_frechet_distance"] = frechet_distance(pool[take], real)
        rows.append(row)
    return rows
