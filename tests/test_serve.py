"""`policykg serve`: the read-only oxigraph endpoint, driven by a SPARQL 1.1 Protocol client.

Traffic goes only to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.server

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
ISSUERS = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?a WHERE { <https://w3id.org/policykg/id/doc/miit-2022-160> pkg:issuedBy ?a } ORDER BY ?a"""
WANT = ["https://w3id.org/policykg/id/agency/miit", "https://w3id.org/policykg/id/agency/ndrc",
        "https://w3id.org/policykg/id/agency/sasac"]


@pytest.fixture(scope="module")
def server(build_dir, tmp_path_factory):
    from policykg.serve import server as serve
    s = serve.start(build_dir, port=serve.free_port(), timeout_s=1,
                    location=tmp_path_factory.mktemp("oxstore") / "store", ready_within_s=20)
    yield s
    s.stop()
    assert not s.running()


def wrapper(server, method):
    from SPARQLWrapper import SPARQLWrapper as W
    w = W(server.url)
    w.setMethod(method)
    w.setTimeout(10)
    return w


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_json_results_over_get_and_post(server, method):
    from SPARQLWrapper import JSON
    w = wrapper(server, method)
    w.setQuery(ISSUERS)
    w.setReturnFormat(JSON)
    doc = w.query().convert()
    assert [b["a"]["value"] for b in doc["results"]["bindings"]] == WANT


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_csv_results_over_get_and_post(server, method):
    from SPARQLWrapper import CSV
    w = wrapper(server, method)
    w.setQuery(ISSUERS)
    w.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(w.query().convert().decode("utf-8"))))
    assert rows == [["a"]] + [[iri] for iri in WANT]


def test_default_graph_is_the_union_of_all_sources(server):
    from SPARQLWrapper import JSON
    w = wrapper(server, "GET")
    w.setQuery("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a <https://w3id.org/policykg/ontology#Measure> ; "
               "<https://w3id.org/policykg/ontology#isPartOf> <https://w3id.org/policykg/id/doc/miit-2022-160> }")
    w.setReturnFormat(JSON)
    assert w.query().convert()["results"]["bindings"][0]["n"]["value"] == "17"


def test_update_is_refused(server):
    data = urllib.parse.urlencode({"update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"}).encode()
    req = urllib.request.Request(server.base + "/update", data=data,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code in (403, 405)
    from SPARQLWrapper import JSON
    w = wrapper(server, "GET")
    w.setQuery("ASK { <http://example.org/a> ?p ?o }")
    w.setReturnFormat(JSON)
    assert w.query().convert()["boolean"] is False


def test_server_listens_on_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert "--bind" in server.process.args and f"127.0.0.1:{server.port}" in server.process.args


def test_runaway_query_is_cut_off_and_the_cut_is_detected(server):
    from policykg.serve.server import complete_json
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"       # ~6e8 rows: far beyond 1 s
    req = urllib.request.Request(server.url + "?" + urllib.parse.urlencode({"query": q}),
                                 headers={"Accept": "application/sparql-results+json"})
    import time
    t = time.monotonic()
    with urllib.request.urlopen(req, timeout=20) as r:
        status = r.status
        body = r.read(10_000_000)
    assert time.monotonic() - t < 15
    assert status == 200                       # the server signals the timeout only by cutting the body
    with pytest.raises(ValueError, match="incomplete SPARQL result"):
        complete_json(body)
    assert complete_json(json.dumps({"head": {"vars": []}, "results": {"bindings": []}}))["results"] == {"bindings": []}
