"""Benchmark: the build's full path stage by stage, in the order of `pipeline.build`, printing each
stage's time and the peak RSS so far as a JSON line as soon as it ends, so that a run too long to
finish (10,000 policies and more on this machine) still reports the stages it reached.

    nice .venv/bin/python benchmarks/stages.py CORPUS/documents OUT [--links] [--until STAGE]

OUT must be a new folder. The stages write what the build writes there (cache, store, dumps,
publication files, name index). `--until STAGE` stops after that stage; the folder is then
recorded as a build (`incremental.record` and the build marker) without the files of the stages
left out, so that `policykg build --documents ... --out OUT` can add a document to it and the
add path is measured at this size. `benchmarks/scale.py` measures whole builds against a
baseline; this script is for the sizes where a whole build does not fit in the time at hand.
"""
import argparse, gc, json, resource, sys, time
from pathlib import Path

from policykg.build import assemble, distributed, incremental, output, pipeline, units
from policykg.store import dumps, union
from policykg.validate import checks

STAGES = ("encodings", "store", "link", "checks", "serialize", "union", "count", "publish", "export", "statistics", "report",
          "index")
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("documents", type=Path)
ap.add_argument("out", type=Path)
ap.add_argument("--links", action="store_true", help="run the link stage, as `policykg build` does by default")
ap.add_argument("--until", choices=STAGES, default=STAGES[-1])
args = ap.parse_args()
docs, out = args.documents, args.out
if out.exists():
    raise SystemExit(f"{out} exists: give a new folder")
out.mkdir(parents=True)
t0 = t = time.perf_counter()


def lap(name, **extra):
    global t
    now = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(json.dumps({"stage": name, "s": round(now - t, 1), "total_s": round(now - t0, 1), "rss_mb": rss,
                      "children_rss_mb": kids, **extra}), flush=True)
    t = now
    return name == args.until


def finish(link_units=None):
    global store
    store.flush()
    del store
    gc.collect()
    incremental.record(out, ctx.digest, done, link_units)
    output._write_marker(out, complete=True)
    lap("record")
    sys.exit(0)


files = units.document_paths([docs])
ctx = units.Context.get()
lap("ontology", files=len(files))
cache = units.Cache(units.default_cache(out))
done = distributed.compile_units(files, ctx.digest, cache.folder, None)
if lap("encodings"):
    raise SystemExit("stopped after the encodings: no store to record")
store, counts = assemble.build_store(out / "store", ctx, done, cache)
counts |= {"units_reused": sum(u.reused for u in done), "path": "full"}
counts["units_compiled"] = len(done) - counts["units_reused"]
stop = lap("store", **counts)
link_units = None
if args.links and not stop:
    from policykg.link import compute as link, graph as link_graph, output as link_output
    link_units = link_graph.units(store), link_graph.actions(store)
    link_output.replace_links(store, link.iter_links(store, us=link_units[0], acts=link_units[1]))
    stop = lap("link", quads=len(store))
if stop:
    finish(link_units)
report = checks.run_checks(store, ontology_store=ctx.onto.store)
if lap("checks", findings=len(report.findings)):
    finish(link_units)
dumps.write_store(store, out, *assemble.dump_parts(ctx, done, cache))
counts["quads"] = len(store)
if lap("serialize", nq_bytes=(out / "kg.nq").stat().st_size, jsonld_bytes=(out / "kg.jsonld").stat().st_size):
    finish(link_units)
union.load(store, out / "kg.nq")
if lap("union"):
    finish(link_units)
store.flush()
if lap("count", quads_with_union=len(store)):
    finish(link_units)
from policykg.build import publish
publish.write_all(store, out)
if lap("publish"):
    finish(link_units)
from policykg.export import write as export
export.export(store, out / "export", ("csv",))
if lap("export"):
    finish(link_units)
from policykg.store import statistics
if lap("statistics", quads=statistics.write(store)):
    finish(link_units)
ds = pipeline.Dataset(store, ctx.onto, done, report, {})
ds.counts = counts
pipeline._write_report(ds, out)
if lap("report"):
    finish(link_units)
from policykg.query import index_file
index_file.write(store, out)
lap("index")
finish(link_units)
