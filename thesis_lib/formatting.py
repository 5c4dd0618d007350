"""Numbers the Spanish way, everywhere the book shows them: prose (through ``glue``), tables,
LaTeX and matplotlib tick labels.

The book's convention (RAE, *Ortografía* 2010, §4.2.4): decimal comma, and digits grouped in
threes with a thin non-breaking space (U+202F) from five integer digits on ("2024", "60 000").
Every number a reader sees goes through :func:`num` (or its wrappers), so the convention lives
in one place.
"""

from __future__ import annotations

import math
import numbers as _numbers

import numpy as np

THIN = "\u202f"  # narrow no-break space: groups thousands and never breaks a number in two
NBSP = "\u00a0"


def num(x, decimals: int | None = None, *, sig: int | None = None, sign: bool = False,
        group: bool = True) -> str:
    """``x`` as a Spanish-formatted number: ``num(0.5, 2)`` is ``"0,50"``, ``num(60000)`` is
    ``"60 000"`` (thin space), ``num(1.2e-5, sig=2)`` is ``"1,2 · 10⁻⁵"``.

    ``decimals`` fixes the digits after the comma; ``sig`` asks for significant digits instead
    (scientific notation when the number is very small or large); with neither, integers print
    whole and other numbers in their shortest round-trip form (``repr``) with a comma.
    """
    if isinstance(x, (bool, np.bool_)):
        raise TypeError("num() formats numbers, not booleans; use 'sí'/'no' for a truth value")
    if not isinstance(x, (_numbers.Real, np.floating, np.integer)):
        raise TypeError(f"num() needs a real number, got {type(x).__name__}: {x!r}")
    if decimals is not None and sig is not None:
        raise ValueError("give decimals or sig, not both")
    x = float(x) if isinstance(x, (np.floating, float)) else int(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "∞" if x > 0 else ("−∞" if x < 0 else "NaN")
    if sig is not None:
        if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e6):
            mantissa, exponent = f"{x:.{sig - 1}e}".split("e")
            text = mantissa.replace("-", "−").replace(".", ",") + f"{NBSP}·{NBSP}10" + \
                _superscript(int(exponent))
            return ("+" + text) if sign and x > 0 else text
        text = f"{x:.{sig}g}"  # like %g: trailing zeros go (num(4.0, sig=2) is "4")
        if "e" in text:  # rounding pushed it to a power of ten: write it out
            text = f"{float(text):f}".rstrip("0").rstrip(".")
    elif decimals is not None:
        text = f"{x:.{decimals}f}"
    elif isinstance(x, int) or float(x).is_integer() and abs(x) < 1e15:
        text = str(int(x))
    else:
        text = repr(float(x))
        if "e" in text:
            return num(x, sig=len(text.split("e")[0].replace("-", "").replace(".", "")),
                       sign=sign)
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    if group and len(whole) >= 5:
        whole = _group(whole)
    text = whole + ("," + frac if frac else "")
    if negative and set(text) - set("0,"+THIN):
        text = "−" + text  # a true minus sign, as in typeset text
    elif sign and x > 0:
        text = "+" + text
    return text


def sci(x, sig: int = 2) -> str:
    """``x`` in scientific notation whatever its size, with ``sig`` significant digits:
    ``sci(0.0013, 3)`` is ``"1,30 · 10⁻³"``, ``sci(0.1, 1)`` is ``"1 · 10⁻¹"``. For a column that
    spans many orders of magnitude (:func:`num` changes notation below 10⁻³)."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return num(x)
    mantissa, exponent = f"{x:.{sig - 1}e}".split("e")
    return f"{num(float(mantissa), sig - 1)}{NBSP}·{NBSP}10{_superscript(int(exponent))}"


def pct(fraction, decimals: int = 1) -> str:
    """A fraction as a Spanish percentage: ``pct(0.9933, 2)`` is ``"99,33 %"`` (non-breaking
    space before the sign, as the RAE asks)."""
    return f"{num(100 * float(fraction), decimals)}{NBSP}%"


def tex(x, decimals: int | None = None, **kwargs) -> str:
    """:func:`num` for LaTeX math: ``0{,}5`` (a bare comma would get a space after it) and
    ``60\\,000``."""
    return (num(x, decimals, **kwargs).replace(",", "{,}").replace(THIN, r"\,")
            .replace("−", "-").replace(NBSP + "·" + NBSP, r" \cdot "))


def span(values, decimals: int | None = None, sep: str = " y ", **kwargs) -> str:
    """``"min y max"`` of some values, both formatted: a range for prose."""
    values = np.asarray(values, dtype=float)
    return sep.join(num(f(values), decimals, **kwargs) for f in (np.min, np.max))


def listing(items, last: str = "y") -> str:
    """Items as Spanish prose: ``"a"``, ``"a y b"``, ``"a, b y c"``."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}" \
        if items else ""


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(n: int) -> str:
    return str(n).translate(_SUPERSCRIPT)


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return THIN.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


