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

Cost: the claims are read by four SPARQL queries over the whole store (`_bulk`: the claimed
triples with their sources and two flags, one row per claim; the five counts of each source,
aggregated in the store; the contradicting claims; the sources of the claims whose value is an
instrument or a sector). The store joins each claim's statements by index lookups (about six a
claim) and returns only the terms the counts need, about 4 a claim, where reading each claim's
statements back one claim at a time (`compute(by_claim=True)`, which `update` still uses for the
few claims an add touches) decoded 27, each a read of the store's dictionary once the store
outgrows its caches. Measured at 1,000 synthetic policies (137,843 claims, 816,711 statistics
quads; benchmarks/statistics_graph.py, docs/scale.md "The statistics graph at 1,000 policies"):
27 s against 59 s in one run; at 100 policies, where the store sits in its caches, the lookups
cost more than the decodes they save (2.5 s against 1.4 s). Not taken: hash joins in the store (a
sub-query per property), 1.8 times as fast on the claim queries but holding a table entry per
claim and property (150-280 MB more at 1,000 policies); counting in the per-source stage and
summing the units' counts, which would still merge every unit's claimed triples (a fact's sources
span units), would have to follow what the global stage and an add change after the units, and
would be a second implementation to keep equal to this one. Then one pass over the instrument and
sector statements. The memory is one entry per distinct claimed triple (its sources: 112,835 at
1,000 policies, where the process peaked at 672 MB with the store's caches and the quads) plus one
per source and per instrument or sector. The pair counts grow with the square of the sources that
state one triple (a triple that k sources state adds k(k-1)/2 pair counts). Adding documents
(policykg.build.incremental) recomputes only the nodes the new quads can change (`update`), each
from its own statements.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox

from policykg.model.namespaces import PID, PKG, RDF, SKOS, STATISTICS_GRAPH, XSD
from policykg.store import union

G = ox.NamedNode(STATISTICS_GRAPH)
DEFAULT = ox.DefaultGraph()


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(PKG + local)


TYPE, SUBJ, PRED, OBJ = (ox.NamedNode(RDF + x) for x in ("type", "subject", "predicate", "object"))
CLAIM, ACCEPTED, CONTRADICTED = _n("Claim"), _n("Accepted"), _n("Contradicted")
STATUS, STATED_IN, INFERRED, EVIDENCE, CONTRADICTED_BY = (_n(x) for x in (
    "claimStatus", "statedIn", "inferred", "evidence", "contradictedBy"))
MEASURE, ACTION, DOCUMENT, INSTRUMENT, SECTOR = (_n(x) for x in (
    "Measure", "PolicyAction", "PolicyDocument", "PolicyInstrument", "Sector"))
USES_I, COVERS_I, TARGETS_S, COVERS_S = (_n(x) for x in (
    "usesInstrument", "coversInstrument", "targetsSector", "coversSector"))
BROADER = ox.NamedNode(SKOS + "broader")
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))
FACT_STATISTICS, STAT_SUBJECT, STAT_PREDICATE, STAT_OBJECT, SOURCE_COUNT, ANY_INFERRED, SOLE_SOURCE, SOURCE_LIST = (
    _n(x) for x in ("FactStatistics", "statSubject", "statPredicate", "statObject", "sourceCount", "anyInferred",
                    "soleSource", "sourceList"))


@lru_cache(maxsize=4096)
def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _node(kind: str, *terms) -> ox.NamedNode:
    digest = hashlib.sha1("\n".join(str(t) for t in terms).encode("utf-8")).hexdigest()[:20]
    return ox.NamedNode(f"{PID}statistics/{kind}/{digest}")


def key(src: ox.NamedNode) -> str:
    """A source as the catalogue prints it: its key under pid:, else its whole IRI."""
    return src.value[len(PID):] if src.value.startswith(PID) else src.value


