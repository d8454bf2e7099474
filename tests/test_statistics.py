"""The statistics graph (policykg.store.statistics) on the real graph: the catalogue queries that
read it give the answers of the aggregations they replace (tests/aggregations/NAME.rq: the
queries as they counted every claim at query time), and its counts are those of the sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers_query import normalise
from policykg.model.namespaces import PID, PKG, RDF, SKOS, STATISTICS_GRAPH
from policykg.query import engine
from policykg.store import statistics, union

AGGREGATIONS = Path(__file__).with_name("aggregations")
QUERIES = Path(__file__).resolve().parent.parent / "queries"
G = ox.NamedNode(STATISTICS_GRAPH)


def _rows(store, text: str) -> list[tuple]:
    """The answer as normalised CSV rows, parameter columns (`_x`) left out."""
    csv = store.query(text, **union.options(store)).serialize(format=ox.QueryResultsFormat.CSV).decode()
    rows = normalise(csv)
    keep = [i for i, h in enumerate(rows[0]) if not h.startswith("_")]
    return [tuple(rows[0][i] for i in keep)] + sorted(tuple(r[i] for i in keep) for r in rows[1:])


@pytest.mark.parametrize("name", sorted(p.stem for p in AGGREGATIONS.glob("*.rq")))
def test_a_query_on_the_statistics_gives_the_answer_of_the_aggregation(store, name):
    old, new = _rows(store, (AGGREGATIONS / f"{name}.rq").read_text()), _rows(store, (QUERIES / f"{name}.rq").read_text())
    if name == "source-agreement":          # the pairs that share nothing have no statistics node
        old = [r for r in old if r[2:] != ("0", "0")]
    assert len(new) > 1 and new == old


def test_the_statistics_graph_is_what_the_build_counts_from_the_union(store):
    assert set(store.quads_for_pattern(None, None, None, G)) == \
        {ox.Quad(q.subject, q.predicate, q.object, G) for q in statistics.compute(store)}


def test_the_bulk_queries_count_what_the_lookup_per_claim_counts(store):
    # two readings of the claims: the four bulk queries (compute) and the per-claim lookups that
    # `update` runs after an add; the real graph has contradicted, inferred and multi-source claims
    by_claim = statistics.compute(store, by_claim=True)
    bulk = statistics.compute(store)
    assert len(bulk) == len(set(bulk)) and set(bulk) == set(by_claim)
    kinds = {q.object.value[len(PKG):] for q in bulk if q.predicate.value == RDF + "type"}
    assert kinds == {"FactStatistics", "SourceStatistics", "SourcePairStatistics", "TermStatistics",
                     "InstrumentSectorStatistics"}
    contradictions = [q for q in bulk if q.predicate.value == PKG + "contradictionCount" and q.object.value != "0"]
    inferred = [q for q in bulk if q.predicate.value == PKG + "anyInferred" and q.object.value == "true"]
    assert contradictions and inferred


def test_a_store_without_the_union_counts_the_same_from_its_named_graphs(store):
    # a store whose default graph is empty is read through its named graphs (a triple of several
    # sources then comes once per graph): the same graph as from the union
    bare = ox.Store()
    bare.extend(q for q in store.quads_for_pattern(None, None, None) if q.graph_name not in (union.DEFAULT, G))
    assert not union.has_union(bare)
    bulk = statistics.compute(bare)
    assert set(bulk) == set(statistics.compute(bare, by_claim=True)) == set(store.quads_for_pattern(None, None, None, G))


def _stat(store, node_class: str, **props) -> dict:
    """The one statistics node of `node_class` with the given IRI values, as property -> value."""
    nodes = None
    for p, iri in props.items():
        found = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(PKG + p), ox.NamedNode(iri), G)}
        nodes = found if nodes is None else nodes & found
    nodes = {n for n in nodes if ox.Quad(n, ox.NamedNode(RDF + "type"), ox.NamedNode(PKG + node_class), G) in store}
    assert len(nodes) == 1, nodes
    return {q.predicate.value[len(PKG):]: q.object.value for q in store.quads_for_pattern(nodes.pop(), None, None, G)
            if q.predicate.value.startswith(PKG)}


def test_notice_160_issued_21_november_is_confirmed_and_the_december_date_is_not(store):
    # notice-160.md "Conflicting claims": Chinanews (001) and the English summary (003) give
    # 21 November 2022; the 2023-05-25 web report (000) gives 21 December, a contradicted claim
    rows = engine.run("confirmed-facts", store=store, min=2).values()
    issued = [r for r in rows if r["subject"] == "doc/miit-2022-160" and r["property"] == "dateIssued"]
    assert [r["value"] for r in issued] == ["2022-11-21"]
    assert set(issued[0]["source_list"].split("; ")) >= {"source/chinanews-2022-11-22", "source/summary-notice-160"}
    pair = _stat(store, "SourcePairStatistics", sourceA=PID + "source/summary-notice-160",
                 sourceB=PID + "source/web-2023-05-25-notice-160")
    assert pair["contradictionCount"] == "1"


def test_the_issuers_of_notice_160_are_each_stated_by_several_sources(store):
    # notice-160.md: issued jointly by MIIT, NDRC and SASAC
    for agency in ("miit", "ndrc", "sasac"):
        fact = _stat(store, "FactStatistics", statSubject=PID + "doc/miit-2022-160",
                     statPredicate=PKG + "issuedBy", statObject=PID + f"agency/{agency}")
        assert int(fact["sourceCount"]) >= 2 and "soleSource" not in fact


def test_source_counts_are_the_build_reports(store, build_dir):
    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))["claims_per_source"]
    for src, row in report.items():
        stat = _stat(store, "SourceStatistics", statisticsOf=src)
        assert (int(stat["claimCount"]), int(stat["inferredCount"]), int(stat["contradictedCount"])) == \
            (row["claims"], row["inferred"], row["contradicted"]), src


def test_the_statistics_are_not_in_the_dumps_or_the_union(store, build_dir):
    assert not any(True for _ in store.quads_for_pattern(None, ox.NamedNode(PKG + "sourceCount"), None, union.DEFAULT))
    assert STATISTICS_GRAPH not in (build_dir / "kg.nq").read_text(encoding="utf-8")


@pytest.mark.parametrize("source", ["notice-160-bilingual", "summary-notice-160", "chinanews-2022-11-22"])
def test_under_one_source_the_queries_on_the_statistics_answer_as_the_aggregations(store, source):
    # `--graph SOURCE` answers from the source's view, which counts its own statistics
    from policykg.model.namespaces import GRAPH
    from policykg.query import view
    v = view.source_view(store, GRAPH + source)
    answered = []
    for path in sorted(AGGREGATIONS.glob("*.rq")):
        old, new = _rows(v, path.read_text()), _rows(v, (QUERIES / path.name).read_text())
        if path.stem == "source-agreement":
            old = [r for r in old if r[2:] != ("0", "0")]
        assert new == old, path.stem
        answered += [path.stem] if len(new) > 1 else []
    assert {"claims-per-source", "unconfirmed-facts"} <= set(answered)


def test_agency_responsibilities_under_one_source_are_that_sources(store):
    # the Notice's text makes local governments responsible for five actions; the summary names
    # MIIT for the Notice as a whole (kg/documents: the claims' locators)
    def run(graph=None):
        rows = engine.run("agency-responsibilities", store=store, graph=graph).values()
        return {(r["agency"].rsplit("/", 1)[-1], r["holder"].split("/id/")[-1]) for r in rows}
    notice, summary = run("source/notice-160-bilingual"), run("source/summary-notice-160")
    assert notice == {("local-governments", f"doc/miit-2022-160/action/{a}") for a in ("2-12", "3-1", "3-7", "4-1", "4-10")}
    assert ("miit", "doc/miit-2022-160") in summary and notice | summary <= run()


def _copy(store) -> ox.Store:
    out = ox.Store()
    out.extend(store.quads_for_pattern(None, None, None))
    return out


def _added(store, before, quads: list) -> ox.Store:
    """`before` plus `quads` in a new graph and in the union, its statistics graph as `before` had it."""
    after = _copy(before)
    after.extend(quads)
    after.extend(ox.Quad(q.subject, q.predicate, q.object, union.DEFAULT) for q in quads)
    return after


def _pid(key: str) -> ox.NamedNode:
    return ox.NamedNode(PID + key)


def _an_add(store) -> list:
    """Quads an add could bring: an earlier measure that uses a new instrument and targets a
    sector, a statement an earlier source already makes, a new measure and action, a new source's
    claim, an earlier source's claims about an instrument it never named and one it named."""
    g, pkg = _pid("graph/test-add"), lambda x: ox.NamedNode(PKG + x)
    typ = ox.NamedNode(RDF + "type")
    m16, m3, new_m, new_a = (_pid(k) for k in ("doc/miit-2022-160/measure/16", "doc/miit-2022-160/measure/3",
                                                  "doc/test-add/measure/1", "doc/test-add/measure/1/action/1"))
    summary = _pid("source/summary-notice-160")
    named = {q.object for c in store.quads_for_pattern(None, pkg("statedIn"), summary, union.DEFAULT)
             for q in store.quads_for_pattern(c.subject, ox.NamedNode(RDF + "object"), None, union.DEFAULT)}
    instruments = {q.subject for q in store.quads_for_pattern(None, typ, pkg("PolicyInstrument"), union.DEFAULT)}
    unnamed, known = sorted(t.value for t in instruments - named)[0], sorted(t.value for t in instruments & named)[0]
    rows = [
        (m16, pkg("usesInstrument"), _pid("instrument/tax-reduction")),
        (m16, pkg("targetsSector"), _pid("sector/robots")),
        (m3, pkg("usesInstrument"), _pid("instrument/special-trade-funds")),          # already stated
        (new_m, typ, pkg("Measure")), (new_m, pkg("usesInstrument"), _pid("instrument/consumption-vouchers")),
        (new_m, pkg("targetsSector"), _pid("sector/robots")), (new_m, pkg("targetsSector"), _pid("sector/new-materials")),
        (new_a, typ, pkg("PolicyAction")), (new_a, pkg("usesInstrument"), _pid("instrument/tax-reduction")),
        (new_a, pkg("targetsSector"), _pid("sector/robots")),
        (_pid("claim/test-add/1"), ox.NamedNode(RDF + "object"), _pid("sector/robots")),
        (_pid("claim/test-add/1"), pkg("statedIn"), _pid("source/test-add")),
        (_pid("claim/test-add/2"), ox.NamedNode(RDF + "object"), ox.NamedNode(unnamed)),
        (_pid("claim/test-add/2"), pkg("statedIn"), summary),
        (_pid("claim/test-add/3"), ox.NamedNode(RDF + "object"), ox.NamedNode(known)),      # named before
        (_pid("claim/test-add/3"), pkg("statedIn"), summary),
    ]
    return [ox.Quad(s, p, o, g) for s, p, o in rows]


