"""The thesis's GANs at the thesis's scale on a 2-core CPU: a fixed queue that advances a little
in every session and survives the end of each (issue 27; thesis §4.2 and §3.3).

    python -m thesis_lib.studies.batch --campaign              # work through the queue (resumable)
    python -m thesis_lib.studies.batch --campaign --status     # epochs done, s/step, hours left per job

The queue (:data:`QUEUE`), in order: §4.2's baseline as the thesis ran it (100 epochs, seed 1,
float32, metrics every epoch); the six §4.2 variants and tanh with batch normalization × seeds
0, 1, 2 at one equal budget of 5 epochs; §3.3's standard GAN, WGAN-GP and WGAN with clipping at
5,000 generator steps each (scored every 250); the InfoGAN for 20 epochs; then chapter 5's
scarce-data cells with equal real images (thesis §5, issue 29), one job per (N, seed). Each
job is a ``thesis_lib.studies.mnist_gan`` process, or a ``thesis_lib.studies.scarce`` one for a
scarce cell (:class:`ScarceCellJob`: its GAN checkpoints in ``gan/checkpoint`` and the cell is
done once ``cell.json`` exists); its exact resume from the last epoch's checkpoint is the
machinery every long run uses.

Where things live:

- the working state (run folders with their checkpoints and per-epoch generators, logs, the
  state file ``campaign.json``) in ``$THESIS_CAMPAIGN_DIR``, else the user cache
  (``~/.cache/thesis-campaign``): it survives from one session to the next on the same machine
  and is never under ``results/``;
- the code: a job runs from a clone of the repository at the commit it started with
  (``code/<commit>/``), so editing or refactoring the library while it trains cannot change it.
  A job that has not started takes the commit the campaign was launched from; a job that started
  keeps its own (``--restart-job NAME`` starts one over on the current commit, and says so);
- a finished run is copied into ``results/<group>/<run>/`` under a hidden temporary name and
  renamed, so ``results/`` never holds half a run; its card gains a ``campaign`` record: every
  process that ran it (epochs, seconds, threads, XLA, processor, commit) and the total seconds.

Before a job's process starts, the training step of its network is timed with 1 and 2 threads,
with and without XLA (``benchmarks/gan_step.py``, each against numpy's matrix product in the
same process), and the fastest setting runs; a job never changes backend or precision. The
measurement is kept per processor and network (``--retime`` discards it), so it runs once per
kind of machine. The same
benchmark reports whether the settings give bit-identical weights after the same steps, which
the card records. bfloat16 is never chosen here (the queue is float32; on a processor without
AVX-512 BF16 it is emulated and 7× slower).

Killed at any moment (a session's end kills it), the next start continues: the state file and
every artifact are written atomically, and a run is delivered only once complete.
"""

from __future__ import annotations

import fcntl
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from thesis_lib import artifacts, environment
from thesis_lib.gan.families import recipe_flags, run_suffix
from thesis_lib.profiles import get_config
from thesis_lib.studies import jobs

ROOT = Path(__file__).resolve().parents[2]
RUNS_MODULE = "thesis_lib.studies.mnist_gan"  # what a job runs
STATE = "campaign.json"
# What a delivered run leaves behind: resumable state, per-epoch generators, live progress.
NOT_DELIVERED = ("checkpoint", "progress.json", ".lock")
NOT_DELIVERED_GLOBS = ("generator-epoch*.keras",)
THREADS = (1, 2)
XLA = ("off", "on")


