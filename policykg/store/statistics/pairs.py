"""The statistics graph's nodes of pairs of sources (policykg.store.statistics,
`pkg:SourcePairStatistics`): how many triples both state and how many claims of one the other
contradicts, from the sums of `claims`. The pair counts grow with the square of the sources that
state one triple (a triple that k sources state adds k(k-1)/2 pair counts)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from policykg.store.statistics.graph import G, TYPE, integer, node, term


def count(shared: dict, contra: dict, only: set | None = None) -> dict:
    """(a, b) -> [shared triples, contradicted claims], a before b by IRI, from `shared` ((s, p, o) ->
    the sources of any claim of it) and `contra` ((a, b) -> the claims of one the other contradicts);
    with `only`, the pairs of which one source is in it."""
    out = defaultdict(lambda: [0, 0])
    for srcs in shared.values():
        if len(srcs) < 2:
            continue
        ordered = sorted(srcs, key=lambda t: t.value)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if only is None or a in only or b in only:
                    out[(a, b)][0] += 1
    for (a, b), ks in contra.items():
        if only is None or a in only or b in only:
            out[(a, b)][1] = len(ks)
    return out


def pair_quads(pairs: dict) -> Iterable[ox.Quad]:
    for (a, b), (shared, contra) in pairs.items():
        n = node("pair", a, b)
        yield ox.Quad(n, TYPE, term("SourcePairStatistics"), G)
        yield ox.Quad(n, term("sourceA"), a, G)
        yield ox.Quad(n, term("sourceB"), b, G)
        yield ox.Quad(n, term("sharedFactCount"), integer(shared), G)
        yield ox.Quad(n, term("contradictionCount"), integer(contra), G)
