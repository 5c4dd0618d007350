"""Chapter 3.3's reading of its runs (thesis_lib.report.variants), on made-up cards and
histories and on the tests' tiny DCGAN run."""

import shutil

import keras
import numpy as np
import pytest

from thesis_lib import artifacts
from thesis_lib.models import dcgan
from thesis_lib.report import variants as vr
from thesis_lib.studies import gan_results as results
from thesis_lib.studies import variant_runs


def _config(**kw):
    return {"loss": "non_saturating", "conditional": False, "critic_steps": 1, "gp_weight": None,
            "latent_dim": 8, "batch_size": 64, **kw}


def test_family_of_each_kind_of_run():
    assert variant_runs.family({"options": {"info_noise": 62}, "config": _config()}) == "infogan"
    assert variant_runs.family({"options": {}, "config": _config(conditional=True)}) == "conditional"
    assert variant_runs.family({"options": {}, "config": _config(loss="wasserstein_gp")}) == \
        "wasserstein_gp"
    assert variant_runs.family({"options": {}, "config": _config()}) == "standard"


def test_critic_estimate_removes_the_penalty_and_flips_the_sign():
    rows = [{"d_loss": "-3.0", "gp": "0.1"}, {"d_loss": "-1.0", "gp": "0.0"}]
    gp = {"config": _config(loss="wasserstein_gp")}  # gp_weight None: the paper's λ = 10
    np.testing.assert_allclose(variant_runs.critic_estimate(gp, rows), [4.0, 1.0])
    gp5 = {"config": _config(loss="wasserstein_gp", gp_weight=5.0)}
    np.testing.assert_allclose(variant_runs.critic_estimate(gp5, rows), [3.5, 1.0])
    clip = {"config": _config(loss="wasserstein_clip")}
    np.testing.assert_allclose(variant_runs.critic_estimate(clip, [{"d_loss": "-0.2"}]), [0.2])
    standard = {"config": _config()}
    np.testing.assert_allclose(variant_runs.critic_estimate(standard, [{"d_loss": "0.7"}]), [0.7])


def _fake_run(tiny_dcgan_run, folder, d_losses, frechet, loss="wasserstein_clip"):
    _, card, _ = tiny_dcgan_run
    shutil.copytree(card["run_dir"], folder)
    (folder / "history.csv").write_text(
        "epoch,d_acc,d_loss,g_loss\n" + "".join(f"{i + 1},0.5,{d},0.1\n"
                                               for i, d in enumerate(d_losses)))
    (folder / "metrics.csv").write_text(
        "epoch,frechet_distance,mnist_score,classes_covered,kl_to_uniform\n"
        + "".join(f"{i + 1},{f},5,10,0.1\n" for i, f in enumerate(frechet)))
    return {**card, "run_dir": folder, "config": {**card["config"], "loss": loss}}


def test_estimate_tracks_frechet_when_both_fall(tiny_dcgan_run, tmp_path):
    # The critic's estimate −d_loss falls with the Fréchet distance: ρ = +1.
    card = _fake_run(tiny_dcgan_run, tmp_path / "a", [-5, -4, -3, -2.5], [400, 300, 250, 200])
    out = variant_runs.estimate_vs_frechet(card)
    assert out["epochs"] == [1, 2, 3, 4] and out["rho"] == pytest.approx(1.0)
    np.testing.assert_allclose(out["estimate"], [5, 4, 3, 2.5])
    # Reversed order of the Fréchet distances: ρ = −1.
    card = _fake_run(tiny_dcgan_run, tmp_path / "b", [-5, -4, -3, -2.5], [200, 250, 300, 400])
    assert variant_runs.estimate_vs_frechet(card)["rho"] == pytest.approx(-1.0)
    # Fewer than three epochs: no correlation is claimed.
    card = _fake_run(tiny_dcgan_run, tmp_path / "c", [-5, -4], [400, 300])
    assert np.isnan(variant_runs.estimate_vs_frechet(card)["rho"])


