"""Benchmark: time until a network page is drawn in headless chromium (offline), and its weight.

Pages, measured in the same run:
- baseline: a page with one node (what every page pays: parsing vis-network, the font, the script);
- the real overview (from build/, built first if missing);
- the overview of N synthetic policies (default 10,000; `synthetic.synthetic_overview`: 2 parts and
  8 measures per policy, about 110,000 nodes before grouping), which the page shows as groups of
  documents by main sector that open on click; also the time to open the biggest group.
Also times `pages.write_all` on the real graph. "Drawn" is vis-network's first afterDrawing, measured
from navigation start with performance.now(); "ready" is the wall time from goto to the page's
data-ready mark. Goals (issue 13): real overview ready <= 1 s; 10k-policy overview ready <= 10 s and
<= 20 MB.

    nice .venv/bin/python benchmarks/viz.py [--runs 3] [--policies 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def real_store():
    from policykg.build import pipeline
    from policykg.store import load
    if not (REPO / "build" / "kg.nq").is_file():
        pipeline.build(REPO / "build")
    return load.load(REPO / "build")


def time_page(browser, path: Path, after: str | None = None) -> tuple[float, float, float | None]:
    """(ms to first draw from navigation start, ms wall from goto to ready, ms of `after` in the page)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    t = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    wall = (time.perf_counter() - t) * 1000
    drawn = page.evaluate("window.policykg.state.drawnAt")
    extra = None
    if after:
        extra = page.evaluate(f"""() => {{ const t = performance.now(); {after};
            return new Promise(done => requestAnimationFrame(() => done(performance.now() - t))); }}""")
    page.close()
    return drawn, wall, extra


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--policies", type=int, default=10_000)
    args = ap.parse_args()
    import networkx as nx
    from playwright.sync_api import sync_playwright

    from policykg.viz import pages, projections, synthetic

    tmp = Path(tempfile.mkdtemp(prefix="policykg-viz-bench-"))
    store = real_store()
    write = []
    for _ in range(args.runs):
        t = time.perf_counter()
        pages.write_all(store, tmp / "real", matrix=False)
        write.append(time.perf_counter() - t)

    one = nx.DiGraph()
    one.add_node("x", group="sector", label_en="One", label_zh="一", type_en="Sector", type_zh="行业", alt=[], sources=[])
    base = tmp / "baseline.html"
    base.write_text(pages.render(pages.View("baseline", "Baseline", "基线", one, {"x": (0, 0)})), encoding="utf-8")

    t = time.perf_counter()
    g = synthetic.synthetic_overview(args.policies)
    t_make = time.perf_counter() - t
    t = time.perf_counter()
    view = pages.overview_view(g, None, None, f"Synthetic overview ({args.policies} policies)", "合成总览")
    t_group = time.perf_counter() - t
    t = time.perf_counter()
    big = tmp / "synthetic.html"
    big.write_text(pages.render(view), encoding="utf-8")
    t_render = time.perf_counter() - t
    clusters = [(len(d["members"]), n) for n, d in view.graph.nodes(data=True) if d["group"] == "cluster"]
    biggest = max(clusters)[1]

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pages_to_time = [("baseline (one node)", base, None), ("real overview", tmp / "real" / "overview.html", None),
                         (f"{args.policies} policies", big, f"window.policykg.openGroup({biggest!r})")]
        for name, path, after in pages_to_time:
            results[name] = [time_page(browser, path, after) for _ in range(args.runs)]
        browser.close()

    real = projections.overview(store)
    print(f"pages.write_all on the real graph ({real.number_of_nodes()} overview nodes, 4 pages, GraphML, stats): "
          f"median {statistics.median(write):.2f} s (runs: {', '.join(f'{x:.2f}' for x in write)})")
    shown = sum(1 for _, d in view.graph.nodes(data=True) if d.get("shown", True))
    print(f"synthetic: {args.policies} policies, {g.number_of_nodes()} nodes / {g.number_of_edges()} links; "
          f"generated {t_make:.1f} s, grouped + laid out {t_group:.1f} s, rendered {t_render:.1f} s; "
          f"page {big.stat().st_size / 1e6:.1f} MB (goal <= 20 MB: "
          f"{'met' if big.stat().st_size <= 20e6 else 'MISSED'}), {view.graph.number_of_nodes()} nodes carried, "
          f"{shown} shown ({len(clusters)} groups), {view.graph.number_of_edges()} links carried")
    base_wall = statistics.median(r[1] for r in results["baseline (one node)"])
    goals = {"real overview": 1000, f"{args.policies} policies": 10000}
    for name, runs in results.items():
        drawn = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        line = (f"{name}: drawn at {drawn:.0f} ms, ready after {wall:.0f} ms wall (median of {len(runs)}; "
                f"{wall / base_wall:.1f}x the baseline)")
        if name in goals:
            line += f"; goal <= {goals[name] / 1000:.0f} s: {'met' if wall <= goals[name] else 'MISSED'}"
        if runs[0][2] is not None:
            line += f"; opening the biggest group ({max(clusters)[0]} documents): {statistics.median(r[2] for r in runs):.0f} ms"
        print(line)


if __name__ == "__main__":
    main()
