"""Stored answers of the listing queries (policykg.query.stored): the build runs each `answer: stored`
query once (for each value of its required parameter, if it has one); a call with those values
reads its rows, or a page of them, from the build's file.

The stored rows must be the engine's rows, in the same order, on the real graph: each query is run
both ways here (the Dataset's store is not opened from the build folder, so the engine runs it).
"""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest

from policykg.errors import InputError
from policykg.query import bounds, catalogue, engine as query, stored
from policykg.query.results import to_json

CATALOGUE = catalogue.catalogue()
STORED = sorted(name for name, q in CATALOGUE.items() if q.answer == "stored")
SPANS = sorted(name for name, q in CATALOGUE.items() if q.answer == "spans")


@pytest.fixture(scope="module")
def opened(build_dir):
    """The build's store as commands open it (its stored answers are read)."""
    from policykg.store import load
    return load.load(build_dir)


def test_the_long_listings_have_their_answers_stored(opened):
    """The listings that grew past a second at 10,000 synthetic policies (docs/scale.md)."""
    assert {"agency-responsibilities", "dependency-chain", "documents", "enterprise-categories-addressed",
            "links-lineage", "links-sector-targets", "policy-links", "regions-addressed", "sources",
            "unconfirmed-facts"} <= set(STORED)
    assert {name for name, _ in stored.stored(opened)} == set(STORED) | set(SPANS)
    assert set(SPANS) == {"in-force", "quantities-in-period"}      # over 1 s at 10,000 policies: dates


def _calls(opened, name: str) -> list[dict]:
    """The parameters of each stored answer of a query: none, or its required parameter's value."""
    q = CATALOGUE[name]
    required = [p.name for p in q.params if p.required]
    calls = [{} if not b else {required[0]: b.split("=", 1)[1][1:-1]}      # <IRI> or "literal"
             for (n, b), _ in stored.stored(opened).items() if n == name]
    return calls