def _statistics(store) -> set:
    return set(store.quads_for_pattern(None, None, None, G))


def test_an_add_moves_the_instrument_and_sector_counts_to_what_a_recount_gives(store, monkeypatch):
    before = _copy(store)
    quads = _an_add(store)
    after = _added(store, before, quads)
    monkeypatch.setattr(statistics, "_recount_usage", lambda *_a: pytest.fail("recounted instead of moved"))
    added, removed = statistics.update(after, quads, before=before)
    recount = {ox.Quad(q.subject, q.predicate, q.object, G) for q in statistics.compute(after)}
    assert _statistics(after) == recount
    assert _statistics(after) != _statistics(before)
    # the robots sector: one more measure (16, earlier) and a new one, one action, two more sources
    robots = _stat(after, "TermStatistics", statisticsOf=PID + "sector/robots")
    was = _stat(before, "TermStatistics", statisticsOf=PID + "sector/robots")
    assert int(robots["measureCount"]) == int(was["measureCount"]) + 2
    assert int(robots["actionCount"]) == int(was["actionCount"]) + 1
    assert int(robots["sourceCount"]) == int(was["sourceCount"]) + 1
    # a statement that an earlier source already made counts once
    funds = PID + "instrument/special-trade-funds"
    assert _stat(after, "TermStatistics", statisticsOf=funds) == _stat(before, "TermStatistics", statisticsOf=funds)


def test_an_add_that_changes_the_instrument_hierarchy_is_recounted(store):
    before = _copy(store)
    quads = _an_add(store) + [ox.Quad(_pid("instrument/tax-reduction"), ox.NamedNode(SKOS + "broader"),
                                      _pid("instrument/regulation"), _pid("graph/test-add"))]
    after = _added(store, before, quads)
    statistics.update(after, quads, before=before)
    assert _statistics(after) == {ox.Quad(q.subject, q.predicate, q.object, G) for q in statistics.compute(after)}
