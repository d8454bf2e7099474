"""Catalogue queries that match names take their entities from the name index (policykg.query.candidates).

Facts checked against the sources: the agencies vocabulary (ontology/vocab/agencies.ttl) names
MIIT 工业和信息化部 (abbreviated 工信部), NDRC 国家发展和改革委员会 (国家发展改革委) and SASAC
国务院国有资产监督管理委员会 (国务院国资委), the three issuers
in the header of Notice 160 (seed 004: 工业和信息化部、国家发展改革委、国务院国资委关于…的通知,
工信部联运行〔2022〕160号; kg/documents/notice-160-bilingual.yaml).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.errors import InputError
from policykg.model.namespaces import PID
from policykg.query import candidates, catalogue, engine

LABELS = ["工信部", "工业和信息化部", "MIIT", "miit", "Miit", "国家发展改革委", "NDRC", "ndrc", "SASAC", "国务院国资委",
          "汽车", "AUTOMOBILES", "Automobiles", "新能源", "steel", "钢", "160", "〔2022〕160号", "Notice No. 160",
          "notice", "工业", "e", "的", "no such name anywhere", "不存在的名称"]


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    return load.load(build_dir)


def plain(st, name, **params):
    """The query as written (the VALUES block binding no entity): every name of the store is compared."""
    q = catalogue.get(name)
    text = engine.inline(q.text, engine.bind(q, params, st))
    return engine.execute(text, st, hide_params=True, check_service=False)


def rows(res):
    return [tuple(None if v is None else v.value for v in r) for r in res.rows]


@pytest.mark.parametrize("name,param", [("entity-by-label", "label"), ("search-labels", "text")])
def test_the_index_path_gives_the_rows_of_the_query_as_written(st, name, param):
    q = catalogue.get(name)
    taken = 0
    for label in LABELS:
        subs = engine.bind(q, {param: label}, st)
        text = engine.inline(q.text, subs)
        narrowed = candidates.narrow(q, text, subs, st)
        taken += narrowed != text
        assert rows(engine.run(name, store=st, **{param: label})) == rows(plain(st, name, **{param: label})), label
    assert taken == len(LABELS), "every label went through the name index"


def test_entity_by_label_finds_the_three_issuers_of_notice_160_in_any_case(st):
    for names, key, zh in ((["工信部", "MIIT", "miit"], "agency/miit", "工业和信息化部"),
                           (["国家发展改革委", "NDRC", "ndrc"], "agency/ndrc", "国家发展和改革委员会"),
                           (["国务院国资委", "SASAC", "sasac"], "agency/sasac", "国务院国有资产监督管理委员会")):
        answers = [engine.run("entity-by-label", store=st, label=n).values() for n in names]
        assert all(a == answers[0] for a in answers), names
        assert {r["entity"] for r in answers[0]} == {key}
        facts = {(r["property"], r["value"]) for r in answers[0]}
        assert ("http://www.w3.org/2004/02/skos/core#prefLabel", zh) in facts
        assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "https://w3id.org/policykg/ontology#Agency") in facts


def test_search_labels_finds_the_notice_by_part_of_its_number_and_nothing_for_an_unknown_text(st):
    rows_ = engine.run("search-labels", store=st, text="联运行〔2022〕").values()
    assert [(r["entity"], r["kind"], r["matched"]) for r in rows_] == [("doc/miit-2022-160", "Notice", "工信部联运行〔2022〕160号")]
    sasac = {r["entity"] for r in engine.run("search-labels", store=st, text="sasac").values()}
    assert {"agency/sasac", "doc/miit-2022-160"} <= sasac          # its abbreviation; the notice's English label
    assert engine.run("search-labels", store=st, text="不存在的名称").values() == []


def test_the_narrowed_query_names_the_entities_the_index_gives(st):
    q = catalogue.get("entity-by-label")
    subs = engine.bind(q, {"label": "MIIT"}, st)
    text = candidates.narrow(q, engine.inline(q.text, subs), subs, st)
    assert f"(<{PID}agency/miit> rdfs:label)" in text and f"(<{PID}agency/miit> pkg:title)" in text
    assert "(UNDEF " not in text
    subs = engine.bind(q, {"label": "no such name anywhere"}, st)
    assert f"(<{PID}> rdfs:label)" in candidates.narrow(q, engine.inline(q.text, subs), subs, st)


def test_too_many_candidates_run_the_query_as_written(st, monkeypatch):
    monkeypatch.setattr(candidates, "MAX_CANDIDATES", 3)
    q = catalogue.get("search-labels")
    subs = engine.bind(q, {"text": "汽车"}, st)
    text = engine.inline(q.text, subs)
    assert candidates.narrow(q, text, subs, st) == text
    assert len(rows(engine.run("search-labels", store=st, text="汽车"))) > 3


def test_graph_source_runs_the_query_as_written(st):
    got = engine.run("entity-by-label", store=st, graph="source/notice-160-bilingual", label="MIIT").values()
    assert {r["entity"] for r in got} == {"agency/miit"}


@pytest.mark.parametrize("header,body", [
    ("e | like | label", "VALUES ?e { UNDEF }"),
    ("e | equal | nothing", "VALUES ?e { UNDEF }"),
    ("e | equal | label", "VALUES ?lp { rdfs:label }"),
    ("e | equal | label", "VALUES (?e ?lp) { (UNDEF rdfs:label) (<x:a> rdfs:label) }"),
])
def test_a_bad_candidates_header_is_an_error_naming_its_line(tmp_path, header, body):
    text = ("#+ title: t\n#+ description: d\n#+ topic: documents\n#+ param: label | label | required | x | y\n"
            f"#+ returns: e\n#+ example: e\n#+ candidates: {header}\n"
            f"SELECT ?_label ?e WHERE {{ {body} ?e ?lp ?l FILTER(STR(?l) = ?_label) }}\n")
    with pytest.raises(InputError) as err:
        catalogue.parse(tmp_path / "q.rq", text)
    assert err.value.line == 7


def test_the_placeholder_block_is_a_no_op_as_written():
    q = catalogue.get("search-labels")
    start, end, rests = catalogue.placeholder(q.text, "e")
    assert q.text[start:end].startswith("VALUES (?e ?lp)") and rests[0] == "skos:prefLabel"
    assert list(ox.Store().query(q.text)) == []


def test_a_text_longer_than_the_bound_runs_the_query_as_written(st):
    q = catalogue.get("search-labels")
    long = "汽" * (candidates.MAX_TEXT + 1)
    subs = engine.bind(q, {"text": long}, st)
    text = engine.inline(q.text, subs)
    assert candidates.narrow(q, text, subs, st) == text
    assert engine.run("search-labels", store=st, text=long).values() == []
