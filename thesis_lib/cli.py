"""Command lines of the book's batch tools: bad input gets one clear line and exit status 2."""

from __future__ import annotations

import argparse
import sys


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``prog: error: ...``) on stderr and exit
    status 2, with no usage dump and no traceback; ``--help`` still prints the usage."""

    def error(self, message):
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def run_checked(parser: Parser, action):
    """``action()``, with a ``ValueError`` from validating the input turned into
    :meth:`Parser.error` (one line, status 2)."""
    try:
        return action()
    except ValueError as error:
        parser.error(str(error))


def bounded(convert, minimum, strict: bool, what: str):
    """An argparse ``type`` converting with ``convert`` and refusing values below ``minimum``
    (or equal to it when ``strict``), with one message naming what is expected."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not (value > minimum if strict else value >= minimum):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value
    return parse


positive_int = bounded(int, 0, True, "a positive integer")
non_negative_int = bounded(int, 0, False, "an integer >= 0")
minutes = bounded(float, 0.0, False, "a number of minutes >= 0")