@pytest.mark.parametrize("name", STORED)
def test_a_stored_answer_is_the_engines_answer_and_every_page_its_slice(name, opened, store):
    q = CATALOGUE[name]
    calls = _calls(opened, name)
    assert calls
    answered = 0
    for params in calls:
        subs = query.bind(q, params, opened)
        assert stored.read(opened, q, subs) is not None, f"the stored answer was not read ({params})"
        whole, engine = query.run(name, store=opened, **params), query.run(name, store=store, **params)
        assert whole.variables == engine.variables and whole.rows == engine.rows, params
        assert to_json(whole) == to_json(engine) and whole.total is None
        n = len(whole)
        answered += n > 0
        if not n or answered > 3:
            continue
        for limit, offset in [(1, 0), (2, 1), (7, n // 2), (3, n - 1), (5, n), (4, n + 3), (None, 1), (0, 0), (n + 10, 0)]:
            page = query.run(name, store=opened, limit=limit, offset=offset, **params)
            assert page.variables == whole.variables
            assert page.rows == whole.rows[offset:None if limit is None else offset + limit], (params, limit, offset)
            assert page.total == n and page.offset == offset
    assert answered, f"{name} answers nothing on the real graph: the test would prove nothing"


def test_a_query_with_a_required_parameter_is_stored_for_every_entity_of_its_class(opened):
    """measures-by-sector: one answer per sector of the graph; 汽车 (automobiles) finds Notice 160's
    measures 2, 3 and 4 (queries/expected/measures-by-sector.csv, checked against the Notice there)."""
    sectors = {b for (n, b) in stored.stored(opened) if n == "measures-by-sector"}
    assert len(sectors) == len(query.sparql("SELECT DISTINCT ?s WHERE { ?s a pkg:Sector }", store=opened))
    q = CATALOGUE["measures-by-sector"]
    assert stored.read(opened, q, query.bind(q, {"sector": "汽车"}, opened)) is not None
    measures = {r["measure"].rsplit("/id/", 1)[1] for r in query.run("measures-by-sector", store=opened,
                                                                     sector="汽车").values()}
    assert measures == {f"doc/miit-2022-160/measure/{n}" for n in (2, 3, 4)}


def test_notice_160s_policy_links_come_first_from_the_stored_answer(opened):
    """Notice 160 implements the State Council's 2022 package and its continuation policies
    (queries/expected/README.md: referenced-policies.md A–B); its links sort first, by the target."""
    rows = query.run("policy-links", store=opened, limit=4).values()
    assert {r["from"].rsplit("/", 1)[1] for r in rows} == {"miit-2022-160"}
    assert [r["to"].rsplit("/", 1)[1] for r in rows if r["relation"] == "implements"][-2:] == \
        ["sc-2022-continuation-policies", "sc-2022-stabilize-package"]


def test_a_parameter_a_source_graph_or_the_extracted_tier_runs_the_engine(opened, store):
    rows = query.run("agency-responsibilities", store=opened, agency="agency/miit").values()
    assert rows and {r["agency"].rsplit("/id/", 1)[1] for r in rows} == {"agency/miit"}
    whole = query.run("agency-responsibilities", store=opened)
    assert len(rows) < len(whole)
    source = "source/notice-160-bilingual"
    assert query.run("policy-links", store=opened, graph=source).rows == \
        query.run("policy-links", store=store, graph=source).rows
    assert 0 < len(query.run("policy-links", store=opened, graph=source)) < len(query.run("policy-links", store=opened))


def test_the_row_cap_refuses_a_whole_stored_answer_as_the_engine_does(opened):
    small = bounds.Limits(max_rows=3)
    with pytest.raises(bounds.LimitError, match="more than 3 rows"):
        query.run("unconfirmed-facts", store=opened, limits=small)
    assert len(query.run("unconfirmed-facts", store=opened, limits=small, limit=3, offset=10)) == 3


def test_an_edited_query_is_not_answered_from_the_old_answer(opened):
    q = CATALOGUE["sources"]
    edited = dataclasses.replace(q, text=q.text.replace("ORDER BY ?source", "ORDER BY DESC(?source)"))
    assert stored.read(opened, q) is not None and stored.read(opened, edited) is None


def test_a_store_newer_than_its_answers_runs_the_engine(build_dir, tmp_path):
    from policykg.store import load
    copy = tmp_path / "build"
    shutil.copytree(build_dir, copy, symlinks=True)
    answers = stored.path(copy)
    old = answers.stat().st_mtime - 60
    os.utime(answers, (old, old))
    st = load.load(copy)
    assert stored.read(st, CATALOGUE["documents"]) is None
    assert query.run("documents", store=st).rows == query.run("documents", store=load.load(build_dir)).rows


def test_a_written_answer_file_replaces_the_old_one_whole(build_dir, tmp_path, store):
    out = tmp_path / "b"
    done = stored.write(store, out, [CATALOGUE["sources"], CATALOGUE["documents"]])
    assert done["sources"]["stored"] and done["sources"]["rows"] == len(query.run("sources", store=store))
    assert [p.name for p in (out / "index").iterdir()] == ["answers.sqlite"]      # no scratch file left


def test_a_literal_parameter_is_stored_for_the_values_its_header_query_gives(opened):
    """crosswalk-gbt4754-division: one answer per GB/T 4754-2017 division in the vocabulary; division
    36 (automobile manufacturing) reaches Notice 160's automotive measures (queries/expected)."""
    q = CATALOGUE["crosswalk-gbt4754-division"]
    divisions = {b for (n, b) in stored.stored(opened) if n == q.name}
    codes = query.sparql("SELECT DISTINCT ?n WHERE { ?c skos:inScheme <https://w3id.org/policykg/id/scheme/gbt4754-2017> ;"
                         " skos:notation ?n }", store=opened).values()
    assert divisions == {f'_division="{r["n"]}"' for r in codes} and '_division="36"' in divisions
    assert stored.read(opened, q, query.bind(q, {"division": "36"}, opened)) is not None
    items = {r["item"].rsplit("/id/", 1)[1] for r in query.run(q.name, store=opened, division="36").values()}
    assert {"doc/miit-2022-160/measure/2", "doc/miit-2022-160/measure/3"} <= items


@pytest.mark.parametrize("header,what,line", [
    ("#+ answer: kept", "unknown answer kind 'kept'", 6),
    ("#+ answer: stored | y | SELECT ?value WHERE { ?s ?p ?value }\n#+ param: x | literal | required | 1 | a value",
     "for 'y', not the query's one required literal", 6),
    ("#+ answer: stored | x | SELECT ?v WHERE { ?s ?p ?v }\n#+ param: x | literal | required | 1 | a value",
     r"not a 'SELECT \?value", 6),
    ("#+ answer: stored\n#+ param: x | literal | required | 1 | a value", "one required parameter naming an entity", 6),
])
def test_a_bad_answer_header_is_an_error_naming_its_line(tmp_path, header, what, line):
    path = tmp_path / "q.rq"
    path.write_text("#+ title: t\n#+ description: d\n#+ topic: links\n#+ returns: s\n#+ example: e\n"
                    f"{header}\nSELECT ?s ?_x WHERE {{ ?s ?p ?_x }}\n", encoding="utf-8")
    with pytest.raises(InputError, match=what) as e:
        catalogue.parse(path)
    assert e.value.line == line


def test_a_build_without_stored_answers_answers_from_the_engine(tmp_path, opened):
    from policykg.build import pipeline
    from policykg.store import load
    pipeline.build(tmp_path / "b", with_pages=False, with_answers=False)
    st = load.load(tmp_path / "b")
    assert not stored.path(tmp_path / "b").exists() and stored.stored(st) == {}
    assert query.run("sources", store=st).rows == query.run("sources", store=opened).rows


def test_an_answer_past_the_row_bound_is_not_stored_and_the_others_are(tmp_path, store, monkeypatch):
    monkeypatch.setattr(stored, "MAX_ROWS", 10)
    done = stored.write(store, tmp_path, [CATALOGUE["unconfirmed-facts"], CATALOGUE["sources"]], workers=2)
    assert done["unconfirmed-facts"]["stored"] is False and done["sources"]["stored"] is True
    import sqlite3
    db = sqlite3.connect(stored.path(tmp_path))
    assert {q for (q,) in db.execute("SELECT DISTINCT query FROM lines")} == {"sources"}
    assert [p.name for p in (tmp_path / "index").iterdir()] == ["answers.sqlite"]


def test_a_failing_query_leaves_no_file_behind(tmp_path, store):
    bad = dataclasses.replace(CATALOGUE["sources"], text="SELECT ?x WHERE { ?x ?p ?o } ORDER BY (1/0) LIMIT")
    with pytest.raises(SyntaxError):
        stored.write(store, tmp_path, [CATALOGUE["documents"], bad], workers=2)
    assert list((tmp_path / "index").iterdir()) == []


# ------------------------------------------------------------------ rows stored with their spans of days

def _days(opened) -> list[str]:
    """Every day the graph names (the xsd:date values), the day before and after it, and two far off."""
    import datetime
    named = {datetime.date.fromisoformat(str(r["d"])) for r in query.sparql("SELECT DISTINCT ?d WHERE { ?s ?p ?d FILTER(DATATYPE(?d) = xsd:date) }",
                                          store=opened).values()}
    one = datetime.timedelta(days=1)
    return sorted({d.isoformat() for day in named for d in (day - one, day, day + one)} | {"1900-01-01", "2999-12-31"})


def test_in_force_from_its_stored_spans_is_the_engines_answer_on_every_day_the_graph_names(opened, store):
    """On each day the engine's rows (the catalogue's text on a store not opened from the build)
    and the stored rows read through their spans are the same, in the same order. The answers differ
    from day to day (the Notice enters on 2022-11-21, its issue date), so a span read wrongly shows."""
    q = CATALOGUE["in-force"]
    days, answers = _days(opened), set()
    assert len(days) > 50
    for day in days:
        assert stored.read(opened, q, query.bind(q, {"as_of": day}, opened)) is not None, day
        mine, engine = query.run("in-force", store=opened, as_of=day), query.run("in-force", store=store, as_of=day)
        assert mine.variables == engine.variables and mine.rows == engine.rows, day
        answers.add(tuple(map(tuple, mine.rows)))
    assert len(answers) > 10
    items = {d: {r["item"].rsplit("/id/", 1)[1] for r in query.run("in-force", store=opened, as_of=d).values()}
             for d in ("2022-11-20", "2022-11-21")}
    assert "doc/miit-2022-160" in items["2022-11-21"] - items["2022-11-20"]


def test_quantities_in_period_from_its_stored_spans_is_the_engines_answer_for_spans_of_named_days(opened, store):
    """Every pair of days around the periods' bounds, a span given backwards (FROM after TO) too:
    the stored rows meet it exactly when the query's own filter keeps them."""
    import itertools
    bounds_ = sorted({str(r["d"]) for r in query.sparql(
        "SELECT DISTINCT ?d WHERE { ?p time:hasBeginning|time:hasEnd ?i . ?i time:inXSDDate ?d }", store=opened).values()})
    days = sorted(set(bounds_[::2]) | {"1900-01-01", "2999-12-31", "2023-01-01", "2023-12-31"})
    sizes = set()
    for first, last in itertools.product(days, repeat=2):
        mine = query.run("quantities-in-period", store=opened, **{"from": first, "to": last})
        engine = query.run("quantities-in-period", store=store, **{"from": first, "to": last})
        assert mine.rows == engine.rows, (first, last)
        sizes.add(len(mine))
    assert len(sizes) > 5 and 0 in sizes


def test_a_page_of_rows_read_through_spans_is_the_slice_of_the_days_answer(opened):
    whole = query.run("in-force", store=opened, as_of="2022-11-30")
    n = len(whole)
    assert n >= 19              # the Notice, its 17 measures, the halved car purchase tax (test_as_of.py)
    for limit, offset in [(1, 0), (5, 3), (4, n - 2), (3, n + 2), (None, 7)]:
        page = query.run("in-force", store=opened, as_of="2022-11-30", limit=limit, offset=offset)
        assert page.rows == whole.rows[offset:None if limit is None else offset + limit]
        assert page.total == n and page.offset == offset
    with pytest.raises(bounds.LimitError, match="more than 3 rows"):
        query.run("in-force", store=opened, as_of="2022-11-30", limits=bounds.Limits(max_rows=3))


def test_an_edited_spans_file_is_not_read(opened):
    q = CATALOGUE["in-force"]
    subs = query.bind(q, {"as_of": "2023-06-30"}, opened)
    edited = dataclasses.replace(q, spans=q.spans.replace("BIND(?ends AS ?_hi)", "BIND(?begins AS ?_hi)"))
    assert stored.read(opened, q, subs) is not None and stored.read(opened, edited, subs) is None


@pytest.mark.parametrize("edit,why", [
    # spans from the periods alone: a plan released after its period began would be in force before
    # its release (plan-2023-automobiles on the example day, 2023-06-30)
    (("BIND(IF(?lo_min = ?lo_max && ?dated = ?rows, ?lo_min, ?none) AS ?_lo)", "BIND(?begins AS ?_lo)"),
     "not the engine's"),
    (("BIND(?ends AS ?_hi)", "BIND(STR(?ends) AS ?_hi)"), "not two dates"),
    (("?sources ?_lo ?_hi", "?sources ?_hi ?_lo"), "do not end with ?_lo ?_hi"),
])
def test_spans_out_of_step_with_their_query_are_not_stored_and_the_build_says_why(tmp_path, store, edit, why):
    q = CATALOGUE["in-force"]
    assert edit[0] in q.spans
    said = []
    done = stored.write(store, tmp_path, [dataclasses.replace(q, spans=q.spans.replace(*edit)), CATALOGUE["sources"]],
                        say=said.append)
    assert done["in-force"]["stored"] is False and why in done["in-force"]["why"]
    assert done["sources"]["stored"] is True and any(why in m for m in said)
    import sqlite3
    db = sqlite3.connect(stored.path(tmp_path))
    assert {n for (n,) in db.execute("SELECT query FROM answers")} == {"sources"}
    assert {n for (n,) in db.execute("SELECT DISTINCT query FROM lines")} == {"sources"}


@pytest.mark.parametrize("header,spans,what,where", [
    ("#+ answer: spans | day", "SELECT ?s ?_lo ?_hi WHERE { ?s ?p ?o }", "not by the query's required date parameters",
     ("q.rq", 6)),
    ("#+ answer: spans | x", None, "rows with their spans are not in", ("q.rq", 6)),
    ("#+ answer: spans | x", "# rows\nSELECT ?s ?_lo ?_hi WHERE { ?s ?p ) }", "do not parse", ("spans/q.rq", 2)),
])
def test_a_bad_spans_header_or_file_is_an_error_naming_its_line(tmp_path, header, spans, what, where):
    path = tmp_path / "q.rq"
    if spans is not None:
        (tmp_path / "spans").mkdir()
        (tmp_path / "spans" / "q.rq").write_text(spans + "\n", encoding="utf-8")
    path.write_text("#+ title: t\n#+ description: d\n#+ topic: links\n#+ returns: s\n#+ example: e\n"
                    f"{header}\n#+ param: x | date | required | 2023-01-01 | a day\n"
                    "SELECT ?s ?_x WHERE { ?s ?p ?_x }\n", encoding="utf-8")
    with pytest.raises(InputError, match=what) as e:
        catalogue.parse(path)
    assert (e.value.path, e.value.line) == (tmp_path / where[0], where[1])
