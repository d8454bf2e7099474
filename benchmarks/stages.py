"""Benchmark: the build's full path stage by stage, in the order of `pipeline.build`, printing each
stage's time and the peak RSS so far as a JSON line as soon as it ends, so that a run too long to
finish (10,000 policies and more on this machine) still reports the stages it reached.

    nice .venv/bin/python benchmarks/stages.py CORPUS/documents OUT [--links] [--until STAGE]
    nice .venv/bin/python benchmarks/stages.py --link-process BUILD

OUT must be a new folder. The stages write what the build writes there (cache, store, dumps,
publication files, name index, stored answers). `--until STAGE` stops after that stage; the folder is then
recorded as a build (`pipeline.record`: report.json and report.md, what a later build adds to, the
build marker) without the files of the stages left out, so that it opens with `policykg.open()`
and `policykg query`, and `policykg build --documents ... --out OUT` can add a document to it (the
add path measured at this size). `benchmarks/scale.py` measures whole builds against a baseline;
this script is for the sizes where a whole build does not fit in the time at hand.

`--link-process BUILD` runs the link stage alone on a built folder with dumps (`policykg link`, the
library's `policykg.link.build.write_build`: the old links removed, the links computed and written
into the store, the union and the dumps brought up to date) in a process of its own, and prints
that process's time and peak RSS after each step, so that the link stage's memory is not hidden
behind the store stage's peak, as it is in a run with `--links`. It writes into BUILD: give it a
copy.

`--link-compute BUILD` computes the links of a built folder without writing them (its store opened
read-only, so the folder needs no copy): the units and actions read, every link made and turned
into quads, with the time and peak RSS after each step; it then counts the quads of the links
graph the build wrote, which the quads made here must equal (their number and an order-free sum
of their hashes: `same_quads`). This is the link stage's own memory
inside a build (the build's peak is the store stage's).
"""
import argparse, gc, json, os, resource, subprocess, sys, time
from pathlib import Path

from policykg.build import assemble, distributed, pipeline, state, units
from policykg.store import dumps, union
from policykg.validate import checks
from policykg.validate.report import Report

STAGES = ("encodings", "store", "link", "checks", "serialize", "union", "count", "publish", "export", "statistics", "report",
          "index", "answers")
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("documents", type=Path, nargs="?")
ap.add_argument("out", type=Path, nargs="?")
ap.add_argument("--links", action="store_true", help="run the link stage, as `policykg build` does by default")
ap.add_argument("--until", choices=STAGES, default=STAGES[-1])
ap.add_argument("--link-process", type=Path, metavar="BUILD",
                help="run `policykg link` on the built folder BUILD (a copy: it is written) in a process of its own")
ap.add_argument("--link-child", type=Path, help=argparse.SUPPRESS)
ap.add_argument("--link-compute", type=Path, metavar="BUILD",
                help="compute the links of the built folder BUILD (read-only) and compare them with the ones it holds")
args = ap.parse_args()


_MASK = (1 << 64) - 1


def _quad_hash(q) -> int:
    """A hash of the quad as the store holds it: a decimal in its canonical form (1.000 is 1)."""
    import hashlib
    import pyoxigraph as ox
    o = q.object
    if isinstance(o, ox.Literal) and o.datatype.value.endswith("#decimal") and "." in o.value:
        q = ox.Quad(q.subject, q.predicate, ox.Literal(o.value.rstrip("0").rstrip("."), datatype=o.datatype), q.graph_name)
    return int.from_bytes(hashlib.blake2b(str(q).encode(), digest_size=8).digest(), "big")


