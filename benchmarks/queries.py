"""Benchmark: every catalogue query through our query function, the raw engine and rdflib, and the endpoint.

Not a test (timings depend on the machine). Run it on a large build, e.g. a synthetic corpus
(benchmarks/corpus.py) built with `policykg build --documents`, and on the real graph:

    nice .venv/bin/python benchmarks/queries.py --build build [--repeat 5] [--timeout 30]

For each named query, with its header examples as parameters (an entity the build does not hold
is replaced by one of the same class and key shape: `tests/helpers_query.scaled_params`), it
prints the median time of
- `ours`: `policykg.open(build).query()` as a user calls it (resolving the parameters, binding,
  running in a pre-forked bounded worker of the pool, turning the rows into a Result): the median
  and the slowest of the repeats (`p99`, the slowest of `--repeat` runs);
- `fork`: the baseline, the same call in a worker forked for the query (`engine.run()` without a
  pool: what the CLI's single query does, and what every query did before the pool);
- `free`: the same call with `limits=None`: our query path without the bounded worker process
  (policykg.query.bounds) that each query runs in by default;
- `raw`: pyoxigraph's `Store.query` on the same query text with the same bound values and the same
  default graph (policykg.store.union), every row drained into tuples (the same work without our
  layer; for a query that matches names, the text with the entities the name index gives, as our
  path runs it: policykg.query.candidates); free/raw is our layer's overhead;
- `rdflib`: rdflib's SPARQL on the same dataset (loaded from kg.nq) with the same values bound by
  its own mechanism (initBindings), rows drained likewise. A query rdflib cannot run, or does not
  finish within the timeout, is listed with the reason; none is dropped.
With `--page N`, each query's row is followed by two: the first page of N rows and a page from
the middle of its answer (`limit=N`, `offset=M`, through the pool as `ours`), the time a user
paging the answer waits for one page and its total.
A query whose answer the build stored for the values it is run with (`#+ answer: stored`,
policykg.query.stored) is marked in the table: `ours`, `fork` and `free` read the stored answer while `raw`
runs the engine on the same text (the same-run baseline), so such queries are left out of the
ratios to raw and summarized on a line of their own.
Each side runs in a worker process that is killed and restarted when a query exceeds `--timeout`,
which is then reported as a time-out. Then: the cold start of a `policykg query` process, and the
endpoint (`policykg serve` on 127.0.0.1) under `--clients` concurrent clients sending the catalogue
queries for `--duration` seconds (queries per second, latency p50/p99, errors, where a cut body
counts as an error, as does any status other than 200), twice: with serve's answer cache off
(`--cache-mb 0`: every request runs its query) and on (the default: a query asked again is sent
from the cache; the count of such answers is printed). It does so for each of `--routes`: `query`
sends each query's text with its values written in to `/query`, as any SPARQL client would (the
engine runs the text as written); `catalogue` sends its name and values to `/catalogue/NAME`
(policykg.serve.named: the query function, with the stored answers and the name index).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

WORKER = r'''
import json, statistics, sys, time
sys.path.insert(0, sys.argv[3])
from helpers_query import scaled_params
import policykg
from policykg.query import candidates, catalogue, engine, stored
from policykg.store import load, union
side, build, repeat = sys.argv[1], sys.argv[2], int(sys.argv[4])
kg = policykg.open(build)
st = kg.store
kept = set(stored.stored(st))       # (query, values) whose answers the build stored (policykg.query.stored)
if side == "ours":
    kg.query("agencies"), kg.query("agencies")      # the second query starts the API's pool

if side == "rdflib":
    import rdflib
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(load.nquads(build)), format="nquads")
print(json.dumps({"ready": True}), flush=True)


def median(fn):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), n


def interleaved(**fns):
    """Times (ms) of `repeat` runs of each function, taking turns after one warm-up run each; rows."""
    for fn in fns.values():
        fn()
    times = {key: [] for key in fns}
    for _ in range(repeat):
        for key, fn in fns.items():
            t = time.perf_counter()
            n = fn()
            times[key].append((time.perf_counter() - t) * 1000)
    return times, n


def rdflib_term(term):
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


for line in sys.stdin:
    name, _, page = line.strip().partition(" ")
    q = catalogue.get(name)
    params = scaled_params(q, st)
    try:
        if page:                # the first page and a middle page, as a user paging the answer waits
            size = int(page)
            total = kg.query(name, limit=size, **params).total
            middle = total // 2 // size * size if size else 0
            times, n = interleaved(first=lambda: len(kg.query(name, limit=size, **params)),
                                   middle=lambda: len(kg.query(name, limit=size, offset=middle, **params)))
            out = {"first": statistics.median(times["first"]), "first_p99": max(times["first"]),
                   "middle": statistics.median(times["middle"]), "middle_p99": max(times["middle"]),
                   "offset": middle, "total": total, "rows": n}
        elif side == "ours":      # the API's pooled worker, and a worker forked for the query (the baseline)
            times, n = interleaved(pool=lambda: len(kg.query(name, **params)),
                                   fork=lambda: len(engine.run(name, store=st, **params)))
            out = {"ms": statistics.median(times["pool"]), "p99": max(times["pool"]),
                   "fork": statistics.median(times["fork"]), "rows": n}
        elif side == "both":    # our unbounded path and the raw engine, interleaved in one process
            subs = engine.bind(q, params, st)
            text = engine.inline(q.text, subs)
            kw = {} if text is not None else {"substitutions": subs}
            text = candidates.narrow(q, text if text is not None else q.text, subs, st)
            times, n = interleaved(free=lambda: len(engine.run(name, store=st, limits=None, **params)),
                                   raw=lambda: len([tuple(s) for s in st.query(text, **union.options(st), **kw)]))
            out = {"free": statistics.median(times["free"]), "raw": statistics.median(times["raw"]), "rows": n}
        else:
            init = {rdflib.Variable(v.value): rdflib_term(t) for v, t in engine.bind(q, params, st).items()}
            ms, n = median(lambda: len([tuple(r) for r in ds.query(q.text, initBindings=init)]))
            out = {"ms": ms, "rows": n}
    except Exception as e:
        out = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:70] if str(e) else ''}"}
    if "error" not in out:
        out["stored"] = (name, stored.answer_key(q, engine.bind(q, params, st))) in kept   # ours read it; raw ran the engine
    print(json.dumps(out), flush=True)
'''


from policykg.query.bounds import die_with_parent     # noqa: E402 (after the path is set)


class Worker:
    """One side of the benchmark in its own process; restarted after a time-out."""

    def __init__(self, side: str, build: str, repeat: int, timeout: float, load_timeout: float):
        self.side, self.build, self.repeat, self.timeout, self.load_timeout = side, build, repeat, timeout, load_timeout
        self.proc = None

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, self.side, self.build, str(REPO / "tests"),
                                      str(self.repeat)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     preexec_fn=die_with_parent)     # a killed benchmark leaves no side running
        if self._read(self.load_timeout) is None:
            raise SystemExit(f"the {self.side} worker did not load the build within {self.load_timeout:.0f}s")

    def _read(self, timeout: float):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def run(self, name: str, page: int | None = None) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(name + (f" {page}" if page is not None else "") + "\n")
        self.proc.stdin.flush()
        got = self._read(self.timeout * ((2 * self.repeat + 3) if page is not None else (self.repeat + 1)))
        if got is None:
            self.stop()
            return {"error": f"timeout (over {self.timeout:.0f}s)"}
        return got

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))] if s else float("nan")


def fmt_ms(r: dict) -> str:
    return f"{r['ms']:10.1f}" if "ms" in r else f"{'—':>10}"


def catalogue_table(args) -> tuple[list[str], dict]:
    from policykg.query import catalogue
    names = list(catalogue.catalogue()) if not args.only else args.only
    sides = ["ours", "both"] + ([] if args.no_rdflib else ["rdflib"])
    workers = {s: Worker(s, args.build, args.repeat if s != "rdflib" else args.rdflib_repeat,
                         args.timeout if s != "rdflib" else args.rdflib_timeout, args.load_timeout) for s in sides}
    print(f"{'query':34} {'rows':>7} {'ours ms':>10} {'ours p99':>10} {'fork ms':>10} {'free ms':>10} {'raw ms':>10} "
          f"{'free/raw':>9} {'ours/raw':>9} {'rdflib ms':>10}")
    results = {}
    try:
        for name in names:
            got = {s: w.run(name) for s, w in workers.items()}
            both = got.pop("both")
            got["free"] = {"ms": both["free"], "rows": both["rows"]} if "free" in both else both
            got["raw"] = {"ms": both["raw"], "rows": both["rows"]} if "raw" in both else both
            results[name] = got
            ours, free, raw, rl = got["ours"], got["free"], got["raw"], got.get("rdflib", {"error": "not run"})
            ratio = f"{free['ms'] / raw['ms']:8.2f}×" if "ms" in free and "ms" in raw and raw["ms"] > 0 else f"{'':>9}"
            oratio = f"{ours['ms'] / raw['ms']:8.2f}×" if "ms" in ours and "ms" in raw and raw["ms"] > 0 else f"{'':>9}"
            p99 = f"{ours['p99']:10.1f}" if "p99" in ours else f"{'—':>10}"
            fork = f"{ours['fork']:10.1f}" if "fork" in ours else f"{'—':>10}"
            rows = ours.get("rows", raw.get("rows", ""))
            notes = "; ".join(f"{s}: {r['error']}" for s, r in got.items() if "error" in r)
            if ours.get("stored"):
                notes = "; ".join(filter(None, ["ours: the stored answer, raw: the engine", notes]))
            print(f"{name:34} {rows!s:>7} {fmt_ms(ours)} {p99} {fork} {fmt_ms(free)} {fmt_ms(raw)} {ratio} {oratio} {fmt_ms(rl)}"
                  + (f"  [{notes}]" if notes else ""), flush=True)
            if args.page is not None:
                got["page"] = page_rows(workers["ours"], name, args.page)
    finally:
        for w in workers.values():
            w.stop()
    return names, results


def page_rows(worker, name: str, size: int) -> dict:
    """Time the first page and a middle page of `size` rows (ours: the pooled worker) and print them."""
    got = worker.run(name, page=size)
    if "error" in got:
        print(f"  {'page of ' + str(size):32} {'':>7} {'—':>10} {'—':>10}  [{got['error']}]", flush=True)
        return got
    for which, offset in (("first", 0), ("middle", got["offset"])):
        label = f"  rows {offset + 1:,}–{offset + size:,} of {got['total']:,}"
        print(f"{label:34} {min(size, max(got['total'] - offset, 0))!s:>7} {got[which]:10.1f} {got[which + '_p99']:10.1f}",
              flush=True)
    return got


def summary(names, results, args) -> list[str]:
    ours = [results[n]["ours"]["ms"] for n in names if "ms" in results[n]["ours"]]
    failed = [n for n in names if "ms" not in results[n]["ours"]]
    forks = [results[n]["ours"]["fork"] for n in names if "fork" in results[n]["ours"]]
    print(f"\nours: {len(ours)}/{len(names)} queries finished; over the queries' medians p50 {pct(ours, 50):.1f} ms, "
          f"p99 {pct(ours, 99):.1f} ms, max {max(ours, default=float('nan')):.1f} ms; over 1 s: "
          f"{sum(m > 1000 for m in ours)}; failed or timed out: {', '.join(failed) or 'none'}")
    if args.page is not None:
        pages = [results[n]["page"][w] for n in names for w in ("first", "middle") if w in results[n].get("page", {})]
        print(f"pages of {args.page} rows (first and middle, ours): {len(pages)}/{2 * len(names)} finished; "
              f"p50 {pct(pages, 50):.1f} ms, p99 {pct(pages, 99):.1f} ms, max {max(pages, default=float('nan')):.1f} ms")
    print(f"baseline, a worker forked per query: p50 {pct(forks, 50):.1f} ms, p99 {pct(forks, 99):.1f} ms")
    kept = [n for n in names if results[n]["ours"].get("stored")]
    same = [n for n in names if n not in kept]           # the same work on both sides of the ratio
    for side, what in (("free", "our query path without the bounded worker"), ("ours", "ours, bounded (the default)")):
        ratios = [results[n][side]["ms"] / results[n]["raw"]["ms"] for n in same
                  if "ms" in results[n][side] and "ms" in results[n]["raw"] and results[n]["raw"]["ms"] > 0]
        if ratios:
            print(f"{what} / raw pyoxigraph: median {statistics.median(ratios):.2f}×, p90 {pct(ratios, 90):.2f}×, "
                  f"max {max(ratios):.2f}× (the {len(ratios)} queries the engine answers on both sides)")
    if kept:
        read = [results[n]["ours"]["ms"] for n in kept if "ms" in results[n]["ours"]]
        engine = [results[n]["raw"]["ms"] for n in kept if "ms" in results[n]["raw"]]
        slow = [n for n in kept if "ms" not in results[n]["raw"]]
        print(f"stored answers (policykg.query.stored): {len(kept)} queries; ours p50 {pct(read, 50):.1f} ms, "
              f"max {max(read, default=float('nan')):.1f} ms; the engine on the same text (raw): "
              f"{len(engine)} finished, p50 {pct(engine, 50):.1f} ms, max {max(engine, default=float('nan')):.1f} ms; "
              f"over the time-out: {', '.join(slow) or 'none'}")
    if not args.no_rdflib:
        rl = [(n, results[n]["rdflib"]) for n in names]
        ok = [results[n]["rdflib"]["ms"] / results[n]["ours"]["ms"] for n, r in rl
              if "ms" in r and "ms" in results[n]["ours"] and results[n]["ours"]["ms"] > 0]
        bad = [f"{n} ({r['error']})" for n, r in rl if "error" in r]
        if ok:
            print(f"rdflib / ours: median {statistics.median(ok):.0f}×, min {min(ok):.1f}×, max {max(ok):.0f}× "
                  f"over the {len(ok)} queries both finished")
        print(f"rdflib did not answer {len(bad)} of {len(names)}: {'; '.join(bad) or 'none'}")
    return [n for n in names if "ms" in results[n]["ours"]]


def baseline_env(args) -> dict | None:
    """The environment that runs the baseline checkout's code (`--baseline DIR`), or None."""
    if not args.baseline:
        return None
    return {**os.environ, "PYTHONPATH": str(Path(args.baseline).resolve())}


