"""Chapter 3.1–3.2's theory against independent references: closed forms, quadrature, finite
differences and a second way of computing each number."""

import keras
import numpy as np
import pytest
from scipy import integrate, special, stats

from thesis_lib import profiles
from thesis_lib.studies.toy import mixtures, one_d, snapshots, theory, vanishing
from thesis_lib.studies.toy import networks as toy

MIX = theory.Mixture1D((-2.0, 2.0), (0.5, 0.5))
N01 = theory.Mixture1D((0.0,), (1.0,))


def test_mixture_density_integrates_to_one_and_matches_its_cdf():
    p = theory.Mixture1D((-1.0, 3.0), (0.3, 1.2), (0.3, 0.7))
    total, _ = integrate.quad(lambda t: float(p.pdf(t)), -20, 20, points=[-1, 3], limit=200)
    assert total == pytest.approx(1.0, abs=1e-9)
    for t in (-1.5, 0.0, 2.0, 5.0):
        area, _ = integrate.quad(lambda u: float(p.pdf(u)), -20, t, points=[-1], limit=200)
        assert float(p.cdf(t)) == pytest.approx(area, abs=1e-8)
    x = p.sample(200_000, np.random.default_rng(0))[:, 0]
    assert x.mean() == pytest.approx(0.3 * -1 + 0.7 * 3, abs=0.02)


@pytest.mark.parametrize("bad", [dict(means=(0.0,), stds=(0.0,)),
                                 dict(means=(0.0, 1.0), stds=(1.0,)),
                                 dict(means=(0.0, 1.0), stds=(1.0, 1.0), weights=(0.5, 0.6))])
def test_mixture_refuses_bad_parameters(bad):
    with pytest.raises(ValueError):
        theory.Mixture1D(**bad)


def test_optimal_discriminator_maximises_the_pointwise_value():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.01, 2, 50), rng.uniform(0.01, 2, 50)
    d = theory.optimal_discriminator(a, b)
    value = lambda y: a * np.log(y) + b * np.log1p(-y)  # noqa: E731
    for eps in (-1e-3, 1e-3, -0.1, 0.1):
        assert np.all(value(d) >= value(np.clip(d + eps, 1e-9, 1 - 1e-9)) - 1e-12)
    assert np.isnan(theory.optimal_discriminator([0.0], [0.0]))[0]


def test_identity_v_of_d_star_is_minus_log4_plus_two_jsd_on_a_family():
    family = theory.sliding_family(MIX, theory.Mixture1D((0.0,), (1.0,)), [-9, -3, 0, 1.5, 6])
    assert np.abs(family["value"] - family["identity"]).max() < 1e-9
    assert np.abs(family["value"] - family["identity_quad"]).max() < 1e-7
    assert np.all(family["jsd"] >= 0) and np.all(family["jsd"] <= theory.LOG2 + 1e-12)


def test_the_generator_minimises_the_value_at_d_star_and_d_maximises_it():
    # min_G max_D V (§3.1): against D*, V is smallest when p_g = p_data and grows as p_g moves
    # away, so G minimises it; any other D gives a lower V than D*, so D maximises it.
    family = theory.sliding_family(N01, N01, [-4, -2, -1, 0, 1, 2, 4])
    assert family["value"][3] == pytest.approx(-theory.LOG4, abs=1e-9)
    assert np.all(np.delete(family["value"], 3) > -theory.LOG4 + 0.05)
    assert np.all(np.diff(family["value"][3:]) > 0) and np.all(np.diff(family["value"][:4]) < 0)
    q = N01.shifted(1.0)
    x = theory.grid_for(N01, q)
    a, b = N01.pdf(x), q.pdf(x)
    best = theory.value_function(theory.optimal_discriminator(a, b), a, b, x)
    logit = special.logit(theory.optimal_discriminator(a, b))
    for nudge in (-0.3, 0.3):
        assert theory.value_function(special.expit(logit + nudge), a, b, x) < best - 1e-3


def test_kl_and_jsd_by_gauss_legendre_match_closed_forms_quad_and_grid():
    for theta in (0.3, 1.0, 2.5):
        q = N01.shifted(theta)
        assert theory.kl_gl(q, N01) == pytest.approx(theta ** 2 / 2, abs=1e-12)
        assert theory.jsd_gl(N01, q) == pytest.approx(theory.jsd_quad(N01, q), abs=1e-9)
    q = theory.Mixture1D((0.5,), (1.5,))
    x = theory.grid_for(MIX, q)
    assert theory.kl_gl(MIX, q) == pytest.approx(theory.kl(MIX.pdf(x), q.pdf(x), x), abs=1e-8)
    assert theory.jsd_gl(MIX, q) == pytest.approx(theory.jsd(MIX.pdf(x), q.pdf(x), x), abs=1e-9)
    assert np.all(np.isfinite(MIX.logpdf([-60.0, 0.0, 60.0])))
    np.testing.assert_allclose(np.exp(MIX.logpdf(x[::1000])), MIX.pdf(x[::1000]), rtol=1e-12)


