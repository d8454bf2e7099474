"""What the graph says about one entity, source by source, with the passages that support it.

Claims are `pkg:Claim`/`rdf:Statement` nodes with `pkg:statedIn` (the source), `pkg:claimStatus`
and `pkg:evidence` → `oa:hasSelector` (`oa:start`, `oa:end`) on `oa:hasSource` (the source text,
identified by `pkg:sha256`). The graph holds offsets, not text: given a folder of the user's copies
of the sources, `texts()` finds each source's text by its SHA-256 and `passage()` quotes it.

Besides the claims, a view holds the entity's own description: its classes, zh/en labels and
alternative labels, definitions, codes (its own notations and those of the classification codes
it matches), literal values, and its neighbours in either direction with their labels (at most
`MAX_NEIGHBOURS`). `policykg.query.entity_format` writes a view as text, Markdown or JSON.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import INFERRED_GRAPH, PKG, PREFIXES, RDF, RDFS, SKOS, STATISTICS_GRAPH
from policykg.query.engine import execute
from policykg.query.index import Entry
from policykg.query.name_index import index
from policykg.query.resolve import label_of, resolve_entity
from policykg.query.results import short_iri

QUOTE_MAX = 240           # characters of a quoted passage
MAX_NEIGHBOURS = 500      # neighbours listed in a view (the rest are counted)

_CLAIMS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?_e ?c ?dir ?src ?s ?p ?o ?status ?inferred ?reason ?note ?start ?end ?sha ?other
WHERE {
  { ?c rdf:subject ?_e . BIND("out" AS ?dir) } UNION { ?c rdf:object ?_e . BIND("in" AS ?dir) }
  ?c a pkg:Claim ; pkg:statedIn ?src ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:claimStatus ?status .
  OPTIONAL { ?c pkg:inferred ?inferred }
  OPTIONAL { ?c pkg:inferenceReason ?reason FILTER(LANG(?reason) = "en") }
  OPTIONAL { ?c pkg:statusNote ?note }
  OPTIONAL { ?c pkg:contradictedBy ?other }
  OPTIONAL { ?c pkg:evidence ?ev . ?ev oa:hasSelector ?sel ; oa:hasSource ?text .
             ?sel oa:start ?start ; oa:end ?end . ?text pkg:sha256 ?sha }
}
"""


@dataclass
class Claim:
    subject: str
    predicate: str
    obj: object                      # ox term
    incoming: bool                   # the entity is the value, not the subject
    status: str                      # Accepted | Contradicted
    inferred: str | None = None      # the reason, when inferred
    note: str | None = None
    contradicted_by: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    sha256: str | None = None


@dataclass
class SourceView:
    source: str                      # IRI
    label: str
    claims: list[Claim]


@dataclass
class Neighbour:
    incoming: bool                   # the neighbour points to the entity
    predicate: str
    iri: str
    labels: dict[str, str]           # lang → label
    cls: str                         # short class name of the neighbour


@dataclass
class EntityView:
    iri: str
    label_en: str
    label_zh: str
    types: list[str]
    sources: list[SourceView]
    derived: list[tuple[str, str]]   # (predicate, object) in the inferred graph only
    classes: list[str] = field(default_factory=list)          # most specific first
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    codes: list[tuple[str, str, str]] = field(default_factory=list)     # (scheme or property, code, IRI or '')
    values: list[tuple[str, str, str]] = field(default_factory=list)    # (predicate, literal, language)
    neighbours: list[Neighbour] = field(default_factory=list)
    more_neighbours: int = 0                                             # left out beyond MAX_NEIGHBOURS
    document: str | None = None

    def label(self, lang: str = "en") -> str:
        return (self.label_zh if lang == "zh" else self.label_en) or self.label_en or self.label_zh


