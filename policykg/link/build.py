"""Links of a build: computed over the built store and written back into its dumps, and the links of
a policy encoded in another file (`policykg link --with FILE`)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from policykg.store import dumps as serialize, jsonld
from policykg.encoding import compile as compiler, files, reader as encoding
from policykg.errors import InputError
from policykg.link.compute import DEFAULT_MIN_SCORE, LINKS_GRAPH, Link, compute, replace_links, units
from policykg.model import ontology, reason
from policykg.store import load as dataset


def write_build(build_dir: Path | str | None = None, *, min_score: float = DEFAULT_MIN_SCORE) -> tuple[list[Link], ox.Store]:
    """Compute the links of a build and write them into its files (kg.nq, kg.trig, kg.ttl, kg.jsonld)."""
    path = dataset.nquads(build_dir)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    g = ox.NamedNode(LINKS_GRAPH)
    if g in set(store.named_graphs()):
        store.remove_graph(g)
    links = compute(store, min_score=min_score)
    replace_links(store, links)
    serialize.write_all(store, path.parent)
    jsonld.write(store, path.parent)
    dataset._load.cache_clear()
    return links, store


def relate(encoding_file: Path | str, build_dir: Path | str | None = None, *, min_score: float = DEFAULT_MIN_SCORE,
           documents_dir: Path | None = None) -> tuple[list[Link], ox.Store, set[str]]:
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
    links = compute(store, min_score=min_score, only=own)
    return links, store, own
