"""Writing what ingest found: the draft encoding, the extracted text (HTML, PDF), the mentions file.

Files are written whole or not at all (a temporary file renamed into place). An existing draft is
not overwritten unless asked (`force`): a person may have started reviewing it.
"""

from __future__ import annotations

import json
from pathlib import Path

from policykg.errors import InputError
from policykg.ingest import draft
from policykg.ingest.model import LOW_CONFIDENCE, Extraction
from policykg.query.index import replacing

DEFAULT_DRAFTS = Path("kg/drafts")


def _write(path: Path, text: str) -> None:
    with replacing(path) as tmp:           # the umask applies, as to any file the user makes
        tmp.write_text(text, encoding="utf-8", newline="")


def mentions_json(ex: Extraction) -> str:
    rows = []
    for m in ex.mentions:
        row = m.as_json()
        if m.confidence < LOW_CONFIDENCE:
            row["low"] = True
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def write_mentions(ex: Extraction, path: Path | str) -> Path:
    path = Path(path)
    _write(path, mentions_json(ex))
    return path


def write_draft(ex: Extraction, out_dir: Path | str = DEFAULT_DRAFTS, *, force: bool = False,
                version: str = "") -> list[Path]:
    """kg/drafts/<slug>.yaml (and <slug>.txt, the extracted text, for HTML and PDF input)."""
    out_dir = Path(out_dir)
    slug = draft.slug(ex.path)
    target = out_dir / f"{slug}.yaml"
    if target.exists() and not force:
        raise InputError(f"draft {target} exists", path=ex.path,
                         fix="review and move it, or pass --force to overwrite it")
    written = []
    if ex.kind != "text":
        text_path = out_dir / f"{slug}.txt"
        _write(text_path, ex.text)
        written.append(text_path)
    _write(target, draft.render(ex, slug, version=version))
    return [target] + written
