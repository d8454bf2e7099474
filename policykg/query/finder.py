"""Finding entities by part of a name or a misspelt one, without reading every name.

`search` (`search.py`) and the resolver's suggestions for an unknown name (`resolve.py`) ask
SQLite for a few candidate names and score only those with rapidfuzz. The candidates live in
three tables of the build's index file (`index_file.write`), or of an SQLite database in memory
for an index built from a store (`finder(idx)`):

- `pool_ents`: one row per entity a user looks up by name (its IRI, printed key, source count,
  PolicyKG classes). Links (`pkg:Link`, about as many as all other entities together at 10,000
  policies) and source texts (`pkg:SourceText`, named by a hash) are left out: they stay
  resolvable by key and by their whole label (the `names` table), but no part of a name and no
  misspelling finds them;
- `pool`: one row per distinct normalized name of such an entity and field (label, alt, title,
  number, definition, code) and one for its key (for suggestions);
- `pool_grams`: an FTS5 index with the trigram tokenizer over `pool`'s normalized names.

Texts of 3 characters or more first count, for each of their trigrams, the names holding it (up
to `RARE`: SQLite stops there, one index lookup each). The names containing the text are those
holding its rarest trigram (or, when every trigram is common, all of them in a row: FTS5's phrase
query), checked with `instr`. Their fuzzy candidates: the `FUZZY_CANDIDATES` names sharing most
of the text's rare trigrams (bm25 rank over posting lists shorter than `RARE`), the first
`FUZZY_CANDIDATES` names holding all its common trigrams, and the names of at most `SHORT`
characters (through an index on their length).
Texts of 1-2 characters (汽车, 钢铁) are looked for by one pass of SQLite over the `pool` table (no
Python per row), and so are the fuzzy candidates of texts of at most `SCANNED` characters: names
shorter than 8 characters per character of the text (rapidfuzz's WRatio of a longer name stays
under 60) holding all its characters (1-2) or one of its pairs (3), the shortest
`FUZZY_CANDIDATES` first. Python receives at most `limit` substring hits (SQLite keeps each
entity's best score and ranks them) and at most 4 × `FUZZY_CANDIDATES` fuzzy candidates (one set
per way above), so memory does not grow with the index; SQLite reads at most `RARE` rows per
trigram to count them, the posting lists of the rare ones, and for texts of 1-3 characters every
name once (848,514 at 10,000 policies, 0.15 s). What can be missed: a misspelling of 4 or more characters that
shares no three characters in a row with a name longer than `SHORT` (rapidfuzz could still score
it 75 or more), and fuzzy matches beyond the `FUZZY_CANDIDATES` best ranked; tests/test_search.py
checks the hits against a scan of every name on the real graph. Times at 10,000 policies are in
docs/scale.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from policykg.model.namespaces import PKG
from policykg.query.index import FIELDS, Entry, Index, StoredIndex, norm, printed

FIELD_NO = {f: i for i, f in enumerate(FIELDS)}          # label 0, alt 1, title 2, number 3, definition 4, code 5
KEY = len(FIELDS)                                        # the pool row of an entity's key
NAME_FIELDS = (0, 1, 2, 3)                               # the fields fuzzy matching reads
LEFT_OUT = (PKG + "Link", PKG + "SourceText")            # entities no part of a name finds
FUZZY_CANDIDATES = 2000                                  # names scored with rapidfuzz per text
SHORT = 5                                                # names this short are fuzzy candidates of any text
RARE = 2000                                              # a trigram in fewer names is rare
SCANNED = 3                                              # texts this short are looked for by a scan of the names
SCHEMA = """
    CREATE TABLE pool_ents (eid INTEGER PRIMARY KEY, iri TEXT, key TEXT, sources INTEGER, classes TEXT);
    CREATE TABLE pool (id INTEGER PRIMARY KEY, eid INTEGER, field INTEGER, raw TEXT, normed TEXT);
    CREATE VIRTUAL TABLE pool_grams USING fts5(normed, content='pool', content_rowid='id', tokenize='trigram');"""


class Pool:
    """Collects the pool rows of entries as they come (`add`), then indexes them (`finish`). A layer
    (index_layer.py) numbers its entities and names after those of its base (`after`: the base's
    last entity and name numbers)."""

    def __init__(self, db: sqlite3.Connection, after: tuple[int, int] = (0, 0)):
        self.db, self.ents, self.rows, self.classes = db, [], [], set()
        self.eid, self.pid = after
        db.executescript(SCHEMA)

    def add(self, e: Entry) -> None:
        self.classes.update(c.rsplit("#", 1)[-1] for c in e.classes if c.startswith(PKG))
        if any(c in LEFT_OUT for c in e.classes):
            return
        self.eid += 1
        classes = " " + " ".join(c[len(PKG):] for c in e.classes if c.startswith(PKG)) + " "
        self.ents.append((self.eid, e.iri, printed(e.iri), e.sources, classes))
        seen = set()
        for fld in FIELDS:
            for raw, _ in e.names.get(fld, ()):
                row = (FIELD_NO[fld], norm(raw))
                if row not in seen:
                    seen.add(row)
                    self.pid += 1
                    self.rows.append((self.pid, self.eid, row[0], raw, row[1]))
        self.pid += 1
        self.rows.append((self.pid, self.eid, KEY, e.key, e.key))
        if len(self.rows) >= 10_000:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO pool_ents VALUES (?, ?, ?, ?, ?)", self.ents)
        self.db.executemany("INSERT INTO pool (id, eid, field, raw, normed) VALUES (?, ?, ?, ?, ?)", self.rows)
        self.ents.clear(), self.rows.clear()

    def finish(self) -> None:
        self.flush()
        self.db.execute("INSERT INTO pool_grams (pool_grams) VALUES ('rebuild')")
        self.db.execute(f"CREATE INDEX pool_short ON pool (length(normed)) WHERE length(normed) <= {SHORT}")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('classes', ?)", (json.dumps(sorted(self.classes)),))


def finder(idx: Index) -> sqlite3.Connection:
    """The database holding the pool of an index: the index file's (with its layer attached, when it
    has one), or one made in memory once."""
    if isinstance(idx, StoredIndex):
        return idx.db
    db = getattr(idx, "_finder", None)
    if db is None:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        pool = Pool(db)
        for e in idx.entries.values():
            pool.add(e)
        pool.finish()
        idx._finder = db
    return db


def _parts(idx: Index) -> list[tuple[str, str]]:
    """(schema prefix of the pool tables, condition on their entities `e`) for each part of the
    pool: the one database, or a build file and its layer (`index.StoredIndex.layered`), where the
    file's entities that the layer holds anew are left out."""
    if isinstance(idx, StoredIndex) and idx.layered:
        return [("main.", "e.eid NOT IN (SELECT eid FROM added.shadow)"), ("added.", "1")]
    return [("", "1")]