# --- tables ----------------------------------------------------------------------------------

def table(frame, decimals=2, *, percent=(), index=True):
    """A pandas DataFrame ready to show: every number formatted with :func:`num` (``decimals``
    an int for all columns or a dict per column; columns in ``percent`` hold fractions and show
    as percentages). Returns a Styler, which renders as an HTML table in the book and in Jupyter.
    """
    import pandas as pd

    frame = pd.DataFrame(frame)
    per_column = decimals if isinstance(decimals, dict) else {}

    def formatter(column):
        d = per_column.get(column) if per_column else decimals

        def show(v):
            if not _is_number(v):
                return _text(v)
            if column in percent:
                return pct(v, 1 if d is None else d)
            return num(v) if isinstance(v, (int, np.integer)) else num(v, d)
        return show

    styler = frame.style.format({c: formatter(c) for c in frame.columns}, na_rep="—")
    styler = styler.format_index(lambda v: num(v) if _is_number(v) else _text(v), axis=0)
    if not index:
        styler = styler.hide(axis="index")
    # The book's theme styles pandas' own tables but not a Styler's: without padding the
    # cells of a row run together ("0,5200,438").
    styler = styler.set_table_styles(TABLE_STYLE)
    # Element ids from the content, not random: a check cell that shows a table stores the
    # same HTML on every run, so its stored output can be compared.
    import hashlib
    return styler.set_uuid(hashlib.sha256(frame.to_csv().encode()).hexdigest()[:8])


TABLE_STYLE = [
    {"selector": "", "props": "border-collapse: collapse; margin: 0.5em 0 1em;"},
    {"selector": "th, td", "props": "padding: 0.25em 0.55em; border-bottom: 1px solid #ddd;"},
    {"selector": "td", "props": "text-align: right; font-variant-numeric: tabular-nums;"},
    {"selector": "thead th", "props": "border-bottom: 2px solid #999; text-align: right;"},
    {"selector": "tbody th", "props": "text-align: left; font-weight: normal;"},
]


def _is_number(v) -> bool:
    return isinstance(v, (_numbers.Real, np.floating, np.integer)) and not isinstance(
        v, (bool, np.bool_))


def _text(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "sí" if v else "no"
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


# --- figures ---------------------------------------------------------------------------------

def spanish_ticks(fig):
    """Rewrite the tick labels of every axes of ``fig`` with the decimal comma.

    Wraps whatever formatter each axis has, so log scales, percent formatters and fixed labels
    keep their logic; ``plotting.glue_figure`` calls it on every figure of the book.
    """
    from matplotlib.ticker import Formatter

    class Spanish(Formatter):
        def __init__(self, inner):
            self.inner = inner

        def set_axis(self, axis):
            self.inner.set_axis(axis)
            self.axis = axis

        def set_locs(self, locs):
            self.inner.set_locs(locs)

        def __call__(self, x, pos=None):
            return _comma(self.inner(x, pos))

        def format_data_short(self, value):
            return _comma(self.inner.format_data_short(value))

        def get_offset(self):
            return _comma(self.inner.get_offset())

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, put in ((axis.get_major_formatter, axis.set_major_formatter),
                             (axis.get_minor_formatter, axis.set_minor_formatter)):
                inner = get()
                if not isinstance(inner, Spanish):
                    put(Spanish(inner))
    return fig


def _comma(label: str) -> str:
    # Only a point between digits is a decimal point ("v1.2" stays a version, but we never put
    # versions on axes); "$\mathdefault{0.5}$" becomes "$\mathdefault{0{,}5}$".
    import re
    label = str(label)  # seaborn's fixed tick labels can be numpy integers
    if "$" in label:
        return re.sub(r"(?<=\d)\.(?=\d)", "{,}", label)
    return re.sub(r"(?<=\d)\.(?=\d)", ",", label)
