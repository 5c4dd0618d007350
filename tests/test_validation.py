"""thesis_lib.validation: the argument checks every entry point shares."""

import numpy as np
import pytest

from thesis_lib import validation as V


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(1)])
def test_positive_integers_pass_through(value):
    assert V.positive_int("n", value) == value


@pytest.mark.parametrize("value", [0, -1, 1.0, "2", True, np.bool_(True), None, 2.5])
def test_anything_else_is_refused_with_the_name_and_the_value(value):
    with pytest.raises(ValueError, match=r"^n must be a positive integer, got "):
        V.positive_int("n", value)


def test_none_only_when_allowed_and_sequences_checked_whole():
    assert V.positive_int("k", None, allow_none=True) is None
    assert V.positive_ints("widths", [1, 2]) == (1, 2)
    assert V.non_negative_ints("seeds", (0, 3)) == [0, 3]
    with pytest.raises(ValueError, match=r"widths must be positive integers, got \(\)"):
        V.positive_ints("widths", [])
    with pytest.raises(ValueError, match="seeds must be non-negative integers"):
        V.non_negative_ints("seeds", [0, -1])
    with pytest.raises(ValueError, match="lr must be a positive number, got nan"):
        V.positive_float("lr", float("nan"))
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid: a, b"):
        V.choice("loss", "hinge", ("a", "b"))