def classes(idx: Index) -> list[str]:
    """The short names of the PolicyKG classes of all entities (links too)."""
    found = set()
    for s, _ in _parts(idx):
        row = finder(idx).execute(f"SELECT value FROM {s}meta WHERE key = 'classes'").fetchone()
        found.update(json.loads(row[0]) if row else ())
    return sorted(found)


def _weight(weights: dict[str, float]) -> str:
    return "CASE p.field " + " ".join(f"WHEN {FIELD_NO[f]} THEN {w!r}" for f, w in weights.items()) + " END"


def grams(idx: Index, q: str) -> dict[str, int]:
    """The trigrams of `q` and how many names hold each, counted up to `RARE` (SQLite stops there)."""
    db = finder(idx)
    return {g: min(RARE, sum(db.execute(f"SELECT count(*) FROM (SELECT rowid FROM {s}pool_grams(?) LIMIT ?)",
                                        (_phrase(g), RARE)).fetchone()[0] for s, _ in _parts(idx)))
            for g in sorted({q[i:i + 3] for i in range(len(q) - 2)})}


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def within(idx: Index, q: str, weights: dict[str, float], cls: str | None, limit: int) -> list[tuple]:
    """The `limit` best entities with a name containing `q` (normalized), by their best
    (90 - 10 × (length - length of q) / length) × weight of the field: rows of
    (iri, key, sources, field, raw name, score), best first, ties to more sources, then key."""
    score = f"(90 - 10.0 * (length(p.normed) - :n) / length(p.normed)) * {_weight(weights)}"
    source, where, phrase = _holding(idx, q)
    args = {"n": len(q), "q": q, "phrase": phrase, "cls": f" {cls} ", "limit": limit}
    db = finder(idx)
    # Python's rounding (81.25 → 81.2, as search ranks), not SQLite's ROUND (81.25 → 81.3)
    db.create_function("round1", 1, lambda v: round(v, 1), deterministic=True)
    rows = []
    for s, keep in _parts(idx):
        sql = f"""SELECT e.iri, e.key, e.sources, p.field, p.raw, MAX({score}) AS s
                  FROM {source.format(s=s)} JOIN {s}pool_ents e ON e.eid = p.eid
                  WHERE {where} AND p.field < {KEY} AND {keep} {"AND instr(e.classes, :cls) > 0" if cls else ""}
                  GROUP BY p.eid ORDER BY round1(s) DESC, e.sources DESC, e.key LIMIT :limit"""
        rows += db.execute(sql, args).fetchall()
    rows.sort(key=lambda r: (-round(r[5], 1), -r[2], r[1]))
    return [(iri, key, src, FIELDS_BY_NO[f], raw, s) for iri, key, src, f, raw, s in rows[:limit]]