@dataclass(frozen=True)
class CampaignJob:
    """One run of the queue: ``thesis_lib.studies.mnist_gan`` arguments and what to expect of it."""

    name: str
    group: str  # results/<group>/
    run: str  # the run folder that thesis_lib.studies.mnist_gan names (a test checks)
    variant: str
    seed: int
    args: tuple = ()
    epochs: int = 1
    steps_per_epoch: int = 1  # generator steps (for the hours-left estimate)
    hold: str | None = None  # why the job waits (it is skipped until this is cleared)
    shape: dict = field(default_factory=dict)  # the network, for the step benchmark
    # FLOPs of one generator step (benchmarks/gan_step.py counts them from the layers; a test
    # checks): an untimed job's hours left come from them and this processor's measured rate.
    gflop_per_step: float = 0.0
    # Where the job says it is done and where it checkpoints, inside its run folder.
    card: str = "card.json"
    checkpoint: str = "checkpoint"
    # A queued job whose network's timed settings this job runs with (None: time its own),
    # for a network the step benchmark cannot build (the conditional GAN of chapter 5).
    settings_like: str | None = None
    # Seconds of work besides the generator steps, for the hours-left estimate.
    fixed_seconds: float = 0.0

    def argv(self, python: str, work: Path, xla: str, code: Path | None = None) -> list:
        """The training command, run in ``code`` (the job's checkout): a job pinned to a
        commit from before the package's relayout names the runs module by its old path."""
        module = RUNS_MODULE
        if code is not None and not (code / Path(*RUNS_MODULE.split("."))).with_suffix(
                ".py").is_file():
            module = "thesis_lib.gan.runs"
        return [python, "-m", module, "--variant", self.variant, "--profile",
                "full", "--seed", str(self.seed), "--out", str(work / self.group),
                *self.args, "--xla", xla]

    def shape_key(self) -> str:
        return json.dumps({"variant": self.variant, **self.shape}, sort_keys=True)


# GFLOP per step of the §4.2 networks: UpSampling2D + Conv2D works at full resolution.
DCGAN_GFLOP = {"latent50": 130.37, "latent200": 132.06, "upsample": 476.21}


def _dcgan(variant: str, seed: int, epochs: int, extra=(), hold=None) -> CampaignJob:
    return CampaignJob(f"dcgan-{variant}-seed{seed}-e{epochs}", "dcgan",
                       f"{variant}-full-e{epochs}-seed{seed}", variant, seed,
                       ("--epochs", str(epochs), "--metrics-every", "1", *extra), epochs, 234,
                       hold, {"batch_size": 256}, DCGAN_GFLOP.get(variant, 130.93))


# §3.3's families on all of MNIST at the narrow widths, equal generator steps: 20 "epochs" of
# 250 generator steps; the WGANs with their papers' recipes (thesis_lib.gan.families).
_FAMILY_ARGS = {
    "standard": ((), ""),
    "wasserstein_gp": (tuple(recipe_flags("wasserstein_gp")), run_suffix("wasserstein_gp")),
    "wasserstein_clip": (tuple(recipe_flags("wasserstein_clip")), run_suffix("wasserstein_clip")),
}
FAMILY_STEPS, FAMILY_CHUNK = 5000, 250


def _family(name: str) -> CampaignJob:
    extra, suffix = _FAMILY_ARGS[name]
    epochs = FAMILY_STEPS // FAMILY_CHUNK
    return CampaignJob(f"mnist-{name}-g{FAMILY_STEPS}", "mnist_gan",
                       f"narrow-full-e{epochs}-steps{FAMILY_CHUNK}-b64{suffix}-seed0", "narrow", 0,
                       ("--batch-size", "64", "--epochs", str(epochs), "--steps-per-epoch",
                        str(FAMILY_CHUNK), "--metrics-every", "1", "--monitor-every", "4",
                        *extra), epochs, FAMILY_CHUNK,
                       shape={"batch_size": 64, "family": name},
                       gflop_per_step=2.81 if name == "standard" else 4.98)


# §4.2's variants in thesis_lib.studies.mnist_gan.VARIANTS order (a test checks), then tanh paired with
# batch normalization (runs.PAIRED_VARIANTS): tanh alone saturates G's output in its first ~50
# steps on every seed traced (results/saturation/, chapter 4.2); the pair is the DCGAN recipe.
VARIANTS = ("baseline", "tanh", "latent50", "latent200", "batchnorm", "upsample",
            "tanh_batchnorm")


@dataclass(frozen=True)
class ScarceCellJob(CampaignJob):
    """One cell (N, seed) of chapter 5's scarce-data study (thesis §5; issue 29), the design with
    equal real images: ``thesis_lib.studies.scarce`` trains the cell's conditional GAN until its
    agreement stops improving (at most ``epochs`` GAN epochs), then the four classifiers, and
    writes ``cell.json`` last."""

    n: int = 0

    def argv(self, python: str, work: Path, xla: str, code: Path | None = None) -> list:
        return [python, "-m", SCARCE_MODULE, "--profile", "full", "--sizes", str(self.n),
                "--seed", str(self.seed), "--out", str(work / self.group), *self.args,
                "--xla", xla]


