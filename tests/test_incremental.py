"""Adding documents to a built corpus (policykg.build.incremental): the same store as a full build
of the same folder, the full path when a document changed or went, and the earlier build intact
when the add fails."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg import paths
from policykg.build import addplan, addreport, output, pipeline, units
from policykg.build.state import STATE
from policykg.model.namespaces import GRAPH, LINKS_GRAPH, PID, PKG, STATISTICS_GRAPH
from policykg.store import load

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
corpus = sys.modules["corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

LINKS = ox.NamedNode(LINKS_GRAPH)
STATISTICS = ox.NamedNode(STATISTICS_GRAPH)
DEFAULT = ox.DefaultGraph()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """(documents folder, earlier build): the real encodings and 12 synthetic policies, with links."""
    root = tmp_path_factory.mktemp("incremental")
    docs = root / "docs"
    shutil.copytree(paths.DOCUMENTS_DIR, docs)
    corpus.write(12, root / "corpus")
    for f in (root / "corpus" / "documents").glob("*.yaml"):
        shutil.copy(f, docs / f.name)
    shutil.copytree(root / "corpus" / "texts", root / "texts")      # the encodings name their texts from ..
    ds = pipeline.build(root / "build", [docs], with_pages=False)
    assert ds.counts["path"] == "full"
    return docs, root / "build"


def _copy(base, where: Path) -> tuple[Path, Path]:
    docs, build = base
    shutil.copytree(docs, where / "docs")
    shutil.copytree(build, where / "build", symlinks=True)
    if (docs.parent / "texts").is_dir() and not (where / "texts").exists():
        shutil.copytree(docs.parent / "texts", where / "texts")
    return where / "docs", where / "build"


def _add_two(docs: Path, where: Path) -> None:
    """Policies 12 and 13 of the same synthetic corpus (they refer to earlier ones)."""
    corpus.write(14, where / "more", start=12)
    for f in (where / "more" / "documents").glob("*.yaml"):
        shutil.copy(f, docs / f.name)
    for f in (where / "more" / "texts").glob("*.txt"):
        shutil.copy(f, where / "texts" / f.name)


def _graphs(store: ox.Store) -> dict:
    out = {}
    for q in store:
        out.setdefault(q.graph_name, set()).add(q)
    return out


def _ground(quads) -> set:
    return {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


def _link_nodes(quads: set, end: str) -> dict:
    """Link node -> its quads, for the links whose source is `end`."""
    source = ox.NamedNode(PKG + "linkFrom")
    nodes = {q.subject for q in quads if q.predicate == source and q.object.value == end}
    return {n: {q for q in quads if q.subject == n} for n in nodes}


def test_adding_documents_gives_the_store_of_a_full_build(base, tmp_path):
    docs, build = _copy(base, tmp_path)
    before = set(ox.Store.read_only(str(build / "store")))
    held = ox.Store.read_only(str(build / "store"))             # as `serve` holds it during the add
    _add_two(docs, tmp_path)
    added = pipeline.build(build, [docs], with_pages=False)
    assert added.counts["path"] == "add" and added.counts["units_added"] == 2
    assert len(held) == len(before)                              # the earlier build stayed readable
    full = pipeline.build(tmp_path / "full", [docs], with_pages=False)
    assert full.counts["path"] == "full"
    a, f = _graphs(added.store), _graphs(full.store)
    assert GRAPH + "synth-000013" in {g.value for g in a if g != DEFAULT}
    # every named graph but the links is the same set of quads (inferred graph included: what the
    # new policies state that earlier ones inferred, and what they infer that others state)
    assert set(a) == set(f)
    for g in set(a) - {LINKS, DEFAULT}:
        assert a[g] == f[g], g
    assert len(a[STATISTICS]) > 1000                             # the counts were updated, not dropped
    # the default graph is the union of the named graphs, each triple once (the ontology's blank
    # nodes aside: a full build reads its union back from kg.ttl, which relabels them)
    # (the statistics graph, compared above with the full build's, counts the union and is not in it)
    union = {ox.Quad(q.subject, q.predicate, q.object) for g, qs in a.items() if g not in (DEFAULT, STATISTICS)
             for q in qs}
    assert len(a[DEFAULT]) == len(union)
    assert _ground(a[DEFAULT]) == _ground(union)
    # links: the earlier ones stay, and each new document has the lineage links a full build gives it
    assert {q for q in before if q.graph_name == LINKS} <= a[LINKS]
    for n in ("synth-000012", "synth-000013"):
        mine, theirs = _link_nodes(a[LINKS], PID + "doc/" + n), _link_nodes(f[LINKS], PID + "doc/" + n)
        lineage = lambda nodes: {k: v for k, v in nodes.items() if "/link/continues/" in k.value}   # noqa: E731
        assert lineage(mine) == lineage(theirs)
        ends = {q.subject for q in a[LINKS] if q.object == ox.NamedNode(PID + "doc/" + n)}
        assert any("/link/related/" in k.value for k in ends)     # linked to the rest of the corpus
    # the report's counts, updated without a scan, agree with the full build's (links aside)
    ra = json.loads((build / "report.json").read_text(encoding="utf-8"))
    rf = json.loads((tmp_path / "full" / "report.json").read_text(encoding="utf-8"))
    drop = lambda d: {k: v for k, v in d.items() if k != LINKS_GRAPH and k != "Link"}   # noqa: E731
    assert drop(ra["triples_per_graph"]) == drop(rf["triples_per_graph"])
    assert drop(ra["entities_per_class"]) == drop(rf["entities_per_class"])
    assert ra["claims_per_source"] == rf["claims_per_source"]
    assert ra["concepts_per_scheme"] == rf["concepts_per_scheme"]
    assert ra["quads"] == len(added.store) - len(a[DEFAULT])
    assert ra["validation"] == rf["validation"]
    # no whole-graph file of the earlier build is carried over; the store is what queries open
    assert not (build / "kg.nq").exists() and not (build / "export").exists()
    assert (build / "ontology" / "policykg.owl").is_file()
    assert load.store_dir(build) == build / "store"
    # no stored answer of the earlier build is read: the listings run on the engine and hold the new
    # policies; the name index is written by its first reader into the index folder
    from policykg.query import engine as query, name_index, stored
    st = load.load(build)
    assert (build / "index").is_dir() and not stored.path(build).exists() and stored.stored(st) == {}
    assert PID + "doc/synth-000013" in {r["doc"] for r in query.run("documents", store=st).values()}
    assert name_index.index(st).__class__.__name__ == "StoredIndex" and (build / "index" / "names.sqlite").is_file()
    notice = ox.NamedNode(PID + "doc/miit-2022-160")
    issued = ox.NamedNode(PKG + "issuedBy")
    assert {q.object.value for q in added.store.quads_for_pattern(notice, issued, None, DEFAULT)} == \
        {PID + "agency/miit", PID + "agency/ndrc", PID + "agency/sasac"}     # Notice 160's three issuers


def test_the_dumps_of_an_add_are_written_from_its_store(base, tmp_path):
    docs, build = _copy(base, tmp_path)
    _add_two(docs, tmp_path)
    ds = pipeline.build(build, [docs], with_pages=False, dumps=True)
    assert ds.counts["path"] == "add"
    dumped = ox.Store()
    dumped.bulk_load(path=str(build / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    named = {q for q in ds.store if q.graph_name not in (DEFAULT, STATISTICS)}    # statistics: not dumped
    assert len(dumped) == len(named) and _ground(dumped) == _ground(named)     # blank nodes: relabelled when read
    assert GRAPH + "synth-000013" in {g.value for g in dumped.named_graphs()}
    compact = set(ox.parse(path=str(build / "kg.jsonld"), format=ox.RdfFormat.JSON_LD))     # labels kept by the parser
    assert compact == set(ox.parse(path=str(build / "kg.nq"), format=ox.RdfFormat.N_QUADS))


def test_a_changed_or_removed_document_takes_the_full_path(base, tmp_path):
    docs, build = _copy(base, tmp_path)
    ctx = units.Context.get()
    files = lambda: units.document_paths([docs])                 # noqa: E731
    assert addplan.plan(build, files(), ctx, with_links=True).new is None          # nothing new
    assert addplan.plan(build, files(), ctx, with_links=True, dumps=True).new is not None
    assert addplan.plan(build, files(), ctx, with_links=False).new is None         # links asked differently
    policy = docs / "synth-000003.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text + "\n", encoding="utf-8")             # changed bytes: another unit
    assert addplan.plan(build, files(), ctx, with_links=True).new is None
    policy.write_text(text, encoding="utf-8")
    said = []
    removed = sorted(docs.glob("news-*.yaml"))[0]
    removed.unlink()                                             # nothing refers to a news report
    assert addplan.plan(build, files(), ctx, with_links=True, say=said.append).new is None
    assert said == ["full build: a document was changed or removed"]


def test_a_failure_during_the_add_leaves_the_earlier_build(base, tmp_path, monkeypatch):
    docs, build = _copy(base, tmp_path)
    marker, state = output.build_id(build), (build / "cache" / STATE).read_text()
    quads = len(ox.Store.read_only(str(build / "store")))
    _add_two(docs, tmp_path)

    def fail(*_a, **_k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(addreport, "recheck", fail)
    gc.disable()            # the failed add's store stays open, held by its traceback, as it may in a notebook
    try:
        with pytest.raises(RuntimeError):
            pipeline.build(build, [docs], with_pages=False)
        assert output.build_id(build) == marker
        assert (build / "cache" / STATE).read_text() == state
        assert (build / "kg.nq").is_file() and (build / "cache" / "units").is_dir()
        assert len(ox.Store.read_only(str(build / "store"))) == quads
        assert output.leftovers(build) == []
        monkeypatch.undo()
        assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"   # the retry in the same process
    finally:
        gc.enable()


def _links_of(store: ox.Store) -> set:
    return _ground(store.quads_for_pattern(None, None, None, LINKS))


def test_an_add_links_the_new_units_as_an_index_of_every_unit_would(base, tmp_path):
    """The kept link index (policykg.link.saved) gives the new units the links that the index of the
    whole corpus built anew gives them (`compute.related` and `compute.lineage` with `only`)."""
    from policykg.link import compute, graph, output as link_output
    docs, build = _copy(base, tmp_path)
    before = _links_of(ox.Store.read_only(str(build / "store")))
    _add_two(docs, tmp_path)
    ds = pipeline.build(build, [docs], with_pages=False)
    assert ds.counts["path"] == "add"
    state = json.loads((build / "cache" / STATE).read_text(encoding="utf-8"))
    assert state["links_gen"] == 1 and state["keys_gen"] == 1
    store = ds.store
    us = graph.units(store)
    mine = {x for x in us if "synth-000012" in x or "synth-000013" in x}
    assert PID + "doc/synth-000013" in mine and len(mine) > 2          # the documents and their measures
    labels = graph.Labels(store)
    docs_ = {x for x in mine if us[x].kind == "document"}
    expected = list(compute.related(us, labels, only=mine)) + compute.lineage(store, us, labels, only=docs_)
    assert {l.type for l in expected} >= {"related", "continues"}
    as_stored = ox.Store()                                       # literals in the store's form ("0.130" is "0.13")
    as_stored.extend(link_output.to_quads(expected, store))
    assert _links_of(store) - before == _links_of(as_stored) - before


def test_a_touched_file_is_hashed_and_not_compiled_again(base, tmp_path, monkeypatch):
    from policykg.build import state
    monkeypatch.setattr(state, "RACY_NS", 0)                    # the files were written a moment ago
    docs, build = _copy(base, tmp_path)
    _add_two(docs, tmp_path)
    assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"   # records the fingerprints
    corpus.write(15, tmp_path / "third", start=14)
    (docs / "synth-000014.yaml").write_bytes((tmp_path / "third" / "documents" / "synth-000014.yaml").read_bytes())
    touched = docs / "synth-000003.yaml"
    os.utime(touched)                                            # new mtime (and ctime), same bytes
    read = []
    digest = units.file_digest
    monkeypatch.setattr(units, "file_digest", lambda path, ctx: read.append(Path(path).name) or digest(path, ctx))
    planned = addplan.plan(build, units.document_paths([docs]), units.Context.get(), with_links=True)
    assert set(read) == {"synth-000003.yaml", "synth-000014.yaml"}     # every other file by its fingerprint
    assert [Path(u.path).name for u in planned.new] == ["synth-000014.yaml"]
    assert planned.done is None and planned.keys is not None    # checked against the kept key table
    planned.keys.close()


def test_a_file_changed_with_its_size_and_mtime_restored_is_read(base, tmp_path, monkeypatch):
    from policykg.build import state
    monkeypatch.setattr(state, "RACY_NS", 0)
    docs, build = _copy(base, tmp_path)
    _add_two(docs, tmp_path)
    assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"
    policy = docs / "synth-000003.yaml"
    st = policy.stat()
    text = policy.read_text(encoding="utf-8")
    changed = text.replace("20", "19", 1)                      # same length, other bytes
    assert changed != text and len(changed.encode()) == st.st_size
    policy.write_text(changed, encoding="utf-8")
    os.utime(policy, ns=(st.st_atime_ns, st.st_mtime_ns))       # size and mtime as recorded; the ctime moved
    said = []
    planned = addplan.plan(build, units.document_paths([docs]), units.Context.get(), with_links=True,
                               say=said.append)
    assert planned.new is None and said == ["full build: a document was changed or removed"]


def test_commands_that_read_kg_nq_say_how_to_get_it_after_an_add(base, tmp_path, capsys):
    from policykg.cli import main
    docs, build = _copy(base, tmp_path)
    _add_two(docs, tmp_path)
    assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"
    line = (f"error: {build / 'kg.nq'}: this build has no kg.nq: documents were added to it without --dumps; "
            "run the add again with 'policykg build --dumps' (or rebuild with 'policykg build --full')")
    text = tmp_path / "notice.txt"
    text.write_text("工业和信息化部关于某事的通知\n一、总体要求\n", encoding="utf-8")
    for args in (["link"], ["link", "--with", str(docs / "synth-000001.yaml")],
                 ["ingest", str(text), "--into-graph", "--out", str(tmp_path / "drafts")]):
        assert main([*args, "--build", str(build)]) == 2
        assert capsys.readouterr().err.strip() == line, args
    assert not (tmp_path / "drafts").exists()                    # nothing written before the check


def _as_data(idx) -> dict:
    """An index as plain data: entries (names, classes, sources), names and loose names, numbers, documents."""
    return {"entries": {iri: (e.names, e.classes, e.sources) for iri, e in idx.entries.items()},
            "by_name": {k: set(v) for k, v in idx.by_name.items()}, "by_loose": {k: set(v) for k, v in idx.by_loose.items()},
            "numbers": sorted(set(idx.numbers())), "documents": idx.documents()}


def _in_memory(store: ox.Store) -> ox.Store:
    copy = ox.Store()
    copy.extend(store.quads_for_pattern(None, None, None))
    return copy


def test_the_name_index_of_an_add_is_a_layer_that_reads_as_the_whole_index(base, tmp_path):
    from policykg.query import finder, index, name_index, search
    docs, build = _copy(base, tmp_path)
    earlier = (build / "index" / "names.sqlite").stat()
    _add_two(docs, tmp_path)
    pipeline.build(build, [docs], with_pages=False)
    layer = build / "index" / index.LAYER
    assert layer.is_file() and (build / "index" / "names.sqlite").stat().st_ino == earlier.st_ino    # the file, linked
    st = load.load(build)
    idx = name_index.index(st)
    assert idx.layered                                       # read as it is: nothing written again
    assert (build / "index" / "names.sqlite").stat().st_ino == earlier.st_ino
    truth = index.build(st)                                  # the index's queries over the store after the add
    assert _as_data(idx) == _as_data(truth)
    for n in (12, 13):                                      # the new policies, by number and title, in zh and en
        doc = PID + f"doc/synth-{n:06d}"
        number, title = idx.entries[doc].text("number"), idx.entries[doc].text("title", "zh")
        assert number == f"合成发〔{corpus_year(idx, doc)}〕{n}号" and f"（合成{n}）" in title
        for text in (number, title, f"Synthetic policy {n}"):
            q = index.norm(text)
            assert finder.within(idx, q, search.WEIGHT, None, 10) == finder.within(truth, q, search.WEIGHT, None, 10)
            assert finder.containing(idx, q, finder.NAME_FIELDS, 50) == finder.containing(truth, q, finder.NAME_FIELDS, 50)
        assert [h.iri for h in search.search(st, number)][0] == doc
    # an earlier entity that new claims are about: its count of sources moved with them
    moved = [iri for iri, e in truth.entries.items() if index_file_entry(base[1], iri) not in (None, e.sources)]
    assert moved and all(idx.entries[iri].sources == truth.entries[iri].sources for iri in moved)
    for iri in moved:                                        # found once, with its new count, not also as it was
        q = index.norm(truth.entries[iri].label("zh"))
        assert finder.within(idx, q, search.WEIGHT, None, 10) == finder.within(truth, q, search.WEIGHT, None, 10)
    # one more add: the layer carries the earlier layer's entities and adds the new ones
    corpus.write(15, tmp_path / "more2", start=14)
    shutil.copy(tmp_path / "more2" / "documents" / "synth-000014.yaml", docs)
    shutil.copy(tmp_path / "more2" / "texts" / "synth-000014.txt", tmp_path / "texts")
    name_index.forget(st)
    del st, idx
    gc.collect()
    assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"
    st = load.load(build)
    idx = name_index.index(st)
    assert idx.layered and (build / "index" / "names.sqlite").stat().st_ino == earlier.st_ino
    assert _as_data(idx) == _as_data(index.build(st))
    assert {PID + f"doc/synth-{n:06d}" for n in (12, 13, 14)} <= set(idx.documents())


def corpus_year(idx, doc: str) -> str:
    return idx.entries[doc].text("number").split("〔")[1].split("〕")[0]


def index_file_entry(build: Path, iri: str):
    """The source count of `iri` in a build's index file, or None."""
    from policykg.query import index
    db = index.open_current(index.path(build), 0, index.VERSION)
    row = db.execute("SELECT data FROM entries WHERE iri = ?", (iri,)).fetchone()
    return index.entry_of(iri, row[0]).sources if row else None


