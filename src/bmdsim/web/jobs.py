"""Heavy jobs (footprints, deterrent matrix, safe envelope, claims ledger) in a worker process.

The server process answers the page's quick requests (trajectory, engagement); anything that takes
seconds to minutes runs in one long-lived worker process (``multiprocessing``, spawn), one job at a
time in the order asked, so the quick requests never wait behind it. The worker warms numba and the
catalog's fly-out tables when it starts.

Each job reports through a queue: ``started``, ``progress``, ``partial``, ``result``, ``error`` or
``cancelled`` events, each a JSON-ready dict. The server keeps a job's events and streams them to the
page as server-sent events (:func:`sse`); when the page goes away the job is cancelled (the worker
checks at each progress step). Files are written only under the job's folder in the server's output
folder, and served only by name from the job's own list.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import multiprocessing as mp
import queue
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("bmdsim.web")

KEEP_JOBS = 20  # finished jobs (and their folders) kept; older ones are deleted
HEARTBEAT_S = 0.5  # the event stream repeats the last progress at least this often
CANCEL_SLOTS = 64


class JobCancelled(Exception):
    """Raised inside the worker when the server cancelled the running job."""


# ------------------------------------------------------------------------------------------ worker side
class Reporter:
    """What a job function gets: ``emit(kind, data)`` and a cancellation check."""

    def __init__(self, job_id: int, out: mp.Queue, cancelled, out_dir: Path):
        self.job_id = job_id
        self._out = out
        self._cancelled = cancelled
        self.out_dir = out_dir

    def check(self) -> None:
        if self.job_id in list(self._cancelled):
            raise JobCancelled()

    def emit(self, kind: str, data: dict) -> None:
        self._out.put((self.job_id, kind, data))
        if kind in ("progress", "partial"):
            self.check()


def _worker_main(requests: mp.Queue, out: mp.Queue, cancelled, out_dir: str, warm: bool) -> None:
    """The worker process: warm up, then run jobs until a None arrives."""
    from bmdsim.web import heavy

    if warm:
        try:
            heavy.warm_up()
        except Exception:  # noqa: BLE001 - a failed warm-up only costs time later
            log.exception("worker warm-up failed")
    out.put((0, "ready", {}))
    while True:
        item = requests.get()
        if item is None:
            return
        job_id, kind, params = item
        rep = Reporter(job_id, out, cancelled, Path(out_dir) / f"job-{job_id}")
        try:
            rep.check()
            rep.out_dir.mkdir(parents=True, exist_ok=True)
            out.put((job_id, "started", {"job": job_id, "kind": kind}))
            result = heavy.JOBS[kind](params, rep)
            out.put((job_id, "result", result))
        except JobCancelled:
            out.put((job_id, "cancelled", {"job": job_id}))
        except Exception as err:  # noqa: BLE001 - reported to the page, the worker goes on
            from bmdsim.errors import BmdsimError

            if isinstance(err, BmdsimError):
                out.put((job_id, "error", {"job": job_id, "detail": " ".join(str(err).split()), "field": "job"}))
            else:
                log.error("job %s (%s) failed:\n%s", job_id, kind, traceback.format_exc())
                out.put((job_id, "error", {"job": job_id, "detail": f"internal error in the {kind} job: "
                                           f"{type(err).__name__}: {err}", "field": "job"}))


# ------------------------------------------------------------------------------------------ server side
@dataclass
class Job:
    id: int
    kind: str
    folder: Path
    created_s: float = field(default_factory=time.monotonic)
    events: list = field(default_factory=list)
    state: str = "queued"  # queued, running, done, error, cancelled
    files: dict = field(default_factory=dict)  # name -> Path (written by the worker in ``folder``)
    subscribers: list = field(default_factory=list)  # (loop, asyncio.Queue)
    last_progress: dict | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "error", "cancelled")


class JobManager:
    """Owns the worker process, the job table and the event fan-out to the streams."""

    def __init__(self, out_dir: Path, warm: bool = True):
        self.out_dir = Path(out_dir)
        self.warm = warm
        self._ctx = mp.get_context("spawn")
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._proc = None
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle
    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._spawn()
        self._thread = threading.Thread(target=self._pump, name="bmdsim-jobs", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        self._requests = self._ctx.Queue()
        self._out = self._ctx.Queue()
        self._cancelled = self._ctx.Array("q", [0] * CANCEL_SLOTS, lock=False)
        self._cancel_next = 0
        self.ready.clear()
        self._proc = self._ctx.Process(target=_worker_main, name="bmdsim-worker", daemon=True,
                                       args=(self._requests, self._out, self._cancelled, str(self.out_dir), self.warm))
        self._proc.start()

    def stop(self) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.is_alive():
            try:
                self._requests.put(None)
                self._proc.join(timeout=2)
            finally:
                if self._proc.is_alive():
                    self._proc.terminate()
                    self._proc.join(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=2)

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- jobs
    def submit(self, kind: str, params) -> Job:
        job_id = next(self._ids)
        job = Job(job_id, kind, self.out_dir / f"job-{job_id}")
        with self._lock:
            self._jobs[job_id] = job
            position = sum(1 for j in self._jobs.values() if not j.finished) - 1
        self._record(job, "queued", {"job": job_id, "kind": kind, "ahead": position})
        self._requests.put((job_id, kind, params))
        self._prune()
        return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: int) -> None:
        job = self.get(job_id)
        if job is None or job.finished:
            return
        self._cancelled[self._cancel_next % CANCEL_SLOTS] = job_id
        self._cancel_next += 1

    def subscribe(self, job: Job) -> asyncio.Queue:
        """A queue that receives the job's past and future events (call from the event loop)."""
        q: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        with self._lock:
            for ev in job.events:
                q.put_nowait(ev)
            job.subscribers.append((loop, q))
        return q

    def unsubscribe(self, job: Job, q: asyncio.Queue) -> None:
        with self._lock:
            job.subscribers = [(lp, x) for lp, x in job.subscribers if x is not q]

    def _record(self, job: Job, kind: str, data: dict) -> None:
        ev = (kind, data)
        with self._lock:
            if kind == "progress":
                job.last_progress = data
            job.events.append(ev)
            subs = list(job.subscribers)
        for loop, q in subs:
            loop.call_soon_threadsafe(q.put_nowait, ev)

    def _pump(self) -> None:
        """Move the worker's messages into the jobs; restart a worker that died."""
        while not self._stop.is_set():
            try:
                job_id, kind, data = self._out.get(timeout=0.25)
            except queue.Empty:
                if self._proc is not None and not self._proc.is_alive() and not self._stop.is_set():
                    self._worker_died()
                continue
            except (EOFError, OSError):
                continue
            if kind == "ready":
                self.ready.set()
                continue
            job = self.get(job_id)
            if job is None:
                continue
            if kind == "started":
                job.state = "running"
            elif kind == "result":
                files = data.pop("files", []) if isinstance(data, dict) else []
                job.files = {name: job.folder / name for name in files if (job.folder / name).is_file()}
                data["files"] = [{"name": n, "url": f"/api/jobs/{job.id}/files/{n}"} for n in job.files]
                data["job"] = job.id
                job.state = "done"
            elif kind in ("error", "cancelled"):
                job.state = kind
            self._record(job, kind, data)

    def _worker_died(self) -> None:
        code = self._proc.exitcode
        log.error("worker process stopped (exit code %s); starting a new one", code)
        with self._lock:
            pending = [j for j in self._jobs.values() if not j.finished]
        for job in pending:
            job.state = "error"
            self._record(job, "error", {"job": job.id, "detail": f"the worker process stopped (exit code {code}); "
                                        "try again", "field": "job"})
        self._spawn()

    def _prune(self) -> None:
        with self._lock:
            done = sorted((j for j in self._jobs.values() if j.finished), key=lambda j: j.id)
            drop = done[:-KEEP_JOBS] if len(done) > KEEP_JOBS else []
            for j in drop:
                del self._jobs[j.id]
        for j in drop:
            shutil.rmtree(j.folder, ignore_errors=True)


