"""Benchmark: time until a network page is drawn and stable in headless chromium (offline).

Pages: the real overview (from build/, built first if missing) and the overview of a synthetic
5,000-node graph (layout precomputed by networkx, physics off). Also times `pages.write_all` on the
real graph (the build's viz stage). Prints medians over a few runs and the goals: overview under
3 s, 5,000 nodes under 10 s. "Drawn" is vis-network's first afterDrawing, measured from navigation
start with performance.now(); "stable" holds at that moment because the pages run no physics (the
benchmark checks that no redraw follows within half a second).

    .venv/bin/python benchmarks/viz.py [--runs 3] [--nodes 5000]
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
    from policykg.build import pipeline as build
    from policykg.store import load as dataset
    if not (REPO / "build" / "kg.nq").is_file():
        build.build(REPO / "build")
    return dataset.load(REPO / "build")


def time_page(browser, path: Path) -> tuple[float, float, int]:
    """(ms to first draw from navigation start, ms wall from goto to ready, redraws in the next 500 ms)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    t = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    wall = (time.perf_counter() - t) * 1000
    drawn = page.evaluate("window.policykg.state.drawnAt")
    redraws = page.evaluate("""() => new Promise(done => { let n = 0;
        window.policykg.network.on('afterDrawing', () => n++); setTimeout(() => done(n), 500); })""")
    page.close()
    return drawn, wall, redraws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=5000)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from policykg.viz import layout, pages, projections, synthetic

    tmp = Path(tempfile.mkdtemp(prefix="policykg-viz-bench-"))
    store = real_store()
    write = []
    for _ in range(args.runs):
        t = time.perf_counter()
        pages.write_all(store, tmp / "real")
        write.append(time.perf_counter() - t)

    t = time.perf_counter()
    syn = synthetic.synthetic_store(args.nodes)
    cat = projections.catalog(syn)
    g = projections.overview(syn, cat)
    t_project = time.perf_counter() - t
    t = time.perf_counter()
    pos = layout.spring(g)
    t_layout = time.perf_counter() - t
    big = tmp / "synthetic" / "overview.html"
    big.parent.mkdir(parents=True)
    big.write_text(pages.render(pages.View("overview", f"Synthetic overview ({g.number_of_nodes()} nodes)",
                                           "合成总览", g, pos)), encoding="utf-8")

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, path in (("real overview", tmp / "real" / "overview.html"), (f"synthetic {g.number_of_nodes()} nodes", big)):
            runs = [time_page(browser, path) for _ in range(args.runs)]
            results[name] = runs
        browser.close()

    real_nodes = projections.overview(store).number_of_nodes()
    print(f"pages.write_all on the real graph ({real_nodes} overview nodes): median {statistics.median(write):.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in write)}); target < 1 s")
    print(f"synthetic graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} links; projection {t_project:.2f} s, "
          f"layout {t_layout:.2f} s ({'spring' if g.number_of_nodes() <= layout.SPRING_LIMIT else 'rings by class'}), "
          f"page {big.stat().st_size / 1e6:.1f} MB")
    goals = {"real overview": 3000}
    for name, runs in results.items():
        drawn = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        goal = goals.get(name, 10000)
        print(f"{name}: drawn at {drawn:.0f} ms, ready after {wall:.0f} ms wall (median of {len(runs)}); "
              f"redraws in the next 500 ms: {max(r[2] for r in runs)}; goal < {goal / 1000:.0f} s: "
              f"{'met' if wall < goal else 'MISSED'}")


if __name__ == "__main__":
    main()