SCARCE_MODULE = "thesis_lib.studies.scarce"
SCARCE = get_config("scarce_data", "full")  # the cells, the GAN's epochs and its cap
SCARCE_GFLOP = 3.90  # narrow_projection, conditional, batch 64 (a test counts it)
# The four classifiers (300 updates each, the GAN variants' batches twice as large) and the
# GAN's agreement after every epoch: about 10 minutes a cell on this CPU under load (the
# design-1 cards: 52 minutes for 36 classifiers).
SCARCE_FIXED_SECONDS = 600.0


def _scarce(n: int, seed: int) -> ScarceCellJob:
    # thesis_lib.studies.scarce.gan_data: an epoch of whole copies of the N images
    copies = -(-SCARCE.gan_epoch_steps * SCARCE.gan_batch // n)
    return ScarceCellJob(f"scarce-n{n}-seed{seed}", "scarce", f"design2-n{n}-seed{seed}",
                         "narrow_projection", seed, (), SCARCE.gan_max_epochs,
                         copies * n // SCARCE.gan_batch,
                         shape={"batch_size": SCARCE.gan_batch, "conditional": True},
                         gflop_per_step=SCARCE_GFLOP, card="cell.json",
                         checkpoint="gan/checkpoint", settings_like="mnist-standard-g5000",
                         fixed_seconds=SCARCE_FIXED_SECONDS, n=n)


QUEUE = (
    # 1. §4.2 as the thesis ran it: 23,400 steps; grids and a generator every 10 epochs, the
    #    best epoch's generator kept; seed 1 as the earlier 10-epoch run.
    _dcgan("baseline", 1, 100, ("--monitor-every", "10", "--keep-best")),
    # 2. the variants at one equal budget, a first seed of every variant before any second.
    *[_dcgan(v, s, 5, ("--monitor-every", "1")) for s in (0, 1, 2) for v in VARIANTS],
    # 3. §3.3's WGANs against the standard GAN at equal generator steps.
    *[_family(name) for name in _FAMILY_ARGS],
    # 4. §3.3's InfoGAN, code accuracy and metrics every epoch.
    CampaignJob("mnist-infogan-e20", "mnist_gan", "infogan-full-e20-b64-seed0", "infogan", 0,
                ("--batch-size", "64", "--epochs", "20", "--metrics-every", "1",
                 "--monitor-every", "5"), 20, 937, shape={"batch_size": 64},
                gflop_per_step=2.95),
    # 5. §5's scarce-data cells with equal real images, the GANs trained until their agreement
    #    stops improving (issue 29): after every earlier job, N by N, seeds 0, 1, 2 of an N
    #    before the next N (three seeds of N = 100 settle that N even if the rest waits).
    *[_scarce(n, s) for n in SCARCE.sizes for s in range(SCARCE.seeds)],
)

# The same path in a minute (tests): narrow networks on 512 images.
TINY_QUEUE = (
    CampaignJob("tiny-narrow", "mnist_gan", "narrow-full-e4-n512-b64-seed0", "narrow", 0,
                ("--batch-size", "64", "--epochs", "4", "--train-subset", "512",
                 "--metrics-every", "1", "--monitor-every", "2", "--metric-samples", "200",
                 "--keep-best"), 4, 8, shape={"batch_size": 64}, gflop_per_step=2.81),
)


def default_dir() -> Path:
    """``$THESIS_CAMPAIGN_DIR``, else ``thesis-campaign`` in the user cache."""
    if os.environ.get("THESIS_CAMPAIGN_DIR"):
        return Path(os.environ["THESIS_CAMPAIGN_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "thesis-campaign"


def cpu_flags() -> set:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def processor() -> dict:
    """The processor's name and the vector features that decide speed and precision."""
    flags = cpu_flags()
    wanted = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
    return {"name": environment.cpu_name(), "cores": environment.usable_cpus(),
            "features": [f for f in wanted if f in flags],
            "bfloat16_in_hardware": "avx512_bf16" in flags or "amx_bf16" in flags}


def processor_key(info: dict | None = None) -> str:
    info = info or processor()
    return hashlib.sha256(json.dumps([info["name"], info["cores"], info["features"]])
                          .encode()).hexdigest()[:12]


# --- state -----------------------------------------------------------------------------------

class Campaign:
    """The campaign's folder: state file, code checkouts, work folders, logs."""

    def __init__(self, directory: Path, queue=QUEUE, results: Path | None = None,
                 source: Path = ROOT):
        self.dir, self.queue = Path(directory), tuple(queue)
        self.results = Path(results) if results else source / "results"
        self.source = source
        self.work, self.logs, self.code = self.dir / "work", self.dir / "logs", self.dir / "code"

    # state: {"jobs": {name: {commit, backend, status, segments}},
    #         "settings": {"<processor key>|<network and backend>": {table, chosen, ...}}}
    def load(self) -> dict:
        path = self.dir / STATE
        if not path.is_file():
            return {"jobs": {}, "settings": {}}
        return artifacts.read_json(path)

    def save(self, state: dict) -> None:
        artifacts.write_json(self.dir / STATE, state)

    def run_dir(self, job: CampaignJob) -> Path:
        return self.work / job.group / job.run

    def delivered(self, job: CampaignJob) -> Path:
        return self.results / job.group / job.run

    def delivered_earlier(self, job: CampaignJob) -> bool:
        """Whether ``results/`` already holds this job's run, delivered by a campaign (its
        card names the job). The campaign's folder lives outside the repository, so a new
        machine starts without it; the committed delivery is what says the job is done."""
        try:
            card = artifacts.read_json(self.delivered(job) / job.card)
        except (OSError, ValueError):
            return False
        return isinstance(card, dict) and (card.get("campaign") or {}).get("job") == job.name

    def epochs_done(self, job: CampaignJob) -> int:
        """Epochs with a checkpoint (what a restart resumes from)."""
        state = self.run_dir(job) / job.checkpoint / "state.json"
        if (self.run_dir(job) / job.card).is_file():
            return job.epochs
        try:
            return int(artifacts.read_json(state)["epoch"])
        except (OSError, ValueError, KeyError):
            return 0

    def status_rows(self, state: dict | None = None) -> list[dict]:
        """One row per job: status, epochs done / planned, s/step, hours left."""
        state = state or self.load()
        info = processor()
        key = processor_key(info)
        here = [s for k, s in state.get("settings", {}).items() if k.startswith(key)]
        # the rate of the network most like the job's (by FLOPs per step) timed on this processor
        rows = []
        for job in self.queue:
            record = state["jobs"].get(job.name, {})
            done = self.epochs_done(job)
            per_step = None
            progress = self.run_dir(job) / "progress.json"
            segments = record.get("segments") or [{}]
            if progress.is_file() and segments[-1].get("processor_key") == key:  # timed here
                try:
                    per_step = artifacts.read_json(progress).get("seconds_per_step")
                except (OSError, ValueError):
                    per_step = None
            measured = None
            for k, s in state.get("settings", {}).items():
                if k.startswith(key) and json.loads(k.split("|", 1)[1])["shape"] == \
                        job.shape_key():
                    measured = s["chosen"]["seconds_per_step"]
            if (self.delivered(job).joinpath(job.card).is_file() and
                    record.get("status") == "delivered") or \
                    (not record and self.delivered_earlier(job)):
                status, done = "delivered", job.epochs
            elif job.hold and not record:
                status = "held"
            elif record.get("status"):
                status = record["status"]
            else:
                status = "not started"
            rate, source = per_step or measured, "run" if per_step else "benchmark"
            if rate is None and here and job.gflop_per_step:
                like = min(here, key=lambda s: abs(s["chosen"]["gflop_per_step"]
                                                   - job.gflop_per_step))["chosen"]
                # small networks use the processor far less well: no estimate across sizes
                if 0.25 <= like["gflop_per_step"] / job.gflop_per_step <= 4:
                    rate, source = job.gflop_per_step / like["gflops"], "flops"
            left_steps = (job.epochs - done) * job.steps_per_epoch
            fixed = job.fixed_seconds if done < job.epochs else 0.0
            rows.append({"job": job.name, "status": status, "epochs_done": done,
                         "epochs": job.epochs, "seconds_per_step": rate,
                         "rate_from": source if rate is not None else None,
                         "hours_left": None if rate is None or status == "held"
                         else (rate * left_steps + fixed) / 3600,
                         "commit": record.get("commit"), "hold": job.hold if status == "held"
                         else None})
        return rows

    def status_text(self) -> str:
        state = self.load()
        rows = self.status_rows(state)
        running = running_pid(self.dir)
        lines = [f"campaign folder: {self.dir}",
                 f"processor now: {processor()['name']} ({', '.join(processor()['features'])})",
                 "running now: " + (f"yes (pid {running})" if running else "no")]
        if not state["jobs"]:
            lines.append("nothing started yet")
        lines.append(f"{'job':34} {'status':12} {'epochs':>9} {'s/step':>7} {'hours left':>10}")
        total, unknown = 0.0, 0
        for r in rows:
            rate = "—" if r["seconds_per_step"] is None else f"{r['seconds_per_step']:.2f}"
            rate += {"benchmark": "*", "flops": "~"}.get(r["rate_from"], "")
            left = "—" if r["hours_left"] is None else f"{r['hours_left']:.1f}"
            if r["status"] not in ("delivered", "held"):
                if r["hours_left"] is None:
                    unknown += 1
                else:
                    total += r["hours_left"]
            lines.append(f"{r['job']:34} {r['status']:12} "
                         f"{r['epochs_done']:>4}/{r['epochs']:<4} {rate:>7} {left:>10}")
            if r["hold"]:
                lines.append(f"    held: {r['hold']}")
        lines.append(f"hours left on this processor: {total:.1f}"
                     + (f" + {unknown} job(s) not yet timed here" if unknown else "")
                     + " (* = from the step benchmark of this network; ~ = from its FLOPs at "
                     "the rate of the most similar network timed here)")
        return "\n".join(lines)


def running_pid(directory: Path) -> int | None:
    """The pid of a campaign holding the folder's lock, or None."""
    lock = Path(directory) / "campaign.lock"
    if not lock.is_file():
        return None
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            text = fh.read().strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fh, fcntl.LOCK_UN)
    return None


# --- code checkouts --------------------------------------------------------------------------

def head_commit(source: Path = ROOT) -> str:
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, text=True,
                         capture_output=True, timeout=30)
    if out.returncode:
        raise RuntimeError(f"{source} is not a git checkout ({out.stderr.strip()}); the "
                           "campaign runs each job from a clone at a fixed commit: run it from a "
                           "clone of the repository.")
    return out.stdout.strip()


def checkout(campaign: Campaign, commit: str) -> Path:
    """A clone of the repository at ``commit`` in ``code/<commit[:12]>`` (made once; a clone
    interrupted half-way is discarded and made again)."""
    target = campaign.code / commit[:12]
    if (target / ".campaign-ready").is_file():
        return target
    tmp = campaign.code / f".{commit[:12]}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    for cmd in (["git", "clone", "--quiet", "--no-checkout", str(campaign.source), str(tmp)],
                ["git", "-C", str(tmp), "checkout", "--quiet", "--detach", commit]):
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    (tmp / ".campaign-ready").write_text(commit + "\n")
    os.replace(tmp, target)
    return target


