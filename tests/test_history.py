"""thesis_lib.report.ilsvrc against the thesis's Cuadros 1 and 2 (§2.1) and the arithmetic its prose
does on them."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from thesis_lib.formatting import table  # noqa: E402
from thesis_lib.report import ilsvrc as H  # noqa: E402

# Cuadros 1 and 2 of the thesis, as printed (teams in the tables' order, errors in %).
CUADRO_1 = [("Supervision (Toronto)", 15.3), ("ISI (Tokyo)", 26.1), ("VGG (Oxford)", 26.9),
            ("xRCE INRIA", 27), ("UvA (Amsterdam)", 29.6), ("INRIA LEAR", 33.4)]
CUADRO_2_2013 = [("Clarifai (NYU)", 11.7), ("NUS (Singapore)", 12.9),
                 ("Zeiler-Fergus (NYU)", 13.5), ("A Howard", 13.5), ("OverFeat", 14.1),
                 ("UvA (Amsterdam)", 14.2), ("Adobe", 15.2), ("VGG", 15.2),
                 ("VGG (Oxford)", 23.0)]
CUADRO_2_2014 = [("GoogleNet", 6.6), ("VGG", 7.3), ("MSRA", 8.0), ("A. Howard", 8.1),
                 ("DeeperVision", 9.5), ("NUS-BST", 9.7), ("TTIC-ECP", 10.2), ("xYZ", 11.2),
                 ("UvA", 12.1)]


@pytest.mark.parametrize("year, expected", [(2012, CUADRO_1), (2013, CUADRO_2_2013),
                                            (2014, CUADRO_2_2014)])
def test_tables_hold_the_thesis_rows_and_values(year, expected):
    results = H.ilsvrc_results()
    rows = results[results["year"] == year].sort_values("rank")
    assert list(rows["rank"]) == list(range(1, len(expected) + 1))
    assert list(rows["team"]) == [team for team, _ in expected]
    assert list(rows["top5_error"]) == pytest.approx([error for _, error in expected], abs=0)


def test_there_are_24_entries_in_three_editions():
    results = H.ilsvrc_results()
    assert len(results) == 24
    assert sorted(results["year"].unique()) == [2012, 2013, 2014]


def test_winners_are_the_minima():
    results = H.ilsvrc_results()
    best = H.winners(results)
    assert list(best.index) == [2012, 2013, 2014]
    assert list(best["team"]) == ["Supervision (Toronto)", "Clarifai (NYU)", "GoogleNet"]
    for year, row in best.iterrows():
        assert row["top5_error"] == results.loc[results["year"] == year, "top5_error"].min()
    # ...and each is first in its table, since the tables are ordered by error.
    assert H.is_ordered_by_error(results)
    assert (results.loc[results["rank"] == 1, "team"].tolist() == best["team"].tolist())


def test_order_check_notices_a_table_out_of_order():
    results = H.ilsvrc_results()
    results.loc[(results["year"] == 2014) & (results["rank"] == 2), "top5_error"] = 5.0
    assert not H.is_ordered_by_error(results)
    assert H.winners(results).loc[2014, "team"] == "VGG"


def test_ties_are_the_two_2013_pairs():
    assert H.tied_entries() == [(2013, 13.5, ["Zeiler-Fergus (NYU)", "A Howard"]),
                                (2013, 15.2, ["Adobe", "VGG"])]


def test_margin_2012_is_10_8_points():
    a = H.arithmetic()
    assert (a.winner_2012, a.runner_up_2012) == (15.3, 26.1)
    assert a.margin_2012 == 10.8
    assert a.beats_every_other_2012_by == 10.8  # the runner-up is the closest entry
    assert a.margin_2012 > H.THESIS_PROSE["margin_2012_more_than"]  # "más de 10 puntos"


def test_three_years_claim_mixes_runner_up_and_winner():
    a = H.arithmetic()
    # The thesis's 26.1 is the best 2012 entry without a network, not the 2012 winner.
    assert H.THESIS_PROSE["from_error"] == a.best_without_network_2012 == a.runner_up_2012
    assert H.THESIS_PROSE["from_error"] != a.winner_2012
    assert H.THESIS_PROSE["to_error"] == a.winner_2014 == 6.6
    assert a.drop_as_stated == 19.5
    assert a.drop_winner_to_winner == 8.7
    assert a.ratio_as_stated == pytest.approx(26.1 / 6.6) and round(a.ratio_as_stated, 1) == 4.0
    assert a.ratio_winner_to_winner == pytest.approx(15.3 / 6.6)
    # 2012 -> 2014: two years, three editions; not the "three years" of the prose.
    assert (a.years_elapsed, a.editions) == (2, 3)
    assert a.years_elapsed != H.THESIS_PROSE["years"]


def test_figure8_value_differs_from_cuadro_2_by_a_tenth():
    a = H.arithmetic()
    assert a.cuadro2_googlenet == 6.6 and a.figure8_22_layers == 6.7
    assert a.figure8_vs_cuadro2 == 0.1


def test_arithmetic_follows_the_table():
    results = H.ilsvrc_results()
    results.loc[(results["year"] == 2012) & (results["rank"] == 2), "top5_error"] = 20.0
    assert H.arithmetic(results).margin_2012 == 4.7


def test_spanish_table_is_the_three_tables_side_by_side():
    wide = H.spanish_table()
    assert wide.shape == (9, 6)
    assert list(wide.columns.get_level_values(0)) == [2012, 2012, 2013, 2013, 2014, 2014]
    assert set(wide.columns.get_level_values(1)) == {"participante", "error (%)"}
    assert wide.loc[1, (2014, "participante")] == "GoogleNet"
    assert wide[(2012, "participante")].isna().sum() == 3  # 2012 has six places
    html = table(wide, decimals=1).to_html()
    assert "15,3" in html and "6,6" in html and "15.3" not in html


def test_figure_has_one_point_per_entry_and_highlights_the_winners():
    fig = H.plot_ilsvrc()
    try:
        ax = fig.axes[0]
        by_gid = {c.get_gid(): c.get_offsets() for c in ax.collections if c.get_gid()}
        assert len(by_gid["entradas"]) + len(by_gid["ganadores"]) == 24
        assert sorted(by_gid["ganadores"][:, 1].tolist()) == [6.6, 11.7, 15.3]
        assert len(by_gid["entradas"]) == 21
        # Tied entries are drawn apart: no two points at the same place.
        points = {tuple(p) for c in by_gid.values() for p in c.tolist()}
        assert len(points) == 24
        assert ax.get_xlabel() == "edición de la competencia"
        assert ax.get_ylabel() == "error top-5 (%)"
    finally:
        plt.close(fig)


def test_winners_labels_stay_off_the_lines():
    # The winners' line and the dotted comparison ran through "Supervision (Toronto): 15,3" and
    # "Clarifai (NYU): 11,7": no point of either line may fall inside a label.
    fig = H.plot_ilsvrc()
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer).padded(2) for t in ax.texts]
        assert len(boxes) == 3
        for line in ax.lines:
            x, y = line.get_data()
            t = np.linspace(0, 1, 200)[:, None]
            for i in range(len(x) - 1):
                points = ax.transData.transform(
                    (1 - t) * [x[i], y[i]] + t * [x[i + 1], y[i + 1]])
                assert not any(box.contains(*p) for box in boxes for p in points), line.get_label()
    finally:
        plt.close(fig)


def test_shown_table_has_spanish_numbers_and_left_aligned_names():
    html = H.show_table().to_html()
    assert "15,3" in html and "27,0" in html and "23,0" in html
    assert not any(v in html for v in ("15.3", "27.0", "6.6"))
    assert "text-align: left" in html and "Supervision (Toronto)" in html
