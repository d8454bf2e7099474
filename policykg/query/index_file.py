"""The name index written into the build (build/index/names.sqlite), so a query process need not rebuild it.

`policykg build` calls `write(store, build_dir)` once its store is final. `index.index()` then gives
a `StoredIndex` that reads the file as it is asked (an SQLite database: one row per entity, one per name,
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
from pathlib import Path

from policykg.query.index import NAME, VERSION, index, path


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


