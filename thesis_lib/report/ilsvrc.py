"""Thesis §2.1 ("Antecedentes"): the ImageNet competition (ILSVRC) results of its Cuadros 1
and 2, and the arithmetic its prose does on them.

The top-5 error percentages below are the thesis's, transcribed by hand from Cuadro 1 (2012)
and Cuadro 2 (2013 and 2014) of Cesano & Fuidio (2024), which take them from Delbracio, Lezama
and Carbajal's course (the thesis's reference [5]). They are **not** independently checked
against the organisers' published results: the book uses them to check the thesis's own
arithmetic on its own tables, nothing more. Team names are spelled as in the thesis.

What the prose of §2.1 says about these tables (``THESIS_PROSE``):

- the 2012 winner, the only entry with a deep network according to the thesis, beats the
  rest "by more than 10 percentage points";
- "in only three years" the error went "from 26.1 without neural networks to 6.6 with deep
  neural networks";
- the next paragraph (about the thesis's figure 8, not reproduced in its text) gives 6.7 for
  the 22-layer network and 3.57 for the 152-layer one.

The tables do not say which method each team used, so the thesis's claim that most of the top
entries of 2013 and 2014 used deep networks cannot be checked from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from thesis_lib import plotting
from thesis_lib.formatting import num, table

# Thesis, Cuadros 1 and 2: (team, top-5 error in %), in the tables' order. Transcribed, not
# verified (see the module docstring).
THESIS_ILSVRC = {
    2012: (
        ("Supervision (Toronto)", 15.3),
        ("ISI (Tokyo)", 26.1),
        ("VGG (Oxford)", 26.9),
        ("xRCE INRIA", 27.0),
        ("UvA (Amsterdam)", 29.6),
        ("INRIA LEAR", 33.4),
    ),
    2013: (
        ("Clarifai (NYU)", 11.7),
        ("NUS (Singapore)", 12.9),
        ("Zeiler-Fergus (NYU)", 13.5),
        ("A Howard", 13.5),
        ("OverFeat", 14.1),
        ("UvA (Amsterdam)", 14.2),
        ("Adobe", 15.2),
        ("VGG", 15.2),
        ("VGG (Oxford)", 23.0),
    ),
    2014: (
        ("GoogleNet", 6.6),
        ("VGG", 7.3),
        ("MSRA", 8.0),
        ("A. Howard", 8.1),
        ("DeeperVision", 9.5),
        ("NUS-BST", 9.7),
        ("TTIC-ECP", 10.2),
        ("xYZ", 11.2),
        ("UvA", 12.1),
    ),
}

# What the prose of §2.1 states about the tables (values as the thesis writes them).
THESIS_PROSE = {
    "margin_2012_more_than": 10.0,  # "por más de 10 puntos porcentuales"
    "from_error": 26.1,              # "de un error porcentual de 26.1 sin utilizar redes"
    "to_error": 6.6,                 # "a un total de 6.6 utilizando redes neuronales profundas"
    "years": 3,                      # "en tan solo tres años"
    "figure8_22_layers": 6.7,        # figure 8 paragraph: 22 layers, 6.7 %
    "figure8_152_layers": 3.57,      # and 152 layers, 3.57 %
}


def ilsvrc_results() -> pd.DataFrame:
    """The thesis's tables in long form: one row per entry, columns ``year``, ``rank`` (its
    place in the thesis's table, from 1), ``team`` and ``top5_error`` (percent)."""
    rows = [(year, rank, team, error)
            for year, entries in THESIS_ILSVRC.items()
            for rank, (team, error) in enumerate(entries, start=1)]
    return pd.DataFrame(rows, columns=["year", "rank", "team", "top5_error"])


