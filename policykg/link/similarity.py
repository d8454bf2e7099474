"""`related` and `shares-*` links: the similarity of two units (a weighted mean of the weighted
Jaccard overlap of their facets) and each unit's `k` most similar units among the candidates the
index brings up (`candidates`); see docs/links.md, "Which pairs are compared"."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from policykg.link import candidates as cand
from policykg.link.explain import explain_related
from policykg.link.graph import FACETS, Labels, Unit
from policykg.link.model import DEFAULT_K, DEFAULT_MIN_SCORE, Link

FACET_WEIGHTS = {"sector": 3, "instrument": 3, "program": 2, "region": 1, "agency": 1, "enterprise": 1}
SCORED = 40              # candidates of a unit that are scored exactly (the ones sharing most keys)


def _weights(us: dict[str, Unit]) -> tuple[dict[str, float], dict[str, int]]:
    df: dict[str, int] = {}
    for u in us.values():
        for es in u.facets.values():
            for e in es:
                df[e] = df.get(e, 0) + 1
    n = max(len(us), 1)
    return {e: math.log(1 + n / d) for e, d in df.items()}, df


def similarity(a: Unit, b: Unit, w: dict[str, float]) -> tuple[float, dict[str, list[str]], dict[str, float]]:
    """(score, shared entities per facet, overlap per facet) of two units. The sums are exact
    (`math.fsum`), so they do not depend on the order in which a set gives its entities."""
    shared, per_facet = {}, {}
    for f in FACETS:
        A, B = a.facets[f], b.facets[f]
        if not (A or B):
            continue
        both = A & B
        per_facet[f] = math.fsum(w.get(e, 1.0) for e in both) / math.fsum(w.get(e, 1.0) for e in A | B)
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
                for e in sorted(us[x].facets[f]):        # the same sums in every process
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
            only: set[str] | None = None, budget: int = cand.BUDGET) -> Iterator[Link]:
    """`related` and `shares-*` links: each unit's `k` most similar units at or above `min_score`
    among the candidates of the index (`budget`: units touched per unit, `candidates.Index`)."""
    w, df = _weights(us)
    order = sorted(us)
    index = cand.Index()
    for i, x in enumerate(order):       # a unit's keys are made again when its candidates are sought: holding
        index.add(i, cand.entity_keys(us[x].entities(), df))    # them all took ~200 MB at 10,000 policies
    vectors = _Vectors(order, us, w)
    keep: set[tuple[int, int]] = set()
    for i, x in enumerate(order):
        if only is not None and x not in only:
            continue
        a = us[x]
        touched = index.candidates(cand.entity_keys(a.entities(), df), exclude=i, budget=budget)
        js = [j for j in cand.best(touched, SCORED) if not _nested(a, us[order[j]])]
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
