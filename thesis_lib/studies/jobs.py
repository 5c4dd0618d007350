"""Jobs as subprocesses, a few at a time, within time limits: the runner shared by the GPU
batch (``thesis_lib.studies.batch``) and the CPU campaign (``thesis_lib.studies.campaign``).

A job runs in its own process group (a stop also ends its children, e.g. a notebook's kernel)
with its output appended to ``<out>/logs/<job>.log``; it is done once its ``output`` exists.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

PENDING, RUNNING, DONE, FAILED, SKIPPED = "pending", "running", "done", "failed", "skipped"
NOT_STARTED = "not started (budget)"
STOPPED = "stopped (hard stop)"
INTERRUPTED = "stopped (interrupted)"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Job:
    """One subprocess; complete once ``output`` exists."""

    name: str
    kind: str  # "dcgan", "family", "chapter" (the batch) or "campaign"
    argv: list
    output: Path
    cwd: Path | None = None  # None: the current directory
    partial: Path | None = None  # papermill writes here; renamed to ``output`` on success
    status: str = PENDING
    seconds: float | None = None
    returncode: int | None = None
    error: str | None = None
    earlier: dict | None = None  # this job's record in the previous manifest, when skipped

    def done(self) -> bool:
        return self.output.is_file()

    def record(self, out_dir: Path) -> dict:
        rec = {"name": self.name, "kind": self.kind, "status": self.status,
               "seconds": self.seconds, "returncode": self.returncode,
               "output": _rel(self.output, out_dir), "log": f"logs/{self.name}.log",
               "command": shlex.join(str(a) for a in self.argv)}
        if self.error:
            rec["error"] = self.error
        if self.earlier:
            rec["earlier"] = {k: self.earlier.get(k) for k in ("status", "seconds")}
        return rec


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b(:|$)")


def error_line(path: Path) -> str | None:
    """A failed job's error from its log: the last line that names an exception (papermill
    prints the cell's traceback, then its own), else the last non-empty line."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, fh.seek(0, 2) - 20_000))
            lines = [ln.strip() for ln in fh.read().decode("utf-8", "replace").splitlines()]
    except OSError:
        return None
    lines = [ln for ln in lines if ln and not ln.startswith("=== ")]
    chosen = [ln for ln in lines if _EXCEPTION.match(ln)] or lines
    return chosen[-1][:500] if chosen else None


class Runner:
    """Starts the pending jobs in order, ``parallel`` at a time, within the time limits."""

    def __init__(self, jobs, out_dir: Path, env: dict, parallel: int = 1,
                 budget_s: float | None = None, hard_stop_s: float | None = None,
                 on_change=lambda: None, poll_s: float = 1.0, clock=time.monotonic,
                 on_poll=lambda: None, die_with_parent: bool = False):
        self.jobs, self.out_dir, self.env, self.parallel = jobs, out_dir, env, parallel
        self.budget_s, self.hard_stop_s, self.on_change = budget_s, hard_stop_s, on_change
        self.poll_s, self.clock, self.on_poll = poll_s, clock, on_poll
        # A job in its own process group outlives a parent killed with SIGKILL; where a second
        # copy of the job could then start on the same files (the CPU campaign), the job is
        # ended with its parent instead.
        self.die_with_parent = die_with_parent
        self.running = {}  # job name -> (job, process, start time, log file)

    def run(self) -> None:
        start = self.clock()
        pending = [j for j in self.jobs if j.status == PENDING]
        while pending or self.running:
            self._reap()
            elapsed = self.clock() - start
            if self.hard_stop_s is not None and elapsed >= self.hard_stop_s:
                self.stop(STOPPED)
            if self.budget_s is not None and elapsed >= self.budget_s or \
                    self.hard_stop_s is not None and elapsed >= self.hard_stop_s:
                for job in pending:
                    job.status = NOT_STARTED
                if pending:
                    self.on_change()
                pending = []
            while pending and len(self.running) < self.parallel:
                self._start(pending.pop(0))
            if self.running:
                self.on_poll()
                time.sleep(self.poll_s)

    def _start(self, job: Job) -> None:
        log_path = self.out_dir / "logs" / f"{job.name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        job.output.parent.mkdir(parents=True, exist_ok=True)
        # Appended to, not replaced: a resumed job's log keeps the interrupted attempt.
        log = open(log_path, "a", encoding="utf-8")
        log.write(f"=== {job.name}: started {now()}\n$ {shlex.join(map(str, job.argv))}\n")
        log.flush()
        env = self.env
        if job.kind == "chapter":  # as .ci/run: MPLBACKEND would stop the kernel's inline figures
            env = {k: v for k, v in env.items() if k != "MPLBACKEND"}
        # Its own process group, so a stop also ends a papermill job's kernel.
        process = subprocess.Popen(job.argv, cwd=job.cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True,
                                   preexec_fn=_die_with_parent if self.die_with_parent else None)
        job.status, job.error = RUNNING, None
        self.running[job.name] = (job, process, self.clock(), log)
        print(f"[{now()}] start {job.name}", flush=True)
        self.on_change()

    def _reap(self) -> None:
        for name, (job, process, started, log) in list(self.running.items()):
            code = process.poll()
            if code is not None:
                self._finish(job, code, self.clock() - started, log)
                del self.running[name]

    def _finish(self, job: Job, code: int, seconds: float, log, status=None) -> None:
        job.returncode, job.seconds = code, round(seconds, 1)
        log.flush()
        tail = error_line(Path(log.name))
        log.write(f"=== {job.name}: exit status {code} after {seconds:.0f} s, {now()}\n")
        log.close()
        if status is None and code == 0 and job.partial is not None and job.partial.exists():
            os.replace(job.partial, job.output)  # only a complete run gets the final name
            job.output.with_name(f"{job.output.stem}.failed.ipynb").unlink(missing_ok=True)
        if status is not None:
            job.status = status
        elif code == 0 and job.done():
            job.status = DONE
        else:
            job.status = FAILED
            job.error = tail if code else f"exited 0 without writing {job.output.name}"
            if job.partial is not None and job.partial.exists():
                os.replace(job.partial, job.output.with_name(f"{job.output.stem}.failed.ipynb"))
        print(f"[{now()}] {job.status} {job.name} ({job.seconds:.0f} s)"
              + (f": {job.error}" if job.error else ""), flush=True)
        self.on_change()

    def stop(self, status: str) -> None:
        """End every running job (SIGTERM to its group, SIGKILL 20 s later); a DCGAN run
        resumes from its last epoch's checkpoint when the batch is rerun on this machine."""
        for _, process, _, _ in self.running.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, process, _, _ in self.running.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for name, (job, process, started, log) in list(self.running.items()):
            self._finish(job, process.returncode, self.clock() - started, log, status)
            del self.running[name]


def _die_with_parent(parent: int = os.getpid()) -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux ``prctl``), or at once
    if it already has."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _signal_group(process, sig) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
