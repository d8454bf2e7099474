"""`policykg search`: ranked hits in both languages, with class, key and source count.

Expected answers: 汽车 is the zh label of the sector Automobiles (ontology/vocab/sectors.ttl);
the Notice's number is in ../shared/reference/notice-160.md (Identity); 工信部 abbreviates MIIT
(ontology/vocab/agencies.ttl); steel and steel scrap are the sectors with "steel" in their names
(ontology/vocab/sectors.ttl).
"""

from __future__ import annotations

import json

import pytest

from policykg.cli import main
from policykg.errors import InputError
from policykg.model.namespaces import PKG
from policykg.query.search import search


def test_chinese_label_ranks_the_exact_sector_first(store):
    hits = search(store, "汽车", limit=5)
    assert (hits[0].key, hits[0].cls, hits[0].label_en, hits[0].score) == ("pid:sector/automobiles", "Sector", "Automobiles", 100.0)
    assert hits[0].sources >= 5
    assert "pid:sector/new-energy-vehicles" in [h.key for h in hits]          # 新能源汽车 contains 汽车


def test_document_number_finds_the_notice(store):
    for text in ("工信部联运行〔2022〕160号", "No. 160 [2022]", "160"):
        top = search(store, text, limit=1)[0]
        assert (top.key, top.field, top.matched) == ("pid:doc/miit-2022-160", "number", "工信部联运行〔2022〕160号")


def test_abbreviation_and_measure_reference(store):
    assert search(store, "工信部", limit=1)[0].key == "pid:agency/miit"
    top = search(store, "措施二", limit=1)[0]
    assert (top.key, top.cls, top.document) == ("pid:doc/miit-2022-160/measure/2", "Measure", "pid:doc/miit-2022-160")


def test_class_filter_keeps_only_that_class(store):
    hits = search(store, "steel", cls="Sector")
    assert [h.key for h in hits][:2] == ["pid:sector/steel", "pid:sector/steel-scrap"]
    assert {h.cls for h in hits} == {"Sector"}


def test_unknown_class_is_an_input_error(store):
    with pytest.raises(InputError) as e:
        search(store, "steel", cls="Sectr")
    assert "did you mean 'Sector'" in e.value.message


def test_search_command_json_and_csv(build_dir, capsys):
    assert main(["search", "钢铁", "--class", "Sector", "--format", "json", "--build", str(build_dir)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["key"] == "pid:sector/steel" and hits[0]["class"] == "Sector" and hits[0]["label_zh"] == "钢铁"
    assert main(["search", "钢铁", "--limit", "1", "--format", "csv", "--build", str(build_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "key,class,label_en,label_zh,document,sources,score,field,matched"
    assert lines[1].startswith("https://w3id.org/policykg/id/sector/steel,Sector,Steel,钢铁,")


def test_printed_key_pastes_into_sparql(build_dir, capsys):
    assert main(["search", "汽车", "--limit", "1", "--build", str(build_dir)]) == 0
    key = capsys.readouterr().out.splitlines()[2].split()[0]         # the table: header, rule, first hit
    assert key == "pid:sector/automobiles"
    q = f'SELECT ?l WHERE {{ {key} skos:prefLabel ?l FILTER(LANG(?l) = "zh") }}'
    assert main(["sparql", q, "--format", "csv", "--build", str(build_dir)]) == 0
    assert capsys.readouterr().out.splitlines() == ["l", "汽车"]


def test_search_labels_query_finds_the_document_number(build_dir):
    from policykg.query import engine
    rows = engine.run("search-labels", build=build_dir, text="〔2022〕160号").values()
    assert [(r["entity"], r["matched"]) for r in rows] == [("doc/miit-2022-160", "工信部联运行〔2022〕160号")]


# ------------------------------------------------------------- the candidates SQLite gives miss nothing

def _scan(store, text, cls=None, limit=20):
    """The scoring rule of search.py's docstring applied to every name of every entity but links and
    source texts (the full scan `search` avoids), for the texts that no exact name or number matches."""
    from rapidfuzz import fuzz

    from policykg.query.index import norm, printed
    from policykg.query.name_index import index
    from policykg.query.search import FUZZY_CUTOFF, WEIGHT
    q, best = norm(text), {}
    for e in index(store).entries.values():
        if any(c.endswith(("#Link", "#SourceText")) for c in e.classes) or (cls and PKG + cls not in e.classes):
            continue
        for fld in WEIGHT:
            for raw, _ in e.names.get(fld, ()):
                name, scores = norm(raw), []
                if q in name:
                    scores.append((90 - 10 * (len(name) - len(q)) / len(name)) * WEIGHT[fld])
                ratio = fuzz.WRatio(q, name)
                if ratio >= FUZZY_CUTOFF and fld not in ("definition", "code") and len(name) >= 3:
                    scores.append(0.9 * ratio * WEIGHT[fld])
                if scores and max(scores) > best.get(e.iri, (0,))[0]:
                    best[e.iri] = (max(scores), e.sources, printed(e.iri))
    ranked = sorted(best.values(), key=lambda b: (-round(b[0], 1), -b[1], b[2]))[:limit]
    return [(key, round(score, 1)) for score, _, key in ranked]


@pytest.mark.parametrize("text,cls", [
    ("汽", None), ("钢", "Sector"), ("新能源", None), ("industr", None), ("automobles", None),
    ("Notice on the industrial economy", None), ("稳增长工作方案", None), ("measure", "Measure"), ("steal", None),
    ("mit", None)])
def test_hits_are_those_of_a_scan_of_every_name(store, text, cls):
    assert [(h.key, h.score) for h in search(store, text, cls=cls, limit=20)] == _scan(store, text, cls)


def test_a_link_is_found_by_key_and_whole_label_not_by_part_of_it(store):
    from policykg.query.name_index import index
    from policykg.query.resolve import resolve
    link = next(e for e in index(store).entries.values() if PKG + "Link" in e.classes)
    assert resolve(store, link.key).value == link.iri == resolve(store, link.label("zh")).value
    assert link.iri not in {h.iri for h in search(store, link.label("zh")[:12], limit=1000)}
