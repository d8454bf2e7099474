"""Answers of listing queries stored by the build (build/index/answers.sqlite), read a page at a time.

A catalogue query whose header says `#+ answer: stored` (a listing that grows with the corpus) is
run by `policykg build`, once its store is final, on the curated union, as `policykg query NAME`
runs it: without parameters, or, for a query with a required parameter (one, naming an entity of
a class, or a literal whose values the header's query gives), once for every value in the graph
(at most `MAX_VALUES`). Its rows are written in answer order, one line of SPARQL TSV each (the
engine's own serialization of the terms), with their rank, under the query's name and its bound
values. A call of the query function
(`policykg query`, the API) with the same values then reads its rows from there instead of
running the query: a page (`--limit`/`--offset`) is the lines of its ranks, found through SQLite's
B-tree, and its total is stored with them; the engine sees none of the other rows. The text of the
query still defines the answer: the endpoint's `/query`, `policykg sparql`, `--graph SOURCE` and
`--tier all` run it, and a test compares both paths on the real build. The endpoint's
`/catalogue/NAME` reads the stored rows as the query function does (`read_tsv`: as stored, for
pyoxigraph to serialize).

A query whose header says `#+ answer: spans | DAY` (or `| FROM TO`: its required date parameters)
asks for the rows that hold on a day or meet a span of days (`in-force`, `quantities-in-period`):
its answer differs for every date, so the build stores instead every row it gives at any date,
once, with the span of days the row belongs to (`?_lo`, `?_hi`, from `queries/spans/NAME.rq`, the
query without its date filters). A call on a day D reads the rows with `lo <= D <= hi` (for FROM–TO,
`lo <= TO` and `hi >= FROM`: the query's own filters), in rank order. Such rows are stored only if
every span is two `xsd:date` values of the form YYYY-MM-DD (the text then orders as the engine
compares), and only if the rows read for the header's example equal the engine's answer there,
row for row; otherwise the engine answers every call.

The stored answer is read only when all of these hold, else the query runs on the engine:
- the values given are the ones stored: none, or the required one (an optional parameter narrows
  the answer; the engine runs that call);
- the store is a build's on-disk store (`policykg.store.load`) and its `index/answers.sqlite` is of
  this format version and not older than the store;
- the query's text is the one whose answer was stored (its SHA-256, with its spans file's), so an
  edited query file is never answered from an old answer.
A build to which documents were added (`policykg build` of new files into a built folder) has no
stored answers (its name index is the earlier one with a layer: policykg.query.index_layer); nor
has one built with `--no-answers`, or whose store changed after them. There, the first call with
the values a build stores keeps its whole answer in a file of its own, and the next calls read
their pages from it (policykg.query.kept).

Bounds: an answer of more than `MAX_ROWS` rows is not stored, nor the answers of a query whose
parameter has more than `MAX_VALUES` values (those calls run on the engine). Writing holds as many
answers at a time as it has threads (the cores, at most `MAX_WORKERS`): the engine sorts each in
memory, as for any caller, and serializes it to a scratch file beside the answers file, whose
lines are then counted and copied (so an answer past `MAX_ROWS` is computed before it is dropped). A read holds the page's lines and their terms, and a
call without a page is refused past the row cap of its limits (policykg.query.bounds) before any
line is read, as the engine would refuse it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sqlite3
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg.model.namespaces import PREFIXES
from policykg.query.index import FOLDER, open_current, replacing
from policykg.query.inline import inline
from policykg.store import union

NAME, VERSION = "answers.sqlite", "3"
KEPT = "kept"                     # index/kept/: answers kept by their first call (policykg.query.kept)
MAX_ROWS = 5_000_000              # an answer with more rows is not stored
MAX_VALUES = 1_000                # a query whose parameter has more values is not stored
MAX_WORKERS = 4                   # answers the engine computes at once while they are written
_BATCH = 10_000
SCHEMA = """
    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE answers (query TEXT, binding TEXT, sha256 TEXT, head TEXT, total INTEGER, seconds REAL,
                          PRIMARY KEY (query, binding));
    CREATE TABLE lines (query TEXT, binding TEXT, rank INTEGER, line TEXT, lo TEXT, hi TEXT,
                        PRIMARY KEY (query, binding, rank)) WITHOUT ROWID;"""
_TSV = ox.QueryResultsFormat.TSV
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})"\^\^<http://www\.w3\.org/2001/XMLSchema#date>')   # a span's bound in TSV


def path(build_dir: Path | str) -> Path:
    return Path(build_dir) / FOLDER / NAME


def digest(q) -> str:
    """The SHA-256 of the query's text (and of its spans file's, for `answer: spans`)."""
    return hashlib.sha256((q.text + q.spans).encode("utf-8")).hexdigest()


def key(subs: dict) -> str:
    """The bound values of a call as stored: `name=term` (the term as the engine prints it), sorted,
    one per line; empty without values."""
    return "\n".join(sorted(f"{var.value}={term}" for var, term in subs.items()))


def answer_key(q, subs: dict) -> str:
    """The key under which the answer of a call of `q` with `subs` is stored: the bound values, or
    none for `answer: spans` (its rows are stored once for every date)."""
    return "" if q.answer == "spans" else key(subs)


def bindings(store: ox.Store, q) -> list[dict] | None:
    """The parameter values whose answers the build stores: [{}] for a query without a required
    parameter, else one binding for each entity of its class, or for each value the query's
    `answer: stored | PARAM | SELECT ?value …` gives (None past MAX_VALUES)."""
    required = [p for p in q.params if p.required]
    if not required or q.answer == "spans":         # the rows of every date, once
        return [{}]
    (p,) = required                                  # the catalogue allows one: iri:Class, or literal with values
    if q.answer_values:                              # as the engine types a literal value (engine.to_term)
        found = {ox.Literal(row[0].value) for row in store.query(q.answer_values, prefixes=dict(PREFIXES),
                                                                 **union.options(store)) if row[0] is not None}
        values = sorted(found, key=lambda v: v.value)
    else:
        values = [row[0] for row in store.query(f"SELECT DISTINCT ?v WHERE {{ ?v a <{p.cls}> FILTER(isIRI(?v)) }} "
                                                "ORDER BY ?v", **union.options(store))]
    if len(values) > MAX_VALUES:
        return None
    return [{ox.Variable("_" + p.name): v} for v in values]


def write(store: ox.Store, build_dir: Path | str, queries=None, say: Callable[[str], None] = lambda _m: None,
          workers: int | None = None) -> dict[str, dict]:
    """Run the catalogue's `answer: stored` queries (or `queries`) on `store` and write their answers
    to the build's file, replacing it whole (a temporary file beside it, renamed over it; removed on
    failure). The engine computes `workers` answers at once (default: the cores, at most
    `MAX_WORKERS`; it releases the GIL), each into a scratch file; this thread copies them into the
    file in turn. Returns, per query, its answers, rows and seconds, or `stored: False` past a bound."""
    from policykg.query import catalogue
    todo = [q for q in catalogue.catalogue().values() if q.answer] if queries is None else list(queries)
    workers = workers or min(MAX_WORKERS, os.cpu_count() or 1)
    with replacing(path(build_dir)) as tmp:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SCHEMA)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
            done = _store_all(store, db, todo, tmp, workers, say)
            db.commit()
        finally:
            db.close()
            for scratch in tmp.parent.glob(tmp.name + ".*.tsv"):
                scratch.unlink(missing_ok=True)
    return done


def _store_all(store: ox.Store, db: sqlite3.Connection, todo: list, tmp: Path, workers: int, say) -> dict[str, dict]:
    """Every answer of the queries `todo`: computed by the engine in `workers` threads, at most
    `workers` ahead of the one being copied (so at most `workers` + 1 scratch files exist), copied
    here in the order of the queries and their values."""
    done, jobs, announced = {}, [], set()
    for q in todo:
        t = time.perf_counter()
        subs_list = bindings(store, q)
        if subs_list is None:
            done[q.name] = {"stored": False, "why": f"over {MAX_VALUES} values", "seconds": 0.0}
            continue
        done[q.name] = {"stored": True, "answers": len(subs_list), "rows": 0, "seconds": time.perf_counter() - t}
        jobs += [(q, subs) for subs in subs_list]
    with ThreadPoolExecutor(workers) as pool:
        ahead: deque = deque()
        queued = iter(enumerate(jobs))
        for i, (q, subs) in itertools.islice(queued, workers):
            ahead.append((q, subs, pool.submit(_compute, store, q, subs, tmp.with_name(f"{tmp.name}.{i}.tsv"))))
        try:
            while ahead:
                q, subs, future = ahead.popleft()
                scratch, seconds = future.result()
                for i, (q2, subs2) in itertools.islice(queued, 1):
                    ahead.append((q2, subs2, pool.submit(_compute, store, q2, subs2, tmp.with_name(f"{tmp.name}.{i}.tsv"))))
                entry = done[q.name]
                if q.name not in announced:
                    announced.add(q.name)
                    say(f"storing the answers of '{q.name}'")
                if entry["stored"]:
                    t = time.perf_counter()
                    n = _copy(db, q, subs, scratch, seconds)
                    if isinstance(n, int) and q.answer == "spans":
                        n = _check_spans(store, db, q, scratch) or n
                    entry["seconds"] += seconds + time.perf_counter() - t
                    if not isinstance(n, int):
                        db.execute("DELETE FROM lines WHERE query = ?", (q.name,))
                        db.execute("DELETE FROM answers WHERE query = ?", (q.name,))
                        done[q.name] = {"stored": False, "why": n, "seconds": entry["seconds"]}
                        say(f"not storing the answers of '{q.name}': {n}")
                    else:
                        entry["rows"] += n
                scratch.unlink(missing_ok=True)
        except BaseException:
            for *_, future in ahead:
                future.cancel()
            raise
    for entry in done.values():
        entry["seconds"] = round(entry["seconds"], 3)
    return done


def _compute(store: ox.Store, q, subs: dict, scratch: Path) -> tuple[Path, float]:
    """One answer, as `policykg query` computes it (the values written into the text, else
    substituted), serialized by the engine into `scratch` (the engine holds the sorted answer)."""
    t = time.perf_counter()
    if q.answer == "spans" and not subs:            # the rows of every date (the query itself has its days)
        store.query(q.spans, **union.options(store)).serialize(output=str(scratch), format=_TSV)
        return scratch, time.perf_counter() - t
    text = inline(q.text, subs)
    opts = union.options(store) if text is not None else {**union.options(store), "substitutions": subs}
    store.query(text if text is not None else q.text, **opts).serialize(output=str(scratch), format=_TSV)
    return scratch, time.perf_counter() - t


def _copy(db: sqlite3.Connection, q, subs: dict, scratch: Path, seconds: float) -> int | str:
    """The lines of one answer's scratch file into the file, with their ranks (one batch held); the
    rows of `answer: spans` without their last two columns, ?_lo and ?_hi, which go to `lo` and
    `hi`. Returns its rows, or why it is not stored (past MAX_ROWS, a span that is not two dates)."""
    binding, spans = answer_key(q, subs), q.answer == "spans"
    with open(scratch, encoding="utf-8", newline="\n") as f:
        head = f.readline().rstrip("\n")
        if spans:
            head, _, last = head.rpartition("\t?_lo\t")
            if last != "?_hi":
                return f"the columns of {_spans_file(q)} do not end with ?_lo ?_hi"
        total, batch = 0, []
        for line in f:
            line, lo, hi = line.rstrip("\n"), None, None
            if spans:
                line, lo, hi = _span(line)
                if hi is None:
                    return f"a row of {_spans_file(q)} has a span that is not two dates (YYYY-MM-DD): {line!r}"
            batch.append((q.name, binding, total, line, lo, hi))
            total += 1
            if total > MAX_ROWS:
                return f"over {MAX_ROWS} rows"
            if len(batch) >= _BATCH:
                db.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?)", batch)
                batch.clear()
        db.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?)", batch)
    db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", (q.name, binding, digest(q), head, total, seconds))
    return total


def _spans_file(q) -> str:
    from policykg.query.catalogue import SPANS_DIR
    return f"{SPANS_DIR}/{q.path.name}"


def _span(line: str) -> tuple[str, str | None, str | None]:
    """A stored row of `answer: spans`: its columns but the last two, and its span's two dates (None
    unless both are xsd:date values YYYY-MM-DD, which then order as text as the engine compares them)."""
    line, lo, hi = line.rsplit("\t", 2)
    lo, hi = _DATE.fullmatch(lo), _DATE.fullmatch(hi)
    return (line, lo[1], hi[1]) if lo and hi else (line, None, None)


def _span_rows(name: str, first: str, last: str) -> tuple[str, tuple]:
    """The WHERE of the stored rows of `name` whose span meets the days first–last, with its values
    (the query's own filters: its rows start on or before the last day and end on or after the first)."""
    return "query = ? AND binding = '' AND lo <= ? AND hi >= ?", (name, last, first)


def _days(q, subs: dict) -> tuple[str, str] | None:
    """The first and last day a call of `answer: spans` query `q` asks about, or None unless its
    values are its date parameters, each a date YYYY-MM-DD."""
    if {v.value for v in subs} != {"_" + n for n in q.span_params}:
        return None
    days = [subs[ox.Variable("_" + n)] for n in q.span_params]
    if not all(isinstance(d, ox.Literal) and d.datatype.value == _XSD_DATE and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.value)
               for d in days):
        return None
    return days[0].value, days[-1].value