def test_nonsaturating_cost_against_d_star_matches_monte_carlo():
    # For p_g = N(θ, 1) against N(0, 1), −log D*(x) = log(1 + e^{θx − θ²/2}) in closed form.
    rng = np.random.default_rng(7)
    n = 1_000_000
    for theta in (0.5, 2.0):
        x = theta + rng.standard_normal(n)
        loss = np.logaddexp(0.0, theta * x - theta ** 2 / 2)
        assert theory.nonsaturating_cost(N01.shifted(theta), N01) == pytest.approx(
            loss.mean(), abs=4 * loss.std() / np.sqrt(n))


@pytest.mark.parametrize("p_data, p_g", [(N01, N01), (MIX, theory.Mixture1D((0.0,), (1.5,)))],
                         ids=["gaussians", "mixture"])
def test_nonsaturating_cost_and_kl_minus_two_jsd_differ_in_value_not_in_gradient(p_data, p_g):
    # Arjovsky and Bottou (2017, Thm. 2.5): against D* held at θ0, the gradient of the
    # non-saturating cost is the gradient of KL(p_g ‖ p_data) − 2·JSD; the values are apart
    # by log 2 + KL(p_data ‖ m), which depends on p_g (the chapter once read it as a value
    # identity).
    shifts = [0.25, 0.5, 1.0, 2.0, 3.0]
    fam = theory.nonsaturating_family(p_data, p_g, shifts)
    gap = fam["cost"] - fam["criterion"]
    np.testing.assert_allclose(gap, fam["offset"], rtol=0, atol=1e-10)
    assert np.all(gap > theory.LOG2 + 1e-3) and np.ptp(gap) > 0.05
    np.testing.assert_allclose(fam["grad_cost"], fam["grad_criterion"], rtol=1e-6, atol=1e-8)
    # Negative control: letting D* follow θ is a different derivative (by d/dθ KL(p_data ‖ m),
    # over a thousand times the tolerance above).
    assert np.all(np.abs(fam["grad_moving"] - fam["grad_criterion"]) > 1e-3)


def test_nonsaturating_gradient_equals_the_pathwise_derivative_and_the_issues_number():
    # Pathwise, x = θ + z: d/dθ E[−log D*_θ0(θ + z)] at θ0 = θ0·E_{p_θ0}[1 − D*_θ0] for
    # unit Gaussians (the derivative of log(1 + e^{θ0 x − θ0²/2}) in x), on a grid.
    shifts = [0.5, 1.0, 2.0]
    fam = theory.nonsaturating_family(N01, N01, shifts)
    for theta, grad in zip(shifts, fam["grad_cost"]):
        q = N01.shifted(theta)
        x = theory.grid_for(N01, q)
        one_minus_d = theory.optimal_discriminator(q.pdf(x), N01.pdf(x))
        pathwise = theta * integrate.trapezoid(q.pdf(x) * one_minus_d, x)
        assert grad == pytest.approx(pathwise, rel=1e-7)
    assert fam["cost"][0] - fam["criterion"][0] == pytest.approx(0.7235, abs=5e-4)


def test_nonsaturating_table_keeps_the_gap_and_the_two_derivatives_only():
    # The chapter's table must fit a phone: θ as index, the gap and the two derivatives
    # (which coincide), taken from the family at the requested shifts.
    from thesis_lib.report import gan_theory as tp
    fam = theory.nonsaturating_family(N01, N01, np.linspace(-3, 3, 25))
    frame = tp.nonsaturating_table(fam, [0, 0.5, 3])
    assert frame.index.name == "θ" and list(frame.index) == [0.0, 0.5, 3.0]
    assert len(frame.columns) == 3 and all(len(c) <= 24 for c in frame.columns)
    gap, grad_cost, grad_criterion = (frame[c].to_numpy() for c in frame.columns)
    np.testing.assert_allclose(gap, fam["cost"][[12, 14, 24]] - fam["criterion"][[12, 14, 24]])
    np.testing.assert_allclose(grad_cost, fam["grad_cost"][[12, 14, 24]], atol=1e-15)
    np.testing.assert_allclose(grad_cost, grad_criterion, rtol=1e-6, atol=1e-8)
    assert not np.signbit(grad_cost[0]) and grad_cost[2] > 2