class _Reader:
    """Triples of the union of the graphs: the default graph where it holds the union
    (policykg.store.union), else every graph (then a triple may come back once per graph)."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.graph = DEFAULT if union.has_union(store) else None

    def __call__(self, s=None, p=None, o=None):
        if self.graph is None:
            return (q for q in self.store.quads_for_pattern(s, p, o) if q.graph_name != G)
        return self.store.quads_for_pattern(s, p, o, self.graph)

    def subjects(self, p, o) -> set:
        return {q.subject for q in self(None, p, o)}


# ---------------------------------------------------------------- claims: facts, sources, pairs

class _Claims:
    """What the claim nodes add up to (the sums behind the fact, source and pair nodes)."""

    def __init__(self):
        self.facts = defaultdict(lambda: [set(), False])   # (s, p, o) -> [accepted sources, any inferred]
        self.shared = defaultdict(set)                     # (s, p, o) -> sources of any claim
        self.sources = defaultdict(lambda: [set(), set(), set(), set(), set()])   # claims, acc, con, inf, ev
        self.contra = defaultdict(set)                     # (a, b) -> claims of one the other contradicts

    def counts(self) -> dict:
        """source -> its five counts (claims, accepted, contradicted, inferred, passages)."""
        return {src: tuple(len(x) for x in sets) for src, sets in self.sources.items()}

    def add(self, c, triples: list[ox.Quad], typed_claim: bool, facts: bool = True) -> None:
        by = defaultdict(set)
        for q in triples:
            by[q.predicate].add(q.object)
        srcs, s, p, o = by[STATED_IN], by[SUBJ], by[PRED], by[OBJ]
        statuses = by[STATUS]
        inferred = TRUE in by[INFERRED]
        if typed_claim and statuses:
            for src in srcs:
                row = self.sources[src]
                row[0].add(c)
                if ACCEPTED in statuses:
                    row[1].add(c)
                if CONTRADICTED in statuses:
                    row[2].add(c)
                if inferred:
                    row[3].add(c)
                row[4].update(by[EVIDENCE])
        for fact in ((x, y, z) for x in s for y in p for z in o if y != TYPE and facts):
            self.shared[fact].update(srcs)
            if typed_claim and ACCEPTED in statuses and srcs:
                row = self.facts[fact]
                row[0].update(srcs)
                row[1] = row[1] or inferred
        for a in srcs:
            for b in by[CONTRADICTED_BY]:
                if a.value != b.value:
                    self.contra[tuple(sorted((a, b), key=lambda t: t.value))].add(c)


def _claim_nodes(read: _Reader, subjects: Iterable | None = None) -> Iterable:
    """(claim, its triples, whether it is typed pkg:Claim) for every node with rdf:subject, and every
    pkg:Claim without one; only those about `subjects` when given."""
    seen = set()
    heads = (q.subject for q in read(None, SUBJ, None)) if subjects is None else \
        (q.subject for s in subjects for q in read(None, SUBJ, s))
    for c in heads:
        if c in seen:
            continue
        seen.add(c)
        triples = list(read(c, None, None))
        yield c, triples, any(q.predicate == TYPE and q.object == CLAIM for q in triples)
    if subjects is None:
        for q in read(None, TYPE, CLAIM):
            if q.subject not in seen:
                yield q.subject, list(read(q.subject, None, None)), True


# The claims of the whole store, read by four SPARQL queries that join the claims' statements in the
# store and return only the terms the counts need (the module's docstring, "Cost").
_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX pkg: <{PKG}>\n"
_HEAD = "(EXISTS { ?c rdf:subject ?head } || EXISTS { ?c a pkg:Claim })"    # what _claim_nodes yields
_FACTS = _PREFIXES + """SELECT ?s ?p ?o ?src ?accepted ?inferred WHERE {
  ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:statedIn ?src .
  FILTER(!sameTerm(?p, rdf:type))
  BIND(EXISTS { ?c a pkg:Claim ; pkg:claimStatus pkg:Accepted } AS ?accepted)
  BIND(EXISTS { ?c pkg:inferred true } AS ?inferred)
}"""
_SOURCES = _PREFIXES + """SELECT ?src (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?acc) AS ?accepted)
    (COUNT(DISTINCT ?con) AS ?contradicted) (COUNT(DISTINCT ?inf) AS ?inferred) (COUNT(DISTINCT ?ev) AS ?passages) WHERE {
  ?c a pkg:Claim ; pkg:statedIn ?src .
  FILTER EXISTS { ?c pkg:claimStatus ?status }
  OPTIONAL { ?c pkg:claimStatus pkg:Accepted BIND(?c AS ?acc) }
  OPTIONAL { ?c pkg:claimStatus pkg:Contradicted BIND(?c AS ?con) }
  OPTIONAL { ?c pkg:inferred true BIND(?c AS ?inf) }
  OPTIONAL { ?c pkg:evidence ?ev }
} GROUP BY ?src"""
_CONTRA = _PREFIXES + f"""SELECT ?c ?a ?b WHERE {{
  ?c pkg:contradictedBy ?b ; pkg:statedIn ?a . FILTER(STR(?a) != STR(?b) && {_HEAD})
}}"""
_MENTIONED = _PREFIXES + """SELECT DISTINCT ?t ?src WHERE {
  VALUES ?kind { pkg:PolicyInstrument pkg:Sector } ?t a ?kind . ?c rdf:object ?t ; pkg:statedIn ?src .
}"""


def _bulk(store: ox.Store) -> tuple[dict, dict, dict, dict, dict]:
    """What the claims of the whole store add up to, as `_Claims` and `_term_quads` count it: (facts:
    (s, p, o) -> [accepted sources, any inferred], shared: (s, p, o) -> sources of any claim,
    sources: source -> its five counts, contra: (a, b) -> claims, mentioned: term -> sources)."""
    if union.has_union(store):
        options = {}
    else:                                     # every graph but this one (a triple may come twice: sets)
        options = {"default_graph": [g for g in store.named_graphs() if g != G] or [DEFAULT]}

    def rows(text):
        return store.query(text, **options)

    facts, shared = {}, defaultdict(set)
    for s, p, o, src, accepted, inferred in rows(_FACTS):
        fact = (s, p, o)
        shared[fact].add(src)
        if accepted.value == "true":
            row = facts.get(fact)
            if row is None:
                facts[fact] = row = [set(), False]
            row[0].add(src)
            row[1] = row[1] or inferred.value == "true"
    sources = {r[0]: tuple(int(x.value) for x in list(r)[1:]) for r in rows(_SOURCES)}
    contra = defaultdict(set)
    for c, a, b in rows(_CONTRA):
        contra[tuple(sorted((a, b), key=lambda t: t.value))].add(c)
    mentioned = defaultdict(set)
    for t, src in rows(_MENTIONED):
        mentioned[t].add(src)
    return facts, shared, sources, contra, mentioned


_SOURCE_COUNTS = tuple(_n(x) for x in ("claimCount", "acceptedCount", "contradictedCount", "inferredCount", "passageCount"))


def _fact_quads(facts: dict) -> Iterable[ox.Quad]:
    """facts: (s, p, o) -> [accepted sources, any inferred]."""
    for (s, p, o), (srcs, inferred) in facts.items():
        node = _node("fact", s, p, o)
        yield ox.Quad(node, TYPE, FACT_STATISTICS, G)
        yield ox.Quad(node, STAT_SUBJECT, s, G)
        yield ox.Quad(node, STAT_PREDICATE, p, G)
        yield ox.Quad(node, STAT_OBJECT, o, G)
        yield ox.Quad(node, SOURCE_COUNT, _int(len(srcs)), G)
        yield ox.Quad(node, ANY_INFERRED, TRUE if inferred else FALSE, G)
        if len(srcs) == 1:
            yield ox.Quad(node, SOLE_SOURCE, next(iter(srcs)), G)
        else:
            yield ox.Quad(node, SOURCE_LIST, ox.Literal("; ".join(sorted(key(x) for x in srcs))), G)


def _source_quads(sources: dict, only: set | None = None) -> Iterable[ox.Quad]:
    """sources: source -> its five counts (claims, accepted, contradicted, inferred, passages)."""
    for src, counts in sources.items():
        if only is not None and src not in only:
            continue
        node = _node("source", src)
        yield ox.Quad(node, TYPE, _n("SourceStatistics"), G)
        yield ox.Quad(node, _n("statisticsOf"), src, G)
        for name, n in zip(_SOURCE_COUNTS, counts):
            yield ox.Quad(node, name, _int(n), G)


def _pairs(shared: dict, contra: dict, only: set | None = None) -> dict:
    """(a, b) -> [shared triples, contradicted claims], a before b by IRI, from `shared` ((s, p, o) ->
    the sources of any claim of it) and `contra` ((a, b) -> the claims of one the other contradicts);
    with `only`, the pairs of which one source is in it."""
    pairs = defaultdict(lambda: [0, 0])
    for srcs in shared.values():
        if len(srcs) < 2:
            continue
        ordered = sorted(srcs, key=lambda t: t.value)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if only is None or a in only or b in only:
                    pairs[(a, b)][0] += 1
    for (a, b), ks in contra.items():
        if only is None or a in only or b in only:
            pairs[(a, b)][1] = len(ks)
    return pairs


def _pair_quads(pairs: dict) -> Iterable[ox.Quad]:
    for (a, b), (shared, contra) in pairs.items():
        node = _node("pair", a, b)
        yield ox.Quad(node, TYPE, _n("SourcePairStatistics"), G)
        yield ox.Quad(node, _n("sourceA"), a, G)
        yield ox.Quad(node, _n("sourceB"), b, G)
        yield ox.Quad(node, _n("sharedFactCount"), _int(shared), G)
        yield ox.Quad(node, _n("contradictionCount"), _int(contra), G)


# ---------------------------------------------------------------- instruments and sectors

class _Kinds:
    """Which items are measures, actions, policy documents: read once (the whole graph) or looked up
    item by item (after an add)."""

    def __init__(self, read: _Reader, preload: bool):
        self.read, self.sets = read, None
        if preload:
            self.sets = {c: read.subjects(TYPE, c) for c in (MEASURE, ACTION, DOCUMENT)}
        self.memo = {}

    def __call__(self, x, cls) -> bool:
        if self.sets is not None:
            return x in self.sets[cls]
        if (x, cls) not in self.memo:
            self.memo[(x, cls)] = next(iter(self.read(x, TYPE, cls)), None) is not None
        return self.memo[(x, cls)]


def _usage(read: _Reader, kinds: _Kinds, terms: set | None) -> dict:
    """term -> (measures, actions, documents) that use, cover or target it; of `terms` only, or all."""
    by_term = defaultdict(lambda: (set(), set(), set()))
    for prop in (USES_I, COVERS_I, TARGETS_S, COVERS_S):
        quads = read(None, prop, None) if terms is None else (q for t in terms for q in read(None, prop, t))
        for q in quads:
            x, row = q.subject, by_term[q.object]
            if prop in (USES_I, TARGETS_S):
                if kinds(x, MEASURE):
                    row[0].add(x)
                if kinds(x, ACTION):
                    row[1].add(x)
            if kinds(x, DOCUMENT):
                row[2].add(x)
    return by_term


def _below(read: _Reader, instruments: set) -> tuple[dict, dict]:
    """(instrument -> its skos:broader, instrument -> the instruments at or below it)."""
    broader = {i: {q.object for q in read(i, BROADER, None)} for i in instruments}
    below = defaultdict(set)
    for i in instruments:
        todo, seen = [i], set()
        while todo:
            up = todo.pop()
            if up not in seen:
                seen.add(up)
                below[up].add(i)
                todo.extend(broader.get(up, ()))
    return broader, below


def _term_quads(read: _Reader, terms: set | None = None, mentioned: dict | None = None) -> Iterable[ox.Quad]:
    """The TermStatistics of every instrument and sector, or of those in `terms` (and the families
    of those instruments), counted by looking up each term's statements; the sources of claims
    whose value a term is come from `mentioned` (term -> sources) when given."""
    kinds = _Kinds(read, terms is None)
    instruments, sectors = read.subjects(TYPE, INSTRUMENT), read.subjects(TYPE, SECTOR)
    broader, below = _below(read, instruments)
    todo = instruments | sectors if terms is None else \
        (terms & (instruments | sectors)) | {f for f in instruments if not broader[f] and below[f] & terms}
    members = set().union(*(below[f] for f in todo if f in instruments and not broader[f])) if todo else set()
    by_term = _usage(read, kinds, None if terms is None else todo | members)
    for t in todo:
        srcs = mentioned.get(t, ()) if mentioned is not None else \
            {q.object for c in read(None, OBJ, t) for q in read(c.subject, STATED_IN, None)}
        m, a, d = by_term.get(t, (set(), set(), set()))
        node = _node("term", t)
        yield ox.Quad(node, TYPE, _n("TermStatistics"), G)
        yield ox.Quad(node, _n("statisticsOf"), t, G)
        for name, values in (("measureCount", m), ("actionCount", a), ("documentCount", d), ("sourceCount", srcs)):
            yield ox.Quad(node, _n(name), _int(len(values)), G)
        if t in instruments and not broader[t]:
            family = {x for i in below[t] for x in by_term.get(i, ((),))[0]}
            yield ox.Quad(node, _n("instrumentCount"), _int(len(below[t])), G)
            yield ox.Quad(node, _n("familyMeasureCount"), _int(len(family)), G)
            yield ox.Quad(node, _n("measureList"), ox.Literal("; ".join(sorted(key(x) for x in family))), G)


def _matrix_quads(read: _Reader, items: set | None = None) -> Iterable[ox.Quad]:
    """The InstrumentSectorStatistics of every pair, or of the pairs that the `items` (measures,
    actions) take part in, counted over every item of such a pair."""
    kinds = _Kinds(read, items is None)
    uses, targets = defaultdict(set), defaultdict(set)          # item -> instruments / sectors
    if items is None:
        for prop, table in ((USES_I, uses), (TARGETS_S, targets)):
            for q in read(None, prop, None):
                table[q.subject].add(q.object)
    else:
        pairs = {(u.object, t.object) for x in items for u in read(x, USES_I, None) for t in read(x, TARGETS_S, None)}
        for i in {i for i, _ in pairs}:
            for q in read(None, USES_I, i):
                uses[q.subject].add(i)
        for x in list(uses):
            targets[x] = {q.object for q in read(x, TARGETS_S, None)}
    matrix = defaultdict(lambda: (set(), set()))
    for x, used in uses.items():
        kind = 0 if kinds(x, MEASURE) else 1 if kinds(x, ACTION) else None
        if kind is None:
            continue
        for i in used:
            for s in targets.get(x, ()):
                if items is None or (i, s) in pairs:
                    matrix[(i, s)][kind].add(x)
    for (i, s), (m, a) in matrix.items():
        node = _node("instrument-sector", i, s)
        yield ox.Quad(node, TYPE, _n("InstrumentSectorStatistics"), G)
        yield ox.Quad(node, _n("statInstrument"), i, G)
        yield ox.Quad(node, _n("statSector"), s, G)
        yield ox.Quad(node, _n("measureCount"), _int(len(m)), G)
        yield ox.Quad(node, _n("actionCount"), _int(len(a)), G)


# ---------------------------------------------------------------- writing

def compute(store: ox.Store, by_claim: bool = False) -> list[ox.Quad]:
    """The statistics graph's quads for the whole store (read from the union of its other graphs).
    `by_claim`: read each claim's statements by one lookup per claim, as `update` does for the
    claims an add touches, instead of the bulk queries (the same quads; slower: a check and a
    baseline for tests and benchmarks)."""
    read = _Reader(store)
    if by_claim:
        claims = _Claims()
        for c, triples, typed in _claim_nodes(read):
            claims.add(c, triples, typed)
        facts, shared, sources, contra, mentioned = claims.facts, claims.shared, claims.counts(), claims.contra, None
    else:
        facts, shared, sources, contra, mentioned = _bulk(store)
    out = list(_fact_quads(facts))
    out += _source_quads(sources)
    out += _pair_quads(_pairs(shared, contra))
    out += _term_quads(read, mentioned=mentioned)
    out += _matrix_quads(read)
    return out


def clear(store: ox.Store) -> int:
    """Remove the statistics graph; returns the quads removed."""
    n = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{STATISTICS_GRAPH}> {{ ?s ?p ?o }} }}")))[0].value)
    if n:
        store.clear_graph(G)
    return n


def write(store: ox.Store) -> int:
    """Replace the statistics graph of `store` with a fresh one; returns its quads."""
    clear(store)
    quads = compute(store)
    store.bulk_extend(quads)
    return len(quads)


def _remove_nodes(store: ox.Store, nodes: Iterable) -> list[ox.Quad]:
    gone = [q for n in set(nodes) for q in store.quads_for_pattern(n, None, None, G)]
    for q in gone:
        store.remove(q)
    return gone


def update(store: ox.Store, new: list[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """After documents are added (`new`: their quads and what the reasoning added), recompute the
    nodes that the new quads can change: of the claimed triples about the subjects of the new claims
    and about what the new claims' sources state, of those sources and the pairs with one of them,
    of the instruments and sectors the new quads name (and their families), and of the
    instrument-sector pairs of the new measures and actions; the others count statements that did
    not change (an add only adds to the union). Returns (quads added, quads removed)."""
    read = _Reader(store)
    sources = {q.object for q in new if q.predicate == STATED_IN}
    subjects = {q.object for q in new if q.predicate == SUBJ}
    subjects |= {t.object for src in sources for q in read(None, STATED_IN, src)
                 for t in read(q.subject, SUBJ, None)}     # all that a source states: its pairs
    claims, seen = _Claims(), set()
    for c, triples, typed in _claim_nodes(read, subjects):
        seen.add(c)
        claims.add(c, triples, typed)
    for src in sources:      # the sources' claims without a subject, and claims that contradict them
        for q in list(read(None, STATED_IN, src)) + list(read(None, CONTRADICTED_BY, src)):
            if q.subject not in seen:
                seen.add(q.subject)
                triples = list(read(q.subject, None, None))
                claims.add(q.subject, triples, any(t.predicate == TYPE and t.object == CLAIM for t in triples),
                           facts=False)
    props = (USES_I, COVERS_I, TARGETS_S, COVERS_S)
    items = {q.subject for q in new if q.predicate in props
             or q.predicate == TYPE and q.object in (MEASURE, ACTION, DOCUMENT)}
    terms = {q.object for q in new if q.predicate in props or q.predicate == OBJ}
    terms |= {q.object for x in items for p in props for q in read(x, p, None)}
    added = list(_fact_quads(claims.facts)) + list(_source_quads(claims.counts(), sources))
    added += list(_pair_quads(_pairs(claims.shared, claims.contra, sources))) + list(_term_quads(read, terms)) + list(_matrix_quads(read, items))
    removed = _remove_nodes(store, {q.subject for q in added})
    store.extend(added)
    return added, removed
