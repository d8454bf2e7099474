"""The endpoint's answer cache (policykg.serve.cache): its memory bound and what it refuses to keep."""

from __future__ import annotations

from dataclasses import dataclass

from policykg.serve.cache import AnswerCache, cacheable


@dataclass
class A:
    body: bytes


def test_the_least_recently_used_answers_leave_first_and_the_bound_holds():
    c = AnswerCache(4_000)
    for i in range(6):
        assert c.put((f"q{i}", "json"), A(b"x" * 500))
        assert c.bytes <= 4_000
    assert c.get(("q0", "json")) is None                    # the oldest left
    kept = [i for i in range(6) if c.get((f"q{i}", "json")) is not None]
    assert kept == [1, 2, 3, 4, 5]
    c.get(("q1", "json"))                                   # q1 used last: q2 is now the oldest
    c.put(("q6", "json"), A(b"y" * 500))
    assert c.get(("q2", "json")) is None and c.get(("q1", "json")).body == b"x" * 500
    assert c.bytes <= 4_000 and c.bytes == sum(n for _, n in c._items.values())


def test_an_answer_over_a_quarter_of_the_cache_is_not_kept():
    c = AnswerCache(4_000)
    assert not c.put(("big", "json"), A(b"x" * 1_000))
    assert c.get(("big", "json")) is None and c.bytes == 0 and len(c) == 0


def test_putting_a_key_again_replaces_its_answer_and_its_size():
    c = AnswerCache(10_000)
    c.put(("q", "json"), A(b"a" * 100))
    c.put(("q", "json"), A(b"b" * 300))
    assert len(c) == 1 and c.get(("q", "json")).body == b"b" * 300
    assert c.bytes == c._size(("q", "json"), b"b" * 300)


def test_a_zero_cache_keeps_nothing():
    c = AnswerCache(0)
    assert not c.put(("q", "json"), A(b""))
    assert c.get(("q", "json")) is None


def test_queries_with_functions_that_change_between_runs_are_not_cacheable():
    assert cacheable("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert cacheable("SELECT ?s WHERE { ?s <http://example.org/nowhere> ?o }")     # a word, not a call
    for q in ("SELECT (NOW() AS ?t) {}", "SELECT (rand () AS ?r) {}", "SELECT (UUID() AS ?u) {}",
              "SELECT (STRUUID() AS ?u) {}", "CONSTRUCT { ?s <p> ?b } WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }"):
        assert not cacheable(q), q
