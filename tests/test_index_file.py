"""The name index the build writes (build/index/names.sqlite) gives what the index built from the store gives."""

from __future__ import annotations

import pytest

from policykg.errors import InputError
from policykg.query import catalogue, finder, index, name_index, resolve
from policykg.store import load

# names checked against the sources: Notice 160's number and its measure 2 (../shared/reference/notice-160.md),
# MIIT as an issuer, the automobile sector of the vocabularies (ontology/vocab/)
NAMES = {
    "工信部联运行〔2022〕160号": "doc/miit-2022-160",
    "[2022] No. 160": "doc/miit-2022-160",
    "第160号通知": "doc/miit-2022-160",
    "Notice No. 160 measure 2": "doc/miit-2022-160/measure/2",
    "措施二": "doc/miit-2022-160/measure/2",
    "工业和信息化部": "agency/miit",
    "汽车": "sector/automobiles",
    "sector/automobiles": "sector/automobiles",
}


@pytest.fixture(scope="module")
def stored(build_dir):
    st = load.load(build_dir)
    assert load.origin(st) is not None
    idx = name_index.index(st, refresh=False)
    assert isinstance(idx, index.StoredIndex)
    return st, idx


def test_the_build_writes_the_index_next_to_its_store(build_dir):
    assert index.path(build_dir).is_file()


def test_the_stored_index_holds_what_the_built_one_does(stored):
    st, idx = stored
    built = index.build(st)
    assert dict(idx.entries.items()) == built.entries
    assert dict(idx.by_name.items()) == built.by_name and dict(idx.by_loose.items()) == built.by_loose
    assert idx.numbers() == sorted(built.numbers()) and idx.documents() == built.documents()


@pytest.mark.parametrize("name,key", NAMES.items())
def test_names_resolve_the_same_through_the_stored_index(stored, name, key):
    st, _ = stored
    assert resolve.resolve(st, name).value == index.PID + key


def test_an_unknown_name_gets_suggestions_from_the_stored_index(stored):
    st, _ = stored
    with pytest.raises(InputError, match="did you mean pid:agency/miit"):
        resolve.resolve(st, "工业和信息化")


def test_a_store_newer_than_the_index_is_indexed_anew(build_dir):
    assert index.read(build_dir, index.path(build_dir).stat().st_mtime + 10) is None


def test_the_stored_pool_of_names_is_the_one_made_in_memory(stored):
    """The candidate tables of `search` and the suggestions (finder.py) are the same whether the
    build wrote them or they are made from the store; links are left out of them."""
    st, idx = stored
    rows = ("SELECT e.iri, e.key, e.sources, e.classes, p.field, p.raw, p.normed FROM pool p "
            "JOIN pool_ents e ON e.eid = p.eid ORDER BY p.id")
    in_file = finder.finder(idx).execute(rows).fetchall()
    assert in_file == finder.finder(index.build(st)).execute(rows).fetchall()
    assert ("https://w3id.org/policykg/id/sector/automobiles", "pid:sector/automobiles") in {r[:2] for r in in_file}
    assert not [r for r in in_file if "/id/link/" in r[0]]
    assert finder.classes(idx)[:3] == sorted(finder.classes(idx))[:3] and "Link" in finder.classes(idx)


# ---------------------------------------------------------------- a stale file (policykg.query.name_index)

@pytest.fixture
def copied(build_dir, tmp_path):
    """A copy of the build, its index file made an hour older than its store."""
    import os
    import shutil
    out = tmp_path / "build"
    shutil.copytree(build_dir, out)
    f = index.path(out)
    os.utime(f, (f.stat().st_atime - 3600, f.stat().st_mtime - 3600))
    return out


def resolves(st) -> dict[str, str]:
    return {name: resolve.resolve(st, name).value for name in ("工业和信息化部", "工信部联运行〔2022〕160号")}


RESOLVED = {"工业和信息化部": index.PID + "agency/miit", "工信部联运行〔2022〕160号": index.PID + "doc/miit-2022-160"}


def test_an_index_file_older_than_the_store_is_written_again_and_read(copied):
    st = load.load(copied)
    assert index.read(*load.origin(st)) is None
    idx = name_index.index(st)
    assert isinstance(idx, index.StoredIndex) and index.read(*load.origin(st)) is not None
    assert resolves(st) == RESOLVED
    from policykg.query import stored
    assert sorted(p.name for p in index.path(copied).parent.iterdir()) == [stored.NAME, index.NAME]   # no temporary file
    name_index.forget(st)


def test_writing_the_index_again_removes_what_a_killed_writer_left_and_nothing_else(copied):
    """A reader killed at its time limit while it wrote the index leaves its temporary file; the next
    writer removes it, and keeps a running writer's file and every file not named as ours."""
    import os
    import subprocess
    folder = index.path(copied).parent
    ended = subprocess.Popen(["true"])
    ended.wait()                                              # a process id that no longer runs
    left = folder / f"{index.NAME}.tmp-{ended.pid}-0123abcd"
    running = folder / f"{index.NAME}.tmp-{os.getpid()}-89abcdef"
    others = [folder / f"{index.NAME}.tmp-{ended.pid}-notours", folder / f"{index.NAME}.bak", folder / "notes.txt"]
    for f in [left, running] + others:
        f.write_bytes(b"x" * 100)
    st = load.load(copied)
    assert isinstance(name_index.index(st), index.StoredIndex) and resolves(st) == RESOLVED
    assert not left.exists() and running.exists() and all(f.exists() for f in others)
    name_index.forget(st)


