"""Links of a build: computed over the built store and written back into its dumps, and the links of
a policy encoded in another file (`policykg link --with FILE`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from policykg.store import dumps as serialize
from policykg.encoding import compile as compiler, files, reader as encoding
from policykg.errors import InputError
from policykg.link.compute import DEFAULT_K, DEFAULT_MIN_SCORE, LINK_TYPES, Link, compute, iter_links
from policykg.link.graph import units
from policykg.link.output import add_in_batches, remove_links, replace_links
from policykg.model.namespaces import LINKS_GRAPH
from policykg.model import ontology, reason
from policykg.query import index_file
from policykg.store import load as dataset, union

UNION_BATCH = 200_000   # new link quads copied into the default graph per call of the bulk loader


def write_build(build_dir: Path | str | None = None, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
                sink: Callable[[Link, ox.Store], None] | None = None,
                progress: Callable[[str], None] | None = None) -> tuple[dict[str, int], ox.Store]:
    """Compute the links of a build and write them into it: into its on-disk store when it has one
    (opened for writing), else into a store loaded from kg.nq; then the dumps (kg.nq, kg.trig,
    kg.ttl, kg.jsonld) are rewritten. The links stream from the computation into the store, each
    one also given to `sink(link, store)` (to print or write some of them): they are never all held at once.
    With an on-disk store, the build's name index (policykg.query.index_file) is then written again:
    it names the links, and a file older than the store is not read, so every later query process
    would build the index of all entities in its own memory.
    `progress(step)` is called as each step begins ("remove", "compute", "union", "dumps", "index").
    Returns the number of links of each type and the store."""
    say = progress or (lambda _step: None)
    build = dataset.nquads(build_dir).parent
    folder = dataset.store_dir(build_dir)
    if folder is not None:                      # an on-disk store: update it in place
        dataset.forget()
        store = ox.Store(str(folder))
        write = serialize.write_store
    else:
        store = ox.Store()
        store.bulk_load(path=str(build / "kg.nq"), format=ox.RdfFormat.N_QUADS)
        write = serialize.write_all
    g = ox.NamedNode(LINKS_GRAPH)
    say("remove")
    keeps_union = union.has_union(store)
    remove_links(store, union=keeps_union)  # before computing: the links must not see old links; bounded batches
    counts = dict.fromkeys(LINK_TYPES, 0)

    def each(links):
        for l in links:
            counts[l.type] += 1
            if sink is not None:
                sink(l, store)
            yield l

    say("compute")
    replace_links(store, each(iter_links(store, min_score=min_score, k=k)))
    say("union")
    if keeps_union:                         # and the new ones join it, by batches (the bulk loader holds one)
        add_in_batches(store, (ox.Quad(q.subject, q.predicate, q.object, union.DEFAULT)
                               for q in store.quads_for_pattern(None, None, None, g)), UNION_BATCH)
    if folder is not None:
        store.flush()       # into the store's files: a read-only open would otherwise replay the write log in memory
    say("dumps")
    write(store, build)
    if folder is not None:
        say("index")
        index_file.write(store, build)
    dataset.forget()
    return counts, store


def relate(encoding_file: Path | str, build_dir: Path | str | None = None, *, min_score: float = DEFAULT_MIN_SCORE,
           documents_dir: Path | None = None, k: int = DEFAULT_K) -> tuple[list[Link], ox.Store, set[str]]:
    """How the policy encoded in `encoding_file` relates to everything in the built graph.

    The file is checked like a built-in encoding (same format, keys resolved against the built-in
    encodings and vocabularies), compiled into its own graph and compared with every unit.
    Returns the links with one end in the file, the combined store and the file's units.
    """
    path = dataset.nquads(build_dir)
    onto = ontology.load()
    extra = Path(encoding_file)
    if not extra.is_file():
        raise InputError("no such file", path=extra, fix="give the path of a YAML encoding (docs/encoding.md)")
    chosen = [f for f in files.document_files(documents_dir) if f.resolve() != extra.resolve()] + [extra]
    encs = encoding.read_all(onto, chosen)
    mine = [e for e in encs if e.path == extra]
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    for e in mine:
        if ox.NamedNode(e.graph) in set(store.named_graphs()):
            store.remove_graph(ox.NamedNode(e.graph))
        store.extend(compiler.compile_source(e))
    reason.materialize(store)
    graphs = {e.graph for e in mine}
    declared = {d.iri for e in mine for d in e.declarations}
    subjects = {f.subject for e in mine for f in e.facts}
    us = units(store)
    own = {x for x, u in us.items() if x in declared or x in subjects or u.document in declared}
    if not own:
        raise InputError("the file encodes no policy document or measure", path=extra,
                         fix="declare a document (type Notice, WorkPlan, ...) or give facts about one")
    links = compute(store, min_score=min_score, k=k, only=own)
    return links, store, own
