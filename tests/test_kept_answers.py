"""Answers kept by their first call where a build has no stored answers (policykg.query.kept): after an
add, with --no-answers, or when the store changed after its answers were written.

Each test works on a copy of the real build without its answers file. The kept rows must be the
engine's rows, in the same order: the engine's are computed on the session's store, which is not
opened from a build folder and so never reads a stored or kept answer.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3

import pytest

from policykg.query import bounds, catalogue, engine as query, kept, stored
from policykg.store import load

CATALOGUE = catalogue.catalogue()


@pytest.fixture()
def bare(build_dir, tmp_path):
    """A copy of the real build without stored answers, opened as commands open it."""
    copy = tmp_path / "build"
    shutil.copytree(build_dir, copy, symlinks=True)
    stored.path(copy).unlink()
    return copy, load.load(copy)


def _files(build) -> list[str]:
    return sorted(p.name for p in kept.folder(build).iterdir()) if kept.folder(build).is_dir() else []


def _no_compute(monkeypatch):
    def fail(*_a, **_k):
        raise AssertionError("the answer was computed again")
    monkeypatch.setattr(stored, "_compute", fail)


CALLS = [("sources", {}), ("documents", {}), ("unconfirmed-facts", {}), ("policy-links", {}),
         ("measures-by-sector", {"sector": "汽车"}), ("measures-by-instrument", {"instrument": "instrument/consumption-campaign"}),
         ("agency-profile", {"agency": "MIIT"}), ("crosswalk-gbt4754-division", {"division": "36"}),
         ("in-force", {"as_of": "2022-11-21"})]


@pytest.mark.parametrize("name,params", CALLS, ids=[c[0] for c in CALLS])
def test_the_first_call_keeps_the_engines_answer_and_the_next_calls_read_it(name, params, bare, store, monkeypatch):
    build, st = bare
    q = CATALOGUE[name]
    subs = query.bind(q, params, st)
    assert stored.read(st, q, subs) is None                 # no stored answer: the first call computes it
    first, engine = query.run(name, store=st, **params), query.run(name, store=store, **params)
    assert len(engine) > 0, f"{name} answers nothing on the real graph: the test would prove nothing"
    assert first.variables == engine.variables and first.rows == engine.rows
    assert _files(build) == [kept.path(build, q, stored.answer_key(q, subs)).name]
    _no_compute(monkeypatch)                                # the next calls read the kept file
    n = len(engine)
    for limit, offset in [(None, 0), (1, 0), (2, 1), (3, n - 1), (5, n), (None, 1)]:
        page = query.run(name, store=st, limit=limit, offset=offset, **params)
        assert page.rows == engine.rows[offset:None if limit is None else offset + limit], (limit, offset)
        if limit is not None or offset:
            assert page.total == n
    body, total = stored.read_tsv(st, q, subs, 2, 0)        # the endpoint's /catalogue reads it too
    assert total == n and body.count(b"\n") == 1 + min(2, n)


def test_the_real_facts_come_from_the_kept_answer(bare, monkeypatch):
    """Notice 160's number, date and issuers, and SASAC's profile, read back from kept files
    (reference/notice-160.md: 工信部联运行〔2022〕160号, issued 2022-11-21 by MIIT, NDRC and SASAC)."""
    build, st = bare
    query.run("documents", store=st)
    query.run("agency-profile", store=st, agency="SASAC")
    _no_compute(monkeypatch)
    docs = {r["doc"].rsplit("/id/", 1)[1]: r for r in query.run("documents", store=st).values()}
    notice = docs["doc/miit-2022-160"]
    assert (notice["number"], str(notice["issued"])) == ("工信部联运行〔2022〕160号", "2022-11-21")
    assert set(notice["issuers"].split("; ")) == {
        "Ministry of Industry and Information Technology", "National Development and Reform Commission",
        "State-owned Assets Supervision and Administration Commission of the State Council"}
    issued = {r["other"].rsplit("/id/", 1)[1] for r in query.run("agency-profile", store=st, agency="SASAC").values()
              if r["role"] == "issued"}
    assert "doc/miit-2022-160" in issued


def test_a_page_of_a_keyed_query_keeps_nothing_and_its_whole_answer_does(bare, store):
    build, st = bare
    q = CATALOGUE["policy-links"]
    assert q.page == "keys"
    page = query.run("policy-links", store=st, limit=3)
    assert page.rows == query.run("policy-links", store=store).rows[:3] and _files(build) == []
    query.run("policy-links", store=st)
    assert len(_files(build)) == 1


def test_an_optional_parameter_or_a_source_graph_keeps_nothing(bare, store):
    build, st = bare
    assert query.run("sources", store=st, graph="source/notice-160-bilingual").rows == \
        query.run("sources", store=store, graph="source/notice-160-bilingual").rows
    assert query.run("unconfirmed-facts", store=st, source="source/summary-notice-160").rows == \
        query.run("unconfirmed-facts", store=store, source="source/summary-notice-160").rows    # an optional value
    q = CATALOGUE["measures-by-sector"]
    assert not kept.wanted(st, q, {}, None, 0)               # without its required value
    assert _files(build) == []


def test_a_kept_answer_is_not_read_with_a_newer_store_or_an_edited_query(bare, monkeypatch):
    build, st = bare
    q = CATALOGUE["sources"]
    query.run("sources", store=st)
    assert stored.read(st, q) is not None
    edited = dataclasses.replace(q, text=q.text.replace("ORDER BY ?source", "ORDER BY DESC(?source)"))
    assert edited.text != q.text and stored.read(st, edited) is None
    later = max(f.stat().st_mtime for f in (build / "store").iterdir()) + 5
    os.utime(build / "store" / "CURRENT", (later, later))    # the store changed after the answer was kept
    newer = load.load(build)
    assert newer is not st and stored.read(newer, q) is None
    assert kept.wanted(newer, q, {}, None, 0)


def test_an_answer_past_the_row_bound_is_not_kept_nor_computed_again(bare, store, monkeypatch):
    build, st = bare
    monkeypatch.setattr(stored, "MAX_ROWS", 10)
    engine = query.run("unconfirmed-facts", store=store)
    assert len(engine) > 10
    assert query.run("unconfirmed-facts", store=st).rows == engine.rows
    (name,) = _files(build)
    meta = dict(sqlite3.connect(kept.folder(build) / name).execute("SELECT key, value FROM meta"))
    assert meta["not_kept"] == "over 10 rows"
    assert not kept.wanted(st, CATALOGUE["unconfirmed-facts"], {}, None, 0)
    _no_compute(monkeypatch)                                 # the engine answers; nothing computed to keep
    assert query.run("unconfirmed-facts", store=st, limit=4).rows == engine.rows[:4]


def test_a_folder_that_cannot_be_written_keeps_nothing_and_the_engine_answers(bare, store):
    build, st = bare
    kept.folder(build).parent.mkdir(exist_ok=True)
    kept.folder(build).write_text("not a folder\n", encoding="utf-8")   # mkdir fails there, even as root
    assert query.run("documents", store=st).rows == query.run("documents", store=store).rows
    assert kept.folder(build).read_text(encoding="utf-8") == "not a folder\n"
    assert sorted(p.name for p in kept.folder(build).parent.iterdir()) == ["kept", "names.sqlite"]


def test_a_kept_file_past_its_byte_cap_fails_and_leaves_nothing(bare, store, monkeypatch):
    build, st = bare
    monkeypatch.setattr(kept, "MAX_BYTES", 4096)
    assert query.run("unconfirmed-facts", store=st).rows == query.run("unconfirmed-facts", store=store).rows
    assert _files(build) == []                               # the worker's write failed past the cap; this process lives


def test_keeping_an_answer_stops_at_the_callers_time_limit_and_leaves_nothing(bare, monkeypatch):
    import time
    build, st = bare

    def slow(*_a, **_k):
        time.sleep(30)
    monkeypatch.setattr(stored, "_compute", slow)
    with pytest.raises(bounds.LimitError) as e:
        query.run("sources", store=st, limits=bounds.Limits(timeout_s=0.5))
    assert e.value.kind == "time"
    assert _files(build) == []
