"""thesis_lib.streams: every named random stream in one table, and no stream number written
anywhere else."""

import re
from pathlib import Path

import numpy as np
import pytest

from thesis_lib import streams

PACKAGE = Path(__file__).resolve().parent.parent / "thesis_lib"


def test_a_named_stream_is_the_seed_and_its_number():
    a = streams.rng(3, "generate").normal(size=4)
    np.testing.assert_array_equal(a, np.random.default_rng([3, 60_000]).normal(size=4))
    b = streams.rng(3, "monitor_epoch", 5).integers(1000, size=4)
    np.testing.assert_array_equal(b, np.random.default_rng([3, 20_005]).integers(1000, size=4))
    c = streams.rng(1, "scarce_batches", part=2).random(3)
    np.testing.assert_array_equal(c, np.random.default_rng([1, 70_000, 2]).random(3))
    with pytest.raises(ValueError, match="unknown random stream 'nope'; valid: data_order"):
        streams.rng(0, "nope")


def test_no_module_writes_a_stream_number_of_its_own():
    literal = re.compile(r"default_rng\(\[[^\]]*,\s*[0-9_]+\s*[\],]")
    found = [f"{path.relative_to(PACKAGE)}:{n}" for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "streams.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if literal.search(line)]
    assert found == []