def link_compute(build: Path) -> None:
    """The link stage's reading and computing on a built store, read-only, step by step."""
    import pyoxigraph as ox
    from policykg.link import compute, graph as link_graph, output as link_output
    from policykg.model.namespaces import LINKS_GRAPH
    t0 = last = time.perf_counter()
    steps = {}

    def step(name):
        nonlocal last
        now = time.perf_counter()
        steps[name] = {"s": round(now - last, 1), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
        print(json.dumps({"step": name, **steps[name]}), flush=True)
        last = now

    store = ox.Store.read_only(str(build / "store"))
    step("open")
    us = link_graph.units(store)
    step("units")
    acts = link_graph.actions(store)
    step("actions")
    links = quads = 0
    kinds: dict[str, int] = {}

    def counted(it):
        nonlocal links
        for link in it:
            links += 1
            kinds[link.type] = kinds.get(link.type, 0) + 1
            yield link
    made = 0
    for q in link_output.to_quads(counted(compute.iter_links(store, us=us, acts=acts)), store):
        quads += 1
        made = (made + _quad_hash(q)) & _MASK
    step("links")
    held = kept = 0
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(LINKS_GRAPH)):
        held += 1
        kept = (kept + _quad_hash(q)) & _MASK
    print(json.dumps({"stage": "link compute (read-only)", "s": round(time.perf_counter() - t0, 1), "links": links,
                      "by_type": kinds, "quads": quads, "quads_in_build": held,
                      "same_quads": quads == held and made == kept,       # the same set, in any order
                      "units": len(us), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "load_avg": [round(x, 1) for x in os.getloadavg()]}), flush=True)


def link_child(build: Path) -> None:
    """`policykg link` on `build`, in this process: the time of each of its steps and the peak RSS
    when it ends (`write_build`'s progress: the old links removed, the links computed and written
    into the store, the union brought up to date, the dumps rewritten), and the same for the whole."""
    from policykg.link import build as link_build
    t0 = last = time.perf_counter()
    steps, step = {}, ["open"]

    def progress(name):
        nonlocal last
        now = time.perf_counter()
        if step[0] is not None:
            steps[step[0]] = {"s": round(now - last, 1), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
        step[0], last = name, now

    counts, store = link_build.write_build(build, progress=progress)
    progress(None)
    del store
    print(json.dumps({"stage": "link (own process)", "s": round(time.perf_counter() - t0, 1), "steps": steps,
                      "links": sum(counts.values()), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "load_avg": [round(x, 1) for x in os.getloadavg()]}), flush=True)


if args.link_child:
    link_child(args.link_child)
    sys.exit(0)
if args.link_compute:
    link_compute(args.link_compute)
    sys.exit(0)
if args.link_process:
    if not (args.link_process / "kg.nq").is_file():
        raise SystemExit(f"{args.link_process} holds no kg.nq: give a build, or a folder of --until serialize or later")
    t = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--link-child", str(args.link_process)], check=True)
    print(json.dumps({"stage": "link process (as the parent saw it)", "s": round(time.perf_counter() - t, 1),
                      "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}), flush=True)
    sys.exit(0)
if args.documents is None or args.out is None:
    ap.error("give CORPUS/documents and OUT, or --link-process BUILD")
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


def finish(link_units=None, report=None, reported=False):
    """Record the folder as a build of the stages reached (`pipeline.record`), then stop."""
    global store
    ds = pipeline.Dataset(store, ctx.onto, done, report or Report())
    ds.counts = counts
    pipeline.record(out, ds, ctx.digest, link_units, stats, report=not reported)
    del store, ds
    gc.collect()
    lap("record")
    sys.exit(0)


files = units.document_paths([docs])
stats = state.stat_files(files)                # before anything reads them, as the build does
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
    finish(link_units, report)
dumps.write_store(store, out, *assemble.dump_parts(ctx, done, cache))
counts["quads"] = len(store)
if lap("serialize", nq_bytes=(out / "kg.nq").stat().st_size, jsonld_bytes=(out / "kg.jsonld").stat().st_size):
    finish(link_units, report)
union.load(store, out / "kg.nq")
if lap("union"):
    finish(link_units, report)
store.flush()
if lap("count", quads_with_union=len(store)):
    finish(link_units, report)
from policykg.build import publish
publish.write_all(store, out)
if lap("publish"):
    finish(link_units, report)
from policykg.export import write as export
export.export(store, out / "export", ("csv",))
if lap("export"):
    finish(link_units, report)
from policykg.store import statistics
if lap("statistics", quads=statistics.write(store)):
    finish(link_units, report)
ds = pipeline.Dataset(store, ctx.onto, done, report, {})
ds.counts = counts
pipeline.write_report(ds, out)
if lap("report"):
    finish(link_units, report, reported=True)
from policykg.query import index_file
index_file.write(store, out)
if lap("index"):
    finish(link_units, report, reported=True)
from policykg.query import stored
stored.write(store, out)
lap("answers")
finish(link_units, report, reported=True)
