"""`policykg serve`: the read-only, bounded endpoint, driven by a SPARQL 1.1 Protocol client.

Traffic goes only to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import threading
import time
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


TIME_LIMIT_S = 4        # the sorted cross product below must reach the memory limit first, also on a busy machine


@pytest.fixture(scope="module")
def server(build_dir, tmp_path_factory):
    from policykg.serve import server as serve
    from policykg.query.bounds import Limits
    s = serve.start(build_dir, port=serve.free_port(), limits=Limits(timeout_s=TIME_LIMIT_S, memory_mb=400), ready_within_s=30)
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
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass


def get(server, query, accept="application/sparql-results+json", timeout=30):
    """(status, headers, body) of a GET; error statuses too."""
    req = urllib.request.Request(server.url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            pass
    return total / 1024


def test_runaway_queries_get_an_error_status_and_the_server_answers_the_next(server):
    """The two runaways of the issue: a three-pattern COUNT (time) and a sorted cross product (memory)."""
    peak, stop = [tree_rss_mb(server.process.pid)], threading.Event()
    base = peak[0]

    def watch():
        while not stop.is_set():
            peak.append(tree_rss_mb(server.process.pid))
            time.sleep(0.05)
    t = threading.Thread(target=watch)
    t.start()
    try:
        start = time.monotonic()
        status, headers, body = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        took = time.monotonic() - start
        assert (status, headers["X-PolicyKG-Limit"], body.decode()) == (
            500, "time", f"error: the query was stopped after {TIME_LIMIT_S} s (its time limit); narrow the query (more patterns, "
                         "a LIMIT), or raise the limit with --timeout SECONDS\n")
        assert took < TIME_LIMIT_S + 3, took
        status, headers, body = get(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f")
        assert (status, headers["X-PolicyKG-Limit"]) == (500, "memory"), body
        assert body.decode().startswith("error: the query was stopped at its memory limit of 400 MB; ")
    finally:
        stop.set()
        t.join()
    assert max(peak) < base + 400 + 100, (base, max(peak))      # the front's copy + one worker's cap + slack
    status, _, body = get(server, ISSUERS)
    assert status == 200 and [b["a"]["value"] for b in json.loads(body)["results"]["bindings"]] == WANT
    deadline = time.monotonic() + 5                     # the runaways' workers are gone: the pool's idle ones are left
    while not idle_pool(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert idle_pool(server.process.pid), [(p, state(p)) for p in busy_children(server.process.pid)]


def idle_pool(pid: int, size: int = 2) -> bool:
    """At most `size` children (the pool's workers, forked again after a limit), none of them running."""
    kids = [p for p in busy_children(pid) if alive(p)]
    return len(kids) <= size and all(state(p) == "S" for p in kids)


def state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0]
    except OSError:
        return "gone"


def busy_children(pid: int) -> list[int]:
    """The children of a process, forked by any of its threads (pool workers are forked by one)."""
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(c) for c in f.read().split()]
    except OSError:             # it ended
        pass
    return kids


