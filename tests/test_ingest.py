"""policykg ingest: metadata, structure and mentions read from real texts, the outputs, bad input.

Expected values come from the sources: the Notice's bilingual edition (seed 004) as our curated
encoding kg/documents/notice-160-bilingual.yaml locates it (document number at 433-449, issuers in
the title at 309-331, addressees at 788-833, parts and measures at their headings), and the official
Tianjin text kept in tests/gold/passages/ (津政办规〔2023〕4号, its own header).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policykg import ingest
from policykg.encoding import files, reader
from policykg.ingest import draft, evaluate, outputs, read
from policykg.model import ontology

REPO = Path(__file__).resolve().parent.parent
NOTICE_YAML = REPO / "kg" / "documents" / "notice-160-bilingual.yaml"
GOLD = REPO / "tests" / "gold"


def _curated(key: str) -> dict:
    return yaml.safe_load(NOTICE_YAML.read_text(encoding="utf-8"))["entities"][key]


def _span(at: str) -> tuple[int, int]:
    s, e = at.split("-")
    return int(s), int(e)


@pytest.fixture(scope="module")
def notice(seeds):
    return ingest.ingest(seeds / "004_3c0eec65955f560c.txt")


@pytest.fixture(scope="module")
def tianjin():
    text = evaluate.parse((GOLD / "passages" / "zh-02-tianjin-manufacturing-measures.txt").read_text(encoding="utf-8")).text
    return ingest.ingest_text(text, path="tianjin-2023-4.txt")


def test_notice_number_title_and_status_where_the_curated_encoding_locates_them(notice):
    facts = _curated("doc/miit-2022-160")["facts"]
    numbers = [(n.value, n.start, n.end) for n in notice.metadata.numbers]
    assert ("工信部联运行〔2022〕160号", *_span(facts["documentNumber"]["at"])) in numbers
    assert ("No. 160 [2022]", 361, 375) in numbers
    zh = next(t for t in notice.metadata.titles if t.lang == "zh")
    assert (zh.value, zh.start, zh.end) == (facts["title"][0]["v"], *_span(facts["title"][0]["at"]))
    assert notice.metadata.in_force.value == "InForce"
    assert notice.metadata.known.concept == "doc/miit-2022-160"


def test_notice_issuers_are_exactly_miit_ndrc_sasac_read_in_the_title(notice):
    issuers = notice.metadata.issuers
    assert sorted(m.concept for m in issuers) == ["agency/miit", "agency/ndrc", "agency/sasac"]
    start, end = _span(_curated("doc/miit-2022-160")["facts"]["issuedBy"][0]["at"])
    assert all(start <= m.start and m.end <= end for m in issuers)


def test_notice_addressees_are_the_three_kinds_of_local_body(notice):
    curated = _curated("doc/miit-2022-160")["facts"]["addressedTo"]
    assert sorted(m.concept for m in notice.metadata.addressees) == sorted(f["v"] for f in curated)
    start, end = _span(curated[0]["at"])
    assert all(start <= m.start and m.end <= end for m in notice.metadata.addressees)


def test_notice_date_stamp_is_not_taken_for_the_date_of_issue(notice):
    # The first line (2010-05-31) is the database's stamp, which the curated encoding records as contradicted.
    assert notice.metadata.date is None


def test_notice_parts_and_measures_have_the_curated_heading_spans(notice):
    got = {(s.kind, s.ordinal): (s.start, s.heading_end) for s in notice.sections}
    expected = {("part", 1): "doc/miit-2022-160/part/1", ("part", 2): "doc/miit-2022-160/part/2"}
    expected.update({("measure", n): f"doc/miit-2022-160/measure/{n}" for n in range(1, 5)})
    for k, key in expected.items():
        assert got[k] == _span(_curated(key)["at"]), key
    assert len(notice.parts) == 2 and len(notice.measures) == 4     # the edition stops after measure (四)
    assert all(notice.sections[s.parent].ordinal == 2 for s in notice.measures)


def test_notice_measure_one_draws_the_instruments_its_text_names(notice):
    m1 = notice.sections.index(next(s for s in notice.measures if s.ordinal == 1))
    drawn = {(r.prop, r.concept) for r in notice.relations if r.section == m1}
    assert {("usesInstrument", "instrument/policy-development-financial-tools"),
            ("usesInstrument", "instrument/manufacturing-long-term-loans"),
            ("usesInstrument", "instrument/government-investment-funds"),
            ("concernsProgram", "program/technology-retrofit-guiding-plan"),
            ("refersTo", "doc/tech-retrofit-investment-guidelines")} <= drawn
    # the English paragraph of measure (2), which stands before the Chinese heading (二), is not measure 1's
    assert ("targetsSector", "sector/passenger-cars") not in drawn


def test_official_tianjin_text_header(tianjin):
    meta = tianjin.metadata
    assert [n.value for n in meta.numbers] == ["津政办规〔2023〕4号"]
    assert meta.titles[0].value == "天津市人民政府办公厅关于印发天津市推动制造业高质量发展若干政策措施的通知"
    assert meta.date.value == "2023-04-11"
    assert [(s.kind, s.marker) for s in tianjin.sections] == [("part", "一、"), ("measure", "(一)"), ("item", "1.")]


def test_a_news_report_citing_a_number_is_not_taken_for_the_document():
    ex = ingest.ingest_text("三部门联合印发钢铁行业稳增长工作方案\n新华社北京8月24日电 七部门近日印发《钢铁行业稳增长工作方案》"
                            "（工信部联原〔2023〕132号），提出稳增长举措。\n")
    assert ex.metadata.titles == [] and ex.metadata.numbers == [] and ex.metadata.known is None
    assert [n[0] for n in ingest.documents.numbers(ex.text)] == ["工信部联原〔2023〕132号"]   # still a cited number


@pytest.mark.parametrize("text", ["他在上海交通大学任教", "李江苏说", "钢铁侠电影", "加快推进新型工业化", "武汉汽车城",
                                  "a professor at Hubei University", "steelworkers went home", "the band Steel Panther",
                                  "记者王四川报道"])
def test_names_inside_other_words_and_names_are_not_mentions(text):
    assert ingest.ingest_text(text).mentions == []


@pytest.mark.parametrize("text,surface,concept", [
    ("推广新能源汽车下乡活动", "新能源汽车下乡活动", "program/nev-to-countryside"),
    ("发展新能源汽车", "新能源汽车", "sector/new-energy-vehicles"),
    ("工业和信息化部印发", "工业和信息化部", "agency/miit"),
    ("湖北省经济和信息化厅", "湖北省经济和信息化厅", "agency/local-industry-it-authorities"),
    ("output of new energy vehicles rose", "new energy vehicles", "sector/new-energy-vehicles"),
    ("the MIIT said", "MIIT", "agency/miit"),
])
def test_the_longest_name_links_as_a_whole(text, surface, concept):
    assert [(m.surface, m.concept) for m in ingest.ingest_text(text).mentions] == [(surface, concept)]


def test_short_title_defined_by_the_text_links_later_uses():
    ex = ingest.ingest_text("三部门印发《关于巩固回升向好趋势加力振作工业经济的通知》（以下简称《通知》）。《通知》提出17项举措。")
    docs = [(m.surface, m.method) for m in ex.mentions if m.concept == "doc/miit-2022-160"]
    assert docs == [("关于巩固回升向好趋势加力振作工业经济的通知", "title"), ("通知", "shortTitle"), ("通知", "shortTitle")]


def test_mentions_file_lists_offsets_into_the_text_as_read(notice, tmp_path):
    rows = json.loads(outputs.write_mentions(notice, tmp_path / "m.json").read_text(encoding="utf-8"))
    assert len(rows) == len(notice.mentions) > 100
    for row in rows:
        assert set(row) >= {"type", "concept", "surface", "start", "end", "confidence"}
        assert notice.text[row["start"]:row["end"]] == row["surface"]


def _check(draft_path: Path):
    return reader.read_all(ontology.load(), files.document_files() + [draft_path])


def test_draft_of_the_notice_passes_the_encoding_checks_beside_the_curated_files(notice, tmp_path):
    old = os.umask(0o022)
    try:
        (path,) = outputs.write_draft(notice, tmp_path)
    finally:
        os.umask(old)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644) and list(tmp_path.iterdir()) == [path]    # the umask applies
    enc = next(e for e in _check(path) if e.path == path)
    assert enc.sha256 == read.sha256_text(notice.text) == "27475e25842a4e8eb04d5f7e4122e54a2e0354d2aa44c1d2e3032b12d7432623"
    assert enc.chars == 13918
    facts = {(f.subject.rsplit("/id/", 1)[-1], f.predicate.rsplit("#", 1)[-1], getattr(f.obj, "value", "")) for f in enc.facts}
    assert ("doc/miit-2022-160", "documentNumber", "工信部联运行〔2022〕160号") in facts
    assert ("doc/miit-2022-160/measure/1", "isPartOf", "https://w3id.org/policykg/id/doc/miit-2022-160/part/2") in facts
    # only the source is new: the Notice, its parts and measures are declared in the curated files already
    assert [d.key for d in enc.declarations] == ["source/004-3c0eec65955f560c"]


def test_draft_of_a_new_document_declares_it_and_passes_the_checks(tianjin, tmp_path):
    (path,) = outputs.write_draft(tianjin, tmp_path)
    enc = next(e for e in _check(path) if e.path == path)
    declared = {d.key: d.type_iri.rsplit("#", 1)[-1] for d in enc.declarations}
    assert declared["doc/tianjin-2023-4"] == "Notice"
    assert declared["doc/tianjin-2023-4/measure/1"] == "Measure"


def test_news_statistic_is_read_as_a_quantity_where_the_curated_encoding_locates_it(seeds):
    # kg/documents/chinanews-2022-11-22.yaml: stat/2022-10-industrial-value-added, value 5.0, unit/percent, at 1406-1521
    ex = ingest.ingest(seeds / "001_4a181f7e3e0a443d.txt")
    found = [(q.value, q.unit, q.kind) for q in ex.quantities if 1406 <= q.start and q.end <= 1521]
    assert found == [("5.0", "unit/percent", "statistic")]


def test_html_draft_comes_with_the_text_its_locators_count_in(tmp_path):
    page = tmp_path / "n.html"
    page.write_text("<html><body><h1>关于推动钢铁行业稳增长的通知</h1><p>支持<b>新能源汽车</b>发展。</p></body></html>",
                    encoding="utf-8")
    ex = ingest.ingest(page)
    draft_path, text_path = outputs.write_draft(ex, tmp_path / "drafts")
    assert text_path.read_text(encoding="utf-8") == ex.text
    data = yaml.safe_load(draft_path.read_text(encoding="utf-8"))
    assert data["source"]["sha256"] == read.sha256_text(text_path.read_text(encoding="utf-8"))
    assert data["source"]["chars"] == len(ex.text)


def test_into_graph_needs_a_build(tianjin, tmp_path):
    from policykg.errors import InputError
    from policykg.ingest import tier
    with pytest.raises(InputError, match="no built knowledge graph.*run 'policykg build' first"):
        tier.write(tianjin, tmp_path / "nobuild")
    assert not (tmp_path / "nobuild").exists()


def test_html_text_skips_scripts_and_keeps_blocks(tmp_path):
    page = tmp_path / "n.html"
    page.write_text("<html><head><title>x</title><script>var a='钢铁'</script></head><body>"
                    "<h1>关于推动钢铁行业稳增长的通知</h1><p>工信部联原〔2023〕1号</p><p>一、总体要求</p>"
                    "<p>支持<b>新能源汽车</b>发展。</p></body></html>", encoding="utf-8")
    ex = ingest.ingest(page)
    assert ex.kind == "html"
    assert ex.text.splitlines()[:2] == ["关于推动钢铁行业稳增长的通知", "工信部联原〔2023〕1号"]
    assert [m.concept for m in ex.mentions] == ["sector/new-energy-vehicles"]    # the title's names are not mentions
    assert [(s.kind, s.heading) for s in ex.sections] == [("part", "一、总体要求")]


def test_html_in_gb2312_is_read_by_its_declared_charset(tmp_path):
    # Chinese government pages are often GB2312/GBK-encoded and say so in a meta tag.
    page = tmp_path / "g.html"
    page.write_bytes('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
                     '<body><p>工信部联原〔2023〕1号</p><p>支持新能源汽车发展。</p></body></html>'.encode("gb18030"))
    ex = ingest.ingest(page)
    assert ex.text == "工信部联原〔2023〕1号\n支持新能源汽车发展。\n"
    assert [m.concept for m in ex.mentions] == ["sector/new-energy-vehicles"]


def test_pdf_text_is_read_with_its_text_layer(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 8, "The Ministry of Industry and Information Technology supports small and medium-sized "
                         "enterprises under No. 160 [2022].")
    path = tmp_path / "n.pdf"
    pdf.output(str(path))
    ex = ingest.ingest(path)
    assert ex.kind == "pdf"
    assert {m.concept for m in ex.mentions} == {"agency/miit", "enterprise/smes", "doc/miit-2022-160"}


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "policykg", "ingest", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_cli_folder_goes_on_past_a_bad_file_with_one_error_line(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("工业和信息化部关于推动钢铁行业稳增长的通知\n工信部联原〔2023〕1号\n", encoding="utf-8")
    (src / "b.pdf").write_bytes(b"%PDF-1.4 broken")
    (src / "c.txt").write_bytes(b"\xff\xfe not utf-8")
    r = _cli(str(src), "--out", "drafts", "--mentions", "m", cwd=tmp_path)
    assert r.returncode == 2
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2 and "b.pdf" in errors[0] and errors[1].endswith("c.txt:1: not UTF-8 text; convert the file to UTF-8")
    assert "Traceback" not in r.stderr
    progress = [ln for ln in r.stderr.splitlines() if ln.startswith("… [")]
    assert len(progress) == 1 and progress[0].startswith("… [1/3]") and "a.yaml" in progress[0]
    assert r.stdout.strip() == "ingested 1 of 3 documents (2 failed)"
    assert sorted(p.name for p in (tmp_path / "drafts").iterdir()) == ["a.yaml"]
    assert (tmp_path / "m" / "a.json").is_file()
    again = _cli(str(src / "a.txt"), "--out", "drafts", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr and "--force" in again.stderr


def test_into_graph_adds_a_named_graph_that_only_tier_all_queries_see(build_dir, tianjin, tmp_path):
    import shutil

    from policykg.ingest import tier
    from policykg.query import engine
    build = tmp_path / "build"
    build.mkdir()
    shutil.copy(build_dir / "kg.nq", build / "kg.nq")
    out = tier.write(tianjin, build, version=ingest.VERSION)
    assert out == build / "extracted" / "tianjin-2023-4.nq"
    q = "SELECT ?g (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c pkg:confidence ?x } } GROUP BY ?g"
    assert engine.sparql(q, build=build).values() == []
    rows = engine.sparql(q, build=build, tier="all").values()
    assert [r["g"] for r in rows] == ["https://w3id.org/policykg/graph/extracted/tianjin-2023-4"]
    sel = """SELECT ?start ?end ?conf ?label WHERE {
      ?c rdf:subject <https://w3id.org/policykg/id/doc/tianjin-2023-4> ; rdf:predicate pkg:documentNumber ; pkg:confidence ?conf ;
         pkg:evidence/oa:hasSelector ?s ; prov:wasGeneratedBy/prov:wasAssociatedWith/rdfs:label ?label .
      ?s oa:start ?start ; oa:end ?end }"""
    (row,) = engine.sparql(sel, build=build, tier="all").values()
    number = tianjin.metadata.numbers[0]
    assert (row["start"], row["end"]) == (number.start, number.end)
    assert row["label"] == f"policykg ingest {ingest.VERSION}" and 0 < float(row["conf"]) <= 1


def test_query_refuses_an_unknown_tier(build_dir):
    from policykg.errors import InputError
    from policykg.query import engine
    with pytest.raises(InputError, match="unknown tier 'extracted'"):
        engine.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1", build=build_dir, tier="extracted")


def test_draft_slug_is_a_valid_key_part():
    assert draft.slug("/x/004_3c0eec65955f560c.txt") == "004-3c0eec65955f560c"
    assert draft.slug("通知.txt") == "document"
