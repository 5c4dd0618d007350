"""Checks of the thesis's statements in §3 (GANs), §4 (Keras, MNIST, the classifiers and the
DCGAN) and its reference list that the ledger (results/claims.yml) had no row for.

Each test sets a statement of the thesis against an independent reference: exact arithmetic
(``fractions``), a second implementation (SciPy's optimal transport and linear programs, Keras
against NumPy), finite differences, the MNIST files, or the text of the cited source. None trains
a network: the few models built here are only called once or differentiated once.
"""

from __future__ import annotations

import inspect
import re
from fractions import Fraction
from pathlib import Path

import keras
import numpy as np
import pytest
from scipy import optimize, stats

from thesis_lib import data
from thesis_lib.gan import losses
from thesis_lib.gan.model import GAN, make_optimizer
from thesis_lib.models import classifiers, dcgan
from thesis_lib.profiles import get_config

ROOT = Path(__file__).resolve().parent.parent


def _np(x) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x), dtype="float64")


def _bib_entries() -> dict[int, str]:
    """references.bib's entries that transcribe the thesis's list, by their number [1]-[26]."""
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    entries = {}
    for chunk in re.split(r"\n@", bib):
        number = re.search(r"thesisnumber = \{(\d+)\}", chunk)
        if number:
            entries[int(number.group(1))] = chunk
    return entries


def _field(entry: str, name: str) -> str:
    return re.search(rf"\b{name} = \{{(.*)\}},?\n", entry).group(1)


# --- §3 (introduction) and the reference list -------------------------------------------------
def test_gans_date_from_2014_and_goodfellow_is_the_first_author_of_reference_2():
    """§3: "sólo existen desde 2014 [2]"; Goodfellow "considerado como su creador [2]". The
    arXiv identifier of [2] encodes its submission month (YYMM), independently of its year."""
    ref = _bib_entries()[2]
    assert _field(ref, "author").startswith("Goodfellow, Ian")
    assert _field(ref, "year") == "2014"
    yymm = re.search(r"(\d{2})(\d{2})\.\d{4,5}", _field(ref, "volume"))
    assert (2000 + int(yymm.group(1)), int(yymm.group(2))) == (2014, 6)


def test_arxiv_identifiers_in_the_reference_list_match_their_years():
    """Reference list: every identifier the thesis gives (abs/YYMM.NNNNN for [2], [14], [20],
    [21] and [24]) was submitted in the year the list states."""
    entries, checked = _bib_entries(), []
    for number in (2, 14, 20, 21, 24):
        entry = entries[number]
        found = re.search(r"(?:abs/|arXiv:)(\d{2})(\d{2})\.\d{4,5}", entry)
        assert found, f"[{number}] has no arXiv identifier"
        assert 2000 + int(found.group(1)) == int(_field(entry, "year")), number
        checked.append(number)
    assert checked == [2, 14, 20, 21, 24]
    # [26] (Adam) is dated 2017 in the thesis: the year of the arXiv revision, not of the paper
    # (identifier 1412.6980, December 2014; ICLR 2015).
    adam = entries[26]
    assert _field(adam, "year") == "2017" and "1412.6980" in adam


# The opening lines of the cited works' own abstracts (arXiv), the source the thesis reads.
ABSTRACT_16 = (  # https://arxiv.org/abs/1905.08233 and its figure 1 caption
    "We show that such an approach is able to learn highly realistic and personalized talking "
    "head models of new people and even portrait paintings. ... using face landmarks of a "
    "different person")
ABSTRACT_17 = (  # https://arxiv.org/abs/1705.10413
    "We show the effectiveness of our methods on the problem of synthesizing projections of 3D "
    "objects with the possibility of interpolation by class and view point.")


def test_reference_16_animates_portrait_paintings_with_another_persons_face():
    """§3: [16] animates a portrait such as the Mona Lisa with another person's face movement."""
    assert "portrait paintings" in ABSTRACT_16
    assert "landmarks of a different person" in ABSTRACT_16
    assert "talking head" in _field(_bib_entries()[16], "title")


