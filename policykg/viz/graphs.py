"""Building the networkx graphs of the views (policykg.viz.projections, policykg.viz.focus): edges
typed by the relations they stand for, gathering the sources that state them, and graphs handed
out in sorted order."""

from __future__ import annotations

import networkx as nx

from policykg.viz.catalog import Catalog


def add_edge(g: nx.DiGraph, cat: Catalog, s: str, o: str, prop: str, sources=()):
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


def finish(g: nx.Graph, cat: Catalog) -> nx.Graph:
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
