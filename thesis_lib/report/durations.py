"""How long each chapter's ``full`` profile takes, as measured, for the chapters' profile notes.

The measurements come from the batch runner's chapter jobs (``python -m thesis_lib.studies.batch
--only chapters``: papermill with ``profile="full"``, one at a time), whose ``batch.json`` holds
each job's seconds, the hardware and the commit. ``record`` keeps the finished ones in
``results/durations.json``, one entry per chapter and kind of device (``cpu``, ``gpu``), the
newest replacing the older; the chapters' notes (:func:`sentence`) read that file only, so a
number on the page is one that a command measured, with where and when.

    python -m thesis_lib.report.durations --record OUT/batch.json   # after a batch
    python -m thesis_lib.report.durations                           # what is recorded
"""

from __future__ import annotations

import sys
from pathlib import Path

from thesis_lib import artifacts, cli
from thesis_lib.formatting import num

DURATIONS = Path(__file__).resolve().parents[2] / "results" / "durations.json"
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")


def load(path: Path = DURATIONS) -> dict:
    """The recorded durations: ``{chapter: {device: entry}}`` (empty if none yet)."""
    path = Path(path)
    return artifacts.read_json(path)["chapters"] if path.is_file() else {}


def record(batch_json, path: Path = DURATIONS) -> list[str]:
    """Keep every finished ``full``-profile chapter job of a batch's ``batch.json`` (newest wins
    per chapter and device); returns the chapters recorded. Raises ``ValueError`` with the
    problem and the fix when the file is not a batch's."""
    batch_json = Path(batch_json)
    if not batch_json.is_file():
        raise ValueError(f"no file {batch_json}: pass the batch.json of a "
                         "'python -m thesis_lib.studies.batch --only chapters' run")
    batch = artifacts.read_json(batch_json)
    if "jobs" not in batch or "environment" not in batch:
        raise ValueError(f"{batch_json} is not a batch.json (no 'jobs' or 'environment')")
    if batch.get("tiny"):
        raise ValueError(f"{batch_json} is a --tiny batch: its chapters ran the quick profile")
    env = batch["environment"]
    device = "gpu" if batch.get("gpus") else "cpu"
    chapters = load(path)
    done = []
    for job in batch["jobs"]:
        if job.get("kind") != "chapter" or job.get("status") != "done":
            continue
        name = Path(job["output"]).stem
        chapters.setdefault(name, {})[device] = {
            "seconds": round(float(job["seconds"]), 1),
            "profile": "full",
            "hardware": batch.get("hardware", ""),
            "cpu": env.get("cpu", ""),
            "cpu_count": env.get("cpu_count"),
            "gpus": batch.get("gpus", []),
            "commit": batch.get("commit", env.get("commit", "")),
            "date": str(batch.get("started_at", batch.get("updated_at", "")))[:10],  # when it ran
            "backend": batch.get("backend", ""),
        }
        done.append(name)
    artifacts.write_json(path, {"chapters": dict(sorted(chapters.items()))})
    return done


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    if minutes >= 90:
        return f"{num(minutes / 60, 1)} h"
    return f"{num(minutes, 0 if minutes >= 10 else 1)} min"


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)} de {MONTHS[int(month) - 1]} de {year}"


def sentence(chapter: str, path: Path = DURATIONS) -> str:
    """The chapter's ``full`` duration as its profile note says it (plain text, for a glued
    sentence after the papermill command): measured on a CPU and on a GPU where recorded, with
    the processor, date and commit; "no se midió" otherwise."""
    entries = load(path).get(chapter, {})

    def measured(where: str, e: dict) -> str:
        return (f"{where} tardó {_minutes(e['seconds'])} (medido el {_date(e['date'])}, "
                f"commit {e['commit']})")

    if "cpu" in entries:
        e = entries["cpu"]
        cores = f"de {e['cpu_count']} núcleos " if e.get("cpu_count") else ""
        cpu = measured(f"En una CPU {cores}({e['cpu'].replace('(R)', '')})", e)
    else:
        cpu = "En una CPU no se midió todavía"
    gpu = (measured(f"en una GPU ({', '.join(entries['gpu']['gpus']) or 'sin nombre'})",
                    entries["gpu"]) if "gpu" in entries else "en una GPU no se midió todavía")
    return f"{cpu}; {gpu}."


def main(argv: list[str]) -> int:
    parser = cli.Parser(prog="python -m thesis_lib.report.durations",
                        description="The chapters' measured full-profile durations: print them, "
                                    "or first record a batch's.")
    parser.add_argument("--record", type=Path, default=None, metavar="BATCH_JSON",
                        help="keep the finished chapter jobs of a batch's batch.json first")
    args = parser.parse_args(argv)
    if args.record is not None:
        done = cli.run_checked(parser, lambda: record(args.record))
        print(f"recorded {len(done)} chapter(s) in {DURATIONS}: {', '.join(done) or 'none'}")
    for chapter in load():
        print(f"{chapter}: {sentence(chapter)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
