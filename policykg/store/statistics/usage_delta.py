"""The instrument and sector nodes after an add, moved by what the add changed
(policykg.store.statistics): each count of a `pkg:TermStatistics` or
`pkg:InstrumentSectorStatistics` node is its value in the earlier build plus the items (measures,
actions, documents) and sources that count for it now and did not in the earlier build.

Which items and sources can count differently is read off the new quads alone: an item counts for
a term through a statement (item, property, term) and its class, so only an item that a new quad
describes by one of the four properties or a class can move; a source counts for a term through a
claim's `rdf:object` and `pkg:statedIn`, so only a claim that a new quad describes by one of those
can. Each of these is looked up twice, in the store after the add and in the earlier build's store
(`before`: opened read-only, untouched by the add), so the difference is exact whatever the new
quads repeat of the old ones. A family's measures (`pkg:measureList`) are the earlier list with
the new members of its instruments.

Cost: about ten index lookups per (item, term) and per (claim, term) that the new quads name,
against the recount (`usage.term_quads` for the named terms), which reads every item of every
term the new quads name, and so grows with the corpus: at 10,000 policies, 1.33M lookups and
47.5 s for one added policy (docs/scale.md). The recount stays for what this cannot move: a term
without a node in the earlier build, a change to the instrument hierarchy or to which terms are
instruments or sectors, or an item or source that counted before and does not now (an add only
adds to the union, so that is not expected); `moved` then returns None and `update` recounts.
"""

from __future__ import annotations

from collections import defaultdict
import pyoxigraph as ox

from policykg.store.statistics.graph import (
    ACTION, BROADER, COVERS_I, COVERS_S, DOCUMENT, G, INSTRUMENT, MEASURE, OBJ, SECTOR, STATED_IN, TARGETS_S, TYPE,
    USES_I, Reader, integer, key, node, term)
from policykg.store.statistics.usage import _below, _Kinds

PROPS = (USES_I, COVERS_I, TARGETS_S, COVERS_S)
KINDS = (MEASURE, ACTION, DOCUMENT)
COUNTS = tuple(term(x) for x in ("measureCount", "actionCount", "documentCount", "sourceCount"))
FAMILY_COUNT, MEASURE_LIST = term("familyMeasureCount"), term("measureList")
PAIR_COUNTS = (term("measureCount"), term("actionCount"))


class Unmovable(Exception):
    """What the add changed cannot be counted as a difference: recount instead."""


class _Side:
    """Lookups in one store (after the add, or the earlier build's)."""

    def __init__(self, read: Reader):
        self.read, self.kinds, self.claimed = read, _Kinds(read, False), {}

    def member(self, x, t) -> tuple[bool, bool, bool]:
        """Whether `x` counts for term `t` as a measure, an action, a document (usage._usage)."""
        direct = self.read.has(x, USES_I, t) or self.read.has(x, TARGETS_S, t)
        covers = direct or self.read.has(x, COVERS_I, t) or self.read.has(x, COVERS_S, t)
        return (direct and self.kinds(x, MEASURE), direct and self.kinds(x, ACTION),
                covers and self.kinds(x, DOCUMENT))

    def mentions(self, src) -> set:
        """The values of the claims `src` states (memoised: a source of the earlier build is read
        once, a new one costs one lookup)."""
        if src not in self.claimed:
            self.claimed[src] = {o.object for c in self.read(None, STATED_IN, src) for o in self.read(c.subject, OBJ, None)}
        return self.claimed[src]

    def pairs(self, x) -> set:
        """The (instrument, sector, kind) that `x` counts for in the matrix (usage.matrix_quads)."""
        kind = 0 if self.kinds(x, MEASURE) else 1 if self.kinds(x, ACTION) else None
        if kind is None:
            return set()
        sectors = [q.object for q in self.read(x, TARGETS_S, None)]
        return {(q.object, s, kind) for q in self.read(x, USES_I, None) for s in sectors}


def _values(store: ox.Store, n) -> dict:
    return {q.predicate: q.object for q in store.quads_for_pattern(n, None, None, G)}


def _count(values: dict, prop) -> int:
    if prop not in values:
        raise Unmovable(f"no {prop} in the earlier node")
    return int(values[prop].value)


