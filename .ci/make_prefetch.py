"""Write .ci/prefetch-1.txt and .ci/prefetch-2.txt from a finished test environment.

Every distribution installed in the environment that runs this script, without pip and the
project itself, pinned, split into two halves of about equal install time (estimated from bytes
and files). `.ci/run` unpacks the two halves side by side, without resolving, before its usual
install: pip installs one wheel after another on one core, and unpacking was most of the
install's time. Regenerate after changing requirements.txt or .ci/requirements-backends.txt:

    .venv/bin/python .ci/make_prefetch.py

A stale list only costs time: the usual install that follows resolves the real requirements.
The pins come from a Python 3.11 environment; every one of them also has a wheel for 3.12 and
3.13 (torch 2.13.0 there is PyPI's CUDA build, whose CUDA libraries the usual install adds).
"""

import importlib.metadata as metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"pip", "thesis-lib", "thesis_lib"}


def main() -> None:
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name is None or name.lower().replace("_", "-") in SKIP:
            continue
        files = dist.files or []
        # Install time, only to balance the halves: about 45 MB/s plus 1 ms a file, as measured
        # here with bytecode compilation (.ci/run now skips it; the proportions hold).
        seconds = sum((f.size or 0) for f in files) / 45e6 + 0.001 * len(files)
        # Without a local label (torch 2.13.0+cpu): pip still takes the local CPU wheel where it
        # lies (the label sorts higher), and the halves also install on Pythons it has no file for.
        found[name.lower()] = (f"{name}=={dist.version.split('+')[0]}", seconds)
    halves = ([], []), [0, 0]
    for line, size in sorted(found.values(), key=lambda item: -item[1]):
        i = 0 if halves[1][0] <= halves[1][1] else 1
        halves[0][i].append(line)
        halves[1][i] += size
    for i, lines in enumerate(halves[0], start=1):
        (HERE / f"prefetch-{i}.txt").write_text(
            f"# Written by .ci/make_prefetch.py (half {i} of 2, "
            f"about {halves[1][i - 1]:.0f} s to install); read by .ci/run.\n"
            + "\n".join(sorted(lines, key=str.lower)) + "\n")


if __name__ == "__main__":
    main()
