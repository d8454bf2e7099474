"""`policykg serve`'s /catalogue route (policykg.serve.named): the named queries by name, over HTTP,
as `policykg query` runs them (parameters by name, pages, stored answers, the name index).

The expected answers are the query function's on the session's store, which is not opened from the
build folder, so the engine runs every query there (tests/test_stored_answers.py); the route reads
the build's stored answers. Traffic goes only to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from policykg.query import catalogue, engine as query

pytestmark = pytest.mark.server

NOTICE_NUMBER = "工信部联运行〔2022〕160号"        # ../shared/reference/notice-160.md
ISSUERS = ["https://w3id.org/policykg/id/agency/miit", "https://w3id.org/policykg/id/agency/ndrc",
           "https://w3id.org/policykg/id/agency/sasac"]     # its signature block, same file


@pytest.fixture(scope="module")
def server(build_dir):
    from policykg.serve import server as serve
    from policykg.query.bounds import Limits
    s = serve.start(build_dir, port=serve.free_port(), limits=Limits(timeout_s=20, memory_mb=600), ready_within_s=30)
    yield s
    s.stop()
    assert not s.running()


def call(server, path: str, params: dict | None = None, accept: str = "application/sparql-results+json"):
    """(status, headers, body) of a GET of `path` with `params` percent-encoded; error statuses too."""
    url = server.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def rows(body: bytes) -> list[dict]:
    doc = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def expected(store, name: str, **params) -> list[dict]:
    """The engine's rows through the query function, as the route's JSON gives them."""
    return [{k: v.value for k, v in r.items() if v is not None} for r in query.run(name, store=store, **params).dicts()]


def test_the_issuers_of_notice_160_by_its_document_number(server):
    status, headers, body = call(server, "/catalogue/document-issuers", {"doc": NOTICE_NUMBER})
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert body.count(b"\n") == 1              # one line: written by json's C encoder (render)
    assert [r["agency"] for r in rows(body)] == ISSUERS
    assert [r["agency_zh"] for r in rows(body)] == ["工业和信息化部", "国家发展和改革委员会", "国务院国有资产监督管理委员会"]


def test_a_value_sent_as_raw_utf8_is_read_as_utf8(server):
    """http.server reads the request line as Latin-1; a client may send UTF-8 without escaping it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(f"GET /catalogue/document-issuers?doc={NOTICE_NUMBER} HTTP/1.0\r\n"
                  "Accept: text/csv\r\n\r\n".encode("utf-8"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert [r[0] for r in csv.reader(io.StringIO(body.decode("utf-8")))][1:] == ISSUERS


def test_the_listing_names_every_query_with_its_parameters(server, store):
    status, headers, body = call(server, "/catalogue")
    assert status == 200 and headers["Content-Type"] == "application/json"
    listed = {q["name"]: q for q in json.loads(body)["queries"]}
    cat = catalogue.catalogue()
    assert set(listed) == set(cat)
    assert listed["document-issuers"]["params"] == [p.as_dict() for p in cat["document-issuers"].params]
    assert listed["documents"]["answer"] == "stored" and listed["in-force"]["answer"] == "spans"
    assert listed["agencies"]["answer"] == "engine"
    example = listed["measures-by-sector"]["example"]           # the header's example, ready to send
    assert example == "/catalogue/measures-by-sector?sector=" + urllib.parse.quote_plus("汽车")
    status, _, body = call(server, example)
    assert status == 200 and rows(body) == expected(store, "measures-by-sector", sector="汽车")


def test_a_page_of_a_stored_listing_is_the_slice_of_the_engines_answer_with_its_total(server, store):
    whole = expected(store, "documents")
    assert len(whole) > 10
    status, headers, body = call(server, "/catalogue/documents", {"limit": 4, "offset": 3})
    assert status == 200 and rows(body) == whole[3:7]
    assert (headers["X-PolicyKG-Total"], headers["X-PolicyKG-Offset"]) == (str(len(whole)), "3")
    status, headers, body = call(server, "/catalogue/documents")
    assert status == 200 and rows(body) == whole and "X-PolicyKG-Total" not in headers


@pytest.mark.parametrize("day", ["2022-11-20", "2022-11-21", "2022-12-31", "2023-01-01", "2023-06-30"])
def test_in_force_on_a_day_is_the_engines_answer(server, store, day):
    """Read from the rows the build stored with their spans. The Notice is in force from its issue
    date to the end of the fourth quarter of 2022, the period it addresses (notice-160.md)."""
    status, _, body = call(server, "/catalogue/in-force", {"as_of": day})
    got = rows(body)
    assert status == 200 and got == expected(store, "in-force", as_of=day)
    notice = "https://w3id.org/policykg/id/doc/miit-2022-160"
    assert (notice in {r["item"] for r in got}) == ("2022-11-21" <= day <= "2022-12-31")


def test_a_query_that_matches_names_is_answered_by_label(server, store):
    status, _, body = call(server, "/catalogue/entity-by-label", {"label": "工业和信息化部"})
    got = rows(body)
    assert status == 200 and got == expected(store, "entity-by-label", label="工业和信息化部")
    assert {r["entity"] for r in got} == {"agency/miit"}


def test_other_formats_carry_the_same_rows(server):
    _, _, body = call(server, "/catalogue/document-issuers", {"doc": "doc/miit-2022-160"}, accept="text/csv")
    assert [r[0] for r in csv.reader(io.StringIO(body.decode("utf-8")))] == ["agency"] + ISSUERS
    status, headers, body = call(server, "/catalogue/document-issuers", {"doc": "doc/miit-2022-160"},
                                 accept="application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
    assert [s["agency"].value for s in parsed] == ISSUERS


def test_a_call_asked_again_comes_from_the_cache_whatever_the_order_of_its_values(server):
    first = call(server, "/catalogue/measures-by-sector", {"sector": "汽车", "limit": 3, "offset": 1})
    again = call(server, "/catalogue/measures-by-sector", {"offset": 1, "sector": "汽车", "limit": 3})
    assert (first[0], again[0]) == (200, 200) and first[2] == again[2]
    assert again[1]["X-PolicyKG-Cache"] == "hit" and again[1]["X-PolicyKG-Total"] == first[1]["X-PolicyKG-Total"]


@pytest.mark.parametrize("path, params, status, message", [
    ("/catalogue/measure-by-sector", {"sector": "汽车"}, 404,
     "error: no named query 'measure-by-sector' (did you mean 'measures-by-sector'?); GET /catalogue lists them\n"),
    ("/catalogue/document-issuers", {"dox": "doc/miit-2022-160"}, 400,
     "error: query 'document-issuers' has no parameter 'dox' (did you mean 'doc'?); its parameters: doc "
     "(and limit, offset, graph, tier)\n"),
    ("/catalogue/document-issuers", {}, 400,
     "error: query 'document-issuers' needs parameter 'doc' (iri); add --param doc=doc/miit-2022-160\n"),
    ("/catalogue/documents", {"limit": "ten"}, 400,
     "error: limit 'ten' is not a whole number of rows; give 0 or more, e.g. limit=50\n"),
    ("/catalogue/documents", {"offset": "-1"}, 400,
     "error: offset '-1' is not a whole number of rows; give 0 or more, e.g. offset=50\n"),
    ("/catalogue/in-force", {"as_of": "2023-02-30"}, 400,
     "error: parameter 'as_of' must be a date, not '2023-02-30'; write YYYY-MM-DD, e.g. 2023-06-30\n"),
])
def test_mistakes_get_a_status_and_one_line_that_says_how_to_fix_them(server, path, params, status, message):
    got = call(server, path, params)
    assert (got[0], got[2].decode("utf-8")) == (status, message)
    assert got[1]["Content-Type"] == "text/plain; charset=utf-8"


def test_an_unknown_entity_lists_its_nearest_names(server):
    status, _, body = call(server, "/catalogue/measures-by-sector", {"sector": "汽車工業"})
    text = body.decode("utf-8")
    assert status == 400 and text.startswith("error: no sector") and text.count("\n") == 1


def test_a_value_given_twice_is_refused(server):
    status, _, body = call(server, "/catalogue/documents?limit=1&limit=2")
    assert (status, body) == (400, b"error: 'limit' is given twice; give each parameter once\n")


def test_the_row_cap_refuses_a_whole_answer_and_serves_its_pages(build_dir, store):
    from policykg.serve import server as serve
    from policykg.query.bounds import Limits
    with serve.start(build_dir, port=serve.free_port(), limits=Limits(timeout_s=20, memory_mb=600, max_rows=10),
                     ready_within_s=30) as s:
        status, headers, body = call(s, "/catalogue/documents")
        assert (status, headers["X-PolicyKG-Limit"]) == (500, "rows")
        assert body.decode().startswith("error: the query returned more than 10 rows (its row cap); ")
        status, headers, body = call(s, "/catalogue/documents", {"limit": 10, "offset": 10})
        assert status == 200 and rows(body) == expected(store, "documents")[10:20]


STORED = sorted(n for n, q in catalogue.catalogue().items() if q.answer)


@pytest.fixture(scope="module")
def opened(build_dir):
    """The build's store as serve opens it (its stored answers are read)."""
    from policykg.store import load
    return load.load(build_dir)


def solutions(body: bytes, fmt) -> tuple[list[str], list[list]]:
    parsed = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in parsed.variables]
    return names, [[s[n] for n in names] for s in parsed]


@pytest.mark.parametrize("name", STORED)
def test_a_stored_answer_sent_as_stored_is_the_answer_of_the_query_function(name, opened):
    """named._stored sends the stored TSV (or pyoxigraph's JSON or XML of it, without the parameter
    columns) instead of making a Result: the same variables, rows, order and total."""
    from helpers_query import example_params
    from policykg.query.bounds import Limits
    from policykg.serve import named
    from policykg.serve.answers import render
    q = catalogue.get(name)
    params, limits = example_params(q), Limits()
    formats = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}
    for args in ({}, {"limit": 3, "offset": 2}):
        res = query.run(name, store=opened, limits=limits, **args, **params)
        for accept, fmt in formats.items():
            got = named._stored(opened, name, params, args, accept, limits)
            assert got is not None, (name, args, accept)
            want = render(res, accept)
            assert got.content_type == want.content_type
            assert solutions(got.body, fmt) == solutions(want.body, fmt), (name, args, accept)
            assert not [v for v in solutions(got.body, fmt)[0] if v.startswith("_")]
            if args:
                assert got.headers == {"X-PolicyKG-Total": str(res.total), "X-PolicyKG-Offset": "2"}
        got, want = named._stored(opened, name, params, args, "text/csv", limits), render(res, "text/csv")
        assert list(csv.reader(io.StringIO(got.body.decode()))) == list(csv.reader(io.StringIO(want.body.decode())))
    assert named._stored(opened, name, params, {"tier": "all"}, "", limits) is None      # the engine answers


def _without_name_index(build_dir, into):
    """A copy of the build as an add leaves it: no name index file."""
    import shutil
    from policykg.query import index
    from policykg.build import output
    shutil.copytree(build_dir, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(output.MARKER))
    index.path(into).unlink()
    return into


def test_serve_writes_a_missing_name_index_before_its_workers_start(build_dir, tmp_path, store):
    """A build to which documents were added has no name index. A worker would write it under a
    query's time limit, which a large build's index does not fit; serve writes it first."""
    from policykg.query import index
    from policykg.serve import server as serve
    from policykg.store import load
    out = _without_name_index(build_dir, tmp_path / "build")
    with serve.start(out, port=serve.free_port(), ready_within_s=60) as s:
        st = load.load(out)
        assert index.read(*load.origin(st)) is not None          # current before the first request
        written = index.path(out).stat().st_mtime_ns
        status, _, body = call(s, "/catalogue/entity-by-label", {"label": "工业和信息化部"})
        assert status == 200 and rows(body) == expected(store, "entity-by-label", label="工业和信息化部")
        assert index.path(out).stat().st_mtime_ns == written      # no worker wrote it again
        assert not list(index.path(out).parent.glob("*.tmp-*"))


def test_a_rebuild_without_a_name_index_is_readied_while_the_old_copy_serves(build_dir, tmp_path, store):
    """The rebuilt folder is swapped in (its answer cache starts empty: a `miss` for a query the old
    copy had cached) only once serve has written its name index; until then the old copy answers."""
    import shutil
    import time
    from policykg.build import output
    from policykg.query import index
    from policykg.serve import server as serve
    out = tmp_path / "build"
    shutil.copytree(build_dir, out)
    with serve.start(out, port=serve.free_port(), ready_within_s=60) as s:
        assert [call(s, "/catalogue/agencies")[1]["X-PolicyKG-Cache"] for _ in range(2)] == ["miss", "hit"]
        with output.staging(out) as tmp:                          # a new build, as an add leaves it
            _without_name_index(build_dir, tmp)
        assert not index.path(out).exists()
        deadline, swapped = time.monotonic() + 60, False
        while not swapped and time.monotonic() < deadline:
            status, headers, body = call(s, "/catalogue/agencies")   # no name to resolve: it writes no index
            assert status == 200
            swapped = headers["X-PolicyKG-Cache"] == "miss"
            time.sleep(0.02)
        assert swapped and index.path(out).exists()               # written before the new copy answered
        status, _, body = call(s, "/catalogue/entity-by-label", {"label": "工业和信息化部"})
        assert status == 200 and rows(body) == expected(store, "entity-by-label", label="工业和信息化部")
