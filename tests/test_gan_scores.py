"""Precision, recall, density, coverage, KID, FD∞ and their bootstrap intervals
(thesis_lib.evaluation.manifold, .kernel, .gan_scores), checked against the reference ``prdc``
package, a direct quadratic-time KID written here, and known answers on synthetic data. All
NumPy: marked ``all_backends`` so that they also run under JAX and PyTorch."""

import contextlib
import io
import itertools

import numpy as np
import pytest

from thesis_lib.evaluation import gan_scores, kernel, manifold
from thesis_lib.evaluation.metrics import frechet_distance

pytestmark = pytest.mark.all_backends


def _blobs(rng, n, centres, scale=0.3):
    centres = np.asarray(centres, dtype=float)
    which = rng.integers(0, len(centres), n)
    return centres[which] + scale * rng.normal(size=(n, centres.shape[1]))


# --- precision, recall, density, coverage -----------------------------------------------------

@pytest.mark.parametrize("seed, k, n_real, n_fake, shift",
                         [(0, 3, 300, 250, 0.3), (1, 5, 200, 400, 1.0), (2, 3, 500, 500, 0.0)])
def test_prdc_equals_the_reference_package(seed, k, n_real, n_fake, shift):
    prdc = pytest.importorskip("prdc")
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n_real, 16))
    fake = rng.normal(size=(n_fake, 16)) * 1.2 + shift
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints the sample sizes
        expected = prdc.compute_prdc(real, fake, nearest_k=k)
    got = manifold.prdc(real, fake, k)
    for name in ("precision", "recall", "density", "coverage"):
        assert got[name] == pytest.approx(float(expected[name]), abs=1e-12), name


def test_knn_radii_match_a_sort():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 4))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    for k in (1, 3, 7):
        np.testing.assert_allclose(manifold.knn_radii(x, k), np.sort(d, axis=1)[:, k],
                                   atol=1e-9)


def test_identical_samples_score_one_and_disjoint_ones_zero():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(300, 8))
    same = manifold.prdc(real, real.copy(), 3)
    assert same["precision"] == same["recall"] == same["coverage"] == 1.0
    assert same["density"] >= 1.0  # each item sits in its own ball and in k others' at least
    far = manifold.prdc(real, real + 100.0, 3)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_missing_half_the_modes_lowers_recall_not_precision():
    rng = np.random.default_rng(5)
    centres = 6.0 * np.eye(8)[:4]
    real = _blobs(rng, 2000, centres)
    full = manifold.prdc(real, _blobs(rng, 2000, centres), 3)
    half = manifold.prdc(real, _blobs(rng, 2000, centres[:2]), 3)
    assert half["precision"] > full["precision"] - 0.05
    assert abs(half["recall"] - full["recall"] / 2) < 0.05
    assert abs(half["coverage"] - full["coverage"] / 2) < 0.05
    assert full["recall"] > 0.8 and full["coverage"] > 0.8


def test_weights_of_one_reproduce_the_metrics_and_repeats_keep_precision_a_mean():
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(200, 5)), rng.normal(size=(150, 5)) + 0.4
    m = manifold.Manifolds(real, fake, 3)
    assert m.metrics(np.ones(150)) == m.metrics()
    w = rng.integers(0, 3, 150)
    idx = np.repeat(np.arange(150), w)
    inside = np.array([(np.linalg.norm(real - f, axis=1) < m.real_radii).sum() for f in fake])
    assert m.metrics(w)["precision"] == pytest.approx(np.mean(inside[idx] > 0))
    assert m.metrics(w)["density"] == pytest.approx(np.mean(inside[idx]) / 3)
    with pytest.raises(ValueError, match="one count per generated item"):
        m.metrics(np.ones(10))


def test_bad_features_are_refused_with_the_problem_named():
    with pytest.raises(ValueError, match="2-D array"):
        manifold.prdc(np.zeros(5), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="differ in width"):
        manifold.prdc(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="k must lie between"):
        manifold.knn_radii(np.zeros((4, 2)), 4)


# --- KID --------------------------------------------------------------------------------------

