"""The thesis's full profile in one command, for a lent GPU machine: resumable, one archive.

    python -m thesis_lib.studies.batch --out /tmp/batch --backend jax --budget-minutes 7 \\
        --hard-stop-minutes 8.5 --archive "$OUT/batch.tar.gz"
    python -m thesis_lib.studies.batch --out /tmp/batch --dry-run          # the plan, and what is done
    python -m thesis_lib.studies.batch --out /tmp/tiny --tiny   # the same path, in minutes on a CPU

Jobs, most valuable first:

1. the §4.2 DCGAN grid, six variants × seeds 0, 1, 2 × 100 epochs: the baseline's three seeds,
   then (after the §3.3 families) the other variants (tanh, latent50, latent200, batchnorm,
   upsample) seed by seed. Each job is ``python -m thesis_lib.studies.mnist_gan --profile full`` in its
   own process; it writes ``OUT/dcgan/<variant>-full-e100-seed<S>/card.json`` when done.
2. the §3.3 families of chapter 3.3 (standard GAN, WGAN-GP, WGAN with clipping, conditional GAN,
   InfoGAN), seed 0, 30 epochs on all of MNIST at the thesis's network widths, G with batch
   normalization (the committed CPU runs of ``tools/chapter33_runs.sh`` are narrower and
   shorter), with the papers' optimizers; into ``OUT/mnist_gan/``.
3. every chapter (``chapters/*.ipynb``) executed by papermill with ``profile="full"``; the
   executed notebooks go to ``OUT/chapters/`` (a failed one to ``<name>.failed.ipynb``).

Rerunning the same command skips what is done (a card, an executed notebook) and resumes an
interrupted DCGAN run from its checkpoint. ``--parallel N`` jobs share the machine (3 on a GPU,
1 on a CPU by default). ``--budget-minutes`` stops starting jobs, ``--hard-stop-minutes`` stops
running ones, so the archive is written before a lease ends. Each job logs to
``OUT/logs/<job>.log``; ``OUT/batch.json`` lists every job's status (done, failed, skipped,
not started (budget), stopped) and seconds, with the GPUs, backend and commit. At the end,
whatever happened, ``OUT`` is packed into one ``tar.gz`` (``OUT.tar.gz`` or ``--archive``)
without checkpoints, per-epoch generators or hidden temporary files; files that chapters wrote
into the repository's ``results/`` are copied to ``OUT/results/`` first. ``--new-only`` packs
only what this run wrote: a batch spread over several leases, each resumed from the cards that
came back from the earlier ones, then returns each lease's share.

``--tiny`` runs the same code path in minutes on a CPU: the DCGAN jobs train one epoch on 512
images (final metrics on 1,000 generated images), and one small chapter runs with ``profile="quick"``. Exit status: 0, or 1 when a job
failed; bad arguments print one line and exit with 2.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from thesis_lib import artifacts, cli, environment
from thesis_lib.gan.families import recipe_flags, run_suffix
from thesis_lib.studies import campaign

# The runner moved to thesis_lib.studies.jobs (the campaign shares it); its names stay reachable here.
from thesis_lib.studies.jobs import (  # noqa: F401
    DONE,
    FAILED,
    INTERRUPTED,
    NOT_STARTED,
    PENDING,
    RUNNING,
    SKIPPED,
    STOPPED,
    Job,
    Runner,
    _rel,
    error_line,
    now,
)

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS_DIR = ROOT / "chapters"
RESULTS_DIR = ROOT / "results"

# thesis_lib.studies.mnist_gan.VARIANTS, in its order (a test checks); not imported from there because
# that module imports Keras, which this parent process does not need.
VARIANTS = ("baseline", "tanh", "latent50", "latent200", "batchnorm", "upsample")
SEEDS = (0, 1, 2)
FULL_EPOCHS = 100  # profiles.get_config("dcgan", "full").epochs (a test checks)
TINY_OVERRIDES = {"epochs": 1, "train_subset": 512, "monitor_every": 1, "metric_samples": 1000}
TINY_CRITIC_BATCH = 64  # a WGAN's tiny run: 5 critic batches must fit in the 512 images
TINY_CHAPTERS = ("02-1-perceptron",)
FAMILY_EPOCHS = 30
# name -> (variant of thesis_lib.studies.mnist_gan, extra arguments, what they add to the run's name)
FAMILIES = {
    "standard": ("gbatchnorm", [], ""),
    "wasserstein_gp": ("gbatchnorm", recipe_flags("wasserstein_gp"), run_suffix("wasserstein_gp")),
    "wasserstein_clip": ("gbatchnorm", recipe_flags("wasserstein_clip"),
                         run_suffix("wasserstein_clip")),
    "conditional": ("gbatchnorm_projection", ["--conditional"], "-cond"),
    "infogan": ("infogan_wide", [], ""),
}
BACKENDS = ("jax", "torch", "tensorflow")
GPU_PARALLEL = 3  # three small DCGANs keep an H100 busier than one; more mostly queue
# Left out of the archive: resumable state and per-epoch generators (tens of MB per run, and a
# finished run's card already names its final weights by SHA-256).
ARCHIVE_EXCLUDES = ("*/checkpoint/*", "*generator-epoch*.keras")




def dcgan_run_name(variant: str, seed: int, tiny: bool = False) -> str:
    """The run directory that ``thesis_lib.studies.mnist_gan`` writes (its ``run_name``) for the options
    this batch passes; a test checks that the two agree."""
    epochs = TINY_OVERRIDES["epochs"] if tiny else FULL_EPOCHS
    subset = f"-n{TINY_OVERRIDES['train_subset']}" if tiny else ""
    return f"{variant}-full-e{epochs}{subset}-seed{seed}"


def dcgan_order(variants=VARIANTS, seeds=SEEDS) -> list[tuple[str, int]]:
    """(variant, seed) pairs, most valuable first: the baseline's seeds, then the other variants
    seed by seed (a first seed of every variant before any second seed)."""
    variants = [v for v in VARIANTS if v in variants]
    pairs = [("baseline", s) for s in seeds if "baseline" in variants]
    return pairs + [(v, s) for s in seeds for v in variants if v != "baseline"]


def dcgan_jobs(out_dir: Path, variants=VARIANTS, seeds=SEEDS, tiny: bool = False) -> list[Job]:
    jobs = []
    for variant, seed in dcgan_order(variants, seeds):
        argv = [sys.executable, "-m", "thesis_lib.studies.mnist_gan", "--variant", variant,
                "--profile", "full", "--seed", str(seed), "--out", str(out_dir / "dcgan")]
        if tiny:
            for key, value in TINY_OVERRIDES.items():
                argv += [f"--{key.replace('_', '-')}", str(value)]
        jobs.append(Job(f"dcgan-{variant}-seed{seed}", "dcgan", argv,
                        out_dir / "dcgan" / dcgan_run_name(variant, seed, tiny) / "card.json",
                        ROOT))
    return jobs


def family_jobs(out_dir: Path, tiny: bool = False, seed: int = 0,
                families=tuple(FAMILIES)) -> list[Job]:
    """The §3.3 families (``FAMILIES``, or those named) as ``thesis_lib.studies.mnist_gan`` jobs into
    ``OUT/mnist_gan``."""
    jobs = []
    epochs = TINY_OVERRIDES["epochs"] if tiny else FAMILY_EPOCHS
    for name, (variant, extra, suffix) in FAMILIES.items():
        if name not in families:
            continue
        argv = [sys.executable, "-m", "thesis_lib.studies.mnist_gan", "--variant", variant,
                "--profile", "full", "--seed", str(seed), "--out", str(out_dir / "mnist_gan"),
                "--epochs", str(epochs), "--monitor-every", "5", *extra]
        subset = batch_size = ""
        if tiny:
            argv += ["--train-subset", str(TINY_OVERRIDES["train_subset"]),
                     "--metric-samples", str(TINY_OVERRIDES["metric_samples"])]
            subset = f"-n{TINY_OVERRIDES['train_subset']}"
            if "--recipe" in extra:  # k = 5 critic batches of 256 need 1,280 images, not 512
                argv += ["--batch-size", str(TINY_CRITIC_BATCH)]
                batch_size = f"-b{TINY_CRITIC_BATCH}"
        run = f"{variant}-full-e{epochs}{subset}{batch_size}{suffix}-seed{seed}"
        jobs.append(Job(f"family-{name}-seed{seed}", "family", argv,
                        out_dir / "mnist_gan" / run / "card.json", ROOT))
    return jobs


def chapter_names() -> list[str]:
    return sorted(p.stem for p in CHAPTERS_DIR.glob("*.ipynb"))


def chapter_jobs(out_dir: Path, names=None, profile: str = "full") -> list[Job]:
    """papermill runs of ``chapters/<name>.ipynb`` with ``profile``, in the chapter's folder
    (as the book build runs them)."""
    jobs = []
    for name in names if names is not None else chapter_names():
        notebook = CHAPTERS_DIR / f"{name}.ipynb"
        target = out_dir / "chapters" / notebook.name
        partial = target.with_name(f".{name}.running.ipynb")
        argv = [sys.executable, "-m", "papermill", str(notebook), str(partial),
                "-p", "profile", profile, "--cwd", str(CHAPTERS_DIR),
                "--log-output", "--no-progress-bar"]
        jobs.append(Job(f"chapter-{name}", "chapter", argv, target, CHAPTERS_DIR, partial))
    return jobs


def plan(out_dir: Path, *, only=None, variants=VARIANTS, seeds=SEEDS, families=tuple(FAMILIES),
         chapters=None,
         tiny: bool = False) -> list[Job]:
    """Every job of the batch in running order, each marked skipped if already done."""
    jobs = []
    dcgan = dcgan_jobs(out_dir, variants, seeds, tiny) if only in (None, "dcgan") else []
    baseline = [j for j in dcgan if j.name.startswith("dcgan-baseline-")]
    jobs += baseline
    if only in (None, "families"):
        jobs += family_jobs(out_dir, tiny, families=families)
    jobs += [j for j in dcgan if j not in baseline]
    if only in (None, "chapters"):
        names = chapters if chapters is not None else (list(TINY_CHAPTERS) if tiny else None)
        jobs += chapter_jobs(out_dir, names, "quick" if tiny else "full")
    for job in jobs:
        if job.done():
            job.status = SKIPPED
    return jobs


def default_backend() -> str:
    """``$KERAS_BACKEND``, else Keras' own default (TensorFlow) where it is installed, else JAX
    (a lent GPU machine has no TensorFlow)."""
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen in BACKENDS:
        return chosen
    return "tensorflow" if importlib.util.find_spec("tensorflow") else "jax"


def has_gpu() -> bool:
    """An NVIDIA GPU is visible (asked of the driver, so no framework is loaded here)."""
    gpus = Path("/proc/driver/nvidia/gpus")
    if gpus.is_dir() and any(gpus.iterdir()):
        return True
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30)
            return out.returncode == 0 and "GPU" in out.stdout
        except (OSError, subprocess.SubprocessError):
            return False
    return False


def job_env(backend: str, parallel: int, base=None) -> dict:
    """The environment of every job: the Keras backend, this checkout first on the path (the
    chapters' kernels run from ``chapters/``), and per-process GPU memory that lets
    ``parallel`` processes share one card."""
    env = dict(os.environ if base is None else base)
    env["KERAS_BACKEND"] = backend
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "")
                                                        .split(os.pathsep) if p])
    env["PYTHONUNBUFFERED"] = "1"  # a killed job's log still holds its last lines
    env.setdefault("PYTHONHASHSEED", "0")  # as .ci/run: the same hashing as the book build
    if backend == "jax":
        # JAX grabs 75% of the GPU at start by default: a second process would not fit.
        env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        env.setdefault("XLA_PYTHON_CLIENT_MEM_FRACTION", f"{min(0.75, 0.9 / parallel):.2f}")
    elif backend == "torch":
        env.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")
    return env


def pin_kernel(out_dir: Path, env: dict) -> dict:
    """Make the notebooks' kernel ``python3`` this interpreter: a kernel spec in
    ``OUT/.jupyter`` (hidden, so not archived), first on ``JUPYTER_PATH``. An installed spec
    may name a bare ``python`` that, off this virtual environment's PATH, lacks thesis_lib."""
    spec = out_dir / ".jupyter" / "kernels" / "python3" / "kernel.json"
    artifacts.write_json(spec, {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                         "{connection_file}"],
                                "display_name": "Python 3 (ipykernel)", "language": "python"})
    env = dict(env)
    env["JUPYTER_PATH"] = os.pathsep.join([str(spec.parents[2])] + [
        p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    return env


def provenance(env: dict) -> dict:
    """``environment.provenance()`` as a job sees it (backend, GPUs), asked of a short child
    process so that this long-lived parent holds no GPU memory."""
    code = ("import json; from thesis_lib import environment; "
            "print(json.dumps(environment.provenance()))")
    try:
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                             capture_output=True, timeout=300)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as error:
        info = {**environment.provenance(with_gpus=False), "keras_backend": env["KERAS_BACKEND"]}
        info["gpus_error"] = f"could not ask the backend for its GPUs: {error!r}"[:500]
        return info


# Results that chapters write into the repository (04-2's own full DCGAN run goes to
# results/dcgan/): a listing taken before the first run into OUT, to find what is new later.
def snapshot(root: Path) -> dict:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(root.rglob("*")) if p.is_file()}