def test_reference_17_synthesises_views_of_3d_objects_not_3d_from_a_2d_image():
    """§3 says [17] generates 3D objects "al pasar de una imagen 2D a una interpretación
    tridimensional". Its abstract speaks of images: projections of 3D objects (chairs) drawn
    for a class and a viewpoint; no 3D output, no 2D image as input."""
    assert "projections of 3D objects" in ABSTRACT_17
    assert "class and view point" in ABSTRACT_17
    for phrase in ("from a single image", "3D reconstruction", "from a 2D image", "voxel", "mesh"):
        assert phrase not in ABSTRACT_17
    assert "chairs" in _field(_bib_entries()[17], "title")


# --- §3.1 -------------------------------------------------------------------------------------
def test_latent_points_are_drawn_from_a_standard_normal():
    """§3.1 and §4.2: z is sampled from a standard normal. Both samplers of thesis_lib, the one
    inside the training step and the NumPy one of monitors and metrics, against SciPy's N(0, 1)
    (Kolmogorov–Smirnov) and the identity covariance."""
    gan = GAN(dcgan.discriminator(filters=4), dcgan.generator(filters=4), 100, seed=3)
    in_step = _np(gan.sample_latent(4000))
    numpy_side = gan.numpy_latent(4000, np.random.default_rng(3)).astype("float64")
    for z in (in_step, numpy_side):
        assert z.shape == (4000, 100)
        assert stats.kstest(z.ravel(), "norm").pvalue > 1e-3
        cov = np.cov(z, rowvar=False)
        assert np.abs(np.diag(cov) - 1).max() < 0.15
        assert np.abs(cov - np.diag(np.diag(cov))).max() < 0.1
    # The check can fail: a uniform draw of the same size is rejected.
    assert stats.kstest(np.random.default_rng(0).uniform(-2, 2, 400_000), "norm").pvalue < 1e-6


def _toy_gan(seed=0):
    gen = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dense(1)])
    disc = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    gan = GAN(disc, gen, 4, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def test_the_generator_learns_only_through_the_discriminator():
    """§3.1: G never uses real data and learns only from D's verdicts. G's update takes no
    real images at all, and with a D that answers the same for every input (last kernel 0)
    G's weights do not move; with any other D they do."""
    for method in (GAN.generator_step, GAN.generator_objective, GAN.generator_update):
        assert not {"real", "images", "x", "data"} & set(inspect.signature(method).parameters)
    keras.utils.set_random_seed(0)
    gan = _toy_gan()
    last = gan.discriminator.layers[-1]
    kernel, bias = last.get_weights()
    before = [w.copy() for w in gan.generator.get_weights()]
    last.set_weights([np.zeros_like(kernel), bias])
    gan.generator_update(64)
    assert all(np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))
    last.set_weights([np.ones_like(kernel), bias])  # a D that does depend on its input
    gan.generator_update(64)
    assert not all(np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))


def test_maximising_ds_loss_in_g_is_the_minimax_cost_and_both_costs_push_the_same_way():
    """§3.1: "se actualizan los pesos del Generador para maximizar la función de pérdida del
    Discriminador". D's binary cross-entropy depends on G only through −½·mean log(1 − D(G(z))),
    so maximising it is minimising the minimax cost mean log(1 − D(G(z))); the non-saturating
    cost that the DCGAN uses falls in the same direction (both derivatives negative)."""
    real = np.array([[0.9], [0.6], [0.8]], "float32")
    rng = np.random.default_rng(0)
    bce, minimax = losses.get("non_saturating").d_loss, losses.get("minimax").g_loss
    for _ in range(5):
        f1, f2 = (rng.uniform(0.05, 0.95, (3, 1)).astype("float32") for _ in range(2))
        lhs = float(_np(bce(real, f1)) - _np(bce(real, f2)))
        rhs = -0.5 * float(_np(minimax(f1)) - _np(minimax(f2)))
        assert lhs == pytest.approx(rhs, rel=1e-4, abs=1e-6)
    d = np.linspace(0.01, 0.99, 99)
    assert np.all(np.gradient(np.log1p(-d), d) < 0) and np.all(np.gradient(-np.log(d), d) < 0)


def _logit_gradient(cost, d, h=1e-6):
    a = np.log(d) - np.log1p(-d)  # the logit with σ(a) = d
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    return (cost(sig(a + h)) - cost(sig(a - h))) / (2 * h)


