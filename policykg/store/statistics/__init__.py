"""The statistics graph (`pgraph:statistics`): counts that catalogue queries would otherwise
aggregate over every claim at query time, computed once per build (docs/queries.md, "The
statistics graph").

Every number is a count over the union of the other graphs, and each node says what it counts:
- `pkg:FactStatistics`, one per distinct claimed triple (subject, property, value; type
  declarations left out) that an accepted claim (`pkg:claimStatus pkg:Accepted`, typed
  `pkg:Claim`) states: `pkg:sourceCount` = the distinct `pkg:statedIn` of those claims;
  `pkg:soleSource` (when there is one source) or `pkg:sourceList` (when several: their keys,
  sorted, `; `-joined); `pkg:anyInferred` = whether one of those claims is `pkg:inferred true`;
- `pkg:SourceStatistics`, one per source that states a claim with a status: the claims
  (`pkg:claimCount`), the accepted and contradicted ones, the inferred ones, and the distinct
  `pkg:evidence` of them (`pkg:passageCount`);
- `pkg:SourcePairStatistics`, one per pair of sources (ordered by IRI) that state a same triple
  (any claim, type declarations left out: `pkg:sharedFactCount`) or of which one states a claim
  the other contradicts (`pkg:contradictedBy`: `pkg:contradictionCount`); pairs with neither
  have no node;
- `pkg:TermStatistics`, one per policy instrument and sector: the measures, actions and policy
  documents that use (`pkg:usesInstrument`; documents also `pkg:coversInstrument`) or target
  (`pkg:targetsSector`; documents also `pkg:coversSector`) it, and the sources of claims whose
  value it is (`pkg:sourceCount`); for a top-level instrument (no `skos:broader`), also the
  instruments at or below it (`pkg:instrumentCount`) and the measures that use any of them
  (`pkg:familyMeasureCount`, `pkg:measureList`);
- `pkg:InstrumentSectorStatistics`, one per instrument and sector that meet in a measure or an
  action: how many measures and actions (`pkg:measureCount`, `pkg:actionCount`).

The modules, one a concept: `graph` (the graph's terms, node IRIs and the union it reads),
`claims` (reading the claims: by bulk queries for a build, by a lookup per claim for an add and as
the baseline), `sources` (the fact and source nodes), `pairs` (the pair nodes), `usage` (the
instrument and sector nodes), `usage_delta` (those nodes moved by what an add changed); this
module writes the graph (`stream`, `compute`, `write`, `clear`) and updates it after an add
(`update`): each cost is in its module's docstring. Adding documents (policykg.build.incremental)
recomputes only the nodes the new quads can change (`update`): the fact, source and pair nodes
from their own statements, the instrument and sector nodes by the difference the add makes.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Iterator

import pyoxigraph as ox

from policykg.model.namespaces import STATISTICS_GRAPH
from policykg.store.statistics import (
    claims as _claims, pairs as _pairs, sources as _sources, usage as _usage, usage_delta as _usage_delta)
from policykg.store.statistics.graph import (
    ACTION, CLAIM, CONTRADICTED_BY, COVERS_I, COVERS_S, DOCUMENT, G, MEASURE, OBJ, STATED_IN, SUBJ, TARGETS_S, TYPE,
    USES_I, Reader)

LOAD_BATCH = 100_000              # statistics quads per bulk load (`write`)


def stream(store: ox.Store, by_claim: bool = False) -> Iterator[ox.Quad]:
    """The statistics graph's quads for the whole store (read from the union of its other graphs),
    one at a time. Everything is read from the store before the first quad comes out, so that a
    writer may load them into the same store as they come (`write`). Memory: the counts (one entry
    per distinct claimed triple, source, pair, instrument and sector), not the quads (8 per claimed
    triple). `by_claim`: read each claim's statements by one lookup per claim, as `update` does for
    the claims an add touches, instead of the bulk queries (the same quads; slower: a check and a
    baseline for tests and benchmarks)."""
    read = Reader(store)
    if by_claim:
        claims = _claims.Claims()
        for c, triples, typed in _claims.claim_nodes(read):
            claims.add(c, triples, typed)
        facts, shared, sources, contra, mentioned = claims.facts, claims.shared, claims.counts(), claims.contra, None
    else:
        facts, shared, sources, contra, mentioned = _claims.bulk(store)
    pairs = _pairs.count(shared, contra)
    del shared, contra
    terms = list(_usage.term_quads(read, mentioned=mentioned)) + list(_usage.matrix_quads(read))
    yield from _sources.fact_quads(facts)
    yield from _sources.source_quads(sources)
    yield from _pairs.pair_quads(pairs)
    yield from terms


def compute(store: ox.Store, by_claim: bool = False) -> list[ox.Quad]:
    """The statistics graph's quads for the whole store, as a list (`stream`)."""
    return list(stream(store, by_claim))


