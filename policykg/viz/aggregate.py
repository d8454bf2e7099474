"""Overviews too big to draw node by node: documents grouped by the sector they target most.

Above AGGREGATE_ABOVE nodes the overview shows one node per group of documents (documents and
reports whose measures mostly target the same sector; "no sector" for the rest) instead of the
documents, parts, measures and targets, with the vocabulary concepts around them. A group opens on
click: its documents appear around it, each linked to the concepts its parts and measures address
(lifted to the document; its MEMBER_LINKS most used ones) and to the documents it cites.

Bounds (documented in docs/viz.md): a group holds at most GROUP_MAX documents (a sector with more
gets several groups, in order of year); a group keeps its GROUP_LINKS heaviest links to concepts and to
other groups; a document its MEMBER_LINKS heaviest links to concepts (lineage links are all kept).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import networkx as nx

from policykg.viz.catalog import key_of
from policykg.viz.groups import GROUP

AGGREGATE_ABOVE = 600
GROUP_LINKS = 8
MEMBER_LINKS = 8
GROUP_MAX = 250        # documents per group: a sector's documents beyond that split by year into several groups
DOCS = ("document", "source")
INSIDE = ("part", "measure", "target")
LINEAGE = {"refersTo", "implements", "basedOn", "continues", "reportsOn", "editionOf"}


def needed(g: nx.Graph) -> bool:
    return g.number_of_nodes() > AGGREGATE_ABOVE


def _roots(g: nx.DiGraph) -> dict[str, str]:
    """Each document, part, measure and target → its document (parts by `is part of`, targets by
    `sets target`); nodes without one are left out."""
    parent: dict[str, str] = {}
    for a, b, e in g.edges(data=True):
        if "isPartOf" in e.get("rels", ()):
            parent.setdefault(a, b)
        elif "setsTarget" in e.get("rels", ()) and g.nodes[b].get("group") == "target":
            parent.setdefault(b, a)
    roots: dict[str, str] = {}
    for n, d in g.nodes(data=True):
        if d.get("group") in DOCS:
            roots[n] = n
    for n, d in g.nodes(data=True):
        if d.get("group") not in INSIDE:
            continue
        x, seen = n, set()
        while x in parent and x not in seen and g.nodes[x].get("group") not in DOCS:
            seen.add(x)
            x = parent[x]
        if g.nodes[x].get("group") in DOCS:
            roots[n] = x
    return roots


def aggregate(g: nx.DiGraph) -> nx.DiGraph:
    """The grouped overview: vocabulary nodes, one `cluster` node per group (attribute `members`),
    the documents (attribute `agg`: their group; `shown`: False) and their lifted links."""
    roots = _roots(g)
    vocab = {n for n, d in g.nodes(data=True) if d.get("group") not in DOCS + INSIDE}
    # what each document addresses, counted over its parts and measures, and whom it cites
    links: dict[str, Counter] = defaultdict(Counter)
    rels: dict[tuple[str, str], set[str]] = defaultdict(set)
    cites: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a, b, e in g.edges(data=True):
        ra, rb = roots.get(a), roots.get(b)
        if ra and b in vocab:
            links[ra][b] += 1
            rels[(ra, b)].update(e.get("rels", ()))
        elif rb and a in vocab:
            links[rb][a] += 1
            rels[(rb, a)].update(e.get("rels", ()))
        elif ra and rb and ra != rb:
            cites[(ra, rb)].update(e.get("rels", ()))
    docs = sorted({r for r in roots.values()})

    def main_sector(d):
        secs = [(c, s) for s, c in links[d].items() if g.nodes[s].get("group") == "sector"]
        return min(secs, key=lambda t: (-t[0], t[1]))[1] if secs else None
    by_sector: dict[str | None, list[str]] = defaultdict(list)
    for d in docs:
        by_sector[main_sector(d)].append(d)
    groups: dict[str, list[str]] = {}
    parts: dict[str, tuple[str | None, int, int]] = {}        # group id -> (sector, part, parts)
    for s, ds in by_sector.items():
        base = f"cluster:{key_of(s) if s else 'none'}"
        ds = sorted(ds, key=lambda d: (g.nodes[d].get("year", 0), d))
        n = math.ceil(len(ds) / GROUP_MAX)
        for i in range(n):
            cid = base if n == 1 else f"{base}/{i + 1}"
            groups[cid] = ds[i * GROUP_MAX:(i + 1) * GROUP_MAX]
            parts[cid] = (s, i + 1, n)

    out = nx.DiGraph()
    for n in sorted(vocab):
        out.add_node(n, **g.nodes[n])
    cl = GROUP["cluster"]
    for cid in sorted(groups):
        members = groups[cid]
        sector, part, nparts = parts[cid]
        en = g.nodes[sector]["label_en"] if sector else "no sector"
        zh = g.nodes[sector]["label_zh"] if sector else "无行业"
        if nparts > 1:
            en, zh = f"{en} ({part}/{nparts})", f"{zh}（{part}/{nparts}）"
        out.add_node(cid, iri=cid, group="cluster", label_en=f"{en}: {len(members)} documents",
                     label_zh=f"{zh}：{len(members)} 份文件", type_en=cl.en, type_zh=cl.zh, alt=[],
                     sources=[], members=sorted(members), size=len(members))
        for d in members:
            out.add_node(d, **g.nodes[d], agg=cid, shown=False)
    of = {d: cid for cid, ms in groups.items() for d in ms}
    # group → concept and group → group, the heaviest
    gl: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for d, cnt in links.items():
        for s, c in cnt.items():
            gl[(of[d], s)]["n"] += c
            gl[(of[d], s)].update({r: 0 for r in rels[(d, s)]})
    for (a, b), rs in cites.items():
        if of[a] != of[b]:
            gl[(of[a], of[b])]["n"] += 1
            gl[(of[a], of[b])].update({r: 0 for r in rs})
    per_group: dict[str, list] = defaultdict(list)
    for (a, b), c in gl.items():
        per_group[a].append((c["n"], b, sorted(k for k in c if k != "n")))
    for a in sorted(per_group):
        for n, b, rs in sorted(per_group[a], key=lambda t: (-t[0], t[1]))[:GROUP_LINKS]:
            out.add_edge(a, b, rels=rs, weight=n, label_en=f"{n} links", label_zh=f"{n} 条连线", sources=[])
    for d in docs:
        for s, c in sorted(links[d].items(), key=lambda t: (-t[1], t[0]))[:MEMBER_LINKS]:
            out.add_edge(d, s, rels=sorted(rels[(d, s)]), weight=c, label_en="", label_zh="", sources=[])
    for (a, b), rs in sorted(cites.items()):
        out.add_edge(a, b, rels=sorted(rs), weight=1, label_en="", label_zh="", sources=[])
    return out


SPACING = 48.0         # pixels between neighbouring documents of an opened group


def spiral_radius(members: int, spacing: float = SPACING) -> float:
    return spacing * math.sqrt(members)


def member_positions(g: nx.DiGraph, pos: dict[str, tuple[float, float]], spacing: float = SPACING) -> dict:
    """Each group's documents around the group node, on a sunflower spiral (deterministic)."""
    out = dict(pos)
    golden = math.pi * (3 - math.sqrt(5))
    for n, d in g.nodes(data=True):
        if d.get("group") != "cluster":
            continue
        cx, cy = pos[n]
        for i, m in enumerate(d["members"]):
            r = spacing * math.sqrt(i + 1)
            out[m] = (round(cx + r * math.cos(i * golden), 1), round(cy + r * math.sin(i * golden), 1))
    return out
