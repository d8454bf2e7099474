"""The SPARQL materialization rules agree with the owlrl OWL 2 RL reasoner on what the ontology uses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.build import pipeline as build
from policykg.model import reason
from policykg.model.namespaces import INFERRED_GRAPH, PKG, RDF


def _slice(triples):
    """Statements with our properties, and memberships of our classes."""
    out = set()
    for s, p, o in triples:
        if str(s).startswith("_:") or str(o).startswith("_:"):
            continue
        if p.startswith(PKG) or (p == RDF + "type" and o.startswith(PKG)):
            out.add((s, p, o))
    return out


@pytest.mark.slow
def test_rules_match_owlrl_on_the_notice():
    import owlrl
    import rdflib

    ds = build.compile_dataset(materialize=False, run_checks=False)
    keep = {"https://w3id.org/policykg/graph/notice-160-bilingual", "https://w3id.org/policykg/graph/ontology",
            "https://w3id.org/policykg/graph/vocabulary"}
    store = ox.Store()
    store.extend(q for q in ds.store if q.graph_name.value in keep)
    nt = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES)

    reason.materialize(store)
    ours = _slice((str(q.subject.value), q.predicate.value, q.object.value) for q in store if isinstance(q.object, ox.NamedNode))

    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    theirs = _slice((str(s), str(p), str(o)) for s, p, o in g if isinstance(o, rdflib.URIRef))
    assert theirs - ours == set()
    assert ours - theirs == set()


def test_inferred_graph_lifts_action_links_to_measure_and_document(select):
    rows = select("""SELECT ?p WHERE { GRAPH <%s> { <https://w3id.org/policykg/id/doc/miit-2022-160/measure/1> ?p <https://w3id.org/policykg/id/instrument/equipment-renewal-relending> } }""" % INFERRED_GRAPH)
    assert {r[0] for r in rows} >= {PKG + "usesInstrument"}
    rows = select("""SELECT ?s WHERE { GRAPH <%s> { ?s pkg:coversInstrument <https://w3id.org/policykg/id/instrument/equipment-renewal-relending> } }""" % INFERRED_GRAPH)
    assert {r[0].rsplit("id/", 1)[1] for r in rows} == {"doc/miit-2022-160", "doc/miit-2022-160/part/2"}
