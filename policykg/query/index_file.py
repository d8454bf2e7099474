"""The name index written into the build (build/index/names.sqlite), so a query process need not rebuild it.

`policykg build` calls `write(store, build_dir)` once its store is final. `name_index.index()` then gives
a `StoredIndex` that reads the file as it is asked (an SQLite database: one row per entity, one per name,
looked up through SQLite's own B-tree indexes), so resolving a name in a new process costs a few
lookups at any size of the graph. It is used when the store is a build's on-disk store
(`policykg.store.load`) and the file is not older than that store; otherwise `name_index.index()`
writes the file again or builds the index in memory, within a bound (name_index.py). `search`, the
suggestions for an unknown name and the catalogue queries that match names (`candidates.py`) read
the file's candidate tables (`finder.py`: the names of the entities users look up, an FTS5 trigram
index over them) instead of every entity; whatever else walks every entity (exports) reads the
whole file once. Version 2 of the file added those tables; a file of another version is not read.

`write` holds no index in memory: the rows of the index's queries (names, types, source counts)
are copied into temporary tables of the file being written, read back sorted by IRI (SQLite
sorts on disk), and each entity's row and name rows are written as soon as its rows are read.
Bound: the class hierarchy (the ontology's, small), one entity, and `_BATCH` rows waiting to be
inserted; the temporary tables take about the size of the index again on disk while it is written
(in SQLite's temporary folder). The file holds what `index.build` gives (tests/test_index_file.py).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from policykg.query.index import (_DROP, _FIELD_OF, _NAMES, _NOT_ENTITIES, _SOURCES, _SUPER, _TYPES, FIELDS,
                                  VERSION, Entry, layer_path, norm, path, replacing)
from policykg.query.finder import Pool
from policykg.store import union

_BATCH = 10_000
TABLES = """
    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE entries (iri TEXT PRIMARY KEY, document TEXT, data TEXT) WITHOUT ROWID;
    CREATE TABLE names (kind INTEGER, name TEXT, iri TEXT);
    CREATE TABLE numbers (iri TEXT, number TEXT);"""
INDEXES = "CREATE INDEX names_by_name ON names (kind, name); CREATE INDEX entries_by_document ON entries (document);"
_ORDER = {f: i for i, f in enumerate(FIELDS)}        # the fields of an entry's data, in this order


def write(store, build_dir: Path | str) -> Path:
    """Build the name index of `store` and write it next to the build's store, replacing it whole: into a
    temporary file of its own beside it (removed on failure), then renamed over it."""
    target = path(Path(build_dir))
    with replacing(target) as tmp:
        _write(store, tmp)
    layer_path(build_dir).unlink(missing_ok=True)       # a layer over the file replaced (index_layer.py)
    return target


def _write(store, tmp: Path) -> None:
    db = sqlite3.connect(tmp)
    try:
        db.executescript(TABLES + """
            CREATE TEMP TABLE n (iri TEXT, field TEXT, text TEXT, lang TEXT);
            CREATE TEMP TABLE t (iri TEXT, type TEXT);
            CREATE TEMP TABLE s (iri TEXT, count INTEGER);""")
        db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        _stage(store, db)
        write_entries(db, _entries(db, supers(store)), Pool(db))
        db.executescript("DROP TABLE temp.n; DROP TABLE temp.t; DROP TABLE temp.s;")
        db.executescript(INDEXES)
        db.commit()
    finally:
        db.close()


def _stage(store, db: sqlite3.Connection) -> None:
    """The rows of the index's queries into the temporary tables. On a store whose default graph
    holds the union (a set) the rows are distinct as they are: oxigraph need not hold them to drop repeats."""
    opts = union.options(store)
    distinct = "DISTINCT" if opts else ""
    props = " ".join(f"<{p}>" for p in _FIELD_OF)
    names = store.query((_NAMES % props).replace("DISTINCT", distinct, 1), **opts)
    db.executemany("INSERT INTO n VALUES (?, ?, ?, ?)",
                   ((e.value, _FIELD_OF[p.value], lit.value, lit.language or "") for e, p, lit in names))
    types = store.query(_TYPES.replace("DISTINCT", distinct, 1), **opts)
    db.executemany("INSERT INTO t VALUES (?, ?)", ((e.value, t.value) for e, t in types))
    db.executemany("INSERT INTO s VALUES (?, ?)", ((e.value, int(n.value)) for e, n in store.query(_SOURCES, **opts)))


def supers(store) -> dict[str, set[str]]:
    """Class -> its superclasses (rdfs:subClassOf+), from the ontology in the store."""
    above: dict[str, set[str]] = {}
    for c, s in store.query(_SUPER, **union.options(store)):
        above.setdefault(c.value, set()).add(s.value)
    return above


def _grouped(db: sqlite3.Connection, sql: str):
    """(iri, [rest of its rows]) from a query sorted by IRI."""
    for iri, rows in itertools.groupby(db.execute(sql), key=lambda r: r[0]):
        yield iri, [r[1:] for r in rows]


def _entries(db: sqlite3.Connection, above: dict[str, set[str]]):
    """The index's entries in IRI order, as `index.build` makes them."""
    types = _grouped(db, "SELECT iri, type FROM t ORDER BY iri")
    sources = _grouped(db, "SELECT iri, count FROM s ORDER BY iri")
    t_next, s_next = next(types, None), next(sources, None)
    not_entities = set(_NOT_ENTITIES)
    for iri, rows in _grouped(db, "SELECT iri, field, text, lang FROM n ORDER BY iri"):
        while t_next is not None and t_next[0] < iri:
            t_next = next(types, None)
        while s_next is not None and s_next[0] < iri:
            s_next = next(sources, None)
        entry = Entry(iri)
        if t_next is not None and t_next[0] == iri:
            ts = {t for (t,) in t_next[1]}
            if ts & not_entities:
                continue
            implied = set().union(*(above.get(t, set()) for t in ts))
            entry.classes = sorted(ts - implied) + sorted(ts & implied)
        if s_next is not None and s_next[0] == iri:
            entry.sources = s_next[1][0][0]
        for fld, text, lang in sorted(rows, key=lambda r: _ORDER[r[0]]):
            entry.names.setdefault(fld, []).append((text, lang))
        for vals in entry.names.values():
            vals.sort(key=lambda v: (v[1] not in ("en", "zh"), v[1], v[0]))
        yield entry


def write_entries(db: sqlite3.Connection, found: Iterable[Entry], pool: Pool) -> None:
    """The rows of the entries, their names and numbers, and the pool, in batches."""
    entries, names, numbers = [], [], []

    def flush():
        db.executemany("INSERT INTO entries VALUES (?, ?, ?)", entries)
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", names)
        db.executemany("INSERT INTO numbers VALUES (?, ?)", numbers)
        entries.clear(), names.clear(), numbers.clear()

    for e in found:
        entries.append((e.iri, e.document, json.dumps([e.names, e.classes, e.sources], ensure_ascii=False)))
        normed = {norm(text) for fld in ("label", "alt", "title", "number") for text, _ in e.names.get(fld, ())}
        names += [(0, n, e.iri) for n in normed]
        names += [(1, loose, e.iri) for loose in {n.translate(_DROP) for n in normed}]      # index.loose
        numbers += [(e.iri, n) for n, _ in e.names.get("number", ())]
        pool.add(e)
        if len(entries) >= _BATCH:
            flush()
    flush()
    pool.finish()
