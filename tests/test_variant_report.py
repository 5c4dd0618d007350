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


def test_rank_interval_is_fisher_z_with_the_bonett_wright_error():
    low, high = variant_runs.rank_interval(0.6, 17)
    se = np.sqrt((1 + 0.36 / 2) / 14)
    assert (low, high) == pytest.approx((np.tanh(np.arctanh(0.6) - 1.959964 * se),
                                         np.tanh(np.arctanh(0.6) + 1.959964 * se)), abs=1e-6)
    # n = 7 and ρ = −0.57 (the standard GAN's D loss): the interval holds 0 on both sides.
    low, high = variant_runs.rank_interval(-0.57, 7)
    assert low < -0.9 and 0.3 < high < 0.5
    assert np.isnan(variant_runs.rank_interval(0.9, 3)[0])  # too few pairs: no interval


def test_rank_interval_covers_the_true_rho_about_95_percent_of_the_time():
    # Bivariate normal with Pearson 0.6: Spearman's population value is (6/π) asin(0.3).
    rng = np.random.default_rng(0)
    truth = 6 / np.pi * np.arcsin(0.3)
    cov = [[1, 0.6], [0.6, 1]]
    hits = 0
    for _ in range(400):
        x, y = rng.multivariate_normal([0, 0], cov, size=25).T
        c = variant_runs.rank_correlation(x, y)
        hits += c["low"] <= truth <= c["high"]
    assert 0.90 <= hits / 400 <= 0.99


def test_trending_series_correlate_but_their_differences_need_not(tiny_dcgan_run, tmp_path):
    # Both series trend down, with independent noise on top: ρ over the epochs is high, but the
    # epoch-to-epoch changes are unrelated, so the detrended interval contains 0.
    rng = np.random.default_rng(1)
    t = np.arange(20)
    frechet = 1000 - 30 * t + rng.normal(0, 20, 20)
    estimate = 5 - 0.2 * t + rng.normal(0, 0.3, 20)
    card = _fake_run(tiny_dcgan_run, tmp_path / "a", -estimate, frechet)
    corr = variant_runs.estimate_vs_frechet(card)
    assert corr["n"] == 20 and corr["diff"]["n"] == 19
    assert corr["rho"] > 0.8 and variant_runs.tracking(corr, "wasserstein_clip") == 1
    assert corr["diff"]["low"] < 0 < corr["diff"]["high"]
    assert variant_runs.tracking(corr["diff"], "wasserstein_clip") == 0


def test_tracking_reads_the_interval_in_the_expected_direction():
    above = {"low": 0.2, "high": 0.9}
    across = {"low": -0.9, "high": 0.4}
    assert variant_runs.tracking(above, "wasserstein_gp") == 1
    assert variant_runs.tracking(above, "standard") == -1      # D's loss should fall with FD
    assert variant_runs.tracking({"low": -0.9, "high": -0.2}, "standard") == 1
    assert variant_runs.tracking(across, "wasserstein_clip") == 0
    assert variant_runs.tracking({"low": float("nan"), "high": float("nan")}, "standard") == 0


def _corr(rho, n, low, high, diff):
    return {"rho": rho, "n": n, "low": low, "high": high,
            "diff": {"rho": diff[0], "n": n - 1, "low": diff[1], "high": diff[2]}}


def test_tracking_sentence_claims_only_what_the_intervals_allow():
    corr = {"standard": _corr(-0.57, 7, -0.94, 0.39, (-0.6, -0.96, 0.49)),
            "wasserstein_gp": _corr(0.6, 17, 0.12, 0.85, (-0.18, -0.62, 0.35)),
            "wasserstein_clip": _corr(0.82, 26, 0.59, 0.93, (0.63, 0.27, 0.83))}
    sentences = vr.tracking_sentences(corr)
    assert list(sentences) == list(corr)  # one sentence per run, for one bullet each
    standard, gp, clip = sentences.values()
    text = " ".join(sentences.values())
    assert standard.startswith("**GAN estándar (no saturante)**: ρ = −0,57")
    assert text.count("**") == 6  # only the three names are bold
    assert "n = 7; IC 95 %: −0,94 a 0,39" in standard
    assert "no permite afirmar ni descartar que la pérdida de D acompañe" in standard
    assert "no la acompañ" not in text  # no absence claimed from a wide interval
    assert "tendencia común" in gp and "no permite afirmar ni descartar" in gp
    assert "acompaña la calidad también de una época a la siguiente" in clip
    frame = vr.tracking_frame(corr)
    assert len(frame.columns) <= 5  # the table fits the page's column
    assert list(frame["lectura"]) == [
        "no se puede decidir, también en las diferencias",
        "acompaña en las épocas; en las diferencias, no se puede decidir",
        "acompaña, también en las diferencias"]
    nbsp = "\u00a0"  # the interval wraps as one piece in a narrow column
    assert list(frame[f"ρ [IC{nbsp}95{nbsp}%]"]) == [
        f"−0,57 [−0,94;{nbsp}0,39]", f"0,60 [0,12;{nbsp}0,85]", f"0,82 [0,59;{nbsp}0,93]"]
    assert frame.loc["WGAN-GP", f"ρ de las diferencias [IC{nbsp}95{nbsp}%]"] == \
        f"−0,18 [−0,62;{nbsp}0,35]"
    assert frame.loc["GAN estándar", "signo esperado"] == "−"
    assert vr.tracking_short(corr).startswith(
        "GAN estándar (n = 7): no se puede decidir, también en las diferencias. "
        "WGAN-GP (n = 17): acompaña en las épocas")
    against = _corr(-0.6, 17, -0.85, -0.12, (0.1, float("nan"), float("nan")))
    assert vr.reading_text(against, "wasserstein_gp") == \
        "va en contra en las épocas; en las diferencias, no se puede decidir"
    assert vr.rho_cell(against["diff"]) == "0,10 [—]"
    assert vr.rho_cell(against) == "−0,60 [−0,85;\u00a0−0,12]"


