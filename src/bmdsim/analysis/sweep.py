"""Run independent chunks of work in this process, in local processes, or on a Dask cluster.

``scheduler``: ``None`` (this process), ``"local"`` (a dask.distributed LocalCluster with ``jobs``
single-threaded workers) or a scheduler address such as ``tcp://10.0.0.5:8786`` (a running cluster;
every worker needs bmdsim installed). Results come back in chunk order, so the output is identical
whichever scheduler ran it.
"""

from __future__ import annotations

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
    if client is not None:
        return _run_on(client, func, chunks, progress, shared)
    if scheduler is None:
        out = []
        for i, c in enumerate(chunks):
            out.append(func(c) if shared is None else func(shared, c))
            if progress:
                progress(i + 1, len(chunks))
        return out
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise BmdsimError("dask.distributed is not installed: pip install 'dask[distributed]'") from None
    if scheduler == "local":
        if jobs < 1:
            raise BmdsimError(f"--jobs must be >= 1, got {jobs}")
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise BmdsimError(f"cannot reach Dask scheduler {scheduler!r}: {err}") from None
    try:
        return _run_on(client, func, chunks, progress, shared)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def local_client(jobs: int = 2):
    """A dask.distributed Client on a new LocalCluster of ``jobs`` single-threaded worker processes."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return Client(cluster)


def _run_on(client, func, chunks, progress, shared=None):
    from dask.distributed import as_completed

    if shared is None:
        futures = client.map(func, list(chunks), pure=False)
    else:
        ref = client.scatter(shared, broadcast=True, hash=False)  # fresh key: no clash with a released one
        futures = client.map(func, [ref] * len(chunks), list(chunks), pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    for done, fut in enumerate(as_completed(futures), start=1):
        results[index[fut.key]] = fut.result()
        if progress:
            progress(done, len(futures))
    return results
