"""Benchmark: the stages of `policykg build` that write publication files, on a built store.

Not a test (times depend on the machine). Usage:

    cp -r BUILD/store /tmp/store        # a copy: the stages write into the store they are given
    nice .venv/bin/python benchmarks/publish.py /tmp/store [--union-from BUILD/kg.ttl] [--out DIR] [--stages ontology,...]

Each stage runs in its own process on the same store and prints its seconds and that process's
peak RSS, beside a baseline measured in the same run: a process that opens the store and counts
its quads (`len(store)`), which every stage pays for anyway. The stages: `ontology` (ontology/*),
`vocab` (vocab/*), `export` (the CSV tables and codebook), `report` (report.json and report.md),
`index` (the name index file, index/names.sqlite); kg.jsonld is written with the dumps
(`benchmarks/jsonld.py`). The build runs them with the union of the graphs in the default
graph (loaded before the publication files); a store without it gets it first (`--no-union`
clears it instead: how the stages ran before, and how the baseline of docs/scale.md was measured).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STAGES = ("ontology", "vocab", "export", "report", "index")


def run_stage(name: str, store_dir: str, out: Path) -> dict:
    store = ox.Store(store_dir)
    t = time.perf_counter()
    if name == "baseline":
        len(store)
    elif name == "ontology":
        from policykg.build import publish
        publish.write_ontology(store, out)
    elif name == "vocab":
        from policykg.build import publish
        publish.write_vocabularies(store, out)
    elif name == "export":
        from policykg.export import write as export
        export.export(store, out / "export", ("csv",))
    elif name == "report":
        from policykg.build import pipeline
        from policykg.validate.report import Report
        ds = pipeline.Dataset(store, None, [], Report())
        pipeline.write_report(ds, out)
    elif name == "index":
        from policykg.query import index_file
        index_file.write(store, out)
    seconds = time.perf_counter() - t
    return {"stage": name, "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--out", default=None, help="folder for the files (default: beside the store, publish-out/)")
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--no-union", action="store_true", help="clear the default graph instead of filling it")
    ap.add_argument("--union-from", help="the build's kg.ttl, to load the union from (faster than copying it quad by quad)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = Path(args.out or Path(args.store).parent / "publish-out")
    out.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(run_stage(args.one, args.store, out)))
        return
    from policykg.store import union
    store = ox.Store(args.store)
    if args.no_union:
        store.clear_graph(union.DEFAULT)
    elif not union.has_union(store) and args.union_from:
        store.bulk_load(path=args.union_from, format=ox.RdfFormat.TURTLE, to_graph=union.DEFAULT)
    elif not union.has_union(store):
        union.fill(store)
    store.flush()
    quads = len(store)
    del store
    print(f"store: {quads} quads ({'named graphs only' if args.no_union else 'with the union in the default graph'})")
    rows = []
    for name in ("baseline",) + tuple(s for s in args.stages.split(",") if s):
        got = subprocess.run([sys.executable, __file__, args.store, "--out", str(out), "--one", name],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(got.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{r['stage']:<9} {r['seconds']:>9.2f} s  peak RSS {r['peak_rss_mb']:>6} MB", flush=True)
    base = rows[0]
    for r in rows[1:]:
        print(f"{r['stage']}: {r['seconds'] / max(quads / 1e6, 1e-9):.2f} s per million quads, "
              f"{r['peak_rss_mb'] / max(base['peak_rss_mb'], 1):.1f}x the baseline's RSS")


if __name__ == "__main__":
    main()
