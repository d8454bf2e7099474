"""The IRIs PolicyKG owns and the external vocabularies it aligns with."""

BASE = "https://w3id.org/policykg/"
PKG = BASE + "ontology#"
PID = BASE + "id/"
GRAPH = BASE + "graph/"
ONTOLOGY_IRI = BASE + "ontology"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
QB = "http://purl.org/linked-data/cube#"
FOAF = "http://xmlns.com/foaf/0.1/"
ELI = "http://data.europa.eu/eli/ontology#"

PREFIXES = {
    "pkg": PKG, "pid": PID, "pgraph": GRAPH,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "oa": OA, "org": ORG, "time": TIME, "qb": QB, "foaf": FOAF, "eli": ELI,
}

# Named graphs that are not sources.
ONTOLOGY_GRAPH = GRAPH + "ontology"
VOCABULARY_GRAPH = GRAPH + "vocabulary"
INFERRED_GRAPH = GRAPH + "inferred"
STATISTICS_GRAPH = GRAPH + "statistics"
LINKS_GRAPH = GRAPH + "links"


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
