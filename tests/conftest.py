"""Shared fixtures: one build of the real knowledge graph per test session, and the source texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def sources_dir() -> Path | None:
    """The source texts: $POLICYKG_SOURCES, or ../shared/seeds beside the checkout."""
    for candidate in (os.environ.get("POLICYKG_SOURCES"), REPO.parent / "shared" / "seeds"):
        if candidate and Path(candidate).is_dir() and any(Path(candidate).glob("*.txt")):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def seeds() -> Path:
    d = sources_dir()
    if d is None:
        pytest.skip("the source texts are not here: set POLICYKG_SOURCES or place them in ../shared/seeds")
    return d


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(build directory, Dataset) of the real graph, built once."""
    from policykg.build import pipeline as build
    out = tmp_path_factory.mktemp("kg") / "build"
    ds = build.build(out)
    return out, ds


@pytest.fixture(scope="session")
def build_dir(built) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def store(built):
    return built[1].store


@pytest.fixture(scope="session")
def select(store):
    """Run a SELECT on the union of all graphs; rows as tuples of plain values (None when unbound)."""
    from policykg.model.namespaces import sparql_prefixes
    from policykg.store import union

    def run(query: str, **kwargs):
        rows = store.query(sparql_prefixes() + query, **{**union.options(store), **kwargs})
        return [tuple(None if v is None else v.value for v in row) for row in rows]
    return run
