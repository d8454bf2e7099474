"""Find passages in a source text, as character offsets for encodings."""

from __future__ import annotations

from pathlib import Path

from policykg import inputs
from policykg.errors import InputError


MAX_SOURCE_BYTES = 50_000_000       # a source text is read whole; the largest seed is well under 1 MB


def read_text(path: Path) -> str:
    return inputs.read_text(path, MAX_SOURCE_BYTES, "your copy of the source text")


def find(path: Path, passage: str) -> list[tuple[int, int]]:
    text = read_text(path)
    out, i = [], text.find(passage)
    while i >= 0:
        out.append((i, i + len(passage)))
        i = text.find(passage, i + 1)
    if not out:
        raise InputError(f"passage not found: '{passage[:40]}'", path=path, fix="copy the passage exactly as it appears")
    return out
