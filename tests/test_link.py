"""`policykg link`: lineage links with their evidence, similarity links, the links graph, CSV and --with."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.link import build as linkbuild, compute as link, output
from policykg.model.namespaces import GRAPH, LINKS_GRAPH

PID = "https://w3id.org/policykg/id/"
N160 = PID + "doc/miit-2022-160/"


def k(iri):
    return output.key(iri)


@pytest.fixture(scope="module")
def links(store):
    return link.compute(store)


@pytest.fixture(scope="module")
def linked_build(build_dir, tmp_path_factory):
    """A copy of the session build with the links graph written into it (the session build stays as built)."""
    out = tmp_path_factory.mktemp("linked") / "build"
    out.mkdir()
    shutil.copy(build_dir / "kg.nq", out / "kg.nq")
    got = []
    _counts, st = linkbuild.write_build(out, sink=lambda l, _store: got.append(l))
    return out, sorted(got, key=link.order), st


def test_lineage_links_are_exactly_the_continued_measures(links):
    lineage = {(k(l.source), k(l.target), tuple(k(a) for a in l.matched)) for l in links if l.type == "continues"}
    assert lineage == {
        ("doc/mof-2023-nev-purchase-tax-extension", "doc/miit-2022-160/measure/2", ("doc/miit-2022-160/action/2-3",)),
        ("doc/plan-2023-automobiles", "doc/miit-2022-160/measure/2", ("doc/miit-2022-160/action/2-4",)),
        ("doc/plan-2023-automobiles", "doc/miit-2022-160/measure/4", ("doc/miit-2022-160/action/4-7",)),
        ("doc/plan-2023-building-materials", "doc/miit-2022-160/measure/2",
         ("doc/miit-2022-160/action/2-11", "doc/miit-2022-160/action/2-12")),
        ("doc/plan-2023-light-industry", "doc/miit-2022-160/measure/2",
         ("doc/miit-2022-160/action/2-7", "doc/miit-2022-160/action/2-8", "doc/miit-2022-160/action/2-9")),
    }


def _lineage(links, source, target):
    [l] = [l for l in links if l.type == "continues" and k(l.source) == source and k(l.target) == target]
    return l


def test_public_vehicle_electrification_pilot_is_carried_forward_by_the_auto_plan(links):
    l = _lineage(links, "doc/plan-2023-automobiles", "doc/miit-2022-160/measure/2")
    assert l.shared["program"] == [PID + "program/public-vehicle-electrification-pilot"]
    assert PID + "instrument/pilot-demonstration" in l.shared["instrument"]
    assert PID + "sector/new-energy-vehicles" in l.shared["sector"]
    assert l.score == 1.0
    assert "Launch city pilots for electrifying public-sector vehicles" in l.explanation


def test_nev_purchase_tax_exemption_lineage_rests_on_the_continued_announcement(links):
    l = _lineage(links, "doc/mof-2023-nev-purchase-tax-extension", "doc/miit-2022-160/measure/2")
    assert l.via == [PID + "doc/mof-2022-nev-purchase-tax-exemption"]
    assert l.shared == {"instrument": [PID + "instrument/purchase-tax-exemption"],
                        "sector": [PID + "sector/new-energy-vehicles"]}


def test_green_building_materials_and_three_products_lineage(links):
    bm = _lineage(links, "doc/plan-2023-building-materials", "doc/miit-2022-160/measure/2")
    assert set(bm.shared["program"]) == {PID + "program/green-building-materials-to-countryside",
                                         PID + "program/three-products-building-materials",
                                         PID + "program/three-products-raw-materials"}
    light = _lineage(links, "doc/plan-2023-light-industry", "doc/miit-2022-160/measure/2")
    assert PID + "program/three-products-consumer-goods-tour" in light.shared["program"]
    assert PID + "program/home-appliances-to-countryside" in light.shared["program"]


def test_no_lineage_runs_backwards_in_time(links):
    # the 2022 announcements predate the Notice: they cannot continue its measures
    assert not [l for l in links if l.type == "continues" and k(l.source).startswith("doc/mof-2022")]


def test_related_links_are_scored_explained_and_have_evidence(links):
    related = [l for l in links if l.type == "related"]
    assert related and all(0 < l.score <= 1 and l.shared and l.explanation.startswith("shares ") for l in related)
    pairs = {(k(l.source), k(l.target)) for l in related}
    assert ("doc/mof-2022-nev-purchase-tax-exemption", "doc/mof-2023-nev-purchase-tax-extension") in pairs
    assert ("doc/fyp14-industrial-green", "doc/miit-2022-88") in pairs
    # one link per pair, in one direction
    assert len(pairs) == len(related) and not {(b, a) for a, b in pairs} & pairs
    # every facet link belongs to a related pair and shares exactly its facet
    for l in links:
        if l.type.startswith("shares-"):
            assert (k(l.source), k(l.target)) in pairs and list(l.shared) == [l.type[len("shares-"):]]


def test_related_links_that_the_sources_support_are_found(links):
    """Pairs whose relation ../shared/reference/referenced-policies.md states: the industrial-sector
    carbon-peaking plan (B1, 88号) is the parent of the nonferrous (A5) and building-materials (A6)
    plans; the equipment-renewal re-lending (B2) is one of the financing tools of measure (一); the
    2023 NEV purchase-tax extension (B6b) carries the 2022 exemption forward; and the 2023
    building-materials growth plan shares its sector with the building-materials carbon-peaking plan."""
    pairs = {(k(l.source), k(l.target)): l for l in links if l.type == "related"}
    for pair in [("doc/miit-2022-88", "doc/plan-nonferrous-carbon-peaking"),
                 ("doc/miit-2022-88", "doc/plan-building-materials-carbon-peaking"),
                 ("doc/miit-2022-160/measure/1", "doc/pboc-2022-equipment-renewal-relending"),
                 ("doc/mof-2022-nev-purchase-tax-exemption", "doc/mof-2023-nev-purchase-tax-extension"),
                 ("doc/plan-2023-building-materials", "doc/plan-building-materials-carbon-peaking")]:
        assert pair in pairs, pair
    relending = pairs[("doc/miit-2022-160/measure/1", "doc/pboc-2022-equipment-renewal-relending")]
    assert relending.shared["instrument"] == [PID + "instrument/equipment-renewal-relending"]
    assert pairs[("doc/miit-2022-88", "doc/plan-nonferrous-carbon-peaking")].shared["agency"] == [
        PID + "agency/mee", PID + "agency/miit", PID + "agency/ndrc"]        # the issuers of 88号 and of A5


def test_each_unit_keeps_at_most_k_related_links(store):
    got = link.compute(store, k=1)
    full = link.compute(store)
    related = [l for l in got if l.type == "related"]
    # each kept pair is the best of at least one of its ends
    best: dict[str, float] = {}
    for l in full:
        if l.type == "related":
            for end in (l.source, l.target):
                best[end] = max(best.get(end, 0.0), l.score)
    assert related and all(l.score in (best[l.source], best[l.target]) for l in related)
    assert len(related) < len([l for l in full if l.type == "related"])


def test_candidates_come_from_selective_keys_within_the_budget():
    from policykg.link import candidates as cand
    ix = cand.Index(max_postings=3)
    ix.add(0, ["common", "rare", ("a", "b")])
    for u in (1, 2, 3):
        ix.add(u, ["common"])
    ix.add(4, ["rare"])
    ix.add(5, [("a", "b")])
    # 'common' is shared by 4 units (more than max_postings): it brings up no candidate
    assert ix.candidates(["common", "rare", ("a", "b")], exclude=0) == {4: 1, 5: 1}
    # the budget stops the walk after the most selective keys; of keys as selective, the first by text
    assert ix.candidates(["rare", ("a", "b")], exclude=0, budget=1) == {5: 1}          # "a\x1fb" < "rare"
    # a unit's keys are its entities and the pairs of its rarest ones
    keys = cand.entity_keys(["x", "y", "z"], {"x": 5, "y": 1, "z": 9}, pair_entities=2)
    assert keys == ["y", "x", "z", ("x", "y")]


def test_similarity_is_symmetric_and_one_for_identical_units():
    a = link.Unit("a", "document", "a")
    b = link.Unit("b", "document", "b")
    a.facets["sector"] = {"s1", "s2"}
    b.facets["sector"] = {"s1"}
    a.facets["agency"] = b.facets["agency"] = {"x"}
    w = {"s1": 1.0, "s2": 1.0, "x": 1.0}
    assert link.similarity(a, b, w)[0] == link.similarity(b, a, w)[0] == pytest.approx((3 * 0.5 + 1 * 1.0) / 4)
    assert link.similarity(a, a, w)[0] == 1.0


def test_links_graph_is_written_into_the_build_and_queried(linked_build):
    from policykg.query import engine as query
    out, got, st = linked_build
    rows = query.run("links-lineage", store=st, measure="doc/miit-2022-160/measure/2").values()
    assert {r["later"].rsplit("/id/", 1)[1] for r in rows} == {
        "doc/mof-2023-nev-purchase-tax-extension", "doc/plan-2023-automobiles",
        "doc/plan-2023-building-materials", "doc/plan-2023-light-industry"}
    assert rows_actions(rows, "doc/plan-2023-automobiles") == "doc/miit-2022-160/action/2-4"
    assert set(rows_actions(rows, "doc/plan-2023-building-materials").split("; ")) == {
        "doc/miit-2022-160/action/2-11", "doc/miit-2022-160/action/2-12"}
    assert set(rows_actions(rows, "doc/plan-2023-light-industry").split("; ")) == {
        "doc/miit-2022-160/action/2-7", "doc/miit-2022-160/action/2-8", "doc/miit-2022-160/action/2-9"}
    # the plain pkg:continues triple is in the links graph too
    ask = st.query("ASK { GRAPH <https://w3id.org/policykg/graph/links> { <%sdoc/plan-2023-automobiles> "
                   "<https://w3id.org/policykg/ontology#continues> <%sdoc/miit-2022-160/measure/4> } }" % (PID, PID))
    assert bool(ask)
    related = query.run("links-related", store=st, policy="doc/mof-2022-nev-purchase-tax-exemption").values()
    assert {r["related"].rsplit("/id/", 1)[1] for r in related} >= {
        "doc/mof-2023-nev-purchase-tax-extension", "doc/miit-2022-160/measure/2"}
    # writing again replaces the graph instead of adding to it
    n = sum(1 for _ in st.quads_for_pattern(None, None, None, None))
    again, st2 = linkbuild.write_build(out)
    assert sum(1 for _ in st2.quads_for_pattern(None, None, None, None)) == n and sum(again.values()) == len(got)
    assert again == output.counts(got)


def rows_actions(rows, later):
    [r] = [r for r in rows if r["later"].endswith(later)]
    return r["actions"]


def test_csv_has_one_row_per_link_with_evidence(linked_build):
    _out, got, st = linked_build
    rows = list(csv.DictReader(io.StringIO(output.to_csv(got, st))))
    assert list(rows[0]) == list(output.CSV_COLUMNS) and len(rows) == len(got)
    auto = [r for r in rows if r["type"] == "continues" and r["from"] == "doc/plan-2023-automobiles"
            and r["to"] == "doc/miit-2022-160/measure/2"]
    assert len(auto) == 1 and "program/public-vehicle-electrification-pilot" in auto[0]["shared"].split()


OTHER = """source:
  graph: example-2024-nev-policy
  cites:
    P1: https://example.org/nev-2024