def copy_new_results(root: Path, before: dict, dest: Path, excludes=ARCHIVE_EXCLUDES) -> list:
    """Copy the files under ``root`` that are new or changed since ``before`` to ``dest``."""
    copied = []
    for rel, stat in snapshot(root).items():
        if before.get(rel) != stat and not excluded(rel, excludes):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, target)
            copied.append(rel)
    return copied


def excluded(rel: str, patterns=ARCHIVE_EXCLUDES) -> bool:
    """Whether a path (relative, with /) stays out of the archive: hidden and temporary files
    (a part-written notebook, an atomic write's temporary name) and ``patterns``."""
    if any(part.startswith(".") for part in rel.split("/")):
        return True
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], p)
               for p in patterns)


def make_archive(src: Path, archive: Path, excludes=ARCHIVE_EXCLUDES,
                 since: float | None = None) -> tuple[Path, int]:
    """Pack ``src`` as ``<src name>/...`` into a ``tar.gz``, written to a temporary name and
    renamed (a reader never sees half an archive); returns the path and the file count. With
    ``since`` (a time stamp), only files modified since then."""
    src, archive = src.resolve(), archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=archive.parent, prefix=f".{archive.name}.", suffix=".tmp")
    os.close(fd)
    count = 0
    try:
        with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
            for path in sorted(src.rglob("*")):
                rel = path.relative_to(src).as_posix()
                if path.is_symlink() or not path.is_file() or path == archive \
                        or excluded(rel, excludes) \
                        or since is not None and path.stat().st_mtime < since:
                    continue
                tar.add(path, arcname=f"{src.name}/{rel}", recursive=False)
                count += 1
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600
        os.replace(tmp, archive)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return archive, count


