"""The network pages in a real browser: headless Debian chromium, every network request blocked.

Skipped when /usr/bin/chromium is missing, unless POLICYKG_REQUIRE_BROWSER=1 (CI), where that fails.
Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policykg.model.namespaces import PID
from policykg.viz import pages, projections as P, synthetic

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AUTO = PID + "sector/automobiles"
XSS_SECTOR = PID + "sector/xss"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests"
        if os.environ.get("POLICYKG_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " (POLICYKG_REQUIRE_BROWSER=1 requires them)")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Loaded:
    """A page opened offline, with everything it logged, asked for or popped up."""

    def __init__(self, browser, path: Path):
        self.console, self.requests, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def errors(self):
        return [m for m in self.console if m.startswith(("error", "pageerror"))]

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def node_point(self, node_id: str) -> tuple[float, float]:
        return tuple(self.js("""id => { const n = window.policykg.network;
            const p = n.canvasToDOM(n.getPositions([id])[id]);
            const r = document.querySelector('#net canvas').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""", node_id))

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def real_pages(build_dir):
    return {name: build_dir / "viz" / f"{name}.html" for name in ("overview", "instruments", "sectors", "lineage")}


@pytest.fixture(scope="module")
def expected_counts(store):
    cat = P.catalog(store)
    return {v.key: (v.graph.number_of_nodes(), v.graph.number_of_edges()) for v in pages.views(store, cat)}


@pytest.mark.parametrize("name", ["overview", "instruments", "sectors", "lineage"])
def test_every_page_draws_offline_with_the_expected_nodes_and_no_errors(browser, real_pages, expected_counts, name):
    page = Loaded(browser, real_pages[name])
    try:
        nodes, edges = expected_counts[name]
        assert nodes > 0
        assert page.js("window.policykg.nodes.length") == nodes
        assert page.js("window.policykg.edges.length") == edges
        assert page.page.text_content("#counts") == f"{nodes} nodes · {edges} links"
        assert page.errors() == []
        assert page.requests == []
        page.shot(f"{name}.png")
    finally:
        page.close()


def test_search_finds_automobiles_in_chinese_and_english(browser, real_pages):
    page = Loaded(browser, real_pages["overview"])
    try:
        page.page.fill("#search", "汽车")
        zh = page.js("window.policykg.state.matches")
        assert AUTO in zh
        assert page.page.text_content("#search-status") == f"{len(zh)} found"
        page.shot("overview-search-zh.png")
        page.page.fill("#search", "Automobile")
        en = page.js("window.policykg.state.matches")
        assert AUTO in en
        assert page.js("window.policykg.network.getSelectedNodes()").count(AUTO) == 1
        page.page.fill("#search", "no such words at all")
        assert page.page.text_content("#search-status") == "nothing found"
        assert page.errors() == [] and page.requests == []
    finally:
        page.close()


def test_language_switch_changes_labels_and_interface(browser, real_pages):
    page = Loaded(browser, real_pages["overview"])
    try:
        label = f"window.policykg.nodes.get({AUTO!r}).label"
        assert page.js(label) == "Automobiles"
        page.page.click("#langs button[data-lang=zh]")
        assert page.js(label) == "汽车"
        assert page.page.text_content("#title") == "知识图谱总览"
        assert page.js("document.documentElement.lang") == "zh-CN"
        assert "行业" in page.page.text_content("#legend")
        page.shot("overview-zh.png")
        page.page.click("#langs button[data-lang=en]")
        assert page.js(label) == "Automobiles"
        assert page.page.text_content("#title") == "Overview of the knowledge graph"
    finally:
        page.close()


def test_clicking_a_node_highlights_exactly_its_neighbours(browser, real_pages, store):
    g = P.overview(store)
    page = Loaded(browser, real_pages["overview"])
    try:
        page.js(f"window.policykg.network.focus({AUTO!r}, {{scale: 1.5}})")
        x, y = page.node_point(AUTO)
        page.page.mouse.click(x, y)
        assert page.js("window.policykg.state.highlighted") == AUTO
        assert page.js("window.policykg.state.neighbours") == sorted(set(g.predecessors(AUTO)) | set(g.successors(AUTO)))
        page.shot("overview-highlight.png")
    finally:
        page.close()


def test_filtering_a_class_hides_its_nodes(browser, real_pages, store):
    sectors = sum(1 for _, d in P.overview(store).nodes(data=True) if d["group"] == "sector")
    page = Loaded(browser, real_pages["overview"])
    try:
        hidden = "window.policykg.nodes.get({filter: n => n.hidden}).length"
        assert page.js(hidden) == 0
        page.page.click("#legend input[data-group=sector]")
        assert page.js(hidden) == sectors
        page.page.fill("#search", "汽车")
        assert AUTO not in page.js("window.policykg.state.matches")
        page.page.click("#legend input[data-group=sector]")
        assert page.js(hidden) == 0
    finally:
        page.close()


def test_a_markup_label_shows_as_text_and_never_runs(browser, tmp_path):
    written = pages.write_all(synthetic.fixture_store(), tmp_path, matrix=False)
    page = Loaded(browser, written["overview"])
    try:
        assert page.js("window.policykg.nodes.length") == synthetic.FIXTURE_OVERVIEW_NODES
        page.js(f"window.policykg.network.focus({XSS_SECTOR!r}, {{scale: 1.5}})")
        x, y = page.node_point(XSS_SECTOR)
        page.page.mouse.move(x - 40, y - 40)
        page.page.mouse.move(x, y, steps=5)
        tip = page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        text = tip.inner_text()
        assert synthetic.XSS in text
        assert "Sector" in text and "Fixture report" in text     # class and the source that states it
        page.shot("xss-tooltip.png")
        page.page.fill("#search", "onerror")
        assert page.page.text_content("#results li") == synthetic.XSS
        page.page.wait_for_timeout(300)
        assert page.dialogs == []
        assert page.js("document.querySelectorAll('img').length") == 0
        assert page.errors() == [] and page.requests == []
    finally:
        page.close()


def test_focus_page_centres_on_the_entity(browser, store, tmp_path):
    path = pages.write_focus(store, "汽车", 1, tmp_path)
    page = Loaded(browser, path)
    try:
        _, g = P.focus(store, "汽车", 1)
        assert page.js("window.policykg.nodes.length") == g.number_of_nodes()
        assert page.js(f"window.policykg.network.getPositions([{AUTO!r}])[{AUTO!r}]") == {"x": 0, "y": 0}
        assert page.errors() == [] and page.requests == []
        page.shot("focus-automobiles.png")
    finally:
        page.close()