def clear(store: ox.Store) -> int:
    """Remove the statistics graph; returns the quads removed."""
    n = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{STATISTICS_GRAPH}> {{ ?s ?p ?o }} }}")))[0].value)
    if n:
        store.clear_graph(G)
    return n


def write(store: ox.Store) -> int:
    """Replace the statistics graph of `store` with a fresh one; returns its quads. The quads are
    loaded as they come, `LOAD_BATCH` at a time, each batch by the bulk loader: one bulk load of
    the whole stream held 461 MB more at 1,000 policies (816,711 quads), batches of 100,000 178 MB,
    in about the same time (docs/scale.md)."""
    clear(store)
    return load(store, stream(store))


def load(store: ox.Store, quads: Iterable[ox.Quad]) -> int:
    """Bulk-load `quads` into `store`, `LOAD_BATCH` at a time; returns how many."""
    count, quads = 0, iter(quads)
    while batch := list(itertools.islice(quads, LOAD_BATCH)):
        store.bulk_extend(batch)
        count += len(batch)
    return count


def _remove_nodes(store: ox.Store, nodes: Iterable) -> list[ox.Quad]:
    gone = [q for n in set(nodes) for q in store.quads_for_pattern(n, None, None, G)]
    for q in gone:
        store.remove(q)
    return gone


def update(store: ox.Store, new: list[ox.Quad], before: ox.Store | None = None) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """After documents are added (`new`: their quads and what the reasoning added), recompute the
    nodes that the new quads can change: of the claimed triples about the subjects of the new claims
    and about what the new claims' sources state, of those sources and the pairs with one of them,
    of the instruments and sectors the new quads name (and their families), and of the
    instrument-sector pairs of the new measures and actions; the others count statements that did
    not change (an add only adds to the union). With `before` (the earlier build's store, as it was),
    the instrument and sector nodes are moved by what changed (`usage_delta`) instead of recounted,
    so that their cost is bounded by the add, not by how many items name those terms. Returns
    (quads added, quads removed)."""
    read = Reader(store)
    sources = {q.object for q in new if q.predicate == STATED_IN}
    subjects = {q.object for q in new if q.predicate == SUBJ}
    subjects |= {t.object for src in sources for q in read(None, STATED_IN, src)
                 for t in read(q.subject, SUBJ, None)}     # all that a source states: its pairs
    claims, seen = _claims.Claims(), set()
    for c, triples, typed in _claims.claim_nodes(read, subjects):
        seen.add(c)
        claims.add(c, triples, typed)
    for src in sources:      # the sources' claims without a subject, and claims that contradict them
        for q in list(read(None, STATED_IN, src)) + list(read(None, CONTRADICTED_BY, src)):
            if q.subject not in seen:
                seen.add(q.subject)
                triples = list(read(q.subject, None, None))
                claims.add(q.subject, triples, any(t.predicate == TYPE and t.object == CLAIM for t in triples),
                           facts=False)
    added = list(_sources.fact_quads(claims.facts)) + list(_sources.source_quads(claims.counts(), sources))
    added += list(_pairs.pair_quads(_pairs.count(claims.shared, claims.contra, sources)))
    usage = _usage_delta.moved(store, before, new) if before is not None else None
    added += usage if usage is not None else _recount_usage(read, new)
    removed = _remove_nodes(store, {q.subject for q in added})
    store.extend(added)
    return added, removed


def _recount_usage(read: Reader, new: list[ox.Quad]) -> list[ox.Quad]:
    """The instrument and sector nodes that the `new` quads can change, each counted anew over
    every item that names its term (`usage`)."""
    props = (USES_I, COVERS_I, TARGETS_S, COVERS_S)
    items = {q.subject for q in new if q.predicate in props
             or q.predicate == TYPE and q.object in (MEASURE, ACTION, DOCUMENT)}
    terms = {q.object for q in new if q.predicate in props or q.predicate == OBJ}
    terms |= {q.object for x in items for p in props for q in read(x, p, None)}
    return list(_usage.term_quads(read, terms)) + list(_usage.matrix_quads(read, items))
