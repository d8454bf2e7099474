"""Projections of the RDF store onto networkx graphs, one per view.

Every node carries: `iri`, `group` (a key of GROUPS), `label_en`/`label_zh`, `type_en`/`type_zh`
(its most specific class), `alt` (other labels, for search) and `sources` (labels of the documents
whose claims state something about it, or that a vocabulary names as its source). Edges carry
`label_en`/`label_zh` (the property), `sources`, and `weight` where a view counts something.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import INFERRED_GRAPH, PID, PKG, SKOS, sparql_prefixes
from policykg.store import union


@dataclass(frozen=True)
class Group:
    key: str
    en: str
    zh: str
    color: str
    shape: str
    cls: str | None  # the class that puts an entity in the group (first match wins, in GROUPS order)


# Order matters: an entity goes to the first group whose class it has.
GROUPS = [
    Group("measure", "Measure", "措施", "#e15759", "dot", PKG + "Measure"),
    Group("part", "Document part", "文件组成部分", "#f28e2b", "square", PKG + "DocumentPart"),
    Group("document", "Policy document", "政策文件", "#4e79a7", "hexagon", PKG + "PolicyDocument"),
    Group("source", "Report or edition", "报道或文本版本", "#9c755f", "square", PKG + "Document"),
    Group("target", "Quantitative target", "量化目标", "#b07aa1", "triangle", PKG + "Target"),
    Group("sector", "Sector", "行业", "#59a14f", "diamond", PKG + "Sector"),
    Group("instrument", "Policy instrument", "政策工具", "#edc948", "star", PKG + "PolicyInstrument"),
    Group("agency", "Agency", "机构", "#76b7b2", "triangleDown", PKG + "Agency"),
    Group("region", "Region", "地区", "#ff9da7", "dot", PKG + "Region"),
    Group("enterprise", "Enterprise category", "企业类别", "#8cd17d", "triangle", PKG + "EnterpriseCategory"),
    Group("program", "Program", "专项工作", "#d37295", "star", PKG + "Program"),
    # only in the focus view
    Group("action", "Policy action", "政策行动", "#ff7f7f", "dot", PKG + "PolicyAction"),
    Group("event", "Event", "事件", "#a0cbe8", "dot", PKG + "Event"),
    Group("person", "Person", "人物", "#bab0ac", "dot", PKG + "Person"),
    Group("statistic", "Statistic", "统计数据", "#d4a6c8", "triangle", PKG + "Quantity"),
    Group("other", "Other", "其他", "#cccccc", "dot", None),
    # only in overviews too big to draw document by document (see aggregate.py); never matched by class
    Group("cluster", "Documents by main sector", "按主要行业分组的文件", "#4e79a7", "hexagon", None),
]
GROUP = {g.key: g for g in GROUPS}
OVERVIEW_GROUPS = ["document", "source", "part", "measure", "target", "sector", "instrument", "agency",
                   "region", "enterprise", "program"]
ALWAYS_SHOWN = {"document", "source", "part", "measure", "target"}   # in the overview even when unlinked

# What a measure, part, document or program addresses (stated on it, or on one of its actions).
ADDRESSES = ["targetsSector", "usesInstrument", "responsibleAgency", "appliesToRegion",
             "addressesEnterpriseCategory", "concernsProgram"]
LINEAGE = ["refersTo", "implements", "basedOn", "continues"]
OTHER_OVERVIEW = ["issuedBy", "setsTarget", "reportsOn", "editionOf", "refSector", "refArea",
                  "refEnterpriseCategory"]
EXCLUDED_TYPES = {PKG + "Claim", PKG + "Evidence", PKG + "SourceText"}


def _q(store: ox.Store, query: str):
    return store.query(sparql_prefixes() + query, **union.options(store))


def key_of(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


# ---------------------------------------------------------------------------- entity facts

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
    for row in _q(store, """SELECT ?x ?p ?l WHERE {
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
    for row in _q(store, "SELECT ?x ?t WHERE { ?x a ?t FILTER(isIRI(?x) && isIRI(?t)) }"):
        c.types[row["x"].value].add(row["t"].value)
    for row in _q(store, "SELECT ?c ?d WHERE { ?c a owl:Class . ?c rdfs:subClassOf* ?d FILTER(isIRI(?c) && isIRI(?d)) }"):
        c.supers.setdefault(row["c"].value, {row["c"].value}).add(row["d"].value)
    for row in _q(store, """SELECT ?x ?k ?l WHERE { VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty }
            ?x a ?k ; rdfs:label ?l FILTER(STRSTARTS(STR(?x), STR(pkg:))) }"""):
        x, lit = row["x"].value, row["l"]
        target = c.class_labels if row["k"].value.endswith("#Class") else c.prop_labels
        target.setdefault(x, {})[(lit.language or "en").split("-")[0]] = lit.value
    for row in _q(store, """SELECT ?s ?p ?o ?src WHERE {
            ?c a pkg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:statedIn ?src }"""):
        s, src = row["s"].value, row["src"].value
        c.node_sources[s].add(src)
        c.claim_sources[(s, row["p"].value, row["o"].value)].add(src)
    for row in _q(store, "SELECT ?x ?src WHERE { ?x dcterms:source ?src FILTER(isIRI(?x)) }"):
        c.node_sources[row["x"].value].add(row["src"].value)
    return c


# ---------------------------------------------------------------------------- helpers

def _add_edge(g: nx.DiGraph, cat: Catalog, s: str, o: str, prop: str, sources=()):
    """An edge typed by its relation(s): `rels` holds the property names (local names in pkg:)."""
    labels = cat.prop(prop)
    if g.has_edge(s, o):
        e = g.edges[s, o]
        if labels["en"] not in e["label_en"].split(", "):
            e["label_en"] = ", ".join(sorted(e["label_en"].split(", ") + [labels["en"]]))
            e["label_zh"] = "，".join(sorted(e["label_zh"].split("，") + [labels["zh"]]))
        e["rels"].add(prop)
        e["_src"] |= set(sources)
    else:
        g.add_edge(s, o, label_en=labels["en"], label_zh=labels["zh"], rels={prop}, _src=set(sources), weight=1)


def _finish(g: nx.Graph, cat: Catalog) -> nx.Graph:
    """Turn the working source sets on edges into label lists, relation sets into sorted lists, and
    give the graph its nodes and edges in sorted order, so that layouts do not depend on the order in
    which the store returned rows (a fresh build and a reloaded one then draw the same pages)."""
    for _, _, e in g.edges(data=True):
        e["sources"] = cat.source_labels(e.pop("_src", ()))
        e["rels"] = sorted(e.get("rels", ()))
    return sorted_graph(g)


def sorted_graph(g: nx.Graph) -> nx.Graph:
    out = g.__class__()
    out.graph.update(g.graph)
    out.add_nodes_from(sorted(g.nodes(data=True), key=lambda t: t[0]))
    out.add_edges_from(sorted(g.edges(data=True), key=lambda t: (t[0], t[1])))
    return out


def _direct_parts(store: ox.Store) -> list[tuple[str, str]]:
    """(part, whole) pairs with nothing in between (isPartOf is transitive in the inferred graph)."""
    rows = _q(store, """SELECT DISTINCT ?s ?o WHERE {
        ?s pkg:isPartOf|^pkg:hasPart ?o
        FILTER NOT EXISTS { ?s pkg:isPartOf|^pkg:hasPart ?m . ?m pkg:isPartOf|^pkg:hasPart ?o
                            FILTER(?m != ?s && ?m != ?o) } }""")
    return [(r["s"].value, r["o"].value) for r in rows]


def _pairs(store: ox.Store, props: list[str], lift: bool = False):
    """(s, property name, o, action or None) for the given properties, stated on s or on an action of s."""
    values = " ".join(f"pkg:{p}" for p in props)
    q = f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?o)) }}"
    for r in _q(store, q):
        yield r["s"].value, r["p"].value[len(PKG):], r["o"].value, None
    if lift:
        q = (f"SELECT DISTINCT ?s ?p ?o ?a WHERE {{ VALUES ?p {{ {values} }} "
             "?s pkg:commitsTo|^pkg:actionOf ?a . ?a ?p ?o FILTER(isIRI(?o)) }")
        for r in _q(store, q):
            yield r["s"].value, r["p"].value[len(PKG):], r["o"].value, r["a"].value