def sse(kind: str, data: dict, event_id: int | None = None) -> bytes:
    """One server-sent event: ``event:``, optional ``id:``, one ``data:`` line of compact JSON."""
    head = f"event: {kind}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    return (head + "data: " + json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n\n").encode()


async def stream(manager: JobManager, job: Job, is_disconnected=None):
    """Async generator of the job's events as SSE bytes, with a ``progress`` heartbeat at least every
    :data:`HEARTBEAT_S`; ends after ``result``/``error``/``cancelled``. Cancels the job if the reader
    goes away first."""
    q = manager.subscribe(job)
    n = 0
    t0 = time.monotonic()
    finished = False
    try:
        while True:
            try:
                kind, data = await asyncio.wait_for(q.get(), timeout=HEARTBEAT_S)
            except TimeoutError:
                last = job.last_progress or {"job": job.id, "stage": job.state, "done": 0, "total": None}
                yield sse("progress", {**last, "elapsed_s": round(time.monotonic() - t0, 2), "heartbeat": True}, n)
                n += 1
                continue
            if kind in ("progress", "partial", "result"):
                data = {**data, "elapsed_s": round(time.monotonic() - t0, 2)}  # since the stream opened
            yield sse(kind, data, n)
            n += 1
            if kind in ("result", "error", "cancelled"):
                finished = True
                return
    finally:
        manager.unsubscribe(job, q)
        if not finished:
            manager.cancel(job.id)
