import gc
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from thesis_lib.data import ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST files: $THESIS_MNIST_DIR, else ../shared/data/mnist beside the repo."""
    env = os.environ.get(ENV_VAR)
    path = Path(env) if env else SHARED_MNIST
    if not (path / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST files not available (set {ENV_VAR}); looked in {path}")
    return path


@pytest.fixture(scope="session")
def mnist(mnist_dir):
    from thesis_lib import data
    return data.load_mnist(mnist_dir)


# Final metrics of the shared tiny run below: on this many generated images instead of 10,000.
TINY_RUN_SAMPLES = 500


@pytest.fixture(scope="session")
def tiny_dcgan_run(tmp_path_factory, mnist):
    """One tiny DCGAN run through ``thesis_lib.studies.mnist_gan.run`` (the narrow variant: 32 channels,
    batch normalization in G; seed 1, one epoch on 256 images, final metrics on ``TINY_RUN_SAMPLES`` images),
    shared by test_gan_runs.py and test_gan_results.py. Returns (root folder, card, that
    count)."""
    from thesis_lib.studies import mnist_gan as runs

    root = tmp_path_factory.mktemp("runs")
    card = runs.run("narrow", "quick", seed=1, out_root=root, mnist=mnist, verbose=0,
                    epochs=1, train_subset=256, batch_size=64, latent_dim=8,
                    metric_samples=TINY_RUN_SAMPLES)
    return root, card, TINY_RUN_SAMPLES


@pytest.fixture(scope="session")
def test_set_features(mnist):
    """The frozen evaluator's features of the 10,000 MNIST test images (the reference of every
    Fréchet distance), computed once for the tests that recompute a card's metrics."""
    from thesis_lib.evaluation import evaluator
    return evaluator.load_evaluator().features(mnist[1][0])


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """No MNIST env var, an empty cache, and no repo data dir: every lookup starts clean."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("thesis_lib.data.repo_data_dir", lambda: tmp_path / "repo" / "data" / "mnist")
    return tmp_path


# --- subprocesses that run beside the in-process tests ----------------------------------------
# A few tests only start a subprocess and check its result: the reruns of the all_backends tests
# on JAX and PyTorch (test_backends.py). Each spends minutes mostly on one core (tracing,
# compiling, small ops), so they start as soon as the session has collected its tests, run beside
# the rest of the suite, and the tests that read them run last. While in-process tests run, one
# core is left to them; once only the waiting tests remain, every core goes to the subprocesses. A
# test marked ``background_job`` names its subprocess with a module-level ``background_job(item,
# tmp_dir)`` that returns ``(argv, env, timeout_s)``, or None when there is nothing to start (the
# test then skips or fails on its own).

BACKGROUND_KEY = pytest.StashKey["BackgroundJobs"]()


def pytest_configure(config):
    # Registered here rather than in pyproject.toml, beside the machinery it names.
    config.addinivalue_line("markers", "background_job: checks a subprocess that starts with "
                            "the session and runs beside the other tests (tests/conftest.py); "
                            "runs last")


class BackgroundJobs:
    """Starts queued subprocesses in order, at most ``limit`` at a time, from a thread that
    polls them; ``result(nodeid)`` waits for one and returns ``(returncode, stdout, stderr)``."""

    def __init__(self, cores: int):
        self.cores = cores
        self.limit = max(1, cores - 1)
        self.tmp = Path(tempfile.mkdtemp(prefix="thesis-background-"))
        self.queue, self.running, self.done = [], {}, {}
        self.lock = threading.Condition()
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.closed = False

    def add(self, nodeid, argv, env, timeout_s):
        self.queue.append((nodeid, argv, env, timeout_s))

    def start(self):
        if self.queue:
            self.thread.start()

    def _pump(self):
        while True:
            with self.lock:
                if self.closed:
                    return
                now = time.monotonic()
                for nodeid, (proc, out, err, deadline) in list(self.running.items()):
                    timed_out = proc.poll() is None and now > deadline
                    if timed_out:
                        proc.kill()
                        proc.wait()
                    if proc.poll() is not None:
                        del self.running[nodeid]
                        out.seek(0)
                        err.seek(0)
                        self.done[nodeid] = (None if timed_out else proc.returncode,
                                             out.read(), err.read())
                        out.close()
                        err.close()
                while self.queue and len(self.running) < self.limit:
                    nodeid, argv, env, timeout_s = self.queue.pop(0)
                    # Files, not pipes: nobody reads a pipe until the end, and a full one blocks.
                    out = tempfile.TemporaryFile("w+", dir=self.tmp)
                    err = tempfile.TemporaryFile("w+", dir=self.tmp)
                    # One OpenMP thread (PyTorch's CPU ops): their small ops gain nothing
                    # from a second one, and waiting threads spin: beside the other tests on
                    # 2 cores, two threads made the GAN checks on torch 5 times slower (310 s
                    # instead of 64 s), and on an idle machine no faster.
                    proc = subprocess.Popen(argv, env={**env, "OMP_NUM_THREADS": "1"}, cwd=ROOT,
                                            stdout=out, stderr=err, text=True)
                    self.running[nodeid] = (proc, out, err, time.monotonic() + timeout_s)
                self.lock.notify_all()
                if not self.queue and not self.running:
                    return
            time.sleep(0.2)

    def result(self, nodeid):
        """The finished job's (returncode, stdout, stderr); returncode None: it timed out."""
        with self.lock:
            self.limit = self.cores  # the caller only waits now: give the jobs every core
            while nodeid not in self.done:
                if not any(nodeid == job[0] for job in self.queue) and nodeid not in self.running:
                    raise RuntimeError(f"no background job was started for {nodeid}")
                self.lock.wait(timeout=1.0)
            return self.done[nodeid]

    def close(self):
        with self.lock:
            self.closed = True
            self.queue.clear()
            for proc, out, err, _ in self.running.values():
                proc.kill()
                proc.wait()
                out.close()
                err.close()
            self.running.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # The tests that wait for a subprocess go last, so everything else runs meanwhile.
    waiting = [item for item in items if item.get_closest_marker("background_job")]
    if waiting:
        items[:] = [item for item in items if item not in waiting] + waiting


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    # Collection imported TensorFlow, Keras and the project: some 450,000 objects that live as
    # long as the process. Frozen, they stay out of every later full garbage collection, each of
    # which walked them all (0.2 s a time, and building models triggers many: a test that only
    # parses the package's source took 20 s inside the suite and under 1 s alone).
    gc.collect()
    gc.freeze()
    jobs = BackgroundJobs(len(os.sched_getaffinity(0)))
    for item in session.items:
        if item.get_closest_marker("background_job"):
            spec = item.module.background_job(item, jobs.tmp)
            if spec is not None:
                jobs.add(item.nodeid, *spec)
    session.config.stash[BACKGROUND_KEY] = jobs
    jobs.start()


def pytest_sessionfinish(session):
    jobs = session.config.stash.get(BACKGROUND_KEY, None)
    if jobs is not None:
        jobs.close()  # an interrupted or failed-early session leaves no process behind


@pytest.fixture
def background_result(request):
    """Waits for the subprocess this ``background_job`` test started with the session and
    returns its (returncode, stdout, stderr); returncode None means it ran out of time."""
    return lambda: request.config.stash[BACKGROUND_KEY].result(request.node.nodeid)
