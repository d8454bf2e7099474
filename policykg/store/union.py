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

import io
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()


def has_union(store: ox.Store) -> bool:
    """Whether the store's default graph holds the union (any triple in it)."""
    return next(iter(store.quads_for_pattern(None, None, None, DEFAULT)), None) is not None


class Reader:
    """Triples of the union of the graphs: the default graph where it holds the union, else every
    named graph but `skip` (one the union leaves out; a triple may then come back once per graph)."""

    def __init__(self, store: ox.Store, skip: ox.NamedNode | None = None):
        self.store, self.skip = store, skip
        self.graph = DEFAULT if has_union(store) else None

    def __call__(self, s=None, p=None, o=None):
        if self.graph is None:
            return (q for q in self.store.quads_for_pattern(s, p, o) if q.graph_name != self.skip)
        return self.store.quads_for_pattern(s, p, o, self.graph)

    def subjects(self, p, o) -> set:
        return {q.subject for q in self(None, p, o)}

    def triples(self, s=None, p=None, o=None) -> set:
        """The distinct (subject, predicate, object) of the pattern."""
        return {(q.subject, q.predicate, q.object) for q in self(s, p, o)}

    def has(self, s, p, o) -> bool:
        return next(iter(self(s, p, o)), None) is not None


def fill(store: ox.Store) -> int:
    """Copy every triple of the named graphs into the default graph (once); returns the triples added."""
    before = len(store)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
                      for q in store.quads_for_pattern(None, None, None) if q.graph_name != DEFAULT)
    return len(store) - before


def load(store: ox.Store, nquads: Path | str) -> None:
    """Fill the default graph from an N-Quads dump of the named graphs (the build's kg.nq).

    The lines go through the bulk loader as an N-Triples stream (each line's graph name cut off,
    `_Triples`), so no quad is made in Python. The bulk loader gives blank nodes new random labels,
    so the lines with a blank node (the ontology's and vocabularies' axioms; any line holding `_:`,
    which may also be text in a literal) are set apart and added through Python with the labels
    they have: the union's blank nodes are those of the named graphs and its index order is the
    same in every build. Memory: one block of lines; the set-apart lines go to a temporary file."""
    with open(nquads, "rb") as f, tempfile.TemporaryFile() as blanks:
        store.bulk_load(_Triples(f, blanks), format=ox.RdfFormat.N_TRIPLES, to_graph=DEFAULT, lenient=True)
        blanks.seek(0)
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
                          for q in ox.parse(blanks, format=ox.RdfFormat.N_QUADS))


_GRAPH = re.compile(rb' <[^<>"\s]*> \.$', re.M)   # the graph name that ends an N-Quads line
_BLOCK = 1 << 22


class _Triples(io.RawIOBase):
    """N-Quads, every line in a named graph (as kg.nq is written), read as N-Triples: the graph name
    of each line is cut off by a regular expression over a block of lines at a time. The lines
    holding `_:` are written to `blanks` instead. A line without a graph name loses its object
    and fails to parse: it is never taken for another triple."""

    def __init__(self, src: BinaryIO, blanks: BinaryIO):
        self.src, self.blanks, self.buf, self.rest = src, blanks, memoryview(b""), b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self.buf:
            chunk = self.src.read(_BLOCK)
            block = self.rest + chunk
            if not block:
                return 0
            cut = block.rfind(b"\n") + 1 if chunk else len(block)    # whole lines; the last one at the end
            block, self.rest = block[:cut], block[cut:]
            if b"_:" in block:
                lines = block.splitlines(keepends=True)
                self.blanks.writelines(x for x in lines if b"_:" in x)
                block = b"".join(x for x in lines if b"_:" not in x)
            self.buf = memoryview(_GRAPH.sub(b" .", block))
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def options(store: ox.Store) -> dict:
    """Keyword arguments of Store.query for the union of all graphs, each triple once where the store allows."""
    return {} if has_union(store) else {"use_default_graph_as_union": True}