def _members(cat: Catalog, groups) -> dict[str, str]:
    """IRI -> group for every pid: individual in one of the groups."""
    out = {}
    for iri in cat.types:
        if not iri.startswith(PID) or cat.types[iri] & EXCLUDED_TYPES:
            continue
        g = cat.group(iri)
        if g in groups:
            out[iri] = g
    return out


def _edge_sources(cat: Catalog, s: str, prop: str, o: str, action: str | None) -> set[str]:
    return set(cat.claim_sources.get((action or s, PKG + prop, o), ()))


# ---------------------------------------------------------------------------- views

def overview(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """Documents, parts, measures, targets and the vocabulary concepts they are linked to."""
    cat = cat or catalog(store)
    members = _members(cat, OVERVIEW_GROUPS)
    g = nx.DiGraph()
    for iri, grp in members.items():
        if grp in ALWAYS_SHOWN:
            g.add_node(iri, **cat.node_attrs(iri, grp))

    def link(s, o, prop, sources=()):
        if s in members and o in members and s != o:
            for x in (s, o):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, members[x]))
            _add_edge(g, cat, s, o, prop, sources)

    for s, o in _direct_parts(store):
        link(s, o, "isPartOf", cat.claim_sources.get((s, PKG + "isPartOf", o), ()))
    for s, p, o, a in _pairs(store, ADDRESSES, lift=True):
        if members.get(s) in ("document", "part", "measure", "program"):
            link(s, o, p, _edge_sources(cat, s, p, o, a))
    for s, p, o, a in _pairs(store, LINEAGE + OTHER_OVERVIEW):
        link(s, o, p, _edge_sources(cat, s, p, o, a))
    for s, o in [(r["s"].value, r["o"].value) for r in _q(store, "SELECT ?s ?o WHERE { ?o pkg:targetSetBy ?s }")]:
        link(s, o, "setsTarget", cat.claim_sources.get((o, PKG + "targetSetBy", s), ()))
    _drop_generic_lineage(g, cat)
    return _finish(g, cat)


