"""Self-contained HTML network pages (vis-network inlined, no CDN, no physics) and `write_all`.

Data reaches the page only as JSON inside `<script type="application/json">` with `<`, `>` and `&`
escaped, and the page's script puts text into the DOM with textContent; see docs/viz.md.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from policykg.viz import layout, projections as P

HERE = Path(__file__).resolve().parent
VIS_JS = HERE / "vendor" / "vis-network-9.1.2.min.js"


@dataclass
class View:
    key: str            # file name without .html
    en: str
    zh: str
    graph: nx.Graph
    positions: dict
    edge_labels: bool = False
    size_attr: str | None = None    # node attribute for size; default: degree

    @property
    def filename(self) -> str:
        return f"{self.key}.html"


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str, str]:
    t = HERE / "templates"
    return ((t / "page.html").read_text(encoding="utf-8"), (t / "page.css").read_text(encoding="utf-8"),
            (t / "page.js").read_text(encoding="utf-8"), VIS_JS.read_text(encoding="utf-8"))


def _json_for_script(obj) -> str:
    """JSON that cannot end its <script> element or start markup: <, > and & as \\u escapes."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _size(value: float) -> float:
    return round(min(42.0, 8.0 + 4.0 * math.sqrt(max(value, 0))), 1)


def page_data(view: View, nav: list[dict], lang: str = "en") -> dict:
    g = view.graph
    und = g.to_undirected(as_view=True) if g.is_directed() else g
    present = {d["group"] for _, d in g.nodes(data=True)}
    counts = {k: 0 for k in present}
    for _, d in g.nodes(data=True):
        counts[d["group"]] += 1
    nodes = []
    for n, d in sorted(g.nodes(data=True)):
        x, y = view.positions.get(n, (0.0, 0.0))
        size = d.get(view.size_attr, 0) if view.size_attr else und.degree(n)
        nodes.append({"id": n, "g": d["group"], "l": {"en": d["label_en"], "zh": d["label_zh"]},
                      "t": {"en": d["type_en"], "zh": d["type_zh"]}, "alt": list(d.get("alt", [])),
                      "src": list(d.get("sources", [])), "x": x, "y": y, "s": _size(size)})
    weights = [e.get("weight", 1) for _, _, e in g.edges(data=True)]
    wmax = max(weights, default=1)
    edges = []
    for a, b, e in sorted(g.edges(data=True), key=lambda t: (t[0], t[1])):
        w = e.get("weight", 1)
        edges.append({"from": a, "to": b, "l": {"en": e.get("label_en", ""), "zh": e.get("label_zh", "")},
                      "src": list(e.get("sources", [])), "w": round(1 + 5 * (w - 1) / max(wmax - 1, 1), 2)})
    groups = [{"key": gr.key, "en": gr.en, "zh": gr.zh, "color": gr.color, "shape": gr.shape, "count": counts[gr.key]}
              for gr in P.GROUPS if gr.key in present]
    return {"title": {"en": view.en, "zh": view.zh}, "lang": lang, "groups": groups, "nodes": nodes, "edges": edges,
            "nav": nav, "directed": g.is_directed(), "edgeLabels": view.edge_labels}


def render(view: View, nav: list[dict] | None = None, lang: str = "en") -> str:
    template, css, js, vis = _assets()
    nav = nav if nav is not None else [{"href": view.filename, "en": view.en, "zh": view.zh, "current": True}]
    parts = {"@@TITLE@@": html.escape(f"{view.en} — PolicyKG"), "@@CSS@@": css,
             "@@DATA@@": _json_for_script(page_data(view, nav, lang)), "@@VIS@@": vis, "@@JS@@": js}
    # substitute in one pass, so that inserted text is never searched for markers again
    return re.sub("|".join(re.escape(k) for k in parts), lambda m: parts[m.group(0)], template)


# ---------------------------------------------------------------------------- the views

def views(store: ox.Store, cat: P.Catalog | None = None) -> list[View]:
    cat = cat or P.catalog(store)
    ov = P.overview(store, cat)
    chain = P.measure_instrument_agency(store, cat)
    co = P.sector_cotargeting(store, cat)
    lin = P.lineage(store, cat)
    return [
        View("overview", "Overview of the knowledge graph", "知识图谱总览", ov, layout.spring(ov)),
        View("instruments", "Measures → instruments → responsible agencies", "措施 → 政策工具 → 责任主体",
             chain, layout.columns(chain, ["measure", "instrument", "agency"])),
        View("sectors", "Sectors targeted together (measures in common)", "行业共同针对（共同措施数）",
             co, layout.spring(co, weight="weight"), edge_labels=True, size_attr="measures"),
        View("lineage", "Policy lineage: refers to, implements, continues", "政策脉络：提及、贯彻落实、延续",
             lin, layout.generations(lin), edge_labels=True),
    ]


def _nav(vs: list[View], current: str) -> list[dict]:
    return [{"href": v.filename, "en": v.en, "zh": v.zh, "current": v.key == current} for v in vs]


def write_views(vs: list[View], out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for v in vs:
        path = out_dir / v.filename
        path.write_text(render(v, _nav(vs, v.key)), encoding="utf-8")
        written[v.key] = path
    return written


def write_all(store: ox.Store, out_dir: Path, *, matrix: bool = True) -> dict[str, Path]:
    """Every page, the GraphML files, the measure × sector picture and the statistics, into out_dir."""
    from policykg.viz import analytics, export
    out_dir = Path(out_dir)
    cat = P.catalog(store)
    vs = views(store, cat)
    written = write_views(vs, out_dir)
    for v in vs:
        written[f"{v.key}.graphml"] = export.write_graphml(v.graph, out_dir / f"{v.key}.graphml", v.positions)
    st = analytics.stats(store, cat, overview=vs[0].graph)
    (out_dir / "stats.md").write_text(analytics.as_markdown(st), encoding="utf-8")
    (out_dir / "stats.json").write_text(json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
    written["stats.md"], written["stats.json"] = out_dir / "stats.md", out_dir / "stats.json"
    if matrix:
        from policykg.viz import matrix as mx
        written.update(mx.write(store, out_dir, cat))
    return written


def focus_filename(iri: str, depth: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", P.key_of(iri).lower()).strip("-") or "entity"
    return f"focus-{slug}-{depth}.html"


def write_focus(store: ox.Store, entity: str, depth: int, out_dir: Path) -> Path:
    """A page centred on one entity (IRI, key, or zh/en label), `depth` links around it."""
    cat = P.catalog(store)
    iri, g = P.focus(store, entity, depth, cat)
    positions = layout.spring(g)
    if iri in positions:                      # the centre at the origin
        cx, cy = positions[iri]
        positions = {k: (round(x - cx, 1), round(y - cy, 1)) for k, (x, y) in positions.items()}
    view = View(focus_filename(iri, depth)[:-5], f"Around: {cat.label(iri, 'en')} (depth {depth})",
                f"焦点：{cat.label(iri, 'zh')}（深度 {depth}）", g, positions)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / view.filename
    nav = [{"href": "overview.html", "en": "Overview", "zh": "总览", "current": False},
           {"href": view.filename, "en": view.en, "zh": view.zh, "current": True}]
    path.write_text(render(view, nav), encoding="utf-8")
    return path
