"""Which encoding files a build reads."""

from __future__ import annotations

from pathlib import Path

from policykg import paths


def document_files(documents_dir: Path | None = None) -> list[Path]:
    """The `*.yaml` encodings of a folder (default: the built-in `kg/documents/`), sorted by name."""
    return sorted((documents_dir or paths.DOCUMENTS_DIR).glob("*.yaml"))
