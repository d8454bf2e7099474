"""What the sources say about the 2023 plans, as typed relations (not mere mentions)."""

from __future__ import annotations

import pytest

from policykg.query import engine as query

PID = "https://w3id.org/policykg/id/"
REPORT = "source/report-2023-09-06-ten-industries"


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    return load.load(build_dir)


def profile(st, plan):
    return query.run("plan-profile", store=st, plan=plan).values()


def test_each_plan_has_its_own_industry_and_nine_plans_make_the_ten(st):
    rows = query.run("plan-industries", store=st).values()
    pairs = {(r["plan"].replace(PID, ""), r["industry"]) for r in rows}
    assert pairs == {
        ("doc/plan-2023-steel", "sector/steel"), ("doc/plan-2023-nonferrous", "sector/nonferrous-metals"),
        ("doc/plan-2023-petrochemicals-chemicals", "sector/petrochemicals"),
        ("doc/plan-2023-petrochemicals-chemicals", "sector/chemicals"),
        ("doc/plan-2023-building-materials", "sector/building-materials"), ("doc/miit-2023-144", "sector/machinery"),
        ("doc/plan-2023-automobiles", "sector/automobiles"), ("doc/plan-2023-power-equipment", "sector/power-equipment"),
        ("doc/plan-2023-light-industry", "sector/light-industry"),
        ("doc/plan-2023-electronics", "sector/electronic-information-manufacturing")}
    assert {r["package"] for r in rows} == {"doc/plans-2023-ten-industries"}


def test_the_report_says_the_automobile_plan_supports_four_technologies(st):
    rows = [r for r in profile(st, "doc/plan-2023-automobiles") if r["relation"] == "supportsTechnology"
            and REPORT in r["sources"]]
    assert {r["entity"].replace(PID, "") for r in rows} == {
        "sector/automotive-chips", "sector/solid-state-batteries", "sector/vehicle-operating-systems",
        "sector/high-precision-sensors"}


def test_the_set_of_plans_uses_two_funds_names_two_partners_and_three_major_project_sectors(st):
    rows = profile(st, "doc/plans-2023-ten-industries")

    def of(relation):
        return {r["entity"].replace(PID, "") for r in rows if r["relation"] == relation}
    assert of("usesFund") == {"program/national-manufacturing-transformation-fund", "program/sme-development-fund"}
    assert of("partnerAgency") == {"agency/ndrc", "agency/mofcom"}
    assert of("majorProjectSector") == {"sector/petrochemicals", "sector/integrated-circuits", "sector/new-displays"}
    assert all(r["sources"] == REPORT for r in rows if r["relation"] in ("usesFund", "partnerAgency"))


def test_a_plan_answers_with_what_the_report_says_of_all_plans(st):
    rows = profile(st, "doc/plan-2023-steel")
    funds = {r["entity"].replace(PID, "") for r in rows if r["relation"] == "usesFund"}
    assert funds == {"program/national-manufacturing-transformation-fund", "program/sme-development-fund"}
    assert {r["via"] for r in rows if r["relation"] == "usesFund"} == {"set of plans: doc/plans-2023-ten-industries"}


def test_typed_relations_are_sector_targets_too(st):
    """supportsTechnology and majorProjectSector are narrower than targetsSector: older queries see them."""
    rows = query.sparql("SELECT ?s WHERE { <https://w3id.org/policykg/id/doc/plans-2023-ten-industries> pkg:targetsSector ?s }", store=st)
    got = {r["s"].replace(PID, "") for r in rows.values()}
    assert {"sector/integrated-circuits", "sector/new-displays", "sector/robots"} <= got
