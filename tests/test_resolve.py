"""The resolver: every way a user names an entity leads to the same IRI.

Expected answers come from the sources: the document number 工信部联运行〔2022〕160号 and the four
English titles of the Notice are in ../shared/reference/notice-160.md ("Identity": seeds 000,
001, 003, 004); measure (二) is the second measure of part 二 (same file, "Structure"; seed 004
gives its text); 工信部联节〔2022〕88号 is in reference/referenced-policies.md (B1).
"""

from __future__ import annotations

import pytest

from policykg.errors import InputError
from policykg.model.namespaces import PID, PKG
from policykg.query import engine
from policykg.query.resolve import cn_number, parse_number, resolve

NOTICE = PID + "doc/miit-2022-160"
MEASURE_2 = NOTICE + "/measure/2"


@pytest.mark.parametrize("text", [
    "工信部联运行〔2022〕160号", "〔2022〕160号", "[2022] No. 160", "No. 160 [2022]", "Notice No. 160",
    "第160号通知", "No. 160 of 2022",
    "Notice No. 160 [2022] of the Ministry of Industry and Information Technology",
    # the four English titles in use and the Chinese title written with spaces (notice-160.md, Identity)
    "Notice by the Ministry of Industry and Information Technology, the National Development and Reform "
    "Commission, the State-Owned Assets Supervision and Administration Commission of the State Council of "
    "Consolidating an Upturn and Redoubling Efforts to Revitalize the Industrial Economy",
    "Notice on Consolidating the upturn Trend and Strengthening the Revitalization of the Industrial Economy",
    "Notice on Strengthening Efforts to Revitalize the Industrial Economy and Consolidate the Positive Recovery Trend",
    "工业和信息化部 国家发展改革委 国务院国资委关于巩固回升向好趋势加力振作工业经济的通知",
    "doc/miit-2022-160", "pid:doc/miit-2022-160", "<doc/miit-2022-160>", "pid:doc\\/miit-2022-160", NOTICE,
])
def test_every_name_of_notice_160_resolves_to_it(store, text):
    assert resolve(store, text).value == NOTICE


@pytest.mark.parametrize("text", ["measure 2", "Measure 2", "措施二", "措施2", "（二）", "(二)", "(2)",
                                  "Notice No. 160 measure 2", "第160号通知 措施二", "工信部联运行〔2022〕160号（二）",
                                  "doc/miit-2022-160/measure/2"])
def test_measure_references_resolve_to_measure_2(store, text):
    assert resolve(store, text).value == MEASURE_2


def test_measure_17_and_part_3_in_their_variants(store):
    # seventeen measures; part 三 is "policies by industry" (notice-160.md, Structure)
    assert resolve(store, "第160号通知 措施十七").value == NOTICE + "/measure/17"
    for text in ("part 3", "Part III", "第三部分"):
        assert resolve(store, text).value == NOTICE + "/part/3"


def test_other_document_numbers(store):
    assert resolve(store, "工信部联节〔2022〕88号").value == PID + "doc/miit-2022-88"
    assert resolve(store, "No. 88 [2022]").value == PID + "doc/miit-2022-88"


def test_no_measure_18_says_so_with_suggestions(store):
    with pytest.raises(InputError) as e:
        resolve(store, "measure 18")
    assert "no entity labelled 'measure 18'" in e.value.message
    assert "pid:doc/miit-2022-160/measure/1 (Measure," in e.value.message


def test_misspelling_suggests_real_candidates_with_class(store):
    with pytest.raises(InputError) as e:
        resolve(store, "steal", PKG + "Sector")
    assert "did you mean pid:sector/steel (Sector, Steel)" in e.value.message


def test_wrong_class_names_what_it_is(store):
    with pytest.raises(InputError) as e:
        resolve(store, "measure 2", PKG + "PolicyDocument")
    assert e.value.message.startswith("'measure 2' names pid:doc/miit-2022-160/measure/2 (Measure, ")
    assert "not a PolicyDocument" in e.value.message


def test_readme_example_document_structure_by_notice_name(build_dir):
    rows = engine.run("document-structure", build=build_dir, doc="第160号通知").values()
    measures = {r["measure"] for r in rows if r.get("measure")}
    assert len(measures) == 17          # seventeen measures (notice-160.md, Structure)


def test_query_parameter_takes_document_number_and_measure_reference(build_dir):
    rows = engine.run("document-structure", build=build_dir, doc="工信部联运行〔2022〕160号").values()
    assert len({r["measure"] for r in rows if r.get("measure")}) == 17
    by_name = engine.run("measure-profile", build=build_dir, measure="措施二").values()
    by_key = engine.run("measure-profile", build=build_dir, measure="doc/miit-2022-160/measure/2").values()
    assert by_name == by_key
    # measure (二) targets the automobile industry (seed 001, and the summaries 002 and 003)
    assert PID + "sector/automobiles" in {r["entity"] for r in by_name}


@pytest.mark.parametrize("text,n", [("二", 2), ("十", 10), ("十七", 17), ("二十", 20), ("二十一", 21), ("7", 7),
                                    ("十十", None), ("甲", None)])
def test_chinese_numerals(text, n):
    assert cn_number(text) == n


def test_document_number_variants_parse_alike():
    assert parse_number("工信部联运行〔2022〕160号") == ("工信部联运行", 2022, 160)
    for v in ("〔2022〕160号", "[2022] No. 160", "No. 160 [2022]", "No.160(2022)"):
        assert parse_number(v) == ("", 2022, 160)
    assert parse_number("Notice No. 160") == ("", None, 160)
    assert parse_number("steel") is None


def test_prefixed_names_of_ontology_terms_resolve(store):
    assert resolve(store, "pkg:Measure").value == PKG + "Measure"
    assert resolve(store, "pkg:targetsSector").value == PKG + "targetsSector"


def test_overlong_name_is_refused(store):
    with pytest.raises(InputError, match="at most 500 characters"):
        resolve(store, "x" * 501)
