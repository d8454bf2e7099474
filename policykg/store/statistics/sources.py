"""The statistics graph's nodes of what each source states (policykg.store.statistics): per claimed
triple, the accepted sources that state it (`pkg:FactStatistics`); per source, its claims
(`pkg:SourceStatistics`). Both are written from the sums of `claims`."""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from policykg.store.statistics.graph import FALSE, G, TRUE, TYPE, integer, key, node, term

FACT_STATISTICS, STAT_SUBJECT, STAT_PREDICATE, STAT_OBJECT, SOURCE_COUNT, ANY_INFERRED, SOLE_SOURCE, SOURCE_LIST = (
    term(x) for x in ("FactStatistics", "statSubject", "statPredicate", "statObject", "sourceCount", "anyInferred",
                      "soleSource", "sourceList"))
_SOURCE_COUNTS = tuple(term(x) for x in ("claimCount", "acceptedCount", "contradictedCount", "inferredCount",
                                         "passageCount"))


def fact_quads(facts: dict) -> Iterable[ox.Quad]:
    """facts: (s, p, o) -> [accepted sources, any inferred]."""
    for (s, p, o), (srcs, inferred) in facts.items():
        n = node("fact", s, p, o)
        yield ox.Quad(n, TYPE, FACT_STATISTICS, G)
        yield ox.Quad(n, STAT_SUBJECT, s, G)
        yield ox.Quad(n, STAT_PREDICATE, p, G)
        yield ox.Quad(n, STAT_OBJECT, o, G)
        yield ox.Quad(n, SOURCE_COUNT, integer(len(srcs)), G)
        yield ox.Quad(n, ANY_INFERRED, TRUE if inferred else FALSE, G)
        if len(srcs) == 1:
            yield ox.Quad(n, SOLE_SOURCE, next(iter(srcs)), G)
        else:
            yield ox.Quad(n, SOURCE_LIST, ox.Literal("; ".join(sorted(key(x) for x in srcs))), G)


def source_quads(sources: dict, only: set | None = None) -> Iterable[ox.Quad]:
    """sources: source -> its five counts (claims, accepted, contradicted, inferred, passages)."""
    for src, counts in sources.items():
        if only is not None and src not in only:
            continue
        n = node("source", src)
        yield ox.Quad(n, TYPE, term("SourceStatistics"), G)
        yield ox.Quad(n, term("statisticsOf"), src, G)
        for name, count in zip(_SOURCE_COUNTS, counts):
            yield ox.Quad(n, name, integer(count), G)
