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
