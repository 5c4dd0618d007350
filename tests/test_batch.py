"""The GPU batch (thesis_lib.studies.batch): job order, skipping what is done, limits, manifest, archive,
command-line errors, and one tiny end-to-end batch (a DCGAN job and a chapter) on this CPU."""

import json
import os
import subprocess
import sys
import tarfile
import time

import pytest

from thesis_lib import artifacts
from thesis_lib.profiles import get_config
from thesis_lib.studies import batch

PY = sys.executable
# A child that imports thesis_lib with the TensorFlow backend spends seconds importing it;
# the batch's own process needs no backend at all.
FAST_ENV = {**os.environ, "KERAS_BACKEND": "jax"}


def test_variants_epochs_and_run_names_match_the_runs_cli():
    from thesis_lib.studies import mnist_gan as runs

    assert batch.VARIANTS == tuple(runs.VARIANTS)
    assert batch.FULL_EPOCHS == get_config("dcgan", "full").epochs
    for tiny, overrides in ((False, {}), (True, dict(batch.TINY_OVERRIDES))):
        config = get_config("dcgan", "full", seed=2, **overrides)
        assert batch.dcgan_run_name("latent50", 2, tiny) == \
            runs.run_name("latent50", "full", config, overrides)
    assert batch.TINY_OVERRIDES == {"epochs": 1, "train_subset": 512, "monitor_every": 1,
                                    "metric_samples": 1000}


@pytest.mark.parametrize("tiny", [False, True])
def test_family_jobs_name_the_run_directories_the_runs_cli_writes(tmp_path, tiny):
    from thesis_lib.studies import mnist_gan as runs

    for job in batch.family_jobs(tmp_path, tiny=tiny):
        args = runs.parser().parse_args(job.argv[3:])
        overrides = runs.overrides_from_args(args)
        assert args.variant[0] in runs.ALL_VARIANTS
        assert job.output.parent.parent == tmp_path / "mnist_gan"
        assert job.kind == "family" and job.output.name == "card.json"
        config = get_config("dcgan", "full", seed=0, **overrides)
        assert job.output.parent.name == runs.run_name(args.variant[0], "full", config,
                                                       overrides)


def test_baseline_seeds_first_then_variants_seed_by_seed_then_chapters(tmp_path):
    jobs = batch.plan(tmp_path)
    names = [j.name for j in jobs]
    others = ("tanh", "latent50", "latent200", "batchnorm", "upsample")
    families = [f"family-{f}-seed0" for f in batch.FAMILIES]
    expected = [f"dcgan-baseline-seed{s}" for s in (0, 1, 2)] + families + \
        [f"dcgan-{v}-seed{s}" for s in (0, 1, 2) for v in others]
    assert names[:23] == expected
    assert names[23:] == [f"chapter-{n}" for n in batch.chapter_names()]
    assert "chapter-04-2-dcgan" in names and all(j.status == batch.PENDING for j in jobs)
    first = jobs[0]
    assert first.argv[1:] == ["-m", "thesis_lib.studies.mnist_gan", "--variant", "baseline", "--profile",
                              "full", "--seed", "0", "--out", str(tmp_path / "dcgan")]
    assert first.output == tmp_path / "dcgan" / "baseline-full-e100-seed0" / "card.json"
    chapter = jobs[-1]
    assert chapter.argv[chapter.argv.index("-p"):][:3] == ["-p", "profile", "full"]
    assert chapter.output.parent == tmp_path / "chapters" and chapter.cwd == batch.CHAPTERS_DIR


def test_tiny_and_selection(tmp_path):
    jobs = [j for j in batch.plan(tmp_path, tiny=True, variants=["upsample", "baseline"],
                                  seeds=[1]) if j.kind != "family"]
    assert [j.name for j in jobs] == ["dcgan-baseline-seed1", "dcgan-upsample-seed1",
                                      "chapter-02-1-perceptron"]
    assert jobs[0].argv[-8:] == ["--epochs", "1", "--train-subset", "512",
                                 "--monitor-every", "1", "--metric-samples", "1000"]
    assert jobs[0].output.parent.name == "baseline-full-e1-n512-seed1"
    assert jobs[-1].argv[jobs[-1].argv.index("-p"):][:3] == ["-p", "profile", "quick"]
    assert [j.kind for j in batch.plan(tmp_path, only="dcgan")] == ["dcgan"] * 18
    assert [j.kind for j in batch.plan(tmp_path, only="families")] == ["family"] * 5
    assert [j.name for j in batch.plan(tmp_path, only="families", families=["conditional"])] \
        == ["family-conditional-seed0"]
    assert {j.kind for j in batch.plan(tmp_path, only="chapters")} == {"chapter"}


