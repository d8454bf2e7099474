"""The built dataset (build/kg.nq) loaded into a pyoxigraph store, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg import paths
from kg.errors import InputError


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def load(build_dir: Path | str = paths.DEFAULT_BUILD_DIR) -> ox.Store:
    """The store of a build directory; raises InputError when there is no build yet."""
    path = Path(build_dir) / "kg.nq"
    if not path.is_file():
        raise InputError("no built knowledge graph", path=path, fix="run 'policykg build' first")
    return _load(str(path.resolve()), path.stat().st_mtime)
