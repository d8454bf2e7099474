"""Links between policies: shared entities, a similarity score, and lineage (see docs/links.md).

A *unit* is a policy document or a measure. Each unit has six facets, the sets of entities it (or
any of its parts and actions) addresses: sectors (including the sectors of the targets it sets),
instruments, programs, regions, agencies (issuers and responsible bodies) and enterprise
categories. Two units are related when their facets overlap:

- the **similarity** of two units is the weighted mean, over the facets either of them states,
  of the weighted Jaccard overlap of that facet (facet weights: sectors and instruments 3,
  programs 2, regions, agencies and enterprise categories 1); inside a facet an entity weighs
  ln(1 + N/df), so that an entity most units share (MIIT, manufacturing) counts for less than a
  rare one (a pilot program);
- each unit keeps its `k` most similar units whose similarity reaches the threshold; each such
  pair gets a `related` link and one `shares-<facet>` link per facet it shares, each with the
  shared entities as its evidence;
- a **lineage** link (`continues`) runs from a later document to a measure of an earlier one when
  the later document takes that measure forward: it concerns the same program as one of the
  measure's actions, or uses the same instrument for the same sector, or continues a document
  that the measure applies. Its evidence is the shared entities and the matched actions. Each
  later document keeps its `k` best lineage links (and every stated continuation).

No pair is compared unless an index brings it up (`candidates`): the cost grows with the number
of units, not with its square. Links are data about the graph, computed from it, and live in
their own named graph (`pgraph:links`); this module never prints or exits.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyoxigraph as ox

from policykg.link import candidates as cand
from policykg.link.graph import ACTION_FACETS, FACETS, Labels, Unit, actions, pairs, units
from policykg.model.namespaces import PID, PKG

FACET_NAMES = {  # (singular, plural) in English and Chinese, for explanations
    "sector": ("sector", "sectors", "行业"), "instrument": ("instrument", "instruments", "政策工具"),
    "program": ("program", "programs", "专项工作"), "region": ("region", "regions", "地区"),
    "agency": ("agency", "agencies", "机构"), "enterprise": ("enterprise category", "enterprise categories", "企业类别"),
}
FACET_WEIGHTS = {"sector": 3, "instrument": 3, "program": 2, "region": 1, "agency": 1, "enterprise": 1}
LINK_TYPES = ("continues", "related") + tuple(f"shares-{f}" for f in FACETS)
DEFAULT_MIN_SCORE = 0.15
DEFAULT_K = 5            # links a unit keeps (related), lineage links a later document keeps
SCORED = 40              # candidates of a unit that are scored exactly (the ones sharing most keys)
LINEAGE_PER_KEY = 10     # the most recent earlier measures looked at per program or instrument-sector pair
LINEAGE_BUDGET = 100     # candidate measures per later document, at most


@dataclass(slots=True)
class Link:
    type: str                                   # one of LINK_TYPES
    source: str                                 # IRI (for `continues`: the later document)
    target: str                                 # IRI (for `continues`: the earlier measure)
    score: float
    shared: dict[str, list[str]]                # facet -> shared entity IRIs (sorted)
    matched: list[str] = field(default_factory=list)   # for `continues`: the measure's actions matched
    via: list[str] = field(default_factory=list)       # for `continues`: documents continued that the measure applies
    explanation: str = ""

    @property
    def iri(self) -> str:
        digest = hashlib.sha256(f"{self.type}\n{self.source}\n{self.target}".encode()).hexdigest()[:16]
        return f"{PID}link/{self.type}/{digest}"

    def shared_entities(self) -> list[str]:
        return sorted({e for es in self.shared.values() for e in es} | set(self.via))


# ------------------------------------------------------------------------------------ similarity

def _weights(us: dict[str, Unit]) -> tuple[dict[str, float], dict[str, int]]:
    df: dict[str, int] = {}
    for u in us.values():
        for es in u.facets.values():
            for e in es:
                df[e] = df.get(e, 0) + 1
    n = max(len(us), 1)
    return {e: math.log(1 + n / d) for e, d in df.items()}, df


def similarity(a: Unit, b: Unit, w: dict[str, float]) -> tuple[float, dict[str, list[str]], dict[str, float]]:
    """(score, shared entities per facet, overlap per facet) of two units."""
    shared, per_facet = {}, {}
    for f in FACETS:
        A, B = a.facets[f], b.facets[f]
        if not (A or B):
            continue
        both = A & B
        per_facet[f] = sum(w.get(e, 1.0) for e in both) / sum(w.get(e, 1.0) for e in A | B)
        if both:
            shared[f] = sorted(both)
    total = sum(FACET_WEIGHTS[f] for f in per_facet)
    score = sum(FACET_WEIGHTS[f] * v for f, v in per_facet.items()) / total if total else 0.0
    return score, shared, per_facet


class _Vectors:
    """Units as rows of entity numbers, for scoring one unit against many candidates at once with
    numpy: the shared weight per facet, then `similarity`'s score (the kept pairs are scored again
    with `similarity` itself, so the links do not depend on floating-point order)."""

    def __init__(self, order: list[str], us: dict[str, Unit], w: dict[str, float]):
        ids: dict[str, int] = {}
        facet_of, weight, indptr, indices = [], [], [0], []
        for x in order:
            for fi, f in enumerate(FACETS):
                for e in us[x].facets[f]:
                    n = ids.get(e)
                    if n is None:
                        n = ids[e] = len(ids)
                        facet_of.append(fi)
                        weight.append(w[e])
                    indices.append(n)
            indptr.append(len(indices))
        self.facet_of = np.array(facet_of, dtype=np.int64)
        self.weight = np.array(weight, dtype=np.float64)
        self.indptr = np.array(indptr, dtype=np.int64)
        self.indices = np.array(indices, dtype=np.int64)
        rows = np.repeat(np.arange(len(order)), np.diff(self.indptr))
        totals = np.zeros((len(order), len(FACETS)))
        np.add.at(totals, (rows, self.facet_of[self.indices]), self.weight[self.indices])
        self.totals = totals
        self.fw = np.array([FACET_WEIGHTS[f] for f in FACETS], dtype=np.float64)
        self._mine = np.zeros(len(ids))

    def scores(self, i: int, js: np.ndarray) -> np.ndarray:
        mine = self.indices[self.indptr[i]:self.indptr[i + 1]]
        self._mine[mine] = self.weight[mine]
        starts, lens = self.indptr[js], self.indptr[js + 1] - self.indptr[js]
        ends = np.cumsum(lens)
        pos = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - lens, lens) + np.repeat(starts, lens)
        ents = self.indices[pos]
        slot = np.repeat(np.arange(len(js)), lens) * len(FACETS) + self.facet_of[ents]
        shared = np.bincount(slot, weights=self._mine[ents], minlength=len(js) * len(FACETS)).reshape(len(js), -1)
        self._mine[mine] = 0.0
        ti, tj = self.totals[i], self.totals[js]
        present = (ti > 0) | (tj > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            per = np.where(present, shared / (ti + tj - shared), 0.0)
        den = present @ self.fw
        return np.where(den > 0, (per @ self.fw) / np.where(den > 0, den, 1.0), 0.0)


def _nested(a: Unit, b: Unit) -> bool:
    """A document and its own measure are not compared."""
    return a.iri == b.document or b.iri == a.document


def related(us: dict[str, Unit], labels: Labels, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
            only: set[str] | None = None) -> Iterator[Link]:
    """`related` and `shares-*` links: each unit's `k` most similar units at or above `min_score`."""
    w, df = _weights(us)
    order = sorted(us)
    keys = [cand.entity_keys(us[x].entities(), df) for x in order]
    index = cand.Index()
    for i, ks in enumerate(keys):
        index.add(i, ks)
    vectors = _Vectors(order, us, w)
    keep: set[tuple[int, int]] = set()
    for i, x in enumerate(order):
        if only is not None and x not in only:
            continue
        a = us[x]
        js = [j for j in cand.best(index.candidates(keys[i], exclude=i), SCORED) if not _nested(a, us[order[j]])]
        if not js:
            continue
        scores = vectors.scores(i, np.array(js, dtype=np.int64))
        ranked = sorted(((-s, j) for s, j in zip(scores.tolist(), js) if s > 0 and s >= min_score - 1e-9))[:k]
        keep.update((min(i, j), max(i, j)) for _s, j in ranked)
    for i, j in sorted(keep):
        x, y = order[i], order[j]
        score, shared, per_facet = similarity(us[x], us[y], w)
        if score < min_score or not shared:
            continue
        yield Link("related", x, y, round(score, 3), shared, explanation=explain_related(shared, labels))
        for f, es in shared.items():
            yield Link(f"shares-{f}", x, y, round(per_facet[f], 3), {f: es}, explanation=explain_related({f: es}, labels))


