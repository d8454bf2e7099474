"""The name index of a store, once per process: read from its build's file, written again when stale.

`index(store)` gives the store's `Index` (policykg.query.index). For a build's on-disk store
(`policykg.store.load`) it reads the build's file (`index_file.write`, build/index/names.sqlite),
with the layer that an add wrote beside it (`index_layer.write`, build/index/names-added.sqlite).
When that file is missing, of another format version or older than the store (a store written
outside `policykg build`), one of:
- the build's `index/` folder exists and can be written, and the file in it is absent or one we
  wrote (an SQLite file with our `meta` table): the file is **written again, once**, to a temporary
  file beside it and renamed over it (an exclusive lock on the folder makes other processes wait
  for it, then read it), and read;
- else the index is built in this process's memory, but only for a store of at most
  `MAX_BUILD_MB` on disk (by proportion, about 170 MB of memory and 7 s: at 1,000 policies, a
  2.7 GB store, it took 0.9 GB and 32 s under load); above that, an InputError that says how to
  fix it. A missing
  `index/` folder (a build of an older version) is not created: `policykg build` refuses a build
  folder holding names its marker does not list.
Other stores (loaded from the dumps into memory) are indexed in memory, as they are held there.
The last few indexes are cached, by store identity.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections import OrderedDict
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.query import index_file
from policykg.query.index import VERSION, Index, build, path, read, remove_leftovers

MAX_BUILD_MB = 512                  # store size on disk up to which a stale index is built in memory

# pyoxigraph stores take no weak references: the last few stores and their indexes, by identity.
# Commands open stores read-only; a store changed after it was indexed needs index(store, refresh=True).
_CACHE_SIZE = 4
_cache: "OrderedDict[int, tuple[ox.Store, Index]]" = OrderedDict()


def forget(store: ox.Store) -> None:
    """Drop a store's index (and the cache's hold on the store, so that it can close: an on-disk
    store keeps its folder locked while open)."""
    _cache.pop(id(store), None)


def index(store: ox.Store, refresh: bool = False) -> Index:
    """The name index of a store (see the module's text); `refresh` builds it from the store anew."""
    hit = _cache.get(id(store))
    if hit is not None and hit[0] is store and not refresh:
        _cache.move_to_end(id(store))
        return hit[1]
    idx = None
    if not refresh:
        from policykg.store import load
        origin = load.origin(store)
        idx = (read(*origin) or _renew(store, *origin)) if origin else None
    idx = idx or build(store)
    _cache[id(store)] = (store, idx)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return idx


def at_hand(store: ox.Store) -> Index | None:
    """The store's index when it costs no more than opening a file: one already made or read for this
    store, or its build's index file; None otherwise (building one reads every name of the store)."""
    hit = _cache.get(id(store))
    if hit is not None and hit[0] is store:
        _cache.move_to_end(id(store))
        return hit[1]
    from policykg.store import load
    origin = load.origin(store)
    idx = read(*origin) if origin else None
    if idx is not None:
        _cache[id(store)] = (store, idx)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return idx


def _renew(store: ox.Store, build_dir: Path, stamp: float) -> Index | None:
    """The build's index file written again and read; None to build it in memory (small store);
    InputError when neither may be done."""
    target = path(build_dir)
    obstacle = _obstacle(target)
    if obstacle is None:
        try:
            with _locked(target.parent):
                idx = read(build_dir, stamp)             # another process may have written it meanwhile
                if idx is None:
                    remove_leftovers(target)
                    index_file.write(store, build_dir)
                    idx = read(build_dir, stamp)
            if idx is not None:
                return idx
        except (OSError, sqlite3.Error):                 # e.g. a full disk: the temporary file is removed
            pass
    size_mb = sum(f.stat().st_size for f in (build_dir / "store").iterdir() if f.is_file()) / 2**20
    if size_mb <= MAX_BUILD_MB:
        return None
    fixes = {f"{target.parent.name}/ is missing": "rebuild with 'policykg build' (it writes the name index)",
             "it is left as it is": f"move that file away (the name index is written there), or rebuild with "
                                    f"'policykg build'"}
    raise InputError(f"{_why(target)}, and it cannot be written again here ({obstacle or 'the write failed'}); "
                     f"building it in memory is refused above a store of {MAX_BUILD_MB} MB (this one: "
                     f"{size_mb:,.0f} MB)", path=target,
                     fix=fixes.get(obstacle, f"run the command once with write access to {target.parent} (the file "
                                             f"is then written again), or rebuild with 'policykg build'"))


def _why(target: Path) -> str:
    if not os.path.lexists(target):
        return "the build has no name index file"
    version = _version(target)
    if version is None:
        return "this file is not a name index that policykg wrote"
    if version != VERSION:
        return f"the name index is of format version {version} (this version reads {VERSION})"
    return "the name index is older than the store"


def _version(target: Path) -> str | None:
    """The format version of an index file we wrote; None for any other file."""
    try:
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _obstacle(target: Path) -> str | None:
    """Why the index file may not be written again: None when the build's index folder exists and can
    be written, and the file is absent or one we wrote."""
    folder = target.parent
    if folder.is_symlink() or not folder.is_dir():
        return f"{folder.name}/ is missing"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder.name}/ is not writable"
    if os.path.lexists(target) and (target.is_symlink() or not target.is_file() or _version(target) is None):
        return "it is left as it is"
    return None


class _locked:
    """An exclusive lock on a folder (flock), released on exit or when the process ends."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
