"""Every published format read by a tool that nobody here wrote: pyld and rdflib (JSON-LD), rdflib
and owlready2 (RDF/XML), HermiT through owlready2 (the OWL 2 DL profile), pyLODE (ontology and
vocabulary pages), networkx (GraphML).

Facts checked: the Notice's number 工信部联运行〔2022〕160号 (../shared/reference/notice-160.md,
Identity); the sector vocabulary's labels "Sectors"/"行业表" (ontology/vocab/sectors.ttl).
"""

from __future__ import annotations

import json
import logging
import shutil

import pyoxigraph as ox
import pytest

NOTICE = "https://w3id.org/policykg/id/doc/miit-2022-160"
GRAPH = "https://w3id.org/policykg/graph/"


def _triples(path, fmt):
    return {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(path), format=fmt)}


def _split(triples):
    """(triples without blank nodes, number of triples with one)."""
    plain = {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}
    return plain, len(triples) - len(plain)


# ---------------------------------------------------------------------------- JSON-LD

def _canonical(quads) -> set:
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def _graphs(doc: dict) -> dict:
    """kg.jsonld's named graphs: graph name -> its node objects."""
    return {g["@id"]: g["@graph"] for g in doc["@graph"]}


def test_jsonld_is_compact_with_the_published_context(build_dir):
    doc = json.loads((build_dir / "kg.jsonld").read_text(encoding="utf-8"))
    ctx = json.loads((build_dir / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx["@context"] and ctx["@context"]["pid"] == "https://w3id.org/policykg/id/"
    graphs = _graphs(doc)
    # the Notice's number, stated by its bilingual encoding (../shared/reference/notice-160.md, Identity)
    notice = next(n for n in graphs["pgraph:notice-160-bilingual"] if n["@id"] == "pid:doc/miit-2022-160")
    assert "pkg:Notice" in notice["@type"]
    assert notice["pkg:documentNumber"] == "工信部联运行〔2022〕160号"
    assert {"pgraph:ontology", "pgraph:vocabulary", "pgraph:inferred", "pgraph:links"} <= set(graphs)


def test_pyld_expands_the_jsonld_to_the_quads_of_kg_nq(build_dir):
    """Each named graph of kg.jsonld holds exactly the triples kg.nq has in it (blank nodes, which
    pyld relabels, compared by their content), so the union is kg.ttl's too."""
    jsonld = pytest.importorskip("pyld.jsonld")
    doc = json.loads((build_dir / "kg.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    got = _canonical(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    assert got == _canonical(ox.parse(path=str(build_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    assert ox.Quad(ox.NamedNode(NOTICE), ox.NamedNode("https://w3id.org/policykg/ontology#documentNumber"),
                   ox.Literal("工信部联运行〔2022〕160号"), ox.NamedNode(GRAPH + "notice-160-bilingual")) in got
    union = {(q.subject, q.predicate, q.object) for q in got}
    assert _split(union) == _split(_triples(build_dir / "kg.ttl", ox.RdfFormat.TURTLE))


def test_jsonld_is_laid_out_as_json_dumps_would(build_dir):
    """Written graph by graph and node by node, the file has the bytes `json.dumps(indent=1)` gives
    the whole document; each graph and each subject in a graph is one object."""
    text = (build_dir / "kg.jsonld").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    names = [g["@id"] for g in doc["@graph"]]
    assert len(names) == len(set(names)) and all(set(g) == {"@id", "@graph"} for g in doc["@graph"])
    for g in doc["@graph"]:
        ids = [n["@id"] for n in g["@graph"]]
        assert len(ids) == len(set(ids)), g["@id"]


def test_jsonld_of_any_store_holds_its_named_graphs(build_dir, tmp_path):
    """The dumps of a store without cached parts (an in-memory one, copied into a temporary
    on-disk store) stream every graph from it; kg.jsonld then holds the quads of kg.nq."""
    from policykg.store import dumps
    mem = ox.Store()
    mem.bulk_load(path=str(build_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    dumps.write_all(mem, tmp_path)
    got = {(q.subject, q.predicate, q.object, q.graph_name) for q in ox.parse(path=str(tmp_path / "kg.jsonld"), format=ox.RdfFormat.JSON_LD)}
    want = {(q.subject, q.predicate, q.object, q.graph_name) for q in ox.parse(path=str(tmp_path / "kg.nq"), format=ox.RdfFormat.N_QUADS)}
    assert got == want and len(got) == len(mem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["context.jsonld", "kg.jsonld", "kg.nq", "kg.trig", "kg.ttl"]


def test_rdflib_reads_the_jsonld(build_dir):
    import rdflib
    ds = rdflib.Dataset().parse(build_dir / "kg.jsonld", format="json-ld")
    union = {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))}
    assert len(union) == len(_triples(build_dir / "kg.ttl", ox.RdfFormat.TURTLE))
    g = ds.graph(rdflib.URIRef(GRAPH + "notice-160-bilingual"))
    num = g.value(rdflib.URIRef(NOTICE), rdflib.URIRef("https://w3id.org/policykg/ontology#documentNumber"))
    assert str(num) == "工信部联运行〔2022〕160号"


# ---------------------------------------------------------------------------- ontology

def test_ontology_rdfxml_holds_the_published_turtle(build_dir):
    import rdflib
    from rdflib.compare import isomorphic
    xml = rdflib.Graph().parse(build_dir / "ontology" / "policykg.owl", format="xml")
    ttl = rdflib.Graph().parse(build_dir / "ontology" / "policykg.ttl", format="turtle")
    assert len(xml) > 1000 and isomorphic(xml, ttl)
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    assert list(xml.subjects(rdflib.RDF.type, skos.ConceptScheme)) == []        # schemes are in vocab/


def test_owlready2_reads_the_ontology_as_published(build_dir):
    owlready2 = pytest.importorskip("owlready2")
    world = owlready2.World()
    onto = world.get_ontology((build_dir / "ontology" / "policykg.owl").as_uri()).load()
    measure = onto.search_one(iri="https://w3id.org/policykg/ontology#Measure")
    assert measure is not None and "Measure" in [str(x) for x in measure.label]


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (apt-get install default-jre-headless)")
def test_hermit_loads_the_dl_profile_without_workaround(build_dir):
    owlready2 = pytest.importorskip("owlready2")
    world = owlready2.World()
    onto = world.get_ontology((build_dir / "ontology" / "policykg-dl.owl").as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert [c for c in world.inconsistent_classes() if c is not owlready2.Nothing] == []
    # the full ontology states xsd:date ranges, outside the OWL 2 datatype map: HermiT refuses it
    full = owlready2.World()
    onto = full.get_ontology((build_dir / "ontology" / "policykg.owl").as_uri()).load()
    with pytest.raises(owlready2.OwlReadyJavaError), onto:
        owlready2.sync_reasoner_hermit(full, infer_property_values=False, debug=0)


# ---------------------------------------------------------------------------- pyLODE

@pytest.fixture(scope="module")
def pylode():
    logging.getLogger().setLevel(logging.WARNING)
    return pytest.importorskip("pylode")


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_pylode_renders_the_ontology_as_an_ontology(build_dir, pylode):
    html = pylode.OntPub(ontology=str(build_dir / "ontology" / "policykg.ttl")).make_html()
    assert _title(html) in ("PolicyKG ontology", "PolicyKG 本体")
    assert "targets sector" in html and 'id="Measure"' in html


def test_pylode_renders_each_vocabulary_under_its_own_title(build_dir, pylode):
    files = sorted((build_dir / "vocab").glob("*.ttl"))
    assert {f.stem for f in files} >= {"sectors", "instruments", "oecd-stip", "claim-status", "link-type"}
    for f in files:
        html = pylode.VocPub(ontology=str(f)).make_html()
        triples = list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
        schemes = {t.subject for t in triples if t.object.value == "http://www.w3.org/2004/02/skos/core#ConceptScheme"}
        labels = {t.object.value for t in triples if t.subject in schemes
                  and t.predicate.value == "http://www.w3.org/2004/02/skos/core#prefLabel"}
        assert len(schemes) == 1 and _title(html) in labels, f.name
    html = pylode.VocPub(ontology=str(build_dir / "vocab" / "sectors.ttl")).make_html()
    assert _title(html) in ("Sectors", "行业表")


# ---------------------------------------------------------------------------- GraphML

def test_graphml_nodes_have_a_plain_label(build_dir):
    import networkx as nx
    g = nx.read_graphml(build_dir / "viz" / "overview.graphml")
    assert g.number_of_nodes() > 20 and all(d.get("label") for _, d in g.nodes(data=True))
    assert g.nodes[NOTICE]["label"] == g.nodes[NOTICE]["label_en"]


def test_a_jsonld_fragment_is_one_object_per_named_graph_and_refuses_the_default_graph():
    from policykg.store import jsonld
    g = ox.NamedNode(GRAPH + "notice-160-bilingual")
    number = ox.NamedNode("https://w3id.org/policykg/ontology#documentNumber")
    quads = [ox.Quad(ox.NamedNode(NOTICE), number, ox.Literal("工信部联运行〔2022〕160号"), g)]
    assert json.loads(jsonld.fragment(quads)) == {"@id": "pgraph:notice-160-bilingual", "@graph": [
        {"@id": "pid:doc/miit-2022-160", "pkg:documentNumber": "工信部联运行〔2022〕160号"}]}
    with pytest.raises(ValueError):
        jsonld.fragment([ox.Quad(q.subject, q.predicate, q.object) for q in quads])
