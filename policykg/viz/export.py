"""GraphML for network tools (Gephi, Cytoscape, igraph), written with networkx."""

from __future__ import annotations

from pathlib import Path

import networkx as nx


def for_graphml(g: nx.Graph, positions: dict | None = None) -> nx.Graph:
    """A copy whose attributes are all scalars (GraphML has no lists): sources joined with '; '.

    Nodes and edges also get a plain `label` (the English label, else the Chinese one), the
    attribute Gephi and Cytoscape show by default."""
    out = g.__class__()
    out.graph["generator"] = "PolicyKG (policykg viz)"
    for n, d in g.nodes(data=True):
        attrs = {k: v for k, v in d.items() if isinstance(v, (str, int, float, bool))}
        attrs["sources_en"] = "; ".join(s["en"] for s in d.get("sources", []))
        attrs["sources_zh"] = "; ".join(s["zh"] for s in d.get("sources", []))
        attrs["alt"] = "; ".join(d.get("alt", []))
        attrs["label"] = d.get("label_en") or d.get("label_zh") or str(n)
        if positions and n in positions:
            attrs["x"], attrs["y"] = float(positions[n][0]), float(positions[n][1])
        out.add_node(n, **attrs)
    for a, b, e in g.edges(data=True):
        attrs = {k: v for k, v in e.items() if isinstance(v, (str, int, float, bool))}
        attrs["sources_en"] = "; ".join(s["en"] for s in e.get("sources", []))
        attrs["label"] = e.get("label_en") or e.get("label_zh") or ""
        out.add_edge(a, b, **attrs)
    return out


def write_graphml(g: nx.Graph, path: Path, positions: dict | None = None) -> Path:
    path = Path(path)
    nx.write_graphml(for_graphml(g, positions), path, encoding="utf-8", prettyprint=True)
    return path
