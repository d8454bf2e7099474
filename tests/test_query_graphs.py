"""Which graph a query sees: the default graph is the union of all graphs as a set (the same rows in
`policykg sparql`, at the endpoint and in rdflib), and `--graph SOURCE` is that source's view with
what it states through its parts."""

from __future__ import annotations

import pytest

from policykg.query import engine as query

PID = "https://w3id.org/policykg/id/"
ISSUERS = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?a WHERE { <https://w3id.org/policykg/id/doc/miit-2022-160> pkg:issuedBy ?a }"""


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    return load.load(build_dir)


@pytest.fixture(scope="module")
def nquads(build_dir):
    import pyoxigraph as ox
    quads = list(ox.parse(path=str(build_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    return quads


def rows(result) -> list[tuple]:
    return sorted(tuple(str(v) for v in r.values()) for r in result.values())


# ------------------------------------------------------------------------------ the default graph

def test_default_graph_counts_each_distinct_triple_once(st, nquads):
    distinct = {(q.subject, q.predicate, q.object) for q in nquads}
    assert len(distinct) < len(nquads), "some triple is stated by several sources"
    got = query.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", store=st).values()[0]["n"]
    assert got == len(distinct)


def test_named_graphs_are_untouched(st, nquads):
    # every named graph is in kg.nq as it is, but the statistics graph, which counts the others
    got = query.sparql("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                       "FILTER(?g != <https://w3id.org/policykg/graph/statistics>) }", store=st).values()[0]["n"]
    assert got == len(nquads)


def test_a_triple_stated_by_several_sources_comes_back_once(st):
    got = [r["a"] for r in query.sparql(ISSUERS, store=st).values()]
    assert sorted(got) == [PID + "agency/miit", PID + "agency/ndrc", PID + "agency/sasac"]
    per_graph = query.sparql(ISSUERS.replace("WHERE {", "WHERE { GRAPH ?g {") + " }", store=st)
    assert len(per_graph) == 12, "four sources state each of the three issuers"


def test_rdflib_gives_the_same_rows(st, build_dir):
    rdflib = pytest.importorskip("rdflib")
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(build_dir / "kg.nq"), format="nquads")
    want = sorted((str(r[0]),) for r in ds.query(ISSUERS))
    assert rows(query.sparql(ISSUERS, store=st)) == want
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(ds.query(count)))[0]) == query.sparql(count, store=st).values()[0]["n"]


@pytest.mark.server
def test_the_endpoint_gives_the_same_rows(st, build_dir):
    import json
    import urllib.parse
    import urllib.request
    from policykg.serve import server as serve
    with serve.start(build_dir, port=serve.free_port(), ready_within_s=30) as s:
        for q in (ISSUERS, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
            req = urllib.request.Request(s.url + "?" + urllib.parse.urlencode({"query": q}),
                                         headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                doc = json.loads(r.read())
            got = sorted(tuple(b[v]["value"] for v in doc["head"]["vars"]) for b in doc["results"]["bindings"])
            assert got == rows(query.sparql(q, store=st))


# ------------------------------------------------------------------------------ one source's view

def test_a_source_that_states_a_measures_sector_answers_for_it(st):
    got = query.run("measures-by-sector", store=st, graph="source/chinanews-2022-11-22", sector="汽车").values()
    assert [r["measure"] for r in got] == [PID + "doc/miit-2022-160/measure/2"]


def test_what_a_source_states_on_actions_is_lifted_to_the_measure_in_its_view(st):
    by_parts = query.run("measures-by-sector", store=st, graph="source/notice-160-bilingual",
                         sector="sector/cruise-ships-and-yachts").values()
    assert [r["measure"] for r in by_parts] == [PID + "doc/miit-2022-160/measure/2"]
    other = query.run("measures-by-sector", store=st, graph="source/chinanews-2022-11-22",
                      sector="sector/cruise-ships-and-yachts").values()
    assert other == [], "the news report says nothing about cruise ships"


def test_a_view_leaves_out_the_other_sources(st):
    one = query.run("document-issuers", store=st, graph="source/web-2023-05-25-notice-160",
                    doc="doc/miit-2022-160").values()
    assert [r["sources"] for r in one] == [1, 1, 1]
    dates = query.run("document-dates", store=st, graph="source/web-2023-05-25-notice-160",
                      doc="doc/miit-2022-160").values()
    assert {r["source"] for r in dates} == {"source/web-2023-05-25-notice-160"}
