"""Run cards: where results live, what a card holds, and its provenance, written in one place.

Every run of the book (a §4.1 classifier, a §4.2 DCGAN, a chapter-3 GAN) ends with a JSON card
that says what was run and how: profile, seed, configuration, precision, hardware, backend,
library versions, the commit of the code, and when it finished. :func:`new_card` adds the
provenance block and the schema version; :func:`write_card` checks the fields its kind needs
before writing (atomically); :func:`read_card` accepts cards of every schema version so far.

Schema versions: 1 (cards committed before the version field existed: no ``schema_version``,
``kind`` or ``precision``), 2 (this module).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from thesis_lib import artifacts, environment

SCHEMA_VERSION = 2
COMMON_FIELDS = ("schema_version", "kind", "profile", "seed", "config", "precision",
                 "hardware", "environment", "finished_at")
KIND_FIELDS = {
    "classifier": ("model", "parameters", "n_train", "n_test", "test_accuracy", "test_loss"),
    "gan": ("variant", "options", "epochs", "steps", "n_train", "metrics"),
    "toy_gan": ("variant", "dataset", "loss", "steps", "batch", "metrics", "seconds"),
    "gan_trace": ("variant", "options", "steps", "rows", "seconds"),
}


class RunCardError(ValueError):
    """A run card lacks a field its kind needs, or is of an unknown kind or schema."""


def results_dir() -> Path:
    """``results/`` of the repository (an editable install, or the Colab clone of the setup
    cell)."""
    for root in (Path(__file__).resolve().parent.parent, Path("/content/libro")):
        if (root / "results").is_dir():
            return root / "results"
    raise FileNotFoundError("results/ not found: run the book from a clone of the repository "
                            "(pip install -e .), or run the setup cell on Colab.")


def config_dict(config) -> dict:
    """A profile's dataclass (``thesis_lib.profiles``) as plain JSON values."""
    return {k: getattr(config, k) for k in config.__dataclass_fields__}


def new_card(kind: str, *, provenance: dict, precision: str = "float32", **fields) -> dict:
    """A card of ``kind`` with ``fields``, the provenance taken when the run started (the code
    that runs is the code loaded then), its hardware line and the finishing time (now)."""
    if kind not in KIND_FIELDS:
        raise RunCardError(f"unknown card kind {kind!r}; valid: {', '.join(KIND_FIELDS)}.")
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **fields, "precision": precision,
            "hardware": environment.hardware_label(provenance), "environment": provenance,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def check_card(card: dict) -> dict:
    """``card`` if it has every field of its kind; :class:`RunCardError` naming the missing."""
    kind = card.get("kind")
    if kind not in KIND_FIELDS:
        raise RunCardError(f"card of unknown kind {kind!r}; valid: {', '.join(KIND_FIELDS)}.")
    missing = [f for f in (*COMMON_FIELDS, *KIND_FIELDS[kind]) if f not in card]
    if missing:
        raise RunCardError(f"{kind} card lacks {', '.join(missing)}; build it with "
                           f"runcards.new_card.")
    return card


def write_card(path: str | Path, card: dict) -> Path:
    """Check ``card`` and write it as JSON, atomically."""
    return artifacts.write_json(path, check_card(card))


def read_card(path: str | Path, kind: str | None = None) -> dict:
    """A card from disk, upgraded in memory to the current schema: a version-1 card gets
    ``schema_version`` 1, its ``kind`` (from ``kind``, or guessed from its fields) and precision
    ``float32`` (the only one version-1 runs used)."""
    card = artifacts.read_json(path)
    version = card.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise RunCardError(f"{path} has schema version {version}, newer than this thesis_lib "
                           f"({SCHEMA_VERSION}); update the package (git pull).")
    if version == 1:
        guessed = "gan" if "variant" in card else "classifier"
        card = {"schema_version": 1, "kind": kind or guessed, "precision": "float32", **card}
    if kind is not None and card["kind"] != kind:
        raise RunCardError(f"{path} is a {card['kind']} card, not a {kind} card.")
    return card
