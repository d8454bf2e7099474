"""The name index the build writes (build/index/names.sqlite) gives what the index built from the store gives."""

from __future__ import annotations

import pytest

from policykg.errors import InputError
from policykg.query import finder, index, resolve
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
    idx = index.index(st, refresh=False)
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
