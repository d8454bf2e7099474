"""Network views, pages, GraphML, matrix and statistics: exact answers on a fixture and the real graph.

The browser-driven checks are in test_browser.py.
"""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from policykg import cli
from policykg.errors import InputError
from policykg.model.namespaces import PID
from policykg.viz import analytics, export, matrix, pages, projections as P, synthetic
from policykg.viz.catalog import catalog, key_of
from policykg.viz.focus import focus, resolve

AUTO = PID + "sector/automobiles"
XSS_SECTOR = PID + "sector/xss"
M = PID + "doc/fx-notice/measure/"


@pytest.fixture(scope="module")
def fx():
    return synthetic.fixture_store()


@pytest.fixture(scope="module")
def fx_cat(fx):
    return catalog(fx)


def page_json(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="policykg-data">(.*?)</script>', text, re.S)
    assert m, "the page has no data block"
    return json.loads(m.group(1))


# ---------------------------------------------------------------------------- fixture: projections

def test_overview_shows_documents_parts_measures_and_linked_concepts_only(fx, fx_cat):
    g = P.overview(fx, fx_cat)
    assert g.number_of_nodes() == synthetic.FIXTURE_OVERVIEW_NODES == 21
    keys = {key_of(n) for n in g}
    assert "doc/fx-notice/action/1-1" not in keys          # actions are lifted to their measure
    assert "sector/unused" not in keys                      # a concept nothing links to
    assert "sector/manufacturing" not in keys               # linked only by skos:broader
    assert {"target/fx-1", "source/fx-report", "program/car-tour"} <= keys


def test_overview_lifts_an_actions_sector_to_its_measure(fx, fx_cat):
    g = P.overview(fx, fx_cat)
    assert g.edges[M + "1", AUTO]["label_en"] == "targets sector"
    assert g.edges[M + "1", AUTO]["label_zh"] == "针对行业"
    assert g.edges[M + "1", PID + "doc/fx-notice/part/1"]["label_en"] == "is part of"
    # direct parent only: the transitive isPartOf to the notice is not drawn
    assert not g.has_edge(M + "1", PID + "doc/fx-notice")


def test_nodes_carry_class_labels_and_the_sources_that_state_them(fx, fx_cat):
    g = P.overview(fx, fx_cat)
    d = g.nodes[XSS_SECTOR]
    assert (d["group"], d["type_en"], d["type_zh"]) == ("sector", "Sector", "行业")
    assert d["label_en"] == d["label_zh"] == synthetic.XSS
    assert d["sources"] == [{"en": "Fixture report", "zh": "测试报道"}]
    assert g.nodes[PID + "doc/fx-old"]["type_en"] == "Policy package"
    assert g.nodes[PID + "program/car-tour"]["type_zh"] == "专项活动"
    assert g.edges[M + "2", AUTO]["sources"] == [{"en": "Fixture report", "zh": "测试报道"}]
    assert g.nodes[AUTO]["alt"] == ["Automobile industry", "汽车行业"]


def test_instrument_chain_counts_the_measures_behind_each_agency_link(fx, fx_cat):
    g = P.measure_instrument_agency(fx, fx_cat)
    credit, campaign = PID + "instrument/credit", PID + "instrument/consumption-campaign"
    assert g.edges[credit, PID + "agency/ndrc"]["weight"] == 2
    assert g.edges[credit, PID + "agency/ndrc"]["label_en"] == "2 measures"
    assert g.edges[campaign, PID + "agency/miit"]["weight"] == 1
    assert set(g.predecessors(credit)) == {M + "2", M + "3"}
    assert {d["group"] for _, d in g.nodes(data=True)} == {"measure", "instrument", "agency"}


def test_sector_cotargeting_counts_shared_measures(fx, fx_cat):
    g = P.sector_cotargeting(fx, fx_cat)
    assert {key_of(n): d["measures"] for n, d in g.nodes(data=True)} == {
        "sector/automobiles": 2, "sector/steel": 2, "sector/xss": 1}
    assert g.edges[AUTO, PID + "sector/steel"]["weight"] == 1     # only measure 2 targets both


def test_lineage_lifts_a_parts_reference_to_its_document(fx, fx_cat):
    g = P.lineage(fx, fx_cat)
    edges = {(key_of(a), key_of(b)): e["label_en"] for a, b, e in g.edges(data=True)}
    assert edges == {("doc/fx-plan", "doc/fx-notice"): "implements", ("doc/fx-plan", "doc/fx-old"): "continues"}


@pytest.mark.parametrize("name", ["汽车", "Automobiles", "automobiles", "sector/automobiles", AUTO, "汽车行业"])
def test_focus_finds_an_entity_by_iri_key_or_either_language(fx, fx_cat, name):
    assert resolve(fx, name, fx_cat) == AUTO


def test_focus_takes_the_neighbourhood_to_the_given_depth(fx, fx_cat):
    _, g0 = focus(fx, "汽车", 0, fx_cat)
    assert list(g0) == [AUTO]
    _, g1 = focus(fx, "汽车", 1, fx_cat)
    assert {key_of(n) for n in g1} == {"sector/automobiles", "sector/manufacturing", "target/fx-1",
                                         "doc/fx-notice/measure/2", "doc/fx-notice/action/1-1"}
    _, g2 = focus(fx, "汽车", 2, fx_cat)
    assert M + "1" in g2 and g2.nodes[M + "1"]["distance"] == 2


def test_focus_on_an_unknown_entity_suggests_a_close_name(fx, fx_cat):
    with pytest.raises(InputError) as e:
        resolve(fx, "Automobilez", fx_cat)
    assert "no entity labelled 'Automobilez' (did you mean pid:sector/automobiles (Sector, Automobiles)" in e.value.message


# ---------------------------------------------------------------------------- fixture: pages

def test_markup_in_a_label_never_reaches_the_page_as_markup(fx):
    text = pages.render(pages.views(fx)[0])
    assert "<img" not in text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in text
    assert synthetic.XSS in {n["l"]["en"] for n in page_json(text)["nodes"]}


def test_a_label_cannot_close_the_data_script():
    g = nx.DiGraph()
    evil = "</script><script>alert(1)</script>"
    g.add_node("x", group="sector", label_en=evil, label_zh=evil, type_en="Sector", type_zh="行业", alt=[], sources=[])
    text = pages.render(pages.View("t", evil, evil, g, {"x": (0, 0)}))
    assert "<script>alert" not in text
    assert text.count("</script>") == 3          # the data, vis-network and the page script
    assert page_json(text)["nodes"][0]["l"]["en"] == evil
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; — PolicyKG</title>" in text


def test_pages_load_nothing_from_the_network(fx):
    text = pages.render(pages.views(fx)[0])
    assert "font-src data:" in text
    text = re.sub(r"url\(data:font/woff2;base64,[A-Za-z0-9+/=]+\)", "", text)   # random letters could spell 'cdn'
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "bootstrap" not in text.lower() and "cdn" not in text.lower()
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?https?:", text)
    assert "default-src 'none'" in text              # and the CSP forbids it anyway


def test_pages_are_byte_identical_across_runs(fx, tmp_path):
    a = pages.write_all(fx, tmp_path / "a", matrix=True)
    b = pages.write_all(fx, tmp_path / "b", matrix=True)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), f"{name} differs between two runs"


