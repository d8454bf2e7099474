"""The ten industries' 2023-2024 plans, their targets, the policies Notice 160 refers to, and the
encoding format for facts read on web pages (kg/documents/ten-industry-plans.yaml, referenced-policies.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.encoding import reader as encoding
from policykg.model import ontology
from policykg.errors import InputError

PID = "https://w3id.org/policykg/id/"
TEN = "https://w3id.org/policykg/graph/ten-industry-plans"
REF = "https://w3id.org/policykg/graph/referenced-policies"


def key(iri):
    return iri[len(PID):] if iri and iri.startswith(PID) else iri


PLANS = {  # key: (class, zh title, issuers, date published)
    "doc/plan-2023-steel": ("WorkPlan", "钢铁行业稳增长工作方案", {"miit", "ndrc"}, "2023-08-25"),
    "doc/plan-2023-nonferrous": ("WorkPlan", "有色金属行业稳增长工作方案",
                                 {"miit", "ndrc", "mof", "mnr", "mofcom", "gac", "nfsra"}, "2023-08-25"),
    "doc/plan-2023-petrochemicals-chemicals": ("WorkPlan", "石化化工行业稳增长工作方案",
                                               {"miit", "ndrc", "mof", "mee", "mofcom", "mem", "acfsmc"}, "2023-08-25"),
    "doc/plan-2023-building-materials": ("WorkPlan", "建材行业稳增长工作方案",
                                         {"miit", "ndrc", "mof", "mnr", "mee", "mohurd", "mofcom", "nfra"}, "2023-08-25"),
    "doc/miit-2023-144": ("WorkPlan", "机械行业稳增长工作方案（2023—2024年）", {"miit"}, "2023-09-02"),
    "doc/plan-2023-automobiles": ("WorkPlan", "汽车行业稳增长工作方案（2023—2024年）", {"miit"}, "2023-09-01"),
    "doc/plan-2023-power-equipment": ("WorkPlan", "电力装备行业稳增长工作方案（2023—2024年）", {"miit"}, None),
    "doc/plan-2023-light-industry": ("WorkPlan", "轻工业稳增长工作方案（2023—2024年）", {"miit", "ndrc", "mofcom"}, "2023-07-28"),
    "doc/plan-2023-electronics": ("ActionPlan", "电子信息制造业2023—2024年稳增长行动方案", {"miit", "mof"}, "2023-09-05"),
}

# plan, indicator, qualifier, value, unit, period, sectors
TARGETS = {
    ("doc/plan-2023-steel", "value-added-growth", "about", "3.5", "percent", "2023", ("steel",)),
    ("doc/plan-2023-steel", "value-added-growth", "about", "4", "percent", "2024", ("steel",)),
    ("doc/plan-2023-nonferrous", "output-growth", "about", "5", "percent", "2023--2024", ("nonferrous-metals",)),
    ("doc/plan-2023-nonferrous", "value-added-growth", "about", "5.5", "percent", "2023", ("nonferrous-metals",)),
    ("doc/plan-2023-nonferrous", "value-added-growth", "more-than", "5.5", "percent", "2024", ("nonferrous-metals",)),
    ("doc/plan-2023-petrochemicals-chemicals", "value-added-growth", "about", "5", "percent", "2023--2024",
     ("chemicals", "petrochemicals")),
    ("doc/plan-2023-building-materials", "value-added-growth", None, "3.5", "percent", "2023", ("building-materials",)),
    ("doc/plan-2023-building-materials", "value-added-growth", "about", "4", "percent", "2024", ("building-materials",)),
    ("doc/plan-2023-building-materials", "revenue-growth", "more-than", "10", "percent", "2023--2024",
     ("green-building-materials", "new-materials")),
    ("doc/miit-2023-144", "revenue-growth", "more-than", "3", "percent", "2023--2024", ("machinery",)),
    ("doc/miit-2023-144", "revenue", None, "8.1", "cny-trillion", "2024", ("machinery",)),
    ("doc/plan-2023-automobiles", "vehicle-sales", "about", "27000000", "vehicles", "2023", ("automobiles",)),
    ("doc/plan-2023-automobiles", "nev-sales", "about", "9000000", "vehicles", "2023", ("new-energy-vehicles",)),
    ("doc/plan-2023-automobiles", "value-added-growth", "about", "5", "percent", "2023", ("automobiles",)),
    ("doc/plan-2023-power-equipment", "revenue-growth", "at-least", "9", "percent", "2023--2024", ("power-equipment",)),
    ("doc/plan-2023-power-equipment", "value-added-growth", "about", "9", "percent", "2023--2024", ("power-equipment",)),
    ("doc/plan-2023-light-industry", "value-added-growth", "about", "4", "percent", "2023--2024", ("light-industry",)),
    ("doc/plan-2023-light-industry", "revenue", "more-than", "25", "cny-trillion", "2023--2024", ("light-industry",)),
    ("doc/plan-2023-electronics", "value-added-growth", "about", "5", "percent", "2023--2024",
     ("electronic-information-manufacturing",)),
    ("doc/plan-2023-electronics", "revenue", "more-than", "24", "cny-trillion", "2023--2024",
     ("electronic-information-manufacturing",)),
}


def test_the_ten_industries_have_nine_plans_with_type_title_issuers_and_date(select):
    rows = select("""SELECT ?d ?c ?t WHERE { GRAPH <%s> { ?d a ?c ; pkg:title ?t } }""" % TEN)
    assert {(key(d), c.rsplit("#", 1)[1], t) for d, c, t in rows} == {(k, v[0], v[1]) for k, v in PLANS.items()}
    for k, (_c, _t, issuers, date) in PLANS.items():
        got = select(f"SELECT ?a WHERE {{ GRAPH <{TEN}> {{ <{PID}{k}> pkg:issuedBy ?a }} }}")
        assert {a.rsplit("/", 1)[1] for (a,) in got} == issuers, k
        dates = select(f"SELECT ?d WHERE {{ <{PID}{k}> pkg:datePublished ?d }}")
        assert [d for (d,) in dates] == ([date] if date else []), k
        assert select(f"SELECT ?p WHERE {{ <{PID}{k}> pkg:coversPeriod ?p }}") == [(PID + "period/2023--2024",)], k


def test_only_the_machinery_plan_has_a_document_number(select):
    rows = select(f"SELECT ?d ?n WHERE {{ GRAPH <{TEN}> {{ ?d pkg:documentNumber ?n }} }}")
    assert rows == [(PID + "doc/miit-2023-144", "工信部联通装〔2023〕144号")]


def test_every_headline_target_is_structured(select):
    rows = select("""SELECT ?plan ?i ?q ?v ?u ?p (GROUP_CONCAT(STR(?s); separator=" ") AS ?ss) WHERE {
        GRAPH <%s> { ?plan pkg:setsTarget ?t . ?t a pkg:Target ; pkg:indicator ?i ; pkg:value ?v ; pkg:unit ?u ;
        pkg:refPeriod ?p ; pkg:refSector ?s . OPTIONAL { ?t pkg:qualifier ?q } } }
        GROUP BY ?t ?plan ?i ?q ?v ?u ?p""" % TEN)
    got = {(key(plan), i.rsplit("/", 1)[1], q and q.rsplit("/", 1)[1], v, u.rsplit("/", 1)[1],
            p.rsplit("/", 1)[1], tuple(sorted(s.rsplit("/", 1)[1] for s in ss.split()))) for plan, i, q, v, u, p, ss in rows}
    assert got == TARGETS
    assert len(rows) == 20


def test_target_facts_cite_their_web_pages(select):
    rows = select("""SELECT ?page ?src WHERE { GRAPH <%s> { ?c rdf:subject <%starget/plan-2023-automobiles/nev-sales-2023> ;
        rdf:predicate pkg:value ; prov:wasDerivedFrom ?page ; pkg:statedIn ?src . ?src a pkg:WebPage } }""" % (TEN, PID))
    assert {p for p, _ in rows} == {"https://freewechat.com/a/MjM5NzQ5MTkyMA==/2657783036/2", "http://hqkj66.cn/fdzx/show-2650.html"}
    assert {s for _, s in rows} == {p for p, _ in rows}
    # no claim of the file points to a text passage; every one derives from a page
    assert select("""SELECT ?c WHERE { GRAPH <%s> { ?c a pkg:Claim FILTER NOT EXISTS { ?c prov:wasDerivedFrom ?p } } }""" % TEN) == []
    assert select("""SELECT ?c WHERE { GRAPH <%s> { ?c pkg:evidence ?e } }""" % TEN) == []


def test_wording_discrepancy_on_the_steel_2024_target_is_flagged(select):
    rows = select("""SELECT ?note WHERE { ?c rdf:subject <%starget/plan-2023-steel/value-added-2024> ;
        rdf:predicate pkg:qualifier ; pkg:verification ?note }""" % PID)
    assert len(rows) == 1 and "more than 4%" in rows[0][0]


def test_referenced_policies_with_numbers_and_typed_links_from_the_notice(select):
    nums = select(f"SELECT ?d ?n WHERE {{ GRAPH <{REF}> {{ ?d pkg:documentNumber ?n }} }} ORDER BY ?d")
    assert [(key(d), n) for d, n in nums] == [("doc/cz-2022-99", "财金〔2022〕99号"), ("doc/miit-2022-88", "工信部联节〔2022〕88号")]
    links = select(f"""SELECT ?s ?p ?o ?note WHERE {{ GRAPH <{REF}> {{ ?s ?p ?o
        FILTER(?p IN (pkg:refersTo, pkg:implements, pkg:basedOn, pkg:continues))
        OPTIONAL {{ ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:verification ?note }} }} }}""")
    got = {(key(s), p.rsplit("#", 1)[1], key(o), note is not None) for s, p, o, note in links}
    assert got == {
        ("doc/miit-2022-160", "refersTo", "doc/sc-2022-stabilize-package", False),
        ("doc/miit-2022-160", "refersTo", "doc/sc-2022-continuation-policies", False),
        ("doc/miit-2022-160", "implements", "doc/plan-nonferrous-carbon-peaking", True),
        ("doc/miit-2022-160", "implements", "doc/plan-building-materials-carbon-peaking", True),
        ("doc/miit-2022-160/measure/1", "refersTo", "doc/fyp14-intelligent-manufacturing", True),
        ("doc/miit-2022-160/measure/1", "refersTo", "doc/fyp14-raw-materials", True),
        ("doc/miit-2022-160/measure/1", "refersTo", "doc/fyp14-industrial-green", True),
        ("doc/miit-2022-160/measure/1", "refersTo", "doc/cz-2022-99", True),
        ("doc/miit-2022-160/measure/1", "refersTo", "doc/pboc-2022-equipment-renewal-relending", True),
        ("doc/miit-2022-160/measure/2", "refersTo", "doc/mof-2022-car-purchase-tax-reduction", True),
        ("doc/miit-2022-160/measure/2", "refersTo", "doc/mof-2022-nev-purchase-tax-exemption", True),
        ("doc/plan-nonferrous-carbon-peaking", "basedOn", "doc/miit-2022-88", True),
        ("doc/plan-building-materials-carbon-peaking", "basedOn", "doc/miit-2022-88", True),
        ("doc/mof-2023-nev-purchase-tax-extension", "continues", "doc/mof-2022-nev-purchase-tax-exemption", False),
    }


def test_no_steel_carbon_peaking_plan_is_invented(select):
    assert select(f"SELECT ?d WHERE {{ ?d a pkg:PolicyDocument ; pkg:targetsSector <{PID}sector/steel> ; "
                  f"pkg:usesInstrument <{PID}instrument/carbon-peaking-plans> }}") == []


# ------------------------------------------------------------------------------------ the format

@pytest.fixture(scope="module")
def onto():
    return ontology.load()


HEADER = """source:
  graph: example-web
  cites:
    P1: http://example.org/page-1
    P2: https://example.org/page-2
