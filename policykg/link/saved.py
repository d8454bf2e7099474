"""The link units and their candidate index, kept with a build (an SQLite file in its cache/), so
that adding documents links the new units without reading or indexing the earlier ones.

What is kept: each unit (`graph.Unit`) and each measure's actions (`graph.actions`), the action →
measure map, the posting lists of the candidate index (`candidates.entity_keys`: a unit's
entities and the pairs of its rarest ones, each posting a unit IRI), how many units each key has
(for an entity: its document frequency, the weights of `similarity.similarity`), and the lineage
index (program, or instrument and sector → dated measures). An add reads the posting lists of
the new units' keys, the units they reach and the counts of their entities: index lookups, so its
cost follows the new units, not the corpus.

Rows carry the generation of the build that wrote them; a build reads the rows of its own
generation and earlier (`Saved(path, gen)`), and an add writes its rows with the next one. A
failed add leaves rows of a generation that no build names: the next add deletes them first. A
unit's rare-entity pairs are chosen with the counts of the build that indexed it, so an earlier
unit's pair keys do not follow the counts of later adds (a full build indexes every unit anew).

Memory of a write: the units and actions it is given, and the key counts; the postings (2.4M at
10,000 synthetic policies) go through a temporary table into the posting table in key order,
sorted by SQLite, which spills to temporary files (SQLite's temporary folder, about the size of
the posting table) rather than holding them: 76 MB added to the peak there, against 663 MB for a
sorted Python list (benchmarks/link_index.py).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from policykg.link import candidates as cand
from policykg.model.namespaces import PID

FILE = "links.sqlite"
_SEP = "\x1f"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS units(iri TEXT PRIMARY KEY, kind TEXT, data BLOB, gen INT);
CREATE TABLE IF NOT EXISTS acts(m TEXT PRIMARY KEY, data BLOB, gen INT);
CREATE TABLE IF NOT EXISTS owner(a TEXT, m TEXT, gen INT, PRIMARY KEY (a, m)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counts(k TEXT, gen INT, n INT, PRIMARY KEY (k, gen)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS post(k TEXT, u TEXT, gen INT, PRIMARY KEY (k, u)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lpost(k TEXT, start TEXT, m TEXT, gen INT, PRIMARY KEY (k, start, m)) WITHOUT ROWID;
"""
_TABLES = ("units", "acts", "owner", "counts", "post", "lpost")


def _short(x: str) -> str:
    """An IRI as the file keeps it (without the common prefix)."""
    return x[len(PID):] if x.startswith(PID) else "<" + x


def _long(x: str) -> str:
    return x[1:] if x.startswith("<") else PID + x


def _key(k) -> str:
    return _SEP.join(map(_short, k)) if isinstance(k, tuple) else _short(k)


def _lineage_keys(acts: dict) -> set[str]:
    keys = set()
    for fa in acts.values():
        keys.update(_key(("p", p)) for p in fa["program"])
        keys.update(_key(("is", i, s)) for i in fa["instrument"] for s in fa["sector"])
    return keys