def test_write_all_writes_every_page_graphml_matrix_and_stats(fx, tmp_path):
    written = pages.write_all(fx, tmp_path)
    expected = {"overview", "instruments", "sectors", "lineage", "overview.graphml", "instruments.graphml",
                "sectors.graphml", "lineage.graphml", "stats.md", "stats.json", "matrix.png", "matrix.svg"}
    assert expected <= set(written)
    data = page_json(written["overview"].read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 21
    assert [n["href"] for n in data["nav"]] == ["overview.html", "instruments.html", "sectors.html", "lineage.html"]
    assert {g["key"]: g["count"] for g in data["groups"]}["sector"] == 3


def test_graphml_keeps_nodes_labels_and_sources(fx, tmp_path):
    g = P.overview(fx)
    path = export.write_graphml(g, tmp_path / "o.graphml", {AUTO: (1.0, 2.0)})
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert back.nodes[AUTO]["label_zh"] == "汽车" and back.nodes[AUTO]["x"] == 1.0
    assert back.nodes[XSS_SECTOR]["sources_en"] == "Fixture report"


def test_matrix_rows_are_measures_in_order_and_columns_most_targeted_first(fx, fx_cat):
    measures, sectors, cells = matrix.table(fx, fx_cat)
    assert [key_of(m) for m in measures] == ["doc/fx-notice/measure/1", "doc/fx-notice/measure/2",
                                               "doc/fx-notice/measure/3"]
    assert [key_of(s) for s in sectors] == ["sector/automobiles", "sector/steel", "sector/xss"]
    assert (M + "1", AUTO) in cells and (M + "1", PID + "sector/steel") not in cells


def test_matrix_picture_is_png_and_svg(fx, tmp_path):
    written = matrix.write(fx, tmp_path)
    assert written["matrix.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written["matrix.svg"].read_text(encoding="utf-8")
    assert ("matrix-zh.png" in written) == (matrix.cjk_font() is not None)


def test_stats_of_the_fixture(fx, fx_cat):
    st = analytics.stats(fx, fx_cat)
    assert [(e["key"], e["measures"]) for e in st["instruments"]] == [("instrument/credit", 2),
                                                                      ("instrument/consumption-campaign", 1)]
    assert [(e["key"], e["measures"]) for e in st["sectors"]][:2] == [("sector/automobiles", 2), ("sector/steel", 2)]
    assert st["measures"][0]["key"] == "doc/fx-notice/measure/2" and st["measures"][0]["degree"] == 7
    md = analytics.as_markdown(st)
    assert "| 3 | &lt;img src=x onerror=alert(1)&gt; | &lt;img src=x onerror=alert(1)&gt; | 1 |" in md
    assert "<img" not in md


# ---------------------------------------------------------------------------- the real graph

OVERVIEW_COUNT = """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?p { pkg:targetsSector pkg:usesInstrument pkg:responsibleAgency pkg:appliesToRegion
              pkg:addressesEnterpriseCategory pkg:concernsProgram pkg:issuedBy pkg:refSector pkg:refArea
              pkg:refEnterpriseCategory }
  VALUES ?vc { pkg:Sector pkg:PolicyInstrument pkg:Agency pkg:Region pkg:EnterpriseCategory pkg:Program }
  # documents, parts, measures and targets: always
  { ?x a/rdfs:subClassOf* ?c VALUES ?c { pkg:Document pkg:DocumentPart pkg:Target } }
  UNION  # a concept that a document, part, action, target or program links to
  { ?s ?p ?x . ?x a/rdfs:subClassOf* ?vc .
    ?s a/rdfs:subClassOf* ?sc VALUES ?sc { pkg:Document pkg:DocumentPart pkg:PolicyAction pkg:Target pkg:Program } }
  UNION  # a program that links to a concept
  { ?x ?p ?o ; a/rdfs:subClassOf* pkg:Program . ?o a/rdfs:subClassOf* ?vc }
  FILTER(STRSTARTS(STR(?x), STR(pid:)))
}"""



def test_real_overview_has_the_nodes_the_graph_query_gives(store, select):
    (n,), = select(OVERVIEW_COUNT)
    assert int(n) > 100
    assert P.overview(store).number_of_nodes() == int(n)


def test_build_writes_the_pages_with_every_overview_node(build_dir, store, select):
    (n,), = select(OVERVIEW_COUNT)
    data = page_json((build_dir / "viz" / "overview.html").read_text(encoding="utf-8"))
    assert len(data["nodes"]) == int(n)
    for name in ("instruments.html", "sectors.html", "lineage.html", "overview.graphml", "stats.md"):
        assert (build_dir / "viz" / name).is_file(), name
    assert not (build_dir / "viz" / "matrix.svg").exists()     # the static picture is `policykg viz`'s job


MEASURES_TARGETING = """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a pkg:Measure . { ?m pkg:targetsSector ?s } UNION { ?m pkg:commitsTo ?a . ?a pkg:targetsSector ?s }
  FILTER(?s = <%s>) }"""


def test_real_stats_count_measures_and_rank_automobiles_among_the_most_targeted(store, select):
    st = analytics.stats(store)
    (n,), = select(MEASURES_TARGETING % AUTO)
    top = {e["key"]: e["measures"] for e in st["sectors"]}
    assert "sector/automobiles" in top, [e["key"] for e in st["sectors"]]
    assert top["sector/automobiles"] == int(n) >= 1
    counts = [e["measures"] for e in st["sectors"]]
    assert counts == sorted(counts, reverse=True)
    b = [e["betweenness"] for e in st["measures"]]
    assert b == sorted(b, reverse=True)
    assert st["agencies"][0]["key"] == "agency/miit"


def test_real_focus_by_chinese_label(store):
    iri, g = focus(store, "汽车", 1)
    assert iri == AUTO and g.number_of_nodes() > 1
    assert all(d["distance"] <= 1 for _, d in g.nodes(data=True))


# ---------------------------------------------------------------------------- command line

def test_cli_stats_prints_the_tables(build_dir, capsys):
    assert cli.main(["stats", "--build", str(build_dir), "--top", "3"]) == 0
    out = capsys.readouterr().out
    for heading in ("## Most-used instruments", "## Most-targeted sectors", "## Most central measures",
                    "## Most central agencies"):
        assert heading in out
    assert cli.main(["stats", "--build", str(build_dir), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["sectors"]) == 10


def test_cli_viz_focus_writes_one_page(build_dir, tmp_path, capsys):
    assert cli.main(["viz", "--build", str(build_dir), "--out", str(tmp_path), "--focus", "汽车", "--depth", "2"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.endswith("focus-sector-automobiles-2.html")
    data = page_json(open(path, encoding="utf-8").read())
    assert AUTO in {n["id"] for n in data["nodes"]}
    assert data["title"]["zh"] == "焦点：汽车（深度 2）"


def test_cli_viz_unknown_focus_exits_2_with_a_fix(build_dir, tmp_path, capsys):
    assert cli.main(["viz", "--build", str(build_dir), "--out", str(tmp_path), "--focus", "no such thing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no entity labelled 'no such thing'")
    assert "give a key such as sector/automobiles, a zh/en label or a document number" in err


def test_cli_viz_without_a_build_says_to_build(tmp_path, capsys):
    assert cli.main(["viz", "--build", str(tmp_path / "nothing")]) == 2
    assert "run 'policykg build', or name a build with --build DIR or $POLICYKG_BUILD" in capsys.readouterr().err


# ---------------------------------------------------------------------------- layout, font, details, scale

NOTICE = PID + "doc/miit-2022-160"
NOTICE_NUMBER = "工信部联运行〔2022〕160号"      # notice-160.md: issued 2022-11-21 by MIIT, NDRC and SASAC
AUTO_PLAN = PID + "doc/plan-2023-automobiles"  # ten-industry-plans.md: published 2023-08, for 2023–2024


def test_viz_writes_the_same_pages_as_the_build(build_dir, tmp_path):
    from policykg.store import load
    reloaded = load.load(build_dir)                        # the store `policykg viz` reads
    written = pages.write_all(reloaded, tmp_path, matrix=False)
    for name in ("overview", "instruments", "sectors", "lineage"):
        assert written[name].read_bytes() == (build_dir / "viz" / f"{name}.html").read_bytes(), name


def test_the_overview_puts_documents_in_the_middle_and_vocabularies_around(store):
    from policykg.viz import layout
    g = P.overview(store)
    pos = layout.radial(g)
    assert set(pos) == set(g.nodes)
    radius = {n: (x * x + y * y) ** 0.5 for n, (x, y) in pos.items()}
    inner = [radius[n] for n, d in g.nodes(data=True) if d["group"] in layout.CENTRE]
    outer = [radius[n] for n, d in g.nodes(data=True) if d["group"] not in layout.CENTRE]
    assert inner and outer and max(inner) < min(outer)
    # each vocabulary has an arc of its own: the angles of two classes do not interleave
    import math
    arcs = {}
    for n, d in g.nodes(data=True):
        if d["group"] in layout.OUTER:
            a = (math.atan2(pos[n][1], pos[n][0]) + math.pi / 2) % (2 * math.pi)
            lo, hi = arcs.get(d["group"], (a, a))
            arcs[d["group"]] = (min(lo, a), max(hi, a))
    spans = sorted(arcs.values())
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))


def test_pages_embed_a_subset_of_a_cjk_font_with_the_characters_they_use(build_dir):
    import base64
    import io

    from fontTools.ttLib import TTFont

    from policykg.viz import font
    if font.find()[0] is None:
        pytest.skip(font.find()[1])
    text = (build_dir / "viz" / "overview.html").read_text(encoding="utf-8")
    m = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", text)
    assert m, "no embedded font"
    raw = base64.b64decode(m.group(1))
    assert len(raw) < 400_000
    cmap = TTFont(io.BytesIO(raw)).getBestCmap()
    data = page_json(text)
    used = {c for n in data["nodes"] for c in n["l"]["zh"] + n["l"]["en"] if not c.isspace()}
    assert "汽" in used and "车" in used
    assert {c for c in used if ord(c) not in cmap} == set()
    assert ord("龘") not in cmap                         # a character no page uses
    # every page of a build carries the same subset
    other = (build_dir / "viz" / "lineage.html").read_text(encoding="utf-8")
    assert m.group(1) in other


def test_details_give_the_notices_number_date_and_the_plans_years(store):
    from policykg.viz import details
    det = details.details(store, catalog(store))
    assert ("Document number", "文号", NOTICE_NUMBER) in det.codes[NOTICE]
    assert det.dates[NOTICE] == "2022-11-21"
    assert det.years[NOTICE] == (2022, 2022)
    assert det.years[AUTO_PLAN] == (2023, 2024)
    assert det.years[NOTICE + "/measure/2"] == (2022, 2022)          # a measure takes its document's years
    gbt = [c for c in det.codes[AUTO] if c[0].startswith("GB/T 4754")]
    assert gbt and gbt[0][2] == "36"                                 # GB/T 4754-2017 division 36: automobiles


def test_every_relation_of_the_real_pages_has_a_style_of_its_own(store):
    from policykg.viz import relations
    rels = {r for v in pages.views(store) for _, _, e in v.graph.edges(data=True) for r in e["rels"]}
    assert {"targetsSector", "usesInstrument", "issuedBy", "isPartOf", "continues"} <= rels
    assert rels <= set(relations.STYLE), rels - set(relations.STYLE)


def test_a_big_overview_groups_documents_within_the_bounds():
    from policykg.viz import aggregate
    g = synthetic.synthetic_overview(700)
    assert aggregate.needed(g)
    a = aggregate.aggregate(g)
    docs = {n for n, d in g.nodes(data=True) if d["group"] == "document"}
    clusters = [n for n, d in a.nodes(data=True) if d["group"] == "cluster"]
    members = [m for c in clusters for m in a.nodes[c]["members"]]
    assert sorted(members) == sorted(docs)                          # every document in exactly one group
    assert max(len(a.nodes[c]["members"]) for c in clusters) <= aggregate.GROUP_MAX
    assert len(clusters) >= len(docs) / aggregate.GROUP_MAX
    for c in clusters:
        assert a.out_degree(c) <= aggregate.GROUP_LINKS
    vocab_groups = set(aggregate.DOCS) | {"cluster"}
    for d in docs:
        to_vocab = [b for b in a.successors(d) if a.nodes[b]["group"] not in vocab_groups]
        assert len(to_vocab) <= aggregate.MEMBER_LINKS
        assert not a.nodes[d]["shown"]
    # lineage between documents is kept whole
    cites = {(s, t) for s, t, e in g.edges(data=True) if "implements" in e["rels"]}
    assert cites <= set(a.edges)


def test_the_font_subset_is_cached_and_the_same_bytes_come_back(tmp_path, monkeypatch):
    from policykg.viz import font
    if font.find()[0] is None:
        pytest.skip(font.find()[1])
    monkeypatch.setenv(font.CACHE_ENV, str(tmp_path))
    path, face = font.find()
    made = font._make_subset(str(path), face, "汽车ab ")
    import time
    time.sleep(1.1)                                       # a font's "modified" time has seconds
    assert font._make_subset(str(path), face, "汽车ab ") == made
    font._subset.cache_clear()
    first = font._subset(str(path), face, "汽车ab ")
    assert first == made                                  # deterministic
    files = list((tmp_path / "fonts").glob("*.woff2"))
    assert len(files) == 1 and files[0].read_bytes() == made
    font._subset.cache_clear()
    assert font._subset(str(path), face, "汽车ab ") == made


def test_layout_does_not_depend_on_the_hash_seed():
    """The overview's middle is drawn by a spring layout, which places nodes in the order it is given
    them; a subgraph view would give them in the order of a set, which changes with PYTHONHASHSEED
    (networkx does so when the subgraph has under half the nodes: here 80 of 280)."""
    import subprocess
    import sys
    script = ("import json, networkx as nx\n"
              "from policykg.viz import layout\n"
              "g = nx.DiGraph()\n"
              "for i in range(40):\n"
              "    g.add_node(f'doc-{i}', group='document')\n"
              "    g.add_node(f'm-{i}', group='measure')\n"
              "    g.add_edge(f'doc-{i}', f'm-{i}')\n"
              "    g.add_edge(f'm-{i}', f'sector-{i % 7}')\n"
              "    g.add_node(f'sector-{i % 7}', group='sector')\n"
              "    for j in range(5):\n"
              "        g.add_node(f'agency-{i}-{j}', group='agency')\n"
              "        g.add_edge(f'm-{i}', f'agency-{i}-{j}')\n"
              "    g.add_edge(f'doc-{i}', f'doc-{(i * 3) % 40}')\n"
              "print(json.dumps(sorted(layout.radial(g).items())))\n")
    runs = {seed: subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                 env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(set(runs.values())) == 1
    assert len(json.loads(runs["1"])) == 287         # 40 documents, 40 measures, 7 sectors, 200 agencies
