"""The steerable toy GAN of chapter 3.2: the grid of choices, the runs it keeps, their packing
for the page's viewer, the static viewer's HTML and the JupyterLab widgets' callback
(thesis_lib.studies.toy.playground, thesis_lib.report.playground)."""

import base64
import json
import re

import numpy as np
import pytest

from thesis_lib.report import playground as view
from thesis_lib.studies.toy import playground as pg


def _fake_run(choice: pg.Choice, frames: int = 3, n: int = 40) -> dict:
    """A kept run's shape with known numbers: frame f's samples all sit at f/10 + the index
    of the choice in the grid / 100, so each choice and frame is recognisable."""
    tag = pg.choices().index(choice) / 100
    dim = 1 if choice.dataset == "mixture1d" else 2
    grid = pg.grid_of(choice.dataset)
    metrics = {"modes_captured": list(range(frames)), "high_quality": [0.1 * f for f in
                                                                        range(frames)],
               "modes": 2 if dim == 1 else 8}
    return {"card": {"variant": choice.key, "dataset": choice.dataset, "loss": choice.loss,
                     "metrics": metrics},
            "steps": np.arange(frames) * 100,
            "samples": np.stack([np.full((n, dim), f / 10 + tag) for f in range(frames)]),
            "d": np.stack([np.linspace(-1, 1, len(grid)) * (f + 1) for f in range(frames)])}


def test_the_grid_holds_every_combination_once_and_refuses_unknown_values():
    keys = [c.key for c in pg.choices()]
    assert len(keys) == len(set(keys)) == 2 * 3 * 2 * 2
    assert "ring-non_saturating-k5-lr0.001" in keys
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid: minimax"):
        pg.Choice("ring", "hinge", 1, 1e-3)
    with pytest.raises(ValueError, match="unknown critic_steps 3"):
        pg.Choice("ring", "minimax", 3, 1e-3)


@pytest.mark.parametrize("choice", [pg.Choice("ring", "wasserstein_gp", 5, 1e-3),
                                    pg.Choice("mixture1d", "minimax", 1, 1e-4)],
                         ids=lambda c: c.key)
def test_each_choice_builds_the_gan_it_names(choice):
    import keras
    gan = pg.build(choice)
    assert gan.critic_steps == choice.critic_steps
    assert gan.loss_strategy.name == choice.loss
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        rate = keras.ops.convert_to_numpy(optimizer.learning_rate)
        assert float(rate) == pytest.approx(choice.learning_rate)
    dim = 1 if choice.dataset == "mixture1d" else 2
    assert gan.generator.output.shape[-1] == dim and gan.discriminator.input.shape[-1] == dim


def test_a_short_run_repeats_exactly_and_keeps_what_the_viewer_draws(tmp_path):
    choice = pg.Choice("mixture1d", "non_saturating", 1, 1e-3)
    a = pg.run(choice, steps=20, frames=2, samples=30)
    b = pg.run(choice, steps=20, frames=2, samples=30)
    assert a["samples"].shape == (3, 30, 1) and a["d"].shape == (3, len(pg.grid_of("mixture1d")))
    assert a["steps"].tolist() == [0, 10, 20]
    np.testing.assert_array_equal(a["samples"], b["samples"])
    assert a["card"]["variant"] == choice.key and len(a["card"]["metrics"]["modes_captured"]) == 3
    folder = pg.save(a, tmp_path)
    kept = pg.load(choice, tmp_path)
    assert folder.name == choice.key and kept["card"]["seconds"] == a["card"]["seconds"]
    np.testing.assert_array_equal(kept["samples"], a["samples"])


def test_a_missing_run_names_the_command_that_trains_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m thesis_lib.studies.toy.playground"):
        pg.load(pg.choices()[0], tmp_path)


def test_packing_round_trips_to_a_quantum_and_rescales_only_a_critic():
    choice = pg.Choice("ring", "wasserstein_gp", 1, 1e-4)
    run = _fake_run(choice)
    run["samples"][1] = np.random.default_rng(0).uniform(-3, 3, run["samples"][1].shape)
    packed = view.pack(run)
    step = 2 * packed["lim"] / 255
    np.testing.assert_allclose(view.unpack_samples(packed, 1), run["samples"][1], atol=step / 2)
    # A critic's score is rescaled within each snapshot; a probability is drawn as it is.
    d = np.frombuffer(base64.b64decode(packed["d"][2]), dtype="uint8")
    assert d.min() == 0 and d.max() == 255 and not packed["probability"]
    np.testing.assert_allclose(view.d_levels([0.2, 0.7], True), [0.2, 0.7])
    np.testing.assert_allclose(view.d_levels([-4.0, 0.0, 4.0], False), [0.0, 0.5, 1.0])
    assert view.d_levels([3.0, 3.0], False).tolist() == [0.5, 0.5]


