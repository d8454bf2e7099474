"""Reading the claims for the statistics graph (policykg.store.statistics): what the claim nodes
add up to, the sums behind its fact, source and pair nodes.

There are two readings, kept on purpose, that give the same sums:
- `bulk`, for a whole store (the build): four SPARQL queries over the whole store (the claimed
  triples with their sources and two flags, one row per claim; the five counts of each source,
  aggregated in the store; the contradicting claims; the sources of the claims whose value is an
  instrument or a sector);
- `claim_nodes` into `Claims`, one lookup per claim: for the few claims an add touches
  (`update`), and as the baseline that tests and benchmarks check `bulk` against
  (`compute(by_claim=True)`).

Cost: the store joins each claim's statements by index lookups (about six a claim) and returns
only the terms the counts need, about 4 a claim, where reading each claim's statements back one
claim at a time decoded 27, each a read of the store's dictionary once the store outgrows its
caches. Measured at 1,000 synthetic policies (137,843 claims, 816,711 statistics quads;
benchmarks/statistics_graph.py, docs/scale.md "The statistics graph at 1,000 policies"): 27 s
against 59 s in one run; at 100 policies, where the store sits in its caches, the lookups cost
more than the decodes they save (2.5 s against 1.4 s). Not taken: hash joins in the store (a
sub-query per property), 1.8 times as fast on the claim queries but holding a table entry per
claim and property (150-280 MB more at 1,000 policies); counting in the per-source stage and
summing the units' counts, which would still merge every unit's claimed triples (a fact's sources
span units), would have to follow what the global stage and an add change after the units, and
would be a second implementation to keep equal to this one. The memory is one entry per distinct
claimed triple (its sources: 112,835 at 1,000 policies, where the process peaked at 672 MB with
the store's caches and the quads) plus one per source and per instrument or sector.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from policykg.model.namespaces import PKG, RDF
from policykg.store import union
from policykg.store.statistics.graph import (
    ACCEPTED, CLAIM, CONTRADICTED, CONTRADICTED_BY, DEFAULT, EVIDENCE, G, INFERRED, OBJ, PRED, STATED_IN, STATUS,
    SUBJ, TRUE, TYPE, Reader)


class Claims:
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


def claim_nodes(read: Reader, subjects: Iterable | None = None) -> Iterable:
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
_HEAD = "(EXISTS { ?c rdf:subject ?head } || EXISTS { ?c a pkg:Claim })"    # what claim_nodes yields
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


def _with(srcs, src):
    """`srcs` (None, one source, or a set of two or more) with `src`: a source stays a bare term
    until a second one comes, so that the facts that one source states (most of them) hold no set."""
    if srcs is None or srcs == src:
        return src
    if isinstance(srcs, set):
        srcs.add(src)
        return srcs
    return {srcs, src}


def bulk(store: ox.Store) -> tuple[dict, dict, dict, dict, dict]:
    """What the claims of the whole store add up to, as `Claims` and `usage.term_quads` count it: (facts:
    (s, p, o) -> [accepted sources (a set, or a tuple of one), any inferred], shared: (s, p, o) ->
    sources of any claim, for the triples of two sources or more (those the pairs count), sources:
    source -> its five counts, contra: (a, b) -> claims, mentioned: term -> sources). Memory: a set
    only for a triple of several sources (at 10,000 synthetic policies 1.13M triples, each of one
    source: two sets each took about 0.5 GB)."""
    if union.has_union(store):
        options = {}
    else:                                     # every graph but this one (a triple may come twice: sets)
        options = {"default_graph": [g for g in store.named_graphs() if g != G] or [DEFAULT]}

    def rows(text):
        return store.query(text, **options)

    facts, shared = {}, {}
    for s, p, o, src, accepted, inferred in rows(_FACTS):
        fact = (s, p, o)
        shared[fact] = _with(shared.get(fact), src)
        if accepted.value == "true":
            row = facts.get(fact)
            if row is None:
                facts[fact] = [src, inferred.value == "true"]
            else:
                row[0] = _with(row[0], src)
                row[1] = row[1] or inferred.value == "true"
    shared = {fact: srcs for fact, srcs in shared.items() if isinstance(srcs, set)}    # what pairs need
    for row in facts.values():
        if not isinstance(row[0], set):
            row[0] = (row[0],)
    sources = {r[0]: tuple(int(x.value) for x in list(r)[1:]) for r in rows(_SOURCES)}
    contra = defaultdict(set)
    for c, a, b in rows(_CONTRA):
        contra[tuple(sorted((a, b), key=lambda t: t.value))].add(c)
    mentioned = defaultdict(set)
    for t, src in rows(_MENTIONED):
        mentioned[t].add(src)
    return facts, shared, sources, contra, mentioned
