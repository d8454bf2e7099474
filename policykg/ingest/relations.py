"""Relations drafted from structure and co-occurrence, quantities, and candidate names.

A measure (or a part without measures, or the document where there is no structure) targets the
sectors, uses the instruments, concerns the programs and addresses the regions and enterprise
categories mentioned in its span; a document refers to the documents it cites. A co-occurrence is
weaker evidence than a mention, so a relation's confidence is its mention's times CO_OCCURRENCE.
"""

from __future__ import annotations

import re

from policykg.ingest.dictionary import is_cjk
from policykg.ingest.model import Candidate, Mention, Quantity, Relation, Section

CO_OCCURRENCE = 0.8
PROPERTY = {"sector": "targetsSector", "instrument": "usesInstrument", "program": "concernsProgram",
            "region": "appliesToRegion", "enterprise": "addressesEnterpriseCategory", "document": "refersTo"}


def _holder(sections: list[Section], m: Mention) -> int | None:
    """The innermost part or measure whose span holds the mention."""
    best = None
    for i, s in enumerate(sections):
        if s.kind in ("part", "measure", "article") and s.start <= m.start and m.end <= s.end:
            if best is None or s.level >= sections[best].level:
                best = i
    return best


def relations(sections: list[Section], mentions: list[Mention], own: str | None, zh_only: bool = False) -> list[Relation]:
    """`zh_only`: a bilingual edition numbered in Chinese; its English paragraphs (which fall between
    the Chinese headings, not under them) give no relations."""
    out, seen = [], set()
    for m in mentions:
        if zh_only and not any(is_cjk(c) for c in m.surface):
            continue
        prop = PROPERTY.get(m.type)
        if prop is None or m.concept == own:
            continue
        holder = _holder(sections, m) if sections else None
        if holder is None and m.type != "document":
            continue
        key = (holder, prop, m.concept)
        if key in seen:
            continue
        seen.add(key)
        out.append(Relation(holder, prop, m.concept, m.start, m.end, round(m.confidence * CO_OCCURRENCE, 2)))
    return out


# ------------------------------------------------------------------------------- quantities

_MULT = r"(?:万亿|千亿|百亿|亿|千万|百万|万|千)?"
ZH_UNITS = {"%": "unit/percent", "％": "unit/percent", "个百分点": "unit/percentage-point", "辆": "unit/vehicles",
            "倍": "unit/fold", "吉瓦": "unit/gigawatt", "家": "unit/enterprises"}
ZH_QTY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(" + _MULT + r")(%|％|个百分点|元|辆|吨|千瓦时|千瓦|吉瓦|倍|家|项|个|户|台|套|件|人)")
EN_QTY = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent|per cent|percentage points?|"
                    r"(?:trillion|billion|million) yuan|yuan|trillion|billion|million|vehicles|units|tonnes|tons|GW|"
                    r"gigawatts?|times|enterprises|companies)\b", re.I)
EN_UNITS = {"%": "unit/percent", "percent": "unit/percent", "per cent": "unit/percent",
            "percentage point": "unit/percentage-point", "percentage points": "unit/percentage-point",
            "vehicles": "unit/vehicles", "gw": "unit/gigawatt", "gigawatt": "unit/gigawatt",
            "gigawatts": "unit/gigawatt", "times": "unit/fold", "enterprises": "unit/enterprises"}
TARGET = re.compile(r"目标|力争|达到|确保|争取|到20\d\d年|左右|target|aim|strive|goal|by 20\d\d|reach", re.I)
STATISTIC = re.compile(r"同比|环比|增长|增速|下降|完成|实现|grew|rose|fell|year-on-year|increase|decrease|growth", re.I)
PERIOD = re.compile(r"(20\d\d)年(?:(\d{1,2})月|第?([一二三四1-4])季度|(前三季度|上半年|全年))?|"
                    r"(?:(January|February|March|April|May|June|July|August|September|October|November|December) )?"
                    r"\b(20\d\d)\b")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
_SENTENCE = re.compile(r"[^。；;!?！？\n]+|(?<!\d)\.(?!\d)")


def _period(sentence: str) -> str | None:
    m = PERIOD.search(sentence)
    if not m:
        return None
    if m.group(1):
        y = m.group(1)
        if m.group(2):
            return f"period/{y}-{int(m.group(2)):02d}"
        if m.group(3):
            return f"period/{y}-q{'一二三四'.index(m.group(3)) + 1 if m.group(3) in '一二三四' else m.group(3)}"
        return f"period/{y}"
    if m.group(5):
        return f"period/{m.group(6)}-{MONTHS.index(m.group(5)) + 1:02d}"
    return f"period/{m.group(6)}"