entities:
  doc/example-2024-nev-pilot:
    type: WorkPlan
    label: {en: Example 2024 NEV pilot plan, zh: 示例2024年新能源汽车试点方案}
    cite: P1
    facts:
      datePublished: 2024-03-01
      issuedBy: agency/miit
      targetsSector: sector/new-energy-vehicles
      usesInstrument: instrument/pilot-demonstration
      concernsProgram: program/public-vehicle-electrification-pilot
"""


def test_link_with_another_policy_reports_how_it_relates(linked_build, tmp_path):
    out, _got, _st = linked_build
    f = tmp_path / "other.yaml"
    f.write_text(OTHER, encoding="utf-8")
    got, _store, own = linkbuild.relate(f, out)
    assert own == {PID + "doc/example-2024-nev-pilot"}
    assert all(PID + "doc/example-2024-nev-pilot" in (l.source, l.target) for l in got)
    cont = {(k(l.source), k(l.target), tuple(k(a) for a in l.matched)) for l in got if l.type == "continues"}
    assert ("doc/example-2024-nev-pilot", "doc/miit-2022-160/measure/2", ("doc/miit-2022-160/action/2-4",)) in cont
    related = {k(l.source) if k(l.target) == "doc/example-2024-nev-pilot" else k(l.target) for l in got if l.type == "related"}
    assert "doc/plan-2023-automobiles" in related


def test_cli_link_writes_csv_and_rejects_unknown_types(linked_build, tmp_path, capsys):
    from policykg.cli import main
    out, _got, _st = linked_build
    csv_path = tmp_path / "links.csv"
    assert main(["link", "--build", str(out), "--out", str(csv_path), "--type", "continues"]) == 0
    assert "5 links for the graph" in capsys.readouterr().out
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")          # byte-order mark: Excel reads it as UTF-8
    assert len(list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))) == 5
    assert main(["link", "--build", str(out), "--type", "continue"]) == 2
    assert "error: unknown link type 'continue' (did you mean 'continues'?)" in capsys.readouterr().err
    assert main(["link", "--build", str(tmp_path / "nowhere")]) == 2
    assert "no built knowledge graph" in capsys.readouterr().err


def test_linking_a_built_store_keeps_its_union_and_jsonld_current(build_dir, tmp_path):
    """`policykg link` on a build's on-disk store: with a higher threshold some of the build's links go;
    they leave the union in the default graph too, the new ones join it, and kg.jsonld (streamed from
    the union) holds the same triples as kg.ttl."""
    out = tmp_path / "build"
    shutil.copytree(build_dir, out)
    before = sum(1 for _ in ox.Store.read_only(str(out / "store")).quads_for_pattern(
        None, None, None, ox.NamedNode(LINKS_GRAPH)))
    _counts, st = linkbuild.write_build(out, min_score=0.5)
    links_now = sum(1 for _ in st.quads_for_pattern(None, None, None, ox.NamedNode(LINKS_GRAPH)))
    assert 0 < links_now < before
    named = {q.triple for q in st.quads_for_pattern(None, None, None)
             if q.graph_name not in (ox.DefaultGraph(), ox.NamedNode(GRAPH + "statistics"))}   # counts, not in the union
    assert {q.triple for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph())} == named
    got = {q.triple for q in ox.parse(path=str(out / "kg.jsonld"), format=ox.RdfFormat.JSON_LD)}
    plain = {t for t in named if not any(isinstance(x, ox.BlankNode) for x in t)}
    assert {t for t in got if not any(isinstance(x, ox.BlankNode) for x in t)} == plain


_LINKS_CHILD = """
import hashlib, sys
import pyoxigraph as ox
from policykg.link import graph, lineage, similarity
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
us = graph.units(store)
labels = graph.Labels(store)
links = list(similarity.related(us, labels, budget=20)) + lineage.lineage(store, us, labels)
text = "\\n".join(f"{l.type} {l.source} {l.target} {l.score!r} {sorted(l.shared.items())} {l.matched} {l.via}"
                  for l in links)
