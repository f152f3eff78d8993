"""Run independent chunks of work in this process, in local processes, or on a Dask cluster.

``scheduler``: ``None`` (this process), ``"local"`` (a dask.distributed LocalCluster with ``jobs``
single-threaded workers) or a scheduler address such as ``tcp://10.0.0.5:8786`` (a running cluster;
every worker needs bmdsim installed). Results come back in chunk order, so the output is identical
whichever scheduler ran it.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Callable, Sequence

from bmdsim.errors import BmdsimError


def map_chunks(func: Callable, chunks: Sequence, *, scheduler: str | None = None, jobs: int = 2,
               progress: Callable[[int, int], None] | None = None, client=None, shared=None) -> list:
    """[func(c) for c in chunks] (or [func(shared, c)] when ``shared`` is given), order preserved.

    ``shared``: one large read-only object every chunk needs; on a cluster it is sent to each worker
    once (``scatter(broadcast=True)``) instead of with every chunk.
    ``client``: an existing dask.distributed Client to reuse (not closed here); it overrides
    ``scheduler``. Reusing a warm client avoids paying worker start-up for every sweep.
    """
    with cluster_client(scheduler, jobs, client) as c:
        if c is not None:
            return _run_on(c, func, chunks, progress, shared)
        out = []
        for i, ch in enumerate(chunks):
            out.append(func(ch) if shared is None else func(shared, ch))
            if progress:
                progress(i + 1, len(chunks))
        return out


MAX_LOCAL_WORKERS = 64  # a LocalCluster of more processes than this is a typo, not a plan (each holds ~300 MB)

_ADDRESS = re.compile(r"^((tcp|tls|ws|wss|ucx)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


def check_scheduler(scheduler: str | None) -> None:
    """Raise BmdsimError unless ``scheduler`` is None, ``"local"`` or an address such as tcp://HOST:PORT."""
    if scheduler is None or scheduler == "local" or _ADDRESS.match(scheduler):
        return
    raise BmdsimError(f"--scheduler {scheduler!r}: expected 'local' or a Dask scheduler address such as "
                      "tcp://10.0.0.5:8786")


PROBE_TIMEOUT_S = 8.0  # connect + handshake + identity reply: a failing probe ends within ~9 s


def probe_scheduler(address: str, timeout_s: float = PROBE_TIMEOUT_S) -> dict:
    """Ask ``address`` who it is, within ``timeout_s`` seconds overall; return the scheduler's identity.

    Dask's own connect timeout does not bound the handshake: a server that accepts the TCP connection
    but speaks another protocol (an HTTP server, say) can keep a client waiting for minutes. Here the
    whole exchange (connect, handshake, ``identity`` request, reply) runs under one deadline, in a
    thread of its own (so it also works where an event loop is already running). Raises a one-line
    BmdsimError naming the address and what was expected.
    """
    import asyncio
    import threading

    expected = ("expected a running Dask scheduler (start one with `dask scheduler` and give "
                "tcp://HOST:8786), or --scheduler local")

    async def ask():
        from distributed.comm import connect

        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            with contextlib.suppress(Exception):
                comm.abort()

    box: dict = {}

    def run():
        try:
            box["ok"] = asyncio.run(asyncio.wait_for(ask(), timeout_s))
        except BaseException as err:  # noqa: BLE001 - reported below, whatever the transport raised
            box["err"] = err

    t = threading.Thread(target=run, name="bmdsim-scheduler-probe", daemon=True)
    t.start()
    t.join(timeout_s + 1.0)
    if t.is_alive() or isinstance(box.get("err"), asyncio.TimeoutError | TimeoutError):
        raise BmdsimError(f"--scheduler {address}: no answer from a Dask scheduler within {timeout_s:g} s; "
                          f"{expected}")
    if "err" in box:
        err = box["err"]
        msg = " ".join(str(err).split())[:160] or type(err).__name__
        raise BmdsimError(f"--scheduler {address}: cannot talk to a Dask scheduler there ({msg}); {expected}")
    ident = box.get("ok")
    if not isinstance(ident, dict) or ident.get("type") != "Scheduler":
        kind = ident.get("type") if isinstance(ident, dict) else type(ident).__name__
        raise BmdsimError(f"--scheduler {address}: the server there is not a Dask scheduler (it says {kind!r}); "
                          f"{expected}")
    return ident


@contextlib.contextmanager
def cluster_client(scheduler: str | None = None, jobs: int = 2, client=None):
    """The Dask client to run on, or None for this process.

    ``client`` given: it, left open. Else ``scheduler`` ``"local"``: a new LocalCluster of ``jobs``
    single-threaded workers; an address: a connection to that scheduler; ``None``: None. What this
    opens it closes on exit.
    """
    if client is not None or scheduler is None:
        yield client
        return
    check_scheduler(scheduler)
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise BmdsimError("dask.distributed is not installed: pip install 'dask[distributed]'") from None
    if scheduler == "local":
        if not 1 <= jobs <= MAX_LOCAL_WORKERS:
            raise BmdsimError(f"--jobs must be 1 to {MAX_LOCAL_WORKERS} local worker processes, got {str(jobs)[:20]}")
        client = local_client(jobs)
        cluster = client.cluster
    else:
        cluster = None
        probe_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout=f"{PROBE_TIMEOUT_S:g}s")
        except (OSError, ValueError, TypeError) as err:
            raise BmdsimError(f"cannot reach Dask scheduler {scheduler!r}: {err}") from None
    try:
        yield client
    finally:
        client.__dict__.pop("_bmdsim_shared", None)  # release the scattered data before the workers go
        client.close()
        if cluster is not None:
            cluster.close()


# Settings of the local cluster's scheduler and workers for CPU-bound sweeps: the workers' statistical
# profiler (a stack sample every 10 ms), the 20 ms event-loop tick and the 0.5 s system monitor wake
# the workers' event loops, which then take the interpreter lock from the computing thread.
QUIET_WORKERS = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
                 "distributed.admin.system-monitor.interval": "5s"}


def local_client(jobs: int = 2):
    """A dask.distributed Client on a new LocalCluster of ``jobs`` single-threaded worker processes."""
    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(QUIET_WORKERS):
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
    return Client(cluster)


def _run_on(client, func, chunks, progress, shared=None):
    from dask.distributed import as_completed

    if shared is None:
        futures = client.map(func, list(chunks), pure=False)
    else:
        futures = client.map(func, [_scattered(client, shared)] * len(chunks), list(chunks), pure=False)
    if progress is None:
        return client.gather(futures)
    index = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    for done, (fut, res) in enumerate(as_completed(futures, with_results=True), start=1):
        results[index[fut.key]] = res
        progress(done, len(futures))
    return results


def _scattered(client, shared):
    """A future of ``shared`` on every worker of ``client``; the last one is kept on the client and
    reused while it is the same object (shared objects are read-only), so a warm client sweeping
    the same data again sends it only once."""
    last = getattr(client, "_bmdsim_shared", None)
    if last is not None and last[0]() is shared and last[1].status == "finished":
        return last[1]
    ref = client.scatter(shared, broadcast=True, hash=False)  # fresh key: no clash with a released one
    try:
        client._bmdsim_shared = (weakref.ref(shared), ref)
    except TypeError:  # not weak-referenceable: no reuse
        pass
    return ref