def moved(store: ox.Store, before: ox.Store, new: list[ox.Quad]) -> list[ox.Quad] | None:
    """The quads of every term and pair node whose counts the `new` quads move, or None when the
    add must be recounted (see the module's docstring). `store` is after the add, `before` the
    earlier build's."""
    if any(q.predicate == BROADER or q.predicate == TYPE and q.object in (INSTRUMENT, SECTOR) for q in new):
        return None
    try:
        now, old = _Side(Reader(store)), _Side(Reader(before))
        return _terms(store, now, old, new) + _matrix(store, now, old, new)
    except Unmovable:
        return None


def _terms(store: ox.Store, now: _Side, old: _Side, new: list[ox.Quad]) -> list[ox.Quad]:
    read = now.read
    instruments, sectors = read.subjects(TYPE, INSTRUMENT), read.subjects(TYPE, SECTOR)
    named = instruments | sectors
    typed = {q.subject for q in new if q.predicate == TYPE and q.object in KINDS}
    pairs = {(q.subject, q.object) for q in new if q.predicate in PROPS and q.object in named}
    pairs |= {(x, q.object) for x in typed for p in PROPS for q in read(x, p, None) if q.object in named}
    gained = defaultdict(lambda: (set(), set(), set(), set()))       # term -> new measures, actions, documents, sources
    for x, t in pairs:
        for k, (is_now, was) in enumerate(zip(now.member(x, t), old.member(x, t))):
            if was and not is_now:
                raise Unmovable(f"{x} no longer counts for {t}")
            if is_now and not was:
                gained[t][k].add(x)
    claims = {q.subject for q in new if q.predicate in (OBJ, STATED_IN)}
    for c in claims:
        values = {q.object for q in read(c, OBJ, None)} & named
        for src in {q.object for q in read(c, STATED_IN, None)} if values else ():
            for t in values - old.mentions(src):
                gained[t][3].add(src)
    broader, below = _below(read, instruments)
    top = {f for f in instruments if not broader[f]}
    families = defaultdict(set)                                       # top instrument -> its new measures
    for t, (measures, *_rest) in gained.items():
        for f in top:
            if t in below[f] and measures:
                families[f] |= measures
    out = []
    for t in set(gained) | set(families):
        n = node("term", t)
        values = _values(store, n)
        for prop, more in zip(COUNTS, gained[t] if t in gained else ((), (), (), ())):
            values[prop] = integer(_count(values, prop) + len(more))
        if t in families:
            listed = values.get(MEASURE_LIST)
            if listed is None:
                raise Unmovable(f"no measure list in the node of {t}")
            keys = set(listed.value.split("; ")) if listed.value else set()
            keys |= {key(x) for x in families[t]}
            values[MEASURE_LIST] = ox.Literal("; ".join(sorted(keys)))
            values[FAMILY_COUNT] = integer(len(keys))
        out += [ox.Quad(n, p, o, G) for p, o in values.items()]
    return out


def _matrix(store: ox.Store, now: _Side, old: _Side, new: list[ox.Quad]) -> list[ox.Quad]:
    items = {q.subject for q in new if q.predicate in (USES_I, TARGETS_S)
             or q.predicate == TYPE and q.object in (MEASURE, ACTION)}
    gained = defaultdict(lambda: [0, 0])                               # (instrument, sector) -> measures, actions
    for x in items:
        is_now, was = now.pairs(x), old.pairs(x)
        if was - is_now:
            raise Unmovable(f"{x} no longer counts for {sorted(was - is_now)[0]}")
        for i, s, kind in is_now - was:
            gained[(i, s)][kind] += 1
    out = []
    for (i, s), more in gained.items():
        n = node("instrument-sector", i, s)
        values = _values(store, n) or {TYPE: term("InstrumentSectorStatistics"), term("statInstrument"): i,
                                       term("statSector"): s, PAIR_COUNTS[0]: integer(0), PAIR_COUNTS[1]: integer(0)}
        for prop, k in zip(PAIR_COUNTS, more):
            values[prop] = integer(_count(values, prop) + k)
        out += [ox.Quad(n, p, o, G) for p, o in values.items()]
    return out