def test_an_add_to_a_build_without_a_current_name_index_leaves_it_to_its_first_reader(base, tmp_path):
    from policykg.query import index, name_index
    docs, build = _copy(base, tmp_path)
    (build / "index" / "names.sqlite").unlink()
    _add_two(docs, tmp_path)
    pipeline.build(build, [docs], with_pages=False)
    assert not (build / "index" / index.LAYER).exists() and not (build / "index" / "names.sqlite").exists()
    st = load.load(build)
    idx = name_index.index(st)                               # written whole, once
    assert not idx.layered and (build / "index" / "names.sqlite").is_file()
    assert PID + "doc/synth-000013" in idx.documents()


def test_after_an_add_a_listing_keeps_the_engines_answer_with_the_new_policies(base, tmp_path, monkeypatch):
    """The add writes no stored answers; the first call of a listing keeps its answer
    (policykg.query.kept), the answer of the store after the add, new measures included."""
    from policykg.query import catalogue, engine as query, kept, stored
    docs, build = _copy(base, tmp_path)
    _add_two(docs, tmp_path)
    assert pipeline.build(build, [docs], with_pages=False).counts["path"] == "add"
    assert not stored.path(build).exists()
    st = load.load(build)

    def engine(sector):                                      # the engine itself, on the same store
        q = catalogue.get("measures-by-sector")
        return query.execute(q.text, st, substitutions=query.bind(q, {"sector": sector}, st), hide_params=True,
                             check_service=False)
    new = {r["s"] for r in query.sparql(
        f"SELECT DISTINCT ?s WHERE {{ ?m pkg:targetsSector ?s FILTER(STRSTARTS(STR(?m), '{PID}doc/synth-000012/')) }}",
        store=st).values()}
    assert new
    for sector in sorted(new)[:2]:
        mine, truth = query.run("measures-by-sector", store=st, sector=sector), engine(sector)
        assert mine.rows == truth.rows
        assert any("/doc/synth-000012/" in r["measure"] for r in truth.values())
    assert len(list(kept.folder(build).glob("measures-by-sector.*.sqlite"))) == min(2, len(new))
    monkeypatch.setattr(stored, "_compute", lambda *_a, **_k: (_ for _ in ()).throw(AssertionError("computed again")))
    sector = sorted(new)[0]
    assert query.run("measures-by-sector", store=st, sector=sector, limit=2, offset=1).rows == engine(sector).rows[1:3]
