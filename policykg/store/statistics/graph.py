"""The terms of the statistics graph (policykg.store.statistics): its graph name, the classes and
properties its nodes use, the nodes' IRIs (a digest of what a node counts, so that a recount names
the same node), and the union of the other graphs that every count reads (`Reader`)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pyoxigraph as ox

from policykg.model.namespaces import PID, PKG, RDF, SKOS, STATISTICS_GRAPH, XSD
from policykg.store import union

G = ox.NamedNode(STATISTICS_GRAPH)
DEFAULT = ox.DefaultGraph()


def term(local: str) -> ox.NamedNode:
    return ox.NamedNode(PKG + local)


TYPE, SUBJ, PRED, OBJ = (ox.NamedNode(RDF + x) for x in ("type", "subject", "predicate", "object"))
CLAIM, ACCEPTED, CONTRADICTED = term("Claim"), term("Accepted"), term("Contradicted")
STATUS, STATED_IN, INFERRED, EVIDENCE, CONTRADICTED_BY = (term(x) for x in (
    "claimStatus", "statedIn", "inferred", "evidence", "contradictedBy"))
MEASURE, ACTION, DOCUMENT, INSTRUMENT, SECTOR = (term(x) for x in (
    "Measure", "PolicyAction", "PolicyDocument", "PolicyInstrument", "Sector"))
USES_I, COVERS_I, TARGETS_S, COVERS_S = (term(x) for x in (
    "usesInstrument", "coversInstrument", "targetsSector", "coversSector"))
BROADER = ox.NamedNode(SKOS + "broader")
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))


@lru_cache(maxsize=4096)
def integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def node(kind: str, *terms) -> ox.NamedNode:
    digest = hashlib.sha1("\n".join(str(t) for t in terms).encode("utf-8")).hexdigest()[:20]
    return ox.NamedNode(f"{PID}statistics/{kind}/{digest}")


def key(src: ox.NamedNode) -> str:
    """A source as the catalogue prints it: its key under pid:, else its whole IRI."""
    return src.value[len(PID):] if src.value.startswith(PID) else src.value


class Reader(union.Reader):
    """Triples of the union of the graphs (policykg.store.union), this graph left out."""

    def __init__(self, store: ox.Store):
        super().__init__(store, skip=G)