def about(store: ox.Store, entity: str) -> EntityView:
    """Everything the sources state about an entity (an IRI, a key or a zh/en label)."""
    node = resolve_entity(store, entity)
    rows = execute(_CLAIMS, store, substitutions={ox.Variable("_e"): node}, hide_params=True).dicts()
    claims: dict[str, Claim] = {}
    by_source: dict[str, list[str]] = {}
    for r in rows:
        key = r["c"].value + r["dir"].value
        cl = claims.get(key)
        if cl is None:
            cl = claims[key] = Claim(r["s"].value, r["p"].value, r["o"], r["dir"].value == "in",
                                     r["status"].value.rsplit("#", 1)[-1],
                                     inferred=(r["reason"].value if r["reason"] else "yes") if r["inferred"] else None,
                                     note=r["note"].value if r["note"] else None,
                                     sha256=r["sha"].value if r["sha"] else None)
            by_source.setdefault(r["src"].value, []).append(key)
        if r["start"] is not None:
            span = (int(r["start"].value), int(r["end"].value))
            if span not in cl.spans:
                cl.spans.append(span)
        if r["other"] is not None and r["other"].value not in cl.contradicted_by:
            cl.contradicted_by.append(r["other"].value)
    for cl in claims.values():
        cl.spans.sort()
        cl.contradicted_by.sort()
    sources = []
    for src in sorted(by_source):
        cls = sorted((claims[k] for k in by_source[src]),
                     key=lambda c: (c.incoming, c.predicate != PREFIXES["rdf"] + "type", c.predicate, c.subject, str(c.obj)))
        sources.append(SourceView(src, label_of(store, src, "en"), cls))
    types = sorted({q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(PREFIXES["rdf"] + "type"), None)
                    if q.object.value.startswith(PKG)})
    inferred_graph = ox.NamedNode(PREFIXES["pgraph"] + "inferred")
    stated = {(c.predicate, str(c.obj)) for c in claims.values() if not c.incoming}
    derived = sorted({(q.predicate.value, q.object.value) for q in store.quads_for_pattern(node, None, None, inferred_graph)
                      if q.predicate.value != PREFIXES["rdf"] + "type" and (q.predicate.value, str(q.object)) not in stated})
    view = EntityView(node.value, label_of(store, node.value, "en"), label_of(store, node.value, "zh"), types,
                      sources, derived)
    describe(store, view)
    return view


_CODE_PROPS = {PKG + "gbt2260Code": "GB/T 2260", PKG + "iso3166Code": "ISO 3166-2", SKOS + "notation": "notation"}
_MATCH_PROPS = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"))
_SKIP_VALUES = {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition", RDFS + "comment",
                *_CODE_PROPS}
_SKIP_LINKS = {RDF + "subject", RDF + "object", PKG + "statedIn", RDF + "type"}
_NEIGHBOURS = f"""SELECT DISTINCT ?_e ?dir ?p ?x WHERE {{
  {{ ?_e ?p ?x BIND("out" AS ?dir) }} UNION {{ ?x ?p ?_e FILTER(isIRI(?x)) BIND("in" AS ?dir) }}
  FILTER(?p NOT IN ({", ".join(f"<{p}>" for p in sorted(_SKIP_LINKS))}))
  FILTER NOT EXISTS {{ ?x a <{PKG}Claim> }} FILTER NOT EXISTS {{ ?x a <{PKG}Evidence> }}
}} ORDER BY ?dir ?p ?x"""


def describe(store: ox.Store, view: EntityView) -> None:
    """Fill in the entity's own description: classes, labels, definitions, codes, values, neighbours."""
    idx = index(store)
    me = idx.get(view.iri) or Entry(view.iri)
    view.classes = list(me.classes)
    view.document = me.document
    for text, lang in me.names.get("alt", ()):
        view.alt_labels.setdefault(lang, []).append(text)
    for text, lang in me.names.get("definition", ()):
        view.definitions.setdefault(lang, text)
    stated = [g for g in store.named_graphs() if g.value not in (INFERRED_GRAPH, STATISTICS_GRAPH)]   # inferred: `derived`
    rows = store.query(_NEIGHBOURS, substitutions={ox.Variable("_e"): ox.NamedNode(view.iri)}, default_graph=stated)
    for _, direction, p, x in rows:
        incoming = direction.value == "in"
        if isinstance(x, ox.Literal):
            if p.value in _CODE_PROPS:
                view.codes.append((_CODE_PROPS[p.value], x.value, ""))
            elif p.value not in _SKIP_VALUES:
                view.values.append((p.value, x.value, x.language or ""))
            continue
        if not isinstance(x, ox.NamedNode):
            continue
        other = idx.get(x.value) or Entry(x.value)
        if not incoming and p.value in _MATCH_PROPS and other.names.get("code"):
            scheme = other.key.split("/")[1] if other.key.startswith("code/") else short_iri(p.value)
            view.codes.append((scheme, other.text("code"), x.value))
        if len(view.neighbours) >= MAX_NEIGHBOURS:
            view.more_neighbours += 1
            continue
        view.neighbours.append(Neighbour(incoming, p.value, x.value,
                                         {lg: other.label(lg) for lg in ("en", "zh")}, other.cls))


def texts(sources_dir: Path | str) -> dict[str, Path]:
    """SHA-256 → file, for the files directly in a folder (the user's copies of the sources)."""
    d = Path(sources_dir)
    if not d.is_dir():
        raise InputError("not a folder", path=d, fix="give the folder that holds your copies of the source texts")
    out = {}
    for f in sorted(d.iterdir()):
        if f.is_file():
            out[hashlib.sha256(f.read_bytes()).hexdigest()] = f
    return out


def passage(path: Path, start: int, end: int, limit: int = QUOTE_MAX) -> str:
    """Characters start..end (Unicode code points, end exclusive) of a text file, on one line."""
    text = path.read_text(encoding="utf-8")[start:end]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
