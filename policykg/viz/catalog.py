"""What the network views know of each entity, read once per store (`catalog`): labels, classes,
and the sources that state something about it.

Every node of a view carries (`Catalog.node_attrs`): `iri`, `group` (a key of
policykg.viz.groups.GROUPS), `label_en`/`label_zh`, `type_en`/`type_zh` (its most specific class),
`alt` (other labels, for search) and `sources` (labels of the documents whose claims state
something about it, or that a vocabulary names as its source).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.model.namespaces import PID, PKG, SKOS, sparql_prefixes
from policykg.store import union
from policykg.viz.groups import GROUP, GROUPS

EXCLUDED_TYPES = {PKG + "Claim", PKG + "Evidence", PKG + "SourceText"}


def query(store: ox.Store, text: str):
    """A query over the union of the graphs, with the project's prefixes."""
    return store.query(sparql_prefixes() + text, **union.options(store))


def key_of(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


@dataclass
class Catalog:
    """Labels, classes and sources of every individual, read once per store."""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)       # iri -> {en, zh}
    alt: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    supers: dict[str, set[str]] = field(default_factory=dict)           # class -> superclasses
    class_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    prop_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    node_sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    claim_sources: dict[tuple, set[str]] = field(default_factory=lambda: defaultdict(set))

    def label(self, iri: str, lang: str) -> str:
        ls = self.labels.get(iri, {})
        return ls.get(lang) or ls.get("en" if lang == "zh" else "zh") or key_of(iri)

    def group(self, iri: str) -> str:
        classes: set[str] = set()
        for t in self.types.get(iri, ()):
            classes |= self.supers.get(t, {t})
        for g in GROUPS:
            if g.cls is None or g.cls in classes:
                return g.key
        return "other"

    def most_specific_type(self, iri: str) -> str | None:
        own = [t for t in self.types.get(iri, ()) if t.startswith(PKG) and t in self.class_labels]
        return max(own, key=lambda t: (len(self.supers.get(t, ())), t), default=None)

    def node_attrs(self, iri: str, group: str | None = None) -> dict:
        t = self.most_specific_type(iri)
        g = group or self.group(iri)
        tl = self.class_labels.get(t, {}) if t else {}
        return {
            "iri": iri, "group": g,
            "label_en": self.label(iri, "en"), "label_zh": self.label(iri, "zh"),
            "type_en": tl.get("en") or GROUP[g].en, "type_zh": tl.get("zh") or GROUP[g].zh,
            "alt": sorted(self.alt.get(iri, ())),
            "sources": self.source_labels(self.node_sources.get(iri, ())),
        }

    def source_labels(self, sources) -> list[dict[str, str]]:
        return [{"en": self.label(s, "en"), "zh": self.label(s, "zh")} for s in sorted(sources, key=self._source_key)]

    def _source_key(self, s: str) -> str:
        return self.label(s, "en")

    def prop(self, name: str) -> dict[str, str]:
        return self.prop_labels.get(PKG + name, {"en": name, "zh": name})


def catalog(store: ox.Store) -> Catalog:
    c = Catalog()
    for row in query(store, """SELECT ?x ?p ?l WHERE {
            VALUES ?p { skos:prefLabel rdfs:label skos:altLabel pkg:abbreviation }
            ?x ?p ?l FILTER(isIRI(?x) && isLiteral(?l)) }"""):
        x, p, lit = row["x"].value, row["p"].value, row["l"]
        lang = (lit.language or "").split("-")[0]
        if p in (SKOS + "altLabel", PKG + "abbreviation"):
            c.alt[x].add(lit.value)
            continue
        if lang not in ("en", "zh"):
            continue
        slot = c.labels.setdefault(x, {})
        # skos:prefLabel wins over rdfs:label; among equals the smallest string, for determinism
        rank = 0 if p == SKOS + "prefLabel" else 1
        old = slot.get(lang + "#rank")
        if old is None or (rank, lit.value) < (old, slot[lang]):
            slot[lang], slot[lang + "#rank"] = lit.value, rank
    for slot in c.labels.values():
        for k in [k for k in slot if k.endswith("#rank")]:
            del slot[k]
    for row in query(store, "SELECT ?x ?t WHERE { ?x a ?t FILTER(isIRI(?x) && isIRI(?t)) }"):
        c.types[row["x"].value].add(row["t"].value)
    for row in query(store, "SELECT ?c ?d WHERE { ?c a owl:Class . ?c rdfs:subClassOf* ?d FILTER(isIRI(?c) && isIRI(?d)) }"):
        c.supers.setdefault(row["c"].value, {row["c"].value}).add(row["d"].value)
    for row in query(store, """SELECT ?x ?k ?l WHERE { VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty }
            ?x a ?k ; rdfs:label ?l FILTER(STRSTARTS(STR(?x), STR(pkg:))) }"""):
        x, lit = row["x"].value, row["l"]
        target = c.class_labels if row["k"].value.endswith("#Class") else c.prop_labels
        target.setdefault(x, {})[(lit.language or "en").split("-")[0]] = lit.value
    for row in query(store, """SELECT ?s ?p ?o ?src WHERE {
            ?c a pkg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:statedIn ?src }"""):
        s, src = row["s"].value, row["src"].value
        c.node_sources[s].add(src)
        c.claim_sources[(s, row["p"].value, row["o"].value)].add(src)
    for row in query(store, "SELECT ?x ?src WHERE { ?x dcterms:source ?src FILTER(isIRI(?x)) }"):
        c.node_sources[row["x"].value].add(row["src"].value)
    return c


def group_members(cat: Catalog, groups) -> dict[str, str]:
    """IRI -> group for every pid: individual in one of the groups."""
    out = {}
    for iri in cat.types:
        if not iri.startswith(PID) or cat.types[iri] & EXCLUDED_TYPES:
            continue
        g = cat.group(iri)
        if g in groups:
            out[iri] = g
    return out

