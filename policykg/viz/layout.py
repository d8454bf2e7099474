"""Precomputed node positions (pixels), so that pages draw at once without running physics.

A page of 1,000 nodes with vis-network's physics took over a minute to settle in headless
chromium; with positions computed here the browser draws once and is done.
"""

from __future__ import annotations

import math

import networkx as nx

from policykg.viz.groups import OVERVIEW_GROUPS

SPRING_LIMIT = 500   # networkx's spring layout needs SciPy above this size


def _scaled(pos: dict, n: int) -> dict[str, tuple[float, float]]:
    scale = 120 * math.sqrt(max(n, 1))
    return {k: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for k, (x, y) in pos.items()}


def induced(g: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph of `g` on `nodes` (sorted) as a new graph whose nodes and edges are inserted in
    sorted order. A networkx subgraph view lists its nodes in the order of a Python set, which
    changes with the process's hash seed; a spring layout places nodes by that order, so the same
    graph would be drawn differently in each run."""
    keep = set(nodes)
    h = g.__class__()
    h.add_nodes_from((n, g.nodes[n]) for n in nodes)
    h.add_edges_from(sorted(((a, b, d) for a, b, d in g.edges(nodes, data=True) if b in keep),
                            key=lambda e: (e[0], e[1])))
    return h


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


CENTRE = ("document", "source", "part", "measure", "target")
OUTER = ("sector", "instrument", "agency", "region", "enterprise", "program")


def radial(g: nx.Graph, centre=CENTRE, outer=OUTER, step: float = 46.0, margin: float = 0.0) -> dict[str, tuple[float, float]]:
    """Documents, parts, measures and targets in the middle (force-directed among themselves), the
    vocabularies around them: one arc per class (sectors, instruments, agencies, regions, ...), each
    as wide as its share of the nodes, each node placed at the angle of the middle nodes it is linked
    to (barycentre), in as many rows as the arc needs for `step` pixels per node. Deterministic."""
    if g.number_of_nodes() == 0:
        return {}
    u = nx.Graph(g.to_undirected(as_view=True)) if g.is_directed() else g
    inner = sorted(n for n, d in g.nodes(data=True) if d.get("group") in centre)
    inner_set = set(inner)
    rest = sorted(n for n in g.nodes if n not in inner_set)
    pos: dict[str, tuple[float, float]] = {}
    if inner:
        sub = induced(u, inner)
        if len(inner) == 1:
            pos[inner[0]] = (0.0, 0.0)
        elif len(inner) <= SPRING_LIMIT:
            k = 2.0 / math.sqrt(len(inner))
            raw = nx.spring_layout(sub, k=k, iterations=80, seed=42)
            scale = 95 * math.sqrt(len(inner))
            pos.update({n: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for n, (x, y) in raw.items()})
        else:
            pos.update(rings(induced(g, inner)))
    r_in = max((math.hypot(x, y) for x, y in pos.values()), default=0.0)
    by_group: dict[str, list[str]] = {}
    order = {k: i for i, k in enumerate(outer)}
    for n in rest:
        by_group.setdefault(g.nodes[n].get("group"), []).append(n)
    groups = sorted(by_group, key=lambda k: (order.get(k, len(order)), k))
    total = sum(len(by_group[k]) for k in groups)
    if not total:
        return pos
    gap = 0.04 * 2 * math.pi if len(groups) > 1 else 0.0
    span_all = 2 * math.pi - gap * len(groups)
    radius = r_in + margin + 420.0       # margin: room for what opens around the middle nodes
    rows = max(1, math.ceil(total * step / (span_all * radius)))
    angle0 = -math.pi / 2
    for grp in groups:
        members = by_group[grp]
        span = span_all * len(members) / total

        def bary(n, lo=angle0, span=span):
            pts = [pos[m] for m in u[n] if m in pos and m in inner_set]
            if not pts:
                return (1, 0.0, n)
            a = math.atan2(sum(p[1] for p in pts), sum(p[0] for p in pts))
            return (0, (a - lo) % (2 * math.pi), n)
        members = sorted(members, key=bary)
        per_row = math.ceil(len(members) / rows)
        for i, n in enumerate(members):
            row, col = i % rows, i // rows
            a = angle0 + span * (col + 0.5) / max(per_row, 1)
            r = radius + row * 90.0
            pos[n] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
        angle0 += span + gap
    return pos


def important(g: nx.Graph, share: dict[str, float] | None = None, floor: int = 3) -> set[str]:
    """The nodes whose labels show at the default zoom: in each class, the best linked ones
    (degree; ties by name), at least `floor` and about the given share of the class."""
    share = share or {"document": 0.25, "source": 0.0, "measure": 0.0, "part": 0.0, "target": 0.0}
    u = g.to_undirected(as_view=True) if g.is_directed() else g
    by: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        by.setdefault(d.get("group"), []).append(n)
    out: set[str] = set()
    for grp, nodes in by.items():
        k = max(floor if share.get(grp, 0.12) > 0 else 0, round(len(nodes) * share.get(grp, 0.12)))
        ranked = sorted(nodes, key=lambda n: (-u.degree(n), n))
        out.update(ranked[:k])
    return out