def _holding(idx: Index, q: str) -> tuple[str, str, str]:
    """The FROM and WHERE of the pool rows whose normalized name contains `q`, and the FTS5 phrase
    they use: the names holding its rarest trigram (or all its trigrams in a row when every one is
    common), then the whole text in them; texts of 1-2 characters by one pass over the pool."""
    if len(q) < 3:
        return "{s}pool p", "instr(p.normed, :q) > 0", _phrase(q)
    counts = grams(idx, q)
    rarest = min(counts, key=counts.get)
    phrase = _phrase(rarest) if counts[rarest] < RARE else _phrase(q)
    return "{s}pool_grams(:phrase) g JOIN {s}pool p ON p.id = g.rowid", "instr(p.normed, :q) > 0", phrase


def containing(idx: Index, q: str, fields: Iterable[int], limit: int) -> list[str]:
    """The IRIs of the entities of the pool (not links, not source texts) with a name of one of
    `fields` whose normalized form contains `q` (normalized), sorted; at most `limit` + 1 of them
    (more than `limit` tells the caller there are too many)."""
    source, where, phrase = _holding(idx, q)
    fields = ", ".join(str(int(f)) for f in fields)
    found = set()
    for s, keep in _parts(idx):
        sql = f"""SELECT DISTINCT e.iri FROM {source.format(s=s)} JOIN {s}pool_ents e ON e.eid = p.eid
                  WHERE {where} AND p.field IN ({fields}) AND {keep} LIMIT :limit"""
        found.update(iri for (iri,) in finder(idx).execute(sql, {"q": q, "phrase": phrase, "limit": limit + 1}))
    return sorted(found)[:limit + 1]


FIELDS_BY_NO = {i: f for f, i in FIELD_NO.items()} | {KEY: "key"}


def near(idx: Index, q: str, fields: Iterable[int], cls: str | None = None, k: int = FUZZY_CANDIDATES) -> list[tuple]:
    """Candidates for fuzzy matching of `q` (normalized): at most `k` rows of
    (iri, key, sources, field, raw name, normalized name) of the given fields (see the module's docstring)
    per part of the pool (`_parts`), in the order of the index (entities by IRI, their names by
    field; a layer's after its file's), keys last."""
    fields = ", ".join(str(int(f)) for f in fields)
    args = {"cls": f" {cls} ", "k": k, "n": len(q)}
    row = "SELECT e.iri, e.key, e.sources, p.field, p.raw, p.normed, p.id"
    parts = []
    counts = grams(idx, q) if len(q) >= 3 else {}
    rare = sorted(g for g, n in counts.items() if 0 < n < RARE)
    common = [g for g, n in counts.items() if n >= RARE]
    if rare:
        args["rare"] = " OR ".join(_phrase(g) for g in rare)
    if common:
        args["common"] = " AND ".join(_phrase(g) for g in sorted(common))
    if len(q) <= SCANNED:          # all its characters (1-2), one of its pairs of characters (3)
        bits = sorted(set(q)) if len(q) <= 2 else sorted({q[i:i + 2] for i in range(len(q) - 1)})
        args |= {f"c{i}": c for i, c in enumerate(bits)}
        has = (" AND " if len(q) <= 2 else " OR ").join(f"instr(p.normed, :c{i}) > 0" for i in range(len(bits)))
    for s, keep in _parts(idx):
        where = f"p.field IN ({fields}) AND {keep}" + (" AND instr(e.classes, :cls) > 0" if cls else "")
        if len(q) >= 3:
            if rare:               # the names sharing most of its rarer trigrams (bm25 over short posting lists)
                parts.append(f"""{row} FROM {s}pool_grams(:rare) g
                                 JOIN {s}pool p ON p.id = g.rowid JOIN {s}pool_ents e ON e.eid = p.eid
                                 WHERE {where} ORDER BY g.rank LIMIT :k""")
            if common:             # and the first names holding all its common trigrams (SQLite stops at k)
                parts.append(f"""{row} FROM {s}pool_grams(:common) g JOIN {s}pool p ON p.id = g.rowid
                                 JOIN {s}pool_ents e ON e.eid = p.eid WHERE {where} LIMIT :k""")
            parts.append(f"""{row} FROM {s}pool p JOIN {s}pool_ents e ON e.eid = p.eid
                             WHERE length(p.normed) <= {SHORT} AND {where} LIMIT :k""")
        if len(q) <= SCANNED:
            parts.append(f"""{row} FROM {s}pool p JOIN {s}pool_ents e ON e.eid = p.eid
                             WHERE length(p.normed) < 8 * :n AND ({has}) AND {where}
                             ORDER BY length(p.normed), p.id LIMIT :k""")
    if not parts:
        return []
    sql = " UNION ".join(f"SELECT * FROM ({part})" for part in parts)
    rows = sorted(finder(idx).execute(sql, args), key=lambda r: (r[3] == KEY, r[6]))
    return [(iri, key, src, FIELDS_BY_NO[f], raw, normed) for iri, key, src, f, raw, normed, _ in rows]
