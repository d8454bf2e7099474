"""Adding documents to a built corpus without rebuilding it (docs/decisions/0010-adding-documents.md).

Whether a build can take the new files by an add is decided by `policykg.build.addplan`; this
module stages the add. The new build is staged like a full one (`output.staging`), so the previous
build stays complete and usable until the atomic swap. Its work is bounded by the new units, never
by the corpus:
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
  holding just their triples; the ontology's checks (same context) keep their results
  (`policykg.build.addreport`);
- the statistics graph (policykg.store.statistics) is recomputed for what the new quads can
  change: the claimed triples about the entities the new claims describe, the new claims' sources
  and their pairs; the counts of the instruments and sectors they name and of the pairs of the new
  measures and actions are moved by the items and sources that count for them now and did not in
  the earlier store, which stays open read-only for that (`statistics.usage_delta`);
- the report's counts are the previous ones plus what the new quads add (`policykg.build.addreport`).

Files whose content is the whole graph (kg.trig, kg.nq, kg.ttl, kg.jsonld, export/, viz/) are not
carried over (a copy would disagree with the store): they are written from the store, by
streaming, when asked (`dumps=True`, `policykg build --dumps`). The files that depend only on the
context (ontology/, vocab/, context.jsonld, ontology.html) are carried over as hard links. The name
index is the earlier build's file (a hard link) with a layer of the entities the add brought or
changed (policykg.query.index_layer); where no layer can be written, the first reader writes the
whole index (policykg.query.name_index). The stored answers of the listing queries
(policykg.query.stored) are not written: the first call of such a query keeps its answer, computed
on the new store, for the next calls (policykg.query.kept).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg.build import addlinks, addreport, assemble, output, state, units
from policykg.build.addplan import Plan
from policykg.build.assemble import DEFAULT, INFERRED
from policykg.encoding.records import iri_of
from policykg.link import saved
from policykg.model.namespaces import STATISTICS_GRAPH
from policykg.query import index_layer
from policykg.query.index import FOLDER as INDEX_FOLDER
from policykg.store import statistics, union
from policykg.store.load import STORE_DIR
from policykg.validate.report import Report

CONTEXT_FILES = ("ontology", "vocab", "context.jsonld", "ontology.html")


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
        earlier = ox.Store.read_only(str(out_dir / STORE_DIR))     # kept open: the statistics read what it held
        earlier.backup(str(tmp / STORE_DIR))
        store = ox.Store(str(tmp / STORE_DIR))
        keeps_union = union.has_union(store)     # not in a store recorded before the union stage (stages.py --until)
        lap("copy")
        quads = [q for u in new for path in cache.paths(u.digest) for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)]
        counts = addreport.new_entities(store, quads)
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
        addreport.merge(counts, addreport.new_entities(store, link_quads))
        store.extend(link_quads)
        delta.update(q.graph_name.value for q in link_quads)
        if keeps_union:
            store.extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in fresh + added + link_quads)
        lap("link")
        stats_added, stats_removed = statistics.update(store, quads + added, before=earlier)
        delta.update(STATISTICS_GRAPH for _ in stats_added)
        delta.subtract(STATISTICS_GRAPH for _ in stats_removed)
        lap("statistics")
        touched = {q.subject for q in fresh + removed + added + link_quads}
        report = addreport.recheck(store, ctx, touched, old_report["validation"])
        lap("checks")
        data = addreport.counts(old_report, delta, counts, quads)
        data["validation"] = report.to_dict()
        if dumps:
            everyone = planned.done or [cache.meta(d) for d in planned.digests]
            _write_dumps(store, tmp, ctx, everyone, cache, say)
            lap("serialize")
        _carry(out_dir, tmp)
        (tmp / INDEX_FOLDER).mkdir(exist_ok=True)   # the listing queries run on the engine (query.stored)
        layer = index_layer.write(store, earlier, quads + added + link_quads, out_dir, tmp)
        lap("index")
        from policykg.build import summary
        (tmp / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
        (tmp / "report.md").write_text(summary.markdown(data), encoding="utf-8")
        lap("report")
        store.flush()
        del store, earlier
        gc.collect()                                # closes the store now, not when a cycle holding it is freed
        if layer is not None:
            os.utime(layer)                         # closing the store made it newer than the layer
        keys_gen = _keys(kept, tmp / "cache", planned)
        state.record(tmp, ctx.digest, planned.digests, links=with_links, files=planned.files, keys_gen=keys_gen,
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