def test_an_index_file_of_another_version_is_written_again_and_read(copied):
    import sqlite3
    f = index.path(copied)
    with sqlite3.connect(f) as db:                   # a file of format 1 written after the store
        db.execute("UPDATE meta SET value = '1' WHERE key = 'version'")
    db.close()
    st = load.load(copied)
    assert index.read(*load.origin(st)) is None
    assert isinstance(name_index.index(st), index.StoredIndex)
    with sqlite3.connect(f"file:{f}?mode=ro", uri=True) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == (index.VERSION,)
    db.close()
    assert resolves(st) == RESOLVED
    name_index.forget(st)


def test_without_an_index_folder_a_small_store_is_indexed_in_memory_and_a_large_one_refused(copied, monkeypatch):
    import shutil
    shutil.rmtree(index.path(copied).parent)         # a build of an older version: index/ is not ours to make
    st = load.load(copied)
    assert resolves(st) == RESOLVED and not isinstance(name_index.index(st), index.StoredIndex)
    assert not index.path(copied).parent.exists()
    name_index.forget(st)
    monkeypatch.setattr(name_index, "MAX_BUILD_MB", 1)
    with pytest.raises(InputError) as e:
        resolve.resolve(st, "工业和信息化部")
    mb = sum(f.stat().st_size for f in (copied / "store").iterdir()) / 2**20
    assert mb > 1 and e.value.message == (
        f"{index.path(copied)}: the build has no name index file, and it cannot be written again here (index/ is "
        f"missing); building it in memory is refused above a store of 1 MB (this one: {mb:,.0f} MB); rebuild with "
        "'policykg build' (it writes the name index)")


def test_a_file_we_did_not_write_is_left_alone(copied, monkeypatch):
    f = index.path(copied)
    f.write_bytes(b"my notes\n")
    st = load.load(copied)
    monkeypatch.setattr(name_index, "MAX_BUILD_MB", 1)
    with pytest.raises(InputError, match=r"names.sqlite: this file is not a name index that policykg wrote, and it "
                                         r"cannot be written again here \(it is left as it is\); building it in memory "
                                         r"is refused above a store of 1 MB"):
        name_index.index(st)
    assert f.read_bytes() == b"my notes\n"


def test_a_folder_that_cannot_be_written_gets_the_index_in_memory_below_the_bound_else_one_error(copied, monkeypatch):
    f = index.path(copied)
    before = f.read_bytes()
    monkeypatch.setattr(name_index.os, "access", lambda path, mode: False)     # as for a read-only mount
    st = load.load(copied)
    assert resolves(st) == RESOLVED and not isinstance(name_index.index(st), index.StoredIndex)
    name_index.forget(st)
    monkeypatch.setattr(name_index, "MAX_BUILD_MB", 1)
    with pytest.raises(InputError) as e:
        name_index.index(st)
    mb = sum(p.stat().st_size for p in (copied / "store").iterdir()) / 2**20
    assert e.value.message.endswith(f"the name index is older than the store, and it cannot be written again here "
                                    f"(index/ is not writable); building it in memory is refused above a store of 1 MB "
                                    f"(this one: {mb:,.0f} MB); run the command once with write access to {f.parent} (the "
                                    f"file is then written again), or rebuild with 'policykg build'")
    assert f.read_bytes() == before


def test_a_fresh_build_whose_last_steps_take_seconds_keeps_its_index_files_current(tmp_path, monkeypatch):
    """Closing the store at the end of the build rewrites its manifest, after the name index and the
    stored answers were made from its final content. When those steps take more than a second (10
    minutes at 10,000 policies) the files must still count as current: else the first query by name
    writes the whole name index again (245 s there) and the listings run on the engine."""
    import time
    from policykg.build import pipeline
    from policykg.query import stored
    write = stored.write

    def slow(*a, **kw):
        done = write(*a, **kw)
        time.sleep(2.5)
        return done
    monkeypatch.setattr(stored, "write", slow)
    out = tmp_path / "b"
    pipeline.build(out, with_pages=False, with_links=False)
    st = load.load(out)
    stamp = load.origin(st)[1]
    assert index.read(out, stamp) is not None
    assert isinstance(name_index.index(st, refresh=False), index.StoredIndex)
    assert stored.read(st, catalogue.get("documents")) is not None
    before = index.path(out).stat().st_mtime_ns
    assert resolve.resolve(st, "工业和信息化部").value == index.PID + "agency/miit"
    assert index.path(out).stat().st_mtime_ns == before          # not written again by the reader
