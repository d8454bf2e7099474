"""The statistics graph's nodes of instrument and sector usage (policykg.store.statistics): per
policy instrument and sector, the measures, actions and documents that use or target it and the
sources of claims about it, with the families of the top-level instruments
(`pkg:TermStatistics`); per instrument and sector that meet in a measure or an action, how many
(`pkg:InstrumentSectorStatistics`). Read by one pass over the instrument and sector statements
(the whole graph), or by looking up the statements of the items and terms an add names."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from policykg.store.statistics.graph import (
    ACTION, BROADER, COVERS_I, COVERS_S, DOCUMENT, G, INSTRUMENT, MEASURE, OBJ, SECTOR, STATED_IN, TARGETS_S, TYPE,
    USES_I, Reader, integer, key, node, term)


class _Kinds:
    """Which items are measures, actions, policy documents: read once (the whole graph) or looked up
    item by item (after an add)."""

    def __init__(self, read: Reader, preload: bool):
        self.read, self.sets = read, None
        if preload:
            self.sets = {c: read.subjects(TYPE, c) for c in (MEASURE, ACTION, DOCUMENT)}
        self.memo = {}

    def __call__(self, x, cls) -> bool:
        if self.sets is not None:
            return x in self.sets[cls]
        if (x, cls) not in self.memo:
            self.memo[(x, cls)] = next(iter(self.read(x, TYPE, cls)), None) is not None
        return self.memo[(x, cls)]


def _usage(read: Reader, kinds: _Kinds, terms: set | None) -> dict:
    """term -> (measures, actions, documents) that use, cover or target it; of `terms` only, or all."""
    by_term = defaultdict(lambda: (set(), set(), set()))
    for prop in (USES_I, COVERS_I, TARGETS_S, COVERS_S):
        quads = read(None, prop, None) if terms is None else (q for t in terms for q in read(None, prop, t))
        for q in quads:
            x, row = q.subject, by_term[q.object]
            if prop in (USES_I, TARGETS_S):
                if kinds(x, MEASURE):
                    row[0].add(x)
                if kinds(x, ACTION):
                    row[1].add(x)
            if kinds(x, DOCUMENT):
                row[2].add(x)
    return by_term


def _below(read: Reader, instruments: set) -> tuple[dict, dict]:
    """(instrument -> its skos:broader, instrument -> the instruments at or below it)."""
    broader = {i: {q.object for q in read(i, BROADER, None)} for i in instruments}
    below = defaultdict(set)
    for i in instruments:
        todo, seen = [i], set()
        while todo:
            up = todo.pop()
            if up not in seen:
                seen.add(up)
                below[up].add(i)
                todo.extend(broader.get(up, ()))
    return broader, below


def term_quads(read: Reader, terms: set | None = None, mentioned: dict | None = None) -> Iterable[ox.Quad]:
    """The TermStatistics of every instrument and sector, or of those in `terms` (and the families
    of those instruments), counted by looking up each term's statements; the sources of claims
    whose value a term is come from `mentioned` (term -> sources) when given."""
    kinds = _Kinds(read, terms is None)
    instruments, sectors = read.subjects(TYPE, INSTRUMENT), read.subjects(TYPE, SECTOR)
    broader, below = _below(read, instruments)
    todo = instruments | sectors if terms is None else \
        (terms & (instruments | sectors)) | {f for f in instruments if not broader[f] and below[f] & terms}
    members = set().union(*(below[f] for f in todo if f in instruments and not broader[f])) if todo else set()
    by_term = _usage(read, kinds, None if terms is None else todo | members)
    for t in todo:
        srcs = mentioned.get(t, ()) if mentioned is not None else \
            {q.object for c in read(None, OBJ, t) for q in read(c.subject, STATED_IN, None)}
        m, a, d = by_term.get(t, (set(), set(), set()))
        n = node("term", t)
        yield ox.Quad(n, TYPE, term("TermStatistics"), G)
        yield ox.Quad(n, term("statisticsOf"), t, G)
        for name, values in (("measureCount", m), ("actionCount", a), ("documentCount", d), ("sourceCount", srcs)):
            yield ox.Quad(n, term(name), integer(len(values)), G)
        if t in instruments and not broader[t]:
            family = {x for i in below[t] for x in by_term.get(i, ((),))[0]}
            yield ox.Quad(n, term("instrumentCount"), integer(len(below[t])), G)
            yield ox.Quad(n, term("familyMeasureCount"), integer(len(family)), G)
            yield ox.Quad(n, term("measureList"), ox.Literal("; ".join(sorted(key(x) for x in family))), G)


def matrix_quads(read: Reader, items: set | None = None) -> Iterable[ox.Quad]:
    """The InstrumentSectorStatistics of every pair, or of the pairs that the `items` (measures,
    actions) take part in, counted over every item of such a pair."""
    kinds = _Kinds(read, items is None)
    uses, targets = defaultdict(set), defaultdict(set)          # item -> instruments / sectors
    if items is None:
        for prop, table in ((USES_I, uses), (TARGETS_S, targets)):
            for q in read(None, prop, None):
                table[q.subject].add(q.object)
    else:
        pairs = {(u.object, t.object) for x in items for u in read(x, USES_I, None) for t in read(x, TARGETS_S, None)}
        for i in {i for i, _ in pairs}:
            for q in read(None, USES_I, i):
                uses[q.subject].add(i)
        for x in list(uses):
            targets[x] = {q.object for q in read(x, TARGETS_S, None)}
    matrix = defaultdict(lambda: (set(), set()))
    for x, used in uses.items():
        kind = 0 if kinds(x, MEASURE) else 1 if kinds(x, ACTION) else None
        if kind is None:
            continue
        for i in used:
            for s in targets.get(x, ()):
                if items is None or (i, s) in pairs:
                    matrix[(i, s)][kind].add(x)
    for (i, s), (m, a) in matrix.items():
        n = node("instrument-sector", i, s)
        yield ox.Quad(n, TYPE, term("InstrumentSectorStatistics"), G)
        yield ox.Quad(n, term("statInstrument"), i, G)
        yield ox.Quad(n, term("statSector"), s, G)
        yield ox.Quad(n, term("measureCount"), integer(len(m)), G)
        yield ox.Quad(n, term("actionCount"), integer(len(a)), G)
