"""thesis_lib.report.durations: a batch's measured chapter times, recorded and said in Spanish."""

import json

import pytest

from thesis_lib.report import durations


def batch(tmp_path, jobs, gpus=(), tiny=False, name="batch.json"):
    path = tmp_path / name
    path.write_text(json.dumps({
        "tiny": tiny, "gpus": list(gpus), "backend": "tensorflow", "commit": "abc1234",
        "hardware": "2 × Intel(R) Xeon(R) Processor (CPU), backend tensorflow",
        "started_at": "2026-12-07T23:29:34+00:00", "updated_at": "2026-12-08T00:07:00+00:00",
        "environment": {"cpu": "Intel(R) Xeon(R) Processor", "cpu_count": 2},
        "jobs": jobs}))
    return path


def job(chapter, seconds, status="done"):
    return {"name": f"chapter-{chapter}", "kind": "chapter", "status": status,
            "seconds": seconds, "output": f"chapters/{chapter}.ipynb"}


def test_finished_chapter_jobs_are_recorded_and_said_with_where_and_when(tmp_path):
    store = tmp_path / "durations.json"
    jobs = [job("03-1-juego-gan", 158.46), job("03-2-desafios", 5400.0),
            job("05-conclusiones", None, status="stopped"),
            {"name": "dcgan-baseline", "kind": "dcgan", "status": "done", "seconds": 9.0}]
    assert durations.record(batch(tmp_path, jobs), store) == ["03-1-juego-gan", "03-2-desafios"]
    assert durations.load(store)["03-1-juego-gan"]["cpu"]["seconds"] == 158.5
    text = durations.sentence("03-1-juego-gan", store)
    assert text == ("En una CPU de 2 núcleos (Intel Xeon Processor) tardó 2,6 min (medido el 7 "
                    "de diciembre de 2026, commit abc1234); en una GPU no se midió todavía.")
    assert "tardó 1,5 h" in durations.sentence("03-2-desafios", store)
    assert durations.sentence("05-conclusiones", store) == (
        "En una CPU no se midió todavía; en una GPU no se midió todavía.")


def test_a_gpu_measurement_joins_the_cpu_one_and_a_newer_one_replaces_it(tmp_path):
    store = tmp_path / "durations.json"
    durations.record(batch(tmp_path, [job("03-1-juego-gan", 158.0)]), store)
    durations.record(batch(tmp_path, [job("03-1-juego-gan", 30.0)], gpus=["NVIDIA H100"],
                           name="gpu.json"), store)
    durations.record(batch(tmp_path, [job("03-1-juego-gan", 120.0)], name="again.json"), store)
    entries = durations.load(store)["03-1-juego-gan"]
    assert entries["cpu"]["seconds"] == 120.0 and entries["gpu"]["seconds"] == 30.0
    assert "en una GPU (NVIDIA H100) tardó 0,5 min" in durations.sentence("03-1-juego-gan", store)


def test_bad_input_is_one_line_naming_the_fix(tmp_path, capsys):
    with pytest.raises(ValueError, match="pass the batch.json"):
        durations.record(tmp_path / "missing.json", tmp_path / "d.json")
    with pytest.raises(ValueError, match="quick profile"):
        durations.record(batch(tmp_path, [], tiny=True), tmp_path / "d.json")
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(SystemExit) as stop:
        durations.main(["--record", str(tmp_path / "other.json")])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not a batch.json" in err


def test_the_committed_durations_are_well_formed():
    for chapter, entries in durations.load().items():
        assert (durations.DURATIONS.parent.parent / "chapters" / f"{chapter}.ipynb").is_file()
        for device, entry in entries.items():
            assert device in ("cpu", "gpu") and entry["profile"] == "full"
            assert entry["seconds"] > 0 and entry["commit"] and entry["date"]