def assert_legends_below(renderer, *axes):
    """Each axis's legend lies wholly below the axis (off its data)."""
    for ax in axes:
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.y1 <= ax.get_window_extent(renderer).y0 + 1e-6


def test_nonsaturating_figure_is_legible_on_a_phone():
    # Two panels side by side shrank to ~330 px on a phone; stacked in one column with large
    # fonts, every text stays above the book's minimum at the phone's column, and the
    # legends sit below their axes instead of on the curves.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    from thesis_lib.report import gan_theory as tp
    fam = theory.nonsaturating_family(N01, N01, np.linspace(-3, 3, 13))
    fig = plotting.finish_figure(tp.plot_nonsaturating_identity(fam))
    try:
        smallest, text = plotting.smallest_text_px(fig, tp.PHONE_COLUMN_PX)
        assert smallest >= plotting.MIN_TEXT_PX, text
        top, bottom = fig.axes
        renderer = fig.canvas.get_renderer()
        a, b = top.get_window_extent(renderer), bottom.get_window_extent(renderer)
        assert a.x0 == pytest.approx(b.x0) and a.y0 > b.y1  # one column, top above bottom
        assert_legends_below(renderer, top, bottom)
    finally:
        plt.close(fig)


def test_jsd_figure_keeps_its_legends_below_the_axes():
    # Inside, the left legend hid the −log 4 line and the right one lay under the W₁ curve of
    # the twin axis; below the axes they cover no data.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    from thesis_lib.report import gan_theory as tp
    family = theory.sliding_family(MIX, N01, np.linspace(-12, 12, 13))
    fig = plotting.finish_figure(tp.plot_jsd_w1(family))
    try:
        renderer = fig.canvas.get_renderer()
        left, right = fig.axes[:2]
        labels = {ax: [t.get_text() for t in ax.get_legend().get_texts()] for ax in (left, right)}
        assert labels[right] == ["JSD", "log 2", "$W_1$"]  # one legend from both y axes
        assert len(labels[left]) == 2 and fig.axes[2].get_legend() is None
        assert_legends_below(renderer, left, right)
    finally:
        plt.close(fig)


def test_mode_collapse_figure_has_a_key_below_the_panels():
    # Without a key nothing said which cloud is the data and which is G, nor what the shading is.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    from thesis_lib.report import gan_theory as tp
    g = np.linspace(-2, 2, 5)
    grid = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    rng = np.random.default_rng(0)
    run = {"lim": 2.0, "grid": grid, "steps": [0, 10], "centers": np.zeros((8, 2)),
           "real": rng.normal(size=(50, 2)), "samples": [rng.normal(size=(50, 2))] * 2,
           "d": [np.full(len(grid), 0.5)] * 2, "stats": [{"modes_captured": 1}] * 2}
    fig = plotting.finish_figure(tp.plot_2d_snapshots(run))
    try:
        legend, = fig.legends
        texts = [t.get_text() for t in legend.get_texts()]
        assert texts[:2] == ["datos", "muestras de $G$"] and all("$D(x)$" in t for t in texts[2:])
        renderer = fig.canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        assert all(box.y1 <= ax.get_window_extent(renderer).y0 + 1e-6 for ax in fig.axes)
    finally:
        plt.close(fig)


def test_jsd_is_zero_for_equal_densities_symmetric_and_log2_when_far_apart():
    q = theory.Mixture1D((0.5,), (1.5,))
    x = theory.grid_for(MIX, q)
    assert theory.jsd(MIX.pdf(x), MIX.pdf(x), x) == pytest.approx(0.0, abs=1e-12)
    assert theory.jsd(MIX.pdf(x), q.pdf(x), x) == pytest.approx(theory.jsd(q.pdf(x),
                                                                           MIX.pdf(x), x))
    far = q.shifted(100.0)
    assert theory.jsd_quad(MIX, far) == pytest.approx(theory.LOG2, abs=1e-9)


def test_wasserstein1_against_closed_form_and_scipy():
    p, q = theory.Mixture1D((0.0,), (1.0,)), theory.Mixture1D((3.0,), (1.0,))
    assert theory.wasserstein1(p, q, theory.grid_for(p, q)) == pytest.approx(3.0, abs=1e-8)
    q2 = theory.Mixture1D((1.0,), (2.0,))
    rng = np.random.default_rng(2)
    empirical = stats.wasserstein_distance(MIX.sample(400_000, rng)[:, 0],
                                           q2.sample(400_000, rng)[:, 0])
    assert theory.wasserstein1(MIX, q2, theory.grid_for(MIX, q2)) == pytest.approx(empirical,
                                                                                   abs=0.01)


