"""The network pages in a real browser: headless Debian chromium, every network request blocked.

Skipped when /usr/bin/chromium is missing, unless POLICYKG_REQUIRE_BROWSER=1 (CI), where that fails.
Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from policykg.model.namespaces import PID
from policykg.viz import pages, projections as P, synthetic
from policykg.viz.catalog import catalog
from policykg.viz.focus import entity_graph, focus

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
        b.policykg_playwright = p            # for tests that launch a browser of their own
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
    cat = catalog(store)
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
        _, g = focus(store, "汽车", 1)
        assert page.js("window.policykg.state.visible") == g.number_of_nodes()
        assert page.js(f"window.policykg.network.getPositions([{AUTO!r}])[{AUTO!r}]") == {"x": 0, "y": 0}
        assert page.errors() == [] and page.requests == []
        page.shot("focus-automobiles.png")
    finally:
        page.close()


# ---------------------------------------------------------------------------- typed links, search, explore, time

NOTICE = PID + "doc/miit-2022-160"
AUTO_PLAN = PID + "doc/plan-2023-automobiles"
GUIDELINES_2019 = PID + "doc/tech-retrofit-investment-guidelines"     # published 2019-08-30
NOTICE_NUMBER = "工信部联运行〔2022〕160号"                                # notice-160.md: issued 2022-11-21
STRUCTURE = {"refersTo", "implements", "basedOn", "continues", "isPartOf", "reportsOn", "editionOf", "setsTarget"}


def test_links_carry_their_relation_and_the_legend_filters_by_relation(browser, real_pages, store):
    g = P.overview(store)
    issued = [(a, b) for a, b, e in g.edges(data=True) if e["rels"] == ["issuedBy"]]   # only that relation
    notice_issuers = sorted(b for a, b, e in g.edges(data=True) if a == NOTICE and "issuedBy" in e["rels"])
    # the Notice is issued by MIIT, NDRC and SASAC (notice-160.md)
    assert notice_issuers == [PID + "agency/miit", PID + "agency/ndrc", PID + "agency/sasac"]
    page = Loaded(browser, real_pages["overview"])
    try:
        eid = page.js("""([a, b]) => window.policykg.data.edges.find(e => e.from === a && e.to === b).id""",
                      [NOTICE, PID + "agency/miit"])
        edge = page.js(f"window.policykg.edges.get({eid!r})")
        assert edge["dashes"] == [8, 4] and edge["color"]["color"] == "#4f9a94"     # relations.py: issuedBy
        assert edge.get("label") is None
        page.js(f"window.policykg.select({NOTICE!r})")
        # labelled on selection, with every relation of the link: MIIT issued the Notice and is responsible in it
        assert page.js(f"window.policykg.edges.get({eid!r}).label") == "issued by, responsible agency"
        assert g.edges[NOTICE, PID + "agency/miit"]["rels"] == ["issuedBy", "responsibleAgency"]
        page.js("window.policykg.clearHighlight()")
        hidden = "window.policykg.edges.get({filter: e => e.hidden}).length"
        assert page.js(hidden) == 0
        page.page.click("#rels input[data-rel=issuedBy]")
        assert page.js(hidden) == len(issued)
        page.page.click("#langs button[data-lang=zh]")
        assert "发布机构" in page.page.text_content("#rels")
        page.page.click("#rels input[data-rel=issuedBy]")
        assert page.js(hidden) == 0
        assert page.errors() == [] and page.requests == []
    finally:
        page.close()


def test_search_by_document_number_key_and_label_lists_the_matches(browser, real_pages):
    page = Loaded(browser, real_pages["overview"])
    try:
        page.page.fill("#search", NOTICE_NUMBER)
        assert page.js("window.policykg.state.matches")[0] == NOTICE
        assert page.page.text_content("#results li .why") == NOTICE_NUMBER
        page.page.fill("#search", "〔2023〕144号")                    # part of a number
        assert PID + "doc/miit-2023-144" in page.js("window.policykg.state.matches")
        page.page.fill("#search", "doc/plan-2023-automobiles")       # a key
        assert page.js("window.policykg.state.matches") == [AUTO_PLAN]
        page.page.fill("#search", "Automobile")
        matches = page.js("window.policykg.state.matches")
        assert AUTO in matches and AUTO_PLAN in matches
        assert page.js("document.querySelectorAll('#results li').length") == min(len(matches), 50)
        page.shot("search-document-number.png")
    finally:
        page.close()


def test_the_side_panel_gives_number_date_and_passages(browser, real_pages, store):
    from policykg.viz import details
    det = details.details(store, catalog(store))
    page = Loaded(browser, real_pages["overview"])
    try:
        page.js(f"window.policykg.select({NOTICE!r})")
        text = page.page.text_content("#panel")
        assert NOTICE_NUMBER in text and "2022-11-21" in text
        locs = det.locators[NOTICE]
        assert locs, "the Notice has claims with passages"
        first = sorted(next(iter(locs.values())))[0]
        assert f"{first[0]}–{first[1]}" in text
    finally:
        page.close()


def test_a_focus_page_expands_twice_from_the_panel(browser, store, tmp_path):
    path = pages.write_focus(store, "汽车", 1, tmp_path)
    full = entity_graph(store).to_undirected()
    _, near = focus(store, "汽车", 1)
    shown = set(near)
    page = Loaded(browser, path)
    try:
        assert page.js("window.policykg.state.visible") == len(shown)
        for _ in range(2):
            # the shown node with most neighbours not yet shown
            node = max(sorted(shown), key=lambda n: len(set(full[n]) - shown))
            new = set(full[node]) - shown
            assert new
            page.js(f"window.policykg.select({node!r})")
            page.page.click("#panel button.expand")
            shown |= new
            assert page.js("window.policykg.state.visible") == len(shown)
        assert page.page.text_content("#counts").startswith(f"{len(shown)} / {full.number_of_nodes()} nodes")
        assert page.errors() == [] and page.requests == []
        page.js("window.policykg.clearHighlight(); window.policykg.network.fit()")
        page.shot("focus-expanded-twice.png")
    finally:
        page.close()


def test_path_view_from_the_2023_auto_plan_to_the_notice(browser, real_pages, store):
    g = P.overview(store)
    u = g.to_undirected()

    def cost(a, b, e):
        return 1 if set(e["rels"]) & STRUCTURE else 3
    expected = nx.shortest_path_length(u, AUTO_PLAN, NOTICE, weight=cost)
    page = Loaded(browser, real_pages["overview"])
    try:
        page.page.fill("#path-from", "doc/plan-2023-automobiles")
        page.page.fill("#path-to", NOTICE_NUMBER)
        page.page.click("#path-go")
        path = page.js("window.policykg.state.path")
        assert path[0] == AUTO_PLAN and path[-1] == NOTICE
        assert all(u.has_edge(a, b) for a, b in zip(path, path[1:]))
        assert sum(cost(a, b, u.edges[a, b]) for a, b in zip(path, path[1:])) == expected
        assert page.js("window.policykg.state.visible") == len(path)
        assert page.js("window.policykg.edges.get({filter: e => !e.hidden}).length") == len(path) - 1
        assert page.js("document.querySelectorAll('#path-steps li').length") == len(path)
        page.shot("path-auto-plan-to-notice.png")
        page.page.click("#path-exit")
        assert page.js("window.policykg.state.visible") == g.number_of_nodes()
    finally:
        page.close()


def test_the_year_filter_keeps_documents_in_force(browser, real_pages):
    page = Loaded(browser, real_pages["overview"])
    try:
        def hidden(iri):
            return page.js(f"window.policykg.nodes.get({iri!r}).hidden")

        def years(a, b):
            for box, v in (("#year-from", a), ("#year-to", b)):
                page.page.eval_on_selector(box, "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", str(v))
        assert not hidden(GUIDELINES_2019) and not hidden(NOTICE)
        years(2023, 2024)
        assert hidden(GUIDELINES_2019) and hidden(NOTICE) and not hidden(AUTO_PLAN)
        assert page.page.text_content("#year-from-out") == "2023"
        page.shot("time-filter-2023-2024.png")
        years(2022, 2022)
        assert hidden(GUIDELINES_2019) and not hidden(NOTICE) and hidden(AUTO_PLAN)
        page.page.click("#reset")
        assert not hidden(GUIDELINES_2019) and not hidden(AUTO_PLAN)
    finally:
        page.close()


# ---------------------------------------------------------------------------- Chinese without system fonts

# A font configuration with Latin fonts only. Chromium fails every web font when fontconfig knows no
# font at all, so the machine "without CJK fonts" keeps one Latin family (Debian's DejaVu or Liberation).
LATIN_ONLY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""
LATIN_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]

INK = """face => { const c = document.createElement('canvas'); c.width = 160; c.height = 100;
    const x = c.getContext('2d');
    function ink(text) { x.clearRect(0, 0, 160, 100); x.font = '72px ' + face; x.fillText(text, 8, 80);
        const d = x.getImageData(0, 0, 160, 100).data; let n = 0, h = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 128) { n++; h = (h * 31 + i) % 1000000007; } }
        return [n, h]; }
    return [ink('汽'), ink('车')]; }"""


def test_chinese_renders_from_the_embedded_font_without_system_cjk_fonts(browser, tmp_path, real_pages):
    import shutil
    import subprocess
    latin = next((d for d in LATIN_FONT_DIRS if d.is_dir()), None)
    if latin is None:
        pytest.skip("no Latin font folder to keep (Debian's fonts-dejavu-core or fonts-liberation)")
    conf = tmp_path / "fonts.conf"
    conf.write_text(LATIN_ONLY_FONTCONFIG.format(fonts=latin, cache=tmp_path / "cache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh"], env=env, capture_output=True, text=True).stdout
        assert listed.strip() == "", "the Latin-only configuration still lists CJK fonts"
    b = browser.policykg_playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
    if True:
        page = Loaded(b, real_pages["overview"])
        try:
            page.page.click("#langs button[data-lang=zh]")
            assert page.page.text_content("#title") == "知识图谱总览"
            assert page.js("document.fonts.check('16px \"PolicyKG Sans\"', '汽车')")
            ours = page.js(INK, '"PolicyKG Sans"')
            system = page.js(INK, "sans-serif")
            assert ours[0][0] > 200 and ours[1][0] > 200          # ink on the canvas
            assert ours[0][1] != ours[1][1]                        # two different glyphs, not two boxes
            assert system[0][0] == 0 or system[0][1] == system[1][1]   # the system has no glyph of its own
            page.js(f"window.policykg.select({AUTO!r})")
            page.js(f"window.policykg.network.focus({AUTO!r}, {{scale: 0.9}})")
            page.shot("overview-zh-without-system-cjk-fonts.png")
            assert page.errors() == [] and page.requests == []
        finally:
            page.close()
            b.close()


# ---------------------------------------------------------------------------- big overviews

def test_a_big_overview_shows_groups_that_open_on_click(browser, tmp_path):
    from policykg.viz import aggregate
    g = synthetic.synthetic_overview(400)
    assert aggregate.needed(g)
    view = pages.overview_view(g, None, None)
    path = tmp_path / "overview.html"
    path.write_text(pages.render(view), encoding="utf-8")
    top = [n for n, d in view.graph.nodes(data=True) if d.get("shown", True)]
    clusters = sorted(n for n in top if view.graph.nodes[n]["group"] == "cluster")
    assert sum(len(view.graph.nodes[c]["members"]) for c in clusters) == 400
    page = Loaded(browser, path)
    try:
        assert page.js("window.policykg.state.visible") == len(top)
        biggest = max(clusters, key=lambda c: (len(view.graph.nodes[c]["members"]), c))
        members = view.graph.nodes[biggest]["members"]
        x, y = page.node_point(biggest)
        page.js(f"window.policykg.network.focus({biggest!r}, {{scale: 1.0}})")
        x, y = page.node_point(biggest)
        page.page.mouse.click(x, y)
        assert page.js("window.policykg.state.visible") == len(top) - 1 + len(members)
        assert page.errors() == [] and page.requests == []
        page.shot("big-overview-group-opened.png")
    finally:
        page.close()


def test_the_query_page_runs_named_queries_by_name_a_page_at_a_time(browser, build_dir, store):
    """serve's `/`: a named query picked from `/catalogue`, its parameter given by document number,
    then a stored listing paged with Next; every request goes to the endpoint itself."""
    from policykg.query import engine
    from policykg.serve import server as serve
    with serve.start(build_dir, port=serve.free_port(), ready_within_s=30) as s:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        outside, errors = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(s.base + "/")
                   else (outside.append(route.request.url), route.abort()))
        page.goto(s.base + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.select_option("#nq", "document-issuers")
        page.fill("#np input[name='doc']", "工信部联运行〔2022〕160号")
        page.click("#nrun")
        page.wait_for_selector("#nout table", timeout=30_000)
        cells = page.eval_on_selector_all("#nout tr td:first-child", "tds => tds.map(td => td.textContent)")
        assert cells == ["pid:agency/miit", "pid:agency/ndrc", "pid:agency/sasac"]     # notice-160.md, Identity
        assert page.text_content("#nn") == "rows 1–3 of 3" and page.is_disabled("#next")

        whole = [r["doc"] for r in engine.run("documents", store=store).dicts()]
        page.select_option("#nq", "documents")
        page.fill("#ns", "10")
        page.click("#nrun")
        page.wait_for_function("document.getElementById('nn').textContent.startsWith('rows 1–10')")
        assert page.text_content("#nn") == f"rows 1–10 of {len(whole)}" and page.is_disabled("#prev")
        page.click("#next")
        page.wait_for_function("document.getElementById('nn').textContent.startsWith('rows 11–')")
        first = page.text_content("#nout tr:nth-child(2) td:first-child")
        assert first == "pid:" + whole[10].value[len(PID):]

        page.select_option("#nq", "measures-by-sector")
        page.fill("#np input[name='sector']", "not a sector at all")
        page.click("#nrun")
        page.wait_for_selector("#nout pre", timeout=30_000)
        assert page.text_content("#nout pre").startswith("error: no sector")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "serve-named-queries.png"))
        page.close()
    assert outside == [] and errors == []
