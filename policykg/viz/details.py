"""What the pages' side panel and time filter need beyond labels: definitions, codes, dates and the
passages (locators) each source gives for an entity. Read once per store, like the catalogue.

- codes: `skos:notation`, `pkg:documentNumber`, `pkg:gbt2260Code`, `pkg:iso3166Code`, and the
  notations of the codes a concept is matched to (`skos:exactMatch|closeMatch|broadMatch|narrowMatch`),
  each with the label of its scheme;
- dates: a document's issue or publication date and the period it covers (`pkg:coversPeriod`);
  parts, measures and targets take their document's years;
- locators: per entity and source, the character offsets (`oa:start`–`oa:end` of a
  `oa:TextPositionSelector`) of the passages that support claims about it, at most LOCATORS_MAX.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.model.namespaces import PID, sparql_prefixes
from policykg.viz.catalog import Catalog

LOCATORS_MAX = 6        # passages listed per entity and source (the count of all is given too)

DIRECT_CODES = {"skos:notation": ("Code", "编码"), "pkg:documentNumber": ("Document number", "文号"),
                "pkg:gbt2260Code": ("GB/T 2260", "GB/T 2260"), "pkg:iso3166Code": ("ISO 3166-2", "ISO 3166-2")}


@dataclass
class Details:
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)          # iri -> {en, zh}
    codes: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))  # (en, zh, code)
    years: dict[str, tuple[int, int]] = field(default_factory=dict)                 # iri -> (from, to)
    dates: dict[str, str] = field(default_factory=dict)                             # iri -> issue date
    locators: dict[str, dict[str, list[tuple[int, int]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))            # iri -> source -> spans

    def panel(self, iri: str, cat: Catalog) -> dict:
        """The side panel's entry for one entity (only what is known: empty parts are left out)."""
        out: dict = {}
        if iri in self.definitions:
            out["def"] = self.definitions[iri]
        if self.codes.get(iri):
            out["codes"] = [{"en": en, "zh": zh, "v": v} for en, zh, v in sorted(set(self.codes[iri]))]
        if iri in self.dates:
            out["date"] = self.dates[iri]
        if iri in self.years:
            out["years"] = list(self.years[iri])
        locs = self.locators.get(iri)
        if locs:
            out["loc"] = [{"en": cat.label(s, "en"), "zh": cat.label(s, "zh"), "n": len(spans),
                           "spans": [list(x) for x in sorted(spans)[:LOCATORS_MAX]]}
                          for s, spans in sorted(locs.items(), key=lambda kv: cat.label(kv[0], "en"))]
        return out


def _q(store: ox.Store, query: str):
    return store.query(sparql_prefixes() + query, use_default_graph_as_union=True)


def _year(text: str) -> int | None:
    head = text[:4]
    return int(head) if head.isdigit() else None


def details(store: ox.Store, cat: Catalog) -> Details:
    d = Details()
    for r in _q(store, "SELECT ?x ?v WHERE { ?x skos:definition ?v FILTER(isIRI(?x)) }"):
        x, lit = r["x"].value, r["v"]
        if x.startswith(PID) and (lit.language or "").split("-")[0] in ("en", "zh"):
            d.definitions.setdefault(x, {}).setdefault(lit.language.split("-")[0], lit.value)
    for prop, (en, zh) in DIRECT_CODES.items():
        for r in _q(store, f"SELECT ?x ?v WHERE {{ ?x {prop} ?v FILTER(isIRI(?x) && isLiteral(?v)) }}"):
            d.codes[r["x"].value].append((en, zh, r["v"].value))
    for r in _q(store, """SELECT ?x ?v ?scheme WHERE {
            ?x skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch ?c .
            ?c skos:notation ?v . OPTIONAL { ?c skos:inScheme ?scheme } FILTER(isIRI(?x)) }"""):
        scheme = r["scheme"].value if r["scheme"] is not None else None
        en = cat.label(scheme, "en") if scheme else "Code"
        zh = cat.label(scheme, "zh") if scheme else "编码"
        d.codes[r["x"].value].append((en, zh, r["v"].value))
    _dates(store, d)
    for r in _q(store, """SELECT DISTINCT ?x ?src ?start ?end WHERE {
            ?c a pkg:Claim ; rdf:subject ?x ; pkg:statedIn ?src ; pkg:evidence ?ev .
            ?ev oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }"""):
        d.locators[r["x"].value][r["src"].value].append((int(r["start"].value), int(r["end"].value)))
    return d


def _dates(store: ox.Store, d: Details) -> None:
    issued: dict[str, str] = {}
    for r in _q(store, """SELECT ?x ?v WHERE {
            ?x pkg:dateIssued|pkg:datePublished|eli:date_document|eli:date_publication ?v FILTER(isIRI(?x)) }"""):
        x, v = r["x"].value, r["v"].value
        if x not in issued or v < issued[x]:
            issued[x] = v
    ends: dict[str, list[str]] = defaultdict(list)
    for r in _q(store, """SELECT ?x ?b ?e WHERE { ?x pkg:coversPeriod ?p .
            OPTIONAL { ?p time:hasBeginning/time:inXSDDate ?b } OPTIONAL { ?p time:hasEnd/time:inXSDDate ?e } }"""):
        for k in ("b", "e"):
            if r[k] is not None:
                ends[r["x"].value].append(r[k].value)
    for x in set(issued) | set(ends):
        ys = [y for y in ([_year(issued[x])] if x in issued else []) + [_year(v) for v in ends.get(x, ())] if y]
        if ys:
            d.years[x] = (min(ys), max(ys))
        if x in issued:
            d.dates[x] = issued[x]
    # parts, measures and targets take their document's years (the document's own span wins if both)
    for r in _q(store, """SELECT ?p ?doc WHERE { { ?p (pkg:isPartOf|^pkg:hasPart)+ ?doc } UNION
            { ?p pkg:targetSetBy ?doc } UNION { ?a pkg:actionOf|^pkg:commitsTo ?m . ?m (pkg:isPartOf|^pkg:hasPart)+ ?doc
              BIND(?a AS ?p) } }"""):
        p, doc = r["p"].value, r["doc"].value
        if doc in d.years and p not in d.years:
            d.years[p] = d.years[doc]