# --- settings ------------------------------------------------------------------------------

def job_env(code: Path, backend: str, threads: int, base=None) -> dict:
    env = dict(os.environ if base is None else base)
    env.update({"KERAS_BACKEND": backend, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1",
                "PYTHONHASHSEED": env.get("PYTHONHASHSEED", "0"),
                "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1",
                "OMP_NUM_THREADS": str(threads), "TF_CPP_MIN_LOG_LEVEL": "2"})
    env["MPLBACKEND"] = "Agg"
    if env.get("THESIS_MNIST_DIR"):  # the job runs in its checkout: a relative path would break
        env["THESIS_MNIST_DIR"] = str(Path(env["THESIS_MNIST_DIR"]).expanduser().resolve())
    return env


def settings_to_time(backend: str) -> list[tuple[int, str]]:
    """(threads, XLA) pairs: 1 and 2 threads (as many as this process may use), with and
    without XLA on TensorFlow (JAX always compiles with XLA; PyTorch has no such switch)."""
    threads = [t for t in THREADS if t <= max(1, environment.usable_cpus())]
    return [(t, x) for t in threads for x in (XLA if backend == "tensorflow" else ("off",))]


def measure(job: CampaignJob, code: Path, backend: str, *, steps: int = 8, warmup: int = 3,
            settings=None, python: str = sys.executable, log=print) -> dict:
    """Time the job's training step in every setting (threads × XLA), each in its own process
    (thread counts are fixed when a framework starts); returns the table and the fastest."""
    table = []
    for t, x in settings or settings_to_time(backend):
        argv = [python, str(code / "benchmarks" / "gan_step.py"), "--variant", job.variant,
                "--steps", str(steps), "--warmup", str(warmup), "--xla", x, "--json", "--",
                *job.args]
        out = subprocess.run(argv, cwd=code, env=job_env(code, backend, t), text=True,
                             capture_output=True, timeout=1800)
        try:
            result = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
            log(f"  {t} thread(s), XLA {x}: failed ({tail[0][:200]})")
            continue
        result.update({"threads": t, "xla": x})
        table.append(result)
        log(f"  {t} thread(s), XLA {x}: {result['seconds_per_step']:.3f} s/step "
            f"({result['ratio_to_matmul']:.2f} of same-run sgemm)")
    if not table:
        raise RuntimeError(f"the step benchmark failed in every setting for {job.name}; "
                           f"run {code / 'benchmarks' / 'gan_step.py'} by hand to see why.")
    chosen = min(table, key=lambda r: r["seconds_per_step"])
    same = sorted({f"{r['threads']}t-xla{r['xla']}" for r in table
                   if r["weights_sha256"] == chosen["weights_sha256"]})
    return {"table": table, "chosen": chosen, "bit_identical_to_chosen": same,
            "measured_at": environment_now()}