print(len(links), hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_same_graph_gives_the_same_links_in_every_process(tmp_path):
    """Two `policykg link` runs on one 1,000-policy build gave 131,157 and 131,156 links: the
    candidate walk took keys of equally long posting lists in the order of a Python set, which
    follows the per-process string hashing, and the walk stops at its budget. On 30 synthetic
    policies with a budget of 20 units (so that the walk does stop early), processes with
    different hash seeds now give the same links; before, three seeds gave 3,126, 3,119 and 3,150."""
    import importlib.util
    import os
    import subprocess
    import sys

    from policykg.build import pipeline
    from policykg.link import candidates, graph, similarity

    spec = importlib.util.spec_from_file_location("corpus", Path(__file__).parents[1] / "benchmarks" / "corpus.py")
    corpus = sys.modules["corpus"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    corpus.write(30, tmp_path / "corpus")
    ds = pipeline.compile_dataset(tmp_path / "corpus" / "documents", run_checks=False)
    nq = tmp_path / "kg.nq"
    ds.store.dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    # the budget is reached: some unit touches more than 20 units before its walk ends
    us = graph.units(ds.store)
    _w, df = similarity._weights(us)
    index = candidates.Index()
    order = sorted(us)
    keys = [candidates.entity_keys(us[x].entities(), df) for x in order]
    for i, ks in enumerate(keys):
        index.add(i, ks)
    assert max(len(index.candidates(ks, exclude=i, budget=10_000)) for i, ks in enumerate(keys)) > 20
    got = set()
    for seed in ("1", "2", "3"):
        run = subprocess.run([sys.executable, "-c", _LINKS_CHILD, str(nq)], capture_output=True, text=True,
                             env=os.environ | {"PYTHONHASHSEED": seed}, timeout=300)
        assert run.returncode == 0, run.stderr
        got.add(run.stdout.strip())
    assert len(got) == 1
    n, _digest = got.pop().split()
    assert int(n) > 1000


def test_linking_a_build_twice_keeps_the_union_exact_and_the_links_of_a_fresh_build(build_dir, tmp_path, monkeypatch):
    """`policykg link` twice on a copy of the build, removing the old links in batches of 7 quads
    (so that many batches run, each ending between two subjects): the links graph is the one the
    build wrote, and the default graph is exactly the union recomputed from the named graphs."""
    from policykg.link import output as link_output
    out = tmp_path / "build"
    shutil.copytree(build_dir, out)
    g = ox.NamedNode(LINKS_GRAPH)
    built = {q.triple for q in ox.Store.read_only(str(out / "store")).quads_for_pattern(None, None, None, g)}
    assert len(built) > 100
    stats = ox.NamedNode(GRAPH + "statistics")                  # counts, not in the union
    original = link_output.remove_links
    calls = []

    def small(store, *, union, batch=link_output.REMOVE_BATCH):
        calls.append((union, original(store, union=union, batch=7)))
        return calls[-1][1]

    monkeypatch.setattr(link_output, "remove_links", small)
    monkeypatch.setattr(linkbuild, "remove_links", small)
    for _ in range(2):
        _counts, st = linkbuild.write_build(out)
        assert {q.triple for q in st.quads_for_pattern(None, None, None, g)} == built
        named = {q.triple for q in st.quads_for_pattern(None, None, None) if q.graph_name not in (ox.DefaultGraph(), stats)}
        assert {q.triple for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph())} == named
        del st
    # each run removed the whole links graph, the union's copies with it
    assert calls[0] == calls[2] == (True, len(built)) and calls[1] == calls[3] == (False, 0)


def test_removing_the_links_leaves_what_other_graphs_state():
    """The default graph keeps a links triple that another graph states, and loses the others."""
    from policykg.link import output as link_output
    from policykg.store import union
    st = ox.Store()
    g, src = ox.NamedNode(LINKS_GRAPH), ox.NamedNode(GRAPH + "source/x")
    a, b, c = (ox.NamedNode(PID + f"doc/{x}") for x in "abc")
    cont = ox.NamedNode("https://w3id.org/policykg/ontology#continues")
    node = ox.NamedNode(PID + "link/continues/0")
    quads = [ox.Quad(a, cont, b, g), ox.Quad(a, cont, c, g), ox.Quad(node, cont, c, g), ox.Quad(a, cont, b, src)]
    st.extend(quads)
    union.fill(st)
    assert link_output.remove_links(st, union=True, batch=1) == 3
    assert set(st.quads_for_pattern(None, None, None, ox.DefaultGraph())) == {ox.Quad(a, cont, b)}
    assert set(st.quads_for_pattern(None, None, None)) == {ox.Quad(a, cont, b), ox.Quad(a, cont, b, src)}
    assert g not in set(st.named_graphs())


def test_linking_a_build_writes_its_name_index_again(build_dir, tmp_path):
    """After `policykg link` the build's name index is read from its file, which names the links
    now in the store: a file older than the store is not read, and every query process would then
    build the index of all entities in its own memory."""
    from policykg.query import name_index as names
    from policykg.store import load
    import os
    out = tmp_path / "build"
    shutil.copytree(build_dir, out)
    for f in out.rglob("*"):                                      # a build made an hour ago
        os.utime(f, (f.stat().st_atime - 3600, f.stat().st_mtime - 3600))
    _counts, st = linkbuild.write_build(out, min_score=0.5)
    link_nodes = {q.subject.value for q in st.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/policykg/ontology#Link"), ox.NamedNode(LINKS_GRAPH))}
    del st
    from policykg.query.index import StoredIndex, read
    store = load.load(out)
    assert read(*load.origin(store)) is not None                 # written by the link, not by the next reader
    idx = names.index(store)
    assert load.store_dir(out) is not None                       # the store is read, not the dumps
    assert isinstance(idx, StoredIndex)
    assert link_nodes and all(idx.get(n) is not None for n in sorted(link_nodes)[:50])
    names.forget(store)