def test_default_backend(monkeypatch):
    import importlib.util

    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert batch.default_backend() == "torch"
    monkeypatch.delenv("KERAS_BACKEND")
    expected = "tensorflow" if importlib.util.find_spec("tensorflow") else "jax"
    assert batch.default_backend() == expected  # a GPU machine without TensorFlow gets jax


def test_done_jobs_are_skipped(tmp_path):
    card = tmp_path / "dcgan" / "baseline-full-e100-seed1" / "card.json"
    artifacts.write_json(card, {})
    notebook = tmp_path / "chapters" / "02-1-perceptron.ipynb"
    artifacts.write_json(notebook, {})
    status = {j.name: j.status for j in batch.plan(tmp_path)}
    assert status["dcgan-baseline-seed1"] == status["chapter-02-1-perceptron"] == batch.SKIPPED
    assert status["dcgan-baseline-seed0"] == status["chapter-02-2-redes-prealimentadas"] == \
        batch.PENDING


def fake_job(tmp_path, name, code, *, partial=False):
    """A job whose process runs ``code`` with ``OUT`` (and ``PART``) bound to its paths."""
    output = tmp_path / "out" / f"{name}.txt"
    part = output.with_name(f".{name}.running") if partial else None
    script = f"import sys, time; from pathlib import Path; OUT = Path({str(output)!r}); " \
             f"PART = Path({str(part)!r}); {code}"
    return batch.Job(name, "chapter" if partial else "dcgan", [PY, "-c", script], output,
                     tmp_path, part)


def run(tmp_path, jobs, **kwargs):
    changes = []
    runner = batch.Runner(jobs, tmp_path, dict(os.environ), poll_s=0.05,
                          on_change=lambda: changes.append([j.status for j in jobs]), **kwargs)
    runner.run()
    return changes


def test_runner_records_done_failed_and_goes_on(tmp_path):
    jobs = [fake_job(tmp_path, "ok", "OUT.write_text('x')"),
            fake_job(tmp_path, "crash", "print('step 1'); raise MemoryError('out of memory')"),
            fake_job(tmp_path, "exit", "print('ValueError: shown'); print('  detail'); "
                                       "sys.exit(2)"),
            fake_job(tmp_path, "silent", "pass"),
            fake_job(tmp_path, "nb", "PART.write_text('nb')", partial=True),
            fake_job(tmp_path, "nbfail", "PART.write_text('nb'); sys.exit(3)", partial=True)]
    run(tmp_path, jobs)
    ok, crash, exit_, silent, nb, nbfail = jobs
    assert ok.status == batch.DONE and ok.returncode == 0 and ok.seconds >= 0
    assert crash.status == batch.FAILED and crash.returncode == 1
    assert crash.error == "MemoryError: out of memory"
    assert exit_.status == batch.FAILED and exit_.returncode == 2
    assert exit_.error == "ValueError: shown"
    assert silent.status == batch.FAILED and "without writing" in silent.error
    assert nb.status == batch.DONE and nb.output.read_text() == "nb" and not nb.partial.exists()
    assert nbfail.status == batch.FAILED and not nbfail.output.exists()
    assert nbfail.output.with_name("nbfail.failed.ipynb").exists()
    log = (tmp_path / "logs" / "crash.log").read_text()
    assert "step 1" in log and "exit status 1" in log


def test_runner_runs_jobs_in_parallel(tmp_path):
    # Each job waits (up to 20 s) for the other's start file: both see it only if run together.
    code = ("OUT.with_name('{me}.started').write_text(''); t = time.time()\n"
            "while not OUT.with_name('{other}.started').exists() and time.time() - t < 20: "
            "time.sleep(0.05)\n"
            "OUT.write_text(str(OUT.with_name('{other}.started').exists()))")
    jobs = [fake_job(tmp_path, me, f"exec({code.format(me=me, other=other)!r})")
            for me, other in (("a", "b"), ("b", "a"))]
    (tmp_path / "out").mkdir()
    run(tmp_path, jobs, parallel=2)
    assert [j.output.read_text() for j in jobs] == ["True", "True"]