def _direct_mmd2(x, y):
    """Unbiased MMD² with the cubic kernel, pair by pair: the quadratic-time formula."""
    d = x.shape[1]

    def k(a, b):
        return (float(np.dot(a, b)) / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(m), 2)) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(n), 2)) / (n * (n - 1))
    xy = sum(k(a, b) for a in x for b in y) / (m * n)
    return xx + yy - 2 * xy


def test_kid_equals_the_direct_quadratic_formula():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(40, 6)), rng.normal(size=(35, 6)) * 1.3 + 0.2
    assert kernel.kid_full(x, y) == pytest.approx(_direct_mmd2(x, y), rel=1e-10)
    # the published convention: the same subsets, drawn by the same generator
    got = kernel.kid(x, y, subsets=4, subset_size=20, seed=11)
    draw = np.random.default_rng(11)
    values = []
    for _ in range(4):
        xs = x[draw.choice(40, 20, replace=False)]
        ys = y[draw.choice(35, 20, replace=False)]
        values.append(_direct_mmd2(xs, ys))
    assert got["kid"] == pytest.approx(np.mean(values), rel=1e-10)
    assert got["kid_sd"] == pytest.approx(np.std(values), rel=1e-8)


def test_kid_bootstrap_weights_leave_out_copies_of_one_image():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(25, 4)) + 0.5
    sums = kernel.KernelSums(x, y)
    assert sums.value(np.ones(25)) == pytest.approx(kernel.kid_full(x, y))
    w = rng.integers(0, 3, 25)
    idx = np.repeat(np.arange(25), w)
    d = y.shape[1]
    pairs = [(a, b) for a, b in itertools.permutations(range(len(idx)), 2) if idx[a] != idx[b]]
    yy = np.mean([(y[idx[a]] @ y[idx[b]] / d + 1) ** 3 for a, b in pairs])
    xx = np.mean([(x[i] @ x[j] / d + 1) ** 3 for i, j in itertools.permutations(range(30), 2)])
    xy = np.mean([(a @ b / d + 1) ** 3 for a in x for b in y[idx]])
    assert sums.value(w) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)
    both = sums.value(np.stack([w, np.ones(25)], axis=1))
    assert both == pytest.approx([sums.value(w), sums.value()])


def test_kid_is_unbiased_where_the_plain_average_is_not():
    rng = np.random.default_rng(9)
    values, biased = [], []
    for _ in range(40):
        x, y = rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
        values.append(kernel.kid_full(x, y))
        k = kernel.polynomial_kernel
        biased.append(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())
    se = np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(np.mean(values)) < 3 * se          # centred on the true 0
    assert np.mean(biased) > 10 * se              # keeping the diagonal is biased upward
    assert kernel.kid_full(rng.normal(size=(60, 4)), rng.normal(size=(60, 4)) + 1) > 0.1


def test_kid_refuses_a_subset_larger_than_a_sample():
    with pytest.raises(ValueError, match="subset_size"):
        kernel.kid(np.zeros((10, 2)), np.zeros((5, 2)), subset_size=8)


# --- the Fréchet distance against N, FD∞, bootstrap intervals ----------------------------------

def test_fd_infinity_recovers_an_exact_line_and_the_bias_of_small_samples():
    sizes = [1000, 2000, 5000, 10000]
    fit = gan_scores.fd_infinity(sizes, [3.0 + 800.0 / n for n in sizes])
    assert fit["fd_inf"] == pytest.approx(3.0) and fit["slope"] == pytest.approx(800.0)
    rng = np.random.default_rng(10)
    reference, same = rng.normal(size=(8000, 6)), rng.normal(size=(8000, 6))
    curve = gan_scores.fd_curve(reference, same, sizes=(250, 1000, 2000, 8000), seed=1)
    values = curve["frechet_distance"]
    assert values == sorted(values, reverse=True)       # fewer samples, larger distance
    inf = gan_scores.fd_infinity(curve["sizes"], values)["fd_inf"]
    assert abs(inf) < values[-1] / 2                    # the extrapolation removes most bias
    with pytest.raises(ValueError, match="two sizes"):
        gan_scores.fd_infinity([250, 500, 1000], [1, 1, 1])