def cold_start(args) -> None:
    """Process start to exit of `policykg query`, with a key and with a label, ours and the baseline's."""
    sys.path.insert(0, str(REPO / "tests"))
    from helpers_query import scaled_params
    from policykg.query import catalogue
    from policykg.store import load
    doc = scaled_params(catalogue.get("document-issuers"), load.load(args.build))["doc"]
    exe = Path(sys.executable).parent / "policykg"
    runs = {"key": ["document-issuers", "--param", f"doc={doc}"],
            "label": ["agency-profile", "--param", "agency=工业和信息化部", "--limit", "5"]}
    print()
    for who, env in (("baseline", baseline_env(args)), ("ours", os.environ)):
        if env is None:
            continue
        for what, argv in runs.items():
            times = []
            for _ in range(5):
                t = time.perf_counter()
                subprocess.run([str(exe), "query", *argv, "--build", args.build, "--format", "csv"], check=True,
                               capture_output=True, env=env)
                times.append((time.perf_counter() - t) * 1000)
                if times[-1] > 10_000:          # the baseline at scale: once is enough
                    break
            print(f"cold 'policykg query {argv[0]}' ({what}), {who}: median {statistics.median(times):.0f} ms "
                  f"(min {min(times):.0f}, max {max(times):.0f})", flush=True)


