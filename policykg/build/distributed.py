"""The per-source stage as a map over files: in forked processes on this machine (one per core,
`POLICYKG_JOBS` to change), or on a Dask distributed cluster.

`compile_units` runs the two steps of reading (what each file declares; then everything else,
against the table of all declared keys) and returns the units in the order of the files, so the
result does not depend on where or in which order the work ran. With a `dask.distributed.Client`
(a LocalCluster here, a scheduler address on a real cluster) the same functions run on its
workers; they need the package installed and the unit cache folder on a filesystem they share.
See docs/scale.md.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from pathlib import Path

from policykg.build import units
from policykg.encoding import declared, records


JOBS_ENV = "POLICYKG_JOBS"
_PARALLEL_MIN = 64                  # below this many files, starting processes costs more than it saves
_shared = None                      # the shared argument, inherited by the forked worker processes


def jobs() -> int:
    """Worker processes for the per-source stage without a cluster: $POLICYKG_JOBS, else the cores
    this process may use. A process that runs other threads (an API user's query pool, a server)
    compiles in its own thread instead: a forked child could wait forever for a lock one of those
    threads held at the fork."""
    value = os.environ.get(JOBS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else len(os.sched_getaffinity(0))


def processes(n_items: int) -> int:
    """How many processes a map over `n_items` files runs in without a cluster (1: this one)."""
    n = min(jobs(), n_items // (_PARALLEL_MIN // 2) or 1)
    if n_items < _PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods() \
            or threading.active_count() > 1:      # a fork copies locks other threads may hold: it could hang
        return 1
    return n


def _call(item):
    fn, a = item
    return fn(*a) if _shared is None else fn(a[0], a[1], _shared, *a[2:])


def _map(fn, args: list[tuple], client=None, shared=None) -> list:
    if client is not None or gc.get_freeze_count():
        return _map_all(fn, args, client, shared)
    gc.freeze()             # what the process holds (ontology, key table) is left out of every cycle collection
    try:                    # here and in the forked workers, which also keep its pages shared that way
        return _map_all(fn, args, client, shared)
    finally:
        gc.unfreeze()


def _map_all(fn, args: list[tuple], client=None, shared=None) -> list:
    global _shared
    if client is None:
        n = processes(len(args))
        if n < 2:
            return [fn(*a) for a in args] if shared is None else [fn(a[0], a[1], shared, *a[2:]) for a in args]
        _shared = shared             # forked workers inherit it (and the loaded ontology): nothing is pickled but the paths
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                return pool.map(_call, [(fn, a) for a in args], chunksize=max(1, len(args) // (n * 8)))
        finally:
            _shared = None
    if not args:
        return []
    # One future for the whole object: scattering a dict itself would make one future per key, and
    # every task would then depend on each of them (the key table: 10^5 keys, 10^3 tasks at
    # 1,000 policies, and the scheduler ran out of memory)
    future = client.scatter([shared], broadcast=True)[0] if shared is not None else None
    size = batch_size(len(args), len(client.scheduler_info().get("workers", {})) or 1)
    batches = [args[i:i + size] for i in range(0, len(args), size)]
    futures = client.map(_run_batch, [fn] * len(batches), batches, [future] * len(batches), pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results: list = [None] * len(futures)
    from dask.distributed import as_completed
    for f, batch in as_completed(futures, with_results=True):    # taken as they finish: a worker keeps
        results[index[f.key]] = batch                            # no results beyond its running batch
        f.release()
    del futures
    return [out for batch in results for out in batch]


_BATCH_MAX = 500


def batch_size(n_items: int, n_workers: int) -> int:
    """Files per Dask task: about eight tasks per worker (so that a slow file or worker does not hold
    the others back), at most _BATCH_MAX (a task's result is one message of its units). One task
    per file made the scheduler, which shares the cores with the workers here, the bottleneck."""
    return max(1, min(_BATCH_MAX, n_items // (n_workers * 8) or 1))


def _run_batch(fn, batch: list[tuple], shared=None) -> list:
    """On a Dask worker: `fn` over a batch of files. The first batch of a worker process in each map
    freezes what the process holds (the key table it received, the ontology) out of the cycle
    collector's walks, as the forked workers have it from their parent."""
    global _worker_frozen
    if _worker_frozen != (fn, id(shared)):
        gc.collect()
        gc.freeze()
        _worker_frozen = (fn, id(shared))
    if shared is None:
        return [fn(*a) for a in batch]
    return [fn(a[0], a[1], shared, *a[2:]) for a in batch]


_worker_frozen = None           # the map whose first batch this worker process froze after


def compile_units(files: list[Path], context: str, cache_folder: Path, client=None) -> list[units.Unit]:
    """Scan, check and compile every file; raise EncodingErrors listing every problem, file by file."""
    cache = str(cache_folder)
    scans = _map(units.scan, [(str(f), context, cache) for f in files], client)
    for sc in scans:
        sc.path = Path(sc.path)
    broken = [e for sc in scans if sc.broken for e in sc.errors]
    if broken:          # the other files' references to what a broken file declares would only add noise
        raise records.EncodingErrors(broken)
    known, table_errors = declared.key_table(units.Context.get(context).onto, scans)
    done = _map(units.compile_one, [(str(sc.path), sc.digest, cache, context) for sc in scans], client, shared=known)
    errors = []
    for sc, u in zip(scans, done):
        errors += [e for e in table_errors if Path(e.path) == sc.path]
        errors += u.errors if u.errors else sc.errors
    errors += declared.graph_clashes(done)
    if errors:
        raise records.EncodingErrors(errors)
    for u in done:
        u.path = str(u.path)
    return done


def client(address: str):
    """A Dask client: 'local:N' starts a LocalCluster of N single-threaded worker processes;
    anything else is a scheduler address. Raises InputError when Dask is not installed."""
    from policykg.errors import InputError
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed", fix="pip install 'policykg[scale]'") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise InputError(f"bad --dask '{address}'", fix="write local:N with N workers, e.g. local:2")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster)
    return Client(address)
