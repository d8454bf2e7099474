"""What linking reads from the store: the units (documents and measures) with their facets, the
actions of each measure, the pairs of a few relations, and labels for the explanations.

Every read is one streaming SPARQL query or an index lookup; entity IRIs are interned so that a
graph of thousands of policies keeps one copy of each vocabulary IRI in memory."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.model.namespaces import PKG, RDF, RDFS, SKOS, sparql_prefixes
from policykg.store import union

FACETS = ("sector", "instrument", "program", "region", "agency", "enterprise")
FACET_PROPERTIES = {
    "sector": "targetsSector", "instrument": "usesInstrument", "program": "concernsProgram",
    "region": "appliesToRegion", "agency": "responsibleAgency", "enterprise": "addressesEnterpriseCategory",
}
ACTION_FACETS = ("sector", "instrument", "program")
_intern = sys.intern


@dataclass(slots=True)
class Unit:
    iri: str
    kind: str                                   # "document" or "measure"
    document: str                               # the document it belongs to (itself for a document)
    facets: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FACETS})
    start: str | None = None                    # earliest date (YYYY-MM-DD) the unit's document bears

    def entities(self) -> set[str]:
        return set().union(*self.facets.values())


def rows(store: ox.Store, query: str):
    return store.query(sparql_prefixes() + query, **union.options(store))


def _objects(store: ox.Store, prop: str):
    """(subject, object) of every triple with this property whose ends are IRIs, in any graph."""
    for q in store.quads_for_pattern(None, ox.NamedNode(PKG + prop), None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            yield _intern(q.subject.value), _intern(q.object.value)


def _typed(store: ox.Store, cls: str) -> set[str]:
    return {_intern(q.subject.value) for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(PKG + cls))
            if isinstance(q.subject, ox.NamedNode)}


def units(store: ox.Store) -> dict[str, Unit]:
    """Every policy document and measure with its facets: the entities it, its parts (`pkg:hasPart`,
    `pkg:isPartOf`, transitively) and the actions they commit to (`pkg:commitsTo`) address.

    Read with index lookups, one property at a time, and put together here: the cost is linear in
    the number of triples read, however deep the parts go."""
    docs, measures = _typed(store, "PolicyDocument"), _typed(store, "Measure")
    parents: dict[str, set[str]] = {}
    for whole, part in _objects(store, "hasPart"):
        parents.setdefault(part, set()).add(whole)
    for part, whole in _objects(store, "isPartOf"):
        parents.setdefault(part, set()).add(whole)
    memo: dict[str, frozenset[str]] = {}

    def ancestors(y: str) -> frozenset[str]:          # y and everything it is part of, transitively
        got = memo.get(y)
        if got is None:
            seen, todo = {y}, [y]
            while todo:
                for p in parents.get(todo.pop(), ()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            got = memo[y] = frozenset(seen)
        return got

    out: dict[str, Unit] = {}
    for x in sorted(docs):
        out[x] = Unit(x, "document", x)
    for x in sorted(measures - docs):
        above = sorted(ancestors(x) & docs - {x})
        out[x] = Unit(x, "measure", above[0] if above else x)
    owners: dict[str, set[str]] = {}                  # node -> units it counts for
    def owners_of(y: str) -> set[str]:
        got = owners.get(y)
        if got is None:
            got = owners[y] = {a for a in ancestors(y) if a in out}
        return got
    committed: dict[str, set[str]] = {}               # action -> units whose parts commit to it
    for c, a in _objects(store, "commitsTo"):
        committed.setdefault(a, set()).update(owners_of(c))
    for f, prop in FACET_PROPERTIES.items():
        for y, v in _objects(store, prop):
            for x in owners_of(y) | committed.get(y, set()):
                out[x].facets[f].add(v)
    for x, v in _objects(store, "issuedBy"):
        if x in docs:
            out[x].facets["agency"].add(v)
    target_sectors: dict[str, set[str]] = {}
    for t, s in _objects(store, "refSector"):
        target_sectors.setdefault(t, set()).add(s)
    for x, t in _objects(store, "setsTarget"):
        if x in out:
            out[x].facets["sector"].update(target_sectors.get(t, ()))
    by_document: dict[str, list[Unit]] = {}
    for u in out.values():
        by_document.setdefault(u.document, []).append(u)
    for r in rows(store, """SELECT ?x (MIN(?d) AS ?start) WHERE {
            { ?x pkg:dateIssued ?d } UNION { ?x pkg:datePublished ?d }
            UNION { ?x pkg:coversPeriod/time:hasBeginning/time:inXSDDate ?d } } GROUP BY ?x"""):
        start = r["start"].value if r["start"] is not None else None
        for u in by_document.get(r["x"].value, ()):
            u.start = start
    return out


def actions(store: ox.Store) -> dict[str, dict[str, dict[str, frozenset[str]]]]:
    """measure IRI -> action IRI -> facet -> entities (the measure itself counts as one 'action'),
    from what the sources state (not the inferred graph).

    The rows are not made DISTINCT: the sets drop what several graphs state again, and oxigraph
    would hold every distinct row until the query ends (at 10,000 policies that held about 300 MB
    beyond the result, which the process kept). Each measure's sets become frozen ones as they are
    taken out, so both forms are never held whole at once."""
    found: dict[str, dict[str, dict[str, set[str]]]] = {}
    values = " ".join(f"(pkg:{FACET_PROPERTIES[f]} \"{f}\")" for f in ACTION_FACETS)
    for r in rows(store, f"""SELECT ?m ?a ?facet ?v WHERE {{
            {{ ?m a pkg:Measure ; pkg:commitsTo ?a }} UNION {{ ?m a pkg:Measure BIND(?m AS ?a) }}
            VALUES (?p ?facet) {{ {values} }}
            GRAPH ?g {{ ?a ?p ?v }} FILTER(?g != pgraph:inferred) }}"""):
        acts = found.setdefault(_intern(r["m"].value), {})
        facets = acts.setdefault(_intern(r["a"].value), {f: set() for f in ACTION_FACETS})
        facets[r["facet"].value].add(_intern(r["v"].value))
    empty: frozenset[str] = frozenset()
    out = {}
    for m in list(found):                             # in the order found, as before
        out[m] = {a: {f: frozenset(es) if es else empty for f, es in fa.items()} for a, fa in found.pop(m).items()}
    return out


def pairs(store: ox.Store, query: str) -> set[tuple[str, str]]:
    return {(_intern(r["a"].value), _intern(r["b"].value)) for r in rows(store, query)}


class Labels:
    """en/zh labels looked up one entity at a time (skos:prefLabel first, then rdfs:label), cached."""

    def __init__(self, store: ox.Store | None):
        self.store = store
        self.cache: dict[str, dict[str, str]] = {}
        self.explanations: dict[tuple, str] = {}        # shared entities -> their explanation (see explain)

    def get(self, iri: str) -> dict[str, str]:
        got = self.cache.get(iri)
        if got is None:
            got = {}
            if self.store is not None:
                node = ox.NamedNode(iri)
                for prop in (SKOS + "prefLabel", RDFS + "label"):
                    found = sorted((q.object.language, q.object.value)
                                   for q in self.store.quads_for_pattern(node, ox.NamedNode(prop), None)
                                   if isinstance(q.object, ox.Literal) and q.object.language in ("en", "zh"))
                    for lang, value in found:
                        got.setdefault(lang, value)
            self.cache[iri] = got
        return got

    def label(self, iri: str, lang: str = "en") -> str:
        got = self.get(iri)
        return got.get(lang) or got.get("en") or got.get("zh") or iri.rsplit("/", 1)[-1]
