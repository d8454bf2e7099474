"""The pool of pre-forked workers keeps the guarantees of one worker per query (docs/reliability.md):
time, memory and row limits, no network; a worker that hits a limit is replaced."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from policykg.errors import InputError
from policykg.query import bounds, engine as query
from policykg.query.bounds import Limits, LimitError
from policykg.query.pool import Pool, Stopped

CROSS3 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CROSS2_SORTED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
ISSUERS = ["miit", "ndrc", "sasac"]     # Notice 160's signature block (../shared/reference/notice-160.md)


def children() -> set[int]:
    """This process's children, forked by any of its threads (pool workers are forked by one)."""
    pid, kids = os.getpid(), set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            kids |= {int(p) for p in f.read().split()}
    return kids


def issuers(store, pool) -> list[str]:
    rows = query.run("document-issuers", store=store, pool=pool, limits=pool.limits, doc="doc/miit-2022-160")
    return sorted(r["agency"].rsplit("/", 1)[-1] for r in rows.values())


def worker_pid(store) -> int:
    return os.getpid()


def cross3(store) -> int:
    return len(list(store.query(CROSS3)))


def connect(store, port: int) -> str:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return "connected"
    except OSError as e:
        return type(e).__name__


@pytest.fixture
def pool(store):
    before = children()
    p = Pool(store, size=2, limits=Limits(timeout_s=30, memory_mb=400))
    yield p
    p.close()
    assert children() == before             # no worker is left behind


def test_many_queries_run_in_the_same_two_workers(store, pool):
    pids = {pool.run(worker_pid) for _ in range(8)}
    assert len(pids) <= 2 and os.getpid() not in pids
    assert all(issuers(store, pool) == ISSUERS for _ in range(5))
    assert {pool.run(worker_pid) for _ in range(8)} <= pids and pool.replaced == 0


def test_a_worker_past_its_time_limit_is_killed_and_replaced(store, pool):
    with pytest.raises(LimitError) as e:
        query.sparql(CROSS3, store=store, pool=pool, limits=Limits(timeout_s=1.5, memory_mb=400))
    assert e.value.kind == "time" and pool.replaced == 1
    assert issuers(store, pool) == ISSUERS
    assert len(children()) <= 2


def test_a_worker_past_its_memory_limit_dies_alone_and_is_replaced(store, pool):
    with pytest.raises(LimitError) as e:
        query.sparql(CROSS2_SORTED, store=store, pool=pool, limits=Limits(timeout_s=60, memory_mb=400))
    assert (e.value.kind, e.value.message) == ("memory", "the query was stopped at its memory limit of 400 MB; "
                                               "narrow the query (fewer unconstrained patterns, no ORDER BY over "
                                               "everything), or raise the limit with --memory MB")
    assert pool.replaced == 1 and issuers(store, pool) == ISSUERS


def test_the_row_cap_holds_in_the_pool(store, pool):
    with pytest.raises(LimitError) as e:
        query.sparql("SELECT * WHERE { ?s ?p ?o }", store=store, pool=pool, limits=Limits(max_rows=100, memory_mb=400))
    assert e.value.kind == "rows"
    assert len(query.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 100", store=store, pool=pool,
                            limits=Limits(max_rows=100, memory_mb=400))) == 100


def test_errors_come_back_and_the_worker_stays(store, pool):
    with pytest.raises(InputError, match="^SPARQL syntax error at line 1, column 26"):
        query.sparql("SELECT * WHERE { ?a ?b  }", store=store, pool=pool, limits=pool.limits)
    assert pool.replaced == 0


def test_pool_workers_have_no_network(pool):
    if not bounds.can_isolate():
        pytest.skip("this system does not allow unprivileged user namespaces (the parsed-form check still holds)")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    try:
        assert connect(None, srv.getsockname()[1]) == "connected"           # here it would connect
        assert pool.run(connect, srv.getsockname()[1]) in ("ConnectionRefusedError", "OSError")
    finally:
        srv.close()