entities:
"""


def _read(onto, tmp_path, body: str):
    f = tmp_path / "web.yaml"
    f.write_text(HEADER + body, encoding="utf-8")
    return encoding.read_all(onto, [f])


def test_cited_file_compiles_claims_derived_from_pages(onto, tmp_path):
    from policykg.encoding import compile as compiler
    encs = _read(onto, tmp_path, """  doc/example-2023-plan:
    type: WorkPlan
    label: {en: Example plan, zh: 示例方案}
    cite: P1
    facts:
      issuedBy: [agency/miit, {v: agency/ndrc, cite: [P1, P2], verification: only one page names it}]
""")
    quads = compiler.compile_all(encs)
    g = "https://w3id.org/policykg/graph/example-web"
    assert {q.graph_name.value for q in quads} == {g}
    derived = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"}
    assert {p for _, p in derived} == {"http://example.org/page-1", "https://example.org/page-2"}
    assert len({c for c, _ in derived}) == 3          # the type claim and two issuer claims
    pages = {q.subject.value for q in quads if q.object.value == "https://w3id.org/policykg/ontology#WebPage"}
    assert pages == {"http://example.org/page-1", "https://example.org/page-2"}
    notes = [q.object.value for q in quads if q.predicate.value.endswith("#verification")]
    assert notes == ["only one page names it"]


@pytest.mark.parametrize("body, message", [
    ("""  doc/example-2023-plan:
    type: WorkPlan
    label: {en: Example plan, zh: 示例方案}
    facts:
      issuedBy: {v: agency/miit, cite: P11}