def environment_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def choose_settings(campaign: Campaign, state: dict, job: CampaignJob, code: Path,
                    backend: str, forced: dict | None, log=print) -> dict:
    """The setting this process runs ``job`` with: ``forced``, else the fastest measured on
    this processor for this network (measured now if not yet)."""
    if forced:
        return {"threads": forced["threads"], "xla": forced["xla"], "seconds_per_step": None,
                "source": "forced"}
    info = processor()
    record = state["jobs"][job.name]
    # A network the benchmark cannot build runs with the settings timed for a similar one.
    timed = job if not job.settings_like else \
        next(j for j in campaign.queue + QUEUE if j.name == job.settings_like)
    # Kept per processor, network and backend, not per commit: the code rarely changes speed,
    # and timing every new commit would cost minutes per job (--retime times again).
    key = processor_key(info) + "|" + json.dumps(
        {"shape": timed.shape_key(), "backend": backend}, sort_keys=True)
    if key not in state["settings"]:
        log(f"[{environment_now()}] timing {timed.name}'s step on {info['name']}")
        state["settings"][key] = {**measure(timed, code, backend, log=log), "processor": info,
                                  "commit": record["commit"]}
        campaign.save(state)
    found = state["settings"][key]
    chosen = found["chosen"]
    out = {"threads": chosen["threads"], "xla": chosen["xla"],
           "seconds_per_step": chosen["seconds_per_step"],
           "bit_identical_with": found["bit_identical_to_chosen"], "source": "benchmark"}
    if timed is not job:
        out.update({"seconds_per_step": None, "source": f"benchmark of {timed.name}"})
    return out


