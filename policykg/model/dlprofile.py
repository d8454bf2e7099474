"""Terms outside the OWL 2 datatype map, and how the OWL 2 DL views of the graph replace them.

HermiT (and any OWL 2 DL reasoner) accepts only the datatypes of the OWL 2 datatype map, which
lacks xsd:date, xsd:gYear and rdf:langString. The DL check (`policykg validate`) and the DL
publication of the ontology (`build/ontology/policykg-dl.owl`) see such values as plain
literals and such ranges as rdfs:Literal; everything else is unchanged.
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg.model.namespaces import RDF, RDFS, XSD

OUTSIDE_OWL2_MAP = {XSD + "date", XSD + "gYear", RDF + "langString"}


def dl_term(term):
    """The term as the DL views see it (a plain literal, or rdfs:Literal for a datatype)."""
    if isinstance(term, ox.Literal) and term.datatype.value in OUTSIDE_OWL2_MAP and not term.language:
        return ox.Literal(term.value)
    if isinstance(term, ox.NamedNode) and term.value in OUTSIDE_OWL2_MAP:
        return ox.NamedNode(RDFS + "Literal")
    return term
