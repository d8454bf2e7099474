"""Find passages in a source text, as character offsets for encodings."""

from __future__ import annotations

from pathlib import Path

from policykg.errors import InputError


def read_text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=path, fix="give the path of your copy of the source") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path, fix="convert the file to UTF-8") from None


def find(path: Path, passage: str) -> list[tuple[int, int]]:
    text = read_text(path)
    out, i = [], text.find(passage)
    while i >= 0:
        out.append((i, i + len(passage)))
        i = text.find(passage, i + 1)
    if not out:
        raise InputError(f"passage not found: '{passage[:40]}'", path=path, fix="copy the passage exactly as it appears")
    return out
