"""Benchmark: the whole query catalogue on the built graph, pyoxigraph vs plain rdflib, side by side.

Not a test (timings depend on the machine). Usage:

    .venv/bin/policykg build && .venv/bin/python benchmarks/queries.py [--build build] [--repeat 7]

For each named query (run with its header examples, parameters bound by each engine's own
mechanism: SEP-0007 substitutions in pyoxigraph, initBindings in rdflib) it prints the median time
on each engine and the ratio, then the cold-start time of a `policykg query` process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def median_ms(fn, repeat: int) -> float:
    fn()                                             # warm-up (and parse caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rdflib-repeat", type=int, default=3)
    args = ap.parse_args()

    import pyoxigraph as ox
    import rdflib
    from policykg.store import load as dataset
    from policykg.query import catalogue, engine as query
    from helpers_query import example_params

    nq = Path(args.build) / "kg.nq"
    t = time.perf_counter()
    st = dataset.load(args.build)
    ox_load = time.perf_counter() - t
    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(nq), format="nquads")
    rdf_load = time.perf_counter() - t
    print(f"graph: {len(st)} quads; load {ox_load * 1000:.0f} ms pyoxigraph, {rdf_load * 1000:.0f} ms rdflib\n")

    print(f"{'query':34} {'rows':>5} {'pyoxigraph ms':>14} {'rdflib ms':>11} {'ratio':>8}")
    ox_all, ratios = [], []
    for q in catalogue.catalogue().values():
        subs = query.bind(q, example_params(q), st)
        ox_ms = median_ms(lambda: list(st.query(q.text, use_default_graph_as_union=True, substitutions=subs)),
                          args.repeat)
        rows = len(query.run(q.name, store=st, **example_params(q)))
        init = {rdflib.Variable(v.value): _to_rdflib(term) for v, term in subs.items()}
        try:
            rl_ms = median_ms(lambda: list(ds.query(q.text, initBindings=init)), args.rdflib_repeat)
            ratio = rl_ms / ox_ms if ox_ms else float("inf")
            ratios.append(ratio)
            rl = f"{rl_ms:11.1f} {ratio:7.0f}×"
        except Exception as e:                     # rdflib lacks some SPARQL 1.1 corners
            rl = f"{'error':>11} {'':>8}  ({type(e).__name__}: {str(e)[:40]})"
        ox_all.append(ox_ms)
        print(f"{q.name:34} {rows:5d} {ox_ms:14.2f} {rl}")
    print(f"\npyoxigraph: max median {max(ox_all):.2f} ms, {sum(m < 20 for m in ox_all)}/{len(ox_all)} under 20 ms")
    if ratios:
        print(f"rdflib / pyoxigraph: median ratio {statistics.median(ratios):.0f}×, min {min(ratios):.0f}×, "
              f"max {max(ratios):.0f}×")

    cmd = [str(Path(sys.executable).parent / "policykg"), "query", "document-issuers", "--param",
           "doc=doc/miit-2022-160", "--build", args.build, "--format", "csv"]
    colds = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        colds.append(time.perf_counter() - t)
    print(f"cold 'policykg query document-issuers' process: median {statistics.median(colds) * 1000:.0f} ms "
          f"(min {min(colds) * 1000:.0f}, max {max(colds) * 1000:.0f})")
    return 0


def _to_rdflib(term):
    import pyoxigraph as ox
    import rdflib
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


if __name__ == "__main__":
    raise SystemExit(main())
