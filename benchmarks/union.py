"""Benchmark: the cost of a set-semantics default graph (the union of all graphs, each triple once).

Not a test (sizes and times depend on the machine). Usage:

    .venv/bin/policykg build && nice .venv/bin/python benchmarks/union.py [--copies 40]

It makes a larger dataset from the build by repeating kg.nq COPIES times with the graph names and
the `/id/` resources renamed per copy (the ontology and vocabularies stay shared, as in a real
corpus), then loads it into on-disk pyoxigraph stores twice, as named graphs only (the baseline)
and with the union dump (the set of triples) loaded into the default graph, and prints for each: quads, load seconds, store
size on disk, and the median time of `COUNT(*)` over the default graph (bag union vs set).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ID = "https://w3id.org/policykg/id/"
GRAPH = "https://w3id.org/policykg/graph/"
SHARED = ("ontology", "vocabulary")


def renamed(term, i: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID) and not term.value.startswith(
            (ID + "sector/", ID + "instrument/", ID + "region/", ID + "agency/", ID + "enterprise/")):
        return ox.NamedNode(f"{term.value}/c{i}")
    return term


def scaled(nq: Path, copies: int, out: Path) -> int:
    quads = list(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    result = []
    for q in quads:
        if q.graph_name.value.removeprefix(GRAPH) in SHARED:
            result.append(q)
    for i in range(copies):
        for q in quads:
            g = q.graph_name.value
            if g.removeprefix(GRAPH) in SHARED:
                continue
            result.append(ox.Quad(renamed(q.subject, i), q.predicate, renamed(q.object, i),
                                  ox.NamedNode(f"{g}/c{i}")))
    out.write_bytes(ox.serialize(result, format=ox.RdfFormat.N_QUADS))
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in result}
    out.with_suffix(".nt").write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return len(result)


def du_kb(path: Path) -> int:
    return int(subprocess.check_output(["du", "-sk", str(path)]).split()[0])


def median_s(fn, repeat=5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--copies", type=int, default=40)
    args = ap.parse_args()
    from policykg.store import union
    tmp = Path(tempfile.mkdtemp(prefix="policykg-union-"))
    nq = tmp / "scaled.nq"
    n = scaled(Path(args.build) / "kg.nq", args.copies, nq)
    print(f"dataset: {n} quads ({args.copies} copies of the build's sources)")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    base = None
    for name in ("named graphs only (bag union)", "with the union in the default graph (set)"):
        loc = tmp / ("a" if base is None else "b")
        t = time.perf_counter()
        st = ox.Store(str(loc))
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        if base is not None:               # as policykg.store.load does with the build's union dump
            st.bulk_load(path=str(nq.with_suffix(".nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=union.DEFAULT)
        st.optimize()
        st.flush()
        load_s = time.perf_counter() - t
        size = du_kb(loc)
        opts = union.options(st)
        rows = int(next(iter(st.query(count, **opts)))[0].value)
        q_s = median_s(lambda: list(st.query(count, **opts)))
        print(f"{name:44} quads {len(st):>9}  load {load_s:6.1f} s  disk {size / 1024:7.1f} MB  "
              f"COUNT(*) = {rows} in {q_s * 1000:.0f} ms")
        if base is None:
            base = (load_s, size)
        else:
            print(f"ratio with/without: load {load_s / base[0]:.2f}×, disk {size / base[1]:.2f}×")
        del st
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