""", "web.yaml:11: unknown cite 'P11' (did you mean 'P1'?); name a page listed under the header's cites, or add it there"),
    ("""  doc/example-2023-plan:
    type: WorkPlan
    label: {en: Example plan, zh: 示例方案}
    facts:
      issuedBy: agency/miit
""", "web.yaml:11: fact 'issuedBy: agency/miit' cites no page; add cite: NAME (a page of the header's cites) here or on the entry, or mark it inferred: REASON"),
    ("""  doc/example-2023-plan:
    type: WorkPlan
    label: {en: Example plan, zh: 示例方案}
    facts:
      issuedBy: {v: agency/miit, at: 1-2}
""", "web.yaml:11: unknown field 'at' in value of issuedBy; allowed: cite, contradicted, inferred, lang, v, verification"),
])
def test_cited_file_errors_name_line_and_fix(onto, tmp_path, body, message):
    with pytest.raises(InputError) as err:
        _read(onto, tmp_path, body)
    assert message in err.value.message


def test_cited_file_rejects_a_reserved_graph_name(onto, tmp_path):
    f = tmp_path / "web.yaml"
    f.write_text(HEADER.replace("example-web", "links") + "  doc/example-2023-plan:\n    type: WorkPlan\n"
                 "    label: {en: Example plan, zh: 示例方案}\n    cite: P1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        encoding.read_all(onto, [f])
    assert "web.yaml:2: bad graph name 'links'" in err.value.message
