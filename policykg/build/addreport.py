"""The report of an add (policykg.build.incremental): the counts are the previous build's plus
what the new quads add (`counts`, with the entities and concepts they add: `new_entities`), and the
zero-row checks of the data run again on the entities the new quads describe, in a scratch store
holding just their triples, the ontology's checks (same context) keeping their results (`recheck`).
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from policykg.build import units
from policykg.build.assemble import DEFAULT
from policykg.model.namespaces import PID, PKG, RDF, SKOS
from policykg.validate import checks
from policykg.validate.report import Finding, Report

_TYPE, _IN_SCHEME = ox.NamedNode(RDF + "type"), ox.NamedNode(SKOS + "inScheme")


def new_entities(store: ox.Store, quads: list[ox.Quad]) -> dict:
    """Entities per class and concepts per scheme that `quads` add to what the store counts
    (the report's DISTINCT counts), read before they are loaded."""
    classes, schemes = set(), set()
    for q in quads:
        if q.predicate == _TYPE and q.object.value.startswith(PKG) and q.subject.value.startswith(PID):
            classes.add((q.subject, q.object))
        elif q.predicate == _IN_SCHEME:
            schemes.add((q.subject, q.object))
    have = lambda s, p, o: next(iter(store.quads_for_pattern(s, p, o)), None) is not None   # noqa: E731
    return {"classes": Counter(_class(c) for x, c in classes if not have(x, _TYPE, c)),
            "schemes": Counter(s.value for c, s in schemes if not have(c, _IN_SCHEME, s))}


def merge(counts: dict, more: dict) -> None:
    for k, c in more.items():
        counts[k].update(c)


def _class(c: ox.NamedNode) -> str:
    return c.value.rsplit("#", 1)[-1]

def _data_checks() -> list[checks.Check]:
    return [c for c in checks.load_checks() if c.scope == "data"]


def recheck(store: ox.Store, ctx: units.Context, touched: set, old: dict) -> Report:
    """The data checks on the touched entities (each check reads one entity's own triples and the
    ontology), merged with the earlier findings about everything else."""
    scratch = ox.Store()
    scratch.bulk_extend(ctx.base_quads)
    for s in touched:
        scratch.extend(q for q in store.quads_for_pattern(s, None, None) if q.graph_name != DEFAULT)
    data = _data_checks()
    names = {c.name for c in data}
    focus = {s.value for s in touched if isinstance(s, ox.NamedNode)}
    report = Report(checks_run=list(old["checks_run"]))
    report.findings = [Finding(**f) for f in old["findings"] if not (f["check"] in names and f["focus"] in focus)]
    fresh = checks.run_checks(scratch, data)
    report.findings += [f for f in fresh.findings if f.focus in focus]
    return report


def counts(old: dict, delta: Counter, new: dict, quads: list[ox.Quad]) -> dict:
    """The report's counts (`summary.counts`) after the add."""
    out = {k: v for k, v in old.items() if k != "validation"}
    per_graph = dict(out["triples_per_graph"])
    for g, n in delta.items():
        if n:
            per_graph[g] = per_graph.get(g, 0) + n
    out["triples_per_graph"] = dict(sorted((g, n) for g, n in per_graph.items() if n))
    out["quads"] = out["quads"] + sum(delta.values())
    classes = Counter(out["entities_per_class"])
    classes.update(new["classes"])
    classes = +classes
    out["entities_per_class"] = dict(sorted(classes.items()))
    schemes = Counter(out["concepts_per_scheme"]) + new["schemes"]
    out["concepts_per_scheme"] = dict(sorted(schemes.items()))
    claims = dict(out["claims_per_source"])
    for src, row in _claims(quads).items():
        mine = claims.setdefault(src, {"claims": 0, "inferred": 0, "contradicted": 0})
        claims[src] = {k: mine[k] + row[k] for k in mine}
    out["claims_per_source"] = dict(sorted(claims.items()))
    return out


def _claims(quads: list[ox.Quad]) -> dict:
    """claims_per_source of the new quads alone (claims belong to the source that states them)."""
    from policykg.build import summary
    scratch = ox.Store()
    scratch.extend(quads)
    return summary.counts(scratch)["claims_per_source"]
