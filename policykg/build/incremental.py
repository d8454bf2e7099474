"""Adding documents to a built corpus without rebuilding it (docs/decisions/0010-adding-documents.md).

`build` takes this path when the target folder holds a complete build of ours whose units were made
with the same ontology, vocabularies, rules and code (the context digest), and the units of the
folders to build are that build's units plus new ones: none removed, none changed, and none whose
lookups in other files the new files invalidate (`units.valid`). Otherwise it returns None and the
full build runs. Deciding this reads only the new files: the others are known by their fingerprints
(`policykg.build.state`), and the new ones are checked against the key table kept with the build.

The new build is staged like a full one (`output.staging`), so the previous build stays complete
and usable until the atomic swap. Its work is bounded by the new units, never by the corpus:
- the store is a RocksDB checkpoint of the previous one (`Store.backup`: hard links to its
  immutable files), into which only the new units' quads go, each triple also into the union in
  the default graph;
- what one source infers and another states leaves the inferred graph, in both directions (a new
  inferred fact that an old source states; an old inferred fact that a new source states);
- the cross-source rules run on the join-property triples of the new units' entities only
  (`assemble.close`);
- links are computed for the new documents and measures (each keeps its best k), from the link
  index kept with the build, to which they are added (`policykg.build.addlinks`);
- the zero-row checks of the data run on the entities the new quads describe, in a scratch store
  holding just their triples; the ontology's checks (same context) keep their results;
- the statistics graph (policykg.store.statistics) is recomputed for what the new quads can
  change: the claimed triples about the entities the new claims describe, the new claims' sources
  and their pairs, the instruments and sectors they name, the pairs of the new measures and actions;
- the report's counts are the previous ones plus what the new quads add.

Files whose content is the whole graph (kg.trig, kg.nq, kg.ttl, kg.jsonld, export/, viz/) are not
carried over (a copy would disagree with the store): they are written from the store, by
streaming, when asked (`dumps=True`, `policykg build --dumps`). The files that depend only on the
context (ontology/, vocab/, context.jsonld, ontology.html) are carried over as hard links.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg.build import addlinks, assemble, distributed, output, state, units
from policykg.build.assemble import DEFAULT, INFERRED
from policykg.encoding.records import iri_of
from policykg.link import saved
from policykg.model.namespaces import PID, PKG, RDF, SKOS, STATISTICS_GRAPH
from policykg.store import statistics, union
from policykg.store.load import STORE_DIR
from policykg.validate import checks
from policykg.validate.report import Finding, Report

STATE = "state.json"                       # in the build's cache/: what the build was made of
FORMAT = 1
CONTEXT_FILES = ("ontology", "vocab", "context.jsonld", "ontology.html")
_TYPE, _IN_SCHEME = ox.NamedNode(RDF + "type"), ox.NamedNode(SKOS + "inScheme")


def record(build: Path, context: str, digests: list[str], *, links: bool, files: dict, keys_gen: int = 0,
           links_gen: int | None = None, link_count: int | None = None) -> None:
    """Note in `build`/cache/ what the build was made of (read by the next build's `plan`): the
    context, the units' digests, each file's fingerprint (`state.fingerprints`), and the
    generations of the kept key table and link index (`state.Keys`, `policykg.link.saved`)."""
    folder = Path(build) / "cache"
    folder.mkdir(exist_ok=True)
    data = {"format": FORMAT, "context": context, "links": links, "units": sorted(digests), "files": files,
            "keys_gen": keys_gen}
    if links:
        data |= {"links_gen": links_gen, "link_units": link_count}
    tmp = folder / (STATE + ".tmp")
    tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
    os.replace(tmp, folder / STATE)


def record_full(build: Path, context: str, done: list[units.Unit], link_units: tuple | None,
                stats: dict[str, list[int]]) -> None:
    """`record` for a full build: its key table and link index written anew from all units."""
    folder = Path(build) / "cache"
    folder.mkdir(exist_ok=True)
    state.write_keys(folder / state.KEYS, done)
    (folder / addlinks.LINK_UNITS).unlink(missing_ok=True)              # an older build's form of the link units
    if link_units is not None:
        saved.write(folder / saved.FILE, *link_units)
    else:
        (folder / saved.FILE).unlink(missing_ok=True)
    files = state.fingerprints(stats, {os.path.abspath(u.path): u.digest for u in done})
    record(build, context, [u.digest for u in done], links=link_units is not None, files=files, keys_gen=0,
           links_gen=0, link_count=len(link_units[0]) if link_units is not None else None)


def _state(build: Path) -> dict | None:
    try:
        data = json.loads((build / "cache" / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


@dataclass
class Plan:
    done: list[units.Unit] | None = None       # every unit, when they were compiled to decide
    new: list[units.Unit] | None = None        # the units to add; None: the full build runs
    digests: list[str] = field(default_factory=list)     # of every unit after the add, in the files' order
    files: dict = field(default_factory=dict)  # the fingerprints to record (state.fingerprints)
    keys: "state.Keys | None" = None           # the kept key table, when the new files were checked against it
    state: dict = field(default_factory=dict)  # the earlier build's state


def plan(out_dir: Path, files: list[Path], ctx: units.Context, *, with_links: bool, dumps: bool = False,
         client=None, say: Callable[[str], None] = lambda _m: None, stats: dict | None = None) -> Plan:
    """Whether `out_dir` can take the new files by an add (see the module): `Plan.new` is None when
    the full build must run (also when nothing is new and the dumps are not asked for: building
    again is then a full rebuild, as it always was); `Plan.done` holds the units when they were
    compiled to decide (the full build then uses them). `stats` are the files' fingerprints
    (`state.stat_files`), taken before anything read them. Raises EncodingErrors as the full build would."""
    stats = stats if stats is not None else state.stat_files(files)
    old_state = _state(out_dir) if output.build_id(out_dir) else None
    why = None
    if old_state is None:
        why = "no earlier build here"
    elif old_state.get("context") != ctx.digest:
        why = "the ontology, vocabularies, rules or code changed"
    elif old_state.get("links") != with_links:
        why = "links are asked for differently"
    elif with_links and not ((out_dir / "cache" / saved.FILE).is_file() or (out_dir / "cache" / addlinks.LINK_UNITS).is_file()):
        why = "the earlier build kept no link units"
    elif not (out_dir / STORE_DIR / "CURRENT").is_file() or not (out_dir / "cache" / "units").is_dir():
        why = "the earlier build has no store or no unit cache"
    elif any((out_dir / "extracted").glob("*.nq")):
        why = "the build holds an extracted tier"
    done = None
    if why is None:
        digest_of = state.digests(files, ctx.digest, stats, old_state.get("files") or {})
        old, now = set(old_state["units"]), set(digest_of.values())
        order = list(dict.fromkeys(digest_of[f] for f in files))          # the files' order, for the dumps
        fingerprints = state.fingerprints(stats, {os.path.abspath(f): d for f, d in digest_of.items()})
        if not old <= now:
            why = "a document was changed or removed"
        elif now == old and not dumps:
            why = "nothing new to add"
        else:
            fast = _check_new(out_dir, [f for f in files if digest_of[f] not in old], ctx, old_state) \
                if len(now) == len(files) else None
            if fast is not None:
                new, keys = fast
                return Plan(None, new, order, fingerprints, keys, old_state)
            done = distributed.compile_units(files, ctx.digest, units.default_cache(out_dir), client)
            if any(not u.reused for u in done if u.digest in old):
                why = "a new document changes what an earlier one refers to"
            else:
                return Plan(done, [u for u in done if u.digest not in old], order, fingerprints, None, old_state)
    say(f"full build: {why}")
    return Plan(done)


def _check_new(out_dir: Path, files: list[Path], ctx: units.Context, old_state: dict):
    """(units, key table) of the new `files`, read, checked and compiled against the key table kept
    with the earlier build; None when there is none, or when a new file has a problem or declares a
    key that is already declared, or names a graph of web pages (the whole check then runs, and
    reports it as the full build would)."""
    path = out_dir / "cache" / state.KEYS
    if "keys_gen" not in old_state or not path.is_file():
        return None
    cache = str(units.default_cache(out_dir))
    scans = [units.scan(str(f), ctx.digest, cache) for f in files]
    keys = state.Keys(path, old_state["keys_gen"], ctx.onto.individuals)
    extra = {}
    for sc in scans:
        if sc.broken or sc.errors:
            keys.close()
            return None
        for key, cls, _line in sc.declarations:
            iri = iri_of(key)
            if iri in extra or keys.get(iri) is not None:
                keys.close()
                return None
            extra[iri] = cls
    keys.extra = extra
    new = [units.compile_one(str(sc.path), sc.digest, keys, cache, ctx.digest) for sc in scans]
    if any(u.errors or u.pages for u in new):
        keys.close()
        return None
    return new, keys


def add(out_dir: Path, ctx: units.Context, planned: Plan, *, with_links: bool, dumps: bool = False,
        say: Callable[[str], None] = lambda _m: None,
        lap: Callable[[str], None] = lambda _stage: None) -> tuple[Report, dict]:
    """Stage and swap in the build of `out_dir` plus the `planned.new` units; returns the report and
    counts (`lap(stage)` is called as each stage ends). Raises like `build`; on any error the
    previous build is left as it was (the kept key table and link index may hold rows of a
    generation no build names, which the next add deletes)."""
    new, old_state = planned.new, planned.state
    cache = units.Cache(units.default_cache(out_dir))
    old_report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    result = []
    kept = out_dir / "cache"
    with output.staging(out_dir) as tmp:
        say(f"adding {len(new)} new document(s) to the {len(old_state['units'])} of the earlier build")
        src = ox.Store.read_only(str(out_dir / STORE_DIR))
        src.backup(str(tmp / STORE_DIR))
        del src
        store = ox.Store(str(tmp / STORE_DIR))
        keeps_union = union.has_union(store)     # not in a store recorded before the union stage (stages.py --until)
        lap("copy")
        quads = [q for u in new for path in cache.paths(u.digest) for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)]
        counts = _new_entities(store, quads)
        before = addlinks.known(store, quads) if with_links else set()
        delta = Counter()
        fresh = _absent(store, quads)
        store.extend(fresh)
        delta.update(q.graph_name.value for q in fresh)
        removed = _drop_asserted(store, quads)
        delta.subtract(q.graph_name.value for q in removed)
        lap("store")
        added = assemble.close(store, ctx, {n for u in new for n in u.join_nodes}, frozenset(ctx.base_nodes))
        delta.update(q.graph_name.value for q in added)
        lap("reason")
        (tmp / "cache").mkdir()
        links_gen = link_count = None
        link_quads = []
        if with_links:
            link_quads, links_gen, link_count = addlinks.links(kept, tmp / "cache", store, quads, before, old_state)
        _merge(counts, _new_entities(store, link_quads))
        store.extend(link_quads)
        delta.update(q.graph_name.value for q in link_quads)
        if keeps_union:
            store.extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in fresh + added + link_quads)
        lap("link")
        stats_added, stats_removed = statistics.update(store, quads + added)
        delta.update(STATISTICS_GRAPH for _ in stats_added)
        delta.subtract(STATISTICS_GRAPH for _ in stats_removed)
        lap("statistics")
        touched = {q.subject for q in fresh + removed + added + link_quads}
        report = _checks(store, ctx, touched, old_report["validation"])
        lap("checks")
        data = _counts(old_report, delta, counts, quads)
        data["validation"] = report.to_dict()
        if dumps:
            everyone = planned.done or [cache.meta(d) for d in planned.digests]
            _write_dumps(store, tmp, ctx, everyone, cache, say)
            lap("serialize")
        _carry(out_dir, tmp)
        from policykg.build import summary
        (tmp / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
        (tmp / "report.md").write_text(summary.markdown(data), encoding="utf-8")
        lap("report")
        store.flush()
        del store
        keys_gen = _keys(kept, tmp / "cache", planned)
        record(tmp, ctx.digest, planned.digests, links=with_links, files=planned.files, keys_gen=keys_gen,
               links_gen=links_gen, link_count=link_count)
        for name in ("units", state.KEYS, saved.FILE):           # the cache moves on with the build
            if (kept / name).exists() and not (tmp / "cache" / name).exists():
                (kept / name).rename(tmp / "cache" / name)
        result.append((report, {"quads": data["quads"], "units_added": len(new), "sources": len(planned.digests),
                                "units_reused": len(planned.digests) - len(new), "units_compiled": 0,
                                "inferred_stated_elsewhere": len(removed),
                                "inferred_across_sources": len(added),
                                "link_quads_added": len(link_quads)}))
    return result[0]


def _keys(kept: Path, cache: Path, planned: Plan) -> int:
    """The key table after the add: the kept one with the new declarations as its next generation,
    or (a build that kept none) one written anew into `cache` from all units. Returns its generation."""
    declarations = ((iri_of(key), cls) for u in planned.new for key, cls, _line in u.declarations)
    if planned.keys is not None:
        planned.keys.add(declarations)
        planned.keys.close()
        return planned.keys.gen
    state.write_keys(cache / state.KEYS, planned.done)
    return 0


def _absent(store: ox.Store, quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads (each once) that the store does not hold yet."""
    return [q for q in dict.fromkeys(quads) if q not in store]


def _new_entities(store: ox.Store, quads: list[ox.Quad]) -> dict:
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


def _merge(counts: dict, more: dict) -> None:
    for k, c in more.items():
        counts[k].update(c)


def _class(c: ox.NamedNode) -> str:
    return c.value.rsplit("#", 1)[-1]


def _stated(store: ox.Store, q: ox.Quad) -> bool:
    """The triple of `q` in a named graph other than the inferred one."""
    return any(x.graph_name not in (INFERRED, DEFAULT) for x in store.quads_for_pattern(q.subject, q.predicate, q.object))


def _drop_asserted(store: ox.Store, quads: list[ox.Quad]) -> list[ox.Quad]:
    """`assemble.drop_asserted` for the new quads, both ways: what they infer that another source
    states, and what earlier sources inferred that they state. Claims and evidence (local to one
    source) are left alone, as there."""
    gone = []
    for q in dict.fromkeys(quads):
        if q.subject.value.startswith(units.PROVENANCE) or \
                (isinstance(q.object, ox.NamedNode) and q.object.value.startswith(units.PROVENANCE)):
            continue
        if q.graph_name == INFERRED:
            hit = q if q in store and _stated(store, q) else None
        else:
            hit = ox.Quad(q.subject, q.predicate, q.object, INFERRED)
            hit = hit if hit in store else None
        if hit is not None:
            store.remove(hit)
            gone.append(hit)
    return gone


def _data_checks() -> list[checks.Check]:
    return [c for c in checks.load_checks() if c.scope == "data"]


def _checks(store: ox.Store, ctx: units.Context, touched: set, old: dict) -> Report:
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


def _counts(old: dict, delta: Counter, new: dict, quads: list[ox.Quad]) -> dict:
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


def _carry(old: Path, new: Path) -> None:
    """Hard-link the files that depend only on the context from the earlier build (those not
    written anew: a hard link is never written into)."""
    for name in CONTEXT_FILES:
        src = old / name
        if (new / name).exists():
            continue
        if src.is_dir():
            shutil.copytree(src, new / name, copy_function=os.link)
        elif src.is_file():
            os.link(src, new / name)


def _write_dumps(store: ox.Store, tmp: Path, ctx: units.Context, done: list[units.Unit], cache: units.Cache, say) -> None:
    """The whole-graph files, as the full build writes them: the sources' graphs (which an add
    leaves as they were) from their cached files, the merged graphs from the store by streaming."""
    from policykg.build import publish
    from policykg.export import write as export
    from policykg.store import dumps
    say("writing TriG, N-Quads, Turtle and JSON-LD")
    dumps.write_store(store, tmp, *assemble.dump_parts(ctx, done, cache))
    publish.write_all(store, tmp)
    say("writing the flat tables (CSV) and their codebook")
    export.export(store, tmp / "export", ("csv",))
