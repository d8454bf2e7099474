"""From what a user types to an entity of the graph: IRIs, keys and zh/en labels, and back to labels."""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict

import pyoxigraph as ox

from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import PID, PKG, PREFIXES
from policykg.store import union

LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#altLabel",
                    PKG + "abbreviation", PKG + "title", PKG + "alternativeTitle")
_LABEL_INDEXES = 4          # label indexes kept (one per store, the store held with it)
_label_index: "OrderedDict[int, tuple[ox.Store, dict]]" = OrderedDict()


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _labels(st: ox.Store) -> dict[str, set[str]]:
    """Normalized label → IRIs of entities with that label (any language, any label property).

    Built once per store and kept with it (a pyoxigraph store cannot be weakly referenced, so the
    cache holds the store itself, keyed by its identity, for the last few stores); `forget` drops
    the index of a store that was changed."""
    got = _label_index.get(id(st))
    if got is not None and got[0] is st:
        _label_index.move_to_end(id(st))
        return got[1]
    index: dict[str, set[str]] = {}
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for sol in st.query(f"SELECT DISTINCT ?e ?l WHERE {{ VALUES ?p {{ {props} }} ?e ?p ?l FILTER(isIRI(?e)) }}",
                        **union.options(st)):
        index.setdefault(_norm(sol[1].value), set()).add(sol[0].value)
    _label_index[id(st)] = (st, index)
    while len(_label_index) > _LABEL_INDEXES:
        _label_index.popitem(last=False)
    return index


def forget(st: ox.Store) -> None:
    """Drop the label index of a store whose labels changed."""
    _label_index.pop(id(st), None)


def _exact(st: ox.Store, text: str) -> set[str]:
    """Entities with a label that is exactly `text` (zh, en or no language): index lookups only."""
    found: set[str] = set()
    for lit in (ox.Literal(text, language="zh"), ox.Literal(text, language="en"), ox.Literal(text)):
        for p in LABEL_PROPERTIES:
            found.update(q.subject.value for q in st.quads_for_pattern(None, ox.NamedNode(p), lit)
                         if isinstance(q.subject, ox.NamedNode))
    return found


def _exists(st: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in st.quads_for_pattern(node, None, None)) or \
        any(True for _ in st.quads_for_pattern(None, None, node))


def _has_class(st: ox.Store, iri: str, cls: str) -> bool:
    return any(True for _ in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(PREFIXES["rdf"] + "type"),
                                                  ox.NamedNode(cls)))


def key_of(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


def label_of(st: ox.Store, iri: str, lang: str = "en") -> str:
    best = {}
    for q in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL_PROPERTIES[1]), None):
        best.setdefault(q.object.language, q.object.value)
    if not best:
        for q in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL_PROPERTIES[0]), None):
            best.setdefault(q.object.language, q.object.value)
    return best.get(lang) or next(iter(best.values()), "")


def resolve_entity(st: ox.Store, value: str, cls: str | None = None, what: str = "entity") -> ox.NamedNode:
    """An IRI, a key (`sector/steel`, `pid:sector/steel`) or a zh/en label → the entity's IRI."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    if v.startswith(("http://", "https://", "urn:")):
        iri = v
    elif v.startswith("pid:"):
        iri = PID + v[4:]
    elif re.fullmatch(r"[a-z][a-z0-9-]*/[A-Za-z0-9_./-]+", v):
        iri = PID + v
    else:
        iri = None
    if iri is not None:
        try:
            ox.NamedNode(iri)
        except ValueError as e:
            raise InputError(f"'{value}' is not a valid IRI ({e})", fix="give an IRI without spaces or <>, a key "
                             "such as sector/automobiles, or a zh/en label") from None
        if not _exists(st, iri):
            keys = [key_of(i) for ids in _labels(st).values() for i in ids]
            raise InputError(f"no {what} '{value}' in the graph{did_you_mean(key_of(iri), keys)}",
                             fix="give an existing IRI or key, or a zh/en label")
        if cls and not _has_class(st, iri, cls):
            raise InputError(f"'{value}' is not a {cls.rsplit('#', 1)[-1]}",
                             fix=f"give a {cls.rsplit('#', 1)[-1]} (run 'policykg show {value}' to see what it is)")
        return ox.NamedNode(iri)
    found = sorted(_exact(st, v))                # most labels are given as they are stored: index lookups
    if cls:
        found = [i for i in found if _has_class(st, i, cls)]
    index = None
    if not found:                                # else compare normalized labels (case, width, spaces)
        index = _labels(st)
        found = sorted(index.get(_norm(v), ()))
        if cls:
            found = [i for i in found if _has_class(st, i, cls)]
    if len(found) == 1:
        return ox.NamedNode(found[0])
    if not found:
        hint = did_you_mean(_norm(v), index if index is not None else _labels(st))
        kind = f" (a {cls.rsplit('#', 1)[-1]})" if cls else ""
        raise InputError(f"no {what}{kind} labelled '{value}'{hint}",
                         fix="give an IRI, a key such as sector/automobiles, or an exact zh/en label")
    shown = "; ".join(f"{key_of(i)} ({label_of(st, i, 'en')} / {label_of(st, i, 'zh')})" for i in found[:8])
    raise InputError(f"label '{value}' is ambiguous: {len(found)} entities have it: {shown}",
                     fix="give the key of the one you mean")
