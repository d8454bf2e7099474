"""Answers of listing queries kept by their first call, where the build has no stored answers.

A build to which documents were added (policykg.build.incremental) has no stored answers
(policykg.query.stored): they are whole sorted answers of arbitrary SPARQL, which no delta keeps
exact, and writing them all again costs what the full build's answers stage costs (644 s at
10,000 policies). The same holds for a build made with `--no-answers` and for one whose store
changed after its answers were written (`policykg link`). There, the first call of an
`answer: stored` query with the values the build would store (none, or the required one) computes
the whole answer on the engine, keeps it in a file of its own, and reads its page from there; the
next calls with those values read their pages from that file, as from a full build's answers. The
answer is the engine's on this store, so it is exact; only the first call pays for it.

Files: `index/kept/NAME.HASH.sqlite` in the build folder (HASH: of the bound values), each with the
tables of the answers file (policykg.query.stored) for one answer, and in `meta` the time stamp of
the store it was computed on (`store`). A file is read only with that store (an add makes a new
build folder without this folder; a changed store has a newer stamp), and only with the query's
text it was computed from. It is written whole under a temporary name and renamed into place, so
readers see the whole file or none; two processes that keep the same answer at once each write it
whole, and the last rename wins. A folder the caller may not write into keeps nothing: the calls
run on the engine, as before.

Bounds: the work runs in a bounded worker under the caller's limits (time and memory; the row cap
applies to the rows returned, which are read from the file); the files it writes are capped at
`MAX_BYTES` each (RLIMIT_FSIZE: past it the write fails and nothing is kept); an answer past
`stored.MAX_ROWS` rows is not kept, and that is recorded in its file so that the next calls go to
the engine without computing it again; at most `stored.MAX_VALUES` files are kept per query. A call
of a `page: keys` query with a page keeps nothing (its page is read from its key part, cheaper than
the whole answer, policykg.query.keyed); a call without a page keeps its answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import resource
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from policykg.query import bounds, stored
from policykg.query.index import replacing
from policykg.store import load

MAX_BYTES = 2 << 30              # a kept file, and the engine's serialization it is copied from


folder, path = stored.kept_folder, stored.kept_path       # the files (their reading is stored's)


def _refused(store: ox.Store, q, binding: str) -> bool:
    """Whether the call's answer was found too large to keep, on this store, for this query text."""
    got = stored.kept_file(store, q, binding)
    if got is None:
        return False
    got[0].close()
    return got[1].get("sha256") == stored.digest(q) and "not_kept" in got[1]


def wanted(store: ox.Store, q, subs: dict, limit: int | None, offset: int) -> bool:
    """Whether this call should keep its answer (see the module): the store is a build's, the call's
    values are the ones a build stores, it has no stored answer there, and it is not a page of a
    `page: keys` query."""
    origin = load.origin(store)
    if origin is None or not q.answer or (q.page == "keys" and (limit is not None or offset)):
        return False
    if q.answer == "spans":
        if stored._days(q, subs) is None:
            return False
    elif {v.value for v in subs} != {"_" + p.name for p in q.params if p.required}:
        return False
    binding = stored.answer_key(q, subs)
    if stored._open(store) is not None or _refused(store, q, binding):
        return False
    kept = folder(origin[0])
    return not (kept.is_dir() and len(list(kept.glob(f"{q.name}.*.sqlite"))) >= stored.MAX_VALUES)


def keep(store: ox.Store, q, subs: dict, limits: bounds.Limits | None) -> bool:
    """Compute the call's whole answer in a bounded worker and keep it (see the module); True when
    it was kept. Nothing is kept when the folder cannot be written or a file would pass its cap, and
    then nothing of ours is left in it; a limit the work hits is raised as the engine raises it."""
    origin = load.origin(store)
    binding = stored.answer_key(q, subs)
    target = path(origin[0], q, binding)
    work = dataclasses.replace(limits, max_rows=None) if limits is not None else None
    cap = MAX_BYTES if work is not None else None
    try:
        with replacing(target) as tmp:
            try:
                done = bounds.run(lambda: _write(store, q, subs, tmp, repr(origin[1]), cap), work)
            finally:
                _scratch(tmp).unlink(missing_ok=True)
            if done == "failed":
                raise OSError("not written")       # the partial file is removed, not renamed
    except OSError:
        return False
    return done == "kept"


def _scratch(tmp: Path) -> Path:
    return tmp.with_name(tmp.name + ".tsv")


def _write(store: ox.Store, q, subs: dict, tmp: Path, stamp: str, cap: int | None) -> str:
    """In the worker: the answer into the file `tmp` (the tables of the answers file): "kept"; past
    `stored.MAX_ROWS`, a file that says it was not kept: "refused"; "failed" when a file could not be
    written (past `cap` bytes, a full disk)."""
    try:
        with _file_cap(cap):
            db = sqlite3.connect(tmp)
            try:
                db.executescript(stored.SCHEMA)
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("version", stored.VERSION), ("store", stamp), ("sha256", stored.digest(q))])
                t = time.perf_counter()
                if q.answer == "spans":             # the rows of every date, as the build stores them
                    subs = {}
                scratch, seconds = stored._compute(store, q, subs, _scratch(tmp))
                n = stored._copy(db, q, subs, scratch, seconds)
                if isinstance(n, int) and q.answer == "spans":
                    n = stored._check_spans(store, db, q, scratch) or n
                if not isinstance(n, int):
                    db.execute("DELETE FROM lines")
                    db.execute("DELETE FROM answers")
                    db.execute("INSERT INTO meta VALUES ('not_kept', ?)", (n,))
                else:
                    db.execute("INSERT INTO meta VALUES ('seconds', ?)", (f"{time.perf_counter() - t:.3f}",))
                db.commit()
            finally:
                db.close()
    except (OSError, sqlite3.Error):
        return "failed"
    return "kept" if isinstance(n, int) else "refused"


@contextlib.contextmanager
def _file_cap(size: int | None):
    """Files written in the block fail past `size` bytes (EFBIG, raised as OSError), rather than the
    process being killed (SIGXFSZ ignored); both are restored after it. No cap with `size` None,
    nor off the main thread, where no signal handler can be set (the API called unbounded)."""
    if size is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    cap = size if hard == resource.RLIM_INFINITY else min(size, hard)
    before = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, before)
