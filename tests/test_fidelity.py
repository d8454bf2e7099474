"""Fidelity to the sources: what the text does not say is flagged inferred, or left out."""

from __future__ import annotations

import pytest

from policykg.query import engine as query

PID = "https://w3id.org/policykg/id/"


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    return load.load(build_dir)


def claims(st, subject, prop):
    return query.sparql(f"""SELECT ?o ?inferred ?reason WHERE {{
        ?c rdf:subject <{PID}{subject}> ; rdf:predicate pkg:{prop} ; rdf:object ?o .
        OPTIONAL {{ ?c pkg:inferred ?inferred }} OPTIONAL {{ ?c pkg:inferenceReason ?reason }} }}""",
                        store=st).values()


@pytest.mark.parametrize("item", [f"goal/{n}" for n in range(1, 5)] + [f"task/{n}" for n in range(1, 6)]
                         + [f"principle/{n}" for n in range(1, 5)])
def test_unnumbered_items_of_the_notice_have_inferred_ordinals(st, item):
    rows = claims(st, f"doc/miit-2022-160/{item}", "ordinal")
    assert rows and all(r["inferred"] is True and "position" in r["reason"] for r in rows)


def test_revenue_targets_without_a_year_have_an_inferred_period(st):
    for target in ("target/plan-2023-light-industry/revenue", "target/plan-2023-electronics/revenue"):
        [row] = claims(st, target, "refPeriod")
        assert row["o"] == PID + "period/2023--2024" and row["inferred"] is True


@pytest.mark.parametrize("doc, instrument", [("doc/miit-2023-144", "major-project-construction"),
                                             ("doc/plan-2023-nonferrous", "capacity-early-warning"),
                                             ("doc/fyp14-industrial-green", "carbon-peaking-plans")])
def test_instruments_the_cited_notes_do_not_support_are_left_out(st, doc, instrument):
    assert PID + "instrument/" + instrument not in {r["o"] for r in claims(st, doc, "usesInstrument")}


def test_statistics_keep_about_and_the_written_precision(st):
    rows = {r["statistic"].replace(PID, ""): r for r in query.run("statistics", store=st).values()}
    assert rows["stat/2023-ten-industries-share"]["qualifier"] == "About"
    assert rows["stat/2023-ten-industries-share"]["value"] == "70"
    assert rows["stat/2022-10-industrial-value-added"]["value"] == "5.0"


def test_the_year_of_the_october_statistic_is_flagged_inferred(st):
    [row] = claims(st, "stat/2022-10-industrial-value-added", "refPeriod")
    assert row["o"] == PID + "period/2022-10" and row["inferred"] is True and "fourth quarter of 2022" in row["reason"]


def test_the_database_stamp_of_seed_004_is_not_an_issue_date(st):
    dates = query.run("document-dates", store=st, doc="doc/miit-2022-160").values()
    assert "2010-05-31" not in {str(r["date"]) for r in dates}
    conflicts = query.run("conflicting-claims", store=st).values()
    assert all("2010" not in str(r.get("value", "")) for r in conflicts)


def test_every_cited_page_says_what_kind_of_site_it_is_on(st):
    rows = query.sparql("""SELECT DISTINCT ?page WHERE {
        { ?page a pkg:WebPage } UNION { ?x dcterms:source ?page FILTER(isIRI(?page) && !STRSTARTS(STR(?page), STR(pid:))) }
        FILTER NOT EXISTS { ?page pkg:pageKind ?kind } }""", store=st).values()
    assert rows == [], "classify these pages in ontology/vocab/web-pages.ttl"


def test_aggregator_only_facts_are_listed_and_facts_with_a_better_source_are_not(st):
    rows = {(r["subject"], r["property"], r["value"]) for r in query.run("aggregator-only-facts", store=st).values()}
    assert ("doc/miit-2023-144", "documentNumber", "工信部联通装〔2023〕144号") in rows      # only a mirror of the plan text
    assert ("doc/plan-2023-automobiles", "supportsTechnology", "sector/automotive-chips") not in rows   # seed 002 too
    assert not any(s == "doc/miit-2022-160" and p == "issuedBy" for s, p, _ in rows)
