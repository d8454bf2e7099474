"""The neighbourhood of one entity (the focus page, `policykg focus`): every individual linked by
what the sources and vocabularies state, and the part of that graph up to some links away."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import INFERRED_GRAPH, PID, PKG, SKOS
from policykg.viz.catalog import EXCLUDED_TYPES, Catalog, catalog, query
from policykg.viz.graphs import add_edge, finish

_FOCUS_SKIP = {"hasPart", "actionOf", "targetSetBy", "postHeldBy", "states", "statedIn", "mentions", "hasText",
               "evidence", "claimStatus", "contradictedBy"}


def entity_graph(store: ox.Store, cat: Catalog | None = None) -> nx.DiGraph:
    """All individuals linked by what the sources and vocabularies state (not the inferred closure),
    plus the measure-level links lifted from actions."""
    cat = cat or catalog(store)
    keep = {iri for iri in cat.types if iri.startswith(PID) and not cat.types[iri] & EXCLUDED_TYPES}
    g = nx.DiGraph()
    rows = query(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
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
            add_edge(g, cat, s, o, name, cat.claim_sources.get((s, p, o), ()))
    return finish(g, cat)


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
