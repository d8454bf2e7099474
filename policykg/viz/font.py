"""A subset of a CJK font for the pages, so that Chinese renders the same on any machine.

The pages use one font for everything they draw: "Noto Sans CJK SC" (SIL Open Font License), cut
down with fontTools to the characters the pages contain, compressed as WOFF2 and embedded as a
`data:` URI in an `@font-face` rule. The full font comes from Debian's `fonts-noto-cjk` (or the file
named by $POLICYKG_CJK_FONT); where none is found the pages fall back to the system's fonts and
`find()` says why. One subset serves all pages of a build (the union of their characters).
Subsets are kept in $POLICYKG_CACHE/fonts (default ~/.cache/policykg/fonts), at most CACHE_FILES.
"""

from __future__ import annotations

import base64
import hashlib
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


CACHE_ENV = "POLICYKG_CACHE"
CACHE_FILES = 32        # subsets kept in the cache folder (the oldest go first)


def _cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                     os.path.expanduser("~/.cache"), "policykg")
    return Path(base) / "fonts"


@lru_cache(maxsize=4)
def _subset(path: str, face: str, chars: str) -> bytes:
    """The WOFF2 subset, from the cache folder when an earlier run made the same one (computing it
    takes seconds: the CFF outlines are parsed and WOFF2 compresses with Brotli at its best quality)."""
    st = os.stat(path)
    key = hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{face}\0{chars}".encode()).hexdigest()[:32]
    cached = _cache_dir() / f"{key}.woff2"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _make_subset(path, face, chars)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
        ours = sorted(cached.parent.glob("*.woff2"), key=lambda p: p.stat().st_mtime)
        for old in ours[:-CACHE_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass                  # a read-only home: no cache, same bytes
    return data


def _make_subset(path: str, face: str, chars: str) -> bytes:
    from fontTools import subset
    font = _open(Path(path), face)
    opts = subset.Options()
    opts.flavor = "woff2"
    # horizontal text of the Simplified Chinese face needs no layout tables; dropping them makes the
    # subset about three times faster to compute and smaller
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG"]
    opts.hinting = False
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]        # keep the copyright and licence notices' names
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.recalcTimestamp = False      # keep the source's date: the same input gives the same bytes
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