def test_two_runs_of_one_family_are_refused(tiny_dcgan_run, tmp_path):
    root, card, _ = tiny_dcgan_run
    assert variant_runs.cards_by_family(root)["standard"]["run_dir"] == card["run_dir"]
    for name in ("one", "two"):
        shutil.copytree(card["run_dir"], tmp_path / name)
    with pytest.raises(ValueError, match="two standard runs.*keep one"):
        variant_runs.cards_by_family(tmp_path)


@pytest.fixture
def conditional_card(tmp_path):
    keras.utils.set_random_seed(0)
    gen = dcgan.generator(8, num_classes=10, filters=8)
    path = tmp_path / "generator.weights.h5"
    gen.save_weights(path)
    return {"run_dir": tmp_path, "generator_weights": path.name,
            "generator_sha256": artifacts.sha256(path), "variant": "narrow", "profile": "full",
            "epochs": 1, "seed": 0, "options": {"g_filters": 8},
            "config": _config(conditional=True)}


def test_conditional_grid_holds_z_across_rows_and_changes_the_class(conditional_card):
    grid = variant_runs.conditional_grid(conditional_card, columns=4, seed=3)
    assert grid.shape == (40, 28, 28, 1) and 0 <= grid.min() and grid.max() <= 1
    rows = grid.reshape(10, 4, 28, 28)
    assert not np.allclose(rows[0], rows[1])        # another digit asked: another image
    assert not np.allclose(rows[0, 0], rows[0, 1])  # another z: another image
    np.testing.assert_array_equal(grid, variant_runs.conditional_grid(conditional_card, columns=4, seed=3))
    with pytest.raises(ValueError, match="conditional run"):
        variant_runs.conditional_grid({**conditional_card, "config": _config()})


def test_real_by_digit_gives_rows_of_one_digit_each():
    labels = np.repeat(np.arange(10), 20)
    images = labels[:, None, None] * np.ones((1, 28, 28))
    grid = variant_runs.real_by_digit(images, labels, columns=5)
    np.testing.assert_array_equal(grid[:, 0, 0], np.repeat(np.arange(10), 5))


def test_walk_along_moves_each_point_along_the_direction(conditional_card, tiny_dcgan_run):
    _, card, _ = tiny_dcgan_run
    direction = variant_runs.random_direction(8, seed=1)
    assert np.linalg.norm(direction) == pytest.approx(1.0, abs=1e-6)
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    rows = variant_runs.walk_along(card, direction, z, [-1.0, 0.0, 1.0])
    assert len(rows) == 2 and rows[0].shape == (3, 28, 28, 1)
    # The middle image is the generator's own image of z.
    generator = results.load_generator(card)
    from thesis_lib.gan.latent import unit_images
    np.testing.assert_allclose(rows[1][1], unit_images(generator, z[1:2])[0], atol=1e-6)


def test_tables_of_swings_and_flips():
    effect = {"ink_change": 3.0, "slant_change": 0.1, "flip_share": 0.25,
              "flip_by_class": np.linspace(0, 0.9, 10), "count_by_class": np.ones(10)}
    effects = vr.swing_effects({"ink": {"effect": effect}}, {"c1": effect})
    assert list(effects) == ["DCGAN: dirección de la tinta", "InfoGAN: código c₁"]
    frame = vr.swing_frame(effects)
    assert frame.loc["InfoGAN: código c₁", "cambian de clase"] == 0.25
    flips = vr.flips_by_class(effects)
    assert list(flips.columns) == [str(d) for d in range(10)]
    assert flips.loc["DCGAN: dirección de la tinta", "9"] == pytest.approx(0.9)