def endpoint_mix(args, names: list[str], route: str) -> list[tuple[str, str | None, str]]:
    """(name, POST body or None for a GET, path) of each query the route can take, with its header
    examples as parameters (`scaled_params`): the query's text with its values written in (`/query`),
    or the query's name and values (`/catalogue/NAME?…`, every query)."""
    import urllib.parse
    from helpers_query import scaled_params
    from policykg.query import catalogue, engine
    from policykg.store import load
    st = load.load(args.build)
    mix = []
    for name in names:
        q = catalogue.get(name)
        params = scaled_params(q, st)
        if route == "catalogue":
            values = {k: v.value if hasattr(v, "value") else str(v) for k, v in params.items()}
            if args.endpoint_limit is not None:
                values["limit"] = args.endpoint_limit
            mix.append((name, None, f"/catalogue/{name}" + ("?" + urllib.parse.urlencode(values) if values else "")))
            continue
        text = engine.inline(q.text, engine.bind(q, params, st))
        if text is not None:                    # a query the endpoint can take as text
            mix.append((name, text, "/query"))
    return mix


def endpoint(args, names: list[str], who: str = "ours", env: dict | None = None, cache_mb: int | None = None,
             route: str = "query") -> dict | None:
    """Throughput of `policykg serve` under concurrent clients sending catalogue queries
    (`cache_mb`: serve's --cache-mb; None: its default) to `route`: their text to /query, or their
    names and values to /catalogue/NAME. Printed, and returned: queries/s, p50 and p99 in ms, errors
    (None when the server did not start)."""
    from policykg.serve.server import free_port
    mix = endpoint_mix(args, names, route)
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "policykg"), "serve", "--build", args.build,
                             "--port", str(port), "--timeout", str(int(args.timeout)), "--workers", str(args.workers)]
                            + ([] if cache_mb is None else ["--cache-mb", str(cache_mb)]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**(env or os.environ), "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()           # printed once the server answers
        if not line.startswith("SPARQL endpoint"):
            print(f"\nendpoint: the server did not start: {line.strip() or proc.stderr.read().strip()}")
            return None
        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        errors: list[str] = []
        hits = [0]
        by_name: dict[str, list[float]] = {}
        lock = threading.Lock()
        stop_at = time.monotonic() + args.duration

        def client(k: int) -> None:
            i = k * 7
            while time.monotonic() < stop_at:
                name, text, path = mix[i % len(mix)]
                i += 1
                req = urllib.request.Request(base + path, data=None if text is None else text.encode(), headers={
                    "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
                t = time.perf_counter()
                try:
                    with urllib.request.urlopen(req, timeout=args.timeout + 5) as r:
                        doc = json.loads(r.read())          # a cut or broken body fails here
                        hit = r.headers.get("X-PolicyKG-Cache") == "hit"
                    if "results" not in doc and "boolean" not in doc:
                        raise ValueError("not a SPARQL result")
                    with lock:
                        latencies.append((time.perf_counter() - t) * 1000)
                        by_name.setdefault(name, []).append(latencies[-1])
                        hits[0] += hit
                except Exception as e:              # an HTTP error, a cut body, a refused connection
                    with lock:
                        errors.append(f"{name}: {type(e).__name__}")

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        print(f"\nendpoint /{route}, {who} ({args.clients} clients, {args.workers} workers, {len(mix)} catalogue queries in turn, {elapsed:.0f} s): "
              f"{len(latencies) / elapsed:.1f} queries/s, p50 {pct(latencies, 50):.0f} ms, "
              f"p99 {pct(latencies, 99):.0f} ms, errors {len(errors)}, answers from the cache {hits[0]}"
              + (f" ({'; '.join(sorted(set(errors))[:5])})" if errors else ""))
        slowest = sorted(by_name.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
        print("  slowest by median: " + ", ".join(f"{n} {statistics.median(v):.0f} ms" for n, v in slowest))
        return {"qps": len(latencies) / elapsed, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
                "errors": len(errors), "queries": len(mix)}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds one query may take (ours, raw)")
    ap.add_argument("--rdflib-repeat", type=int, default=1)
    ap.add_argument("--rdflib-timeout", type=float, default=60.0)
    ap.add_argument("--load-timeout", type=float, default=900.0, help="seconds a worker may take to load the build")
    ap.add_argument("--no-rdflib", action="store_true")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of endpoint load (0: skip)")
    ap.add_argument("--only", nargs="*", help="only these queries")
    ap.add_argument("--page", type=int, metavar="N",
                    help="also time the first page of N rows and a middle one (--limit N --offset M), as a user paging waits")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold start")
    ap.add_argument("--no-table", action="store_true", help="skip the per-query table (cold start and endpoint only)")
    ap.add_argument("--workers", type=int, default=2, help="serve --workers")
    ap.add_argument("--routes", nargs="+", choices=("query", "catalogue"), default=["query", "catalogue"],
                    help="where the endpoint run sends the mix: the queries' text to /query (as any SPARQL client), "
                         "their names and values to /catalogue/NAME (stored answers, name index), or both")
    ap.add_argument("--endpoint-limit", type=int, metavar="N",
                    help="/catalogue requests ask for the first page of N rows (limit=N), as a client paging the answers")
    ap.add_argument("--endpoint-max-ms", type=float, default=1000.0,
                    help="the endpoint mix: the queries whose median (ours) is below this")
    ap.add_argument("--baseline", help="a checkout of the code to compare with (e.g. `git worktree add "
                                       "../base origin/main`): its cold query and endpoint run in the same run")
    args = ap.parse_args()
    from policykg.store import load
    st = load.load(args.build)
    print(f"graph: {len(st):,} quads ({args.build})\n")
    del st
    if args.no_table:                           # only the cold start and the endpoint, on the --only queries
        names = args.only or []
        if args.duration > 0 and not names:
            raise SystemExit("--no-table with an endpoint run needs the endpoint's queries: give them with --only")
        finished, results = names, {n: {"ours": {"ms": 0.0}} for n in names}
    else:
        names, results = catalogue_table(args)
        finished = summary(names, results, args)
    if not args.no_cold:
        cold_start(args)
    if args.duration > 0:
        mix = [n for n in finished if results[n]["ours"]["ms"] < args.endpoint_max_ms]
        for route in args.routes:
            if args.baseline and route == "query":   # a baseline without /catalogue would answer 404
                endpoint(args, mix, "baseline", baseline_env(args), route=route)
            endpoint(args, mix, "ours, no answer cache", cache_mb=0, route=route)
            endpoint(args, mix, "ours, answer cache (the default)", route=route)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
