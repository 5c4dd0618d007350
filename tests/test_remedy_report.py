"""The remedies of §3.2 as the chapter shows them: tables in Spanish, one figure."""

import matplotlib
import pandas as pd
import pytest

from thesis_lib.report import remedies as remedy_report
from thesis_lib.studies.toy import remedies

matplotlib.use("Agg")


def _frame():
    return pd.DataFrame({"dataset": ["ring", "ring"], "variant": ["standard", "pacgan4"],
                         "label_es": ["GAN estándar", "PacGAN"], "n_seeds": [5, 5],
                         "modes_mean": [6.2, 8.0], "modes_sd": [0.84, 0.0],
                         "hq_mean": [0.5, 0.25], "hq_sd": [0.1, 0.05],
                         "kl_mean": [0.2, float("nan")], "cpu_seconds_mean": [33.4, 24.6]})


def test_remedies_table_is_spanish_and_says_mean_plus_minus_sd():
    html = remedy_report.remedies_table(_frame(), "ring").to_html()
    assert "6,2 ± 0,8" in html and "8,0 ± 0,0" in html
    assert "50,0\xa0% ± 10,0\xa0%" in html
    assert "modos de 8" in html and "—" in html  # no remedy named for the baselines; NaN KL


def test_remedies_table_names_the_datasets_it_has():
    with pytest.raises(ValueError, match="datasets: ring"):
        remedy_report.remedies_table(_frame(), "grid")


def test_published_table_marks_unchecked_figures_and_drops_unchecked_counts():
    for dataset in ("ring", "grid"):
        shown = remedy_report.published_table(dataset).data
        kept = [r for r in remedies.PUBLISHED
                if r["dataset"] == dataset and "modes" not in r["unverified"]]
        assert len(shown) == len(kept) > 0
        unchecked = ["high_quality" in r["unverified"] for r in kept]
        assert list(shown["alta calidad"] == "sin verificar") == unchecked


def test_plot_modes_draws_modes_and_quality_per_dataset_and_names_each_variant():
    runs = pd.DataFrame({"dataset": ["ring"] * 3 + ["grid"] * 2,
                         "variant": ["standard", "standard", "wgan_gp", "standard", "wgan_gp"],
                         "modes": [8, 6, 8, 20, 25],
                         "high_quality": [0.5, 0.4, 0.3, 0.01, 0.02]})
    fig = remedy_report.plot_modes(runs)
    ring_modes, ring_quality, grid_modes, _ = fig.axes
    assert [t.get_text() for t in ring_modes.get_yticklabels()] == ["estándar", "WGAN-GP"]
    assert ring_modes.get_title() == "anillo de 8 normales"
    assert [round(p.get_width(), 3) for p in ring_quality.patches] == [0.45, 0.3]
    assert [p.get_width() for p in grid_modes.patches] == [20, 25]
