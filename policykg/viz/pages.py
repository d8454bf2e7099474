"""Self-contained HTML network pages (vis-network inlined, no CDN, no physics) and `write_all`.

Data reaches the page only as JSON inside `<script type="application/json">` with `<`, `>` and `&`
escaped, and the page's script puts text into the DOM with textContent; see docs/viz.md. Every page
carries a subset of a CJK font (font.py) for the characters it uses, the relation of every link
(relations.py), the side panel's details (details.py) and, for big overviews, groups that open on
click (aggregate.py).
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from policykg.model.namespaces import PID
from policykg.viz import aggregate, font, layout, projections as P, relations
from policykg.viz.catalog import Catalog, catalog, key_of
from policykg.viz.focus import entity_graph, focus
from policykg.viz.graphs import sorted_graph
from policykg.viz.groups import GROUPS
from policykg.viz.details import Details, details as read_details

HERE = Path(__file__).resolve().parent
VIS_JS = HERE / "vendor" / "vis-network-9.1.2.min.js"
FOCUS_EMBED_MAX = 3000     # a focus page carries the whole entity graph up to this size, else depth + 2


@dataclass
class View:
    key: str            # file name without .html
    en: str
    zh: str
    graph: nx.Graph
    positions: dict
    edge_labels: bool = False
    size_attr: str | None = None    # node attribute for size; default: degree
    important: set = field(default_factory=set)     # labels shown at the default zoom
    details: Details | None = None
    cat: Catalog | None = None

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


def _rel_label(cat: Catalog | None):
    def label(key: str) -> dict[str, str]:
        if cat:
            return cat.prop(key)
        words = re.sub(r"(?<!^)([A-Z])", lambda m: " " + m.group(1).lower(), key)
        return {"en": words, "zh": words}
    return label


def page_data(view: View, nav: list[dict], lang: str = "en") -> dict:
    g = view.graph
    und = g.to_undirected(as_view=True) if g.is_directed() else g
    present = {d["group"] for _, d in g.nodes(data=True)}
    counts = {k: 0 for k in present}
    for _, d in g.nodes(data=True):
        counts[d["group"]] += 1
    det, cat = view.details, view.cat
    nodes, index, types = [], {}, {}
    for n, d in g.nodes(data=True):
        if view.size_attr:
            size = d.get(view.size_attr, 0)
        elif "size" in d:
            size = d["size"]
        else:
            size = und.degree(n)
        index[n] = len(nodes)
        node = {"id": n, "g": d["group"], "l": {"en": d["label_en"], "zh": d["label_zh"]},
                "t": types.setdefault((d["type_en"], d["type_zh"]), len(types)), "s": _size(size)}
        if d.get("alt"):
            node["alt"] = list(d["alt"])
        if d.get("sources"):
            node["src"] = list(d["sources"])
        if n in view.positions:
            node["x"], node["y"] = view.positions[n]
        if n in view.important:
            node["i"] = 1
        if not d.get("shown", True):
            node["v"] = 0
        if d.get("agg"):
            node["agg"] = d["agg"]
        if d.get("members"):
            node["m"] = list(d["members"])
        if det is not None and cat is not None:
            extra = det.panel(n, cat)
            if "years" in extra:
                node["yr"] = extra.pop("years")
            codes = [c["v"] for c in extra.get("codes", ())]
            if codes:
                node["codes"] = codes
            if extra:
                node["p"] = extra
        elif d.get("year"):
            node["yr"] = [d["year"], d["year"]]
        nodes.append(node)
    weights = [e.get("weight", 1) for _, _, e in g.edges(data=True)]
    wmax = max(weights, default=1)
    edges, all_rels = [], []
    for a, b, e in g.edges(data=True):
        w = e.get("weight", 1)
        rels = list(e.get("rels") or ["related"])
        all_rels.extend(rels)
        edge = {"a": index[a], "b": index[b], "r": rels}
        if e.get("sources"):
            edge["src"] = list(e["sources"])
        if w != 1:
            edge["w"] = round(1 + 4 * (w - 1) / max(wmax - 1, 1), 2)
        if e.get("label_en"):
            edge["l"] = {"en": e["label_en"], "zh": e.get("label_zh", e["label_en"])}
        edges.append(edge)
    groups = [{"key": gr.key, "en": gr.en, "zh": gr.zh, "color": gr.color, "shape": gr.shape, "count": counts[gr.key]}
              for gr in GROUPS if gr.key in present]
    return {"title": {"en": view.en, "zh": view.zh}, "lang": lang, "groups": groups, "nodes": nodes, "edges": edges,
            "rels": relations.table(all_rels, _rel_label(cat)), "nav": nav, "directed": g.is_directed(),
            "edgeLabels": view.edge_labels, "font": font.FAMILY, "base": PID,
            "types": [{"en": en, "zh": zh} for (en, zh), _ in sorted(types.items(), key=lambda kv: kv[1])]}


def render(view: View, nav: list[dict] | None = None, lang: str = "en", font_css: str | None = None) -> str:
    """The page's HTML. `font_css` is the @font-face rule to embed (default: a subset for this page)."""
    template, css, js, vis = _assets()
    nav = nav if nav is not None else [{"href": view.filename, "en": view.en, "zh": view.zh, "current": True}]
    pd = page_data(view, nav, lang)
    data = _json_for_script(pd)
    if font_css is None:
        font_css = font.font_face(font.characters(json.dumps(pd, ensure_ascii=False), js, template))
    parts = {"@@TITLE@@": html.escape(f"{view.en} — PolicyKG"), "@@CSS@@": css, "@@FONT@@": font_css,
             "@@DATA@@": data, "@@VIS@@": vis, "@@JS@@": js}
    # substitute in one pass, so that inserted text is never searched for markers again
    return re.sub("|".join(re.escape(k) for k in parts), lambda m: parts[m.group(0)], template)