def test_comparison_frame_merges_the_steps_and_keeps_the_metrics():
    def card(epochs, steps, k, fd):
        return {"epochs": epochs, "steps": steps, "seconds_this_process": 480.4,
                "config": {"critic_steps": k},
                "metrics": {"frechet_distance": fd, "mnist_score": 7.5, "classes_covered": 10}}
    cards = {"standard": card(7, 1309, 1, 250.0), "wasserstein_gp": card(17, 629, 5, 543.0),
             "wasserstein_clip": card(26, 962, 5, 781.0)}
    frame = vr.comparison_frame(cards)
    assert list(frame.index) == ["GAN estándar", "WGAN-GP", "WGAN con recorte"]
    assert list(frame["pasos de G / D"]) == ["1309 / 1309", "629 / 3145", "962 / 4810"]
    assert list(frame["Fréchet"]) == [250.0, 543.0, 781.0]
    assert len(frame.columns) <= 6


def test_excess_flips_and_the_paired_flip_difference():
    effects = {"a": {"flip_by_class": np.full(10, 0.5)}, "b": {"flip_by_class": np.full(10, 0.2)}}
    excess = vr.excess_flips(effects, "a", "b")
    assert list(excess.index) == [str(d) for d in range(10)]
    np.testing.assert_allclose(excess.values, 0.3)
    flips = {"a": {"flipped": np.r_[np.ones(60), np.zeros(340)].astype(bool)},
             "b": {"flipped": np.r_[np.ones(10), np.zeros(390)].astype(bool)}}
    assert vr.flip_difference_clear(flips, "a", "b")
    assert not vr.flip_difference_clear(flips, "b", "a")
    assert vr.flip_difference_text(flips, "a", "b").startswith("12 puntos (IC 95 %: ")
    assert vr.flip_difference_text(flips, "a", "b").endswith("n = 400)")


def test_fit_frame_reports_the_out_of_sample_fit_beside_chance():
    fit = {"r2_cv": 0.52, "r2_in_sample": 0.75, "r2_chance_mean": -0.49, "r2_chance_sd": 0.1,
           "n": 400, "predictors": 100, "folds": 5, "permutations": 20, "slope": 12.3456,
           "direction": np.ones(3)}
    frame = vr.fit_frame({"ink": fit, "random": {"direction": np.ones(3)}})
    assert list(frame.index) == ["tinta"]
    row = frame.loc["tinta"]
    assert row["R² con validación cruzada (5 partes)"] == "0,52"
    assert row["R² con el atributo permutado (20 veces)"] == "−0,49 ± 0,10"
    assert row["muestras"] == "400" and row["predictores"] == "100"
    assert "0,75" not in frame.to_string()  # the in-sample R² is not shown
    assert vr.fit_text(fit) == "0,52 fuera de la muestra (frente a −0,49 ± 0,10 con el atributo permutado)"


def test_share_interval_is_wilson():
    assert vr.share_interval_text(0.9858, 10_000) == "98,3\u00a0% a 98,8\u00a0%"


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


def test_a_code_sweep_names_the_digit_of_each_row():
    """Fig. «códigos de InfoGAN»: each row is labelled with the digit its code is matched to,
    at the height of that row, in both panels."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib.report import variant_figures as vp
    rows = [np.random.default_rng(r).random((9, 28, 28)) for r in range(10)]
    fig = vp.plot_code_sweeps([rows, rows], digits=list(range(10)))
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == [str(d) for d in range(10)]
        ticks = ax.get_yticks()
        assert ticks[0] == pytest.approx(13.5) and ticks[1] - ticks[0] == pytest.approx(29)
        assert ax.get_ylabel() == "dígito emparejado"
    bare = vp.plot_code_sweeps([rows, rows])
    assert all(len(ax.get_yticks()) == 0 for ax in bare.axes)
