"""Benchmark: the catalogue queries that read the statistics graph (policykg.store.statistics),
before and after, in the same run, on one build; and what the statistics graph costs to compute.

Not a test (timings depend on the machine). Run it on a large build, e.g.

    nice .venv/bin/python benchmarks/statistics_graph.py --build /tmp/b1000 [--repeat 5] [--timeout 10]

For each query it prints the median and the slowest of `--repeat` runs of
- `before`: the aggregation the query replaced (tests/aggregations/NAME.rq: every claim grouped at
  query time), on pyoxigraph with its rows drained; a run over `--timeout` (10 s) is killed and reported as a time-out;
- `after`: the catalogue query (queries/NAME.rq) the same way;
- `ours`: the catalogue query as a user runs it (`policykg.open(build).query(NAME)`, parameters
  from the header examples as `benchmarks/queries.py` gives them);
with the rows of each and the ratio before/after. Then what computing the statistics graph from
the store costs, which the build spends once: `statistics.compute` as the build runs it (the bulk
queries) and as it ran before (`by_claim=True`: one lookup per claim), each in a new process, with
the time, the peak RSS of the process (the store's caches included) and whether both give the same
quads (a digest of the sorted N-Quads lines). `--statistics-only` skips the queries.
A build made before the statistics graph existed gets it written first (`--write`).
`--write-peak WORK` instead measures the memory of the build's statistics stage: the graph
computed from the build's store (opened read-only) and bulk-loaded, as `statistics.write` loads
it (a batch at a time) and as one bulk load of the whole stream, into a new store in WORK (so that
no earlier graph has to be removed first), each `--repeat` times, alternating, each in a new
process, with the time, the peak RSS it added and whether both loaded the same quads. With
`--baseline-ref REF` the two sides are instead `statistics.write`'s way with the code at REF (a
git worktree) and with the checkout's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics as stats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

NAMES = ("claims-per-source", "confirmed-facts", "unconfirmed-facts", "conflicting-claims", "source-agreement",
         "instrument-families", "instrument-usage", "sector-coverage", "instrument-sector-matrix")


def _raw(build: str, text: str, repeat: int, out) -> None:
    from policykg.store import load, union
    st = load.load(build)
    out.send("ready")
    for _ in range(repeat):
        t = time.perf_counter()
        n = sum(1 for _ in st.query(text, **union.options(st)))
        out.send((time.perf_counter() - t, n))


def _ours(build: str, name: str, repeat: int, out) -> None:
    import policykg
    from helpers_query import scaled_params
    from policykg.query import catalogue
    kg = policykg.open(build)
    params = scaled_params(catalogue.get(name), kg.store)
    kg.query("agencies"), kg.query("agencies")  # the second query starts the API's pool
    out.send("ready")
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(kg.query(name, **params).values())
        out.send((time.perf_counter() - t, n))


def _compute(build: str, by_claim: bool, out) -> None:
    import hashlib
    import resource
    from policykg.store import load, statistics
    st = load.load(build)
    t = time.perf_counter()
    quads = statistics.compute(st, by_claim=by_claim)
    dt = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    digest = hashlib.sha1("\n".join(sorted(str(q) for q in quads)).encode()).hexdigest()
    written = None
    if not by_claim:                   # what `write` adds to compute: the quads into an on-disk store
        import tempfile
        import pyoxigraph as ox
        with tempfile.TemporaryDirectory() as tmp:
            scratch = ox.Store(tmp)
            t = time.perf_counter()
            scratch.bulk_extend(quads)
            scratch.flush()
            written = time.perf_counter() - t
            del scratch
    out.send((dt, len(quads), rss, digest, written))


def _statistics(build: str) -> None:
    """statistics.compute before (one lookup per claim) and after (bulk queries), each in its own process."""
    got, spawn = {}, mp.get_context("spawn")     # a fresh process: a fork may copy the store's locks held
    for name, by_claim in (("before (lookup per claim)", True), ("after (bulk queries)", False)):
        here, there = spawn.Pipe(duplex=False)
        p = spawn.Process(target=_compute, args=(build, by_claim, there))
        p.start()
        got[name] = here.recv()
        p.join()
        dt, n, rss, digest, written = got[name]
        print(f"statistics.compute {name:26} {dt:7.1f} s {n:9,} quads  peak RSS {rss:6,} MB  "
              f"(load average {os.getloadavg()[0]:.2f})", flush=True)
    (b, _, _, db, _), (a, _, _, da, written) = got.values()
    print(f"before/after {b / a:.1f}x; the same quads: {'yes' if db == da else 'NO'}; "
          f"writing them into a new on-disk store (as `write` does): {written:.1f} s")


def _status(field: str) -> int:
    """A field of /proc/self/status, in MB."""
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0]) // 1024


def _write_once(build: str, how: str, work: str, out, code: str | None = None) -> None:
    """Compute the statistics graph from the build's store (opened read-only) and bulk-load it into
    a new store in `work`, as `how` says, with the code of the checkout at `code` (default: this
    one); send (seconds, quads, peak RSS added in MB, digest)."""
    if code is not None:
        sys.path.insert(0, code)
    import hashlib
    import shutil
    import tempfile
    import pyoxigraph as ox
    from policykg.store import load, statistics
    where = tempfile.mkdtemp(dir=work)
    try:
        src = ox.Store.read_only(str(load.store_dir(build)))
        into = ox.Store(where)
        with open("/proc/self/clear_refs", "w") as f:       # the peak (VmHWM) from here on
            f.write("5")
        start = _status("VmRSS")
        t = time.perf_counter()
        if how == "one bulk load":
            n = 0

            def counted():
                nonlocal n
                for q in statistics.stream(src):
                    n += 1
                    yield q
            into.bulk_extend(counted())
        else:
            n = statistics.load(into, statistics.stream(src))
        into.flush()
        dt = time.perf_counter() - t
        added = _status("VmHWM") - start
        digest = sum(int.from_bytes(hashlib.sha1(str(q).encode()).digest()[:8], "big")     # order-free, streamed
                     for q in into) % 2**64
        out.send((dt, n, added, digest))
        del into
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _write_peak(build: str, repeat: int, work: str, baseline: str | None = None) -> None:
    """The statistics graph written as the build writes it (`statistics.write`: bulk loads of
    `LOAD_BATCH` quads) and as one bulk load of the whole stream, or (`baseline`: a checkout of
    other code) as the build writes it with that code and with this one; alternating, each in a
    new process."""
    from policykg.store import statistics
    spawn, got = mp.get_context("spawn"), {}
    sides = ((("one bulk load", None), (f"batches of {statistics.LOAD_BATCH:,}", None)) if baseline is None else
             (("batches, baseline code", baseline), ("batches, this code", None)))
    for _ in range(repeat):
        for how, code in sides:
            here, there = spawn.Pipe(duplex=False)
            p = spawn.Process(target=_write_once, args=(build, how, work, there, code))
            p.start()
            dt, n, added, digest = here.recv()
            p.join()
            got.setdefault(how, []).append((dt, added, digest))
            print(f"write the statistics graph, {how:22} {dt:7.1f} s {n:11,} quads  peak RSS +{added:,} MB "
                  f"(load average {os.getloadavg()[0]:.2f})", flush=True)
    (a, runs_a), (b, runs_b) = got.items()
    same = len({d for _, _, d in runs_a + runs_b}) == 1
    print(f"medians: {a} {stats.median(x[0] for x in runs_a):.1f} s +{stats.median(x[1] for x in runs_a):,.0f} MB; "
          f"{b} {stats.median(x[0] for x in runs_b):.1f} s +{stats.median(x[1] for x in runs_b):,.0f} MB; "
          f"the same quads: {'yes' if same else 'NO'}")


def _timed(target, args, repeat: int, timeout: float):
    """(run times, rows), or None when one run takes longer than `timeout` (the worker is killed)."""
    here, there = mp.Pipe(duplex=False)
    p = mp.Process(target=target, args=args + (repeat, there))
    p.start()
    times, n = [], 0
    try:
        if not here.poll(600):
            return None
        here.recv()
        for _ in range(repeat):
            if not here.poll(timeout):
                return None
            dt, n = here.recv()
            times.append(dt)
        return times, n
    finally:
        p.kill()
        p.join()


def _cell(got, timeout) -> str:
    if got is None:
        return f"> {timeout:.0f} s (killed)"
    times, n = got
    return f"{1000 * stats.median(times):9.1f} {1000 * max(times):9.1f} {n:7d}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds one run of a query may take")
    ap.add_argument("--write", action="store_true", help="write the statistics graph into the build's store first")
    ap.add_argument("--statistics-only", action="store_true", help="only the cost of computing the statistics graph")
    ap.add_argument("--write-peak", metavar="WORK", help="only the peak memory of writing the statistics graph, "
                    "in batches and in one bulk load, into new stores in WORK")
    ap.add_argument("--baseline-ref", metavar="REF", help="with --write-peak: compare the code at this git "
                    "revision with the checkout's instead of the two ways of loading")
    args = ap.parse_args()
    if args.write_peak:
        if args.baseline_ref is None:
            _write_peak(args.build, args.repeat, args.write_peak)
            return
        import tempfile
        import worktree
        with tempfile.TemporaryDirectory(dir=args.write_peak) as tmp:
            with worktree.checkout(args.baseline_ref, Path(tmp) / "baseline-code") as base:
                _write_peak(args.build, args.repeat, args.write_peak, str(base))
        return
    from policykg.store import load, statistics
    folder = load.store_dir(args.build)
    if args.write:
        import pyoxigraph as ox
        st = ox.Store(str(folder))
        t = time.perf_counter()
        n = statistics.write(st)
        st.flush()
        print(f"wrote the statistics graph: {n:,} quads in {time.perf_counter() - t:.1f} s")
        del st
    st = load.load(args.build)
    print(f"graph: {len(st):,} quads ({args.build}); load average {os.getloadavg()[0]:.2f}")
    del st
    load.forget()
    _statistics(args.build)
    print()
    if args.statistics_only:
        return
    print(f"{'query':26} {'before: p50 ms':>14} {'max ms':>9} {'rows':>7} | {'after: p50 ms':>14} {'max ms':>9} {'rows':>7}"
          f" | {'ours: p50 ms':>13} {'max ms':>9} {'rows':>7} | before/after")
    for name in NAMES:
        before = _timed(_raw, (args.build, (REPO / "tests" / "aggregations" / f"{name}.rq").read_text()),
                        args.repeat, args.timeout)
        after = _timed(_raw, (args.build, (REPO / "queries" / f"{name}.rq").read_text()), args.repeat, args.timeout)
        ours = _timed(_ours, (args.build, name), args.repeat, args.timeout)
        ratio = (f"{stats.median(before[0]) / stats.median(after[0]):.0f}x" if before and after
                 else f"> {args.timeout / stats.median(after[0]):.0f}x" if after else "?")
        print(f"{name:26} {_cell(before, args.timeout):>34} | {_cell(after, args.timeout):>34} | "
              f"{_cell(ours, args.timeout):>33} | {ratio}", flush=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
