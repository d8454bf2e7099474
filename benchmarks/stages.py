"""Benchmark: the build's full path stage by stage, in the order of `pipeline.build`, printing each
stage's time and the peak RSS so far as a JSON line as soon as it ends, so that a run too long to
finish (10,000 policies and more on this machine) still reports the stages it reached.

    nice .venv/bin/python benchmarks/stages.py CORPUS/documents OUT

OUT must be a new folder (it gets the cache, the store and the dumps; nothing else is written).
`benchmarks/scale.py` measures whole builds against a baseline; this script is for the sizes where
a whole build does not fit in the time at hand.
"""
import resource, sys, time, json
from pathlib import Path
import pyoxigraph as ox
from policykg.build import units, distributed, assemble, pipeline
from policykg.store import dumps, union
from policykg.validate import checks

if len(sys.argv) != 3:
    raise SystemExit("usage: stages.py DOCUMENTS_DIR NEW_OUT_DIR")
docs, out = Path(sys.argv[1]), Path(sys.argv[2])
if out.exists():
    raise SystemExit(f"{out} exists: give a new folder")
out.mkdir(parents=True)
t0 = t = time.perf_counter()
def lap(name, **extra):
    global t
    now = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(json.dumps({"stage": name, "s": round(now - t, 1), "total_s": round(now - t0, 1), "rss_mb": rss, "children_rss_mb": kids, **extra}), flush=True)
    t = now
files = units.document_paths([docs])
ctx = units.Context.get()
lap("ontology", files=len(files))
cache = units.Cache(out / "cache" / "units")
done = distributed.compile_units(files, ctx.digest, cache.folder, None)
lap("encodings")
store, counts = assemble.build_store(out / "store", ctx, done, cache)
lap("store", **counts)
report = checks.run_checks(store, ontology_store=ctx.onto.store)
lap("checks", findings=len(report.findings))
dumps.write_store(store, out, *pipeline._parts(ctx, done, cache))
lap("serialize", nq_bytes=(out / "kg.nq").stat().st_size)
union.load(store, out / "kg.ttl")
lap("union")
store.flush()
n = len(store)
lap("count", quads_with_union=n)
from policykg.store import jsonld
jsonld.write(store, out)
lap("jsonld")