def _drop_generic_lineage(g: nx.DiGraph, cat: Catalog) -> None:
    """'refers to' is implied by implements/based on/continues: keep only the specific label."""
    generic = cat.prop("refersTo")
    for _, _, e in g.edges(data=True):
        en, zh = e["label_en"].split(", "), e["label_zh"].split("，")
        if generic["en"] in en and len(en) > 1:
            e["label_en"] = ", ".join(x for x in en if x != generic["en"])
            e["label_zh"] = "，".join(x for x in zh if x != generic["zh"])
            e["rels"].discard("refersTo")


def measure_sector_pairs(store: ox.Store, cat: Catalog | None = None) -> list[tuple[str, str]]:
    """(measure, sector) for every measure that targets a sector, itself or through its actions."""
    cat = cat or catalog(store)
    measures = _members(cat, ["measure"])
    sectors = _members(cat, ["sector"])
    return sorted({(s, o) for s, p, o, _ in _pairs(store, ["targetsSector"], lift=True)
                   if s in measures and o in sectors})


def measure_instrument_agency(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """Measure → instrument → responsible agency.

    measure → instrument: the measure (or one of its actions) uses the instrument. instrument →
    agency: some measure uses the instrument in an action (or in the measure's own text) that makes
    the agency responsible; the weight counts such measures.
    """
    cat = cat or catalog(store)
    measures = _members(cat, ["measure"])
    instruments = _members(cat, ["instrument"])
    agencies = _members(cat, ["agency"])
    g = nx.DiGraph()
    for s, p, o, a in _pairs(store, ["usesInstrument"], lift=True):
        if s in measures and o in instruments:
            for x, grp in ((s, "measure"), (o, "instrument")):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, grp))
            _add_edge(g, cat, s, o, "usesInstrument", _edge_sources(cat, s, "usesInstrument", o, a))
    rows = _q(store, f"""SELECT DISTINCT ?m ?i ?ag WHERE {{
        {{ ?m pkg:commitsTo|^pkg:actionOf ?x . ?x pkg:usesInstrument ?i ; pkg:responsibleAgency ?ag }}
        UNION
        {{ GRAPH ?g1 {{ ?m pkg:usesInstrument ?i }} GRAPH ?g2 {{ ?m pkg:responsibleAgency ?ag }}
           FILTER(?g1 != <{INFERRED_GRAPH}> && ?g2 != <{INFERRED_GRAPH}>) }} }}""")
    count: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        m, i, ag = r["m"].value, r["i"].value, r["ag"].value
        if m in measures and i in instruments and ag in agencies:
            count[(i, ag)].add(m)
    for (i, ag), ms in sorted(count.items()):
        if i not in g:
            g.add_node(i, **cat.node_attrs(i, "instrument"))
        if ag not in g:
            g.add_node(ag, **cat.node_attrs(ag, "agency"))
        _add_edge(g, cat, i, ag, "responsibleAgency")
        e = g.edges[i, ag]
        e["weight"] = len(ms)
        e["label_en"] = f"{len(ms)} measure{'s' if len(ms) != 1 else ''}"
        e["label_zh"] = f"{len(ms)} 项措施"
    return _finish(g, cat)


