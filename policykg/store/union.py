"""Set semantics for the default graph: each distinct triple of the named graphs once.

oxigraph's `use_default_graph_as_union` is a bag: a triple that four sources state comes back four
times, so `COUNT(*)` and plain SELECTs disagree with RDF's union of graphs (and with rdflib). A
loaded store therefore keeps the union, as a set, in its default graph; the named graphs stay as
they are. Queries on such a store use the default graph; a store without it (the build's own
store, whose default graph is empty) is queried with the bag union as before. `options()` picks.

Cost: the default graph is indexed three ways (spo, pos, osp) against six for the named graphs'
quads, and terms are stored once, so the store grows by about 40%, not twice: measured by
`benchmarks/union.py` on 737,303 quads, 1.41× the disk and 1.46× the load time (docs/queries.md).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()


def has_union(store: ox.Store) -> bool:
    """Whether the store's default graph holds the union (any triple in it)."""
    return next(iter(store.quads_for_pattern(None, None, None, DEFAULT)), None) is not None


def fill(store: ox.Store) -> int:
    """Copy every triple of the named graphs into the default graph (once); returns the triples added."""
    before = len(store)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
                      for q in store.quads_for_pattern(None, None, None) if q.graph_name != DEFAULT)
    return len(store) - before


def load(store: ox.Store, dump: Path | str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> None:
    """Fill the default graph from a dump of the union (kg.ttl), streamed. The blank nodes keep their
    labels (`Store.bulk_load` would draw new ones at random), so the union's index order is the
    same in every build."""
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in ox.parse(path=str(dump), format=fmt))


def options(store: ox.Store) -> dict:
    """Keyword arguments of Store.query for the union of all graphs, each triple once where the store allows."""
    return {} if has_union(store) else {"use_default_graph_as_union": True}
