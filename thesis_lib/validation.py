"""The checks every entry point makes on its arguments, written once: a bad value gets one
``ValueError`` naming the argument, what it must be and what it got (the command lines turn it
into one line and exit status 2, :func:`thesis_lib.cli.run_checked`)."""

from __future__ import annotations

import numpy as np


def is_int(value) -> bool:
    """An integer, Python's or NumPy's, and not a bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(name: str, value, *, allow_none: bool = False):
    """``value`` if it is an integer ≥ 1 (or None, when allowed)."""
    if value is None and allow_none:
        return value
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return value


def positive_ints(name: str, values, what: str = "positive integers") -> tuple:
    """A non-empty sequence of integers ≥ 1, as a tuple."""
    values = tuple(values) if values is not None else ()
    if not values or any(not is_int(v) or v < 1 for v in values):
        raise ValueError(f"{name} must be {what}, got {values!r}.")
    return values


def non_negative_ints(name: str, values, what: str = "non-negative integers") -> list:
    """A non-empty sequence of integers ≥ 0 (seeds, step counts), as a list."""
    values = list(values) if values is not None else []
    if not values or any(not is_int(v) or v < 0 for v in values):
        raise ValueError(f"{name} must be {what}, got {values!r}.")
    return values


def positive_float(name: str, value):
    """``value`` if it is a number > 0 (not a bool, not NaN)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return value


def choice(name: str, value, valid):
    """``value`` if it is one of ``valid``."""
    if value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(valid)}.")
    return value