def manifest(jobs, out_dir: Path, settings: dict, info: dict, state: str,
             earlier_runs=()) -> dict:
    counts = {}
    for job in jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    return {"state": state, **settings, "updated_at": now(),
            "gpus": info.get("gpus", []), "hardware": environment.hardware_label(info),
            "commit": info.get("commit"), "environment": info, "counts": counts,
            "jobs": [job.record(out_dir) for job in jobs], "earlier_runs": list(earlier_runs)}


def _earlier(path: Path):
    """The previous manifest in ``OUT`` (a resumed batch), or ``None``."""
    try:
        return artifacts.read_json(path)
    except (OSError, ValueError):
        return None


def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.batch", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None,
                   help="the batch's folder (resumable; required except with --campaign)")
    p.add_argument("--campaign", action="store_true",
                   help="the CPU campaign instead (thesis_lib.studies.campaign): the thesis's GANs at "
                        "the thesis's scale, one job at a time, resumed across sessions")
    p.add_argument("--status", action="store_true",
                   help="with --campaign: epochs done, seconds per step and hours left per job")
    p.add_argument("--campaign-dir", type=Path, default=None,
                   help="with --campaign: its working folder (default: $THESIS_CAMPAIGN_DIR, "
                        "else ~/.cache/thesis-campaign)")
    p.add_argument("--settings", default=None, metavar="threads=N,xla=on|off",
                   help="with --campaign: run with these settings instead of timing them")
    p.add_argument("--retime", action="store_true",
                   help="with --campaign: time the settings again (after a change of speed)")
    p.add_argument("--restart-job", action="append", default=[], metavar="JOB",
                   help="with --campaign: discard this job's work and start it over on the "
                        "current commit (after a change that alters its numbers)")
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help="Keras backend of the jobs (default: $KERAS_BACKEND, else tensorflow "
                        "where it is installed, else jax)")
    p.add_argument("--parallel", type=cli.positive_int, default=None,
                   help=f"jobs at once (default: {GPU_PARALLEL} with a GPU, 1 without)")
    p.add_argument("--budget-minutes", type=cli.minutes, default=None,
                   help="start no job after this many minutes")
    p.add_argument("--hard-stop-minutes", type=cli.minutes, default=None,
                   help="stop running jobs after this many minutes (then archive)")
    p.add_argument("--tiny", action="store_true",
                   help="1 epoch on 512 images, one small chapter with profile quick")
    p.add_argument("--only", choices=("dcgan", "families", "chapters"), default=None)
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS),
                   metavar="VARIANT", help=f"DCGAN variants (default: {' '.join(VARIANTS)})")
    p.add_argument("--families", nargs="*", choices=list(FAMILIES), default=list(FAMILIES),
                   metavar="FAMILY", help=f"§3.3 families (default: {' '.join(FAMILIES)}; "
                   "none after the flag: no family)")
    p.add_argument("--seeds", nargs="+", type=cli.non_negative_int, default=list(SEEDS),
                   metavar="SEED", help="DCGAN seeds (default: 0 1 2)")
    p.add_argument("--chapters", nargs="+", metavar="NAME", default=None,
                   help="chapter notebooks by name, e.g. 02-1-perceptron (default: all)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="also leave these paths out of the archive, e.g. '*.weights.h5'")
    p.add_argument("--archive", type=Path, default=None, help="default: OUT.tar.gz")
    p.add_argument("--new-only", action="store_true",
                   help="archive only the files this run wrote (a lease's share of a batch "
                        "resumed from the cards of earlier leases)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    return p


class _Terminated(Exception):
    """SIGTERM (a ``timeout`` command, a lease ending): stop the jobs, still write the archive."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.campaign:
        return campaign_main(p, args)
    if args.out is None:
        p.error("--out is required (or --campaign for the CPU campaign)")
    if args.hard_stop_minutes is not None and args.budget_minutes is not None \
            and args.hard_stop_minutes < args.budget_minutes:
        p.error("--hard-stop-minutes must not be smaller than --budget-minutes")
    if args.chapters is not None:
        unknown = sorted(set(n.removesuffix(".ipynb") for n in args.chapters)
                         - set(chapter_names()))
        if unknown:
            p.error(f"unknown chapter(s) {', '.join(unknown)}; valid: "
                    f"{', '.join(chapter_names())}")
        args.chapters = [n.removesuffix(".ipynb") for n in args.chapters]
    backend = args.backend or default_backend()
    gpu = has_gpu()
    parallel = args.parallel or (GPU_PARALLEL if gpu else 1)
    out_dir = args.out.resolve()
    archive = (args.archive or out_dir.with_name(out_dir.name + ".tar.gz")).resolve()
    jobs = plan(out_dir, only=args.only, variants=args.variants, seeds=args.seeds,
                families=args.families,
                chapters=args.chapters, tiny=args.tiny)
    if args.dry_run:
        for job in jobs:
            print(f"{'done' if job.status == SKIPPED else 'to run':7} {job.name}  "
                  f"-> {_rel(job.output, out_dir)}")
        return 0

    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "batch.json"
    earlier = _earlier(manifest_path)
    earlier_jobs = {j["name"]: j for j in (earlier or {}).get("jobs", [])}
    for job in jobs:
        if job.status == SKIPPED:
            job.earlier = earlier_jobs.get(job.name)
    earlier_runs = (earlier or {}).get("earlier_runs", []) + (
        [{k: earlier.get(k) for k in ("started_at", "updated_at", "state", "backend", "gpus",
                                      "commit", "counts")}] if earlier else [])
    env = job_env(backend, parallel)
    if any(j.kind == "chapter" and j.status == PENDING for j in jobs):
        env = pin_kernel(out_dir, env)
    print(f"[{now()}] batch in {out_dir}: {len(jobs)} jobs "
          f"({sum(j.status == SKIPPED for j in jobs)} already done), backend {backend}, "
          f"{parallel} at a time, {'GPU' if gpu else 'no GPU'}", flush=True)
    info = provenance(env)
    print(f"[{now()}] {environment.hardware_label(info)}; commit {info.get('commit')}",
          flush=True)
    settings = {"command": shlex.join([sys.executable, "-m", "thesis_lib.studies.batch",
                                       *(argv if argv is not None else sys.argv[1:])]),
                "started_at": now(), "backend": backend, "parallel": parallel,
                "budget_minutes": args.budget_minutes,
                "hard_stop_minutes": args.hard_stop_minutes, "tiny": args.tiny,
                "archive": str(archive), "archive_new_only": args.new_only}

    def write(state="running"):
        artifacts.write_json(manifest_path, manifest(jobs, out_dir, settings, info, state,
                                                     earlier_runs))

    results_before = out_dir / "logs" / "results-before.json"
    if any(j.kind == "chapter" for j in jobs) and not results_before.exists():
        artifacts.write_json(results_before, snapshot(RESULTS_DIR))
    runner = Runner(jobs, out_dir, env, parallel,
                    None if args.budget_minutes is None else 60 * args.budget_minutes,
                    None if args.hard_stop_minutes is None else 60 * args.hard_stop_minutes,
                    on_change=write)
    write()
    state = "finished"
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        runner.run()
    except (KeyboardInterrupt, _Terminated):
        state = "interrupted"
        print(f"[{now()}] interrupted: stopping the running jobs, then the archive", flush=True)
        runner.stop(INTERRUPTED)
        for job in jobs:
            if job.status == PENDING:
                job.status = "not started (interrupted)"
    finally:
        signal.signal(signal.SIGTERM, previous)
        if results_before.exists():
            copied = copy_new_results(RESULTS_DIR, artifacts.read_json(results_before),
                                      out_dir / "results", (*ARCHIVE_EXCLUDES, *args.exclude))
            if copied:
                print(f"[{now()}] copied {len(copied)} file(s) that chapters wrote into "
                      f"results/ to {out_dir / 'results'}", flush=True)
        write(state)
        path, count = make_archive(out_dir, archive, (*ARCHIVE_EXCLUDES, *args.exclude),
                                   since=started - 1 if args.new_only else None)
        print(f"[{now()}] archive {path}: {count} files, "
              f"{path.stat().st_size / 2**20:.1f} MiB", flush=True)
    for job in jobs:
        print(f"{job.status:22} {job.name}"
              + (f" ({job.seconds:.0f} s)" if job.seconds is not None else ""))
    if state == "interrupted":
        return 130
    return 1 if any(job.status == FAILED for job in jobs) else 0


def campaign_main(p, args) -> int:
    """``--campaign``: run or report the CPU campaign (thesis_lib.studies.campaign)."""
    queue = campaign.TINY_QUEUE if args.tiny else campaign.QUEUE
    names = {j.name for j in queue}
    unknown = [n for n in args.restart_job if n not in names]
    if unknown:
        p.error(f"unknown campaign job(s) {', '.join(unknown)}; valid: {', '.join(sorted(names))}")
    try:
        forced = campaign.parse_settings(args.settings)
    except ValueError as error:
        p.error(str(error))
    state = campaign.Campaign(args.campaign_dir or campaign.default_dir(), queue)
    if args.status or args.dry_run:
        print(state.status_text())
        return 0
    backend = args.backend or "tensorflow"
    try:
        return campaign.run(state, backend=backend, forced=forced, restart=args.restart_job,
                            log=lambda text: print(text, flush=True), reexec=True,
                            retime=args.retime, score=not args.tiny)
    except RuntimeError as error:
        p.error(str(error))


if __name__ == "__main__":
    raise SystemExit(main())