def test_fooled_rows_pair_start_and_arrival():
    shown = {(3, 8): {"before": np.zeros((5, 28, 28, 1)), "after": np.ones((5, 28, 28, 1)),
                      "p_b": np.array([0.95, 0.93, 0.92, 0.91, 0.9]), "distance": np.ones(5)},
             (4, 9): {"before": np.zeros((0, 28, 28, 1)), "after": np.zeros((0, 28, 28, 1)),
                      "p_b": np.zeros(0), "distance": np.zeros(0)}}
    rows, labels, titles = vr.fooled_rows(shown, per_pair=2)
    assert len(rows) == 2 and rows[1].shape[0] == 2  # the pair with no arrival is left out
    assert labels == [["3", "3"], ["0,95", "0,93"]]
    assert titles[1].startswith("de 3 a 8: llegada")


def test_budget_text_names_budget_seed_precision_and_hardware():
    card = {"variant": "narrow", "epochs": 8, "n_train": 12_000, "steps": 1496, "seed": 0,
            "seconds_this_process": 600.0, "precision": "float32",
            "hardware": "2 × AMD EPYC (CPU), backend tensorflow",
            "config": _config()}
    text = vr.budget_text({"standard": card}, ["standard"])
    for part in ("8 épocas", "12\u202f000 imágenes", "lote 64", "1496 pasos de G",
                 "semilla 0", "float32", "motor TensorFlow",
                 "G con normalización por lotes"):
        assert part in text, part


def test_tracks_quality_needs_the_right_sign_and_a_small_p():
    assert variant_runs.tracks_quality({"rho": 0.8, "p_value": 0.01}, "wasserstein_gp")
    assert not variant_runs.tracks_quality({"rho": 0.8, "p_value": 0.2}, "wasserstein_gp")
    assert not variant_runs.tracks_quality({"rho": -0.8, "p_value": 0.01}, "wasserstein_clip")
    assert variant_runs.tracks_quality({"rho": -0.8, "p_value": 0.01}, "standard")
    assert not variant_runs.tracks_quality({"rho": float("nan"), "p_value": float("nan")}, "standard")


def test_tracking_sentence_and_excess_flips():
    corr = {"standard": {"rho": 0.1, "p_value": 0.8},
            "wasserstein_gp": {"rho": 0.9, "p_value": 0.001},
            "wasserstein_clip": {"rho": 0.7, "p_value": 0.01}}
    assert vr.tracking_sentence(corr) == (
        "Con ese criterio, la acompañan: WGAN con penalización del gradiente y WGAN con recorte "
        "de pesos; no la acompañan: GAN estándar (no saturante).")
    effects = {"a": {"flip_by_class": np.full(10, 0.5)}, "b": {"flip_by_class": np.full(10, 0.2)}}
    excess = vr.excess_flips(effects, "a", "b")
    assert list(excess.index) == [str(d) for d in range(10)]
    np.testing.assert_allclose(excess.values, 0.3)


def test_spanish_lists_and_p_values():
    assert vr.join_es(["1", "3", "7"]) == "1, 3 y 7" and vr.join_es([4]) == "4"
    assert vr.p_text(0.0004) == "< 0,001" and vr.p_text(0.0123) == "= 0,012"


def test_conditioning_frame_sets_runs_side_by_side():
    base = {"epochs": 9, "steps": 8433, "run_dir": "a", "config": _config(conditional=True),
            "conditional": {"agreement": 0.73}, "metrics": {"frechet_distance": 97.6}}
    planes = {**base, "options": {"d_filters": 32}}
    projection = {**base, "epochs": 6, "steps": 5622, "conditional": {"agreement": 0.96},
                  "options": {"d_filters": 64, "d_conditioning": "projection"}}
    frame = vr.conditioning_frame([planes, projection])
    assert list(frame.index) == [vr.CONDITIONING_ES["planes"], vr.CONDITIONING_ES["projection"]]
    assert list(frame["canales de D"]) == [32, 64]
    assert list(frame["acuerdo"]) == [0.73, 0.96]
    with pytest.raises(ValueError, match="not a conditional run"):
        vr.conditioning_frame([{**planes, "config": _config()}])
