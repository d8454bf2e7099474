"""Opening a build for queries, once per process.

`policykg build` leaves a pyoxigraph (RocksDB) store in the build (build/store/): opening it
read-only takes milliseconds whatever the size of the graph, and several processes (queries,
`serve`) can read it at once. Its default graph holds the union of the named graphs as a set (each
distinct triple once, see `policykg.store.union`). A build without a store (made by an older
version), whose kg.nq is newer than its store (rewritten by `policykg link`), or with an extracted
tier (`policykg ingest --into-graph`, extracted/*.nq) is loaded from its dumps into memory instead,
and its statistics graph (policykg.store.statistics, not in the dumps) computed anew.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError
from policykg.store import statistics, union

STORE_DIR = "store"


@lru_cache(maxsize=4)
def _open(path: str, stamp: float) -> ox.Store:
    return ox.Store.read_only(path)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float, extracted: tuple = ()) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    turtle = Path(path).with_name("kg.ttl")           # the union of the build's graphs, written with kg.nq
    if turtle.is_file() and turtle.stat().st_mtime >= mtime:
        store.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE, to_graph=union.DEFAULT)
    else:
        union.fill(store)
    statistics.write(store)                           # the counts are not in the dumps: made from the union
    for name, _ in extracted:                         # the extracted tier: named graphs only, not in the union
        store.bulk_load(path=name, format=ox.RdfFormat.N_QUADS)
    return store


def store_dir(build_dir: Path | str | None = None) -> Path | None:
    """The build's on-disk store, when it has one that is not older than its N-Quads dump."""
    folder = paths.build_dir(build_dir) / STORE_DIR
    current = folder / "CURRENT"
    if not current.is_file():
        return None
    nq = paths.build_dir(build_dir) / "kg.nq"
    if nq.is_file() and nq.stat().st_mtime > stamp(folder) + 1:
        return None                              # the dump was rewritten since (e.g. by `policykg link`)
    if any((folder.parent / "extracted").glob("*.nq")):
        return None                              # the extracted tier is loaded with the dumps
    return folder


def forget() -> None:
    """Close the stores this process opened or loaded (before a build's store is written to)."""
    _open.cache_clear()
    _load.cache_clear()
    _origins.clear()


_origins: dict[int, tuple[ox.Store, Path, float]] = {}


def origin(store: ox.Store) -> tuple[Path, float] | None:
    """(build folder, time stamp of its store) of a store opened from a build's on-disk store, else None."""
    hit = _origins.get(id(store))
    return hit[1:] if hit is not None and hit[0] is store else None


def stamp(folder: Path) -> float:
    """The time stamp of an on-disk store: its newest file's (closing a store rewrites its manifest)."""
    return max(f.stat().st_mtime for f in folder.iterdir())


def load(build_dir: Path | str | None = None) -> ox.Store:
    """The store of a build directory (see `paths.build_dir`); raises InputError when there is no build.

    It holds kg.nq and the extracted tier that `policykg ingest --into-graph` wrote to extracted/*.nq.
    """
    folder = store_dir(build_dir)
    if folder is not None:
        when = stamp(folder)
        store = _open(str(folder.resolve()), when)
        _origins[id(store)] = (store, folder.parent, when)
        return store
    path = nquads(build_dir)
    extracted = tuple((str(f.resolve()), f.stat().st_mtime) for f in sorted((path.parent / "extracted").glob("*.nq")))
    return _load(str(path.resolve()), path.stat().st_mtime, extracted)


def nquads(build_dir: Path | str | None = None) -> Path:
    """The N-Quads dump of a build; raises InputError naming --build and $POLICYKG_BUILD when there is none."""
    path = paths.build_dir(build_dir) / "kg.nq"
    if not path.is_file() and (path.parent / STORE_DIR / "CURRENT").is_file():
        raise InputError("this build has no kg.nq: documents were added to it without --dumps", path=path,
                         fix="run the add again with 'policykg build --dumps' (or rebuild with 'policykg build --full')")
    if not path.is_file():
        raise InputError("no built knowledge graph", path=path,
                         fix=f"run 'policykg build', or name a build with --build DIR or ${paths.BUILD_ENV}")
    return path
