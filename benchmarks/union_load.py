"""Benchmark: the build's union stage (the default graph filled with the union of the named graphs)
before and after it went through the bulk loader, on a copy of a build, each in its own process.

    nice .venv/bin/python benchmarks/union_load.py BUILD [--work DIR]

BUILD is a built folder (kg.nq, kg.ttl); it is only read. Its kg.nq is bulk-loaded into a new store
in DIR (the build's store as it is before the union stage: the named graphs), copied, and each
copy filled in a new process:

- `before`: kg.ttl parsed in Python, one quad made per triple for `Store.bulk_extend`, as the
  build did (so that blank nodes keep their labels);
- `after`: `policykg.store.union.load`: kg.nq read by the bulk loader as N-Triples, only the lines
  with a blank node through Python.

Prints each side's time and peak RSS and the load average, then compares the two default graphs
triple by triple, blank node labels included (each dumped as N-Triples and sorted), and exits 1 when
they differ.
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()


def before(store: ox.Store, build: Path) -> None:
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
                      for q in ox.parse(path=str(build / "kg.ttl"), format=ox.RdfFormat.TURTLE))


def after(store: ox.Store, build: Path) -> None:
    from policykg.store import union
    union.load(store, build / "kg.nq")


def one(side: str, folder: Path, build: Path) -> None:
    store = ox.Store(str(folder))
    t = time.perf_counter()
    {"before": before, "after": after}[side](store, build)
    store.flush()
    s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024       # before the dump below
    with open(folder.parent / f"{side}.nt", "wb") as f:
        store.dump(f, ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT)
    print(json.dumps({"side": side, "s": round(s, 1), "peak_rss_mb": peak,
                      "quads": len(store), "load_avg": os.getloadavg()}), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", type=Path)
    ap.add_argument("--work", type=Path, help="a folder for the stores (default: a temporary one)")
    ap.add_argument("--one", choices=("before", "after"), help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one, args.store, args.build)
        return 0
    work = Path(tempfile.mkdtemp(prefix="policykg-union-load-", dir=args.work))
    try:
        t = time.perf_counter()
        base = ox.Store(str(work / "base"))
        base.bulk_load(path=str(args.build / "kg.nq"), format=ox.RdfFormat.N_QUADS)
        base.flush()
        print(json.dumps({"named_graph_quads": len(base), "load_s": round(time.perf_counter() - t, 1)}), flush=True)
        del base
        for side in ("before", "after"):
            shutil.copytree(work / "base", work / side)
            subprocess.run([sys.executable, __file__, str(args.build), "--one", side, "--store", str(work / side)],
                           check=True)
            shutil.rmtree(work / side)
        shutil.rmtree(work / "base")
        for side in ("before", "after"):
            subprocess.run(["sort", "-o", str(work / f"{side}.nt"), str(work / f"{side}.nt")], check=True,
                           env={**os.environ, "LC_ALL": "C"})
        same = subprocess.run(["cmp", "-s", str(work / "before.nt"), str(work / "after.nt")]).returncode == 0
        lines = sum(1 for _ in open(work / "after.nt", "rb"))
        print(json.dumps({"default_graph_triples": lines, "same_triples": same}), flush=True)
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