def test_service_is_refused_and_nothing_is_fetched(server):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(1)
    port = srv.getsockname()[1]
    status, _, body = get(server, f"SELECT * WHERE {{ ?a ?b ?c .SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
    assert (status, body.decode()) == (400, "error: the query has a SERVICE clause, which would make this machine "
                                            "fetch a URL; this endpoint does not follow SERVICE\n")
    with pytest.raises(socket.timeout):
        srv.accept()
    srv.close()


def test_a_syntax_error_is_a_400_with_one_line(server):
    status, headers, body = get(server, "SELECT ?x WHERE { ?x ")
    assert status == 400 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode().startswith("error: SPARQL syntax error: ") and body.decode().count("\n") == 1


def test_a_result_past_the_row_cap_is_refused_whole(build_dir):
    from policykg.query.bounds import Limits
    from policykg.serve import server as serve
    with serve.start(build_dir, port=serve.free_port(), limits=Limits(max_rows=10)) as s:
        status, headers, body = get(s, "SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
        assert (status, headers["X-PolicyKG-Limit"], body.decode()) == (
            500, "rows", "error: the query returned more than 10 rows (its row cap); add a LIMIT or narrow the query, "
                         "or raise the cap with --max-rows N\n")
        status, _, body = get(s, "SELECT * WHERE { ?s ?p ?o } LIMIT 10", accept="text/csv")
        assert status == 200 and len(body.decode().splitlines()) == 11


def serve_cmd(build_dir, port):
    from policykg.query.bounds import Limits
    from policykg.serve import server as serve
    return serve.command(build_dir, port, Limits(timeout_s=20))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_serve_stops_its_children_on_any_signal_and_restarts_on_the_same_port(build_dir, sig):
    from policykg.serve import server as serve
    port = serve.free_port()
    proc = subprocess.Popen(serve_cmd(build_dir, port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().decode().startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query")
        slow = threading.Thread(target=get_or_nothing, args=(serve.Server(port, None, proc),
                                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"), daemon=True)
        workers = busy_children(proc.pid)
        assert len(workers) == 2                    # forked before the line
        slow.start()
        if sig != signal.SIGKILL:
            wait_for_cpu(workers, seconds=0.3)      # the slow query runs in a worker (its time limit: 20 s)
        kids = sorted(set(workers + busy_children(proc.pid)))      # with any child the request forked
        grandkids = [g for k in kids for g in busy_children(k)]
        os.kill(proc.pid, sig)
        proc.wait(10)                               # the bound is STOP_WITHIN_S; slack for a busy machine
        deadline = time.monotonic() + 5
        while any(alive(p) for p in kids + grandkids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in kids + grandkids if alive(p)] == []
        with serve.Server(port, None, subprocess.Popen(serve_cmd(build_dir, port), stdout=subprocess.PIPE,
                                                       stderr=subprocess.PIPE)) as again:
            line = again.process.stdout.readline().decode()
            assert line.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query"), again.process.stderr.read()
            assert get(again, ISSUERS)[0] == 200
    finally:
        proc.kill()
        proc.wait()


def wait_for_cpu(pids: list[int], seconds: float, within_s: float = 30) -> None:
    """Until one of `pids` has used `seconds` of CPU time."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().split(") ")[1].split()
            if (int(fields[11]) + int(fields[12])) / tick >= seconds:
                return
        time.sleep(0.05)
    raise AssertionError(f"no worker of {pids} ran the query within {within_s} s")


def test_a_stop_signal_sent_as_soon_as_serve_says_it_is_ready_stops_it_even_if_the_parent_ignores_it(build_dir):
    """Under nohup (SIGHUP ignored and inherited), a SIGHUP that arrives while the endpoint writes its
    line must still stop it: the handlers are in place before the line. The line is held in a full
    pipe, so the signal surely arrives while it is written."""
    import fcntl
    from policykg.serve import endpoint, server as serve
    port = serve.free_port()
    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)                      # F_SETPIPE_SZ: one page
    os.write(w, b"x" * 4096)                        # full: the endpoint's line waits until we read
    proc = subprocess.Popen(serve_cmd(build_dir, port), stdout=w, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    os.close(w)
    try:
        deadline = time.monotonic() + 60
        while "pipe" not in wchan(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "pipe" in wchan(proc.pid)            # blocked writing its line
        kids = busy_children(proc.pid)
        os.kill(proc.pid, signal.SIGHUP)
        with os.fdopen(r, "rb") as out:
            assert out.read(4096) == b"x" * 4096
            assert out.readline().decode().startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query")
        assert proc.wait(10) == 0                   # the bound is endpoint.STOP_WITHIN_S; slack for a busy machine
        assert endpoint.STOP_WITHIN_S == 2
        deadline = time.monotonic() + 5
        while any(alive(p) for p in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(kids) == 2 and [p for p in kids if alive(p)] == []
    finally:
        proc.kill()
        proc.wait()


def wchan(pid: int) -> str:
    with open(f"/proc/{pid}/wchan") as f:
        return f.read()


def get_or_nothing(server, query):
    """A request whose server is about to be killed: the lost connection is expected."""
    try:
        get(server, query)
    except OSError:
        pass


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_serve_refuses_a_port_out_of_range(build_dir):
    r = subprocess.run(serve_cmd(build_dir, 99999), capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (2, "error: port 99999 is not a TCP port; give --port a number from 1 to 65535, "
                                           "e.g. 7878\n")


def test_serve_keeps_a_consistent_store_across_a_rebuild_and_reloads(tmp_path):
    """The endpoint answers from its own copy while the build is replaced, then from the new build."""
    from policykg.build import output
    from policykg.serve import server as serve
    out = tmp_path / "build"

    def write(extra: str):
        with output.staging(out) as tmp:
            (tmp / "kg.nq").write_text(f"<http://example.org/a> <http://example.org/p> \"{extra}\" <http://example.org/g> .\n")
    write("one")
    with serve.start(out, port=serve.free_port()) as s:
        q = "SELECT ?o WHERE { <http://example.org/a> <http://example.org/p> ?o }"
        assert json.loads(get(s, q)[2])["results"]["bindings"][0]["o"]["value"] == "one"
        assert get(s, q)[1]["X-PolicyKG-Cache"] == "hit"
        write("two")
        status, headers, body = get(s, q)          # the cache of the old build is not used for the new one
        assert (headers["X-PolicyKG-Cache"], json.loads(body)["results"]["bindings"][0]["o"]["value"]) == ("miss", "two")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
        assert sorted(p.name for p in out.iterdir()) == [".policykg-build", "kg.nq"]     # serve writes nothing


def test_an_answer_asked_again_comes_from_the_cache_byte_for_byte(server):
    q = ISSUERS + "\n# asked twice"
    first, second = get(server, q), get(server, q)
    assert [r[0] for r in (first, second)] == [200, 200], first[2]
    assert (first[1]["X-PolicyKG-Cache"], second[1]["X-PolicyKG-Cache"]) == ("miss", "hit")
    assert second[2] == first[2]
    assert [b["a"]["value"] for b in json.loads(second[2])["results"]["bindings"]] == WANT
    as_csv = get(server, q, accept="text/csv")          # another format is another answer
    assert as_csv[1]["X-PolicyKG-Cache"] == "miss" and as_csv[2].decode().split() == ["a"] + WANT


def test_errors_and_answers_that_change_between_runs_are_not_cached(server):
    for q in ("SELECT ?x WHERE { ?x ", "SELECT (RAND() AS ?r) WHERE {}", "SELECT (STRUUID() AS ?u) WHERE {}"):
        first, second = get(server, q), get(server, q)
        assert first[0] == second[0] and second[1].get("X-PolicyKG-Cache") in (None, "miss")
    u1, u2 = (json.loads(get(server, "SELECT (STRUUID() AS ?u) WHERE {}")[2]) for _ in range(2))
    assert u1["results"]["bindings"][0]["u"]["value"] != u2["results"]["bindings"][0]["u"]["value"]


def test_serve_without_a_cache_runs_every_query(build_dir):
    from policykg.serve import server as serve
    with serve.start(build_dir, port=serve.free_port(), cache_mb=0) as s:
        heads = [get(s, ISSUERS)[1]["X-PolicyKG-Cache"] for _ in range(2)]
        assert heads == ["miss", "miss"]


def test_serve_refuses_a_bad_cache_size(build_dir):
    from policykg.query.bounds import Limits
    from policykg.serve import server as serve
    cmd = serve.command(build_dir, serve.free_port(), Limits(timeout_s=20), cache_mb=-1)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (2, "error: --cache-mb -1 is not a size from 0 to 65536 MB; give --cache-mb N, "
                                           "e.g. 64 (0: no answer cache)\n")
