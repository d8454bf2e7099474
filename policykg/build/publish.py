"""Publication formats of the ontology and vocabularies that other tools read as they are
(the dumps of the dataset, compact JSON-LD among them: policykg.store.dumps).

- `ontology/`: the ontology as published. `policykg.ttl` and `policykg.owl` (RDF/XML, which
  owlready2 and Protégé read) hold the classes and properties; the SKOS concept schemes that the
  source file also declares (claim statuses, validity statuses, link types) are left out, so
  that ontology tools (pyLODE) do not take the ontology for a concept scheme.
- `vocab/NAME.ttl`: every concept scheme (of the ontology and of the vocabularies) on its own,
  one scheme per file, as SKOS tools (pyLODE's VocPub) expect.
  `policykg-dl.owl` is the OWL 2 DL profile: the same axioms, with the ranges outside the
  OWL 2 datatype map (xsd:date, rdf:langString) stated as rdfs:Literal and a comment naming the
  datatype the values have, so that HermiT loads it without a workaround.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from policykg.model.dlprofile import OUTSIDE_OWL2_MAP, dl_term
from policykg.model.namespaces import ONTOLOGY_GRAPH, PREFIXES, RDF, RDFS, SKOS, VOCABULARY_GRAPH
from policykg.store.dumps import HEADER

ONTOLOGY_DIR = "ontology"


def ontology_parts(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """(ontology triples, SKOS scheme triples) of the ontology graph, each sorted."""
    g = ox.NamedNode(ONTOLOGY_GRAPH)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, g)]
    schemes = {t.subject for t in triples if t.predicate.value == RDF + "type" and t.object.value == SKOS + "ConceptScheme"}
    members = schemes | {t.subject for t in triples if t.predicate.value in (SKOS + "inScheme", SKOS + "topConceptOf")
                         and t.object in schemes}
    key = lambda t: (str(t.subject), str(t.predicate), str(t.object))     # noqa: E731
    onto = sorted((t for t in triples if t.subject not in members), key=key)
    vocab = sorted((t for t in triples if t.subject in members), key=key)
    return onto, vocab


def dl_profile(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The OWL 2 DL profile: ranges outside the OWL 2 datatype map become rdfs:Literal, with a comment."""
    out = []
    for t in triples:
        if t.predicate.value == RDFS + "range" and t.object.value in OUTSIDE_OWL2_MAP:
            name = t.object.value.replace(PREFIXES["xsd"], "xsd:").replace(PREFIXES["rdf"], "rdf:")
            out.append(ox.Triple(t.subject, ox.NamedNode(RDFS + "comment"), ox.Literal(
                f"Values are {name} literals; this OWL 2 DL profile states the range as rdfs:Literal because {name} "
                "is outside the OWL 2 datatype map (see policykg.ttl for the full range).", language="en")))
        out.append(ox.Triple(t.subject, t.predicate, dl_term(t.object)))
    return out


def write_ontology(store: ox.Store, out: Path) -> dict[str, Path]:
    """ontology/policykg.ttl, policykg.owl (RDF/XML) and policykg-dl.owl (OWL 2 DL profile)."""
    d = out / ONTOLOGY_DIR
    d.mkdir(parents=True, exist_ok=True)
    onto, _schemes = ontology_parts(store)             # the schemes go to vocab/ (write_vocabularies)
    files = {"ontology-ttl": (d / "policykg.ttl", onto, ox.RdfFormat.TURTLE),
             "ontology-owl": (d / "policykg.owl", onto, ox.RdfFormat.RDF_XML),
             "ontology-dl": (d / "policykg-dl.owl", dl_profile(onto), ox.RdfFormat.RDF_XML)}
    for path, triples, fmt in files.values():
        body = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
        path.write_bytes((HEADER.encode() if fmt == ox.RdfFormat.TURTLE else b"") + body)
    return {k: v[0] for k, v in files.items()}


def scheme_name(iri: str) -> str:
    """`sectors` for pid:scheme/sectors, `claim-status` for pkg:ClaimStatusScheme."""
    local = iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1].removesuffix("Scheme")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", local).lower()


def write_vocabularies(store: ox.Store, out: Path) -> dict[str, Path]:
    """vocab/NAME.ttl: one file per SKOS concept scheme, with the scheme and its concepts."""
    graphs = [ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(VOCABULARY_GRAPH)]
    triples = {ox.Triple(q.subject, q.predicate, q.object) for g in graphs for q in store.quads_for_pattern(None, None, None, g)}
    schemes = sorted({t.subject.value for t in triples if t.predicate.value == RDF + "type"
                      and t.object.value == SKOS + "ConceptScheme"})
    member_of: dict = {}
    for t in triples:
        if t.predicate.value in (SKOS + "inScheme", SKOS + "topConceptOf") and t.object.value in schemes:
            member_of.setdefault(t.subject, set()).add(t.object.value)
    d = out / "vocab"
    d.mkdir(parents=True, exist_ok=True)
    written = {}
    for scheme in schemes:
        node = ox.NamedNode(scheme)
        mine = sorted((t for t in triples if t.subject == node or scheme in member_of.get(t.subject, ())),
                      key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        path = d / f"{scheme_name(scheme)}.ttl"
        path.write_bytes(HEADER.encode() + ox.serialize(mine, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        written[f"vocab-{scheme_name(scheme)}"] = path
    return written


def write_all(store: ox.Store, out: Path) -> dict[str, Path]:
    return write_ontology(store, out) | write_vocabularies(store, out)
