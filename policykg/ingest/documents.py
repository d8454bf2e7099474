"""Mentions of documents: by number (工信部联运行〔2022〕160号, "No. 160 [2022]"), by 《title》, by the
short title a text defines (以下简称《通知》, hereinafter the "Notice"), or by an English rendering
of a title we know (linked with low confidence, since renderings differ)."""

from __future__ import annotations

import bisect
import re

from policykg.ingest.dictionary import Dictionary, fold, number_key
from policykg.ingest.model import Mention

NUMBER = re.compile(r"([\u4e00-\u9fff]{1,14})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(\d{1,5})\s*号")
YEAR_SERIAL = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号")
EN_NUMBER = re.compile(r"\bNo\.\s*(\d{1,5})\s*[\[(]((?:19|20)\d{2})[\])]|\[((?:19|20)\d{2})\]\s*No\.\s*(\d{1,5})")
BOOK_TITLE = re.compile(r"《([^《》\n]{2,80})》")
ALIAS = re.compile(r"以下简称\s*[《“\"]([^》”\"\n]{1,20})[》”\"]|hereinafter (?:referred to as |called )?(?:the )?"
                   r"[“\"]([^”\"\n]{1,40})[”\"]", re.I)
EN_QUOTED = re.compile(r"[“\"]((?:[A-Z][\w'’-]*|on|of|the|and|for|to|in|a|an|by)(?:[ ,]+[\w'’-]+){3,40})[”\"]")
STOP = {"on", "of", "the", "and", "for", "to", "in", "a", "an", "by", "notice", "circular", "state", "council",
        "ministry", "commission", "national"}
FUZZY_MIN = 0.5


def numbers(text: str) -> list[tuple[str, int, int, str, str]]:
    """(number as written, start, end, year, serial) for every document number in the text."""
    out = []
    for y in YEAR_SERIAL.finditer(text):          # find 〔2022〕160号 first, then the issuer's code before it
        m = NUMBER.search(text, max(0, y.start() - 15), y.end())
        if m and m.end() == y.end():
            out.append((m.group(0), m.start(), m.end(), m.group(2), m.group(3)))
    for m in EN_NUMBER.finditer(text):
        serial, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out.append((m.group(0), m.start(), m.end(), year, serial))
    return sorted(out, key=lambda n: n[1])


def _by_year_serial(d: Dictionary, year: str, serial: str) -> list[str]:
    found = set()
    for number, key in d.numbers.items():
        m = NUMBER.fullmatch(number)
        if m and m.group(2) == year and m.group(3) == serial:
            found.add(key)
    return sorted(found)


def _stems(title: str) -> set[str]:
    words = re.findall(r"[a-z]+", title.lower())
    return {w[:7] for w in words if w not in STOP and len(w) > 2}


def fuzzy_title(d: Dictionary, title: str) -> tuple[str, float] | None:
    """The known English title that holds most of the words of `title` (an English rendering of it).

    Score: the share of the rendering's word stems found in the known title (which may also name
    the issuers): at least FUZZY_MIN, with at least 4 stems shared. Such links are marked low."""
    mine = _stems(title)
    if len(mine) < 4:
        return None
    best = None
    for known, key in d.en_titles.items():
        theirs = _stems(known)
        if len(mine & theirs) < 4:
            continue
        score = len(mine & theirs) / len(mine)
        if score >= FUZZY_MIN and (best is None or score > best[1]):
            best = (key, score)
    return best


def mentions(text: str, folded: str, d: Dictionary, found: list[Mention], numbered=None) -> list[Mention]:
    out = []
    for written, start, end, year, serial in numbers(text) if numbered is None else numbered:
        key = d.numbers.get(number_key(written))
        if key:
            out.append(Mention("document", key, written, start, end, 0.99, "documentNumber"))
        elif written.startswith(("No", "[")):
            keys = _by_year_serial(d, year, serial)
            if len(keys) == 1:
                out.append(Mention("document", keys[0], written, start, end, 0.8, "documentNumber/en"))
    for m in BOOK_TITLE.finditer(text):
        key = d.titles.get(fold(m.group(1)))
        if key:
            out.append(Mention("document", key, m.group(1), m.start(1), m.end(1), 0.98, "title"))
    for m in EN_QUOTED.finditer(text):
        hit = fuzzy_title(d, m.group(1))
        if hit and fold(m.group(1)) not in d.titles:
            out.append(Mention("document", hit[0], m.group(1), m.start(1), m.end(1), round(0.4 + hit[1] / 2, 2),
                               "fuzzyTitle"))
    out.extend(_aliases(text, folded, found + out))
    return out


def find_all(text: str, word: str):
    """Every position of `word` in `text`."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _aliases(text: str, folded: str, found: list[Mention]) -> list[Mention]:
    """Uses of a short title the text defines, linked to the document named just before the definition."""
    docs = sorted((m for m in found if m.type == "document"), key=lambda m: m.end)
    ends = [m.end for m in docs]
    defined: dict[str, list[tuple[int, str]]] = {}          # alias -> [(where defined, document key)]
    out = []
    for pos in sorted(i for word in ("以下简称", "hereinafter") for i in find_all(folded, word)):
        a = ALIAS.match(text, pos)
        i = bisect.bisect_right(ends, pos) - 1
        if not a or i < 0 or pos - docs[i].end > 300:
            continue
        g = 1 if a.group(1) else 2
        defined.setdefault(a.group(g), []).append((a.end(), docs[i].concept))
        out.append(Mention("document", docs[i].concept, a.group(g), a.start(g), a.end(g), 0.85, "shortTitle"))
    for alias, defs in defined.items():
        zh = any("\u4e00" <= c <= "\u9fff" for c in alias)
        for at in find_all(text, alias):
            before, after = text[max(0, at - 4):at], text[at + len(alias):at + len(alias) + 2]
            quoted = before[-1:] in ("《", "“", '"') and after[:1] in ("》", "”", '"')
            named = not zh and re.search(r"\b[Tt]he $", before) and not re.match(r" [A-Z]|\w", after)
            prior = [key for end, key in defs if end <= at]
            if prior and (quoted or named):
                out.append(Mention("document", prior[-1], alias, at, at + len(alias), 0.8, "shortTitle"))
    return out