def test_the_static_viewer_is_self_contained_and_offers_every_choice():
    runs = [_fake_run(c) for c in pg.choices()]
    page = view.static_viewer(runs, "pg-test")
    assert "http" not in page and " src=" not in page  # nothing is fetched: works offline
    data = re.search(r'<script type="application/json">(.*?)</script>', page, re.S).group(1)
    packed = json.loads(data.replace("<\\/", "</"))
    assert sorted(p["key"] for p in packed) == sorted(c.key for c in pg.choices())
    # Each selector's values, joined as the script joins them, name a run.
    values = {name: re.findall(r'<option value="([^"]+)"', block) for name, block in
              re.findall(r'data-name="(\w+)">(.*?)</select>', page, re.S)}
    assert set(values) == {"dataset", "loss", "k", "lr"}
    keys = {f"{d}-{loss}-k{k}-lr{lr}" for d in values["dataset"] for loss in values["loss"]
            for k in values["k"] for lr in values["lr"]}
    assert keys == {c.key for c in pg.choices()}
    assert 'max="2"' in page and "reproducir" in page


def test_the_widgets_callback_draws_the_chosen_run_at_the_chosen_moment():
    pytest.importorskip("ipywidgets")
    import matplotlib
    matplotlib.use("Agg")
    asked = []

    def loader(choice):
        asked.append(choice.key)
        return _fake_run(choice)

    steer = view.Steerable(loader=loader)
    steer.frame.max = 2
    steer.dataset.value, steer.loss.value = "ring", "wasserstein_gp"
    steer.k.value, steer.lr.value, steer.frame.value = 5, 1e-3, 2
    fig = steer.update()
    chosen = pg.Choice("ring", "wasserstein_gp", 5, 1e-3)
    assert asked[-1] == chosen.key and len(set(asked)) == len(asked)  # each run loaded once
    ax = fig.axes[0]
    points = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(points, _fake_run(chosen)["samples"][2])
    assert ax.get_title().startswith("paso 200 de 200 · modos cubiertos: 2 de 8")
    steer.frame.value = 0  # the slider alone redraws, from the run already loaded
    assert steer.figure is not fig and asked.count(chosen.key) == 1
    np.testing.assert_allclose(steer.figure.axes[0].collections[-1].get_offsets(),
                               _fake_run(chosen)["samples"][0])


KEPT = pg.default_dir()


@pytest.mark.skipif(not (KEPT / pg.choices()[0].key / "card.json").is_file(),
                    reason="the playground's runs are not kept here")
def test_what_chapter_3_2_says_about_the_kept_runs():
    """The chapter's reading of its grid (one seed per combination), against the kept cards."""
    runs = {c: pg.load(c) for c in pg.choices()}
    final = {c: r["card"]["metrics"]["modes_captured"][-1] for c, r in runs.items()}
    classic = ("minimax", "non_saturating")
    for c, modes in final.items():
        if c.dataset == "mixture1d" and c.loss in classic:
            assert modes == 2, c.key  # both modes, in all eight combinations
        if c.dataset == "mixture1d" and c.loss == "wasserstein_gp" and c.critic_steps == 1:
            assert modes == 0, c.key
        if c.dataset == "ring" and c.loss in classic and c.learning_rate == 1e-3:
            slower = pg.Choice("ring", c.loss, c.critic_steps, 1e-4)
            assert modes < final[slower], c.key  # the larger rate ends with fewer modes
        if c.dataset == "ring" and c.loss == "minimax" and c.critic_steps == 5:
            assert modes <= 2, c.key
        if c.dataset == "ring" and c.loss == "wasserstein_gp":  # off the modes; at the larger
            assert runs[c]["card"]["metrics"]["high_quality"][-1] < 0.05, c.key  # rate along
            off_circle = np.median(np.abs(np.linalg.norm(runs[c]["samples"][-1], axis=1) - 2))
            assert (off_circle < 0.2) == (c.learning_rate == 1e-3), c.key  # the circle
    # Every run's card says how it was obtained.
    card = next(iter(runs.values()))["card"]
    assert card["profile"] == "full" and card["config"]["steps"] == pg.STEPS
    assert {"hardware", "environment", "finished_at"} <= set(card)