# ---------------------------------------------------------------------------- the views

def overview_view(g: nx.DiGraph, cat: Catalog | None, det: Details | None,
                  en: str = "Overview of the knowledge graph", zh: str = "知识图谱总览") -> View:
    """The overview: documents and measures in the middle, vocabularies around; grouped when big."""
    if aggregate.needed(g):
        a = aggregate.aggregate(g)
        top = a.subgraph([n for n, d in a.nodes(data=True) if d.get("shown", True)])
        biggest = max((len(d.get("members", ())) for _, d in a.nodes(data=True)), default=0)
        pos = aggregate.member_positions(a, layout.radial(top, margin=aggregate.spiral_radius(biggest)))
        return View("overview", en, zh, a, pos, important=layout.important(top), details=det, cat=cat)
    return View("overview", en, zh, g, layout.radial(g), important=layout.important(g), details=det, cat=cat)


def views(store: ox.Store, cat: Catalog | None = None, det: Details | None = None) -> list[View]:
    cat = cat or catalog(store)
    det = det or read_details(store, cat)
    ov = P.overview(store, cat)
    chain = P.measure_instrument_agency(store, cat)
    co = P.sector_cotargeting(store, cat)
    lin = P.lineage(store, cat)
    return [
        overview_view(ov, cat, det),
        View("instruments", "Measures → instruments → responsible agencies", "措施 → 政策工具 → 责任主体",
             chain, layout.columns(chain, ["measure", "instrument", "agency"]), important=set(chain.nodes),
             details=det, cat=cat),
        View("sectors", "Sectors targeted together (measures in common)", "行业共同针对（共同措施数）",
             co, layout.spring(co, weight="weight"), edge_labels=True, size_attr="measures",
             important=layout.important(co, {"sector": 0.3}), details=det, cat=cat),
        View("lineage", "Policy lineage: refers to, implements, continues", "政策脉络：提及、贯彻落实、延续",
             lin, layout.generations(lin), edge_labels=True, important=set(lin.nodes), details=det, cat=cat),
    ]


def _nav(vs: list[View], current: str) -> list[dict]:
    return [{"href": v.filename, "en": v.en, "zh": v.zh, "current": v.key == current} for v in vs]


