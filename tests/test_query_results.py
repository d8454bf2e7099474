"""Result formats: SPARQL 1.1 JSON/CSV/TSV, Markdown and the terminal table with CJK widths."""

from __future__ import annotations

import json

import pyoxigraph as ox

from policykg.query import results
from policykg.query.results import Result

XSD = "http://www.w3.org/2001/XMLSchema#"
R = Result(["s", "label", "n"], [
    (ox.NamedNode("https://w3id.org/policykg/id/sector/automobiles"), ox.Literal("汽车", language="zh"),
     ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))),
    (ox.NamedNode("https://w3id.org/policykg/id/sector/steel"), ox.Literal("Steel, \"iron\"", language="en"), None),
])


def test_json_follows_the_sparql_results_format():
    doc = json.loads(results.to_json(R))
    assert doc["head"] == {"vars": ["s", "label", "n"]}
    assert doc["results"]["bindings"] == [
        {"s": {"type": "uri", "value": "https://w3id.org/policykg/id/sector/automobiles"},
         "label": {"type": "literal", "value": "汽车", "xml:lang": "zh"},
         "n": {"type": "literal", "value": "3", "datatype": XSD + "integer"}},
        {"s": {"type": "uri", "value": "https://w3id.org/policykg/id/sector/steel"},
         "label": {"type": "literal", "value": "Steel, \"iron\"", "xml:lang": "en"}},
    ]
    assert json.loads(results.to_json(Result(boolean=True))) == {"head": {}, "boolean": True}


def test_csv_and_tsv_follow_the_sparql_formats():
    assert results.to_csv(R) == ('s,label,n\r\n'
                                 'https://w3id.org/policykg/id/sector/automobiles,汽车,3\r\n'
                                 'https://w3id.org/policykg/id/sector/steel,"Steel, ""iron""",\r\n')
    assert results.to_tsv(R).splitlines() == [
        "?s\t?label\t?n",
        '<https://w3id.org/policykg/id/sector/automobiles>\t"汽车"@zh\t3',
        '<https://w3id.org/policykg/id/sector/steel>\t"Steel, \\"iron\\""@en\t']


def test_table_aligns_chinese_by_display_width():
    lines = results.to_table(R).splitlines()
    assert lines[0] == "s" + " " * 23 + "label" + " " * 10 + "n"
    assert lines[2] == "pid:sector/automobiles  汽车" + " " * 11 + "3"      # 汽车 is four columns wide
    assert lines[3] == 'pid:sector/steel        Steel, "iron"'
    assert results.width(lines[2]) == results.width(lines[0])
    assert lines[-1] == "(2 rows)"


def test_markdown_escapes_pipes():
    r = Result(["x"], [(ox.Literal("a|b"),)])
    assert results.to_markdown(r) == "| x |\n|---|\n| a\\|b |\n"


def test_python_values_are_plain():
    assert R.values() == [{"s": "https://w3id.org/policykg/id/sector/automobiles", "label": "汽车", "n": 3},
                          {"s": "https://w3id.org/policykg/id/sector/steel", "label": 'Steel, "iron"', "n": None}]
    assert "<table>" in R._repr_html_()