def iter_links(store: ox.Store, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
               only: set[str] | None = None, us: dict[str, Unit] | None = None,
               acts: dict | None = None) -> Iterator[Link]:
    """The links of the graph one at a time (related pairs in IRI order, then lineage), so that a
    large graph's links can be written without holding them all; with `only`, just the links that
    have one end in `only`. `us` and `acts` are the store's `graph.units` and `graph.actions` when
    the caller has them already."""
    us = us if us is not None else units(store)
    labels = Labels(store)
    yield from related(us, labels, min_score=min_score, k=k, only=only)
    yield from lineage(store, us, labels, k=k, only=only, acts=acts)


def compute(store: ox.Store, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
            only: set[str] | None = None) -> list[Link]:
    """The links of the graph, strongest first within each type (see `iter_links`)."""
    return sorted(iter_links(store, min_score=min_score, k=k, only=only), key=order)


def order(l: Link) -> tuple:
    """Sort key of links: by type (LINK_TYPES), then strongest first, then by their ends."""
    return LINK_TYPES.index(l.type), -l.score, l.source, l.target


# ------------------------------------------------------------------------------------ lineage

def _program_match(p: str, q: str, broader: set[tuple[str, str]], sector_of: dict[str, set[str]],
                   within: set[tuple[str, str]]) -> bool:
    """The same program, one narrower than the other, or a sibling (same broader program) run for a
    sector within the earlier program's sector (the building-materials 'three products' action
    within the raw-materials one)."""
    if p == q or (p, q) in broader or (q, p) in broader:
        return True
    parents_p = {b for (a, b) in broader if a == p}
    parents_q = {b for (a, b) in broader if a == q}
    return bool(parents_p & parents_q) and any((sq, sp) in within or sq == sp
                                               for sq in sector_of.get(q, ()) for sp in sector_of.get(p, ()))


