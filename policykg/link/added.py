"""The links of units added to a build, from the index kept with it (`policykg.link.saved`): the
same rules as `similarity.related` and `lineage.lineage` with `only` the new units, reading only the
units, counts and posting lists that the new units reach."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pyoxigraph as ox

from policykg.link import candidates as cand
from policykg.link.explain import explain_lineage, explain_related
from policykg.link.lineage import LINEAGE_BUDGET, LINEAGE_PER_KEY, _Lineage, _neg_date
from policykg.link.model import DEFAULT_K, DEFAULT_MIN_SCORE, Link
from policykg.link.similarity import SCORED, _nested, _Vectors, similarity
from policykg.link.graph import Labels, Unit, pairs
from policykg.link.saved import Saved
from policykg.model.namespaces import LINKS_GRAPH, PKG, RDF

_TYPE = ox.NamedNode(RDF + "type")


def related(saved: Saved, only: list[str], labels: Labels, *, min_score: float = DEFAULT_MIN_SCORE,
            k: int = DEFAULT_K) -> Iterator[Link]:
    """`similarity.related(us, labels, only=only)` for units `only` already added to `saved`."""
    keep: set[tuple[str, str]] = set()
    weights: dict[str, float] = {}

    def weigh(us) -> None:
        ents = {e for u in us for e in u.entities()} - set(weights)
        df = saved.counts(ents)
        weights.update({e: math.log(1 + max(saved.n, 1) / df.get(e, 1)) for e in ents})

    for x in sorted(only):
        a = saved.unit(x)
        if a is None:
            continue
        df = saved.counts(a.entities())
        touched = saved.candidates(cand.entity_keys(a.entities(), df), exclude=x)
        best = sorted(j for _n, j in sorted((-n, j) for j, n in touched.items())[:SCORED])
        near = saved.units(best)
        js = [j for j in best if j in near and not _nested(a, near[j])]
        if not js:
            continue
        weigh([a] + [near[j] for j in js])
        us = {x: a} | {j: near[j] for j in js}
        vectors = _Vectors([x] + js, us, weights)
        scores = vectors.scores(0, np.arange(1, len(js) + 1, dtype=np.int64))
        ranked = sorted(((-s, j) for s, j in zip(scores.tolist(), js) if s > 0 and s >= min_score - 1e-9))[:k]
        keep.update((min(x, j), max(x, j)) for _s, j in ranked)
    for x, y in sorted(keep):
        score, shared, per_facet = similarity(saved.unit(x), saved.unit(y), weights)
        if score < min_score or not shared:
            continue
        yield Link("related", x, y, round(score, 3), shared, explanation=explain_related(shared, labels))
        for f, es in shared.items():
            yield Link(f"shares-{f}", x, y, round(per_facet[f], 3), {f: es}, explanation=explain_related({f: es}, labels))


class _Lookup(dict):
    """A mapping filled on first use from `fetch` (a key it cannot fill is absent)."""

    def __init__(self, fetch):
        super().__init__()
        self.fetch = fetch

    def get(self, key, default=None):
        if not dict.__contains__(self, key):
            self[key] = self.fetch(key)
        got = dict.__getitem__(self, key)
        return default if got is None else got

    def __getitem__(self, key):
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return got

    def __contains__(self, key):
        return self.get(key) is not None


class _SavedLineage(_Lineage):
    """`lineage._Lineage` over the kept index: the measures under a key and the stated
    continuations are looked up for the documents asked about, not collected for the corpus."""

    def __init__(self, store: ox.Store, saved: Saved):
        self.saved, self.store = saved, store
        self.us = _Lookup(saved.unit)
        self.acts = _Lookup(lambda m: saved.actions(m) or None)
        self.broader = pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Program }")
        self.within = pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Sector }")
        self.sector_of: dict[str, set[str]] = {}
        for a, b in pairs(store, "SELECT ?a ?b WHERE { ?a a pkg:Program ; pkg:targetsSector ?b }"):
            self.sector_of.setdefault(a, set()).add(b)
        self.programs = sorted({q.subject.value for q in store.quads_for_pattern(None, _TYPE, ox.NamedNode(PKG + "Program"))
                                if isinstance(q.subject, ox.NamedNode)})
        self.continued = _Lookup(self._continued)
        self.applies = _Lookup(self._applies)
        self._matching, self._matches = {}, {}

    def _continued(self, later: str) -> set[str] | None:
        links = ox.NamedNode(LINKS_GRAPH)
        found = {q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(later), ox.NamedNode(PKG + "continues"), None)
                 if isinstance(q.object, ox.NamedNode) and q.graph_name not in (links, ox.DefaultGraph())}
        return found or None

    def _applies(self, d: str) -> set[str] | None:
        doc = ox.NamedNode(d)
        if next(iter(self.store.quads_for_pattern(doc, _TYPE, ox.NamedNode(PKG + "PolicyDocument"))), None) is None:
            return None
        found = set()
        for q in self.store.quads_for_pattern(None, ox.NamedNode(PKG + "refersTo"), doc):
            if not isinstance(q.subject, ox.NamedNode):
                continue
            a = q.subject.value
            u = self.saved.unit(a)
            m = a if u is not None and u.kind == "measure" else self.saved.owner(a)
            if m is not None:
                found.add(m)
        return found or None

    def candidates(self, later: Unit) -> set[str]:
        found = {m for d in self.continued.get(later.iri, ()) for m in self.applies.get(d, ())}
        if later.start is None:
            return found
        L = later.facets
        keys = [("p", p) for q in sorted(L["program"]) for p in self.matching(q)]
        keys += sorted(("is", i, s) for i in L["instrument"] for s in L["sector"])
        budget = len(found) + LINEAGE_BUDGET
        for key in keys:
            found.update(self.saved.earlier(key, later.start, LINEAGE_PER_KEY))
            if len(found) >= budget:
                break
        return found


def lineage(store: ox.Store, saved: Saved, docs: list[str], labels: Labels, *, k: int = DEFAULT_K) -> list[Link]:
    """`lineage.lineage(store, us, labels, only=docs)` for documents `docs` already added to `saved`."""
    ix = _SavedLineage(store, saved)
    out: list[Link] = []
    for x in sorted(docs):
        later = saved.unit(x)
        if later is None or later.kind != "document":
            continue
        found = [l for m in sorted(ix.candidates(later)) if ix.us[m].document != later.iri
                 for l in [ix.link(later, ix.us[m])] if l is not None]
        stated = [l for l in found if l.via]
        rest = sorted((l for l in found if not l.via),
                      key=lambda l: (-l.score, _neg_date(ix.us[ix.us[l.target].document].start), l.target))
        for l in stated + rest[:k]:
            l.explanation = explain_lineage(l.shared, l.matched, l.via, labels)
            out.append(l)
    return out
