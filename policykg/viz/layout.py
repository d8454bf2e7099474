"""Precomputed node positions (pixels), so that pages draw at once without running physics.

A page of 1,000 nodes with vis-network's physics took over a minute to settle in headless
chromium; with positions computed here the browser draws once and is done.
"""

from __future__ import annotations

import math

import networkx as nx

from policykg.viz.projections import OVERVIEW_GROUPS

SPRING_LIMIT = 500   # networkx's spring layout needs SciPy above this size


def _scaled(pos: dict, n: int) -> dict[str, tuple[float, float]]:
    scale = 120 * math.sqrt(max(n, 1))
    return {k: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for k, (x, y) in pos.items()}


def spring(g: nx.Graph, weight: str | None = None) -> dict[str, tuple[float, float]]:
    """Force-directed for small graphs, rings by class for big ones; deterministic either way."""
    if g.number_of_nodes() == 0:
        return {}
    if g.number_of_nodes() > SPRING_LIMIT:
        return rings(g)
    u = nx.Graph(g.to_undirected(as_view=True)) if g.is_directed() else g
    k = 2.0 / math.sqrt(max(u.number_of_nodes(), 1))
    pos = nx.spring_layout(u, k=k, iterations=50, seed=42, weight=weight)
    return _scaled(pos, u.number_of_nodes())


def rings(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Concentric rings, one per class (documents inside, vocabularies outside), each ring ordered so
    that a node sits near the nodes it links to. Linear time: for graphs too big to relax."""
    order = {k: i for i, k in enumerate(OVERVIEW_GROUPS)}
    shells: dict[int, list[str]] = {}
    for n, d in g.nodes(data=True):
        shells.setdefault(order.get(d.get("group"), len(order)), []).append(n)
    u = g.to_undirected(as_view=True) if g.is_directed() else g
    angle: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for _, nodes in sorted(shells.items()):
        # order by the mean angle of already-placed neighbours (barycentre), then by name
        def key(n):
            placed = [angle[m] for m in u[n] if m in angle]
            if not placed:
                return (1, 0.0, n)
            s = sum(math.sin(a) for a in placed)
            c = sum(math.cos(a) for a in placed)
            return (0, math.atan2(s, c) % (2 * math.pi), n)
        nodes = sorted(nodes, key=key)
        need = len(nodes) * 40 / (2 * math.pi)          # 40 px of circumference per node
        radius = max(radius + 300.0, need) if radius else max(150.0, need)
        for i, n in enumerate(nodes):
            a = 2 * math.pi * i / len(nodes)
            angle[n] = a
            pos[n] = (round(radius * math.cos(a), 1), round(radius * math.sin(a), 1))
    return pos


def columns(g: nx.Graph, order: list[str], gap: float = 420.0, step: float = 46.0) -> dict[str, tuple[float, float]]:
    """One column per group in `order` (left to right); each column ordered by the barycentre of the
    neighbours in the column before it, to keep lines short."""
    pos: dict[str, tuple[float, float]] = {}
    u = g.to_undirected(as_view=True) if g.is_directed() else g
    prev_rank: dict[str, int] = {}
    for col, grp in enumerate(order):
        nodes = [n for n, d in g.nodes(data=True) if d.get("group") == grp]

        def key(n):
            ranks = [prev_rank[m] for m in u[n] if m in prev_rank]
            return (sum(ranks) / len(ranks) if ranks else float("inf"), n)
        nodes = sorted(nodes, key=key) if prev_rank else sorted(nodes)
        top = -(len(nodes) - 1) * step / 2
        prev_rank = {n: i for i, n in enumerate(nodes)}
        for i, n in enumerate(nodes):
            pos[n] = (col * gap, round(top + i * step, 1))
    return pos


def generations(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Left to right from the documents that cite nothing to those that cite them (a DAG); spring otherwise."""
    if g.number_of_nodes() == 0:
        return {}
    if not nx.is_directed_acyclic_graph(g):
        return spring(g)
    pos = {}
    for col, layer in enumerate(nx.topological_generations(g.reverse(copy=False))):
        layer = sorted(layer)
        top = -(len(layer) - 1) * 90 / 2
        for i, n in enumerate(layer):
            pos[n] = (col * 380.0, round(top + i * 90.0, 1))
    return pos
