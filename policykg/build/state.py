"""What a build remembers of its sources, so that the next build can tell unchanged files from new
ones without reading them (docs/decisions/0010-adding-documents.md).

**Fingerprints.** For every encoding the build records, besides the digest of its bytes, the file's
size, modification and change times (ns), inode and device, taken *before* the file was read. The
next build takes a file's digest from the record when all five are the same, and reads and hashes
the file otherwise. Editing a file always moves its change time (ctime), which no user call can
set back: a file edited with its size and modification time restored is still read; a file only
touched (or copied, or checked out again) is read and hashed, found unchanged by its digest, and
not compiled again. A file changed twice within the filesystem's clock tick around the moment it
was fingerprinted could keep the same times; as git does for its index, a file whose change time
is less than `RACY_NS` before the fingerprint was taken gets no fingerprint (it is hashed next time).

**Keys.** The key table of the build (every key its files declare, with its class) is kept in an
SQLite file beside the unit cache, so that the new files of an add are checked against it by
lookups instead of by reading every earlier unit. Rows carry the generation of the build that wrote
them, as in `policykg.link.saved`.

**The record.** What a build was made of is noted in its cache/ (`STATE`, written by `record`,
by `record_full` for a full build): the context digest, the units' digests, each file's
fingerprint, and the generations of the kept key table and link index. The next build reads it
(`recorded`) to decide whether it can add to this one (`policykg.build.addplan`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from policykg.build import addlinks, units
from policykg.encoding.records import iri_of
from policykg.link import saved

KEYS = "keys.sqlite"
STATE = "state.json"                       # in the build's cache/: what the build was made of
FORMAT = 1
RACY_NS = 2_000_000_000          # a change this recent (or later) leaves a file unfingerprinted


def stat_files(files: list[Path]) -> dict[str, list[int]]:
    """path -> [size, mtime_ns, ctime_ns, inode, device] of each file, as it is now; files changed
    in the last `RACY_NS` are left out (see the module)."""
    out = {}
    now = time.time_ns()
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            continue
        if st.st_ctime_ns < now - RACY_NS and st.st_mtime_ns < now - RACY_NS:
            out[os.path.abspath(f)] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    return out


def digests(files: list[Path], context: str, stats: dict[str, list[int]], recorded: dict[str, list]) -> dict[Path, str]:
    """file -> digest of its bytes and the context: the recorded one when the file's fingerprint
    (`stats`, taken before) is the recorded one, else read and hashed now."""
    out = {}
    for f in files:
        key = os.path.abspath(f)
        rec, now = recorded.get(key), stats.get(key)
        out[f] = rec[5] if rec is not None and now is not None and rec[:5] == now else units.file_digest(f, context)
    return out


def fingerprints(stats: dict[str, list[int]], digest_of: dict[str, str]) -> dict[str, list]:
    """What `state.json` records per file: its fingerprint and digest (files without either, none)."""
    return {p: st + [digest_of[p]] for p, st in stats.items() if p in digest_of}


class Keys:
    """The key table kept with a build: IRI -> class of every declared key (generation `gen`).
    A mapping for `reader` (`get`, `in`, iteration), over the vocabulary's individuals, the kept
    declarations and those of the files being added (`extra`)."""

    def __init__(self, path: Path, gen: int, individuals: dict, extra: dict | None = None):
        self.path, self.gen, self.individuals = Path(path), gen, individuals
        self.extra = dict(extra or {})
        self.db = sqlite3.connect(self.path)

    def close(self) -> None:
        self.db.close()

    def declared(self, iri: str) -> str | None:
        row = self.db.execute("SELECT cls FROM keys WHERE iri = ? AND gen <= ?", (iri, self.gen)).fetchone()
        return row[0] if row else None

    def get(self, iri, default=None):
        if iri in self.individuals:
            return set(self.individuals[iri])
        if iri in self.extra:
            return {self.extra[iri]}
        cls = self.declared(iri)
        return {cls} if cls is not None else default

    def __contains__(self, iri) -> bool:
        return self.get(iri) is not None

    def __iter__(self) -> Iterator[str]:         # only for suggestions in error messages
        yield from self.individuals
        yield from self.extra
        yield from (r[0] for r in self.db.execute("SELECT iri FROM keys WHERE gen <= ?", (self.gen,)))

    def add(self, declarations: Iterable[tuple[str, str]]) -> None:
        """Record (iri, class) pairs as the next generation (deleting a failed add's rows first)."""
        new = self.gen + 1
        self.db.execute("DELETE FROM keys WHERE gen >= ?", (new,))
        self.db.executemany("INSERT INTO keys VALUES (?, ?, ?)", ((i, c, new) for i, c in declarations))
        self.db.commit()
        self.gen = new


def write_keys(path: Path, done: list[units.Unit]) -> None:
    """A new key file at `path` (replacing one there) with the declarations of `done`, generation 0."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                         "CREATE TABLE keys(iri TEXT PRIMARY KEY, cls TEXT, gen INT);")
        db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?, 0)",
                       ((iri_of(key), cls) for u in done for key, cls, _line in u.declarations))
        db.commit()
    finally:
        db.close()
    tmp.replace(path)


def record(build: Path, context: str, digests: list[str], *, links: bool, files: dict, keys_gen: int = 0,
           links_gen: int | None = None, link_count: int | None = None) -> None:
    """Note in `build`/cache/ what the build was made of (read by the next build's
    `addplan.plan`): the context, the units' digests, each file's fingerprint (`fingerprints`),
    and the generations of the kept key table and link index (`Keys`, `policykg.link.saved`)."""
    folder = Path(build) / "cache"
    folder.mkdir(exist_ok=True)
    data = {"format": FORMAT, "context": context, "links": links, "units": sorted(digests), "files": files,
            "keys_gen": keys_gen}
    if links:
        data |= {"links_gen": links_gen, "link_units": link_count}
    tmp = folder / (STATE + ".tmp")
    tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
    os.replace(tmp, folder / STATE)


def record_full(build: Path, context: str, done: list[units.Unit], link_units: tuple | None,
                stats: dict[str, list[int]]) -> None:
    """`record` for a full build: its key table and link index written anew from all units."""
    folder = Path(build) / "cache"
    folder.mkdir(exist_ok=True)
    write_keys(folder / KEYS, done)
    (folder / addlinks.LINK_UNITS).unlink(missing_ok=True)              # an older build's form of the link units
    if link_units is not None:
        saved.write(folder / saved.FILE, *link_units)
    else:
        (folder / saved.FILE).unlink(missing_ok=True)
    files = fingerprints(stats, {os.path.abspath(u.path): u.digest for u in done})
    record(build, context, [u.digest for u in done], links=link_units is not None, files=files, keys_gen=0,
           links_gen=0, link_count=len(link_units[0]) if link_units is not None else None)


def recorded(build: Path) -> dict | None:
    """What `record` noted in `build`/cache/, or None (none, unreadable, or of another format)."""
    try:
        data = json.loads((build / "cache" / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None