def _check_spans(store: ox.Store, db: sqlite3.Connection, q, scratch: Path) -> str | None:
    """Why the stored rows of `answer: spans` query `q` are not its answer at the header's example
    (the engine's rows there, compared line for line in the stored columns), or None when they are."""
    subs = {ox.Variable("_" + n): ox.Literal(q.param(n).example, datatype=ox.NamedNode(_XSD_DATE)) for n in q.span_params}
    if _days(q, subs) is None:
        return f"the header's example of {', '.join(q.span_params)} is not a day YYYY-MM-DD"
    first, last = _days(q, subs)
    where, args = _span_rows(q.name, first, last)
    mine = [line for (line,) in db.execute(f"SELECT line FROM lines WHERE {where} ORDER BY rank", args)]
    (head,) = db.execute("SELECT head FROM answers WHERE query = ? AND binding = ''", (q.name,)).fetchone()
    _compute(store, q, subs, scratch)               # the query itself on the example's days
    with open(scratch, encoding="utf-8", newline="\n") as f:
        columns = f.readline().rstrip("\n").split("\t")
        at = [columns.index(c) if c in columns else -1 for c in head.split("\t")]
        if -1 in at:
            return f"the columns of {_spans_file(q)} are not the query's"
        theirs = ["\t".join(fields[i] for i in at) for fields in (ln.rstrip("\n").split("\t") for ln in f)]
    if theirs != mine:
        return (f"its stored rows at {first}–{last} are not the engine's ({len(mine)} rows against {len(theirs)}): "
                f"{_spans_file(q)} is out of step with the query")
    return None


