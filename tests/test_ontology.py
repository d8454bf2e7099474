"""The ontology passes its own quality checks and HermiT; broken fragments fail with the expected finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.validate import checks
from policykg.model import ontology
from policykg import paths
from policykg.validate import validate
from policykg.model.namespaces import ONTOLOGY_GRAPH

INVALID = sorted((Path(__file__).parent / "examples" / "invalid-ontology").glob("*.ttl"))
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (apt-get install default-jre-headless)")


def test_quality_checks_are_files_and_all_run():
    found = checks.load_checks()
    assert len(found) >= 15
    names = {c.name for c in found}
    assert {"label-missing-language", "label-duplicate", "label-whitespace", "definition-missing-language",
            "ontology-header", "class-orphan", "hierarchy-cycle", "property-domain-range"} <= names


def test_ontology_and_vocabularies_pass_their_quality_checks():
    report = checks.run_checks(ontology.load().store, [c for c in checks.load_checks() if c.scope == "ontology"])
    assert [f.line() for f in report.findings] == []


@needs_java
def test_ontology_and_vocabularies_are_consistent_under_hermit():
    report = validate.hermit_report(ontology.load().store)
    assert [f.line() for f in report.findings] == []


def _with_fragment(path: Path) -> ox.Store:
    store = ontology.load_store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    return store


def test_invalid_ontology_examples_exist():
    assert len(INVALID) >= 12


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_ontology_fragment_fails_with_expected_finding(path):
    check, focus = path.read_text(encoding="utf-8").splitlines()[0][len("# expect: "):].split(" ", 1)
    store = _with_fragment(path)
    if check == "hermit":
        if shutil.which("java") is None:
            pytest.skip("HermiT needs Java")
        report = validate.hermit_report(store)
        if focus == "inconsistent":
            assert [f.message for f in report.findings] == ["the ontology with the data is inconsistent (OWL 2 DL, HermiT)"]
        else:
            assert [(f.message, f.focus) for f in report.findings] == [("class is unsatisfiable", focus)]
        return
    report = checks.run_checks(store)
    assert (check, focus) in {(f.check, f.focus) for f in report.findings}, [f.line() for f in report.findings]


def test_ontology_header_has_version_iri_and_license():
    store = ontology.load_store([paths.ONTOLOGY_FILE])
    rows = list(store.query("""SELECT ?v ?l WHERE { GRAPH ?g { <https://w3id.org/policykg/ontology>
        <http://www.w3.org/2002/07/owl#versionIRI> ?v ; <http://purl.org/dc/terms/license> ?l } }"""))
    assert [(r["v"].value, r["l"].value) for r in rows] == [
        ("https://w3id.org/policykg/ontology/0.1.0", "https://creativecommons.org/licenses/by/4.0/")]


def test_property_chain_lifts_measure_links_to_the_document():
    store = ontology.load_store([paths.ONTOLOGY_FILE])
    rows = list(store.query("""PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?p1 ?p2 WHERE { GRAPH ?g { pkg:coversSector owl:propertyChainAxiom ?c . ?c rdf:first ?p1 ; rdf:rest/rdf:first ?p2 } }"""))
    assert [(r["p1"].value, r["p2"].value) for r in rows] == [
        ("https://w3id.org/policykg/ontology#hasPart", "https://w3id.org/policykg/ontology#targetsSector")]
