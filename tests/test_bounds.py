"""Queries are bounded in time, memory and rows by the operating system, and cannot reach the network."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from policykg.errors import InputError
from policykg.query import bounds, engine as query, service
from policykg.query.bounds import Limits, LimitError

CROSS3 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CROSS2_SORTED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def children() -> list[int]:
    pid = os.getpid()
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def test_a_cross_product_is_stopped_at_its_time_limit_and_no_worker_is_left(store):
    with pytest.raises(LimitError) as e:
        query.sparql(CROSS3, store=store, limits=Limits(timeout_s=1.5))
    assert e.value.message == ("the query was stopped after 1.5 s (its time limit); narrow the query "
                               "(more patterns, a LIMIT), or raise the limit with --timeout SECONDS")
    assert children() == []


def test_a_sorted_cross_product_is_stopped_at_its_memory_limit(store):
    with pytest.raises(LimitError) as e:
        query.sparql(CROSS2_SORTED, store=store, limits=Limits(timeout_s=60, memory_mb=300))
    assert (e.value.kind, e.value.message) == ("memory", "the query was stopped at its memory limit of 300 MB; "
                                               "narrow the query (fewer unconstrained patterns, no ORDER BY over "
                                               "everything), or raise the limit with --memory MB")
    assert children() == []


def test_a_result_past_the_row_cap_is_an_error_not_a_cut_result(store):
    with pytest.raises(LimitError) as e:
        query.sparql("SELECT * WHERE { ?s ?p ?o }", store=store, limits=Limits(max_rows=100))
    assert e.value.message == ("the query returned more than 100 rows (its row cap); add a LIMIT or narrow "
                               "the query, or raise the cap with --max-rows N")
    assert len(query.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 100", store=store, limits=Limits(max_rows=100))) == 100


def test_named_queries_run_bounded_and_give_the_issuers_of_notice_160(store):
    """Notice 160 was issued jointly by MIIT, NDRC and SASAC (its document number 工信部联运行〔2022〕160号
    and signature block; ../shared/reference/notice-160.md)."""
    rows = query.run("document-issuers", store=store, doc="doc/miit-2022-160", limits=Limits(timeout_s=10))
    assert sorted(r["agency"].rsplit("/", 1)[-1] for r in rows.values()) == ["miit", "ndrc", "sasac"]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c .SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }",
    "select * where { ?a ?b ?c OPTIONAL { service silent <http://127.0.0.1:9/s> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?a ?b ?c } # SERVICE in a comment\n; SELECT * { SeRvIcE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE\t<http://127.0.0.1:9/s> { ?s ?p ?o } } } }",
])
def test_service_is_found_in_the_parsed_query(text, store):
    found = service.find(text)
    if found is None:                 # not SPARQL: the engine reports the syntax error
        with pytest.raises(InputError, match="SPARQL syntax error"):
            query.sparql(text, store=store)
        return
    assert len(found) == 1
    with pytest.raises(InputError) as e:
        query.sparql(text, store=store)
    assert e.value.message == (f"the query has a SERVICE clause ({found[0]}), which would make this machine fetch a "
                               "URL; remove it, or pass --allow-service if you mean it (allow_service=True)")


def test_service_words_in_strings_and_names_are_not_clauses():
    assert service.find('SELECT ?service WHERE { ?service ?p "SERVICE <http://x> { }" }') == []


@pytest.fixture
def listener():
    """A listener on 127.0.0.1 that records every connection it receives."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(0.2)
    got, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                got.append(conn.recv(100))
                conn.close()
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1], got
    stop.set()
    t.join()
    srv.close()


def test_the_worker_has_no_network_even_when_the_check_is_skipped(store, listener):
    if not bounds.can_isolate():
        pytest.skip("this system does not allow unprivileged user namespaces (the parsed-form check still holds)")
    port, got = listener
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}"
    with pytest.raises(InputError, match="^the query failed: "):
        query.execute(text, store, check_service=False)
    assert got == []


def test_allow_service_reaches_the_address(store, listener):
    port, got = listener
    with pytest.raises(InputError, match="^the query failed: "):
        query.sparql(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}", store=store,
                     allow_service=True, limits=Limits(timeout_s=10))
    assert len(got) == 1 and got[0].startswith(b"POST /s HTTP/1.1")


def test_limits_must_be_positive():
    with pytest.raises(InputError) as e:
        bounds.run(lambda: 1, Limits(timeout_s=0))
    assert e.value.message == "the timeout_s limit must be a positive number, not 0; give --timeout SECONDS"


def test_errors_of_the_work_come_back_as_they_were():
    def work():
        raise InputError("bad thing", path="x.rq", line=3, fix="fix it")
    with pytest.raises(InputError) as e:
        bounds.run(work)
    assert e.value.message == "x.rq:3: bad thing; fix it"


def test_the_reliability_doc_states_the_defaults_of_the_code():
    from pathlib import Path
    from policykg.encoding import yamlsrc
    from policykg.serve import endpoint
    text = (Path(__file__).resolve().parent.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert f"| {bounds.DEFAULT_TIMEOUT_S:g} s |" in text
    assert f"| {bounds.DEFAULT_MEMORY_MB} MB |" in text
    assert f"| {bounds.DEFAULT_MAX_ROWS:,} |" in text
    assert f"| {endpoint.DEFAULT_WORKERS} | `serve --workers N` |" in text
    assert f"| {yamlsrc.MAX_FILE_BYTES // 1_000_000} MB (the largest real one" in text
    assert f"| {yamlsrc.MAX_SCALAR_CHARS:,} |" in text and f"| {yamlsrc.MAX_DEPTH} |" in text


def test_without_network_isolation_an_unreadable_query_is_refused(store, monkeypatch):
    """Where user namespaces are not allowed, a query rdflib cannot parse could hide a SERVICE: refused."""
    monkeypatch.setattr(bounds, "_isolation", False)
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 ??"
    assert service.find(text) is None
    with pytest.raises(InputError) as e:
        query.sparql(text, store=store)
    assert e.value.message == ("the query cannot be checked for SERVICE: rdflib's SPARQL 1.1 parser cannot read it, "
                               "and this system cannot cut a query off the network; write it in plain SPARQL 1.1, or "
                               "pass --allow-service if you trust it")
    assert len(query.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1", store=store)) == 1
