"""What .ci/run reads besides the requirements: the two prefetch halves stay in step with them."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / ".ci"


def pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, names normalised, extras dropped."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;#]+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(3)
    return found


def test_prefetch_halves_pin_every_requirement_at_its_version():
    # A stale list would only cost install time (the full install corrects it), so this is
    # where it gets noticed: regenerate with `.venv/bin/python .ci/make_prefetch.py`.
    halves = [pins(CI / "prefetch-1.txt"), pins(CI / "prefetch-2.txt")]
    assert halves[0] and halves[1] and not set(halves[0]) & set(halves[1])
    prefetched = {**halves[0], **halves[1]}
    required = {**pins(ROOT / "requirements.txt"), **pins(CI / "requirements-backends.txt")}
    assert required, "no pins read from the requirements"
    stale = {name: (version, prefetched.get(name)) for name, version in required.items()
             if prefetched.get(name, "").split("+")[0] != version}
    assert not stale, f"requirement: (pinned, prefetched): {stale}"
