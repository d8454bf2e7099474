"""The ontology and vocabularies as loaded for compiling: classes, properties, known individuals."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError
from policykg.model.namespaces import OWL, PID, PKG, RDF, RDFS, ONTOLOGY_GRAPH, VOCABULARY_GRAPH, sparql_prefixes

DATATYPE_KINDS = {"date", "decimal", "positiveInteger", "nonNegativeInteger", "integer", "string",
                  "langString", "boolean", "hexBinary"}


@dataclass
class Property:
    name: str
    iri: str
    kind: str                                  # "object", "datatype" or "annotation"
    ranges: list[str] = field(default_factory=list)   # class IRIs, or datatype IRIs
    functional: bool = False


@dataclass
class Ontology:
    store: ox.Store
    classes: dict[str, str]                    # pkg local name -> IRI
    superclasses: dict[str, set[str]]          # class IRI -> itself and all superclasses
    properties: dict[str, Property]            # pkg local name -> Property
    individuals: dict[str, set[str]]           # IRI -> asserted classes (vocabulary + pkg individuals)

    def closure(self, types) -> set[str]:
        out: set[str] = set()
        for t in types:
            out |= self.superclasses.get(t, {t})
        return out

    def keys(self):
        """Vocabulary keys (IRI minus the id base) known to the ontology."""
        return [iri[len(PID):] for iri in self.individuals if iri.startswith(PID)]


def ontology_files() -> list[Path]:
    files = [paths.ONTOLOGY_FILE] + sorted(paths.VOCAB_DIR.glob("*.ttl"))
    return [f for f in files if f.is_file()]


def load_store(files: list[Path] | None = None) -> ox.Store:
    """Load the ontology into its named graph and the vocabularies into theirs."""
    store = ox.Store()
    for f in files or ontology_files():
        graph = ox.NamedNode(ONTOLOGY_GRAPH if f == paths.ONTOLOGY_FILE else VOCABULARY_GRAPH)
        try:
            store.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=graph)
        except SyntaxError as e:
            raise InputError(f"Turtle syntax error: {e.msg}", path=f, line=e.lineno,
                             fix="correct the Turtle at that line") from None
    return store


_RANGE_MEMBERS = "OPTIONAL { ?range owl:unionOf/rdf:rest*/rdf:first ?member } BIND(COALESCE(?member, ?range) AS ?r)"


def _rows(store: ox.Store, query: str):
    return store.query(sparql_prefixes() + query, use_default_graph_as_union=True)


def index(store: ox.Store) -> Ontology:
    classes: dict[str, str] = {}
    superclasses: dict[str, set[str]] = {}
    for row in _rows(store, "SELECT ?c ?d WHERE { ?c a owl:Class . OPTIONAL { ?c rdfs:subClassOf* ?d FILTER(isIRI(?d)) } }"):
        c = row["c"]
        if not isinstance(c, ox.NamedNode):
            continue
        superclasses.setdefault(c.value, {c.value})
        if row["d"] is not None:
            superclasses[c.value].add(row["d"].value)
        if c.value.startswith(PKG):
            classes[c.value[len(PKG):]] = c.value
    for sup in superclasses.values():
        sup.add(OWL + "Thing")

    properties: dict[str, Property] = {}
    kinds = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype",
             OWL + "AnnotationProperty": "annotation"}
    for row in _rows(store, f"""SELECT ?p ?kind WHERE {{ ?p a ?kind
        FILTER(STRSTARTS(STR(?p), "{PKG}") && ?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) }}"""):
        iri = row["p"].value
        properties[iri[len(PKG):]] = Property(iri[len(PKG):], iri, kinds[row["kind"].value])
    for row in _rows(store, "SELECT ?p ?r WHERE { ?p rdfs:range ?range . " + _RANGE_MEMBERS + " }"):
        name = row["p"].value[len(PKG):]
        if name in properties:
            properties[name].ranges.append(row["r"].value)
    for row in _rows(store, "SELECT ?p WHERE { ?p a owl:FunctionalProperty }"):
        name = row["p"].value[len(PKG):]
        if name in properties:
            properties[name].functional = True
    # A property without its own range inherits its super-property's (pkg:implements < pkg:refersTo).
    for prop in properties.values():
        if not prop.ranges:
            for row in _rows(store, f"SELECT ?r WHERE {{ <{prop.iri}> rdfs:subPropertyOf+ ?q . ?q rdfs:range ?range . "
                                    + _RANGE_MEMBERS + " }"):
                prop.ranges.append(row["r"].value)

    individuals: dict[str, set[str]] = {}
    for row in _rows(store, f"""SELECT ?i ?t WHERE {{ ?i a ?t FILTER(isIRI(?i) && (STRSTARTS(STR(?i), "{PID}") || STRSTARTS(STR(?i), "{PKG}")))
        FILTER NOT EXISTS {{ ?i a owl:Class }} FILTER NOT EXISTS {{ ?i a owl:ObjectProperty }}
        FILTER NOT EXISTS {{ ?i a owl:DatatypeProperty }} FILTER NOT EXISTS {{ ?i a owl:AnnotationProperty }} }}"""):
        individuals.setdefault(row["i"].value, set()).add(row["t"].value)
    return Ontology(store, classes, superclasses, properties, individuals)


def load() -> Ontology:
    return index(load_store())


def is_literal_range(iri: str) -> bool:
    return iri.startswith("http://www.w3.org/2001/XMLSchema#") or iri == RDF + "langString" or iri == RDFS + "Literal"
