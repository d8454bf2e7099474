"""The name index of a build that documents were added to: the earlier build's index file and a
layer beside it (index/names-added.sqlite) holding what the add changed.

Writing the whole index again reads every name of the store: as long as the build's index stage
(249 s at 10,000 policies, docs/scale.md), which the first query by name after an add used to pay.
An add instead hard-links the earlier build's file (`index/names.sqlite`, never written into) into
the new build, and writes the layer: the file's tables (entries, names, numbers, the finder's pool
of `finder.Pool`) for the entities the add brought or changed, each entry whole, and `shadow`, the
file's pool entities that the layer replaces. A reader (`index.read`) attaches the layer to the
file: the layer's entry of an entity replaces the file's, names are looked up in both, and the
finder leaves out the shadowed pool rows (`finder._parts`). The layer holds for the file it was
written over (`meta.base`: that file's inode and size) and a store not newer than itself.

The entities of the layer:
- those a new quad describes by a name property (`index.FIELDS`) or a class: new entities, and a
  new label or class of an earlier one (an entry is read whole from the store: its names, classes,
  sources);
- those whose count of sources moves: the subjects and objects (IRIs) of the new claims. An
  earlier entity's count is its entry's plus the sources of new claims about it that stated no claim
  about it in the earlier store (`before`, the earlier build's store, unchanged by the add); a new
  entity's is counted from the store (its claims);
- those of the earlier build's layer, carried over: a layer holds every entity added or changed
  since the last full build, and grows with the adds, not with the corpus.

No layer is written (`write` returns None, and the first reader writes the whole index again, as
name_index does) when the earlier build's index is missing or older than its store, or when a new
quad makes an earlier entity a claim or an evidence node (which the index leaves out).

Cost: a few store lookups per entity of the layer and per new claim, plus one pass over the file's
pool entities (their IRIs, to find the shadowed ones: 0.3 s at 10,000 policies); memory: the
layer's entries. The file itself is not read but through lookups.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import PKG, RDF, STATISTICS_GRAPH
from policykg.query import index_file
from policykg.query.finder import Pool
from policykg.query.index import (_FIELD_OF, _NOT_ENTITIES, _TERM_TYPES, FIELDS, VERSION, Entry, entry_of, identity,
                                  layer_path, path, read, replacing)
from policykg.store import union

TYPE = ox.NamedNode(RDF + "type")
SUBJ, OBJ = ox.NamedNode(RDF + "subject"), ox.NamedNode(RDF + "object")
CLAIM, STATED_IN = ox.NamedNode(PKG + "Claim"), ox.NamedNode(PKG + "statedIn")
TERM_TYPES = frozenset(t.strip("<>") for t in _TERM_TYPES.split())
NOT_ENTITIES = frozenset(_NOT_ENTITIES)
NAME_PROPS = frozenset(ox.NamedNode(p) for p in _FIELD_OF)
STATISTICS = ox.NamedNode(STATISTICS_GRAPH)


def _reader(store: ox.Store) -> union.Reader:
    return union.Reader(store, skip=STATISTICS)


def write(store: ox.Store, before: ox.Store, new: list[ox.Quad], earlier: Path, build: Path) -> Path | None:
    """Write the layer of the build in `build` (its index folder) over the index of the `earlier`
    build, whose store is `before`; `new` are the quads the add put in `store`. Returns the layer's
    path, or None when no layer can be written (see the module's docstring)."""
    from policykg.store import load
    old = read(earlier, load.stamp(earlier / load.STORE_DIR))
    if old is None:
        return None
    now, was = _reader(store), _reader(before)
    described = {q.subject for q in new if isinstance(q.subject, ox.NamedNode)
                 and (q.predicate in NAME_PROPS or q.predicate == TYPE)}
    gained = _new_sources(now, was, new)
    for iri in described:
        if {t.value for _, _, t in now.triples(iri, TYPE, None)} & NOT_ENTITIES and old.entries.get(iri.value) is not None:
            return None
    above = index_file.supers(store)
    entries = {}
    for iri in described | set(gained):
        prior = old.entries.get(iri.value)
        entry = _entry(now, iri, above, prior, gained.get(iri, set()))
        if entry is not None:
            entries[iri.value] = entry
    if old.layered:
        for iri, data in old.db.execute("SELECT iri, data FROM added.entries"):
            if iri not in entries:
                entries[iri] = entry_of(iri, data)
    base, target = path(build), layer_path(build)
    if os.path.lexists(base) or os.path.lexists(target):
        return None                          # not the empty index folder of a build being staged
    os.link(path(earlier), base)
    with replacing(target) as tmp:
        _write(tmp, base, [entries[k] for k in sorted(entries)])
    return target


def _new_sources(now: union.Reader, was: union.Reader, new: list[ox.Quad]) -> dict:
    """Entity -> the sources that state a claim about it in `now` and did not in `was`, for the
    entities of the claims the new quads describe."""
    claims = {q.subject for q in new if q.predicate in (SUBJ, OBJ, STATED_IN) or q.predicate == TYPE and q.object == CLAIM}
    stated = {}                       # source -> what its claims were about in `was`

    def about(src) -> set:
        if src not in stated:
            stated[src] = {o for c, _, _ in was.triples(None, STATED_IN, src) if was.has(c, TYPE, CLAIM)
                           for p in (SUBJ, OBJ) for _, _, o in was.triples(c, p, None) if isinstance(o, ox.NamedNode)}
        return stated[src]

    gained = defaultdict(set)
    for c in claims:
        if not now.has(c, TYPE, CLAIM):
            continue
        ents = {o for p in (SUBJ, OBJ) for _, _, o in now.triples(c, p, None) if isinstance(o, ox.NamedNode)}
        for _, _, src in now.triples(c, STATED_IN, None):
            for e in ents - about(src):
                gained[e].add(src)
    return gained


def _entry(now: union.Reader, iri: ox.NamedNode, above: dict, prior: Entry | None, gained: set) -> Entry | None:
    """The entity's entry as `index.build` makes it from the store, its source count moved from
    `prior` by `gained`; None when it has no name (not an entity of the index)."""
    names = defaultdict(list)          # one value per distinct statement, as the index's query gives them
    for _, p, o in now.triples(iri, None, None):
        if p in NAME_PROPS and isinstance(o, ox.Literal):
            names[_FIELD_OF[p.value]].append((o.value, o.language or ""))
    if not names:
        return None
    types = {t.value for _, _, t in now.triples(iri, TYPE, None) if isinstance(t, ox.NamedNode)
             and (t.value.startswith(PKG) or t.value in TERM_TYPES)}
    if types & NOT_ENTITIES:
        return None
    implied = set().union(*(above.get(t, set()) for t in types))
    entry = Entry(iri.value, classes=sorted(types - implied) + sorted(types & implied))
    for fld in FIELDS:
        if names.get(fld):
            entry.names[fld] = sorted(names[fld], key=lambda v: (v[1] not in ("en", "zh"), v[1], v[0]))
    entry.sources = prior.sources + len(gained) if prior is not None else _sources(now, iri)
    return entry


def _sources(now: union.Reader, iri: ox.NamedNode) -> int:
    """How many sources state a claim (typed `pkg:Claim`) about `iri`, as its subject or object."""
    claims = {c for p in (SUBJ, OBJ) for c, _, _ in now.triples(None, p, iri)}
    return len({src for c in claims if now.has(c, TYPE, CLAIM) for _, _, src in now.triples(c, STATED_IN, None)})


def _write(tmp: Path, base: Path, entries: list[Entry]) -> None:
    src = sqlite3.connect(f"file:{base}?mode=ro&immutable=1", uri=True)
    try:
        after = src.execute("SELECT COALESCE(MAX(eid), 0) FROM pool_ents").fetchone()[0], \
            src.execute("SELECT COALESCE(MAX(id), 0) FROM pool").fetchone()[0]
        mine = {e.iri for e in entries}
        shadow = [(eid,) for eid, iri in src.execute("SELECT eid, iri FROM pool_ents") if iri in mine]
    finally:
        src.close()
    db = sqlite3.connect(tmp)
    try:
        db.executescript(index_file.TABLES + "CREATE TABLE shadow (eid INTEGER PRIMARY KEY);")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("version", VERSION), ("base", identity(base))])
        db.executemany("INSERT INTO shadow VALUES (?)", shadow)
        index_file.write_entries(db, entries, Pool(db, after))
        db.executescript(index_file.INDEXES)
        db.commit()
    finally:
        db.close()
