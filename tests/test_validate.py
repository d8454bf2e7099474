"""`policykg validate` on the real graph: checks, SHACL and HermiT, and that each can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.build import pipeline as build
from policykg.validate import validate
from policykg.model.namespaces import PID, PKG

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


@pytest.mark.slow
def test_real_graph_validates_with_only_the_known_warnings():
    report = build.validate()
    assert report.errors == [], [f.line() for f in report.errors]
    assert sorted((f.check, f.focus) for f in report.findings) == [
        ("shacl:MinCountConstraintComponent", PID + "doc/mof-2023-nev-purchase-tax-extension"),
        ("shacl:MinCountConstraintComponent", PID + "stat/2023-ten-industries-share"),
    ]
    assert "hermit" in report.checks_run


def test_shapes_catch_a_measure_without_ordinal():
    ds = build.compile_dataset(run_checks=False)
    ds.store.remove(next(iter(ds.store.quads_for_pattern(ox.NamedNode(PID + "doc/miit-2022-160/measure/3"),
                                                          ox.NamedNode(PKG + "ordinal"), None))))
    report = validate.shacl_report(ds.store)
    assert ("shacl:MinCountConstraintComponent", PID + "doc/miit-2022-160/measure/3", "error") in {
        (f.check, f.focus, f.severity) for f in report.findings}


@needs_java
def test_hermit_finds_an_agency_used_as_a_sector():
    ds = build.compile_dataset(run_checks=False, materialize=False)
    ds.store.add(ox.Quad(ox.NamedNode(PID + "doc/miit-2022-160/measure/1"), ox.NamedNode(PKG + "targetsSector"),
                         ox.NamedNode(PID + "agency/miit"), ox.NamedNode(PID + "graph-test")))
    report = validate.hermit_report(ds.store)
    assert [f.message for f in report.errors] == ["the ontology with the data is inconsistent (OWL 2 DL, HermiT)"]


def test_each_data_check_finds_its_defect():
    """Every zero-row check of the data fires on a defect put into the real graph, at the term at fault."""
    from policykg.validate import checks
    ds = build.compile_dataset(run_checks=False)
    assert checks.run_checks(ds.store).errors == []
    g, N = ox.NamedNode(PID + "graph-test"), ox.NamedNode
    a = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    unit = next(iter(ds.store.quads_for_pattern(None, N(PKG + "unit"), None)))     # a functional property
    other = next(q.subject for q in ds.store.quads_for_pattern(None, a, N(PKG + "Unit")) if q.subject != unit.object)
    ds.store.extend([
        ox.Quad(unit.subject, unit.predicate, other, g),
        ox.Quad(N(PID + "sector/unlabelled-test"), a, N(PKG + "Sector"), g),
        ox.Quad(N(PID + "sector/unlabelled-test"), N("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("t", language="en"), g),
        ox.Quad(N(PID + "claim/test"), a, N(PKG + "Claim"), g),
        ox.Quad(N(PID + "doc/test/measure/1"), a, N(PKG + "Measure"), g),
        ox.Quad(N(PID + "doc/test/measure/1"), N("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("t", language="en"), g),
        ox.Quad(N(PID + "doc/test/measure/1"), N("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("t", language="zh"), g),
    ])
    errors = checks.run_checks(ds.store).errors
    found = {(f.check, f.focus) for f in errors}
    assert [f.message for f in errors if f.check == "data-unlabelled-entity"] == [
        "an entity of the data has no label in en or zh (no zh label)"]      # its en label counts
    assert found == {("data-functional-conflict", unit.subject.value),
                     ("data-unlabelled-entity", PID + "sector/unlabelled-test"),
                     ("data-claim-without-evidence", PID + "claim/test"),
                     ("data-measure-without-part", PID + "doc/test/measure/1")}
