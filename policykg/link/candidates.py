"""Candidate pairs from an inverted index, so that linking never compares all pairs of units.

Every unit (or action) is described by a set of *keys*: the entities it addresses and, because a
graph of thousands of policies draws its sectors, instruments and agencies from vocabularies of a
few hundred terms, pairs of its rarest entities (a pair of common entities is far more selective
than either alone). The index maps each key to the units that have it (its *posting list*).

The candidates of a unit are the units found by walking its keys from the most selective (the
shortest posting list) to the least (keys of equal length in the order of their text, so that
every process walks them alike), skipping keys that more than `max_postings` units share
(they say little: MIIT, manufacturing), and stopping once `budget` distinct units have been
touched. Each candidate is ranked by the number of keys it shares; the caller scores the best
`top` of them exactly. The work per unit is bounded by `budget + max_postings`, so the whole pass
grows linearly with the number of units; on a graph smaller than the bounds (the real graph)
every pair that shares an entity is a candidate, exactly as an all-pairs comparison would find.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Sequence

MAX_POSTINGS = 200       # keys shared by more units than this do not make candidates
BUDGET = 500             # distinct units touched per unit, at most
PAIR_ENTITIES = 8        # keys also include the pairs of a unit's this-many rarest entities
KEY_SEP = "\x1f"         # between the entities of a pair key written as text (as policykg.link.saved keeps them)


class Index:
    """key -> posting list (unit numbers in insertion order)."""

    def __init__(self, max_postings: int = MAX_POSTINGS):
        self.max_postings = max_postings
        self.postings: dict[Hashable, list[int]] = {}

    def add(self, unit: int, keys: Iterable[Hashable]) -> None:
        for k in keys:
            self.postings.setdefault(k, []).append(unit)

    def candidates(self, keys: Iterable[Hashable], *, exclude: int = -1, budget: int = BUDGET) -> dict[int, int]:
        """unit number -> number of shared keys, for the units reached from `keys` (see the module)."""
        lists = sorted((len(p), text(k), p) for k in set(keys)
                       if (p := self.postings.get(k)) is not None and len(p) <= self.max_postings)
        touched: dict[int, int] = {}
        for _n, _text, p in lists:
            if len(touched) >= budget:
                break
            for j in p:
                touched[j] = touched.get(j, 0) + 1
        touched.pop(exclude, None)
        return touched


def text(key: Hashable) -> str:
    """A key as text, the order of keys whose posting lists are equally long: the same in every
    process (a set of strings is not: its order follows Python's per-process string hashing)."""
    return KEY_SEP.join(key) if isinstance(key, tuple) else key


def entity_keys(entities: Iterable[str], df: dict[str, int], pair_entities: int = PAIR_ENTITIES) -> list[Hashable]:
    """The keys of one unit: its entities, and the pairs of its `pair_entities` rarest ones."""
    es = sorted(set(entities), key=lambda e: (df.get(e, 0), e))
    keys: list[Hashable] = list(es)
    rare = es[:pair_entities]
    keys += [(a, b) if a < b else (b, a) for i, a in enumerate(rare) for b in rare[i + 1:]]
    return keys


def best(touched: dict[int, int], top: int) -> list[int]:
    """The `top` candidates that share the most keys (ties: the lower unit number)."""
    if len(touched) <= top:
        return sorted(touched)
    return sorted(j for _n, j in heapq.nsmallest(top, ((-n, j) for j, n in touched.items())))


def keep_best_k(scored: Sequence[tuple[int, int, float]], k: int) -> set[tuple[int, int]]:
    """Pairs (i, j) (i < j) that are among the `k` best of either end; `scored` holds (i, j, score)."""
    per: dict[int, list[tuple[float, int, int]]] = {}
    for i, j, s in scored:
        per.setdefault(i, []).append((-s, j, j))
        per.setdefault(j, []).append((-s, i, i))
    keep: set[tuple[int, int]] = set()
    for i, lst in per.items():
        lst.sort()
        for _s, j, _ in lst[:k]:
            keep.add((i, j) if i < j else (j, i))
    return keep
