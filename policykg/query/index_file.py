"""The name index written into the build (build/index/names.sqlite), so a query process need not rebuild it.

`policykg build` calls `write(store, build_dir)` once its store is final. `open_for(store)` gives an
index that reads the file as it is asked (an SQLite database: one row per entity, one per name,
looked up through SQLite's own B-tree indexes), so resolving a name in a new process costs a few
lookups at any size of the graph. It is used when the store is a build's on-disk store
(`policykg.store.load`) and the file is not older than that store; otherwise `index.index()`
builds the index from the store as before. Whatever walks every entity (`search`, suggestions for
an unknown name, exports) reads the whole file once.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from policykg.query.index import Entry, Index, index, loose, norm

FOLDER = "index"
NAME = "names.sqlite"
VERSION = "1"


def path(build_dir: Path) -> Path:
    return Path(build_dir) / FOLDER / NAME


def write(store, build_dir: Path | str) -> Path:
    """Build the name index of `store` and write it next to the build's store (replacing it whole)."""
    idx = index(store)
    target = path(Path(build_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(NAME + ".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    try:
        db.executescript("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE entries (iri TEXT PRIMARY KEY, document TEXT, data TEXT) WITHOUT ROWID;
            CREATE TABLE names (kind INTEGER, name TEXT, iri TEXT);
            CREATE TABLE numbers (iri TEXT, number TEXT);""")
        db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        db.executemany("INSERT INTO entries VALUES (?, ?, ?)",
                       ((e.iri, e.document, json.dumps([e.names, e.classes, e.sources], ensure_ascii=False))
                        for e in idx.entries.values()))
        db.executemany("INSERT INTO names VALUES (?, ?, ?)",
                       ((kind, name, iri) for kind, table in ((0, idx.by_name), (1, idx.by_loose))
                        for name, iris in table.items() for iri in iris))
        db.executemany("INSERT INTO numbers VALUES (?, ?)",
                       ((e.iri, n) for e in idx.entries.values() for n, _ in e.names.get("number", ())))
        db.execute("CREATE INDEX names_by_name ON names (kind, name)")
        db.commit()
    finally:
        db.close()
    os.replace(tmp, target)
    return target


def _entry(iri: str, data: str) -> Entry:
    names, classes, sources = json.loads(data)
    return Entry(iri, {k: [tuple(v) for v in vs] for k, vs in names.items()}, classes, sources)


class _Entries(Mapping):
    def __init__(self, db: sqlite3.Connection):
        self.db, self._all = db, None

    def __getitem__(self, iri: str) -> Entry:
        if self._all is not None:
            return self._all[iri]
        row = self.db.execute("SELECT data FROM entries WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            raise KeyError(iri)
        return _entry(iri, row[0])

    def _load(self) -> dict:
        if self._all is None:
            self._all = {iri: _entry(iri, data) for iri, data in self.db.execute("SELECT iri, data FROM entries ORDER BY iri")}
        return self._all

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load()) if self._all is not None else self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def values(self):
        return self._load().values()

    def items(self):
        return self._load().items()


class _Names(Mapping):
    def __init__(self, db: sqlite3.Connection, kind: int):
        self.db, self.kind, self._all = db, kind, None

    def __getitem__(self, name: str) -> set[str]:
        if self._all is not None:
            return self._all[name]
        found = {r[0] for r in self.db.execute("SELECT iri FROM names WHERE kind = ? AND name = ?", (self.kind, name))}
        if not found:
            raise KeyError(name)
        return found

    def _load(self) -> dict:
        if self._all is None:
            self._all = {}
            for name, iri in self.db.execute("SELECT name, iri FROM names WHERE kind = ?", (self.kind,)):
                self._all.setdefault(name, set()).add(iri)
        return self._all

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class StoredIndex(Index):
    """An `Index` read from the build's file as it is asked."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.entries = _Entries(db)
        self.by_name = _Names(db, 0)
        self.by_loose = _Names(db, 1)

    def numbers(self):
        return self.db.execute("SELECT iri, number FROM numbers ORDER BY iri").fetchall()

    def documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT document FROM entries WHERE document IS NOT NULL "
                                              "ORDER BY document")]


def read(build_dir: Path | str, newer_than: float) -> StoredIndex | None:
    """The index file of a build when it exists, has this version and is not older than `newer_than`."""
    p = path(Path(build_dir))
    try:
        if p.stat().st_mtime + 1 < newer_than:
            return None
        db = sqlite3.connect(f"file:{p}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except (OSError, sqlite3.Error):
        return None
    if not row or row[0] != VERSION:
        db.close()
        return None
    return StoredIndex(db)


__all__ = ["write", "read", "path", "StoredIndex", "norm", "loose"]
