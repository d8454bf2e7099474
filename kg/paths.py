"""Where the hand-edited sources live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_REPO = PACKAGE.parent


def _resource(name: str) -> Path:
    bundled = PACKAGE / "_data" / name      # a wheel carries copies here (see pyproject.toml)
    return bundled if bundled.is_dir() else _REPO / name


ONTOLOGY_DIR = _resource("ontology")
QUERIES_DIR = _resource("queries")
DOCUMENTS_DIR = PACKAGE / "documents"
ONTOLOGY_FILE = ONTOLOGY_DIR / "policykg.ttl"
VOCAB_DIR = ONTOLOGY_DIR / "vocab"
CHECKS_DIR = ONTOLOGY_DIR / "checks"
RULES_DIR = ONTOLOGY_DIR / "rules"
SHAPES_DIR = ONTOLOGY_DIR / "shapes"
DEFAULT_BUILD_DIR = Path("build")
