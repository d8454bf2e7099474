"""The export reads entities many at a time (`Facts.prefetch`, the claims of all entities in one
query); what it reads so is what the one-entity lookups read."""

from __future__ import annotations

import pytest

from policykg.export.facts import Facts
from policykg.model.namespaces import PID
from policykg.store import load


@pytest.fixture(scope="module")
def store(build_dir):
    return load.load(build_dir)


def test_stated_values_read_in_bulk_are_those_read_one_by_one(store):
    bulk, single = Facts(store), Facts(store)
    iris = [i for cls in ("PolicyDocument", "Measure", "PolicyAction", "Target", "Statistic", "Link", "Sector")
            for i in bulk.instances(cls)]
    assert len(iris) > 200                        # more than one query's worth
    bulk.prefetch(iris)
    for i in iris:
        assert bulk._stated[i] == single._read_stated(i), i


def test_claims_read_for_all_entities_at_once(store):
    f = Facts(store)
    # Notice 160's measure 13 is numbered by inference: no source numbers it, the news report lists it
    # first among the enterprise items (kg/documents/chinanews-2022-11-22.yaml, its "inferred" reason)
    assert f.ordinal_inferred(PID + "doc/miit-2022-160/measure/13")
    assert not f.ordinal_inferred(PID + "doc/miit-2022-160/measure/2")
    assert "pid:source/notice-160-bilingual" in f.source_keys(PID + "doc/miit-2022-160/measure/2")
    assert f.source_keys(PID + "doc/miit-2022-160/action/2-12") == ["pid:source/notice-160-bilingual"]


def test_values_read_for_some_properties_only_leave_the_others_to_a_lookup(store):
    from policykg.model.namespaces import PKG, RDFS
    bulk, single = Facts(store), Facts(store)
    links = list(bulk.instances("Link"))
    assert links
    bulk.prefetch(links, (PKG + "linkFrom", PKG + "linkTo"))
    for i in links:
        for prop in (PKG + "linkFrom", PKG + "linkTo", PKG + "score", RDFS + "label"):
            assert bulk.of(i, prop) == single.of(i, prop), (i, prop)
        assert bulk.of(i, PKG + "linkFrom")             # every link starts somewhere