def test_budget_stops_new_jobs_and_hard_stop_ends_running_ones(tmp_path):
    jobs = [fake_job(tmp_path, "first", "time.sleep(1.0); OUT.write_text('x')"),
            fake_job(tmp_path, "second", "OUT.write_text('x')")]
    run(tmp_path, jobs, budget_s=0.3)
    assert [j.status for j in jobs] == [batch.DONE, batch.NOT_STARTED]

    jobs = [fake_job(tmp_path, "long", "time.sleep(60)"), fake_job(tmp_path, "next", "pass")]
    run(tmp_path, jobs, hard_stop_s=0.5)
    assert [j.status for j in jobs] == [batch.STOPPED, batch.NOT_STARTED]
    assert jobs[0].seconds < 30

    jobs = [fake_job(tmp_path, "never", "OUT.write_text('x')")]
    run(tmp_path, jobs, budget_s=0)
    assert jobs[0].status == batch.NOT_STARTED and not jobs[0].output.exists()


def test_archive_leaves_out_checkpoints_epoch_generators_and_temporary_files(tmp_path):
    src = tmp_path / "batch"
    run_dir = src / "dcgan" / "baseline-full-e100-seed0"
    for rel in ("card.json", "generator.weights.h5", "grid-epoch010.png", "history.csv",
                "checkpoint/state.json", "checkpoint/state-epoch010.weights.h5",
                "generator-epoch010.keras", ".card.json.x1.tmp"):
        (run_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / rel).write_text(rel)
    for rel in ("batch.json", "logs/dcgan-baseline-seed0.log", "chapters/04-2-dcgan.ipynb",
                "chapters/.04-1-clasificadores.running.ipynb", ".jupyter/kernels/python3/k.json"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(rel)
    archive, count = batch.make_archive(src, tmp_path / "a" / "batch.tar.gz")
    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
        assert tar.extractfile("batch/dcgan/baseline-full-e100-seed0/card.json").read() == \
            b"card.json"
    assert names == sorted(f"batch/{r}" for r in (
        "batch.json", "logs/dcgan-baseline-seed0.log", "chapters/04-2-dcgan.ipynb",
        *(f"dcgan/baseline-full-e100-seed0/{n}" for n in
          ("card.json", "generator.weights.h5", "grid-epoch010.png", "history.csv"))))
    assert count == len(names) and os.listdir(tmp_path / "a") == ["batch.tar.gz"]
    # An archive inside the folder is not packed into itself; extra patterns apply too.
    archive, _ = batch.make_archive(src, src / "self.tar.gz", (*batch.ARCHIVE_EXCLUDES,
                                                               "*.weights.h5"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "batch/self.tar.gz" not in names and not any(n.endswith(".h5") for n in names)
    # --new-only: what an earlier lease wrote (unpacked here with its old times) stays out.
    old = time.time() - 3600
    for path in (run_dir / "card.json", src / "batch.json"):
        os.utime(path, (old, old))
    archive, _ = batch.make_archive(src, tmp_path / "new.tar.gz", since=time.time() - 60)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "batch/chapters/04-2-dcgan.ipynb" in names
    assert not {"batch/batch.json", "batch/dcgan/baseline-full-e100-seed0/card.json"} & set(names)


def test_results_written_by_chapters_are_copied(tmp_path):
    root = tmp_path / "results"
    (root / "classifiers").mkdir(parents=True)
    (root / "classifiers" / "old.json").write_text("1")
    (root / "kept.json").write_text("1")
    before = batch.snapshot(root)
    (root / "classifiers" / "old.json").write_text("22")
    new = root / "dcgan" / "baseline-full-e100-seed1"
    (new / "checkpoint").mkdir(parents=True)
    (new / "card.json").write_text("{}")
    (new / "checkpoint" / "state.json").write_text("{}")
    copied = batch.copy_new_results(root, before, tmp_path / "copy")
    assert sorted(copied) == ["classifiers/old.json", "dcgan/baseline-full-e100-seed1/card.json"]
    assert (tmp_path / "copy" / "classifiers" / "old.json").read_text() == "22"


def test_manifest_of_a_batch_stopped_by_its_budget(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    out = tmp_path / "run"
    card = out / "dcgan" / "baseline-full-e100-seed0" / "card.json"
    artifacts.write_json(card, {"kind": "gan"})
    artifacts.write_json(out / "batch.json", {"started_at": "earlier", "state": "finished",
                                              "jobs": [{"name": "dcgan-baseline-seed0",
                                                        "status": "done", "seconds": 300.0}]})
    code = batch.main(["--out", str(out), "--only", "dcgan", "--variants", "baseline",
                       "--seeds", "0", "1", "--budget-minutes", "0", "--backend", "torch",
                       "--parallel", "2"])
    assert code == 0
    manifest = artifacts.read_json(out / "batch.json")
    assert manifest["state"] == "finished" and manifest["backend"] == "torch"
    assert manifest["parallel"] == 2 and manifest["budget_minutes"] == 0
    assert manifest["gpus"] == manifest["environment"]["gpus"]
    assert manifest["environment"]["keras_backend"] == "torch"
    assert manifest["commit"] and manifest["hardware"].endswith("backend torch")
    jobs = {j["name"]: j for j in manifest["jobs"]}
    assert jobs["dcgan-baseline-seed0"]["status"] == "skipped"
    assert jobs["dcgan-baseline-seed0"]["earlier"] == {"status": "done", "seconds": 300.0}
    assert jobs["dcgan-baseline-seed1"]["status"] == "not started (budget)"
    assert jobs["dcgan-baseline-seed1"]["output"] == \
        "dcgan/baseline-full-e100-seed1/card.json"
    assert manifest["counts"] == {"skipped": 1, "not started (budget)": 1}
    assert manifest["earlier_runs"][0]["started_at"] == "earlier"
    with tarfile.open(tmp_path / "run.tar.gz") as tar:  # the default archive: OUT.tar.gz
        names = tar.getnames()
    assert sorted(names) == ["run/batch.json", "run/dcgan/baseline-full-e100-seed0/card.json"]
    assert "archive" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--backend", "cntk"], "argument --backend: invalid choice: 'cntk'"),
    (["--parallel", "0"], "argument --parallel: must be a positive integer"),
    (["--budget-minutes", "-5"], "argument --budget-minutes: must be a number of minutes"),
    (["--chapters", "99-nada"], "unknown chapter(s) 99-nada; valid: 02-0-antecedentes, "
                                "02-1-perceptron"),
])
def test_bad_arguments_print_one_line_and_exit_2(tmp_path, args, message):
    result = subprocess.run([PY, "-m", "thesis_lib.studies.batch", "--out", str(tmp_path / "b"), *args],
                            capture_output=True, text=True, env=FAST_ENV, cwd=batch.ROOT)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith("python -m thesis_lib.studies.batch: error: ")
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
def test_tiny_batch_end_to_end(tmp_path, mnist_dir):
    """A real DCGAN job and a real papermill chapter through the batch command, then a rerun
    that finds both done; the archive holds the card (naming the hardware) and the notebook."""
    out, archive = tmp_path / "tiny", tmp_path / "back" / "tiny.tar.gz"
    command = [PY, "-m", "thesis_lib.studies.batch", "--tiny", "--out", str(out), "--variants",
               "baseline", "--seeds", "0", "--families", "--parallel", "2",
               "--archive", str(archive)]
    env = {**os.environ, "THESIS_MNIST_DIR": str(mnist_dir), "KERAS_BACKEND": "tensorflow"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = artifacts.read_json(out / "batch.json")
    assert [(j["name"], j["status"]) for j in manifest["jobs"]] == [
        ("dcgan-baseline-seed0", "done"), ("chapter-02-1-perceptron", "done")]
    run = "tiny/dcgan/baseline-full-e1-n512-seed0"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        card = json.load(tar.extractfile(f"{run}/card.json"))
        notebook = json.load(tar.extractfile("tiny/chapters/02-1-perceptron.ipynb"))
    assert {f"{run}/history.csv", f"{run}/generator.weights.h5", "tiny/batch.json",
            "tiny/logs/dcgan-baseline-seed0.log", "tiny/logs/chapter-02-1-perceptron.log"} <= names
    assert not any("/checkpoint/" in n or "generator-epoch" in n for n in names)
    assert card["epochs"] == 1 and card["n_train"] == 512 and card["profile"] == "full"
    assert card["hardware"] == manifest["hardware"]
    assert card["environment"]["keras_backend"] == "tensorflow"
    assert card["environment"]["cpu"] in card["hardware"]
    assert notebook["metadata"]["papermill"]["parameters"] == {"profile": "quick"}
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    assert any(k.endswith("image/png") for o in outputs for k in o.get("data", {}))

    again = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    manifest = artifacts.read_json(out / "batch.json")
    assert {j["status"] for j in manifest["jobs"]} == {"skipped"}
    assert manifest["jobs"][0]["earlier"]["status"] == "done"
