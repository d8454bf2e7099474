"""The link stage of adding documents to a build (`policykg.build.incremental`): the new sources'
documents and measures are added to the link index kept with the build (`policykg.link.saved`)
and linked from it; the earlier links stay as they were (docs/decisions/0010-adding-documents.md).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox

from policykg.build.assemble import DEFAULT
from policykg.link import saved
from policykg.model.namespaces import PID, PKG, RDF

LINK_UNITS = "link-units.pickle"           # what builds before the kept index left instead (read once)
_TYPE = ox.NamedNode(RDF + "type")
_LINK_UNITS = (ox.NamedNode(PKG + "PolicyDocument"), ox.NamedNode(PKG + "Measure"))

# What `policykg.link.graph.units` reads: a new triple with one of these predicates about an entity
# that was already in the store may change an earlier unit's facets (then they are all read anew).
_UNIT_PROPERTIES = {PKG + p for p in ("issuedBy", "refSector", "dateIssued", "datePublished", "coversPeriod")}
_STRUCTURE = {PKG + p for p in ("setsTarget", "commitsTo", "hasPart", "isPartOf")}      # both ends count


def known(store: ox.Store, quads: list[ox.Quad]) -> set:
    """The subjects and objects of the new quads about parts and facets that the store already
    holds (read before the new quads go in)."""
    from policykg.link.graph import FACET_PROPERTIES
    props = _UNIT_PROPERTIES | {PKG + p for p in FACET_PROPERTIES.values()}
    ends = {q.subject for q in quads if q.predicate.value in props | _STRUCTURE and isinstance(q.subject, ox.NamedNode)}
    ends |= {q.object for q in quads if q.predicate.value in _STRUCTURE and isinstance(q.object, ox.NamedNode)}
    return {t for t in ends if next(iter(store.quads_for_pattern(t, None, None)), None) is not None}


def links(kept: Path, cache: Path, store: ox.Store, quads: list[ox.Quad], before: set,
          old_state: dict) -> tuple[list[ox.Quad], int, int]:
    """The links graph's quads (not yet in the store) of the new sources' documents and measures,
    and the generation and size of the link index after the add. The index kept in `kept` (the
    earlier build's cache/) gets the new units as its next generation; when a new triple reaches an
    earlier unit or its parts, or the earlier build kept its units in the older form, all units are
    read anew and a new index is written into `cache` (the new build's)."""
    from policykg.link import added, compute, graph, output as link_output
    labels = graph.Labels(store)
    scratch = ox.Store()
    scratch.extend(q for q in quads if q.graph_name != DEFAULT)
    new_us, new_acts = graph.units(scratch), graph.actions(scratch)
    mine = {q.subject.value for q in quads if q.predicate == _TYPE and q.object in _LINK_UNITS} & set(new_us)
    path = kept / saved.FILE
    if path.is_file() and old_state.get("links_gen") is not None:
        index = saved.Saved(path, old_state["links_gen"], old_state["link_units"])
        try:
            if not _reaches(store, before, lambda x: index.unit(x) is not None):
                index.add(new_us, new_acts)
                docs = {x for x in mine if new_us[x].kind == "document"}
                found = list(added.related(index, sorted(mine), labels)) + added.lineage(store, index, sorted(docs), labels)
                return _absent(store, list(link_output.to_quads(found, store))), index.gen, index.n
        finally:
            index.close()
        us, acts = graph.units(store), graph.actions(store)
    elif (kept / LINK_UNITS).is_file():
        with open(kept / LINK_UNITS, "rb") as f:
            us, acts = pickle.load(f)
        if _reaches(store, before, us.__contains__):
            us, acts = graph.units(store), graph.actions(store)
        else:
            us.update(new_us)
            acts.update(new_acts)
    else:
        us, acts = graph.units(store), graph.actions(store)
    saved.write(cache / saved.FILE, us, acts)
    mine &= set(us)
    docs = {x for x in mine if us[x].kind == "document"}
    found = list(compute.related(us, labels, only=mine)) + compute.lineage(store, us, labels, only=docs, acts=acts)
    return _absent(store, list(link_output.to_quads(found, store))), 0, len(us)


def _absent(store: ox.Store, quads: list[ox.Quad]) -> list[ox.Quad]:
    return [q for q in dict.fromkeys(quads) if q not in store]


def _reaches(store: ox.Store, nodes: set, is_unit) -> bool:
    """Whether one of `nodes` (entities of the store) is, or is part of, an earlier unit."""
    part_of, has_part = ox.NamedNode(PKG + "isPartOf"), ox.NamedNode(PKG + "hasPart")
    seen, todo = set(), [n for n in nodes if n.value.startswith(PID)]
    while todo:
        n = todo.pop()
        if is_unit(n.value):
            return True
        if n in seen:
            continue
        seen.add(n)
        todo += [q.object for q in store.quads_for_pattern(n, part_of, None) if isinstance(q.object, ox.NamedNode)]
        todo += [q.subject for q in store.quads_for_pattern(None, has_part, n)]
    return False