def _open(store: ox.Store) -> sqlite3.Connection | None:
    """The answers file of the build `store` was opened from, when it may be read (see the module)."""
    from policykg.store import load
    origin = load.origin(store)
    if origin is None:
        return None
    return open_current(path(origin[0]), origin[1], VERSION)


def kept_folder(build_dir: Path | str) -> Path:
    """Where the answers kept by their first call go (policykg.query.kept)."""
    return Path(build_dir) / FOLDER / KEPT


def kept_path(build_dir: Path | str, q, binding: str) -> Path:
    digest = hashlib.sha256(binding.encode("utf-8")).hexdigest()[:20]
    return kept_folder(build_dir) / f"{q.name}.{digest}.sqlite"


def kept_file(store: ox.Store, q, binding: str) -> tuple[sqlite3.Connection, dict] | None:
    """The file that kept the answer of the call (`q`, `binding`) on the store `store` was opened
    from (policykg.query.kept), read-only, with its `meta`, when it was written on this store in
    this format; else None."""
    from policykg.store import load
    origin = load.origin(store)
    if origin is None:
        return None
    try:
        db = sqlite3.connect(f"file:{kept_path(origin[0], q, binding)}?mode=ro&immutable=1", uri=True,
                             check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.Error:
        meta = {}
    if meta.get("version") != VERSION or meta.get("store") != repr(origin[1]):
        db.close()
        return None
    return db, meta


def _open_kept(store: ox.Store, q, binding: str) -> sqlite3.Connection | None:
    """`kept_file`'s connection when the file holds the answer (not one found too large to keep)."""
    got = kept_file(store, q, binding)
    if got is not None and "not_kept" in got[1]:
        got[0].close()
        return None
    return got[0] if got is not None else None


def read(store: ox.Store, q, subs: dict | None = None, limit: int | None = None, offset: int = 0, limits=None):
    """The Result of the query `q` with the bound values `subs` (engine.bind), from its stored
    answer (one page of it with `limit`/`offset`, with the total), or None when it has none that
    may be read (see the module)."""
    from policykg.query.results import from_pyoxigraph
    got = _page(store, q, subs, limit, offset, limits)
    if got is None:
        return None
    head, lines, total = got
    body = "\n".join([head, *lines, ""]).encode("utf-8")
    result = from_pyoxigraph(ox.parse_query_results(body, format=_TSV), hide=lambda n: n.startswith("_"),
                             limits=limits)
    if limit is not None or offset:
        result.total, result.offset = total, offset
    return result


def read_tsv(store: ox.Store, q, subs: dict | None = None, limit: int | None = None, offset: int = 0,
             limits=None) -> tuple[bytes, int] | None:
    """`read`'s rows as the SPARQL TSV results they are stored as, without the parameter columns
    (`?_name`), and the total of the whole answer; None as for `read`. No term is parsed: the
    endpoint sends this, or has pyoxigraph turn it into JSON, XML or CSV (policykg.serve.named)."""
    got = _page(store, q, subs, limit, offset, limits)
    if got is None:
        return None
    head, lines, total = got
    names = head.split("\t")
    keep = [i for i, v in enumerate(names) if not v.startswith("?_")]
    if len(keep) < len(names):
        head = "\t".join(names[i] for i in keep)
        lines = ["\t".join(fields[i] for i in keep) for fields in (line.split("\t") for line in lines)]
    return "\n".join([head, *lines, ""]).encode("utf-8"), total


def _page(store: ox.Store, q, subs: dict | None, limit: int | None, offset: int, limits):
    """(head, lines, total) of the stored rows `read` gives; None when there are none to read."""
    from policykg.query.bounds import rows_error
    days = _days(q, subs or {}) if q.answer == "spans" else None
    if q.answer == "spans" and days is None:
        return None
    binding = answer_key(q, subs or {})
    db = _open(store)
    if db is None:                                  # a build without stored answers: one kept by a call
        db = _open_kept(store, q, binding)
    if db is None:
        return None
    try:
        row = db.execute("SELECT sha256, head, total FROM answers WHERE query = ? AND binding = ?",
                         (q.name, binding)).fetchone()
        if row is None or row[0] != digest(q):
            return None
        head, total = row[1], row[2]
        if days:                                    # the rows whose span meets the days: one scan of the query's
            where, args = _span_rows(q.name, *days)
            total = db.execute(f"SELECT count(*) FROM lines WHERE {where}", args).fetchone()[0]
        stop = total if limit is None else min(total, offset + limit)
        cap = limits.max_rows if limits is not None else None
        if cap is not None and stop - offset > cap:
            raise rows_error(limits)
        if days:
            lines = [line for (line,) in db.execute(f"SELECT line FROM lines WHERE {where} ORDER BY rank LIMIT ? OFFSET ?",
                                                    (*args, max(stop - offset, 0), offset))]
        else:
            lines = [line for (line,) in db.execute("SELECT line FROM lines WHERE query = ? AND binding = ? AND rank >= ? "
                                                    "AND rank < ? ORDER BY rank", (q.name, binding, offset, stop))]
    finally:
        db.close()
    return head, lines, total


def stored(store: ox.Store) -> dict[tuple[str, str], int]:
    """{(query name, its bound values as `key` gives them): rows} of the answers stored for the build
    `store` was opened from (none when they may not be read)."""
    db = _open(store)
    if db is None:
        return {}
    try:
        return {(q, b): n for q, b, n in db.execute("SELECT query, binding, total FROM answers ORDER BY query, binding")}
    finally:
        db.close()