def write(path: Path, us: dict, acts: dict) -> None:
    """A new file at `path` (replacing one there) with every unit and its keys, generation 0."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        _insert(db, us, acts, 0, df=None)
        db.commit()
    finally:
        db.close()
    tmp.replace(path)


def _insert(db: sqlite3.Connection, us: dict, acts: dict, gen: int, df: dict | None) -> None:
    """Rows for the units `us` and actions `acts`; `df`: the key counts to choose rare pairs with
    (None: those of `us` itself, for a whole corpus)."""
    if df is None:
        df = {}
        for u in us.values():
            for e in u.entities():
                df[e] = df.get(e, 0) + 1
    db.executemany("INSERT INTO units VALUES (?, ?, ?, ?)",
                   ((x, u.kind, pickle.dumps(u, pickle.HIGHEST_PROTOCOL), gen) for x, u in us.items()))
    db.executemany("INSERT INTO acts VALUES (?, ?, ?)",
                   ((m, pickle.dumps(a, pickle.HIGHEST_PROTOCOL), gen) for m, a in acts.items()))
    db.executemany("INSERT OR IGNORE INTO owner VALUES (?, ?, ?)", ((a, m, gen) for m, fa in acts.items() for a in fa))
    counts: dict[str, int] = {}

    def posts():
        for x, u in us.items():
            for k in cand.entity_keys(u.entities(), df):
                k = _key(k)
                counts[k] = counts.get(k, 0) + 1
                yield k, _short(x), gen
    # Into the clustered table in key order (each insert appends), sorted by SQLite's sorter, which
    # spills to temporary files: no list of every posting is held (2.4M at 10,000 policies).
    db.execute("CREATE TEMP TABLE IF NOT EXISTS new_post(k TEXT, u TEXT, gen INT)")
    db.execute("DELETE FROM new_post")
    db.executemany("INSERT INTO new_post VALUES (?, ?, ?)", posts())
    db.execute("INSERT INTO post SELECT k, u, gen FROM new_post ORDER BY k, u")
    db.execute("DROP TABLE new_post")
    db.executemany("INSERT INTO counts VALUES (?, ?, ?)", sorted((k, gen, n) for k, n in counts.items()))
    lp = []
    for m, fa in acts.items():
        u = us.get(m)
        if u is None or u.start is None:
            continue
        lp += [(k, u.start, m, gen) for k in _lineage_keys(fa)]
    db.executemany("INSERT INTO lpost VALUES (?, ?, ?, ?)", sorted(set(lp)))


class Saved:
    """The kept index of one build (generation `gen`, `n` units), read by index lookups."""

    def __init__(self, path: Path, gen: int, n: int):
        self.path, self.gen, self.n = Path(path), gen, n
        self.db = sqlite3.connect(self.path)
        self._units: dict = {}

    def close(self) -> None:
        self.db.close()

    def add(self, us: dict, acts: dict) -> None:
        """Index the new units (and their actions) as the next generation; earlier rows of that
        generation or later (a failed add's) are deleted first."""
        new = self.gen + 1
        for t in _TABLES:
            self.db.execute(f"DELETE FROM {t} WHERE gen >= ?", (new,))
        fresh = {x: u for x, u in us.items() if self.unit(x) is None}
        ents = {e for u in fresh.values() for e in u.entities()}
        df = self.counts(ents)
        for u in fresh.values():
            for e in u.entities():
                df[e] = df.get(e, 0) + 1
        _insert(self.db, fresh, {m: a for m, a in acts.items() if m in fresh}, new, df)
        self.db.commit()
        self.gen, self.n = new, self.n + len(fresh)
        self._units.update(fresh)

    def unit(self, iri: str):
        got = self._units.get(iri)
        if got is None:
            row = self.db.execute("SELECT data FROM units WHERE iri = ? AND gen <= ?", (iri, self.gen)).fetchone()
            got = self._units[iri] = pickle.loads(row[0]) if row else None
        return got

    def units(self, iris: Iterable[str]) -> dict:
        return {x: u for x in iris for u in [self.unit(x)] if u is not None}

    def actions(self, m: str) -> dict:
        row = self.db.execute("SELECT data FROM acts WHERE m = ? AND gen <= ?", (m, self.gen)).fetchone()
        return pickle.loads(row[0]) if row else {}

    def owner(self, a: str) -> str | None:
        row = self.db.execute("SELECT m FROM owner WHERE a = ? AND gen <= ?", (a, self.gen)).fetchone()
        return row[0] if row else None

    def counts(self, keys: Iterable) -> dict:
        """key -> number of units indexed under it (for an entity: its document frequency)."""
        out = {}
        for k in keys:
            n = self.db.execute("SELECT SUM(n) FROM counts WHERE k = ? AND gen <= ?", (_key(k), self.gen)).fetchone()[0]
            if n:
                out[k] = n
        return out

    def postings(self, k) -> list[str]:
        return [_long(r[0]) for r in self.db.execute("SELECT u FROM post WHERE k = ? AND gen <= ?", (_key(k), self.gen))]

    def candidates(self, keys: list, exclude: str, budget: int = cand.BUDGET,
                   max_postings: int = cand.MAX_POSTINGS) -> dict[str, int]:
        """`candidates.Index.candidates` on the kept posting lists (units by IRI)."""
        n = self.counts(set(keys))
        lists = sorted((k for k in n if n[k] <= max_postings), key=lambda k: (n[k], _key(k)))
        touched: dict[str, int] = {}
        for k in lists:
            if len(touched) >= budget:
                break
            for j in self.postings(k):
                touched[j] = touched.get(j, 0) + 1
        touched.pop(exclude, None)
        return touched

    def earlier(self, key: tuple, before: str, limit: int) -> list[str]:
        """The `limit` most recent measures under a lineage key dated strictly before `before`."""
        rows = self.db.execute("SELECT m FROM lpost WHERE k = ? AND start < ? AND gen <= ? "
                               "ORDER BY start DESC, m DESC LIMIT ?", (_key(key), before, self.gen, limit))
        return [r[0] for r in rows]