def test_g_is_updated_more_when_d_spots_its_samples_and_gets_no_signal_once_it_fools_d():
    """§4.2: G "se actualiza más" when D detects its samples and less when D is confused; §3.1:
    a G that fools D completely gets no indication how to improve. The derivative of the
    non-saturating cost −log D with respect to D's logit, by central differences, is
    −(1 − D(G(z))): largest in size at D(G(z)) → 0 and vanishing at D(G(z)) → 1. The minimax
    cost log(1 − D) behaves the other way (−D), which is why the DCGAN does not use it."""
    d = np.array([1e-3, 0.1, 0.5, 0.9, 0.999])
    ns = _logit_gradient(lambda p: -np.log(p), d)
    mm = _logit_gradient(lambda p: np.log1p(-p), d)
    np.testing.assert_allclose(ns, -(1 - d), rtol=1e-5)
    np.testing.assert_allclose(mm, -d, rtol=1e-5)
    assert np.all(np.diff(np.abs(ns)) < 0) and abs(ns[-1]) < 1e-2 and abs(ns[0]) > 0.99
    assert np.all(np.diff(np.abs(mm)) > 0) and abs(mm[-1]) > 0.99


def test_generated_images_labelled_real_give_the_non_saturating_cost():
    """§4.2 (and Algorithm 1, line 17): G trains on its samples labelled real (class 1). The
    library's generator cost equals Keras's binary cross-entropy with target 1."""
    fake = np.array([[0.2], [0.7], [0.05], [0.5]], "float32")
    ours = float(_np(losses.get("non_saturating").g_loss(fake)))
    keras_bce = float(_np(keras.losses.BinaryCrossentropy()(np.ones_like(fake), fake)))
    assert ours == pytest.approx(keras_bce, rel=1e-5)
    assert ours == pytest.approx(-np.mean(np.log(fake)), rel=1e-5)


# --- §3.2 -------------------------------------------------------------------------------------
def test_gradients_shrink_geometrically_through_a_chain_of_sigmoids():
    """§3.2: gradients become smaller as they travel back through many layers (here L sigmoid
    units in a chain): the derivative, by central differences, is the product of the local
    derivatives σ'(·) ≤ ¼, so at most 4^−L."""
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731

    def chain(x, depth):
        for _ in range(depth):
            x = sig(x)
        return x

    x0, h, previous = 0.3, 1e-6, 1.0
    for depth in range(1, 9):
        fd = (chain(x0 + h, depth) - chain(x0 - h, depth)) / (2 * h)
        local, x = 1.0, x0
        for _ in range(depth):
            local *= sig(x) * (1 - sig(x))
            x = sig(x)
        assert fd == pytest.approx(local, rel=1e-5)
        assert 0 < fd <= 0.25 ** depth and fd < previous
        previous = fd


def test_a_discriminator_that_judges_one_image_at_a_time_cannot_see_a_collapsed_batch():
    """§3.2: when the generated images are all alike the discriminator hardly notices the lack
    of diversity. The DCGAN's D scores each image alone: on a batch of copies of one image it
    returns that image's own score, so a collapsed batch costs G exactly what its one image
    costs, and the best collapsed batch costs no more than any diverse one."""
    keras.utils.set_random_seed(1)
    d = dcgan.discriminator()
    images = np.random.default_rng(1).uniform(size=(16, 28, 28, 1)).astype("float32")
    scores = _np(d(images, training=False)).ravel()
    for i in (0, 7):
        copies = np.repeat(images[i:i + 1], 16, axis=0)
        np.testing.assert_allclose(_np(d(copies, training=False)).ravel(), scores[i], rtol=1e-5)
    cost = -np.log(scores)  # the non-saturating cost per image
    assert cost.min() <= cost.mean()


