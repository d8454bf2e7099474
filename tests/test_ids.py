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
