"""As-of questions: what was in force on a day, from the periods the sources state."""

from __future__ import annotations

import pytest

from policykg.query import engine as query

PID = "https://w3id.org/policykg/id/"


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    return load.load(build_dir)


def in_force(st, day, kind=None):
    rows = query.run("in-force", store=st, as_of=day).values()
    return {r["item"].replace(PID, ""): r for r in rows if kind is None or r["kind"] == kind}


def test_late_november_2022_has_the_notice_its_measures_and_the_halved_car_tax(st):
    docs = in_force(st, "2022-11-30", "document")
    assert set(docs) == {"doc/miit-2022-160", "doc/mof-2022-car-purchase-tax-reduction"}
    assert docs["doc/miit-2022-160"]["inferred"] is True, "the Notice's horizon is taken from its Q4 2022 goal"
    assert docs["doc/mof-2022-car-purchase-tax-reduction"]["inferred"] is False
    measures = in_force(st, "2022-11-30", "measure")
    assert set(measures) == {f"doc/miit-2022-160/measure/{n}" for n in range(1, 18)}


def test_the_notice_is_not_in_force_before_it_was_issued(st):
    assert set(in_force(st, "2022-11-20", "document")) == {"doc/mof-2022-car-purchase-tax-reduction"}


def test_the_2023_nev_exemption_ends_with_2023_and_its_extension_runs_to_2027(st):
    assert "doc/mof-2022-nev-purchase-tax-exemption" in in_force(st, "2023-12-31")
    later = in_force(st, "2024-01-01", "document")
    assert "doc/mof-2022-nev-purchase-tax-exemption" not in later
    assert set(in_force(st, "2027-06-30", "document")) == {"doc/mof-2023-nev-purchase-tax-extension"}


def test_a_plan_counts_from_its_release_not_from_the_start_of_its_period(st):
    assert "doc/plan-2023-automobiles" not in in_force(st, "2023-08-31")      # released 2023-09-01
    sept = in_force(st, "2023-09-03", "document")
    assert {"doc/plan-2023-automobiles", "doc/miit-2023-144", "doc/plan-2023-steel"} <= set(sept)
    assert "doc/plan-2023-electronics" not in sept                               # released 2023-09-05


def test_an_undated_plan_says_it_may_not_have_existed_yet(st):
    row = in_force(st, "2023-06-30")["doc/plan-2023-power-equipment"]
    assert "no source dates the document" in row["how"]


def test_as_of_option_sets_the_date_and_refuses_queries_without_one(capsys, build_dir):
    from policykg.cli import main
    assert main(["query", "in-force", "--as-of", "2025-01-01", "-f", "csv", "--build", str(build_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith(PID + "doc/mof-2023-nev-purchase-tax-extension,")
    assert main(["query", "measures", "-p", "doc=doc/miit-2022-160", "--as-of", "2025-01-01",
                 "--build", str(build_dir)]) == 2
    assert capsys.readouterr().err == ("error: query 'measures' does not answer as of a date; "
                                       "use a query with an as_of parameter: in-force\n")
    assert main(["query", "in-force", "--as-of", "2025-13-01", "--build", str(build_dir)]) == 2
