"""The built dataset (build/kg.nq) loaded into a pyoxigraph store, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def load(build_dir: Path | str | None = None) -> ox.Store:
    """The store of a build directory (see `paths.build_dir`); raises InputError when there is no build."""
    path = nquads(build_dir)
    return _load(str(path.resolve()), path.stat().st_mtime)


def nquads(build_dir: Path | str | None = None) -> Path:
    """The N-Quads dump of a build; raises InputError naming --build and $POLICYKG_BUILD when there is none."""
    path = paths.build_dir(build_dir) / "kg.nq"
    if not path.is_file():
        raise InputError("no built knowledge graph", path=path,
                         fix=f"run 'policykg build', or name a build with --build DIR or ${paths.BUILD_ENV}")
    return path

