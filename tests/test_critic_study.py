"""The 2-D critic study of chapter 3.3 (thesis_lib.studies.toy.critic)."""

import keras
import numpy as np
import pytest

from thesis_lib.studies.toy import critic as critic_study


@pytest.mark.all_backends
def test_input_gradients_match_finite_differences():
    keras.utils.set_random_seed(3)
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                               keras.layers.Dense(1)])
    points = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    grads = critic_study.critic_input_gradients(critic, points)
    h = 1e-2
    for axis in range(2):
        step = np.zeros(2, "float32")
        step[axis] = h
        up = keras.ops.convert_to_numpy(critic(points + step))[:, 0].astype("float64")
        down = keras.ops.convert_to_numpy(critic(points - step))[:, 0].astype("float64")
        np.testing.assert_allclose(grads[:, axis], (up - down) / (2 * h), rtol=2e-2, atol=1e-4)


@pytest.fixture(scope="module")
def studies():
    return {m: critic_study.run(m, steps=40, n_points=200, side=11)
            for m in critic_study.CRITIC_FAMILIES}


def test_clipping_keeps_every_weight_within_c(studies):
    clip = studies["wasserstein_clip"]
    assert clip["clip"] == pytest.approx(0.01)
    assert np.max(np.abs(clip["weights"])) <= clip["clip"] + 1e-7
    # After training some weights sit at the bound: the constraint is active.
    assert critic_study.summary(clip)["at_bound"] > 0


def test_penalty_run_has_unbounded_weights_and_its_summary(studies):
    gp = studies["wasserstein_gp"]
    assert gp["clip"] is None
    assert np.max(np.abs(gp["weights"])) > 0.01  # nothing holds them inside ±0.01
    s = critic_study.summary(gp)
    assert np.isnan(s["at_bound"])
    assert s["norm_p05"] <= s["norm_median"] <= s["norm_p95"]
    assert 0 <= s["above_one"] <= 1


def test_study_shapes_and_estimate(studies):
    r = studies["wasserstein_gp"]
    assert r["score"].shape == (11, 11) == r["xs"].shape
    assert r["real"].shape == (200, 2) == r["fake"].shape
    assert r["grad_norms"].shape == (200,)
    assert r["history"]["step"][-1] == 40 and np.isfinite(r["history"]["d_loss"]).all()
    assert np.isfinite(r["estimate"])


def test_diagnostics_figure_ticks_and_legend_stay_off_the_data(studies):
    # The clip panel's default ticks ("−0,010−0,005…") collided, and the legend inside the
    # gradient panel covered its tallest bar: ticks at −c, 0 and c, one legend below the axes.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    from thesis_lib.report import variant_figures as vp
    results = [studies[f] for f in critic_study.CRITIC_FAMILIES]
    fig = plotting.finish_figure(vp.plot_critic_diagnostics(results))
    try:
        clip_ax = fig.axes[[r["family"] for r in results].index("wasserstein_clip")]
        np.testing.assert_allclose(clip_ax.get_xticks(), [-0.01, 0, 0.01])
        assert [t.get_text() for t in clip_ax.get_xticklabels()] == ["−0,01", "0", "0,01"]
        assert all(ax.get_legend() is None for ax in fig.axes)
        legend, = fig.legends
        renderer = fig.canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        assert all(box.y1 <= ax.get_window_extent(renderer).y0 + 1e-6 for ax in fig.axes)
    finally:
        plt.close(fig)


def test_unknown_family_is_named():
    with pytest.raises(ValueError, match="unknown family 'minimax'.*wasserstein_clip"):
        critic_study.run("minimax", steps=1)