def winners(results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The entry with the lowest error in each year (index: year; columns team, top5_error)."""
    results = ilsvrc_results() if results is None else results
    best = results.loc[results.groupby("year")["top5_error"].idxmin()]
    return best.set_index("year")[["team", "top5_error"]]


def is_ordered_by_error(results: pd.DataFrame | None = None) -> bool:
    """Whether every year's table lists its entries from lowest to highest error."""
    results = ilsvrc_results() if results is None else results
    return all(np.all(np.diff(g.sort_values("rank")["top5_error"].to_numpy()) >= 0)
               for _, g in results.groupby("year"))


def tied_entries(results: pd.DataFrame | None = None) -> list[tuple[int, float, list[str]]]:
    """(year, error, teams) for every error value shared by more than one entry of a year."""
    results = ilsvrc_results() if results is None else results
    ties = []
    for (year, error), g in results.groupby(["year", "top5_error"]):
        if len(g) > 1:
            ties.append((int(year), float(error), list(g["team"])))
    return ties


def _points(a: float, b: float) -> float:
    """Difference of two percentages in percentage points, rounded to the tables' precision
    (one decimal; binary floating point would otherwise give 10.799999999999999)."""
    return float(round(float(a) - float(b), 1))


@dataclass(frozen=True)
class Arithmetic:
    """The numbers the prose of §2.1 derives from Cuadros 1 and 2, recomputed.

    ``best_without_network_2012`` is the 2012 runner-up: by the thesis's own account the winner
    was the only entry with a neural network, so the runner-up is the best entry without one
    (the tables themselves do not say which method each team used).
    """

    winner_2012: float
    runner_up_2012: float
    margin_2012: float               # runner-up minus winner, points
    beats_every_other_2012_by: float  # the smallest gap between the winner and any other entry
    best_without_network_2012: float
    winner_2014: float
    drop_as_stated: float            # 26.1 -> 6.6, points
    drop_winner_to_winner: float     # 15.3 -> 6.6, points
    ratio_as_stated: float           # 26.1 / 6.6
    ratio_winner_to_winner: float    # 15.3 / 6.6
    first_year: int
    last_year: int
    years_elapsed: int               # 2014 - 2012
    editions: int                    # 2012, 2013, 2014
    figure8_22_layers: float         # what the figure-8 paragraph says
    cuadro2_googlenet: float         # what Cuadro 2 says for the same network
    figure8_vs_cuadro2: float        # points


def arithmetic(results: pd.DataFrame | None = None) -> Arithmetic:
    """Recompute the differences, ratios and time spans the thesis's prose states."""
    results = ilsvrc_results() if results is None else results
    by_year = {y: g.sort_values("top5_error")["top5_error"].to_numpy()
               for y, g in results.groupby("year")}
    years = sorted(by_year)
    first, last = years[0], years[-1]
    w12, r12 = by_year[first][0], by_year[first][1]
    w14 = by_year[last][0]
    googlenet = float(results.query("year == @last and team == 'GoogleNet'")["top5_error"].iloc[0])
    return Arithmetic(
        winner_2012=float(w12), runner_up_2012=float(r12),
        margin_2012=_points(r12, w12),
        beats_every_other_2012_by=_points(by_year[first][1:].min(), w12),
        best_without_network_2012=float(r12), winner_2014=float(w14),
        drop_as_stated=_points(r12, w14), drop_winner_to_winner=_points(w12, w14),
        ratio_as_stated=float(r12 / w14), ratio_winner_to_winner=float(w12 / w14),
        first_year=int(first), last_year=int(last), years_elapsed=int(last - first),
        editions=len(years),
        figure8_22_layers=THESIS_PROSE["figure8_22_layers"], cuadro2_googlenet=googlenet,
        figure8_vs_cuadro2=_points(THESIS_PROSE["figure8_22_layers"], googlenet),
    )


SPANISH_COLUMNS = {"team": "participante", "top5_error": "error (%)"}


def spanish_table(results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The three tables side by side, as in the thesis: rows are places (``puesto``), columns
    (year, participant / error). Missing places (2012 has six entries) are left empty."""
    results = ilsvrc_results() if results is None else results
    wide = results.pivot(index="rank", columns="year", values=["team", "top5_error"])
    wide = wide.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    wide = wide.rename(columns=SPANISH_COLUMNS, level=1)
    wide.columns.names = ["edición", None]
    wide.index.name = "puesto"
    return wide


def show_table(results: pd.DataFrame | None = None):
    """:func:`spanish_table` ready for the page: errors with one decimal and a comma, team
    names aligned left (``formatting.table`` aligns every cell right, as for numbers)."""
    wide = spanish_table(results)
    names = [c for c in wide.columns if c[1] == SPANISH_COLUMNS["team"]]
    left = [{"selector": s, "props": "text-align: left;"} for s in ("td", "th")]
    return table(wide, decimals=1).set_table_styles({c: left for c in names}, overwrite=False)


def plot_ilsvrc(results: pd.DataFrame | None = None, spread: float = 0.045):
    """Top-5 error per year: one point per entry of the thesis's tables, the year's winner
    highlighted and joined across years, and the 2012 runner-up (the thesis's best entry
    without a network) marked. Points of one year are spread sideways by their place in the
    table, so tied entries stay visible. Returns the figure; the entries' scatter has
    ``gid="entradas"``, the winners' ``gid="ganadores"``."""
    results = ilsvrc_results() if results is None else results
    best = winners(results)
    arith = arithmetic(results)
    fig, axes = plotting.new_figure(1, width=6.4, height=4.2)
    ax = axes[0]
    size = results.groupby("year")["rank"].transform("max")
    x = results["year"] + (results["rank"] - (size + 1) / 2) * spread
    is_winner = results.index.isin(results.groupby("year")["top5_error"].idxmin())
    ax.scatter(x[~is_winner], results.loc[~is_winner, "top5_error"], s=36, color="0.55",
               edgecolor="0.25", zorder=2, gid="entradas", label="otros participantes")
    ax.scatter(x[is_winner], results.loc[is_winner, "top5_error"], s=80, color="C3",
               edgecolor="k", zorder=3, gid="ganadores", label="ganador del año")
    ax.plot(x[is_winner], results.loc[is_winner, "top5_error"], color="C3", lw=1, zorder=1)
    # Labels off the winners' line, which falls to the right: the first one above its point,
    # the middle ones below and to the left, the last one to the right, where the line ends
    # (to the right of each point, the line and the dotted comparison crossed the text). A
    # white box, as in §2.2's figure of XOR, keeps a label legible should a line still reach it.
    last = len(best) - 1
    for i, ((year, row), xi) in enumerate(zip(best.iterrows(), x[is_winner])):
        offset, ha, va = (((-28, 9), "left", "bottom") if i == 0 else
                          ((8, -4), "left", "top") if i == last else ((-8, -6), "right", "top"))
        ax.annotate(f"{row['team']}: {num(row['top5_error'], 1)}", (xi, row["top5_error"]),
                    xytext=offset, textcoords="offset points", fontsize=9, ha=ha, va=va,
                    zorder=5, bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    runner = results[(results["year"] == arith.first_year) & (results["rank"] == 2)]
    ax.scatter(x[runner.index], runner["top5_error"], s=140, facecolor="none", edgecolor="C0",
               lw=1.5, zorder=4, label="mejor sin red en 2012 (según la tesis)")
    ax.plot([x[runner.index[0]], x[is_winner].iloc[-1]], [arith.runner_up_2012, arith.winner_2014],
            color="C0", ls=":", lw=1.2, zorder=1,
            label=f"comparación de la tesis: {num(arith.runner_up_2012, 1)} → "
                  f"{num(arith.winner_2014, 1)}")
    years = sorted(results["year"].unique())
    ax.set_xticks(years, labels=[str(y) for y in years])
    ax.set(xlim=(years[0] - 0.4, years[-1] + 0.6), ylim=(0, 36),
           xlabel="edición de la competencia", ylabel="error top-5 (%)")
    ax.legend(loc="upper right", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return fig
