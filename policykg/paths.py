"""Where the hand-edited sources live, in a checkout and in an installed wheel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_REPO = PACKAGE.parent
_SHARED = Path(sys.prefix) / "share" / "policykg"   # where a wheel puts the sources (see pyproject.toml)


def _resource(name: str) -> Path:
    """A folder of hand-edited sources: in the checkout the package runs from, else the installed copy."""
    here = _REPO / name
    if (_REPO / "ontology" / "policykg.ttl").is_file() and here.is_dir():
        return here
    return _SHARED / name


ONTOLOGY_DIR = _resource("ontology")
QUERIES_DIR = _resource("queries")
DOCUMENTS_DIR = _resource("kg/documents")
ONTOLOGY_FILE = ONTOLOGY_DIR / "policykg.ttl"
VOCAB_DIR = ONTOLOGY_DIR / "vocab"
CHECKS_DIR = ONTOLOGY_DIR / "checks"
RULES_DIR = ONTOLOGY_DIR / "rules"
SHAPES_DIR = ONTOLOGY_DIR / "shapes"
DEFAULT_BUILD_DIR = Path("build")
BUILD_ENV = "POLICYKG_BUILD"


def build_dir(given: Path | str | None = None) -> Path:
    """The build directory: `given` (a --build option or build_dir argument), else $POLICYKG_BUILD, else ./build.

    Every command and the Python API find the build this way.
    """
    if given is not None and str(given) != "":
        return Path(given)
    env = os.environ.get(BUILD_ENV, "")
    return Path(env) if env else DEFAULT_BUILD_DIR
