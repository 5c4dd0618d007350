"""The remedies of §3.2 as the chapter shows them: tables in Spanish, one figure."""

import matplotlib
import numpy as np
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


def test_every_published_figure_names_where_it_was_checked_and_none_is_unchecked():
    for r in remedies.PUBLISHED:
        assert "unverified" not in r and r["checked"].startswith("github.com/")
        assert 0 < r["modes"] <= len(remedies.DATASETS[r["dataset"]]["centers"]())
        assert 0 < r["high_quality"] <= 1 and r["runs"] >= 5
        assert (r["modes_se"] is None) == (r["high_quality_se"] is None)
    for dataset in ("ring", "grid"):
        shown = remedy_report.published_table(dataset).data
        kept = [r for r in remedies.PUBLISHED if r["dataset"] == dataset]
        assert len(shown) == len(kept) == 3
        html = remedy_report.published_table(dataset).to_html()
        assert "sin verificar" not in html and "error estándar" in html
    ring = remedy_report.published_table("ring").data
    assert list(ring["corridas"]) == ["5", "10", "10"]
    assert list(ring["modos (media ± error estándar)"]) == ["1,0", "6,3 ± 0,5", "7,8 ± 0,1"]


def test_welch_interval_matches_scipy():
    from scipy import stats
    a, b = np.array([0.5, 0.4, 0.6, 0.55, 0.3]), np.array([0.2, 0.25, 0.3, 0.1, 0.45])
    out = remedy_report.welch_interval(a.mean(), a.std(ddof=1), 5, b.mean(), b.std(ddof=1), 5)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (out["low"], out["high"]) == pytest.approx((ci.low, ci.high))
    # One group without spread: Welch's degrees of freedom are the other group's n − 1.
    out = remedy_report.welch_interval(2.4, 3.36, 5, 8.0, 0.0, 5)
    assert out["df"] == pytest.approx(4)
    assert out["high"] < 0


def test_differences_read_each_interval_against_the_standard_gan():
    frame = pd.DataFrame({"dataset": ["ring"] * 3, "variant": ["standard", "bigger_g", "l2_d"],
                          "label_es": ["GAN estándar", "G grande", "L2 en D"], "n_seeds": [5] * 3,
                          "modes_mean": [8.0, 2.4, 8.0], "modes_sd": [0.0, 3.36, 0.0],
                          "hq_mean": [0.46, 0.05, 0.44], "hq_sd": [0.10, 0.09, 0.07]})
    facts = remedy_report.difference_facts(frame)
    assert facts["ring_worse"] == "G grande" and facts["ring_better"] == "ninguna"
    assert facts["ring_l2_d_hq_diff"].startswith("−2,0 (IC 95 %: −")
    assert facts["ring_bigger_g_modes_diff"].startswith("−5,6 (IC 95 %: ")
    html = remedy_report.differences_table(frame).to_html()
    assert "sin diferencia que el intervalo permita afirmar" in html and "menor" in html


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
