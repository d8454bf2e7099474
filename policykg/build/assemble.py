"""The global stage of the build: load the units into the on-disk store and finish the reasoning.

Each unit brings its source's graph and what the rules derive from that source alone. Two things
need every unit at once, and only they are done here:
- a fact one source derives may be stated by another: it is then asserted, not inferred, so it
  leaves the inferred graph (checked only for entities that several sources mention);
- rules that join two triples (transitive properties, property chains) can combine facts of two
  sources through an entity both use: the SPARQL rules run again on just those triples, until
  nothing new appears.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from policykg.build.units import Cache, Context, Unit
from policykg.model import reason
from policykg.model.namespaces import INFERRED_GRAPH

INFERRED = ox.NamedNode(INFERRED_GRAPH)
DEFAULT = ox.DefaultGraph()


class _Concat(io.RawIOBase):
    """The bytes of several files, one after the other, as one readable stream (for bulk loading)."""

    def __init__(self, files):
        self.files, self.current = iter(files), None

    def readable(self):
        return True

    def readinto(self, buf):
        while True:
            if self.current is None:
                nxt = next(self.files, None)
                if nxt is None:
                    return 0
                self.current = open(nxt, "rb")
            n = self.current.readinto(buf)
            if n:
                return n
            self.current.close()
            self.current = None


def load(store: ox.Store, ctx: Context, units: list[Unit], cache: Cache) -> None:
    """Bulk-load the ontology, vocabularies, their closure and every unit into `store`."""
    store.bulk_extend(ctx.base_quads)
    stream = io.BufferedReader(_Concat(f for u in units for f in cache.paths(u.digest)), buffer_size=1 << 20)
    store.bulk_load(stream, format=ox.RdfFormat.N_QUADS)


def _asserted_elsewhere(store: ox.Store, q: ox.Quad) -> bool:
    return any(x.graph_name != INFERRED for x in store.quads_for_pattern(q.subject, q.predicate, q.object))


def drop_asserted(store: ox.Store, units: list[Unit], cache: Cache) -> int:
    """Remove from the inferred graph what one source derives and another states."""
    counts = Counter(n for u in units for n in u.nodes)
    multi = {n for n, c in counts.items() if c > 1}
    removed = 0
    for u in units:
        if not multi.intersection(u.nodes):
            continue
        for q in ox.parse(path=str(cache.inferred_path(u.digest)), format=ox.RdfFormat.N_QUADS):
            if q.subject.value in multi and _asserted_elsewhere(store, q):
                store.remove(q)
                removed += 1
    return removed


def global_pass(store: ox.Store, ctx: Context, units: list[Unit]) -> int:
    """Entailments that join facts of two sources; returns how many were added."""
    counts = Counter(n for u in units for n in u.join_nodes)
    return len(close(store, ctx, {n for n, c in counts.items() if c > 1}))


def close(store: ox.Store, ctx: Context, shared: set[str], hubs: frozenset[str] = frozenset()) -> list[ox.Quad]:
    """Run the rules on the join-property triples of the `shared` entities (of the named graphs),
    add what they derive that the store lacks, and go on from the entities that gained a triple
    until nothing new appears; returns the quads added. Of the entities in `hubs` only the triples
    they are the subject of are read: the rules chain two triples through a node that ends the one
    and starts the other, so the many triples that end at a vocabulary term (every measure that
    targets a sector) cannot join with a new one there."""
    shared, added = set(shared), []
    while shared:
        work = ox.Store()
        work.bulk_extend(ctx.base_quads)
        for x in shared:
            node = ox.NamedNode(x)
            for p in ctx.joins:
                work.extend(q for q in store.quads_for_pattern(node, p, None) if q.graph_name != DEFAULT)
                if x not in hubs:
                    work.extend(q for q in store.quads_for_pattern(None, p, node) if q.graph_name != DEFAULT)
        before = set(work.quads_for_pattern(None, None, None, INFERRED))
        reason.materialize(work)
        new = [q for q in work.quads_for_pattern(None, None, None, INFERRED)
               if q not in before and not any(True for _ in store.quads_for_pattern(q.subject, q.predicate, q.object))]
        if not new:
            break
        store.extend(new)
        added += new
        grown = {t.value for q in new if q.predicate in ctx.joins
                 for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)} - shared
        if not grown:
            break
        shared |= grown
    return added


def build_store(folder: Path, ctx: Context, units: list[Unit], cache: Cache) -> tuple[ox.Store, dict]:
    """A new on-disk store in `folder` with the whole dataset before links; returns it and counts."""
    store = ox.Store(str(folder))
    load(store, ctx, units, cache)
    dropped = drop_asserted(store, units, cache)
    added = global_pass(store, ctx, units)
    return store, {"inferred_stated_elsewhere": dropped, "inferred_across_sources": added}


def dump_parts(ctx: Context, units: list[Unit], cache: Cache) -> tuple[list, set[str]]:
    """What the dumps copy as it is (`policykg.store.dumps.write_store`): the ontology and
    vocabulary graphs, and each source's graph from its cached N-Quads and JSON-LD fragment (the
    inferred and links graphs are merged in the store)."""
    base = sorted((q for q in ctx.base_quads if q.graph_name != INFERRED), key=str)   # a fixed order
    covered = {q.graph_name.value for q in base} | {u.graph for u in units}
    return ([ox.serialize(base, format=ox.RdfFormat.N_QUADS)]
            + [(cache.quads_path(u.digest), cache.jsonld_path(u.digest)) for u in units]), covered
