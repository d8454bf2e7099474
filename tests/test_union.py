"""The union of the named graphs in the default graph (policykg.store.union.load): the bulk loader's
N-Triples stream gives the same triples, blank node labels included, as the quad-by-quad loop over
kg.ttl the build used before, on the real graph and on a synthetic corpus."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from policykg.model.namespaces import PID, PKG, STATISTICS_GRAPH
from policykg.store import union

REPO = Path(__file__).resolve().parent.parent
DEFAULT = ox.DefaultGraph()


def _named(nquads: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return store


def _loop(build: Path) -> ox.Store:
    """The build's store before the union stage, filled the way it was before: kg.ttl parsed in
    Python, one quad made per triple (a parser keeps the labels of blank nodes)."""
    store = _named(build / "kg.nq")
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
                      for q in ox.parse(path=str(build / "kg.ttl"), format=ox.RdfFormat.TURTLE))
    return store


def _default(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, DEFAULT)}


def test_the_union_of_the_real_graph_is_what_the_python_loop_gave(build_dir, store):
    before = _default(_loop(build_dir))
    after = _named(build_dir / "kg.nq")
    union.load(after, build_dir / "kg.nq")
    assert _default(after) == before
    assert _default(store) == before            # the build's own store (its union stage)
    blank = [q for q in after.quads_for_pattern(None, None, None, DEFAULT)
             if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    assert len(blank) > 100                     # the ontology's axioms: their labels are the named graphs'
    named = {str(ox.Quad(q.subject, q.predicate, q.object, DEFAULT)) for q in store.quads_for_pattern(None, None, None)
             if q.graph_name not in (DEFAULT, ox.NamedNode(STATISTICS_GRAPH))}
    assert before == named                      # each triple of every named graph but the statistics, once
    # Notice 160 (工信部联运行〔2022〕160号) was issued by MIIT, NDRC and SASAC (kg/documents/miit-2022-160.yaml)
    issuers = {q.object.value for q in after.quads_for_pattern(ox.NamedNode(PID + "doc/miit-2022-160"),
                                                              ox.NamedNode(PKG + "issuedBy"), None, DEFAULT)}
    assert issuers == {PID + "agency/miit", PID + "agency/ndrc", PID + "agency/sasac"}


@pytest.mark.slow
def test_the_union_of_a_synthetic_corpus_is_what_the_python_loop_gave(tmp_path):
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    corpus = sys.modules["corpus"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    corpus.write(6, tmp_path / "corpus")
    from policykg.build import pipeline
    ds = pipeline.build(tmp_path / "build", [tmp_path / "corpus" / "documents"], with_pages=False)
    before = _default(_loop(tmp_path / "build"))
    assert _default(ds.store) == before
    # synthetic policy 3 is issued by the agencies its encoding lists (benchmarks/corpus.py, seed 15)
    enc = yaml.safe_load((tmp_path / "corpus" / "documents" / "synth-000003.yaml").read_text(encoding="utf-8"))
    issued = enc["entities"]["doc/synth-000003"]["facts"]["issuedBy"]
    listed = {PID + f["v"] for f in (issued if isinstance(issued, list) else [issued])}
    found = {q.object.value for q in ds.store.quads_for_pattern(ox.NamedNode(PID + "doc/synth-000003"),
                                                                ox.NamedNode(PKG + "issuedBy"), None, DEFAULT)}
    assert found == listed and len(listed) >= 1


NQ = b"""# a comment line
<http://e/s> <http://e/p> <http://e/o> <http://e/g1> .
<http://e/s> <http://e/p> <http://e/o> <http://e/g2> .
<http://e/s> <http://e/p> "ends like a quad <http://e/x> ." <http://e/g2> .
<http://e/s> <http://e/p> "typed"^^<http://e/dt> <http://e/g2> .
<http://e/s> <http://e/p> "tagged"@zh <http://e/g2> .
_:b1 <http://e/p> _:b2 <http://e/g3> .
<http://e/s> <http://e/q> "text with _: in it" <http://e/g3> .
<http://e/long> <http://e/p> "%s" <http://e/g1> .
"""


@pytest.mark.parametrize("block", [16, 64, 1 << 22])
def test_the_stream_cuts_only_graph_names_whatever_the_block_size(tmp_path, monkeypatch, block):
    monkeypatch.setattr(union, "_BLOCK", block)
    path = tmp_path / "kg.nq"
    path.write_bytes(NQ % (b"x" * 200))                  # a line longer than the small blocks
    store = _named(path)
    union.load(store, path)
    got = {(q.subject.value if not isinstance(q.subject, ox.BlankNode) else "_:" + q.subject.value,
            q.predicate.value, str(q.object)) for q in store.quads_for_pattern(None, None, None, DEFAULT)}
    assert got == {("http://e/s", "http://e/p", "<http://e/o>"),
                   ("http://e/s", "http://e/p", '"ends like a quad <http://e/x> ."'),
                   ("http://e/s", "http://e/p", '"typed"^^<http://e/dt>'),
                   ("http://e/s", "http://e/p", '"tagged"@zh'),
                   ("_:b1", "http://e/p", "_:b2"),                  # the named graph's labels
                   ("http://e/s", "http://e/q", '"text with _: in it"'),
                   ("http://e/long", "http://e/p", '"' + "x" * 200 + '"')}
    assert len(store) == 8 + 7


def test_a_line_without_a_graph_name_is_refused_not_misread(tmp_path):
    path = tmp_path / "kg.nq"
    path.write_bytes(b"<http://e/s> <http://e/p> <http://e/o> .\n")
    with pytest.raises(SyntaxError):
        union.load(ox.Store(), path)
