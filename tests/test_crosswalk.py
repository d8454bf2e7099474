"""Crosswalks for joining with data: sectors to GB/T 4754-2017 and ISIC Rev.4, regions to GB/T 2260,
ISO 3166-2:CN and the NBS four regions, instruments to external classes, and the queries that join through them."""

from __future__ import annotations

import pytest

from policykg.query import engine as query

PID = "https://w3id.org/policykg/id/"


def keys(values):
    return {v.rsplit("/id/", 1)[-1] for v in values}


@pytest.mark.parametrize("division, label, sector", [
    ("36", "汽车制造业", "sector/automobiles"),
    ("31", "黑色金属冶炼和压延加工业", "sector/steel"),
    ("39", "计算机、通信和其他电子设备制造业", "sector/electronic-information-manufacturing"),
])
def test_division_codes_match_the_key_industries(select, division, label, sector):
    rows = select("""SELECT ?s ?zh WHERE { ?c skos:inScheme <%sscheme/gbt4754-2017> ; skos:notation "%s" ; skos:prefLabel ?zh .
        FILTER(LANG(?zh) = "zh") ?s a pkg:Sector ; skos:closeMatch ?c }""" % (PID, division))
    assert rows == [(PID + sector, label)]


def test_sector_crosswalk_of_the_ten_industries(store):
    rows = {r["sector"]: (r["gbt4754_2017"] or "", r["isic_rev4"]) for r in query.run("crosswalk-sectors", store=store).values()}

    def codes(s):
        return {c.replace(" (close)", "") for c in rows[s][0].split("; ")}
    assert codes("sector/steel") == {"31"} and rows["sector/steel"][1] == "241 (close)"
    assert codes("sector/automobiles") == {"36"} and rows["sector/automobiles"][1] == "29 (close)"
    assert codes("sector/electronic-information-manufacturing") == {"39"}
    assert codes("sector/machinery") == {"34", "35"}
    assert codes("sector/nonferrous-metals") == {"32"}
    assert codes("sector/building-materials") == {"30"}


def test_all_measures_and_targets_for_division_36(store):
    rows = query.run("crosswalk-gbt4754-division", store=store, division="36").values()
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], set()).add(r["item"].rsplit("/id/", 1)[1])
    assert by_kind["target"] == {"target/plan-2023-automobiles/vehicle-sales-2023",
                                 "target/plan-2023-automobiles/nev-sales-2023",
                                 "target/plan-2023-automobiles/value-added-2023"}
    assert {"doc/miit-2022-160/measure/2", "doc/miit-2022-160/measure/4"} <= by_kind["measure"]
    assert {"doc/miit-2022-160/action/2-3", "doc/miit-2022-160/action/2-4", "doc/miit-2022-160/action/4-7"} <= by_kind["action"]
    assert {"doc/plan-2023-automobiles", "doc/mof-2022-nev-purchase-tax-exemption"} <= by_kind["document"]
    assert {r["division_en"] for r in rows} == {"Manufacture of automobiles"}


def test_division_31_and_39_targets(store):
    def targets(div):
        return {r["item"].rsplit("/id/", 1)[1] for r in query.run("crosswalk-gbt4754-division", store=store, division=div).values()
                if r["kind"] == "target"}
    assert targets("31") == {"target/plan-2023-steel/value-added-2023", "target/plan-2023-steel/value-added-2024"}
    assert targets("39") == {"target/plan-2023-electronics/value-added", "target/plan-2023-electronics/revenue"}


def test_region_codes_and_nbs_regions(store):
    rows = query.run("crosswalk-regions", store=store, nbs_region="region/northeast").values()
    assert [(r["region"], r["gbt2260"], r["iso3166_2"], r["nbs_region"]) for r in rows] == [
        ("region/liaoning", "210000", "CN-LN", "region/northeast"),
        ("region/jilin", "220000", "CN-JL", "region/northeast"),
        ("region/heilongjiang", "230000", "CN-HL", "region/northeast")]
    everyone = query.run("crosswalk-regions", store=store).values()
    assert len(everyone) == 31
    assert {r["nbs_region"] for r in everyone} == {"region/east", "region/central", "region/west", "region/northeast"}
    assert sum(1 for r in everyone if r["nbs_region"] == "region/east") == 10


def test_instrument_class_join_finds_the_interest_subsidy_documents(store):
    rows = query.run("crosswalk-instrument-class", store=store, **{"class": "code/un-mast/L"}).values()
    items = {r["item"].rsplit("/id/", 1)[1] for r in rows if r["instrument"] == "instrument/loan-interest-subsidy"}
    assert {"doc/cz-2022-99", "doc/miit-2022-160/action/1-1"} <= items
    demand = query.run("crosswalk-instrument-class", store=store, **{"class": "code/rothwell-zegveld/demand"}).values()
    assert "doc/plan-2023-automobiles" in {r["item"].rsplit("/id/", 1)[1] for r in demand}
