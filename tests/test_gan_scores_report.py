"""The Spanish tables and facts of «Cómo se mide una GAN» (thesis_lib.report.gan_scores)."""

import pytest

from thesis_lib.report import gan_scores as gs

ENTRIES = gs.load()


def test_an_interval_is_written_as_plus_minus_unless_a_bound_cut_it():
    assert gs.cell({"value": 226.1, "low": 223.3, "high": 228.9}, 1) == "226,1 ± 2,8"
    assert gs.cell({"value": 1.92, "low": 0.13, "high": 3.71}, 1) == "1,9 ± 1,8"
    assert gs.cell({"value": 0.01, "low": 0.0, "high": 0.03}, 2) == "0,01 [0,00; 0,03]"
    assert gs.cell({"value": 0.25, "low": 0.2, "high": 0.3}, percent=True) == \
        "25,0\u00a0% [20,0\u00a0%; 30,0\u00a0%]"


@pytest.mark.parametrize("card, label", [
    ({"variant": "baseline", "options": {}, "config": {}, "epochs": 100, "seed": 1},
     "DCGAN, semilla 1, 100 épocas"),
    ({"variant": "tanh", "options": {}, "config": {}, "epochs": 5, "seed": 2},
     "DCGAN (tanh), semilla 2, 5 épocas"),
    ({"variant": "latent200", "options": {}, "config": {}, "epochs": 5, "seed": 0},
     "DCGAN (latente 200), semilla 0, 5 épocas"),  # as chapter 4.2 names its variants
    ({"variant": "narrow", "options": {}, "config": {"loss": "wasserstein_gp"}, "epochs": 17,
      "seed": 0}, "WGAN-GP, 17 épocas"),
    ({"variant": "narrow_projection", "options": {"d_conditioning": "projection"},
      "config": {"loss": "non_saturating", "conditional": True}, "epochs": 12, "seed": 0},
     "condicional (proyección), 12 épocas"),
    ({"variant": "infogan", "options": {"info_noise": 62}, "config": {"loss": "non_saturating"},
      "epochs": 3, "seed": 0}, "InfoGAN, 3 épocas"),
])
def test_run_labels(card, label):
    assert gs.run_label(card) == label


def test_the_tables_hold_the_floor_and_every_scored_run():
    distance, manifold = gs.distance_frame(ENTRIES), gs.manifold_frame(ENTRIES)
    assert list(distance.columns) == ["Fréchet", "Fréchet∞", "KID"]
    assert list(manifold.columns) == ["precisión", "sensibilidad", "densidad", "cobertura"]
    assert len(distance) == len(manifold) == len(ENTRIES) + 1
    assert distance.index[0] == "imágenes reales (piso)"
    assert all("±" in v or "[" in v for v in distance.to_numpy().ravel())


def _entry(label, fds):
    curve = {"sizes": [250, 1000, 10_000][:len(fds)], "frechet_distance": list(fds)}
    return {"label": label, "scores": {"generated": {"fd_curve": curve,
                                                     "fd_inf": {"fd_inf": fds[-1]}},
                                       "real_floor": {"fd_curve": {"sizes": [250, 10_000],
                                                                   "frechet_distance": [18, 1.7]},
                                                      "fd_inf": {"fd_inf": 1.2}}}}


def test_the_fd_figure_gives_each_curve_its_own_style_and_merges_those_that_coincide():
    """Fig. «fig-fd-muestras»: runs whose curves coincide are one curve named together (and
    the ficha says so); every curve has its own colour and marker, the legend lists them from
    top to bottom as they end, under the axes and apart from the x label."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib import plotting
    entries = [_entry(f"corrida {i}", [100.0 + 50 * i, 90.0 + 50 * i, 80.0 + 50 * i])
               for i in range(11)]
    entries += [_entry("blanca A", [1444.9] * 3), _entry("blanca B", [1444.9] * 3)]
    assert gs.coinciding_runs(entries) == [["blanca A", "blanca B"]]
    assert gs.coinciding_text(entries).startswith("«blanca A» y «blanca B» dan la misma")
    assert gs.coinciding_text(entries[:3]) == "No hay dos corridas con la misma curva."
    fig = plotting.finish_figure(gs.plot_fd_curves(entries))
    (ax,) = fig.axes
    lines = [line for line in ax.get_lines() if line.get_label()[0] != "_"]
    assert len(lines) == 12 + 1  # 13 runs, two of them one curve, and the floor
    styles = {(matplotlib.colors.to_hex(line.get_color()), line.get_marker()) for line in lines}
    assert len(styles) == len(lines)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0].startswith("blanca A;\nblanca B") and labels[-1] == "imágenes reales (piso)"
    assert labels[1:-1] == [f"corrida {i}" for i in range(10, -1, -1)]
    fig.canvas.draw()
    assert fig.legends[0].get_window_extent().y1 < ax.xaxis.label.get_window_extent().y0
    # The committed runs: a §4.2 variant by its Spanish name, nothing in English.
    labels = [t.get_text() for t in gs.plot_fd_curves(ENTRIES).legends[0].get_texts()]
    assert not any(word in " ".join(labels) for word in ("latent5", "latent2", "batchnorm",
                                                         "upsample"))


def test_facts_name_the_closest_and_the_sharpest_run():
    facts = gs.table_facts(ENTRIES)
    fd = {e["label"]: e["scores"]["generated"]["metrics"]["frechet_distance"]["value"]
          for e in ENTRIES}
    assert facts["close_label"] == min(fd, key=fd.get)
    assert facts["dc_label"].startswith("DCGAN")


def test_the_synthetic_cases_show_what_each_metric_sees():
    faithful, half, blurred = gs.synthetic_cases(600, seed=1)
    assert half["recall"] < 0.6 < faithful["recall"] and half["precision"] > 0.9
    assert blurred["precision"] < 0.6 < blurred["recall"]


def test_the_page_names_the_runs_it_cannot_score(tmp_path):
    text = gs.unscored_text()
    missing = [r for r in gs.rescore.gan_runs() if gs.rescore.status(r) == "no generator"]
    assert (f"Faltan {len(missing)} corridas" in text) if missing else "Todas" in text
    assert gs.unscored_text(tmp_path) == "Todas las corridas guardadas están en las tablas."


def test_per_class_facts_name_the_rarest_and_commonest_digits():
    facts = gs.per_class_facts(gs.main_dcgan(ENTRIES)["scores"])
    assert set(facts) == {"pc_rare", "pc_common", "pc_fd", "pc_floor"}
    assert " a " in facts["pc_fd"] and "%" in facts["pc_rare"]


def test_the_fooled_run_is_the_farthest_with_eights_to_show(tmp_path):
    """A collapsed run (every sample read as a 1) is farther but has no "8" to sample: skipped;
    a run whose generator is not here is skipped too."""
    def entry(name, fd, eights, weights=True):
        run = tmp_path / name
        run.mkdir()
        if weights:
            (run / "generator.weights.h5").write_bytes(b"w")
        per_class = [{"digit": d, "count": eights if d == 8 else 10} for d in range(10)]
        return {"run": run, "card": {"config": {}, "generator_weights": "generator.weights.h5"},
                "scores": {"generated": {"metrics": {"frechet_distance": {"value": fd}},
                                         "per_class": per_class}}}

    entries = [entry("collapsed", 1400.0, 0), entry("far", 230.0, 600),
               entry("near", 55.0, 900), entry("gone", 800.0, 700, weights=False)]
    assert gs.fooled_run(entries)["run"].name == "far"
    with pytest.raises(ValueError, match="reads as 8"):
        gs.fooled_run(entries[:1])
