"""One source's view of the graph, for `--graph SOURCE`.

The view holds the source's named graph, the ontology and vocabulary graphs, the types and labels
of the entities the source speaks of (wherever they are declared: a report states what a measure
targets, the Notice's encoding declares that it is a measure), and what follows from
them by the ontology's rules (`policykg.model.reason`): a measure targets the sectors its actions
target, a document covers what its parts address, and so on. Those lifted facts belong to the
source that stated the parts, so a per-source question never gets a false empty answer. Facts the
reasoner derives only from several sources together (the build's `inferred` graph) are left out.
The view's default graph is the union of its graphs with each triple once, like the full store's,
and it has its own statistics graph (`policykg.store.statistics`), counted from the view: the
catalogue queries that read the statistics (claims per source, unconfirmed facts, agency
responsibilities ...) then answer for the one source, as their aggregations over the claims would.

Bound: a view copies one source's graph plus the ontology and vocabularies (about 8,000 triples),
runs the rules and counts the statistics on that (each linear in the view); a few views are kept
per process (VIEWS).
"""

from __future__ import annotations

from collections import OrderedDict

import pyoxigraph as ox

from policykg.model import reason
from policykg.model.namespaces import GRAPH, ONTOLOGY_GRAPH, RDF, RDFS, SKOS, VOCABULARY_GRAPH
from policykg.store import statistics, union

ENTITIES_GRAPH = GRAPH + "entities"     # in a view only: types and labels of the source's entities
IDENTITY = [ox.NamedNode(RDF + "type"), ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel")]
VIEWS = 4                              # views kept per process
_views: "OrderedDict[tuple[int, str], tuple[ox.Store, ox.Store]]" = OrderedDict()


def source_view(st: ox.Store, graph_iri: str) -> ox.Store:
    """The store of one source's view (built once per store and graph, then reused)."""
    key = (id(st), graph_iri)
    if key in _views and _views[key][0] is st:
        _views.move_to_end(key)
        return _views[key][1]
    view = ox.Store()
    own = list(st.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))
    view.bulk_extend(own)
    for g in (ONTOLOGY_GRAPH, VOCABULARY_GRAPH):
        view.bulk_extend(list(st.quads_for_pattern(None, None, None, ox.NamedNode(g))))
    entities = {t for q in own for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    eg = ox.NamedNode(ENTITIES_GRAPH)
    view.bulk_extend([ox.Quad(q.subject, q.predicate, q.object, eg) for e in entities for p in IDENTITY
                      for q in st.quads_for_pattern(e, p, None) if q.graph_name != union.DEFAULT])
    reason.materialize(view)
    union.fill(view)
    statistics.write(view)
    _views[key] = (st, view)           # the store is kept with its view, so its id stays its own
    while len(_views) > VIEWS:
        _views.popitem(last=False)
    return view
