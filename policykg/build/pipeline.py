"""`policykg build`: ontology + encodings → RDF dataset, checks, and the files in build/."""

from __future__ import annotations

import gc
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg import paths
from policykg.build import assemble, beside as beside_, distributed, output, units
from policykg.store import dumps as serialize, union
from policykg.store.load import STORE_DIR
from policykg.encoding import compile as compiler, reader as encoding
from policykg.encoding.records import SourceEncoding
from policykg.encoding.files import document_files
from policykg.model import ontology, reason
from policykg.query import index, index_file
from policykg.validate import checks, validate as validation
from policykg.validate.report import Report


@dataclass
class Dataset:
    store: ox.Store
    onto: ontology.Ontology
    encodings: list[SourceEncoding]
    report: Report = field(default_factory=Report)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)




def compile_dataset(documents_dir: Path | None = None, *, extra_files: list[Path] = (),
                    materialize: bool = True, run_checks: bool = True,
                    progress: Callable[[str], None] | None = None) -> Dataset:
    """Everything up to serialization, in memory and in one pass over all sources (the reference
    that `build`'s per-source path is tested against). Raises InputError on bad input."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}

    def stage(name):
        timings[name] = time.perf_counter()

    stage("ontology")
    say("loading ontology and vocabularies")
    onto = ontology.load()
    stage("encodings")
    files = document_files(documents_dir) + list(extra_files)
    say(f"reading {len(files)} encodings")
    encs = encoding.read_all(onto, files)
    stage("compile")
    quads = compiler.compile_all(encs)
    onto.store.extend(quads)
    if materialize:
        stage("reason")
        say("materializing OWL 2 RL entailments")
        reason.materialize(onto.store)
    if materialize:                            # links compare what parts and actions lift to documents
        stage("link")
        say("computing links between policies")
        from policykg.link import compute as link, output as link_output
        link_output.replace_links(onto.store, link.iter_links(onto.store))
    report = Report()
    if run_checks:
        stage("checks")
        say("running zero-row checks")
        report = checks.run_checks(onto.store)
    stage("end")
    names = list(timings)
    durations = {names[i]: timings[names[i + 1]] - timings[names[i]] for i in range(len(names) - 1)}
    return Dataset(onto.store, onto, encs, report, durations)


def build(out_dir: Path | str | None = None, documents: list[Path] | None = None, *,
          with_pages: bool = True, with_links: bool = True, client=None, force: bool = False,
          progress: Callable[[str], None] | None = None, documents_dir: Path | None = None,
          full: bool = False, dumps: bool = False, with_answers: bool = True, beside: bool | None = None) -> Dataset:
    """Build into `out_dir` (default: `paths.build_dir()`) from the encodings of the folders
    `documents` (default: kg/documents/; `documents_dir` names one folder). Each source is read, checked and compiled on its own
    (on the workers of the Dask `client` when given), reusing the units of the last build that are
    unchanged; then the store is loaded, the reasoning finished, links and checks run, and the
    files written. When `out_dir` holds an earlier build of the same documents plus new ones, only
    the new ones are added to it (policykg.build.incremental; `full` forces the whole build, and
    `dumps` makes the add write the whole-graph files too; `with_answers=False` leaves out the stored
    answers of the listing queries, policykg.query.stored, which then run on the engine; `beside`
    runs the dumps but kg.nq and the flat tables in processes of their own while the build goes on,
    policykg.build.beside: None decides by the build's size). Raises
    InputError on bad input; the previous build is left intact (see policykg.build.output for which
    folders may be replaced)."""
    say = progress or (lambda _msg: None)
    out_dir = output.target(out_dir if out_dir is not None else paths.build_dir())
    output.check(out_dir, force)               # refuse a folder we may not replace before working
    timings: dict[str, float] = {}
    t = [time.perf_counter()]

    def lap(name):
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - t[0]
        t[0] = now

    files = units.document_paths(documents or ([Path(documents_dir)] if documents_dir else None))
    from policykg.build import addplan, incremental, state
    stats = state.stat_files(files)            # before anything reads them (policykg.build.state)
    ctx = units.Context.get()
    lap("ontology")
    planned = None
    if not (full or force):
        planned = addplan.plan(out_dir, files, ctx, with_links=with_links, dumps=dumps, client=client, say=say,
                               stats=stats)
        lap("encodings")
        if planned.new is not None:
            report, counts = incremental.add(out_dir, ctx, planned, with_links=with_links, dumps=dumps, say=say, lap=lap)
            ds = Dataset(ox.Store.read_only(str(out_dir / STORE_DIR)), ctx.onto, planned.done or planned.new, report,
                         timings)
            ds.counts = counts | {"path": "add"}
            return ds
    old_cache = out_dir / "cache" if output.build_id(out_dir) else None   # only a build's own cache
    ds_box: list[Dataset] = []

    def write(tmp: Path) -> None:
        cache = units.Cache(units.default_cache(out_dir if old_cache and old_cache.is_dir() else tmp))
        link_units = None
        say(f"reading, checking and compiling {len(files)} encodings")
        done = planned.done if planned and planned.done else distributed.compile_units(files, ctx.digest, cache.folder, client)
        cache.prune({u.digest for u in done})
        lap("encodings")
        say("loading the store and finishing the reasoning")
        store, counts = assemble.build_store(tmp / STORE_DIR, ctx, done, cache)
        counts["units_reused"] = sum(u.reused for u in done)
        counts["units_compiled"] = len(done) - counts["units_reused"]
        counts["path"] = "full"
        lap("store")
        if with_links:                         # links compare what parts and actions lift to documents
            say("computing links between policies")
            from policykg.link import compute as link, graph as link_graph, output as link_output
            link_units = link_graph.units(store), link_graph.actions(store)   # kept for adding documents later
            link_output.replace_links(store, link.iter_links(store, us=link_units[0], acts=link_units[1]))
            lap("link")
        say("running zero-row checks")
        report = checks.run_checks(store, ontology_store=ctx.onto.store)
        lap("checks")
        ds = Dataset(store, ctx.onto, done, report, timings)
        ds.counts = counts
        counts["quads"] = len(store)
        aside = beside_.Beside(tmp) if beside_.wanted(counts["quads"], beside) else None
        try:
            _write_files(store, tmp, assemble.dump_parts(ctx, done, cache), aside, say, lap)
            _write_indexes(ds, store, tmp, counts, with_pages=with_pages, with_answers=with_answers,
                           names=aside is None, say=say, lap=lap)
            if aside is not None:
                say("waiting for the stages beside the build")
                for name, got in aside.wait().items():
                    timings[f"{name} (beside)"] = got["seconds"]
                    counts.setdefault("beside", {})[name] = got
                lap("wait")
        except BaseException:
            if aside is not None:
                aside.stop()
            raise
        for checkpoint in (beside_.CHECKPOINT, beside_.NAMES_CHECKPOINT):   # ours, if a process left it
            shutil.rmtree(tmp / checkpoint, ignore_errors=True)
        from policykg.query import name_index
        name_index.forget(store)               # the pages and tables indexed it
        ds.store = None
        del store
        gc.collect()                           # closes the store before its folder moves
        index.mark_current(tmp)                # as new as the store, whose closing rewrote its manifest
        if old_cache and old_cache.is_dir():
            old_cache.rename(tmp / "cache")     # the cache moves on with the new build
        state.record_full(tmp, ctx.digest, done, link_units, stats)    # what the next build may add to
        ds_box.append(ds)

    with output.staging(out_dir, force=force) as tmp:
        write(tmp)
    ds = ds_box[0]
    ds.store = ox.Store.read_only(str(out_dir / STORE_DIR))
    return ds


def record(folder: Path, ds: Dataset, digest: str, link_units: tuple | None, stats: dict[str, list[int]], *,
           report: bool = True) -> None:
    """Record `folder`, into which the build's stages up to some point wrote their files (at least
    the store: `benchmarks/stages.py --until`), as a complete build of `ds`: report.json and
    report.md (counts read from ds.store; the findings of ds.report, none when the checks were not
    run; `report=False` when both files are written already), what a later build adds documents
    to (`state.record_full`: `digest` is the context's, `link_units` those of the link stage
    when it ran, `stats` from `state.stat_files` taken before the files were read), and the build
    marker. The folder then opens with `policykg.open()` and `policykg query`, and
    `policykg build --documents ... --out folder` adds to it. The caller drops ds.store afterwards;
    nothing else may write into the folder meanwhile."""
    from policykg.build import state
    if report:
        write_report(ds, folder)
    ds.store.flush()
    state.record_full(folder, digest, ds.encodings, link_units, stats)
    output.write_marker(folder, complete=True)


def write_report(ds: Dataset, tmp: Path) -> None:
    """report.json and report.md of `ds` in the folder `tmp`."""
    from policykg.build import summary as buildreport
    data = buildreport.as_dict(ds)             # the counts once, for both files
    (tmp / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                     encoding="utf-8")
    report_md = buildreport.markdown(data)
    stats_md = tmp / "viz" / "stats.md"
    if stats_md.is_file():                     # network analytics of the pages, as a section of the report
        section = stats_md.read_text(encoding="utf-8").split("\n", 1)[1].lstrip().replace("\n## ", "\n### ")
        report_md += "\n## Network analytics\n\n" + section
    (tmp / "report.md").write_text(report_md, encoding="utf-8")


def _write_pages(ds: Dataset, tmp: Path, say) -> None:
    """The network pages, when the viz module is present."""
    try:
        from policykg.viz import pages
    except ImportError:
        return
    t = time.perf_counter()
    say("writing the network pages")
    pages.write_all(ds.store, tmp / "viz", matrix=False)   # the static picture is `policykg viz`'s job
    ds.timings["viz"] = time.perf_counter() - t


def validate(shacl: bool = True, hermit: bool = True, progress: Callable[[str], None] | None = None) -> Report:
    """`policykg validate`: compile the graph, then the zero-row checks, SHACL shapes and HermiT."""
    say = progress or (lambda _m: None)
    ds = compile_dataset(progress=progress)
    report = Report()
    report.extend(ds.report)
    if shacl:
        say("validating SHACL shapes (pySHACL)")
        report.extend(validation.shacl_report(ds.store))
    if hermit:
        say("checking OWL 2 DL consistency (HermiT)")
        report.extend(validation.hermit_report(ds.store))
    return report


def _write_files(store: ox.Store, tmp: Path, parts: tuple[list, set[str]], aside, say, lap) -> None:
    """The dumps, the union in the store, the ontology's files and the flat tables; with `aside`
    (policykg.build.beside), the dumps but kg.nq and the tables are written in processes of their own."""
    parts_, covered = serialize.as_parts(parts[0]), parts[1]
    say("writing TriG, N-Quads, Turtle and JSON-LD" if aside is None else
        "writing N-Quads (TriG, Turtle and JSON-LD beside the build)")
    _nq, tail = serialize.write_nquads(store, tmp, parts_, covered)
    if aside is None:
        serialize.write_converted(tmp, parts_, tail)
    else:
        aside.start("dumps", beside_.dumps_args(tmp, parts_, tail))
    lap("serialize")
    say("adding the union of the graphs to the store")       # set semantics for queries (store.union)
    union.load(store, tmp / "kg.nq")
    lap("union")
    from policykg.build import publish
    say("writing the ontology in RDF/XML and its OWL 2 DL profile, and the vocabularies")
    publish.write_all(store, tmp)
    if aside is None:
        from policykg.export import write as export
        say("writing the flat tables (CSV) and their codebook")
        export.export(store, tmp / "export", ("csv",))
    else:
        say("writing the flat tables (CSV) and the name index beside the build, from checkpoints of the store")
        store.flush()
        for stage, checkpoint, out in (("export", beside_.CHECKPOINT, tmp / "export"),
                                       ("names", beside_.NAMES_CHECKPOINT, tmp)):
            store.backup(str(tmp / checkpoint))     # one each: each process removes its own when done
            aside.start(stage, {"checkpoint": str(tmp / checkpoint), "out": str(out)})
    lap("publish")


def _write_indexes(ds: Dataset, store: ox.Store, tmp: Path, counts: dict, *, with_pages: bool, with_answers: bool,
                   names: bool = True, say, lap) -> None:
    """The statistics graph, the pages, the report, the name index (unless `names` is False: it is
    written beside the build) and the stored answers."""
    say("counting the statistics graph")    # after the files from the union: not in them
    from policykg.store import statistics
    counts["statistics_quads"] = statistics.write(store)
    lap("statistics")
    if with_pages:
        from policykg.build import ontodoc
        say("writing the ontology reference page")
        ontodoc.write(store, tmp / "ontology.html")
        lap("docs")
        _write_pages(ds, tmp, say)
    write_report(ds, tmp)
    lap("report")
    if names:
        store.flush()
        index_file.write(store, tmp)       # the name index, so that a query need not rebuild it
        lap("index")
    if with_answers:
        say("storing the answers of the listing queries")
        from policykg.query import stored
        counts["stored_answers"] = stored.write(store, tmp)    # read a page at a time (query.stored)
        lap("answers")
