"""The CPU campaign (thesis_lib.studies.campaign through ``python -m thesis_lib.studies.batch --campaign``): its
queue names the runs the runs CLI writes, the status of a campaign never started, settings and
command-line errors, and a tiny campaign killed in the middle of a job that, restarted, delivers
the same run as one never interrupted."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thesis_lib import artifacts
from thesis_lib.profiles import get_config
from thesis_lib.studies import campaign

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent
# The jobs that run thesis_lib.studies.mnist_gan (the scarce cells have their own tests below).
MNIST_QUEUE = tuple(j for j in campaign.QUEUE if not isinstance(j, campaign.ScarceCellJob))
SCARCE_QUEUE = tuple(j for j in campaign.QUEUE if isinstance(j, campaign.ScarceCellJob))


def _parse(job):
    from thesis_lib.studies import mnist_gan as runs

    args = runs.parser().parse_args(job.argv("python", Path("W"), "off")[3:])
    return args, runs.overrides_from_args(args)


@pytest.mark.parametrize("job", MNIST_QUEUE + campaign.TINY_QUEUE, ids=lambda j: j.name)
def test_each_job_names_the_run_folder_the_runs_cli_writes(job):
    from thesis_lib.studies import mnist_gan as runs

    args, overrides = _parse(job)
    config = get_config("dcgan", "full", seed=job.seed, **overrides)
    assert job.run == runs.run_name(args.variant[0], "full", config, overrides)
    assert job.epochs == config.epochs
    assert args.out == Path("W") / job.group and args.xla == "off"


def test_the_queue_is_the_issues_order_and_budgets():
    from thesis_lib.studies import mnist_gan as runs

    names = [j.name for j in campaign.QUEUE]
    assert names[0] == "dcgan-baseline-seed1-e100"
    assert campaign.VARIANTS == tuple(runs.VARIANTS) + tuple(runs.PAIRED_VARIANTS)
    variants = [j for j in campaign.QUEUE if j.name.endswith("-e5")]
    assert [(j.variant, j.seed) for j in variants] == [(v, s) for s in (0, 1, 2)
                                                       for v in campaign.VARIANTS]
    families = [j for j in campaign.QUEUE if j.group == "mnist_gan"]
    assert [j.name for j in families] == ["mnist-standard-g5000", "mnist-wasserstein_gp-g5000",
                                          "mnist-wasserstein_clip-g5000", "mnist-infogan-e20"]
    for job in families[:3]:  # equal generator steps, scored every 250
        _, overrides = _parse(job)
        assert overrides["epochs"] * overrides["steps_per_epoch"] == 5000
        assert overrides["steps_per_epoch"] == 250 and overrides["metrics_every"] == 1
    first = _parse(campaign.QUEUE[0])[1]
    assert first == {"epochs": 100, "metrics_every": 1, "monitor_every": 10}
    assert _parse(campaign.QUEUE[0])[0].keep_best
    # one precision for every job: float32 (bfloat16 is emulated, 7x slower, on AVX2 machines)
    assert all("--precision" not in j.args for j in campaign.QUEUE)
    assert [j.name for j in campaign.QUEUE if j.hold] == []


def _flops_counter():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import gan_step
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return gan_step


def test_each_jobs_flops_per_step_are_counted_from_its_layers():
    gan_step = _flops_counter()
    from thesis_lib.gan.infogan import CATEGORIES, CONTINUOUS, build_infogan
    from thesis_lib.gan.model import build_dcgan
    from thesis_lib.studies import mnist_gan as runs

    counted = {}
    for job in MNIST_QUEUE + campaign.TINY_QUEUE:
        _, overrides = _parse(job)
        shape = {k: v for k, v in overrides.items() if k in ("batch_size", "critic_steps")}
        key = (job.variant, tuple(sorted(shape.items())))
        if key not in counted:
            options = dict(runs.ALL_VARIANTS[job.variant])
            if "latent_dim" in options:
                shape["latent_dim"] = options.pop("latent_dim")
            if "info_noise" in options:
                shape["latent_dim"] = options["info_noise"] + CATEGORIES + CONTINUOUS
                gan = build_infogan(get_config("dcgan", "full", **shape),
                                    noise_dim=options["info_noise"], g_filters=32, d_filters=32)
            else:
                gan = build_dcgan(get_config("dcgan", "full", **shape), **options)
            config = get_config("dcgan", "full", **shape)
            counted[key] = gan_step.step_flops(gan_step.layer_macs(gan.generator),
                                               gan_step.layer_macs(gan.discriminator),
                                               config.batch_size // 2,
                                               config.critic_steps) / 1e9
        assert job.gflop_per_step == pytest.approx(counted[key], abs=0.01), job.name
    # the thesis's DCGAN: the hand count in benchmarks/dcgan_step.py (65.5 G multiply-adds)
    assert campaign.QUEUE[0].gflop_per_step == pytest.approx(130.93, abs=0.01)
    # chapter 5's conditional GAN, as thesis_lib.studies.scarce builds it
    from thesis_lib.studies import scarce
    config = get_config("dcgan", "full", batch_size=64, conditional=True)
    gan = build_dcgan(config, **runs.ALL_VARIANTS[scarce.GAN_VARIANT], num_classes=10)
    gflop = gan_step.step_flops(gan_step.layer_macs(gan.generator),
                                gan_step.layer_macs(gan.discriminator), 32) / 1e9
    assert all(j.gflop_per_step == pytest.approx(gflop, abs=0.01) for j in SCARCE_QUEUE)


def test_the_step_benchmark_times_each_setting_in_its_own_process():
    job = campaign.TINY_QUEUE[0]
    lines = []
    found = campaign.measure(job, ROOT, "tensorflow", steps=3, warmup=1,
                             settings=[(1, "off"), (1, "on")], log=lines.append)
    assert [(r["threads"], r["xla"]) for r in found["table"]] == [(1, "off"), (1, "on")]
    assert found["chosen"] == min(found["table"], key=lambda r: r["seconds_per_step"])
    chosen = f"{found['chosen']['threads']}t-xla{found['chosen']['xla']}"
    assert chosen in found["bit_identical_to_chosen"]
    for row in found["table"]:
        assert row["backend"] == "tensorflow" and row["steps_timed"] == 2
        assert row["gflop_per_step"] == pytest.approx(job.gflop_per_step, abs=0.01)
        assert 0 < row["ratio_to_matmul"] < 2 and len(row["weights_sha256"]) == 64
    assert len(lines) == 2 and "s/step" in lines[0]


def test_steps_per_epoch_draws_the_same_batches_as_passes():
    import numpy as np

    from thesis_lib.gan.training import EpochShuffled

    images = np.arange(40, dtype="float32").reshape(40, 1)
    passes = EpochShuffled(images, 2, seed=3)  # 10 steps a pass
    chunks = EpochShuffled(images, 2, seed=3, steps_per_epoch=4)
    by_pass = []
    for epoch in range(3):
        passes.epoch = epoch
        by_pass += [passes[i] for i in range(len(passes))]
    by_chunk = []
    for epoch in range(7):
        chunks.epoch = epoch
        by_chunk += [chunks[i] for i in range(len(chunks))]
    assert len(chunks) == 4 and len(by_chunk) == 28
    for a, b in zip(by_pass, by_chunk):
        np.testing.assert_array_equal(a, b)


def test_status_of_a_campaign_never_started(tmp_path):
    out = subprocess.run([PY, "-m", "thesis_lib.studies.batch", "--campaign", "--status",
                          "--campaign-dir", str(tmp_path / "c")], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "nothing started yet" in out.stdout and "running now: no" in out.stdout
    for job in campaign.QUEUE:
        assert job.name in out.stdout
    assert f"0/{campaign.QUEUE[0].epochs}" in out.stdout
    assert not (tmp_path / "c").exists()  # asking creates nothing


@pytest.mark.parametrize("argv, message", [
    (["--campaign", "--settings", "threads=0,xla=off"], "--settings"),
    (["--campaign", "--settings", "two threads"], "threads=1,xla=off"),
    (["--campaign", "--restart-job", "nope"], "unknown campaign job"),
    ([], "--out is required"),
])
def test_bad_input_gets_one_line(argv, message, tmp_path):
    out = subprocess.run([PY, "-m", "thesis_lib.studies.batch", *argv, "--campaign-dir",
                          str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_a_restart_on_new_code_does_not_repeat_the_restarted_jobs():
    argv = ["--campaign", "--restart-job", "a", "--settings", "threads=1,xla=off",
            "--restart-job=b", "--retime", "--tiny"]
    assert campaign._without_restarts(argv) == ["--campaign", "--settings", "threads=1,xla=off",
                                                "--tiny"]


def test_a_second_campaign_on_the_same_folder_is_refused(tmp_path):
    holder = campaign._lock(tmp_path)
    try:
        assert campaign.running_pid(tmp_path) == os.getpid()
        with pytest.raises(RuntimeError, match="already running"):
            campaign._lock(tmp_path)
    finally:
        holder.close()
    assert campaign.running_pid(tmp_path) is None


def test_processor_features_decide_nothing_in_bfloat16():
    info = campaign.processor()
    assert info["bfloat16_in_hardware"] == ("avx512_bf16" in campaign.cpu_flags()
                                            or "amx_bf16" in campaign.cpu_flags())
    assert len(campaign.processor_key(info)) == 12


# --- a tiny campaign, killed and restarted ------------------------------------------------------

def _repo(tmp_path: Path, name: str) -> Path:
    """A git repository holding this working tree's library and benchmarks (the campaign runs
    committed code only, from a clone)."""
    repo = tmp_path / name
    for part in ("thesis_lib", "benchmarks"):
        shutil.copytree(ROOT / part, repo / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "results").mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "x"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env, capture_output=True)
    return repo


def _start(repo: Path, folder: Path, mnist_dir) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(repo),
           "THESIS_MNIST_DIR": str(Path(mnist_dir).resolve())}
    return subprocess.Popen([PY, "-m", "thesis_lib.studies.batch", "--campaign", "--tiny",
                             "--campaign-dir", str(folder), "--settings", "threads=1,xla=off"],
                            cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_a_killed_campaign_restarts_and_delivers_the_uninterrupted_result(tmp_path, mnist_dir):
    repos = {name: _repo(tmp_path, name) for name in ("whole", "cut")}
    job = campaign.TINY_QUEUE[0]
    whole = _start(repos["whole"], tmp_path / "whole-state", mnist_dir)
    cut = _start(repos["cut"], tmp_path / "cut-state", mnist_dir)
    run = Path("work") / job.group / job.run
    state = tmp_path / "cut-state" / run / "checkpoint" / "state.json"
    deadline = time.monotonic() + 600
    while not state.is_file() and time.monotonic() < deadline and cut.poll() is None:
        time.sleep(0.1)
    assert state.is_file(), cut.communicate()[0][-3000:]
    os.killpg(cut.pid, signal.SIGKILL)  # as a session's end: no time to clean up
    cut.wait()
    killed_at = artifacts.read_json(state)["epoch"]
    assert killed_at < job.epochs
    delivered = repos["cut"] / "results" / job.group / job.run
    assert not delivered.exists()  # nothing half-delivered
    time.sleep(1.0)  # the orphaned job dies with its parent
    rerun = _start(repos["cut"], tmp_path / "cut-state", mnist_dir)
    log, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, log[-3000:]
    assert whole.wait(timeout=900) == 0, whole.communicate()[0][-3000:]
    cards = {name: artifacts.read_json(repos[name] / "results" / job.group / job.run
                                       / "card.json") for name in ("whole", "cut")}
    assert cards["whole"]["generator_sha256"] == cards["cut"]["generator_sha256"]
    assert cards["whole"]["metrics"] == cards["cut"]["metrics"]
    assert cards["whole"]["best"] == cards["cut"]["best"]
    segments = cards["cut"]["campaign"]["segments"]
    assert len(segments) == 2 and len(cards["whole"]["campaign"]["segments"]) == 1
    assert segments[0]["epoch_to"] == killed_at and segments[1]["epoch_from"] == killed_at
    assert segments[0]["ended"].startswith("killed") and segments[1]["ended"] == "done"
    assert cards["cut"]["campaign"]["total_seconds"] >= segments[1]["seconds"] > 0
    names = sorted(p.name for p in delivered.iterdir())
    assert "checkpoint" not in names and cards["cut"]["best"]["generator"] in names
    assert len([n for n in names if n.startswith("generator-best")]) == 1
    assert not any(name.startswith(("generator-epoch", ".")) for name in names)
    status = subprocess.run([PY, "-m", "thesis_lib.studies.batch", "--campaign", "--tiny", "--status",
                             "--campaign-dir", str(tmp_path / "cut-state")],
                            capture_output=True, text=True, cwd=repos["cut"],
                            env={**os.environ, "PYTHONPATH": str(repos["cut"])})
    assert "delivered" in status.stdout and f"{job.epochs}/{job.epochs}" in status.stdout


# --- chapter 5's scarce-data cells (issue 29), appended after every earlier job -------------------

EARLIER = (["dcgan-baseline-seed1-e100"]
           + [f"dcgan-{v}-seed{s}-e5" for s in (0, 1, 2) for v in campaign.VARIANTS]
           + ["mnist-standard-g5000", "mnist-wasserstein_gp-g5000",
              "mnist-wasserstein_clip-g5000", "mnist-infogan-e20"])


def test_the_scarce_cells_come_last_with_unique_names():
    names = [j.name for j in campaign.QUEUE]
    assert len(set(names)) == len(names)
    assert names[:len(EARLIER)] == EARLIER  # the jobs before them keep their names and order
    assert campaign.QUEUE[len(EARLIER):] == SCARCE_QUEUE and len(SCARCE_QUEUE) == 9
    full = get_config("scarce_data", "full")
    assert [(j.n, j.seed) for j in SCARCE_QUEUE] == [(n, s) for n in full.sizes
                                                      for s in range(full.seeds)]
    assert all(j.name == f"scarce-n{j.n}-seed{j.seed}" for j in SCARCE_QUEUE)
    assert {j.settings_like for j in SCARCE_QUEUE} <= set(names)
    assert all(j.card == "card.json" and j.checkpoint == "checkpoint" and not j.settings_like
               and j.fixed_seconds == 0 for j in MNIST_QUEUE)  # their format is unchanged


@pytest.mark.parametrize("job", SCARCE_QUEUE, ids=lambda j: j.name)
def test_each_scarce_job_parses_with_the_studys_command_line(job):
    import numpy as np

    from thesis_lib.studies import scarce

    argv = job.argv("python", Path("W"), "off")
    assert argv[:3] == ["python", "-m", "thesis_lib.studies.scarce"]
    args = scarce.parser().parse_args(argv[3:])
    assert args.profile == "full" and args.sizes == [job.n] and args.seed == [job.seed]
    assert args.seeds is None and args.xla == "off" and args.out == Path("W") / job.group
    full = get_config("scarce_data", "full", sizes=tuple(args.sizes))
    # the folder the study writes is the one the campaign watches and delivers
    assert scarce.cell_dir(args.out, job.n, job.seed, full.design) == Path("W") / job.group / \
        job.run
    assert job.card == scarce.CELL_SUMMARY and job.checkpoint == "gan/checkpoint"
    assert job.epochs == full.gan_max_epochs
    x, y = np.zeros((job.n, 28, 28, 1), "float32"), np.arange(job.n) % 10
    assert job.steps_per_epoch == scarce.gan_data(x, y, full)[2]


def test_a_scarce_cell_is_counted_from_its_gans_checkpoint_and_delivered_whole(tmp_path):
    job = SCARCE_QUEUE[0]
    c = campaign.Campaign(tmp_path / "state", (job,), results=tmp_path / "results")
    run = c.run_dir(job)
    artifacts.write_json(run / "gan" / "checkpoint" / "state.json", {"epoch": 7})
    assert c.epochs_done(job) == 7
    rows = c.status_rows({"jobs": {}, "settings": {}})
    assert rows[0]["epochs_done"] == 7 and rows[0]["epochs"] == job.epochs
    for name in ("gan/card.json", "gan/agreement.csv", "gan/generator-epoch010.keras",
                 "gan/grid-best.png", "cnn-gan.json", "progress.json", ".lock"):
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        (run / name).write_text("x")
    artifacts.write_json(run / "cell.json", {"design": 2, "precision": "float32"})
    assert c.epochs_done(job) == job.epochs
    record = {"commit": "abc", "backend": "tensorflow",
              "segments": [{"seconds": 5.0, "threads": 2, "xla": "off", "processor": "p"}]}
    dest = campaign.deliver(c, job, record)
    assert dest == tmp_path / "results" / "scarce" / "design2-n100-seed0"
    delivered = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert delivered == ["cell.json", "cnn-gan.json", "gan/agreement.csv", "gan/card.json",
                         "gan/grid-best.png"]
    card = artifacts.read_json(dest / "cell.json")
    assert card["campaign"]["job"] == job.name and card["campaign"]["total_seconds"] == 5.0


def test_a_scarce_cell_runs_with_the_settings_timed_for_its_stand_in(tmp_path):
    job = SCARCE_QUEUE[0]
    like = next(j for j in campaign.QUEUE if j.name == job.settings_like)
    c = campaign.Campaign(tmp_path, (job,))
    key = campaign.processor_key() + "|" + json.dumps(
        {"shape": like.shape_key(), "backend": "tensorflow"}, sort_keys=True)
    chosen = {"threads": 1, "xla": "on", "seconds_per_step": 0.1, "gflop_per_step": 2.81,
              "gflops": 28.1}
    state = {"jobs": {job.name: {"commit": "abc"}},
             "settings": {key: {"chosen": chosen, "bit_identical_to_chosen": ["1t-xlaon"]}}}
    got = campaign.choose_settings(c, state, job, ROOT, "tensorflow", None,
                                   log=lambda *a: None)
    assert (got["threads"], got["xla"]) == (1, "on")
    assert got["source"] == f"benchmark of {like.name}" and got["seconds_per_step"] is None
    # this processor's rate for a similar network gives the cell's hours left, classifiers too
    row = campaign.Campaign(tmp_path, (job,)).status_rows(state)[0]
    steps = job.epochs * job.steps_per_epoch
    expected = (job.gflop_per_step / chosen["gflops"] * steps + job.fixed_seconds) / 3600
    assert row["rate_from"] == "flops" and row["hours_left"] == pytest.approx(expected)


def test_a_run_already_in_results_is_adopted_not_trained_again(tmp_path, monkeypatch):
    # A new machine has no campaign folder; the committed delivery says the job is done.
    job = campaign.TINY_QUEUE[0]
    c = campaign.Campaign(tmp_path / "state", (job,), results=tmp_path / "results")
    artifacts.write_json(c.delivered(job) / job.card, {"campaign": {"job": "another-job"}})
    assert not c.delivered_earlier(job)  # a card from another job is not this one's
    assert c.status_rows()[0]["status"] == "not started"
    artifacts.write_json(c.delivered(job) / job.card, {"campaign": {"job": job.name}})
    row = c.status_rows()[0]
    assert row["status"] == "delivered" and row["epochs_done"] == job.epochs
    lines = []
    assert campaign.run(c, log=lines.append, score=False) == 0
    assert any("already delivered" in line for line in lines)
    assert not c.run_dir(job).exists()  # nothing trained
    assert c.load()["jobs"][job.name]["status"] == "delivered"
    # A job named in --restart-job is not adopted: it is trained again (the training itself
    # is replaced here by a stand-in that records the call and fails).
    trained = []
    monkeypatch.setattr(campaign, "_train", lambda *a, **k: trained.append(a[2].name) or False)
    lines.clear()
    assert campaign.run(c, log=lines.append, score=False, restart=(job.name,),
                        forced={"threads": 1, "xla": "off"}) == 1
    assert trained == [job.name] and not any("already delivered" in line for line in lines)
