"""A subset of a CJK font for the pages, so that Chinese renders the same on any machine.

The pages use one font for everything they draw: "Noto Sans CJK SC" (SIL Open Font License), cut
down with fontTools to the characters the pages contain, compressed as WOFF2 and embedded as a
`data:` URI in an `@font-face` rule. The full font comes from Debian's `fonts-noto-cjk` (or the file
named by $POLICYKG_CJK_FONT); where none is found the pages fall back to the system's fonts and
`find()` says why. One subset serves all pages of a build (the union of their characters).
"""

from __future__ import annotations

import base64
import io
import os
from functools import lru_cache
from pathlib import Path

FONT_ENV = "POLICYKG_CJK_FONT"
FAMILY = "PolicyKG Sans"
# Debian's fonts-noto-cjk: a collection whose face 2 is Simplified Chinese
CANDIDATES = [(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "Noto Sans CJK SC"),
              (Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"), "Noto Sans CJK SC")]
MAX_CHARS = 20_000      # a page whose text needs more distinct characters embeds the first ones only


def find() -> tuple[Path | None, str]:
    """(font file, face name) or (None, why not)."""
    named = os.environ.get(FONT_ENV)
    if named:
        p = Path(named)
        return (p, "") if p.is_file() else (None, f"${FONT_ENV} names {p}, which is not a file")
    for path, face in CANDIDATES:
        if path.is_file():
            return path, face
    return None, "no CJK font file: install Debian's fonts-noto-cjk or set $" + FONT_ENV


def _open(path: Path, face: str):
    from fontTools.ttLib import TTCollection, TTFont
    if path.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(path), lazy=True)
        for i, f in enumerate(coll.fonts):
            if not face or f["name"].getDebugName(4) == face:
                return TTFont(str(path), fontNumber=i, lazy=True)
        return TTFont(str(path), fontNumber=0, lazy=True)
    return TTFont(str(path), lazy=True)


@lru_cache(maxsize=4)
def _subset(path: str, face: str, chars: str) -> bytes:
    from fontTools import subset
    font = _open(Path(path), face)
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["kern", "liga", "locl", "ccmp"]
    opts.hinting = False
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]        # keep the copyright and licence notices' names
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff2"
    font.save(buf)
    return buf.getvalue()


def characters(*texts: str) -> str:
    """The distinct printable characters of the texts, sorted (so the subset is deterministic)."""
    seen = set()
    for t in texts:
        seen.update(t)
    return "".join(sorted(c for c in seen if c.isprintable() and c != " ")[:MAX_CHARS]) + " "


def font_face(chars: str) -> str:
    """A CSS @font-face rule embedding the subset for `chars`, or '' when no font file is found."""
    path, face = find()
    if path is None:
        return ""
    data = base64.b64encode(_subset(str(path), face, chars)).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')