def sector_cotargeting(store: ox.Store, cat: Catalog | None = None) -> nx.Graph:
    """Sectors linked by the number of measures that target both; node `measures` = how many target it."""
    cat = cat or catalog(store)
    by_measure: dict[str, set[str]] = defaultdict(set)
    for m, s in measure_sector_pairs(store, cat):
        by_measure[m].add(s)
    g = nx.Graph()
    counts: dict[str, int] = defaultdict(int)
    for m, secs in sorted(by_measure.items()):
        for s in secs:
            counts[s] += 1
        ordered = sorted(secs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if g.has_edge(a, b):
                    g.edges[a, b]["weight"] += 1
                else:
                    g.add_edge(a, b, weight=1)
    for s, n in counts.items():
        if s not in g:
            g.add_node(s)
        g.nodes[s].update(cat.node_attrs(s, "sector"), measures=n)
    for _, _, e in g.edges(data=True):
        n = e["weight"]
        e.update(label_en=f"{n} measure{'s' if n != 1 else ''}", label_zh=f"{n} 项措施", sources=[],
                 rels=["sharedMeasures"])
    return sorted_graph(g)


def lineage(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """Which document refers to, implements, is based on or continues which (parts lifted to documents)."""
    cat = cat or catalog(store)
    docs = _members(cat, ["document", "source"])
    root: dict[str, str] = {d: d for d in docs}
    for r in _q(store, "SELECT ?p ?d WHERE { ?p (pkg:isPartOf|^pkg:hasPart)+ ?d }"):
        if r["d"].value in docs:
            root.setdefault(r["p"].value, r["d"].value)
    for r in _q(store, "SELECT ?a ?m WHERE { ?m pkg:commitsTo|^pkg:actionOf ?a }"):
        if r["m"].value in root:
            root.setdefault(r["a"].value, root[r["m"].value])
    g = nx.DiGraph()
    for s, p, o, _ in _pairs(store, LINEAGE):
        a, b = root.get(s), root.get(o)
        if a and b and a != b:
            for x in (a, b):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, docs[x]))
            _add_edge(g, cat, a, b, p, cat.claim_sources.get((s, PKG + p, o), ()))
    _drop_generic_lineage(g, cat)
    return _finish(g, cat)


# ---------------------------------------------------------------------------- focus

_FOCUS_SKIP = {"hasPart", "actionOf", "targetSetBy", "postHeldBy", "states", "statedIn", "mentions", "hasText",
               "evidence", "claimStatus", "contradictedBy"}


def entity_graph(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """All individuals linked by what the sources and vocabularies state (not the inferred closure),
    plus the measure-level links lifted from actions."""
    cat = cat or catalog(store)
    keep = {iri for iri in cat.types if iri.startswith(PID) and not cat.types[iri] & EXCLUDED_TYPES}
    g = nx.DiGraph()
    rows = _q(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(?g != <{INFERRED_GRAPH}> && isIRI(?o) && (STRSTARTS(STR(?p), STR(pkg:)) || ?p = skos:broader)) }}""")
    for r in rows:
        s, p, o = r["s"].value, r["p"].value, r["o"].value
        name = p[len(PKG):] if p.startswith(PKG) else "broader"
        if s not in keep or o not in keep or name in _FOCUS_SKIP or s == o:
            continue
        for x in (s, o):
            if x not in g:
                g.add_node(x, **cat.node_attrs(x))
        if name == "broader":
            labels = {"en": "broader", "zh": "上位概念"}
            cat.prop_labels.setdefault(SKOS + "broader", labels)
            _add_edge_raw(g, s, o, labels, cat.claim_sources.get((s, p, o), ()))
        else:
            _add_edge(g, cat, s, o, name, cat.claim_sources.get((s, p, o), ()))
    return _finish(g, cat)


def _add_edge_raw(g, s, o, labels, sources):
    if not g.has_edge(s, o):
        g.add_edge(s, o, label_en=labels["en"], label_zh=labels["zh"], rels={"broader"}, _src=set(sources), weight=1)


def resolve(store: ox.Store, text: str, cat: Catalog | None = None) -> str:
    """The IRI of an entity named as every command names it (policykg.query.resolve)."""
    from policykg.query.resolve import resolve as resolve_name
    return resolve_name(store, text).value


def focus(store: ox.Store, entity: str, depth: int = 1, cat: Catalog | None = None) -> tuple[str, nx.DiGraph]:
    """The neighbourhood of an entity up to `depth` links away (in either direction)."""
    if depth < 0:
        raise InputError(f"--depth must be 0 or more, not {depth}", fix="give --depth 1 or 2")
    cat = cat or catalog(store)
    iri = resolve(store, entity, cat)
    full = entity_graph(store, cat)
    if iri not in full:
        full.add_node(iri, **cat.node_attrs(iri))
    near = nx.single_source_shortest_path_length(full.to_undirected(as_view=True), iri, cutoff=depth)
    sub = full.subgraph(near).copy()
    for n, d in near.items():
        sub.nodes[n]["distance"] = d
    return iri, sub