def test_threads_share_the_pool_and_each_gets_its_answer(store, pool):
    got, errors = [], []

    def client():
        try:
            for _ in range(4):
                got.append(issuers(store, pool))
        except Exception as e:              # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and got == [ISSUERS] * 16


def test_other_memory_limits_run_in_a_worker_of_their_own(store, pool):
    assert not pool.fits(Limits(memory_mb=300)) and pool.fits(Limits(timeout_s=5, memory_mb=400))
    with pytest.raises(LimitError) as e:
        query.sparql(CROSS2_SORTED, store=store, pool=pool, limits=Limits(timeout_s=60, memory_mb=300))
    assert e.value.kind == "memory" and pool.replaced == 0


def nested(store, limits: Limits) -> tuple[int, int, list[str]]:
    """In a pool worker: its pid, the pid `bounds.run` runs its work in, and Notice 160's issuers
    from the query function called with the same limits (as the endpoint's /catalogue route does)."""
    inner = bounds.run(os.getpid, limits)
    rows = query.run("document-issuers", store=store, limits=limits, doc="doc/miit-2022-160")
    return os.getpid(), inner, sorted(r["agency"].rsplit("/", 1)[-1] for r in rows.values())


def test_work_bounded_by_the_workers_own_limits_runs_in_the_worker(store, pool):
    """bounds.within: a task of the pool that calls the query function with the pool's limits does not
    fork again; other limits still get a worker of their own, and the row cap still holds."""
    me, inner, got = pool.run(nested, pool.limits, limits=pool.limits)
    assert inner == me and got == ISSUERS
    longer = pool.limits.but(timeout_s=60)              # the pool's worker ends the task sooner: within
    me, inner, _ = pool.run(nested, longer, limits=pool.limits)
    assert inner == me
    for other in (pool.limits.but(memory_mb=300), pool.limits.but(timeout_s=5)):   # a cap or a time it does not hold
        me, inner, got = pool.run(nested, other, limits=pool.limits)
        assert inner != me and got == ISSUERS
    with pytest.raises(LimitError) as e:
        pool.run(nested, pool.limits.but(max_rows=2), limits=pool.limits)
    assert e.value.kind == "rows" and pool.replaced == 1       # a limit retires the worker, as for any query
    assert not bounds.within(pool.limits)                       # this process is no worker


def test_a_worker_replaced_from_a_thread_outlives_that_thread(store):
    """The kernel's parent-death signal follows the thread that forked: a replacement forked while
    a short-lived thread (an endpoint's request) waits must not die when that thread ends."""
    def in_a_thread(fn):
        out = []
        t = threading.Thread(target=lambda: out.append(fn()))
        t.start()
        t.join()
        return out[0]

    def time_out():
        with pytest.raises(LimitError):
            query.sparql(CROSS3, store=store, pool=one, limits=Limits(timeout_s=1.5, memory_mb=400))
        return one.replaced
    with Pool(store, size=1, limits=Limits(timeout_s=30, memory_mb=400)) as one:
        assert in_a_thread(time_out) == 1
        for _ in range(3):                      # the first forks the new worker; each thread ends before the next
            assert in_a_thread(lambda: issuers(store, one)) == ISSUERS
        assert issuers(store, one) == ISSUERS and one.replaced == 1


def test_closing_now_kills_a_busy_worker_and_forks_no_other(store, pool):
    """What `serve` does on a stop signal: the task in flight and every later one get Stopped at once."""
    before = children()
    outcome = []
    t = threading.Thread(target=lambda: outcome.append(pytest.raises(Stopped, pool.run, cross3)))
    t.start()
    busy = set()
    while not busy and t.is_alive():               # the task has reached a worker
        busy = {p for p in children() if open(f"/proc/{p}/stat").read().split(") ")[1].split()[0] == "R"}
    pool.close(now=True)
    t.join(10)
    assert not t.is_alive() and len(outcome) == 1 and busy
    with pytest.raises(Stopped):
        pool.run(worker_pid)
    assert children() <= before and not (children() & busy)
