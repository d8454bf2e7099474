"""Pages of a catalogue query (`limit`/`offset`): the same rows as the same slice of the whole answer.

The queries whose header says `#+ page: keys` read a page from their key part (policykg.query.keyed):
their pages and totals are checked here against the whole answer, row for row, on the real graph.
"""

from __future__ import annotations

import pytest

from policykg.errors import InputError
from policykg.query import catalogue, engine as query, keyed

CATALOGUE = catalogue.catalogue()
KEYED = sorted(name for name, q in CATALOGUE.items() if q.page == "keys")
# the queries without a parameter, and with the value of their header example
CASES = [(name, {}) for name in KEYED if not any(p.required for p in CATALOGUE[name].params)] + \
        [(name, {p.name: p.example for p in CATALOGUE[name].params}) for name in KEYED if CATALOGUE[name].params]


@pytest.fixture(scope="session")
def st(store):
    """The Dataset's store, not opened from the build folder: the engine pages the queries whose
    answers the build stores (their stored pages: tests/test_stored_answers.py)."""
    return store


def test_the_listing_queries_are_paged_by_their_keys():
    assert {"policy-links", "links-lineage", "dependency-chain", "links-sector-targets",
            "crosswalk-instrument-class"} <= set(KEYED)


@pytest.mark.parametrize("name", KEYED)
def test_a_keyed_query_splits_into_its_key_part_and_lookups(name):
    k = keyed.split(CATALOGUE[name].text)
    assert "SELECT" in k.key.upper() and k.order
    assert "LIMIT 10 OFFSET 20" in keyed.page_text(k, 10, 20)


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}-{'-'.join(p) or 'all'}" for n, p in CASES])
def test_every_page_is_the_same_slice_of_the_whole_answer(name, params, st):
    whole = query.run(name, store=st, **params)
    n = len(whole)
    assert n > 0, f"{name} answers nothing on the real graph: the test would prove nothing"
    for limit, offset in [(1, 0), (2, 1), (7, n // 2), (3, n - 1), (5, n), (4, n + 3), (None, 1), (0, 0), (n + 10, 0)]:
        page = query.run(name, store=st, limit=limit, offset=offset, **params)
        assert page.variables == whole.variables
        assert page.rows == whole.rows[offset:None if limit is None else offset + limit], (limit, offset)
        assert page.total == n and page.offset == offset


def test_a_page_of_policy_links_from_notice_160(st):
    """Notice 160 implements the State Council's 2022 package and its continuation policies
    (queries/expected/README.md: referenced-policies.md A–B); its links sort first, by the target."""
    page = query.run("policy-links", store=st, limit=4)
    whole = query.run("policy-links", store=st)
    assert page.total == len(whole) and len(page) == 4
    rows = page.values()
    assert {r["from"].rsplit("/", 1)[1] for r in rows} == {"miit-2022-160"}
    assert [r["to"].rsplit("/", 1)[1] for r in rows if r["relation"] == "implements"][-2:] == \
        ["sc-2022-continuation-policies", "sc-2022-stabilize-package"]
    assert page.page_note() == f"rows 1–4 of {len(whole)}"


def test_a_page_under_graph_source_is_a_slice_of_that_source_alone(st):
    source = "source/notice-160-bilingual"
    whole = query.run("policy-links", store=st, graph=source)
    page = query.run("policy-links", store=st, graph=source, limit=2, offset=1)
    assert 0 < len(whole) < len(query.run("policy-links", store=st))
    assert page.rows == whole.rows[1:3] and page.total == len(whole)


@pytest.mark.parametrize("text,what", [
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "does not begin with a sub-select"),
    ("SELECT ?s ?l WHERE { { SELECT ?s WHERE { ?s ?p ?o } } ?s <http://x/l> ?l } ORDER BY ?s", "only OPTIONAL"),
    ("SELECT ?s ?l WHERE { { SELECT ?s WHERE { ?s ?p ?o } } OPTIONAL { ?s <http://x/l> ?l } }", "ORDER BY"),
    ("SELECT ?s ?l WHERE { { SELECT ?s WHERE { ?s ?p ?o } } OPTIONAL { ?s <http://x/l> ?l } } ORDER BY ?l",
     r"not \?l"),
    ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } ORDER BY ?s LIMIT 5", "nothing after it"),
])
def test_a_query_of_another_shape_is_refused_with_the_reason(text, what):
    with pytest.raises(InputError, match=what):
        keyed.split(text)


def test_a_string_with_braces_does_not_confuse_the_split():
    k = keyed.split('SELECT ?s ?l WHERE { { SELECT ?s WHERE { ?s ?p "} {" } } '
                    'OPTIONAL { ?s <http://x/l> ?l FILTER(?l != "}") } } ORDER BY ?s')
    assert k.key.endswith('"} {" } }') and k.order == "?s"


def test_an_unknown_page_kind_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("#+ title: t\n#+ description: d\n#+ topic: links\n#+ returns: s\n#+ example: e\n"
                    "#+ page: key\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown page kind 'key'") as e:
        catalogue.parse(path)
    assert e.value.line == 6