def quantities(text: str, mentions: list[Mention], excluded: list[tuple[int, int]]) -> list[Quantity]:
    """Numbers with a unit; years, dates, document numbers and ordinals are not quantities."""
    out = []
    regions = [m for m in mentions if m.type == "region"]
    for rx, units in ((ZH_QTY, ZH_UNITS), (EN_QTY, EN_UNITS)):
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in excluded):
                continue
            value = m.group(1).replace(",", "")
            if rx is ZH_QTY:
                unit_word = m.group(2) + m.group(3)
                unit = units.get(m.group(3), m.group(3)) if not m.group(2) else unit_word
            else:
                unit_word = m.group(2)
                unit = units.get(unit_word.lower(), unit_word)
            s0 = max(text.rfind(c, 0, m.start()) for c in "。；;\n") + 1
            ends = [i for i in (text.find(c, m.end()) for c in "。；;\n") if i >= 0]
            s1 = min(ends) if ends else len(text)
            sentence = text[s0:s1]
            kind = "target" if TARGET.search(sentence) else "statistic" if STATISTIC.search(sentence) else "figure"
            area = next((r.concept for r in regions if s0 <= r.start < s1), None)
            out.append(Quantity(value, unit, m.group(0), m.start(), m.end(), kind, _period(sentence), area))
    return sorted(out, key=lambda q: q.start)


# ------------------------------------------------------------------------------- candidates

ZH_CANDIDATE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(产业|行业|工程|计划|行动)(?![\u4e00-\u9fff]{0,1}[业程划动])")
EN_CANDIDATE = re.compile(r"\b((?:[A-Z][a-z]+[ -]){1,5}(?:Industry|Program|Programme|Project|Initiative|Campaign))\b")
EN_HEADED = re.compile(r"\b([a-z][a-z-]{2,}(?: [a-z][a-z-]{2,})?) (?:industry|sector|makers|producers|manufacturers)\b")
EN_NOT_NAMES = {"the", "this", "that", "key", "other", "related", "whole", "entire", "private", "state", "local",
                "domestic", "foreign", "traditional", "emerging", "relevant", "major", "leading", "some", "many",
                "industrial", "its", "their", "our", "and", "of", "for", "in", "by", "with", "large", "small",
                "among", "between", "from", "into", "about", "across", "all", "both", "such", "as", "to", "on",
                "at", "more", "most", "these", "those", "every", "each", "any", "were", "are", "was", "is"}
UNKNOWN_TITLE = re.compile(r"《([^《》\n]{2,80})》")


def candidates(text: str, mentions: list[Mention], segment, titles: list[tuple[int, int]] = ()) -> list[Candidate]:
    """Names that look like entities but link to nothing we know (not inside a mention or a title line)."""
    covered = bytearray(len(text) + 1)
    for s, e in [(m.start, m.end) for m in mentions] + list(titles):
        covered[s:e] = b"\1" * (e - s)
    out = []
    for m in UNKNOWN_TITLE.finditer(text):
        if not any(covered[m.start(1):m.end(1)]):
            out.append(Candidate("document", m.group(1), m.start(1), m.end(1)))
    for m in ZH_CANDIDATE.finditer(text):
        start = _zh_name_start(text, m.start(), m.start(2), segment)
        if start is None or any(covered[start:m.end()]):
            continue
        kind = "sector" if m.group(2) in ("产业", "行业") else "program"
        out.append(Candidate(kind, text[start:m.end()], start, m.end()))
    for m in EN_HEADED.finditer(text):          # 'cement makers', 'the glass industry': the name before the head
        words = m.group(1).split()
        while words and words[0] in EN_NOT_NAMES:
            words.pop(0)
        if not words or words[-1] in EN_NOT_NAMES:
            continue
        start = m.end(1) - len(" ".join(words))
        if not any(covered[start:m.end(1)]):
            out.append(Candidate("sector", " ".join(words), start, m.end(1)))
    for m in EN_CANDIDATE.finditer(text):
        if not any(covered[m.start():m.end()]):
            kind = "sector" if m.group(1).endswith("Industry") else "program"
            out.append(Candidate(kind, m.group(1), m.start(), m.end()))
    return sorted(out, key=lambda c: c.start)


GENERIC = {"重点", "相关", "有关", "主要", "传统", "其他", "各类", "优势", "特色", "支柱", "新兴", "关键", "全国", "地方",
           "企业", "工业", "产业", "行业", "重大", "专项", "示范", "试点", "领域", "国家"}
NOUN_FLAGS = ("n", "nz", "nt", "vn", "j", "an")


def _zh_name_start(text: str, start: int, head: int, segment) -> int | None:
    """Where the name before 产业/行业/工程/... begins: the last one or two nouns before it."""
    window_start = max(0, head - 8)
    pos, tokens = window_start, []
    for word, flag in segment(text[window_start:head]):
        tokens.append((pos, word, flag))
        pos += len(word)
    nouns = []
    for s, w, flag in reversed(tokens):
        if len(w) < 2 or w in GENERIC or flag not in NOUN_FLAGS or not all(is_cjk(c) for c in w):
            break
        nouns.append(s)
        if len(nouns) == 2:
            break
    return nouns[-1] if nouns else None