class _Lineage:
    """What lineage needs from the graph, and an index from programs and instrument-sector pairs to
    the measures whose actions have them, each posting list sorted by the measure's date."""

    def __init__(self, store: ox.Store, us: dict[str, Unit], acts: dict | None = None):
        self.us = us
        self.acts = acts if acts is not None else actions(store)
        self.broader = pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Program }")
        self.within = pairs(store, "SELECT ?a ?b WHERE { ?a skos:broader+ ?b . ?a a pkg:Sector }")
        self.sector_of: dict[str, set[str]] = {}
        for a, b in pairs(store, "SELECT ?a ?b WHERE { ?a a pkg:Program ; pkg:targetsSector ?b }"):
            self.sector_of.setdefault(a, set()).add(b)
        self.continued: dict[str, set[str]] = {}
        for a, b in pairs(store, """SELECT DISTINCT ?a ?b WHERE { GRAPH ?g { ?a pkg:continues ?b }
                                    FILTER(?g != pgraph:links) }"""):
            self.continued.setdefault(a, set()).add(b)
        self.applies: dict[str, set[str]] = {}           # document -> measures that (or whose actions) apply it
        owner = {a: m for m, acts in self.acts.items() for a in acts}
        for a, d in pairs(store, "SELECT DISTINCT ?a ?b WHERE { ?a pkg:refersTo ?b . ?b a pkg:PolicyDocument }"):
            m = a if a in us and us[a].kind == "measure" else owner.get(a)
            if m is not None:
                self.applies.setdefault(d, set()).add(m)
        postings: dict[tuple, set[str]] = {}
        for m, acts in self.acts.items():
            u = us.get(m)
            if u is None or u.start is None:
                continue
            for fa in acts.values():
                for p in fa["program"]:
                    postings.setdefault(("p", p), set()).add(m)
                for i in fa["instrument"]:
                    for s in fa["sector"]:
                        postings.setdefault(("is", i, s), set()).add(m)
        self.postings = {key: sorted(ms, key=lambda m: (us[m].start, m)) for key, ms in postings.items()}
        self.dates = {key: [us[m].start for m in ms] for key, ms in self.postings.items()}
        self.programs = sorted({key[1] for key in self.postings if key[0] == "p"})
        self._matching: dict[str, list[str]] = {}
        self._matches: dict[tuple[str, str], bool] = {}

    def matches(self, p: str, q: str) -> bool:
        got = self._matches.get((p, q))
        if got is None:
            got = self._matches[(p, q)] = _program_match(p, q, self.broader, self.sector_of, self.within)
        return got

    def matching(self, q: str) -> list[str]:
        """The programs of the index that match program q of a later document."""
        got = self._matching.get(q)
        if got is None:
            got = self._matching[q] = [p for p in self.programs if self.matches(p, q)]
        return got

    def candidates(self, later: Unit) -> set[str]:
        """Measures of earlier documents that share a program or an instrument-sector pair with `later`
        (the most recent `LINEAGE_PER_KEY` per key), and the measures applying a document it continues."""
        found = {m for d in self.continued.get(later.iri, ()) for m in self.applies.get(d, ())}
        if later.start is None:
            return found
        L = later.facets
        keys = [("p", p) for q in sorted(L["program"]) for p in self.matching(q)]
        keys += sorted(("is", i, s) for i in L["instrument"] for s in L["sector"] if ("is", i, s) in self.postings)
        budget = len(found) + LINEAGE_BUDGET
        for key in keys:
            ms = self.postings.get(key)
            if ms is None:
                continue
            end = bisect.bisect_left(self.dates[key], later.start)      # measures of strictly earlier documents
            found.update(ms[max(0, end - LINEAGE_PER_KEY):end])
            if len(found) >= budget:
                break
        return found

    def link(self, later: Unit, m: Unit) -> Link | None:
        """The lineage link from `later` to measure `m`, or None (the rules of the module docstring)."""
        earlier = self.us.get(m.document)
        dated = later.start and earlier is not None and earlier.start and later.start > earlier.start
        acts = self.acts.get(m.iri, {})
        via = sorted(d for d in self.continued.get(later.iri, ()) if m.iri in self.applies.get(d, ()))
        if not dated and not via:
            return None
        L = later.facets
        shared: dict[str, set[str]] = {}
        matched, best = [], 0.0
        for a, fa in sorted(acts.items()):
            progs = set()
            for p in fa["program"]:
                qs = [q for q in L["program"] if self.matches(p, q)]
                if qs:
                    progs.add(p)
                    progs.update(qs)
            instr, sect = fa["instrument"] & L["instrument"], fa["sector"] & L["sector"]
            if not (progs or (instr and sect)):
                continue
            matched.append(a)
            for f, es in (("program", progs), ("instrument", instr), ("sector", sect)):
                if es:
                    shared.setdefault(f, set()).update(es)
            own = fa["program"] | fa["instrument"] | fa["sector"]
            best = max(best, len((progs | instr | sect) & own) / len(own))
        if not matched and not via:
            return None
        sh = {f: sorted(es) for f, es in shared.items()}
        matched = [a for a in matched if a != m.iri]
        return Link("continues", later.iri, m.iri, round(1.0 if via else best, 3), sh, matched, via)


