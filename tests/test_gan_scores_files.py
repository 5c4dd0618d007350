"""The committed runs' ``scores.json`` (thesis_lib.studies.rescore): one beside every GAN run
whose generator is committed, written from that generator (its hash), with intervals that
agree with the run card's own independent draw."""

import subprocess
import sys

import numpy as np
import pytest

from thesis_lib import artifacts
from thesis_lib.runcards import results_dir
from thesis_lib.studies import campaign, rescore

RUNS = rescore.gan_runs()
SCORED = [r for r in RUNS if rescore.status(r) != "no generator"]


def test_every_run_with_a_committed_generator_has_current_scores():
    assert len(SCORED) >= 7
    stale = [str(r) for r in SCORED if rescore.status(r) != "current"]
    assert not stale, f"run `python -m thesis_lib.studies.rescore`: {stale}"
    # the runs left unscored are those whose generator was never kept (written before scores
    # existed): the §4.2 one-epoch variants and chapter 5's first design
    for run in set(RUNS) - set(SCORED):
        assert "-e1-" in run.name or run.parent.parent.name == "scarce", run


@pytest.mark.parametrize("run", SCORED, ids=lambda r: r.name)
def test_scores_state_their_samples_and_agree_with_the_card(run):
    scores = artifacts.read_json(run / rescore.SCORES)
    card = artifacts.read_json(run / "card.json")
    g = scores["generated"]
    assert g["n_generated"] == rescore.N_GENERATED and g["n_reference"] == 10_000
    assert g["replicates"] >= 100
    for name, m in g["metrics"].items():
        assert m["low"] <= m["value"] <= m["high"], name
        assert m["sd"] >= 0
    assert sum(r["count"] for r in g["per_class"]) == rescore.N_GENERATED
    # The card's Fréchet distance comes from another draw of 10 000 images of the same
    # generator: the two differ by sampling alone, about √2 bootstrap sds.
    fd = g["metrics"]["frechet_distance"]
    assert abs(card["metrics"]["frechet_distance"] - fd["value"]) <= 4 * np.sqrt(2) * fd["sd"]
    assert g["classes_covered"] == card["metrics"]["classes_covered"] or \
        abs(g["classes_covered"] - card["metrics"]["classes_covered"]) == 1
    curve = g["fd_curve"]
    assert curve["sizes"][-1] == rescore.N_GENERATED
    assert curve["frechet_distance"][-1] == pytest.approx(fd["value"])


def test_no_run_reaches_the_real_floor():
    floor = artifacts.read_json(SCORED[0] / rescore.SCORES)["real_floor"]["metrics"]
    for run in SCORED:
        g = artifacts.read_json(run / rescore.SCORES)["generated"]["metrics"]
        assert g["frechet_distance"]["low"] > floor["frechet_distance"]["high"]
        assert g["coverage"]["high"] < floor["coverage"]["low"]


def _run(tmp_path, weights=b"w"):
    run = tmp_path / "results" / "dcgan" / "baseline-full-e1-seed0"
    run.mkdir(parents=True)
    card = {"variant": "baseline", "options": {}, "config": {}, "profile": "full", "seed": 0,
            "epochs": 1, "steps": 1}
    if weights is not None:
        (run / "generator.weights.h5").write_bytes(weights)
        card.update(generator_weights="generator.weights.h5",
                    generator_sha256=artifacts.sha256(run / "generator.weights.h5"))
    artifacts.write_json(run / "card.json", card)
    return run


def test_status_follows_the_generator(tmp_path):
    run = _run(tmp_path)
    assert rescore.gan_runs(tmp_path / "results") == [run]
    assert rescore.status(run) == "missing"
    card = artifacts.read_json(run / "card.json")
    artifacts.write_json(run / rescore.SCORES, {"schema": rescore.SCHEMA,
                                                "generator_sha256": card["generator_sha256"]})
    assert rescore.status(run) == "current"
    artifacts.write_json(run / "card.json", {**card, "generator_sha256": "0" * 64})
    assert rescore.status(run) == "stale"
    bare = _run(tmp_path / "other", weights=None)
    assert rescore.status(bare) == "no generator"
    (run / "generator.weights.h5").unlink()  # scored where it was, not committed
    artifacts.write_json(run / "card.json", card)
    assert rescore.status(run) == "current"


def test_a_delivery_without_a_generator_is_not_scored(tmp_path):
    run = _run(tmp_path, weights=None)
    c = campaign.Campaign(tmp_path / "state", (), results=tmp_path / "results")
    logged = []
    assert campaign.score_delivery(c, run, logged.append) is True and logged == []


def test_a_failed_scoring_is_logged_and_the_run_stays(tmp_path, monkeypatch):
    run = _run(tmp_path)
    c = campaign.Campaign(tmp_path / "state", (), results=tmp_path / "results")
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    logged = []
    assert campaign.score_delivery(c, run, logged.append) is False
    assert "not written" in logged[0] and "thesis_lib.studies.rescore" in logged[0]
    assert (run / "card.json").is_file()


def test_bad_arguments_get_one_line():
    out = subprocess.run([sys.executable, "-m", "thesis_lib.studies.rescore", "--replicates",
                          "5", "--list"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "integer >= 20" in out.stderr


def test_list_names_every_run():
    out = subprocess.run([sys.executable, "-m", "thesis_lib.studies.rescore", "--list",
                          "--results", str(results_dir())], capture_output=True, text=True,
                         check=True)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(RUNS)
    assert sum(line.startswith("current") for line in lines) == len(SCORED)