def shared_font(vs: list[View], navs: list[list[dict]]) -> str:
    """One @font-face rule for all the pages: a subset with the characters any of them uses."""
    template, _, js, _ = _assets()
    texts = [template, js]
    for v, nav in zip(vs, navs):
        texts.append(json.dumps(page_data(v, nav), ensure_ascii=False))
    return font.font_face(font.characters(*texts))


def write_views(vs: list[View], out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    navs = [_nav(vs, v.key) for v in vs]
    face = shared_font(vs, navs)
    written = {}
    for v, nav in zip(vs, navs):
        path = out_dir / v.filename
        path.write_text(render(v, nav, font_css=face), encoding="utf-8")
        written[v.key] = path
    return written


def write_all(store: ox.Store, out_dir: Path, *, matrix: bool = True) -> dict[str, Path]:
    """Every page, the GraphML files, the measure × sector picture and the statistics, into out_dir.
    `policykg build` and `policykg viz` both call this, so they write the same pages."""
    from policykg.viz import analytics, export
    out_dir = Path(out_dir)
    cat = catalog(store)
    vs = views(store, cat)
    written = write_views(vs, out_dir)
    ov = P.overview(store, cat)
    for v in vs:
        graph = ov if v.key == "overview" else v.graph
        written[f"{v.key}.graphml"] = export.write_graphml(graph, out_dir / f"{v.key}.graphml",
                                                           v.positions if graph is v.graph else layout.radial(ov))
    st = analytics.stats(store, cat, overview=ov)
    (out_dir / "stats.md").write_text(analytics.as_markdown(st), encoding="utf-8")
    (out_dir / "stats.json").write_text(json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
    written["stats.md"], written["stats.json"] = out_dir / "stats.md", out_dir / "stats.json"
    if matrix:
        from policykg.viz import matrix as mx
        written.update(mx.write(store, out_dir, cat))
    return written


def focus_filename(iri: str, depth: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", key_of(iri).lower()).strip("-") or "entity"
    return f"focus-{slug}-{depth}.html"


def focus_view(store: ox.Store, entity: str, depth: int, cat: Catalog | None = None) -> tuple[str, View]:
    """The entity's neighbourhood to `depth` shown, the rest of the entity graph carried (hidden) so
    that the page can expand any node's neighbours; the centre at the origin."""
    cat = cat or catalog(store)
    iri, near = focus(store, entity, depth, cat)
    full = entity_graph(store, cat)
    if iri not in full:
        full.add_node(iri, **cat.node_attrs(iri))
    if full.number_of_nodes() > FOCUS_EMBED_MAX:
        reach = nx.single_source_shortest_path_length(full.to_undirected(as_view=True), iri, cutoff=depth + 2)
        full = full.subgraph(reach).copy()
    full = sorted_graph(full)
    for n in full.nodes:
        full.nodes[n]["shown"] = n in near
    positions = layout.spring(near)
    if iri in positions:                      # the centre at the origin
        cx, cy = positions[iri]
        positions = {k: (round(x - cx, 1), round(y - cy, 1)) for k, (x, y) in positions.items()}
    view = View(focus_filename(iri, depth)[:-5], f"Around: {cat.label(iri, 'en')} (depth {depth})",
                f"焦点：{cat.label(iri, 'zh')}（深度 {depth}）", full, positions,
                important=set(near.nodes) if near.number_of_nodes() <= 60 else layout.important(near) | {iri},
                details=read_details(store, cat), cat=cat)
    return iri, view


def write_focus(store: ox.Store, entity: str, depth: int, out_dir: Path) -> Path:
    """A page centred on one entity (IRI, key, or zh/en label), `depth` links around it."""
    iri, view = focus_view(store, entity, depth)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / view.filename
    nav = [{"href": "overview.html", "en": "Overview", "zh": "总览", "current": False},
           {"href": view.filename, "en": view.en, "zh": view.zh, "current": True}]
    path.write_text(render(view, nav), encoding="utf-8")
    return path
