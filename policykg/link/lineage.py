"""`continues` links: a later document takes forward a measure of an earlier one (the rules of
docs/links.md, "Lineage"), found through an index from programs and instrument-sector pairs to
the measures that have them, ordered by date."""

from __future__ import annotations

import bisect

import pyoxigraph as ox

from policykg.link.explain import explain_lineage
from policykg.link.graph import Labels, Unit, actions, pairs, units
from policykg.link.model import DEFAULT_K, Link

LINEAGE_PER_KEY = 10     # the most recent earlier measures looked at per program or instrument-sector pair
LINEAGE_BUDGET = 100     # candidate measures per later document, at most


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
        for a, b in pairs(store, """SELECT ?a ?b WHERE { GRAPH ?g { ?a pkg:continues ?b }
                                    FILTER(?g != pgraph:links) }"""):
            self.continued.setdefault(a, set()).add(b)
        self.applies: dict[str, set[str]] = {}           # document -> measures that (or whose actions) apply it
        owner = {a: m for m, acts in self.acts.items() for a in acts}
        for a, d in pairs(store, "SELECT ?a ?b WHERE { ?a pkg:refersTo ?b . ?b a pkg:PolicyDocument }"):
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
