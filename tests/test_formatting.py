"""Spanish number formatting: prose, LaTeX, tables and figure ticks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from thesis_lib import formatting as F
from thesis_lib import plotting

T = F.THIN


@pytest.mark.parametrize("value, args, kwargs, expected", [
    (0.5, (2,), {}, "0,50"),
    (0.25, (), {}, "0,25"),
    (2024, (), {}, "2024"),               # four digits are not grouped (RAE)
    (60000, (), {}, f"60{T}000"),
    (1234567.891, (2,), {}, f"1{T}234{T}567,89"),
    (-0.25, (), {}, "−0,25"),             # a true minus sign
    (-0.0001, (1,), {}, "0,0"),           # no "−0,0"
    (np.float32(0.75), (1,), {}, "0,8"),  # numpy scalars, rounded half to even by Python
    (np.int64(12), (), {}, "12"),
    (0.3, (), {}, "0,3"),                 # shortest round-trip form
    (1.2e-5, (), {"sig": 2}, "1,2\u00a0·\u00a010⁻⁵"),
    (0.98765, (), {"sig": 2}, "0,99"),
    (4.0, (), {"sig": 2}, "4"),            # like %g: use decimals= to line up a column
    (10.0, (), {"sig": 2}, "10"),
    (0.006, (), {"sig": 1}, "0,006"),
    (3.0, (), {}, "3"),
    (0.1, (2,), {"sign": True}, "+0,10"),
    (float("inf"), (), {}, "∞"),
])
def test_num(value, args, kwargs, expected):
    assert F.num(value, *args, **kwargs) == expected


def test_num_refuses_what_is_not_a_number():
    with pytest.raises(TypeError, match="booleans"):
        F.num(True)
    with pytest.raises(TypeError, match="real number"):
        F.num("0.5")
    with pytest.raises(ValueError, match="decimals or sig"):
        F.num(1.0, 2, sig=2)


def test_pct_tex_and_span():
    assert F.pct(0.9933, 2) == "99,33\u00a0%"
    assert F.tex(0.5, 1) == "0{,}5"
    assert F.tex(60000) == r"60\,000"
    assert F.tex(-1.5) == "-1{,}5"
    assert F.span([2.25, 1.5, 2.0], 2) == "1,50 y 2,25"


def test_table_formats_every_number_and_keeps_text():
    frame = pd.DataFrame({"exactitud": [0.9933, 0.5], "épocas": [15, 2], "nota": ["a", None]},
                         index=["cnn", "densa"])
    html = F.table(frame, 3, percent=("exactitud",)).to_html()
    assert "99,330\u00a0%" in html and "50,000\u00a0%" in html
    assert ">15<" in html and ">2<" in html       # integers stay whole
    assert "—" in html                             # missing values are a dash, not "None"
    assert "0.99" not in html


def test_table_html_is_the_same_on_every_call():
    frame = pd.DataFrame({"a": [1.5]})
    assert F.table(frame).to_html() == F.table(frame.copy()).to_html()


def test_table_accepts_decimals_per_column():
    frame = pd.DataFrame({"a": [1.23456], "b": [1.23456]})
    html = F.table(frame, {"a": 1, "b": 3}).to_html()
    assert ">1,2<" in html and ">1,235<" in html


def test_figures_get_spanish_ticks_and_the_book_dpi():
    fig, (ax,) = plotting.new_figure(1)
    ax.plot([0, 0.5, 1.0], [0.0, 0.25, 1.5])
    plotting.finish_figure(fig)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert any("," in label for label in labels), labels
    assert not any("." in label for label in labels), labels
    assert fig.dpi == plotting.FIGURE_DPI >= 150
    plotting.plt.close(fig)


def test_log_axes_keep_their_labels():
    fig, (ax,) = plotting.new_figure(1)
    ax.loglog([1e-3, 1e2], [1e-3, 1e2])
    plotting.finish_figure(fig)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert any("10^{" in label for label in labels), labels
    plotting.plt.close(fig)


def test_new_figure_puts_at_most_three_panels_in_a_row():
    fig, axes = plotting.new_figure(5, width=2, height=2)
    assert len(axes) == 5 and len(fig.axes) == 5
    columns = {round(ax.get_position().x0, 3) for ax in axes}
    assert len(columns) == 3
    plotting.plt.close(fig)
    with pytest.raises(ValueError, match="at most 3 panels"):
        plotting.new_figure(4, per_row=4)


def test_figures_with_unreadable_text_are_refused():
    fig, axes = plotting.new_figure(3, width=6, height=3)  # 18 in wide: scaled down ~4x
    axes[0].set_title("un título", fontsize=8)
    with pytest.raises(ValueError, match="px high in the book's column"):
        plotting.finish_figure(fig)
    plotting.plt.close(fig)
    fig, axes = plotting.new_figure(2, width=3, height=3)
    axes[0].set_title("un título", fontsize=10)
    plotting.finish_figure(fig)
    assert plotting.smallest_text_px(fig)[0] >= plotting.MIN_TEXT_PX
    plotting.plt.close(fig)


def test_listing_joins_with_y():
    assert F.listing([]) == "" and F.listing(["a"]) == "a"
    assert F.listing(["a", "b"]) == "a y b"
    assert F.listing(iter(["a", "b", "c"])) == "a, b y c"
