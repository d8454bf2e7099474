"""Links between policies: shared entities, a similarity score, and lineage (see docs/links.md).

A *unit* is a policy document or a measure. Each unit has six facets, the sets of entities it (or
any of its parts and actions) addresses: sectors (including the sectors of the targets it sets),
instruments, programs, regions, agencies (issuers and responsible bodies) and enterprise
categories. Two units are related when their facets overlap:

- the **similarity** of two units is the weighted mean, over the facets either of them states,
  of the weighted Jaccard overlap of that facet (facet weights: sectors and instruments 3,
  programs 2, regions, agencies and enterprise categories 1); inside a facet an entity weighs
  ln(1 + N/df), so that an entity most units share (MIIT, manufacturing) counts for less than a
  rare one (a pilot program);
- a pair whose similarity reaches the threshold gets a `related` link and one `shares-<facet>`
  link per facet it shares, each with the shared entities as its evidence;
- a **lineage** link (`continues`) runs from a later document to a measure of an earlier one when
  the later document takes that measure forward: it concerns the same program as one of the
  measure's actions, or uses the same instrument for the same sector, or continues a document
  that the measure applies. Its evidence is the shared entities and the matched actions.

Links are data about the graph, computed from it, and live in their own named graph
(`pgraph:links`); this module never prints or exits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import GRAPH, LINKS_GRAPH, PID, PKG, RDF, RDFS, SKOS, XSD, sparql_prefixes
from policykg.store import union

FACETS = ("sector", "instrument", "program", "region", "agency", "enterprise")
FACET_PROPERTIES = {
    "sector": "targetsSector", "instrument": "usesInstrument", "program": "concernsProgram",
    "region": "appliesToRegion", "agency": "responsibleAgency", "enterprise": "addressesEnterpriseCategory",
}
FACET_NAMES = {  # (singular, plural) in English and Chinese, for explanations
    "sector": ("sector", "sectors", "行业"), "instrument": ("instrument", "instruments", "政策工具"),
    "program": ("program", "programs", "专项工作"), "region": ("region", "regions", "地区"),
    "agency": ("agency", "agencies", "机构"), "enterprise": ("enterprise category", "enterprise categories", "企业类别"),
}
FACET_WEIGHTS = {"sector": 3, "instrument": 3, "program": 2, "region": 1, "agency": 1, "enterprise": 1}
LINK_TYPES = ("continues", "related") + tuple(f"shares-{f}" for f in FACETS)
DEFAULT_MIN_SCORE = 0.15

# Terms of the links graph (docs/links.md); they are not yet in ontology/policykg.ttl.
LINK = PKG + "Link"
LINK_TYPE, LINK_FROM, LINK_TO = PKG + "linkType", PKG + "linkFrom", PKG + "linkTo"
SCORE, SHARED, MATCHED, EXPLANATION = PKG + "score", PKG + "sharedEntity", PKG + "matchedPart", PKG + "explanation"
TYPE_IRIS = {
    "continues": PKG + "LineageLink", "related": PKG + "SimilarityLink",
    "shares-sector": PKG + "SharedSectorLink", "shares-instrument": PKG + "SharedInstrumentLink",
    "shares-program": PKG + "SharedProgramLink", "shares-region": PKG + "SharedRegionLink",
    "shares-agency": PKG + "SharedAgencyLink", "shares-enterprise": PKG + "SharedEnterpriseCategoryLink",
}


@dataclass
class Unit:
    iri: str
    kind: str                                   # "document" or "measure"
    document: str                               # the document it belongs to (itself for a document)
    graphs: set[str] = field(default_factory=set)
    facets: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FACETS})
    start: str | None = None                    # earliest date (YYYY-MM-DD) the unit's document bears


@dataclass
class Link:
    type: str                                   # one of LINK_TYPES
    source: str                                 # IRI (for `continues`: the later document)
    target: str                                 # IRI (for `continues`: the earlier measure)
    score: float
    shared: dict[str, list[str]]                # facet -> shared entity IRIs (sorted)
    matched: list[str] = field(default_factory=list)   # for `continues`: the measure's actions matched
    via: list[str] = field(default_factory=list)       # for `continues`: documents continued that the measure applies
    explanation: str = ""

    @property
    def iri(self) -> str:
        digest = hashlib.sha256(f"{self.type}\n{self.source}\n{self.target}".encode()).hexdigest()[:16]
        return f"{PID}link/{self.type}/{digest}"

    def shared_entities(self) -> list[str]:
        return sorted({e for es in self.shared.values() for e in es} | set(self.via))


# ------------------------------------------------------------------------------------ reading the graph

def _rows(store: ox.Store, query: str):
    return store.query(sparql_prefixes() + query, **union.options(store))


_PARTS = "(pkg:hasPart|^pkg:isPartOf)*"


def units(store: ox.Store) -> dict[str, Unit]:
    """Every policy document and measure with its facets."""
    out: dict[str, Unit] = {}
    for r in _rows(store, f"""SELECT DISTINCT ?x ?kind ?doc WHERE {{
            {{ ?x a pkg:PolicyDocument BIND("document" AS ?kind) BIND(?x AS ?doc) }}
            UNION {{ ?x a pkg:Measure BIND("measure" AS ?kind)
                     OPTIONAL {{ ?doc a pkg:PolicyDocument ; (pkg:hasPart|^pkg:isPartOf)+ ?x }} }}
            FILTER(isIRI(?x)) }}"""):
        x = r["x"].value
        doc = r["doc"].value if r["doc"] is not None else x
        out.setdefault(x, Unit(x, r["kind"].value, doc))
    values = " ".join(f"(pkg:{p} \"{f}\")" for f, p in FACET_PROPERTIES.items())
    facet_rows = _rows(store, f"""SELECT DISTINCT ?x ?facet ?v WHERE {{
        {{ ?x a pkg:PolicyDocument }} UNION {{ ?x a pkg:Measure }}
        {{ ?x {_PARTS} ?y }} UNION {{ ?x {_PARTS}/pkg:commitsTo ?y }}
        VALUES (?p ?facet) {{ {values} }}
        ?y ?p ?v FILTER(isIRI(?v)) }}""")
    extra = _rows(store, """SELECT DISTINCT ?x ?facet ?v WHERE {
        { ?x a pkg:PolicyDocument ; pkg:issuedBy ?v BIND("agency" AS ?facet) }
        UNION { { ?x a pkg:PolicyDocument } UNION { ?x a pkg:Measure }
                ?x pkg:setsTarget/pkg:refSector ?v BIND("sector" AS ?facet) } }""")
    for rows in (facet_rows, extra):
        for r in rows:
            u = out.get(r["x"].value)
            if u is not None:
                u.facets[r["facet"].value].add(r["v"].value)
    for r in _rows(store, """SELECT ?x (MIN(?d) AS ?start) WHERE {
            { ?x pkg:dateIssued ?d } UNION { ?x pkg:datePublished ?d }
            UNION { ?x pkg:coversPeriod/time:hasBeginning/time:inXSDDate ?d } } GROUP BY ?x"""):
        start = r["start"].value if r["start"] is not None else None
        for u in out.values():
            if u.document == r["x"].value:
                u.start = start
    for r in _rows(store, """SELECT DISTINCT ?x ?g WHERE { GRAPH ?g { ?x a ?c } }"""):
        u = out.get(r["x"].value)
        if u is not None:
            u.graphs.add(r["g"].value)
    return out


def _actions(store: ox.Store) -> dict[str, dict[str, dict[str, set[str]]]]:
    """measure IRI -> action IRI -> facet -> entities (the measure itself counts as one 'action')."""
    out: dict[str, dict[str, dict[str, set[str]]]] = {}
    values = " ".join(f"(pkg:{p} \"{f}\")" for f, p in FACET_PROPERTIES.items()
                      if f in ("sector", "instrument", "program"))
    for r in _rows(store, f"""SELECT DISTINCT ?m ?a ?facet ?v WHERE {{
            {{ ?m a pkg:Measure ; pkg:commitsTo ?a }} UNION {{ ?m a pkg:Measure BIND(?m AS ?a) }}
            VALUES (?p ?facet) {{ {values} }}
            GRAPH ?g {{ ?a ?p ?v }} FILTER(?g != pgraph:inferred) }}"""):
        acts = out.setdefault(r["m"].value, {})
        acts.setdefault(r["a"].value, {f: set() for f in ("sector", "instrument", "program")})[r["facet"].value].add(r["v"].value)
    return out


def _pairs(store: ox.Store, query: str) -> set[tuple[str, str]]:
    return {(r["a"].value, r["b"].value) for r in _rows(store, query)}


def _labels(store: ox.Store, iris) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in _rows(store, """SELECT ?x ?l WHERE { ?x skos:prefLabel|rdfs:label ?l FILTER(LANG(?l) IN ("en", "zh")) }"""):
        x = r["x"].value
        if iris is None or x in iris:
            out.setdefault(x, {}).setdefault(r["l"].language, r["l"].value)
    return out


# ------------------------------------------------------------------------------------ computing links

def _weights(us: dict[str, Unit]) -> dict[str, float]:
    df: dict[str, int] = {}
    for u in us.values():
        for es in u.facets.values():
            for e in es:
                df[e] = df.get(e, 0) + 1
    n = max(len(us), 1)
    return {e: math.log(1 + n / d) for e, d in df.items()}


def similarity(a: Unit, b: Unit, w: dict[str, float]) -> tuple[float, dict[str, list[str]], dict[str, float]]:
    """(score, shared entities per facet, overlap per facet) of two units."""
    shared, per_facet = {}, {}
    for f in FACETS:
        A, B = a.facets[f], b.facets[f]
        if not (A or B):
            continue
        both = A & B
        per_facet[f] = sum(w.get(e, 1.0) for e in both) / sum(w.get(e, 1.0) for e in A | B)
        if both:
            shared[f] = sorted(both)
    total = sum(FACET_WEIGHTS[f] for f in per_facet)
    score = sum(FACET_WEIGHTS[f] * v for f, v in per_facet.items()) / total if total else 0.0
    return score, shared, per_facet


def _nested(a: Unit, b: Unit) -> bool:
    """A document and its own measure are not compared."""
    return a.iri == b.document or b.iri == a.document


def compute(store: ox.Store, *, min_score: float = DEFAULT_MIN_SCORE, only: set[str] | None = None) -> list[Link]:
    """All links of the graph; with `only`, just the links that have one end in `only`."""
    us = units(store)
    w = _weights(us)
    labels = _labels(store, None)
    links: list[Link] = []
    keys = sorted(us)
    for i, x in enumerate(keys):
        for y in keys[i + 1:]:
            a, b = us[x], us[y]
            if _nested(a, b) or (only is not None and x not in only and y not in only):
                continue
            score, shared, per_facet = similarity(a, b, w)
            if score < min_score or not shared:
                continue
            links.append(Link("related", x, y, round(score, 3), shared,
                              explanation=_explain_related(shared, labels)))
            for f, es in shared.items():
                links.append(Link(f"shares-{f}", x, y, round(per_facet[f], 3), {f: es},
                                  explanation=_explain_related({f: es}, labels)))
    links += lineage(store, us, labels, only=only)
    return sorted(links, key=lambda l: (LINK_TYPES.index(l.type), -l.score, l.source, l.target))


def _program_match(p: str, q: str, broader: set[tuple[str, str]], sector_of: dict[str, set[str]],
                   within: set[tuple[str, str]]) -> bool:
    """The same program, one narrower than the other, or a sibling (same broader program) run for a
    sector within the earlier program's sector (the building-materials 'three products' action
    within the raw-materials one)."""
    if p == q or (p, q) in broader or (q, p) in broader:
        return True
    parents_p = {b for (a, b) in broader if a == p}
    parents_q = {b for (a, b) in broader if a == q}
    return bool(parents_p & parents_q) and any((sq, sp) in within or sq == sp
                                               for sq in sector_of.get(q, ()) for sp in sector_of.get(p, ()))


def lineage(store: ox.Store, us: dict[str, Unit] | None = None, labels=None, *, only: set[str] | None = None) -> list[Link]:
    """`continues` links from later documents to the measures of earlier ones that they take forward."""
    us = us if us is not None else units(store)
    labels = labels if labels is not None else _labels(store, None)
    acts = _actions(store)
    broader = _pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Program }")
    within = _pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Sector }")
    sector_of: dict[str, set[str]] = {}
    for a, b in _pairs(store, "SELECT ?a ?b WHERE { ?a a pkg:Program ; pkg:targetsSector ?b }"):
        sector_of.setdefault(a, set()).add(b)
    continued = _pairs(store, """SELECT DISTINCT ?a ?b WHERE { GRAPH ?g { ?a pkg:continues ?b } FILTER(?g != pgraph:links) }""")
    applies = _pairs(store, """SELECT DISTINCT ?a ?b WHERE { ?a pkg:refersTo ?b . ?b a pkg:PolicyDocument }""")
    out = []
    docs = [u for u in us.values() if u.kind == "document"]
    measures = [u for u in us.values() if u.kind == "measure"]
    for later in docs:
        for m in measures:
            if m.document == later.iri or (only is not None and later.iri not in only and m.iri not in only):
                continue
            earlier = us.get(m.document)
            dated = (later.start and earlier is not None and earlier.start and later.start > earlier.start)
            # a document the later one continues and that the measure (or one of its actions) applies
            via = sorted(d for (l, d) in continued if l == later.iri
                         and ((m.iri, d) in applies or any((a, d) in applies for a in acts.get(m.iri, {}))))
            if not dated and not via:
                continue
            L = later.facets
            shared: dict[str, set[str]] = {}
            matched, best = [], 0.0
            for a, fa in sorted(acts.get(m.iri, {}).items()):
                progs = {p for p in fa["program"] for q in L["program"] if _program_match(p, q, broader, sector_of, within)}
                progs |= {q for q in L["program"] for p in fa["program"] if _program_match(p, q, broader, sector_of, within)}
                instr, sect = fa["instrument"] & L["instrument"], fa["sector"] & L["sector"]
                if not (progs or (instr and sect)):
                    continue
                matched.append(a)
                for f, es in (("program", progs), ("instrument", instr), ("sector", sect)):
                    if es:
                        shared.setdefault(f, set()).update(es)
                own = fa["program"] | fa["instrument"] | fa["sector"]
                best = max(best, len((progs | instr | sect) & own) / len(own))
            if not matched and not via:
                continue
            score = 1.0 if via else best
            sh = {f: sorted(es) for f, es in shared.items()}
            matched = [a for a in matched if a != m.iri]
            out.append(Link("continues", later.iri, m.iri, round(score, 3), sh, matched, via,
                            _explain_lineage(sh, matched, via, labels)))
    return out


# ------------------------------------------------------------------------------------ explanations

def _label(labels, iri: str, lang: str = "en") -> str:
    got = labels.get(iri, {})
    return got.get(lang) or got.get("en") or got.get("zh") or iri.rsplit("/", 1)[-1]


def _explain_related(shared: dict[str, list[str]], labels) -> str:
    parts = []
    for f in FACETS:
        es = shared.get(f)
        if es:
            one, many, _zh = FACET_NAMES[f]
            parts.append(f"{len(es)} {one if len(es) == 1 else many} ({', '.join(_label(labels, e) for e in es)})")
    return "shares " + "; ".join(parts)


def _explain_lineage(shared, matched, via, labels) -> str:
    bits = []
    if via:
        bits.append("continues " + ", ".join(_label(labels, d) for d in via) + ", which the measure applies")
    if matched:
        bits.append("takes forward " + ", ".join(_label(labels, a) for a in matched))
    if shared:
        bits.append(_explain_related(shared, labels))
    return "; ".join(bits)


# ------------------------------------------------------------------------------------ output

def to_quads(links: list[Link], store: ox.Store | None = None) -> list[ox.Quad]:
    """The links graph: one node per link, plus the plain `pkg:continues` triple of each lineage link."""
    g = ox.NamedNode(LINKS_GRAPH)
    N = ox.NamedNode
    labels = _labels(store, {x for l in links for x in (l.source, l.target)}) if store is not None else {}
    out = []
    for l in links:
        n = N(l.iri)
        out += [ox.Quad(n, N(RDF + "type"), N(LINK), g),
                ox.Quad(n, N(LINK_TYPE), N(TYPE_IRIS[l.type]), g),
                ox.Quad(n, N(LINK_FROM), N(l.source), g),
                ox.Quad(n, N(LINK_TO), N(l.target), g),
                ox.Quad(n, N(SCORE), ox.Literal(f"{l.score:.3f}", datatype=N(XSD + "decimal")), g),
                ox.Quad(n, N(EXPLANATION), ox.Literal(l.explanation, language="en"), g),
                ox.Quad(n, N(RDFS + "label"), ox.Literal(
                    f"{l.type}: {_label(labels, l.source)} → {_label(labels, l.target)}", language="en"), g),
                ox.Quad(n, N(RDFS + "label"), ox.Literal(
                    f"{_ZH_TYPES[l.type]}：{_label(labels, l.source, 'zh')} → {_label(labels, l.target, 'zh')}",
                    language="zh"), g)]
        out += [ox.Quad(n, N(SHARED), N(e), g) for e in l.shared_entities()]
        out += [ox.Quad(n, N(MATCHED), N(a), g) for a in l.matched]
        if l.type == "continues":
            out.append(ox.Quad(N(l.source), N(PKG + "continues"), N(l.target), g))
    return out


_ZH_TYPES = {"continues": "延续", "related": "相关", "shares-sector": "共同行业", "shares-instrument": "共同政策工具",
             "shares-program": "共同专项工作", "shares-region": "共同地区", "shares-agency": "共同机构",
             "shares-enterprise": "共同企业类别"}

CSV_COLUMNS = ("type", "from", "from_label", "to", "to_label", "score", "shared", "matched", "explanation")


def key(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


def to_csv(links: list[Link], store: ox.Store) -> str:
    labels = _labels(store, {x for l in links for x in (l.source, l.target)})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for l in links:
        w.writerow([l.type, key(l.source), _label(labels, l.source), key(l.target), _label(labels, l.target),
                    f"{l.score:.3f}", " ".join(key(e) for e in l.shared_entities()),
                    " ".join(key(a) for a in l.matched), l.explanation])
    return buf.getvalue()


def counts(links: list[Link]) -> dict[str, int]:
    return {t: sum(1 for l in links if l.type == t) for t in LINK_TYPES}


def replace_links(store: ox.Store, links: list[Link]) -> None:
    """Put the links graph into the store, replacing any earlier one."""
    g = ox.NamedNode(LINKS_GRAPH)
    store.remove_graph(g) if g in set(store.named_graphs()) else None
    store.extend(to_quads(links, store))


def graphs_of(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if g.value.startswith(GRAPH))
