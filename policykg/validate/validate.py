"""`policykg validate`: zero-row checks, SHACL shapes (pySHACL) and OWL 2 DL reasoning (HermiT)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError
from policykg.model.namespaces import INFERRED_GRAPH, OA, PKG, RDF
from policykg.model.dlprofile import dl_term
from policykg.validate.report import Finding, Report

# Provenance nodes are reified statements and annotations, outside OWL 2 DL's model: the reasoner
# checks the ontology, the vocabularies and the asserted facts.
_PROVENANCE_TYPES = {PKG + "Claim", PKG + "Evidence", PKG + "SourceText", OA + "TextPositionSelector", RDF + "Statement"}


def _parse_shapes(graph, path: Path) -> None:
    """Add one Turtle shapes file to `graph`; a syntax error is one InputError at its line."""
    from rdflib.plugins.parsers.notation3 import BadSyntax
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as e:
        why = " ".join(str(getattr(e, "_why", "") or "bad syntax").split())
        raise InputError(f"Turtle syntax error: {why}", path=path, line=getattr(e, "lines", -1) + 1 or None,
                         fix="fix the shape file (ontology/shapes/*.ttl)") from None
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=path, fix="save the file as UTF-8") from None


def shacl_report(store: ox.Store, shapes_dir: Path | None = None) -> Report:
    import rdflib
    from pyshacl import validate as shacl_validate

    data = rdflib.Graph()
    data.parse(data=ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES),
               format="nt")
    shapes = rdflib.Graph()
    files = sorted((shapes_dir or paths.SHAPES_DIR).glob("*.ttl"))
    for f in files:
        _parse_shapes(shapes, f)
    _conforms, results, _text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    report = Report(checks_run=[f"shacl:{f.name}" for f in files])
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(r, SH.resultSeverity)
        component = str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        path = results.value(r, SH.resultPath)
        message = str(results.value(r, SH.resultMessage) or component)
        if path is not None:
            message = f"{str(path).rsplit('#', 1)[-1].rsplit('/', 1)[-1]}: {message}"
        report.findings.append(Finding(f"shacl:{component}", "warning" if severity == SH.Warning else "error",
                                       message, focus=str(results.value(r, SH.focusNode)), source="shapes"))
    return report


def _dl_triples(store: ox.Store):
    provenance = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None)
                  if q.object.value in _PROVENANCE_TYPES}
    for q in store:
        if q.graph_name == ox.NamedNode(INFERRED_GRAPH) or q.subject in provenance or q.object in provenance:
            continue
        if isinstance(q.subject, ox.NamedNode) and q.predicate.value in (PKG + "hasText",):
            continue
        yield ox.Triple(q.subject, q.predicate, dl_term(q.object))


def hermit_report(store: ox.Store) -> Report:
    """OWL 2 DL consistency and class satisfiability with HermiT (owlready2 + Java)."""
    report = Report(checks_run=["hermit"])
    if shutil.which("java") is None:
        report.findings.append(Finding("hermit", "warning", "Java is not installed, so the OWL 2 DL reasoner did not run; "
                                       "install a Java runtime (e.g. apt-get install default-jre-headless)"))
        return report
    import owlready2

    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "kg.nt"
        nt.write_bytes(ox.serialize(_dl_triples(store), format=ox.RdfFormat.N_TRIPLES))
        world = owlready2.World()
        onto = world.get_ontology(nt.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            report.findings.append(Finding("hermit", "error", "the ontology with the data is inconsistent (OWL 2 DL, HermiT)"))
            return report
        except owlready2.OwlReadyJavaError as e:
            first = next((line for line in str(e).splitlines() if "Exception" in line), str(e).splitlines()[0])
            report.findings.append(Finding("hermit", "error", f"HermiT failed: {first.strip()[:300]}"))
            return report
        for cls in world.inconsistent_classes():
            if cls is not owlready2.Nothing:
                report.findings.append(Finding("hermit", "error", "class is unsatisfiable", focus=cls.iri))
    return report
