"""The per-source build: same dataset as the one-pass reference, incremental, and distributed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg import paths
from policykg.build import pipeline
from policykg.model.namespaces import GRAPH, INFERRED_GRAPH, PID
from policykg.store import dumps, load

REPO = Path(__file__).resolve().parent.parent
DUMPS = ["kg.nq", "kg.trig", "kg.ttl", "kg.jsonld"]
_spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
corpus = sys.modules["corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def quads(store) -> set[str]:
    """The named graphs' quads (the build's store also keeps their union in the default graph, and
    the statistics graph counted from them)."""
    named = ox.Store()
    named.bulk_extend(q for q in store if q.graph_name != ox.DefaultGraph()
                      and q.graph_name != ox.NamedNode(GRAPH + "statistics"))
    return {str(q) for q in dumps.canonical(named)}


def test_per_source_build_equals_the_one_pass_reference_on_the_real_graph(built):
    reference = pipeline.compile_dataset()
    assert quads(built[1].store) == quads(reference.store)
    # What makes it equal on these sources: the chinanews report declares measures 6-14 as parts of
    # parts 3-5 of Notice 160, which notice-160-bilingual declares, so 'isPartOf' is transitive
    # across two sources; and both files state issuedBy MIIT for the Notice, so neither derives it.
    counts = built[1].counts
    assert counts["inferred_across_sources"] > 0
    notice = ox.NamedNode(PID + "doc/miit-2022-160")
    measure6 = ox.NamedNode(PID + "doc/miit-2022-160/measure/6")
    part_of = ox.NamedNode("https://w3id.org/policykg/ontology#isPartOf")
    assert ox.Quad(measure6, part_of, notice, ox.NamedNode(INFERRED_GRAPH)) in built[1].store


def test_build_leaves_a_store_that_queries_open_read_only(tmp_path):
    build_dir = tmp_path / "build"
    pipeline.build(build_dir, with_pages=False, with_links=False)
    folder = load.store_dir(build_dir)
    assert folder == build_dir / "store"
    store = load.load(build_dir)
    miit = ox.NamedNode(PID + "agency/miit")
    issued = ox.NamedNode("https://w3id.org/policykg/ontology#issuedBy")
    issuers = {q.object.value for q in store.quads_for_pattern(ox.NamedNode(PID + "doc/miit-2022-160"), issued, None)}
    assert issuers == {PID + "agency/miit", PID + "agency/ndrc", PID + "agency/sasac"}   # Notice 160's three issuers
    with pytest.raises(RuntimeError):
        store.add(ox.Quad(miit, issued, miit))
    (build_dir / "kg.nq").touch()                            # a dump rewritten since: read from the dump
    os.utime(build_dir / "kg.nq", (time.time() + 5, time.time() + 5))
    assert load.store_dir(build_dir) is None
    assert len(load.load(build_dir)) == len(store)


def test_adding_one_document_compiles_only_it_and_gives_the_bytes_of_a_fresh_build(tmp_path):
    docs = tmp_path / "corpus"
    corpus.write(12, docs)
    out = tmp_path / "build"
    first = pipeline.build(out, [paths.DOCUMENTS_DIR, docs / "documents"], with_pages=False)
    assert first.counts["units_compiled"] == 7 + 13
    corpus.write(13, docs, start=12)                         # policy 12 refers to earlier policies
    again = pipeline.build(out, [paths.DOCUMENTS_DIR, docs / "documents"], with_pages=False, full=True)
    assert (again.counts["units_compiled"], again.counts["units_reused"]) == (1, 20)
    fresh = tmp_path / "fresh"
    pipeline.build(fresh, [paths.DOCUMENTS_DIR, docs / "documents"], with_pages=False)
    for name in DUMPS:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    graphs = {g.value for g in again.store.named_graphs()}
    assert GRAPH + "synth-000012" in graphs
    assert sorted(p.suffix for p in (out / "cache" / "units").iterdir()).count(".unit") == 21


def test_changing_a_declared_class_recompiles_the_files_that_use_it(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(paths.DOCUMENTS_DIR, docs)
    out = tmp_path / "build"
    pipeline.build(out, [docs], with_pages=False, with_links=False)
    notice = docs / "notice-160-bilingual.yaml"
    text = notice.read_text(encoding="utf-8")
    assert "  doc/miit-2022-160:\n    type: Notice\n" in text
    notice.write_text(text.replace("  doc/miit-2022-160:\n    type: Notice\n", "  doc/miit-2022-160:\n    type: Guideline\n"),
                      encoding="utf-8")
    again = pipeline.build(out, [docs], with_pages=False, with_links=False)
    # the edited file and the four that refer to Notice 160; the ten-industry plans and the referenced
    # policies do not name it, so their units are reused
    users = [f for f in docs.glob("*.yaml") if "doc/miit-2022-160" in f.read_text(encoding="utf-8")]
    assert again.counts["units_compiled"] == len(users) == 5


@pytest.mark.slow
def test_two_dask_workers_give_the_bytes_of_one_process(build_dir, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pipeline.build(tmp_path / "dask", client=client)
    for name in DUMPS:
        assert (tmp_path / "dask" / name).read_bytes() == (build_dir / name).read_bytes(), name


def test_libyaml_and_the_careful_loader_read_the_encodings_alike():
    from policykg.encoding import yamlsrc
    if yamlsrc._CLOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    for f in sorted(paths.DOCUMENTS_DIR.glob("*.yaml")):
        text = f.read_text(encoding="utf-8")
        fast = yamlsrc._fast(text)
        assert fast is not None, f.name
        careful = yamlsrc._Loader(text, f).get_single_node()
        a, b = yamlsrc._convert(fast, f), yamlsrc._convert(careful, f)
        assert a == b and a.key_lines == b.key_lines, f.name
        assert a["entities"].key_lines == b["entities"].key_lines
    assert yamlsrc._fast("a: &x 1\nb: *x\n") is None              # anchors go the careful way (and are refused)
    assert yamlsrc._fast("a: [1, 2\n") is None                    # so do syntax errors


XSD = "http://www.w3.org/2001/XMLSchema#"


def test_typed_values_take_the_store_form_by_rule_on_the_real_and_a_synthetic_corpus(tmp_path):
    """Every typed value the sources compile to is put in the store's form by the rules of
    policykg.build.literals, without asking a store, and that form is what a store gives back."""
    from policykg.build import literals
    from policykg.encoding import compile as compiler, reader
    from policykg.encoding.files import document_files
    from policykg.model import ontology
    encs = reader.read_all(ontology.load(), document_files(None) + corpus.write(30, tmp_path))
    typed = list(dict.fromkeys(q.object for e in encs for q in compiler.compile_source(e) if isinstance(q.object, ox.Literal)
                               and not q.object.language and q.object.datatype.value != XSD + "string"))
    kinds = {lit.datatype.value[len(XSD):] for lit in typed}
    assert kinds == {"boolean", "date", "decimal", "hexBinary", "nonNegativeInteger", "positiveInteger"}, kinds
    from_store = literals.probe(typed)
    assert len(from_store) == len(typed) > 1000
    for lit in typed:
        assert literals.stored(lit.value, lit.datatype.value) == (from_store[lit].value, from_store[lit].datatype.value), lit
    # kg/documents/chinanews-2022-11-22.yaml, stat/2022-10-industrial-value-added: value "5.0" (decimal)
    value = ox.Literal("5.0", datatype=ox.NamedNode(XSD + "decimal"))
    assert value in typed and from_store[value] == ox.Literal("5", datatype=ox.NamedNode(XSD + "decimal"))


EDGES = {"integer": ["5", "007", "+5", "-0", "-007", "999999999999999999", "9223372036854775807", "99999999999999999999",
                     " 5", "5_000", "٣", "0x1F", ""],
         "nonNegativeInteger": ["0", "007", "+3", "-1"], "positiveInteger": ["0", "01"], "int": ["007"], "byte": ["300"],
         "unsignedLong": ["07"], "decimal": ["5.0", "5", "5.10", "-0.0", "0.0", "-5.50", "+1.5", "00.5", "1.", ".5", "1e3",
                                             "123456789012345678.123456789012345678", "0.1234567890123456789", "５", "-"],
         "date": ["2022-11-21", "2022-02-30", "0000-01-01", "2022-1-2", "+2022-11-21", "2022-11-21Z", "２０２２-11-21"],
         "boolean": ["true", "false", "1", "0", "TRUE", " true"], "hexBinary": ["0a", "0A", "xyz"],
         "double": ["1.0"], "gYear": ["02022"], "dateTime": ["2022-11-21T10:00:00.0Z"]}


def test_the_rules_of_the_store_form_agree_with_the_store_where_they_decide():
    from policykg.build import literals
    lits = [ox.Literal(v, datatype=ox.NamedNode(XSD + dt)) for dt, vs in EDGES.items() for v in vs]
    from_store = literals.probe(lits)
    decided = 0
    for lit in lits:
        form = literals.stored(lit.value, lit.datatype.value)
        if form is not None:
            decided += 1
            assert form == (from_store[lit].value, from_store[lit].datatype.value), lit
    assert decided == 34
    assert literals.stored("-007", XSD + "nonNegativeInteger") == ("-7", XSD + "integer")   # as the store: no range check
    assert literals.stored("1e3", XSD + "decimal") is None and literals.stored("1.0", XSD + "double") is None
    # where the rules do not decide, the store does
    g, s, p = ox.NamedNode(GRAPH + "x"), ox.NamedNode(PID + "x"), ox.NamedNode(PID + "p")
    quads = [ox.Quad(s, p, lit, g) for lit in lits]
    assert [q.object for q in literals.as_stored(quads)] == [from_store[lit] for lit in lits]


def test_the_per_source_stage_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    """The stage turns the collector off for each file and freezes what the process holds: both are
    undone after it, also when a file is wrong."""
    import gc
    from policykg.build import distributed, units
    from policykg.encoding import records
    files = units.document_paths(None)
    done = distributed.compile_units(files, units.Context.get().digest, tmp_path / "units")
    assert len(done) == len(files) == 7 and gc.isenabled() and gc.get_freeze_count() == 0
    bad = tmp_path / "docs"
    bad.mkdir()
    for f in files:
        shutil.copy(f, bad / f.name)
    text = (bad / "chinanews-2022-11-22.yaml").read_text(encoding="utf-8")
    (bad / "chinanews-2022-11-22.yaml").write_text(text.replace("indicator: indicator/industrial-value-added-growth",
                                                                 "indicator: indicator/no-such-indicator"), encoding="utf-8")
    with pytest.raises(records.EncodingErrors, match="unknown entity 'indicator/no-such-indicator'"):
        distributed.compile_units(units.document_paths([bad]), units.Context.get().digest, tmp_path / "units2")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:                                            # a caller that turned it off keeps it off
        distributed.compile_units(files, units.Context.get().digest, tmp_path / "units")
        assert not gc.isenabled()
    finally:
        gc.enable()


def _size_of_shared(path, digest, shared):
    return path, len(shared)


def test_the_key_table_goes_to_dask_as_one_object():
    """What every task shares (the key table, a dict) is one piece of data on the cluster, not one
    future per key that every task would depend on (at 1,000 policies: 10^5 keys times 10^3 tasks,
    and the scheduler ran out of memory)."""
    distributed_ = pytest.importorskip("dask.distributed")
    from policykg.build import distributed
    table = {f"k{i}": {"c"} for i in range(3000)}
    args = [(f"f{i}", "d") for i in range(20)]
    scattered = []
    with distributed_.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        scatter = client.scatter

        def counting(data, **kw):
            out = scatter(data, **kw)
            scattered.append(len(out) if isinstance(out, (list, dict)) else 1)
            return out
        client.scatter = counting
        got = distributed._map_all(_size_of_shared, args, client, shared=table)
    assert got == [(f"f{i}", 3000) for i in range(20)]
    assert scattered == [1]


def test_the_key_table_gives_each_key_its_classes_in_one_shared_set_per_class():
    """The key table of the built-in encodings: Notice 160 is a Notice and MIIT (from the vocabulary)
    an Agency; keys of the same classes share one frozenset, so its size is that of its keys."""
    from policykg.build import units
    from policykg.encoding import declared
    from policykg.model.namespaces import PKG
    ctx = units.Context.get()
    scans = [declared.scan(ctx.onto, f) for f in units.document_paths(None)]
    known, errors = declared.key_table(ctx.onto, scans)
    assert errors == []
    assert known[PID + "doc/miit-2022-160"] == {PKG + "Notice"}
    assert PKG + "Agency" in known[PID + "agency/miit"]
    declared_ = [v for sc in scans for (k, _c, _l) in sc.declarations for v in [known[PID + k]]]
    assert len(declared_) > 100
    assert len({id(v) for v in known.values()}) == len(set(known.values()))      # one object per set of classes


def test_a_compiled_unit_leaves_its_lookups_in_the_cache_not_in_the_build(tmp_path):
    """The keys a unit looked up decide whether a later build may reuse it, so its cache file keeps
    them (the Notice's encoding looks up MIIT, an Agency of the vocabulary); the unit handed to the
    build does not carry them (half a unit's size, held for every source until the store is made)."""
    from policykg.build import distributed, units
    from policykg.model.namespaces import PKG
    notice = paths.DOCUMENTS_DIR / "notice-160-bilingual.yaml"
    done = distributed.compile_units(units.document_paths(None), units.Context.get().digest, tmp_path)
    unit = next(u for u in done if Path(u.path) == notice)
    assert unit.lookups == {} and unit.graph and unit.nodes
    kept = units.Cache(tmp_path).meta(unit.digest).lookups
    assert PKG + "Agency" in kept[PID + "agency/miit"]
    again = distributed.compile_units(units.document_paths(None), units.Context.get().digest, tmp_path)
    assert all(u.reused for u in again)