def parse_settings(text: str | None) -> dict | None:
    """``threads=1,xla=off`` (what ``--settings`` takes) as a dict, or None."""
    if not text:
        return None
    try:
        pairs = dict(part.split("=", 1) for part in text.split(","))
        threads, xla = int(pairs["threads"]), pairs["xla"]
    except (ValueError, KeyError) as error:
        raise ValueError(f"--settings must look like threads=1,xla=off, got {text!r}") \
            from error
    if threads < 1 or xla not in XLA:
        raise ValueError(f"--settings: threads must be >= 1 and xla on or off, got {text!r}")
    return {"threads": threads, "xla": xla}


# --- delivery --------------------------------------------------------------------------------

def _skip(rel: Path) -> bool:
    # at any depth: a scarce cell checkpoints its GAN in gan/checkpoint/
    return bool(set(rel.parts) & set(NOT_DELIVERED)) or any(fnmatch.fnmatch(rel.name, g)
                                                            for g in NOT_DELIVERED_GLOBS)


def deliver(campaign: Campaign, job: CampaignJob, record: dict) -> Path:
    """Copy the finished run into ``results/`` (hidden name, then renamed) with its card's
    ``campaign`` record; returns the delivered folder."""
    src, dest = campaign.run_dir(job), campaign.delivered(job)
    tmp = dest.with_name(f".{dest.name}.delivering")
    shutil.rmtree(tmp, ignore_errors=True)
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and not _skip(rel):
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, tmp / rel)
    card = artifacts.read_json(tmp / job.card)
    segments = record.get("segments", [])
    card["campaign"] = {
        "job": job.name, "commit": record["commit"], "backend": record["backend"],
        "precision": card["precision"], "segments": segments,
        "processes": len(segments),
        "total_seconds": round(sum(s.get("seconds", 0.0) for s in segments), 1),
        "settings_changed": len({(s["threads"], s["xla"], s["processor"]) for s in segments})
        > 1,
        "note": ("seconds of a process cut by a session's end are counted to its last "
                 "heartbeat (30 s); epochs it trained but did not checkpoint were redone")}
    artifacts.write_json(tmp / job.card, card)
    old = dest.with_name(f".{dest.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest


def score_delivery(campaign: Campaign, dest: Path, log=print, timeout_s: float = 3600.0) -> bool:
    """Write the scores of every GAN run just delivered to ``dest`` (``scores.json``, by
    :mod:`thesis_lib.studies.rescore`, in a process of its own on the launcher's code: scoring
    is evaluation, not training). A failure is logged, never raised: the run stays delivered
    and ``python -m thesis_lib.studies.rescore`` fills the gap later. True when nothing is
    left unscored."""
    if not any(dest.rglob("generator*.weights.h5")):
        return True  # nothing to score (a run without its generator)
    argv = [sys.executable, "-m", "thesis_lib.studies.rescore", "--results",
            str(campaign.results), "--under", str(dest)]
    try:
        out = subprocess.run(argv, cwd=campaign.source, text=True, capture_output=True,
                             timeout=timeout_s)
        ok = out.returncode == 0
        detail = [] if ok else (out.stderr or out.stdout or "no output").strip().splitlines()[-1:]
    except (OSError, subprocess.TimeoutExpired) as error:
        ok, detail = False, [str(error)]
    log(f"[{environment_now()}] scores of {dest.name}: " + ("written" if ok else
        f"not written ({' '.join(detail)}); run `python -m thesis_lib.studies.rescore`"))
    return ok


# --- the loop --------------------------------------------------------------------------------

def _lock(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    fh = open(directory / "campaign.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        raise RuntimeError(f"a campaign is already running in {directory} (pid "
                           f"{fh.read().strip() or '?'}); see --status, or stop it first")
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def run(campaign: Campaign, *, backend: str = "tensorflow", forced=None, restart=(),
        heartbeat_s: float = 30.0, log=print, reexec: bool = False, retime: bool = False,
        score: bool = True) -> int:
    """Work through the queue until every job not held is delivered; 1 if a job failed.
    With ``score``, each delivered GAN run is then scored (:func:`score_delivery`).
    With ``reexec`` (the command line), a job about to start for the first time after the
    source checkout has moved to a new commit first restarts this process on that code."""
    lock = _lock(campaign.dir)
    try:
        os.nice(19 - os.nice(0))  # lowest priority, whatever started it
    except OSError:
        pass
    state = campaign.load()
    if retime:
        state["settings"] = {}
    commit = head_commit(campaign.source)
    for name in restart:
        job = next(j for j in campaign.queue if j.name == name)
        log(f"[{environment_now()}] restarting {name} on {commit[:12]}: its earlier work "
            f"(commit {state['jobs'].get(name, {}).get('commit', '?')[:12]}) is discarded")
        shutil.rmtree(campaign.run_dir(job), ignore_errors=True)
        state["jobs"].pop(name, None)
    campaign.save(state)
    for pattern in ("*/.*.delivering", "*/.*.replaced"):  # a delivery cut short
        for stale in campaign.results.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)
    failures = 0
    for job in campaign.queue:
        record = state["jobs"].get(job.name)
        if record and record.get("status") == "delivered" and \
                campaign.delivered(job).joinpath(job.card).is_file():
            continue
        if record is None and job.name not in restart and campaign.delivered_earlier(job):
            # delivered by a campaign whose state is gone (another machine): adopt it (a job
            # named in --restart-job is trained again, its delivery replaced at the end)
            state["jobs"][job.name] = {"status": "delivered", "adopted_at": environment_now(),
                                       "delivered_to": str(campaign.delivered(job))}
            campaign.save(state)
            log(f"[{environment_now()}] {job.name}: already delivered in "
                f"{campaign.delivered(job)}; not run again")
            continue
        if job.hold and not record:
            log(f"[{environment_now()}] {job.name}: held ({job.hold})")
            continue
        if "bfloat16" in " ".join(job.args) and not processor()["bfloat16_in_hardware"]:
            log(f"[{environment_now()}] {job.name}: skipped on this processor (no bfloat16 in "
                "hardware: emulated, about 7x slower than float32); a later session may have it")
            continue
        if record is None and head_commit(campaign.source) != commit and reexec:
            # New commits since launch: start the next job on them, with their queue (the
            # parent holds no job now, so nothing in flight is touched).
            log(f"[{environment_now()}] the checkout moved to "
                f"{head_commit(campaign.source)[:12]}: restarting the campaign on it")
            lock.close()
            os.execv(sys.executable, [sys.executable, "-m", "thesis_lib.studies.batch",
                                      *_without_restarts(sys.argv[1:])])
        if record is None:
            record = state["jobs"][job.name] = {"commit": commit, "backend": backend,
                                                "status": "started", "segments": [],
                                                "first_started_at": environment_now()}
        if record.get("status") == "failed":  # retried once per launch, from its checkpoint
            log(f"[{environment_now()}] {job.name} failed last time ({record.get('error')}); "
                f"trying again from its last checkpoint (log: {campaign.logs / job.name}.log)")
        code = checkout(campaign, record["commit"])
        if record["commit"] != commit:
            log(f"[{environment_now()}] {job.name} continues on its own commit "
                f"{record['commit'][:12]} (the campaign was launched from {commit[:12]})")
        if not (campaign.run_dir(job) / job.card).is_file():
            settings = choose_settings(campaign, state, job, code, record["backend"], forced,
                                       log)
            if not _train(campaign, state, job, code, settings, heartbeat_s, log):
                failures += 1
                continue
        dest = deliver(campaign, job, record)
        record["status"], record["delivered_to"] = "delivered", str(dest)
        record["delivered_at"] = environment_now()
        campaign.save(state)
        log(f"[{environment_now()}] delivered {job.name} to {dest}")
        if score:
            score_delivery(campaign, dest, log)
    lock.close()
    return 1 if failures else 0


def _without_restarts(argv: list) -> list:
    """``argv`` less ``--retime`` and its ``--restart-job NAME`` pairs (done once; a restart
    must not redo them)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--restart-job":
            skip = True
        elif not arg.startswith("--restart-job=") and arg != "--retime":
            out.append(arg)
    return out


def _train(campaign, state, job, code, settings, heartbeat_s, log) -> bool:
    record = state["jobs"][job.name]
    python = sys.executable
    argv = job.argv(python, campaign.work, settings["xla"], code)
    env = job_env(code, record["backend"], settings["threads"])
    first = campaign.epochs_done(job)
    if record["segments"]:  # a process cut short: it trained up to the checkpoint found now
        previous = record["segments"][-1]
        if previous.get("ended") is None:
            previous["epoch_to"] = max(previous["epoch_to"], first)
            previous["ended"] = "killed (seconds counted to its last heartbeat)"
    segment = {"started_at": environment_now(), "epoch_from": first, "epoch_to": first,
               "seconds": 0.0, "threads": settings["threads"], "xla": settings["xla"],
               "processor": processor()["name"], "processor_key": processor_key(),
               "measured_seconds_per_step": settings.get("seconds_per_step"),
               "settings_source": settings["source"],
               "bit_identical_with": settings.get("bit_identical_with"), "pid": None}
    record["segments"].append(segment)
    record["status"] = "running"
    campaign.save(state)
    log(f"[{environment_now()}] {job.name}: epoch {first}/{job.epochs}, "
        f"{settings['threads']} thread(s), XLA {settings['xla']}, commit {record['commit'][:12]}")
    started = time.monotonic()
    last = [started]

    def tick():  # every poll: saved each heartbeat and each finished epoch
        epochs = campaign.epochs_done(job)
        if time.monotonic() - last[0] >= heartbeat_s or epochs != segment["epoch_to"]:
            last[0] = time.monotonic()
            segment["seconds"] = round(last[0] - started, 1)
            segment["epoch_to"] = epochs
            campaign.save(state)

    bjob = jobs.Job(job.name, "campaign", argv, campaign.run_dir(job) / job.card, code)
    runner = jobs.Runner([bjob], campaign.dir, env, 1, on_poll=tick, poll_s=2.0,
                          die_with_parent=True)
    runner.run()
    segment["seconds"] = round(time.monotonic() - started, 1)
    segment["epoch_to"] = campaign.epochs_done(job)
    segment["ended"] = bjob.status
    if bjob.status != jobs.DONE:
        record["status"] = "failed"
        record["error"] = bjob.error
        campaign.save(state)
        log(f"[{environment_now()}] {job.name} failed: {bjob.error}")
        return False
    record["status"] = "trained"
    campaign.save(state)
    return True
