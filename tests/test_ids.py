"""`GET /id/KEY` answers with the entity's description in the format the client asks for.

Facts: sector:automobiles is labelled 汽车/Automobiles and matches GB/T 4754-2017 division 36
(ontology/vocab/sectors.ttl); the Notice's number is 工信部联运行〔2022〕160号
(../shared/reference/notice-160.md, Identity).
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from policykg.serve import ids

AUTO = "https://w3id.org/policykg/id/sector/automobiles"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept,query,fmt", [
    (BROWSER, "", "html"), ("", "", "html"), ("text/turtle", "", "ttl"), ("application/ld+json", "", "jsonld"),
    ("text/turtle;q=0.5, application/ld+json", "", "jsonld"), ("text/html;q=0.1, text/turtle", "", "ttl"),
    ("*/*", "", "html"), (BROWSER, "format=ttl", "ttl"), ("application/n-triples", "", "nt")])
def test_negotiation(accept, query, fmt):
    assert ids.negotiate(accept, query) == fmt


def test_browser_gets_a_summary_page(store):
    r = ids.respond(store, "/id/sector/automobiles", BROWSER)
    page = r.body.decode("utf-8")
    assert (r.status, r.content_type, r.headers["Vary"]) == (200, "text/html; charset=utf-8", "Accept")
    assert "<title>Automobiles</title>" in page and "汽车" in page
    assert "gbt4754-2017 36" in page
    assert '<a href="/id/sector/equipment-manufacturing"><code>pid:sector/equipment-manufacturing</code></a>' in page


def test_chinese_page(store):
    page = ids.respond(store, "/id/sector/automobiles?lang=zh", BROWSER).body.decode("utf-8")
    assert '<html lang="zh">' in page and "<title>汽车</title>" in page


def test_turtle_for_clients(store):
    r = ids.respond(store, "/id/sector/automobiles", "text/turtle")
    triples = {q.triple for q in ox.parse(r.body, format=ox.RdfFormat.TURTLE)}
    assert ox.Triple(ox.NamedNode(AUTO), ox.NamedNode(SKOS + "prefLabel"), ox.Literal("汽车", language="zh")) in triples
    assert ox.Triple(ox.NamedNode(AUTO), ox.NamedNode(SKOS + "closeMatch"),
                     ox.NamedNode("https://w3id.org/policykg/id/code/gbt4754-2017/36")) in triples


def test_jsonld_for_clients_expands_with_pyld(store):
    jsonld = pytest.importorskip("pyld.jsonld")
    r = ids.respond(store, "/id/doc/miit-2022-160", "application/ld+json")
    assert r.content_type == "application/ld+json"
    expanded = jsonld.expand(json.loads(r.body))
    notice = next(n for n in expanded if n["@id"] == "https://w3id.org/policykg/id/doc/miit-2022-160")
    assert notice["https://w3id.org/policykg/ontology#documentNumber"] == [{"@value": "工信部联运行〔2022〕160号"}]


def test_unknown_key_is_404_with_suggestions(store):
    r = ids.respond(store, "/id/sector/automobilez", BROWSER)
    assert (r.status, r.content_type) == (404, "text/plain; charset=utf-8")
    assert r.body.decode().startswith("error: no entity 'sector/automobilez' in this build; did you mean "
                                      "pid:sector/automobiles (Sector, Automobiles)")


def test_overlong_path_is_refused(store):
    assert ids.respond(store, "/id/" + "a" * ids.MAX_PATH, "").status == 414


# ---------------------------------------------------------------------------- through `policykg serve`

@pytest.fixture(scope="module")
def server(build_dir):
    from policykg.query.bounds import Limits
    from policykg.serve import server as serve
    s = serve.start(build_dir, port=serve.free_port(), limits=Limits(timeout_s=5, memory_mb=400), ready_within_s=30)
    yield s
    s.stop()


def fetch(server, path, accept="", data=None, ctype=None):
    import urllib.error
    import urllib.request
    headers = {"Accept": accept} | ({"Content-Type": ctype} if ctype else {})
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.mark.server
def test_serve_dereferences_identifiers(server):
    status, headers, body = fetch(server, "/id/sector/automobiles", "text/turtle")
    assert (status, headers["Content-Type"], headers["Vary"]) == (200, "text/turtle; charset=utf-8", "Accept")
    triples = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    assert ox.Triple(ox.NamedNode(AUTO), ox.NamedNode(SKOS + "prefLabel"), ox.Literal("汽车", language="zh")) in triples
    status, headers, body = fetch(server, "/id/sector/automobiles", BROWSER)
    assert status == 200 and "<title>Automobiles</title>" in body.decode("utf-8")
    assert fetch(server, "/id/sector/nothing-here", BROWSER)[0] == 404


@pytest.mark.server
def test_serve_root_is_a_query_page_whose_examples_run(server):
    from policykg.serve import browse
    status, headers, body = fetch(server, "/", BROWSER)
    page = body.decode("utf-8")
    assert status == 200 and "<title>PolicyKG SPARQL</title>" in page and "<script src" not in page
    from policykg.model.namespaces import sparql_prefixes
    query = sparql_prefixes() + browse.EXAMPLES["Issuers of Notice No. 160"]
    status, _, body = fetch(server, "/query", "application/sparql-results+json", query.encode("utf-8"),
                            "application/sparql-query")
    names = sorted(b["name"]["value"] for b in json.loads(body)["results"]["bindings"])
    # MIIT, NDRC and SASAC (notice-160.md, Identity), by their full Chinese names (ontology/vocab/agencies.ttl)
    assert status == 200 and names == ["国务院国有资产监督管理委员会", "国家发展和改革委员会", "工业和信息化部"]


def test_an_answer_past_the_statement_cap_says_so(store, monkeypatch):
    assert "X-PolicyKG-Limit" not in ids.respond(store, "/id/sector/automobiles", "text/turtle").headers
    monkeypatch.setattr(ids, "MAX_TRIPLES", 3)
    r = ids.respond(store, "/id/sector/automobiles", "application/n-triples")
    assert r.headers["X-PolicyKG-Limit"] == "rows" and len(r.body.decode().splitlines()) == 3
