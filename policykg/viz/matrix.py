"""The measure × sector matrix as a static picture (PNG and SVG) for papers and slides.

Rows are measures in document order, columns the sectors they target (most-targeted first); a
filled cell means the measure, or one of its actions, targets the sector. Chinese labels need a
CJK font: `cjk_font()` finds one; without it only the English picture is drawn.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import sparql_prefixes
from policykg.store import union
from policykg.viz import projections as P
from policykg.viz.catalog import Catalog, catalog

CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font that covers Chinese, or None."""
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in CJK_NAMES if n in names), None)
    if found is None:
        # matplotlib's font cache predates a font installed later: register CJK files directly
        for path in sorted(font_manager.findSystemFonts()):
            if any(k in path for k in ("NotoSansCJK-Regular", "wqy-zenhei", "wqy-microhei", "DroidSansFallback")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = next((n for n in CJK_NAMES if n in names), None)
    return found


def _shorten(s: str, n: int = 48) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def table(store: ox.Store, cat: Catalog | None = None):
    """(measures, sectors, cells): every measure in document order (also those that target no sector),
    the sectors that some measure targets, most-targeted first."""
    cat = cat or catalog(store)
    pairs = P.measure_sector_pairs(store, cat)
    order = {}
    for r in store.query(sparql_prefixes() + """SELECT ?m ?doc ?n WHERE { ?m a pkg:Measure .
            OPTIONAL { ?m pkg:isPartOf ?doc . ?doc a pkg:PolicyDocument } OPTIONAL { ?m pkg:ordinal ?n } }""",
                         **union.options(store)):
        m = r["m"].value
        n = int(r["n"].value) if r["n"] is not None else 10**6
        order[m] = (r["doc"].value if r["doc"] is not None else "", n, m)
    measures = sorted(set(order) | {m for m, _ in pairs}, key=lambda m: order.get(m, ("", 10**6, m)))
    count = Counter(s for _, s in pairs)
    sectors = sorted(count, key=lambda s: (-count[s], cat.label(s, "en"), s))
    return measures, sectors, set(pairs)


def figure(store: ox.Store, lang: str = "en", cat: Catalog | None = None):
    from matplotlib.figure import Figure
    cat = cat or catalog(store)
    measures, sectors, cells = table(store, cat)
    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and not font:
        raise RuntimeError("no CJK font installed (fc-list :lang=zh is empty); install fonts-noto-cjk")
    rc = {"family": [font, "DejaVu Sans"]} if font else {"family": ["DejaVu Sans"]}
    w = max(6.0, 3.6 + 0.32 * len(sectors))
    h = max(3.0, 2.4 + 0.3 * len(measures))
    fig = Figure(figsize=(w, h), dpi=120)
    ax = fig.add_subplot()
    grid = [[1 if (m, s) in cells else 0 for s in sectors] for m in measures]
    ax.imshow(grid or [[0]], cmap="Blues", vmin=0, vmax=1.4, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(sectors)))
    ax.set_xticklabels([_shorten(cat.label(s, lang), 30) for s in sectors], rotation=60, ha="right",
                       fontsize=8, fontfamily=rc["family"])
    ax.set_yticks(range(len(measures)))
    ax.set_yticklabels([_shorten(cat.label(m, lang)) for m in measures], fontsize=8, fontfamily=rc["family"])
    ax.set_xticks([x - 0.5 for x in range(1, len(sectors))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(measures))], minor=True)
    ax.grid(which="minor", color="#dddddd", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    title = {"en": "Measures × sectors they target", "zh": "措施 × 针对行业"}[lang]
    ax.set_title(title, fontsize=11, fontfamily=rc["family"])
    fig.tight_layout()
    return fig


def write(store: ox.Store, out_dir: Path, cat: Catalog | None = None) -> dict[str, Path]:
    """matrix.png and matrix.svg (English), and matrix-zh.* when a CJK font is installed."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    cat = cat or catalog(store)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    langs = ["en"] + (["zh"] if cjk_font() else [])
    with matplotlib.rc_context({"svg.hashsalt": "policykg", "svg.fonttype": "path"}):
        for lang in langs:
            fig = figure(store, lang, cat)
            stem = "matrix" if lang == "en" else "matrix-zh"
            FigureCanvasAgg(fig).print_png(out_dir / f"{stem}.png", metadata={"Software": None})
            FigureCanvasSVG(fig).print_svg(out_dir / f"{stem}.svg", metadata={"Date": None, "Creator": None})
            written[f"{stem}.png"], written[f"{stem}.svg"] = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    return written