def test_logit_gradients_of_the_generator_costs_match_finite_differences():
    logits = np.linspace(-8, 8, 33)
    h = 1e-6
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    grads = theory.generator_logit_gradients(sig(logits))
    for name in ("minimax", "non_saturating"):
        fd = (theory.generator_losses(sig(logits + h))[name] -
              theory.generator_losses(sig(logits - h))[name]) / (2 * h)
        np.testing.assert_allclose(grads[name], fd, rtol=1e-5, atol=1e-9)


def test_generator_gradient_norm_matches_finite_differences():
    keras.utils.set_random_seed(3)
    gen = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    disc = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    z = np.random.default_rng(3).standard_normal((16, 2)).astype("float32")
    for cost in vanishing.COSTS:
        norm = vanishing.generator_gradient_norm(gen, disc, z, cost)
        weights = [w.astype("float64") for w in gen.get_weights()]
        wd = [w.astype("float64") for w in disc.get_weights()]

        def cost_of(ws):  # float64 NumPy copy of G and D
            x = z @ ws[0] + ws[1]
            d = 1 / (1 + np.exp(-(x @ wd[0] + wd[1])))
            return np.mean(np.log1p(-d)) if cost == "minimax" else -np.mean(np.log(d))

        fd = []
        for i, w in enumerate(weights):
            for j in np.ndindex(w.shape):
                up = [v.copy() for v in weights]
                down = [v.copy() for v in weights]
                up[i][j] += 1e-4
                down[i][j] -= 1e-4
                fd.append((cost_of(up) - cost_of(down)) / 2e-4)
        assert norm == pytest.approx(np.linalg.norm(fd), rel=1e-3)


def test_unknown_generator_cost_is_refused():
    with pytest.raises(ValueError, match="valid: minimax, non_saturating"):
        vanishing.generator_cost("wasserstein", keras.ops.ones((2, 1)))


def test_affine_generator_has_the_stated_distribution():
    z = np.random.default_rng(4).standard_normal((100_000, 1)).astype("float32")
    x = keras.ops.convert_to_numpy(one_d.affine_generator(1.5, 0.5)(z))
    assert x.mean() == pytest.approx(1.5, abs=0.01) and x.std() == pytest.approx(0.5, abs=0.01)
    with pytest.raises(ValueError):
        one_d.affine_generator(0.0, 0.0)


def test_trained_discriminator_approaches_the_closed_form():
    short = one_d.optimal_d_gap(MIX, 0.5, 1.5, steps=40, batch=256, floor=0.05)
    longer = one_d.optimal_d_gap(MIX, 0.5, 1.5, steps=600, batch=512, floor=0.05)
    assert longer["mask"].sum() > 100
    assert longer["max_gap"] < 0.05 < short["max_gap"]


def test_minimax_gradient_vanishes_and_non_saturating_does_not():
    data, _ = mixtures.ring_of_gaussians(20_000)
    rows = vanishing.gradient_vs_d(data, d_steps=(0, 300), n_eval=512)
    start, end = rows
    assert end["d_accuracy"] >= 0.99
    assert end["grad_minimax"] < 0.05 * start["grad_minimax"]
    assert end["grad_non_saturating"] > 100 * end["grad_minimax"]


def test_snapshots_do_not_change_the_run():
    data, _ = mixtures.ring_of_gaussians(5_000)
    plain = toy.mlp_gan(hidden=(16,), seed=5)
    toy.train_toy(plain, data, steps=40, batch=32, seed=5, log_every=10)
    watched = toy.mlp_gan(hidden=(16,), seed=5)
    run = snapshots.train_with_snapshots(watched, data, snapshots.plane_grid(3.0, 11), steps=40,
                                         snapshots=4, batch=32, seed=5, samples=50)
    assert run["steps"] == [0, 10, 20, 30, 40]
    assert [s.shape for s in run["samples"]] == [(50, 2)] * 5
    assert [d.shape for d in run["d"]] == [(121,)] * 5
    for a, b in zip(plain.generator.get_weights(), watched.generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_gan_theory_profile_validates_its_steps():
    assert profiles.get_config("gan_theory", "full").seeds >= 5
    with pytest.raises(ValueError, match="vanishing_d_steps"):
        profiles.get_config("gan_theory", "quick", vanishing_d_steps=(-1,))
    assert profiles.get_config("gan_theory", "quick",
                               vanishing_d_steps=[0, 5]).vanishing_d_steps == (0, 5)
