"""Sections from the numbering the text uses: 一、 / （一） / 1. / （1） / 第X条 / I. / (1).

A marker counts at the start of a line, or (in bilingual editions that put the Chinese after the
English on one line) after the end of a sentence or a run of spaces. Ordinals must follow on from
the previous marker of their level (1, 2, 3 ...; a list restarts at 1 under a new parent), so a
stray '三、' inside a sentence is not taken for a part. When the text has Chinese numbering, the
Chinese scheme gives the sections and the English markers only end them.
"""

from __future__ import annotations

import re

from policykg.ingest.model import Section

ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ROMAN = {"I": 1, "V": 5, "X": 10}
_LEAD = r"(?:^[ \t\u3000]*|(?<=[.。!?;:；：])[ \t\u3000\u00a0]*|[ \t\u3000\u00a0]{2,})"
ZH = [
    ("part", re.compile(_LEAD + r"(?P<m>(?P<n>[一二三四五六七八九十]{1,3})、)(?=[\u4e00-\u9fff“])", re.M)),
    ("measure", re.compile(_LEAD + r"(?P<m>[（(](?P<n>[一二三四五六七八九十]{1,3})[)）])(?=[\u4e00-\u9fff“])", re.M)),
    ("article", re.compile(r"^[ \t\u3000]*(?P<m>第(?P<n>[一二三四五六七八九十百零]{1,4})条)", re.M)),
    ("item", re.compile(r"^[ \t\u3000]*(?P<m>(?P<n>\d{1,2})[.．、])(?=[\u4e00-\u9fff“])", re.M)),
    ("subitem", re.compile(r"^[ \t\u3000]*(?P<m>[（(](?P<n>\d{1,2})[)）])(?=[\u4e00-\u9fff“])", re.M)),
]
EN = [
    ("part", re.compile(r"^[ \t]*(?P<m>(?P<n>[IVX]{1,5})\.)\s+(?=[A-Z])", re.M)),
    ("article", re.compile(r"^[ \t]*(?P<m>Article (?P<n>\d{1,3}))\b", re.M)),
    ("measure", re.compile(r"^[ \t]*(?P<m>\((?P<n>\d{1,2})\))\s+(?=[A-Z])", re.M)),
    ("item", re.compile(r"^[ \t]*(?P<m>(?P<n>\d{1,2})\.)\s+(?=[A-Z])", re.M)),
]
LEVEL = {"part": 0, "article": 0, "measure": 1, "item": 2, "subitem": 3}
CLOSING = re.compile(r"^[ \t]*(?:附件|附：|Annex|Attachment)[^\n]{0,40}$|^[ \t]*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日[ \t]*$", re.M)


def zh_number(s: str) -> int:
    """一 → 1, 十 → 10, 十七 → 17, 二十三 → 23, 一百零五 → 105."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = ZH_DIGITS[ch]
    return total + cur


def roman(s: str) -> int:
    vals = [ROMAN[c] for c in s]
    return sum(-v if i + 1 < len(vals) and v < vals[i + 1] else v for i, v in enumerate(vals))


def _markers(text: str, scheme) -> list[tuple[int, str, str, int]]:
    out = []
    for kind, rx in scheme:
        for m in rx.finditer(text):
            n = m.group("n")
            ordinal = roman(n) if re.fullmatch(r"[IVX]+", n) else zh_number(n)
            out.append((m.start("m"), kind, m.group("m"), ordinal))
    return sorted(out)


def _in_sequence(markers):
    """Keep markers whose ordinal follows on from the last one of their level.

    Under a new parent a list may restart at 1 or carry on the numbering (the Notice numbers its
    measures (一)-(十七) across parts); under the same parent only the next ordinal counts.
    """
    last: dict[int, tuple[int, int]] = {}      # level -> (ordinal, index of the parent marker in kept)
    kept = []
    for pos, kind, marker, ordinal in markers:
        lvl = LEVEL[kind]
        parent = max((i for i, k in enumerate(kept) if LEVEL[k[1]] < lvl), default=-1)
        prev, prev_parent = last.get(lvl, (0, -1))
        ok = ordinal == prev + 1 or (ordinal == 1 and prev_parent != parent)
        if ok:
            last[lvl] = (ordinal, parent)
            kept.append((pos, kind, marker, ordinal))
    return kept


def _heading_end(text: str, start: int, kind: str) -> int:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    stop = re.compile(r"[。；：:]" if kind != "part" else r"[。]") if re.search(r"[\u4e00-\u9fff]", text[start:end]) \
        else re.compile(r"\.(?:\s|$)")
    m = stop.search(text, start + 2, end)
    end = m.start() if m else end
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return end


def sections(text: str) -> list[Section]:
    zh = _in_sequence(_markers(text, ZH))
    en = _in_sequence(_markers(text, EN))
    if any(k in ("part", "measure", "article") for _, k, _, _ in zh):
        chosen, others = zh, en
    else:
        chosen, others = en, []
    closing = [m.start() for m in CLOSING.finditer(text)]
    bounds = sorted([(p, LEVEL[k]) for p, k, _, _ in chosen + others] + [(c, -1) for c in closing])
    out: list[Section] = []
    stack: list[int] = []
    for pos, kind, marker, ordinal in chosen:
        lvl = LEVEL[kind]
        end = next((p for p, l in bounds if p > pos and l <= lvl), len(text))
        while stack and out[stack[-1]].level >= lvl:
            stack.pop()
        parent = stack[-1] if stack else None
        hend = min(_heading_end(text, pos, kind), end)
        out.append(Section(kind, marker, ordinal, pos, hend, end, parent, text[pos:hend]))
        stack.append(len(out) - 1)
    for s in out:           # a section never runs past its parent
        if s.parent is not None:
            s.end = min(s.end, out[s.parent].end)
    return out