# --- §3.3 -------------------------------------------------------------------------------------
def _transport(x, a, y, b, p=1):
    """Primal optimal transport by linear programming: min Σ π_ij |x_i − y_j|^p over couplings
    π with row sums a and column sums b."""
    n, m = len(x), len(y)
    cost = (np.abs(x[:, None] - y[None, :]) ** p).ravel()
    rows = np.kron(np.eye(n), np.ones(m))
    cols = np.kron(np.ones(n), np.eye(m))
    res = optimize.linprog(cost, A_eq=np.vstack([rows, cols]), b_eq=np.r_[a, b],
                           bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


def test_earth_movers_distance_is_the_wasserstein_1_distance():
    """§3.3: the WGAN uses the Earth Mover's Distance, the least effort (mass × distance) to
    turn one distribution into the other. The transport linear program, SciPy's W₁ and the area
    between the two distribution functions agree."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=6), rng.normal(1.5, 2, size=5)
    a, b = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(5))
    emd = _transport(x, a, y, b)
    assert emd == pytest.approx(stats.wasserstein_distance(x, y, a, b), rel=1e-7)
    grid = np.sort(np.r_[x, y])
    F = lambda pts, w, t: w[pts <= t].sum()  # noqa: E731
    area = sum(abs(F(x, a, t) - F(y, b, t)) * (u - t) for t, u in zip(grid[:-1], grid[1:]))
    assert emd == pytest.approx(area, rel=1e-7)


def test_the_critics_objective_over_1_lipschitz_functions_is_w1():
    """§3.3: min_G max_C E C(x) − E C(G(z)). With C ranging over 1-Lipschitz functions, the
    maximum (a linear program over C's values at the points) equals the transport cost of the
    primal problem (Kantorovich–Rubinstein duality); without the constraint it is unbounded."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=5), rng.normal(2, 1, size=4)
    a, b = np.full(5, 1 / 5), np.full(4, 1 / 4)
    pts, weight = np.r_[x, y], np.r_[a, -b]
    rows = []
    for k in range(len(pts)):
        for j in range(len(pts)):
            if k != j:
                row = np.zeros(len(pts))
                row[k], row[j] = 1, -1
                rows.append((row, abs(pts[k] - pts[j])))
    A, ub = np.array([r for r, _ in rows]), np.array([u for _, u in rows])
    dual = optimize.linprog(-weight, A_ub=A, b_ub=ub, bounds=(None, None), method="highs")
    assert dual.status == 0
    assert -dual.fun == pytest.approx(_transport(x, a, y, b), rel=1e-7)
    free = optimize.linprog(-weight, bounds=(None, None), method="highs")
    assert free.status == 3  # unbounded


def test_wasserstein_p_is_the_cheapest_coupling_and_matches_closed_forms():
    """§3.3: W_p = (inf over couplings of ∫ρ^p dπ)^(1/p). For two samples of equal size the
    linear program over couplings gives the sorted matching, and for two normals the quantile
    formula gives W₂² = (μ₁ − μ₂)² + (σ₁ − σ₂)²."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=6), rng.normal(1, 3, size=6)
    w = np.full(6, 1 / 6)
    for p in (1, 2, 3):
        lp = _transport(x, w, y, w, p) ** (1 / p)
        sorted_match = np.mean(np.abs(np.sort(x) - np.sort(y)) ** p) ** (1 / p)
        assert lp == pytest.approx(sorted_match, rel=1e-7)
    u = (np.arange(200_000) + 0.5) / 200_000
    q1, q2 = stats.norm.ppf(u, 1.0, 2.0), stats.norm.ppf(u, -0.5, 0.5)
    assert np.sqrt(np.mean((q1 - q2) ** 2)) == pytest.approx(np.hypot(1.5, 1.5), rel=1e-3)


def test_w1_of_a_shifted_distribution_is_abs_delta_continuous_but_not_differentiable_at_0():
    """§3.3 says the Wasserstein distance "es continua y diferenciable". For p_g = p_data
    shifted by δ, W₁ = |δ| exactly (SciPy, any sample): continuous, but its one-sided slopes at
    δ = 0 are −1 and +1. Arjovsky et al. (2017, Theorem 1) claim continuity everywhere and
    differentiability almost everywhere."""
    x = np.random.default_rng(4).normal(size=1000)
    w1 = lambda delta: stats.wasserstein_distance(x, x + delta)  # noqa: E731
    for delta in (-2.0, -0.3, 0.0, 0.25, 1.5):
        assert w1(delta) == pytest.approx(abs(delta), abs=1e-12)
    h = 1e-4
    right, left = (w1(h) - w1(0)) / h, (w1(0) - w1(-h)) / h
    assert right == pytest.approx(1.0, rel=1e-6) and left == pytest.approx(-1.0, rel=1e-6)


def test_the_critic_returns_an_unbounded_score_not_a_probability():
    """§3.3: the critic gives a score, not a probability between 0 and 1. The library's critic
    ends in a linear unit; scaled up, its scores leave [0, 1], while the GAN's D never does."""
    keras.utils.set_random_seed(2)
    critic, disc = dcgan.discriminator(output="linear"), dcgan.discriminator()
    assert critic.layers[-1].activation is keras.activations.linear
    for model in (critic, disc):
        kernel, bias = model.layers[-1].get_weights()
        model.layers[-1].set_weights([kernel * 1000, bias])
    images = np.random.default_rng(2).uniform(size=(32, 28, 28, 1)).astype("float32")
    scores, probs = _np(critic(images)), _np(disc(images))
    assert scores.min() < 0 or scores.max() > 1
    assert probs.min() >= 0 and probs.max() <= 1


def test_the_thesis_wasserstein_losses_both_push_the_fake_scores_up():
    """§3.3 writes the critic's loss as mean(real scores) − mean(fake scores) and the
    generator's as −mean(fake scores). With those two, raising the fake scores lowers both
    losses: the critic and the generator pull the same way and there is no game. The critic of
    the thesis's own objective (max_C E C(x) − E C(G(z))), of Arjovsky et al. and of the
    library minimises mean(fake) − mean(real), which opposes −mean(fake)."""
    real = np.array([[3.0], [1.0], [2.0]], "float32")
    fake = np.array([[-1.0], [0.5], [0.0]], "float32")
    thesis_critic = lambda r, f: r.mean() - f.mean()  # noqa: E731
    thesis_generator = lambda f: -f.mean()  # noqa: E731
    lib = losses.get("wasserstein_gp")
    up = fake + 1.0  # every fake score one unit higher
    assert thesis_critic(real, up) < thesis_critic(real, fake)
    assert thesis_generator(up) < thesis_generator(fake)  # both players gain: no opposition
    lib_d = lambda f: float(_np(lib.d_loss(real, f)))  # noqa: E731
    lib_g = lambda f: float(_np(lib.g_loss(f)))  # noqa: E731
    assert lib_d(up) > lib_d(fake) and lib_g(up) < lib_g(fake)  # opposed, as a game needs
    assert lib_d(fake) == pytest.approx(-thesis_critic(real, fake), rel=1e-6)


def test_the_thesis_wasserstein_loss_examples_add_up():
    """§3.3's worked examples, with the thesis's formula: mean scores 10 and 50 give generator
    losses −10 and −50; real 20 and fake 50 give a critic loss of −30, real 10 and fake 50 −40,
    the lower of the two."""
    generator = lambda fake: -Fraction(fake)  # noqa: E731
    critic = lambda real, fake: Fraction(real) - Fraction(fake)  # noqa: E731
    assert (generator(10), generator(50)) == (-10, -50) and generator(50) < generator(10)
    assert (critic(20, 50), critic(10, 50)) == (-30, -40) and critic(10, 50) < critic(20, 50)


def test_fewer_latent_dimensions_than_features_leave_no_direction_per_feature():
    """§3.3: entanglement is common when Z has too few dimensions for the features one wants to
    control, since they cannot be mapped one to one. For a linear map from k latent dimensions
    to m features, a direction that moves feature i alone exists iff e_i is in the map's column
    space: never for a generic map with k < m, always for a full-rank one with k ≥ m."""
    rng = np.random.default_rng(11)
    m = 4
    for k, possible in ((2, False), (3, False), (4, True), (6, True)):
        A = rng.normal(size=(m, k))
        for i in range(m):
            target = np.eye(m)[i]
            d, *_ = np.linalg.lstsq(A, target, rcond=None)
            off_target = np.linalg.norm(A @ d - target)
            assert (off_target < 1e-9) == possible, (k, i, off_target)


def test_in_mnist_the_amount_of_ink_goes_with_the_digit(mnist):
    """§3.3: features correlated in the training data are hard to change one at a time (a
    beard and a masculine face). MNIST has such a pair: the ink of an image (sum of its
    intensities) depends strongly on which digit it is."""
    from thesis_lib.evaluation import attributes
    (_, _), (x_test, y_test) = mnist
    ink = attributes.ink(data.scale_01(x_test))
    means = {d: ink[y_test == d].mean() for d in range(10)}
    assert means[1] < 0.6 * means[0] and means[1] < 0.6 * means[8]
    assert stats.kruskal(*[ink[y_test == d] for d in range(10)]).pvalue < 1e-100


# --- §4.1 -------------------------------------------------------------------------------------
FIGURE_65 = {3: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 1: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
             0: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
             9: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]}


def test_one_hot_rows_of_figure_65():
    """§4.1, figure 65: the one-hot rows of the labels 3, 1, 0, 7 and 9, by the library and by
    Keras's to_categorical."""
    labels = np.array(list(FIGURE_65))
    expected = np.array(list(FIGURE_65.values()), dtype="float32")
    np.testing.assert_array_equal(data.one_hot(labels), expected)
    np.testing.assert_array_equal(keras.utils.to_categorical(labels, 10), expected)


def test_the_classifier_returns_a_probability_per_digit_and_predicts_the_largest():
    """§4.1: the trained model returns a vector with the probability of each class and the
    predicted class is the most probable one (softmax output, argmax)."""
    keras.utils.set_random_seed(0)
    model = classifiers.dense_classifier()
    probs = _np(model(np.random.default_rng(0).uniform(size=(20, 784)).astype("float32")))
    assert probs.shape == (20, 10) and probs.min() >= 0
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    assert model.layers[-1].activation is keras.activations.softmax


def test_the_thesis_confusion_row_of_zero_adds_up_to_the_zeros_of_the_test_set(mnist):
    """§4.1: the row of 0 in the thesis's confusion matrix (972 right; 0, 1, 1, 0, 1, 1, 1, 2,
    1 predicted as 1 ... 9) holds 980 images, the number of zeros in MNIST's test set."""
    row = [972, 0, 1, 1, 0, 1, 1, 1, 2, 1]
    (_, _), (_, y_test) = mnist
    assert sum(row) == int((y_test == 0).sum()) == 980
    assert Fraction(row[0], sum(row)) == Fraction(243, 245)  # recall of 0: 99.18 %


def test_conv2d_needs_a_channel_axis_of_any_size():
    """§4.1: Keras's Conv2D takes images with a channel axis, hence 28 × 28 × 1 for MNIST; it
    is not tied to three (RGB) channels."""
    conv = keras.layers.Conv2D(4, 3)
    for channels in (1, 3, 5):
        x = np.zeros((2, 28, 28, channels), "float32")
        assert tuple(keras.layers.Conv2D(4, 3)(x).shape) == (2, 26, 26, 4)
    with pytest.raises(ValueError):
        conv(np.zeros((2, 28, 28), "float32"))


def test_dropout_of_a_quarter_zeroes_a_quarter_of_the_units_while_training():
    """§4.1: Dropout(0.25) "desactiva de forma aleatoria el 25 % de las neuronas". While
    training it zeroes each unit with probability ¼ (binomial bound) and scales the rest by
    4/3; at prediction time it does nothing."""
    keras.utils.set_random_seed(0)
    layer, n = keras.layers.Dropout(0.25), 200_000
    out = _np(layer(np.ones((1, n), "float32"), training=True)).ravel()
    zeros = np.mean(out == 0)
    assert abs(zeros - 0.25) < 4 * np.sqrt(0.25 * 0.75 / n)
    np.testing.assert_allclose(out[out != 0], 4 / 3, rtol=1e-6)
    np.testing.assert_array_equal(_np(layer(np.ones((1, 10), "float32"), training=False)), 1)


# --- §4.2 -------------------------------------------------------------------------------------
def _output_shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def test_dcgan_discriminator_goes_28_to_14_to_7_and_ends_in_one_probability():
    """§4.2: D takes a 28 × 28 single-channel image; two 3 × 3 convolutions of 64 filters with
    stride 2 (no pooling) halve it to 14 × 14 and 7 × 7 (⌈n/2⌉ with 'same' padding); LeakyReLU
    and dropout follow each; one sigmoid unit gives the probability. Optimiser: Adam with
    learning rate 0.0002 and β₁ = 0.5."""
    d = dcgan.discriminator()
    assert d.input_shape == (None, 28, 28, 1)
    convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.strides) for c in convs] == [(64, (3, 3), (2, 2))] * 2
    side = 28
    for conv in convs:
        side = -(-side // 2)
        assert tuple(conv.output.shape[1:]) == (side, side, 64)
    assert side == 7
    names = [type(layer).__name__ for layer in d.layers]
    assert not any("Pooling" in name for name in names)
    assert names.count("LeakyReLU") == 2 and names.count("Dropout") == 2
    head = d.layers[-1]
    assert head.units == 1 and head.activation is keras.activations.sigmoid
    x = np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32")
    p = _np(d(x))
    assert p.shape == (8, 1) and p.min() > 0 and p.max() < 1
    opt = make_optimizer(get_config("dcgan", "full"))
    assert isinstance(opt, keras.optimizers.Adam)
    assert float(_np(opt.learning_rate)) == pytest.approx(2e-4) and opt.beta_1 == 0.5


def test_dcgan_generator_goes_from_7x7x128_to_a_28x28x1_image_in_0_1():
    """§4.2: a dense layer of 7·7·128 = 6272 units reshaped into 128 maps of 7 × 7; two
    Conv2DTranspose with stride 2 each double the side (quadruple the area) to 14 × 14 and
    28 × 28; a 7 × 7 convolution with one filter keeps 28 × 28 (784 pixels) and its sigmoid
    keeps the pixels in [0, 1]."""
    g = dcgan.generator()
    shapes = _output_shapes(g)
    assert shapes[0] == (7 * 7 * 128,) == (6272,)
    assert (7, 7, 128) in shapes
    ups = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [u.strides for u in ups] == [(2, 2), (2, 2)]
    sides = [tuple(u.output.shape[1:3]) for u in ups]
    assert sides == [(14, 14), (28, 28)]
    assert [Fraction(s[0] * s[1], 7 * 7) for s in sides] == [4, 16]
    last = g.layers[-1]
    assert (last.filters, last.kernel_size) == (1, (7, 7))
    assert last.activation is keras.activations.sigmoid
    assert shapes[-1] == (28, 28, 1) and 28 * 28 == 784 and 14 * 14 == 196 == 784 // 4
    z = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    images = _np(g(z))
    assert images.min() >= 0 and images.max() <= 1


def test_a_7x7_map_is_a_sixteenth_of_the_28x28_area_not_an_eighth():
    """§4.2 calls 14 × 14 "la mitad del tamaño (un cuarto del área)" and 7 × 7 "un cuarto del
    tamaño (un octavo del área)" of the 28 × 28 output. The first is right; a quarter of the
    side is a sixteenth of the area: 49/784 = 1/16."""
    assert Fraction(14, 28) == Fraction(1, 2) and Fraction(14 * 14, 28 * 28) == Fraction(1, 4)
    assert Fraction(7, 28) == Fraction(1, 4)
    assert Fraction(7 * 7, 28 * 28) == Fraction(1, 16) != Fraction(1, 8)
    assert 784 // 8 == 98 != 49


def test_keras_leaky_relu_default_slope_is_0_3_so_the_dcgan_sets_0_2_itself():
    """§4.2: "LeakyReLU con una pendiente predeterminada de 0,2". Keras's default slope is 0.3
    (alpha=0.3 in Keras 2, negative_slope=0.3 in Keras 3): a LeakyReLU() left at its default
    would use 0.3. The thesis's networks (and the library's) set 0.2 explicitly."""
    default = keras.layers.LeakyReLU()
    assert default.negative_slope == pytest.approx(0.3)
    assert float(_np(default(np.array([-1.0], "float32")))[0]) == pytest.approx(-0.3)
    for model in (dcgan.discriminator(), dcgan.generator()):
        slopes = [layer.negative_slope for layer in model.layers
                  if isinstance(layer, keras.layers.LeakyReLU)]
        assert slopes and all(s == pytest.approx(0.2) for s in slopes)

