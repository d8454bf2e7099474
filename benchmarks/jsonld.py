"""Benchmark: kg.jsonld of a built corpus, as the build writes it now and as it was written before,
in the same run (not a test: times depend on the machine).

    nice .venv/bin/python benchmarks/jsonld.py BUILD OUT [--documents DIR]

BUILD is a finished build (with links); it is only read: its store and its units' source graphs
are copied into the new folder OUT. Printed as JSON lines:
- `fragments`: the per-source stage's extra work, `jsonld.fragment` of every unit's quads (the
  parse of its cached N-Quads, which the stage does not do, is timed apart); each line has the
  wall time and the CPU time (of this process and its finished children: the fairer figure on a
  shared machine);
- `dumps`: `dumps.write_store` as the build calls it (kg.nq, kg.trig, kg.ttl and kg.jsonld), with
  the part of it that writes kg.jsonld, and the files' sizes;
- `before`: kg.jsonld as it was written before, streamed node by node from the union in the
  store's default graph (every term read back from the store), and its size;
- with `--documents`: `per-source`, the per-source stage on those encodings (with the fragments,
  forked over the cores: its CPU time counts the workers), then `fragments-again`, the fragments'
  share of it made anew.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import time
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from policykg.build import assemble, distributed, units
from policykg.store import dumps, jsonld


_cpu = [0.0]


def cpu() -> float:
    """CPU seconds of this process and its finished children (a fairer clock on a shared machine)."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def say(stage: str, seconds: float, **extra) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    now = cpu()
    print(json.dumps({"stage": stage, "s": round(seconds, 1), "cpu_s": round(now - _cpu[0], 1), "peak_rss_mb": rss,
                      **extra}), flush=True)
    _cpu[0] = now


def fragment_times(cache: units.Cache, done: list[units.Unit]) -> tuple[float, float]:
    """(CPU seconds parsing the units' N-Quads, CPU seconds making their fragments), fragments written."""
    parse = frag = 0.0
    for u in done:
        t = time.process_time()
        quads = list(ox.parse(path=str(cache.quads_path(u.digest)), format=ox.RdfFormat.N_QUADS))
        t1 = time.process_time()
        text = jsonld.fragment(quads)
        t2 = time.process_time()
        cache.jsonld_path(u.digest).write_text(text, encoding="utf-8")
        parse, frag = parse + t1 - t, frag + t2 - t1
    return parse, frag


def before(store: ox.Store, path: Path) -> int:
    """kg.jsonld as written before: the union's nodes from the store's default graph."""
    head = json.dumps({**jsonld.context(), "@graph": []}, ensure_ascii=False, indent=1)
    cut = head.rindex("[]")
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for subject, run in groupby(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), key=lambda q: q.subject):
            props: dict = {}
            for q in run:
                props.setdefault(q.predicate.value, []).append(q.object)
            fh.write((head[:cut + 1] + "\n  ") if n == 0 else ",\n  ")
            fh.write(jsonld._node_json(subject, props, "  "))
            n += 1
        fh.write("\n " + head[cut + 1:] + "\n")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--documents", help="also time the per-source stage on these encodings")
    args = ap.parse_args()
    _cpu[0] = cpu()
    build, out = Path(args.build), Path(args.out)
    if out.exists():
        raise SystemExit(f"{out} exists: give a new folder")
    out.mkdir(parents=True)
    t = time.perf_counter()
    shutil.copytree(build / "store", out / "store")
    cache = units.Cache(out / "cache" / "units")
    done = []
    for f in sorted((build / "cache" / "units").glob("*.unit")):
        with open(f, "rb") as fh:
            u = pickle.load(fh)
        if u.graph:                 # the source's graph only (a cache of an older format held its inferred quads too)
            quads = ox.parse(path=str(f.with_suffix(".nq")), format=ox.RdfFormat.N_QUADS)
            with open(cache.quads_path(u.digest), "wb") as fh:
                ox.serialize((q for q in quads if q.graph_name.value == u.graph), fh, ox.RdfFormat.N_QUADS)
            done.append(u)
    done.sort(key=lambda u: u.path)
    ctx = units.Context.get()
    say("copy", time.perf_counter() - t, units=len(done))

    t = time.perf_counter()
    parse, frag = fragment_times(cache, done)
    say("fragments", time.perf_counter() - t, parse_cpu_s=round(parse, 1), fragment_cpu_s=round(frag, 1),
        fragment_bytes=sum(cache.jsonld_path(u.digest).stat().st_size for u in done))

    store = ox.Store(str(out / "store"))
    spent = []
    write_dataset = jsonld.write_dataset

    def timed(*a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return write_dataset(*a, **k)
        finally:
            spent.append((time.perf_counter() - t0, time.process_time() - c0))

    jsonld.write_dataset = timed
    t = time.perf_counter()
    dumps.write_store(store, out, *assemble.dump_parts(ctx, done, cache))
    say("dumps", time.perf_counter() - t, jsonld_s=round(spent[0][0], 1), jsonld_cpu_s=round(spent[0][1], 1),
        **{f"{n}_bytes": (out / n).stat().st_size for n in ("kg.nq", "kg.trig", "kg.ttl", "kg.jsonld")})
    jsonld.write_dataset = write_dataset

    t = time.perf_counter()
    nodes = before(store, out / "kg-before.jsonld")
    say("before", time.perf_counter() - t, nodes=nodes, bytes=(out / "kg-before.jsonld").stat().st_size)

    if args.documents:
        files = units.document_paths([Path(args.documents)])
        fresh = units.Cache(out / "cache" / "fresh")
        t = time.perf_counter()
        compiled = distributed.compile_units(files, ctx.digest, fresh.folder, None)
        stage = time.perf_counter() - t
        say("per-source", stage, files=len(files))
        parse, frag = fragment_times(fresh, [u for u in compiled if u.graph])
        say("fragments-again", time.perf_counter() - t - stage, fragment_cpu_s=round(frag, 1))


if __name__ == "__main__":
    main()