def test_bootstrap_spread_matches_the_spread_of_independent_samples():
    """The interval's width is the point: the bootstrap sd from one sample must be close to the
    sd over fresh samples of the same distribution (what the interval claims to measure)."""
    rng = np.random.default_rng(12)
    reference = rng.normal(size=(1500, 3))

    def draw():
        return rng.normal(size=(600, 3)) * 1.1 + 0.1

    fresh = {"frechet_distance": [], "precision": [], "kid": []}
    for _ in range(30):
        f = draw()
        fresh["frechet_distance"].append(frechet_distance(f, reference))
        fresh["precision"].append(manifold.prdc(reference, f, 3)["precision"])
        fresh["kid"].append(kernel.kid_full(reference, f))
    probs = rng.dirichlet(np.ones(10), size=600)
    out = gan_scores.score(reference, draw(), probs, replicates=100, seed=3, curve=False,
                           kid_subsets=5, kid_subset_size=300)
    for name, values in fresh.items():
        ratio = out["metrics"][name]["sd"] / np.std(values, ddof=1)
        assert 0.5 < ratio < 2.0, (name, ratio)
        m = out["metrics"][name]
        assert m["low"] < m["value"] < m["high"]
    assert out["n_generated"] == 600 and out["n_reference"] == 1500


def test_the_paired_fd_difference_cancels_what_both_samples_share():
    """Two "generators" fed the same latent points: b = a + a fixed shift. The difference's
    value is FD(a) − FD(b) computed directly; its bootstrap sd is close to the sd over fresh
    latent samples (paired, as the interval claims), and far below what unpaired samples give."""
    rng = np.random.default_rng(5)
    reference = rng.normal(size=(1500, 3))
    shift = np.array([0.3, 0.0, 0.0])

    def pair():
        a = rng.normal(size=(600, 3)) * 1.1 + 0.1
        return a, a + shift

    a, b = pair()
    out = gan_scores.paired_fd_difference(reference, a, b, replicates=100, seed=2)
    d = out["difference"]
    assert d["value"] == pytest.approx(frechet_distance(a, reference)
                                       - frechet_distance(b, reference))
    assert out["frechet_distance_a"] == pytest.approx(frechet_distance(a, reference))
    assert d["low"] < d["value"] < d["high"] and out["n"] == 600
    fresh = [frechet_distance(x, reference) - frechet_distance(y, reference)
             for x, y in (pair() for _ in range(30))]
    ratio = d["sd"] / np.std(fresh, ddof=1)
    assert 0.5 < ratio < 2.0, ratio
    unpaired = [frechet_distance(pair()[0], reference) - frechet_distance(pair()[1], reference)
                for _ in range(30)]
    assert np.std(unpaired, ddof=1) > 1.5 * np.std(fresh, ddof=1)
    same = gan_scores.paired_fd_difference(reference, a, a, replicates=20)
    assert same["difference"]["value"] == 0 and same["difference"]["sd"] == 0
    with pytest.raises(ValueError, match="same latent points"):
        gan_scores.paired_fd_difference(reference, a, b[:10])


def test_bootstrap_interval_needs_replicates():
    with pytest.raises(ValueError, match="at least 20"):
        gan_scores.bootstrap_interval(1.0, [1.0] * 5)


def test_per_class_rows_give_shares_and_metrics_only_for_digits_with_enough_images():
    rng = np.random.default_rng(13)
    centres = 5.0 * np.eye(4)
    ref_labels = np.repeat(np.arange(4), 300)
    reference = centres[ref_labels] + 0.3 * rng.normal(size=(1200, 4))
    classes = np.array([0] * 500 + [1] * 450 + [2] * 50)  # no digit 3; few 2s
    fake = centres[classes] + 0.3 * rng.normal(size=(1000, 4))
    rows = gan_scores.per_class(reference, ref_labels, fake, classes,
                                floor_features=reference, floor_labels=ref_labels)
    assert [r["count"] for r in rows] == [500, 450, 50, 0]
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert rows[0]["share_low"] < 0.5 < rows[0]["share_high"]
    assert "frechet_distance" in rows[0] and "frechet_distance" not in rows[2]
    assert rows[0]["precision"] > 0.9 and rows[0]["floor_frechet_distance"] >= 0
