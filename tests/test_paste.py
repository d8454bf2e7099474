"""Identifiers as the commands print them are accepted by `policykg sparql` as written."""

from __future__ import annotations

import pytest

from policykg.query import engine
from policykg.query.paste import escape_keys

# the Notice's number: ../shared/reference/notice-160.md (Identity)
NUMBER = "工信部联运行〔2022〕160号"


@pytest.mark.parametrize("subject", ["pid:doc/miit-2022-160", "<doc/miit-2022-160>", "pid:doc\\/miit-2022-160",
                                     "<https://w3id.org/policykg/id/doc/miit-2022-160>"])
def test_every_printed_form_of_a_key_works_in_sparql(build_dir, subject):
    rows = engine.sparql(f"SELECT ?n WHERE {{ {subject} pkg:documentNumber ?n }}", build=build_dir).values()
    assert rows == [{"n": NUMBER}]


def test_measure_key_with_several_slashes(build_dir):
    rows = engine.sparql('SELECT ?l WHERE { pid:doc/miit-2022-160/measure/2 pkg:targetsSector/skos:prefLabel ?l '
                         'FILTER(LANG(?l) = "zh") }', build=build_dir).values()
    assert "汽车" in {r["l"] for r in rows}            # measure (二) targets automobiles (seeds 001, 002, 003)


@pytest.mark.parametrize("text", ["?s pid:a/pkg:b ?o", "pid:x/a ?t", '"pid:doc/a"', "<pid:doc/a>",
                                  "# pid:doc/a", "?s pkg:partOf/pkg:partOf ?o"])
def test_paths_strings_iris_and_comments_are_left_alone(text):
    assert escape_keys(text) == text


def test_slashes_of_keys_are_escaped():
    assert escape_keys("pid:doc/x/measure/2 a pkg:Measure .") == "pid:doc\\/x\\/measure\\/2 a pkg:Measure ."
    assert escape_keys("pid:doc/x/part/1/pkg:y") == "pid:doc\\/x\\/part\\/1/pkg:y"


def test_a_query_with_its_own_base_keeps_it(build_dir):
    rows = engine.sparql('BASE <https://w3id.org/policykg/id/sector/> SELECT ?l WHERE { <automobiles> skos:prefLabel ?l '
                         'FILTER(LANG(?l) = "zh") }', build=build_dir).values()
    assert rows == [{"l": "汽车"}]                  # ontology/vocab/sectors.ttl
