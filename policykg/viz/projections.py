"""Projections of the RDF store onto networkx graphs, one per view: the overview, measures with
their instruments and agencies, sectors targeted together, and the lineage of documents (the
neighbourhood of one entity: policykg.viz.focus).

Nodes carry what policykg.viz.catalog gives them (`Catalog.node_attrs`). Edges carry
`label_en`/`label_zh` (the property), `sources`, and `weight` where a view counts something.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyoxigraph as ox

from policykg.model.namespaces import INFERRED_GRAPH, PKG
from policykg.viz.catalog import Catalog, catalog, group_members, query
from policykg.viz.graphs import add_edge, finish, sorted_graph
from policykg.viz.groups import ALWAYS_SHOWN, OVERVIEW_GROUPS

# What a measure, part, document or program addresses (stated on it, or on one of its actions).
ADDRESSES = ["targetsSector", "usesInstrument", "responsibleAgency", "appliesToRegion",
             "addressesEnterpriseCategory", "concernsProgram"]
LINEAGE = ["refersTo", "implements", "basedOn", "continues"]
OTHER_OVERVIEW = ["issuedBy", "setsTarget", "reportsOn", "editionOf", "refSector", "refArea",
                  "refEnterpriseCategory"]


def _direct_parts(store: ox.Store) -> list[tuple[str, str]]:
    """(part, whole) pairs with nothing in between (isPartOf is transitive in the inferred graph)."""
    rows = query(store, """SELECT DISTINCT ?s ?o WHERE {
        ?s pkg:isPartOf|^pkg:hasPart ?o
        FILTER NOT EXISTS { ?s pkg:isPartOf|^pkg:hasPart ?m . ?m pkg:isPartOf|^pkg:hasPart ?o
                            FILTER(?m != ?s && ?m != ?o) } }""")
    return [(r["s"].value, r["o"].value) for r in rows]


def _pairs(store: ox.Store, props: list[str], lift: bool = False):
    """(s, property name, o, action or None) for the given properties, stated on s or on an action of s."""
    values = " ".join(f"pkg:{p}" for p in props)
    q = f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?o)) }}"
    for r in query(store, q):
        yield r["s"].value, r["p"].value[len(PKG):], r["o"].value, None
    if lift:
        q = (f"SELECT DISTINCT ?s ?p ?o ?a WHERE {{ VALUES ?p {{ {values} }} "
             "?s pkg:commitsTo|^pkg:actionOf ?a . ?a ?p ?o FILTER(isIRI(?o)) }")
        for r in query(store, q):
            yield r["s"].value, r["p"].value[len(PKG):], r["o"].value, r["a"].value


def _edge_sources(cat: Catalog, s: str, prop: str, o: str, action: str | None) -> set[str]:
    return set(cat.claim_sources.get((action or s, PKG + prop, o), ()))


def overview(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """Documents, parts, measures, targets and the vocabulary concepts they are linked to."""
    cat = cat or catalog(store)
    members = group_members(cat, OVERVIEW_GROUPS)
    g = nx.DiGraph()
    for iri, grp in members.items():
        if grp in ALWAYS_SHOWN:
            g.add_node(iri, **cat.node_attrs(iri, grp))

    def link(s, o, prop, sources=()):
        if s in members and o in members and s != o:
            for x in (s, o):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, members[x]))
            add_edge(g, cat, s, o, prop, sources)

    for s, o in _direct_parts(store):
        link(s, o, "isPartOf", cat.claim_sources.get((s, PKG + "isPartOf", o), ()))
    for s, p, o, a in _pairs(store, ADDRESSES, lift=True):
        if members.get(s) in ("document", "part", "measure", "program"):
            link(s, o, p, _edge_sources(cat, s, p, o, a))
    for s, p, o, a in _pairs(store, LINEAGE + OTHER_OVERVIEW):
        link(s, o, p, _edge_sources(cat, s, p, o, a))
    for s, o in [(r["s"].value, r["o"].value) for r in query(store, "SELECT ?s ?o WHERE { ?o pkg:targetSetBy ?s }")]:
        link(s, o, "setsTarget", cat.claim_sources.get((o, PKG + "targetSetBy", s), ()))
    _drop_generic_lineage(g, cat)
    return finish(g, cat)


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
    measures = group_members(cat, ["measure"])
    sectors = group_members(cat, ["sector"])
    return sorted({(s, o) for s, p, o, _ in _pairs(store, ["targetsSector"], lift=True)
                   if s in measures and o in sectors})


def measure_instrument_agency(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """Measure → instrument → responsible agency.

    measure → instrument: the measure (or one of its actions) uses the instrument. instrument →
    agency: some measure uses the instrument in an action (or in the measure's own text) that makes
    the agency responsible; the weight counts such measures.
    """
    cat = cat or catalog(store)
    measures = group_members(cat, ["measure"])
    instruments = group_members(cat, ["instrument"])
    agencies = group_members(cat, ["agency"])
    g = nx.DiGraph()
    for s, p, o, a in _pairs(store, ["usesInstrument"], lift=True):
        if s in measures and o in instruments:
            for x, grp in ((s, "measure"), (o, "instrument")):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, grp))
            add_edge(g, cat, s, o, "usesInstrument", _edge_sources(cat, s, "usesInstrument", o, a))
    rows = query(store, f"""SELECT DISTINCT ?m ?i ?ag WHERE {{
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
        add_edge(g, cat, i, ag, "responsibleAgency")
        e = g.edges[i, ag]
        e["weight"] = len(ms)
        e["label_en"] = f"{len(ms)} measure{'s' if len(ms) != 1 else ''}"
        e["label_zh"] = f"{len(ms)} 项措施"
    return finish(g, cat)


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
    docs = group_members(cat, ["document", "source"])
    root: dict[str, str] = {d: d for d in docs}
    for r in query(store, "SELECT ?p ?d WHERE { ?p (pkg:isPartOf|^pkg:hasPart)+ ?d }"):
        if r["d"].value in docs:
            root.setdefault(r["p"].value, r["d"].value)
    for r in query(store, "SELECT ?a ?m WHERE { ?m pkg:commitsTo|^pkg:actionOf ?a }"):
        if r["m"].value in root:
            root.setdefault(r["a"].value, root[r["m"].value])
    g = nx.DiGraph()
    for s, p, o, _ in _pairs(store, LINEAGE):
        a, b = root.get(s), root.get(o)
        if a and b and a != b:
            for x in (a, b):
                if x not in g:
                    g.add_node(x, **cat.node_attrs(x, docs[x]))
            add_edge(g, cat, a, b, p, cat.claim_sources.get((s, PKG + p, o), ()))
    _drop_generic_lineage(g, cat)
    return finish(g, cat)
