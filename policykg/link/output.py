"""The links as data: the named graph `pgraph:links` (quads, streamed), CSV rows and counts."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from policykg.link.model import LINK_TYPES, Link
from policykg.link.graph import Labels
from policykg.model.namespaces import GRAPH, LINKS_GRAPH, PID, PKG, RDF, RDFS, XSD

# Terms of the links graph (docs/links.md; ontology/policykg.ttl, section "computed links").
LINK = PKG + "Link"
LINK_TYPE, LINK_FROM, LINK_TO = PKG + "linkType", PKG + "linkFrom", PKG + "linkTo"
SCORE, SHARED, MATCHED, EXPLANATION = PKG + "score", PKG + "sharedEntity", PKG + "matchedPart", PKG + "explanation"
TYPE_IRIS = {
    "continues": PKG + "LineageLink", "related": PKG + "SimilarityLink",
    "shares-sector": PKG + "SharedSectorLink", "shares-instrument": PKG + "SharedInstrumentLink",
    "shares-program": PKG + "SharedProgramLink", "shares-region": PKG + "SharedRegionLink",
    "shares-agency": PKG + "SharedAgencyLink", "shares-enterprise": PKG + "SharedEnterpriseCategoryLink",
}
_ZH_TYPES = {"continues": "延续", "related": "相关", "shares-sector": "共同行业", "shares-instrument": "共同政策工具",
             "shares-program": "共同专项工作", "shares-region": "共同地区", "shares-agency": "共同机构",
             "shares-enterprise": "共同企业类别"}
CSV_COLUMNS = ("type", "from", "from_label", "to", "to_label", "score", "shared", "matched", "explanation")


def to_quads(links: Iterable[Link], store: ox.Store | None = None) -> Iterator[ox.Quad]:
    """The links graph: one node per link, plus the plain `pkg:continues` triple of each lineage link."""
    g = ox.NamedNode(LINKS_GRAPH)
    N = ox.NamedNode
    labels = Labels(store)
    rdf_type, link_cls, link_type = N(RDF + "type"), N(LINK), N(LINK_TYPE)
    link_from, link_to, score, explanation = N(LINK_FROM), N(LINK_TO), N(SCORE), N(EXPLANATION)
    label, shared, matched, decimal = N(RDFS + "label"), N(SHARED), N(MATCHED), N(XSD + "decimal")
    for l in links:
        n = N(l.iri)
        yield from (ox.Quad(n, rdf_type, link_cls, g),
                    ox.Quad(n, link_type, N(TYPE_IRIS[l.type]), g),
                    ox.Quad(n, link_from, N(l.source), g),
                    ox.Quad(n, link_to, N(l.target), g),
                    ox.Quad(n, score, ox.Literal(f"{l.score:.3f}", datatype=decimal), g),
                    ox.Quad(n, explanation, ox.Literal(l.explanation, language="en"), g),
                    ox.Quad(n, label, ox.Literal(
                        f"{l.type}: {labels.label(l.source)} → {labels.label(l.target)}", language="en"), g),
                    ox.Quad(n, label, ox.Literal(
                        f"{_ZH_TYPES[l.type]}：{labels.label(l.source, 'zh')} → {labels.label(l.target, 'zh')}",
                        language="zh"), g))
        yield from (ox.Quad(n, shared, N(e), g) for e in l.shared_entities())
        yield from (ox.Quad(n, matched, N(a), g) for a in l.matched)
        if l.type == "continues":
            yield ox.Quad(N(l.source), N(PKG + "continues"), N(l.target), g)


def key(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


def to_csv(links: Iterable[Link], store: ox.Store) -> str:
    buf = io.StringIO()
    rows = CsvWriter(buf, store)
    for l in links:
        rows.write(l)
    return buf.getvalue()


class CsvWriter:
    """One row per link (CSV_COLUMNS) into a text stream, the header first."""

    def __init__(self, out, store: ox.Store | None):
        self.labels = Labels(store)
        self.csv = csv.writer(out, lineterminator="\n")
        self.csv.writerow(CSV_COLUMNS)

    def write(self, l: Link) -> None:
        label = self.labels.label
        self.csv.writerow([l.type, key(l.source), label(l.source), key(l.target), label(l.target),
                           f"{l.score:.3f}", " ".join(key(e) for e in l.shared_entities()),
                           " ".join(key(a) for a in l.matched), l.explanation])


def counts(links: Iterable[Link]) -> dict[str, int]:
    out = dict.fromkeys(LINK_TYPES, 0)
    for l in links:
        out[l.type] += 1
    return out


def replace_links(store: ox.Store, links: Iterable[Link], batch: int = 200_000) -> None:
    """Put the links graph into the store, replacing any earlier one (removed by `remove_links`,
    without touching the default graph). `links` may be a generator that reads the store: the
    quads go in by batches, so reading and writing never interleave."""
    remove_links(store, union=False)
    add_in_batches(store, to_quads(links, store), batch)


def add_in_batches(store: ox.Store, quads: Iterable[ox.Quad], batch: int) -> None:
    """Load `quads` into the store `batch` at a time, each batch read in full before the loader
    writes it: the quads may come from the same store (its iterators read a snapshot)."""
    quads = iter(quads)
    while chunk := list(itertools.islice(quads, batch)):
        store.bulk_extend(chunk)


REMOVE_BATCH = 20_000   # quads of the links graph removed in one transaction (see remove_links)


def remove_links(store: ox.Store, *, union: bool, batch: int = REMOVE_BATCH) -> int:
    """Remove the links graph from the store; with `union` (a store whose default graph holds the
    union of the named graphs, policykg.store.union), each of its triples also leaves the default
    graph unless another named graph states it. Returns the quads removed from the links graph.

    A store holds a transaction in memory until it commits (oxigraph's `remove_graph`,
    `clear_graph` and a SPARQL `DELETE` of the whole graph are one transaction each: 2.59 GB for
    the links of 1,000 policies). Here the links graph is read in subject order and removed
    subject by subject (IRIs, as `to_quads` writes them) in transactions of about `batch` quads (a
    subject's quads are never split: a batch holds at most `batch` quads plus those of one
    subject), with their default-graph copies in the same transaction, and the store is flushed
    after each, so that its write buffers stay bounded too. Memory: one batch."""
    g = ox.NamedNode(LINKS_GRAPH)
    if not store.contains_named_graph(g):
        return 0
    removed = 0
    for subjects, n in _subject_batches(store.quads_for_pattern(None, None, None, g), batch):
        values = " ".join(str(s) for s in subjects)
        where = f"VALUES ?s {{ {values} }} GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o }}"
        update = f"DELETE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"
        if union:                       # first the copies no other graph states, while the links still say which
            update = (f"DELETE {{ ?s ?p ?o }} WHERE {{ {where} "
                      f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != <{LINKS_GRAPH}>) }} }} ;\n" + update)
        store.update(update)
        store.flush()
        removed += n
    store.remove_graph(g)               # empty by now: only its name goes
    return removed


def _subject_batches(quads: Iterable[ox.Quad], batch: int) -> Iterator[tuple[list, int]]:
    """(subjects, their quads) of about `batch` quads at a time, from quads grouped by subject
    (a graph's quads come in subject order). The store's iterator reads a snapshot, so the
    caller may remove each batch before the next is read."""
    subjects: list = []
    n = 0
    last = None
    for q in quads:
        if q.subject != last:
            if n >= batch:
                yield subjects, n
                subjects, n = [], 0
            last = q.subject
            subjects.append(last)
        n += 1
    if subjects:
        yield subjects, n


def graphs_of(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if g.value.startswith(GRAPH))