def lineage(store: ox.Store, us: dict[str, Unit] | None = None, labels: Labels | None = None, *,
            k: int = DEFAULT_K, only: set[str] | None = None, acts: dict | None = None) -> list[Link]:
    """`continues` links from later documents to the measures of earlier ones that they take forward:
    each later document keeps its `k` best (the most recent earlier measure first among equals) and
    every link that rests on a continuation the sources state."""
    us = us if us is not None else units(store)
    labels = labels if labels is not None else Labels(store)
    ix = _Lineage(store, us, acts)
    docs = [u for _x, u in sorted(us.items()) if u.kind == "document"]
    out: list[Link] = []
    for later in docs:
        if only is None or later.iri in only:
            ms = ix.candidates(later)
        else:                                   # only the measures in `only` (a policy given with --with)
            ms = {x for x in only if x in us and us[x].kind == "measure"}
        found = [l for m in sorted(ms) if us[m].document != later.iri
                 for l in [ix.link(later, us[m])] if l is not None]
        stated = [l for l in found if l.via]
        rest = sorted((l for l in found if not l.via),
                      key=lambda l: (-l.score, _neg_date(us[us[l.target].document].start), l.target))
        for l in stated + rest[:k]:
            l.explanation = explain_lineage(l.shared, l.matched, l.via, labels)
            out.append(l)
    return out


def _neg_date(d: str | None) -> tuple:
    """Sort key: later dates first."""
    return tuple(-ord(c) for c in d) if d else ()


# ------------------------------------------------------------------------------------ explanations

def explain_related(shared: dict[str, list[str]], labels: Labels) -> str:
    return "shares " + "; ".join(_facet_words(f, shared[f], labels) for f in FACETS if shared.get(f))


def _facet_words(f: str, es: list[str], labels: Labels) -> str:
    """'2 sectors (Steel, Nonferrous metals)', remembered (the same entity lists recur in many links)."""
    key = (f, tuple(es))
    got = labels.explanations.get(key)
    if got is None:
        if len(labels.explanations) > 200_000:         # bounded memory
            labels.explanations.clear()
        one, many, _zh = FACET_NAMES[f]
        got = labels.explanations[key] = f"{len(es)} {one if len(es) == 1 else many} " \
                                          f"({', '.join(labels.label(e) for e in es)})"
    return got


def explain_lineage(shared, matched, via, labels: Labels) -> str:
    bits = []
    if via:
        bits.append("continues " + ", ".join(labels.label(d) for d in via) + ", which the measure applies")
    if matched:
        bits.append("takes forward " + ", ".join(labels.label(a) for a in matched))
    if shared:
        bits.append(explain_related(shared, labels))
    return "; ".join(bits)
