"""The built dataset (build/kg.nq) loaded into a pyoxigraph store, once per process.

The store's default graph holds the union of the named graphs as a set (each distinct triple
once, see `policykg.store.union`), loaded from the build's union dump kg.ttl."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError
from policykg.store import union


@lru_cache(maxsize=4)
def _load(path: str, mtime: float, extracted: tuple = ()) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    turtle = Path(path).with_name("kg.ttl")           # the union of the build's graphs, written with kg.nq
    if turtle.is_file() and turtle.stat().st_mtime >= mtime:
        store.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE, to_graph=union.DEFAULT)
    else:
        union.fill(store)
    for name, _ in extracted:                         # the extracted tier: named graphs only, not in the union
        store.bulk_load(path=name, format=ox.RdfFormat.N_QUADS)
    return store


def load(build_dir: Path | str | None = None) -> ox.Store:
    """The store of a build directory (see `paths.build_dir`); raises InputError when there is no build.

    It holds kg.nq and the extracted tier that `policykg ingest --into-graph` wrote to extracted/*.nq.
    """
    path = nquads(build_dir)
    extracted = tuple((str(f.resolve()), f.stat().st_mtime) for f in sorted((path.parent / "extracted").glob("*.nq")))
    return _load(str(path.resolve()), path.stat().st_mtime, extracted)


def nquads(build_dir: Path | str | None = None) -> Path:
    """The N-Quads dump of a build; raises InputError naming --build and $POLICYKG_BUILD when there is none."""
    path = paths.build_dir(build_dir) / "kg.nq"
    if not path.is_file():
        raise InputError("no built knowledge graph", path=path,
                         fix=f"run 'policykg build', or name a build with --build DIR or ${paths.BUILD_ENV}")
    return path

