"""Entity mentions: dictionary matches kept only where they are whole names, longest first.

A match is dropped when it is only part of a longer word or name: in English when a letter or digit
touches it, or an institution word follows (`Hubei University`); in Chinese when the segmenter
(jieba, with our labels added to its dictionary) puts its first character inside a longer word
(`上海交通大学`), when its last character is inside a word that ends as an institution's name, when
a name suffix follows (`钢铁侠`, `汽车集团`), or when a surname comes before and a speech verb or a
title after (`李江苏说`). Of overlapping matches the longest wins, so a name that contains another
links as a whole.
"""

from __future__ import annotations

import re
from functools import lru_cache

from policykg.ingest import documents
from policykg.ingest.dictionary import Dictionary, Entry, fold, fold_width, is_cjk
from policykg.ingest.model import Mention

NAME_SUFFIXES = ("大学", "学院", "研究院", "研究所", "集团", "公司", "银行", "医院", "中学", "小学", "大道", "路",
                 "街", "侠", "队", "俱乐部", "研究总院", "总院", "协会", "学会", "研究会", "出版社", "报社", "酒店", "饭店", "宾馆", "博物馆", "广场", "大厦")
SURNAMES = set("李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董萧程曹袁邓许傅沈曾彭吕卢蒋蔡贾丁魏薛叶阎"
               "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文")
# What may follow a name inside one word: 钢铁行业, 汽车消费, 工业企业 (heads), not 工业化 or 汽车城.
HEADS = {"行业", "产业", "企业", "经济", "产品", "消费", "领域", "项目", "工业", "出口", "投资", "生产", "市场", "产量",
         "供应", "需求", "装备", "制造", "制造业", "园区", "集群", "板块", "业", "类", "等", "省", "市"}
PERSON_BEFORE = re.compile(r"(记者|通讯员|教授|研究员|主任|部长|局长|院士|博士|董事长|总经理|专家|学者)$")
PERSON_AFTER = re.compile(r"(说|表示|指出|介绍|认为|称|强调|教授|先生|女士|同志|研究员|主任|部长|局长|院士|博士|记者|董事长|总经理)")
EN_NEXT_NAME = re.compile(r" ([A-Z][a-z]+)\b")
EN_NAME_OK = {"Province", "Municipality", "Autonomous", "Region", "China", "And"}
EN_INSTITUTION_AFTER = re.compile(r"(?:\s+[A-Z][a-z]+){0,3}\s+(University|College|Institute|Academy|Bank|Airlines?|Road|Street|Avenue|"
                                  r"Group|Co\.|Company|Corporation|Daily|Times|Hospital|School)\b")
EN_INSTITUTION_BEFORE = re.compile(r"\b(University|Bank|Institute|Academy|College) of\s+$")

_LOCAL = r"(?:各省|省级|市级|县级|各级|直管市|地级市|省|市|州|盟|县|区|自治区|地方|(?:{regions})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?)"
_BODIES = [
    (r"(?:工业和信息化厅|工业和信息化局|工业和信息化委员会|工业和信息化主管部门|工信厅|工信局|经济和信息化厅|经济和信息化局|"
     r"经济和信息化委员会|经信厅|经信局|经信委)", "agency/local-industry-it-authorities"),
    (r"(?:发展和改革委员会|发展改革委|发改委)", "agency/local-development-reform-commissions"),
    (r"(?:国有资产监督管理委员会|国资委)", "agency/local-sasacs"),
    (r"(?:人民政府办公厅|人民政府办公室|人民政府)", "agency/local-governments"),
]
# English: bodies in the plural, or called local or provincial, are the local ones.
EN_LOCAL_BODY = [
    (re.compile(r"\b(?:(?:[Ll]ocal|[Pp]rovincial|[Mm]unicipal) )?(?:departments|bureaus|authorities|commissions) of "
                r"(?:industry and information technology|economy and information technology)"),
     "agency/local-industry-it-authorities"),
    (re.compile(r"\b(?:(?:[Ll]ocal |[Pp]rovincial )?development and reform commissions|"
                r"(?:[Ll]ocal|[Pp]rovincial|[Mm]unicipal|[Cc]ity|[Cc]ounty) development and reform commission)\b"),
     "agency/local-development-reform-commissions"),
    (re.compile(r"\b(?:[Ll]ocal |[Pp]rovincial )?state-owned assets supervision and administration commissions\b", re.I),
     "agency/local-sasacs"),
]
_REGIONS = ("北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|海南|重庆|"
            "四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆")
LISTED_PLACE = re.compile(r"(?:直辖市|自治区|自治州|单列市|兵团)$")
LOCAL_BODY_NAMES = [(re.compile(body), key) for body, key in _BODIES]
LOCAL_PREFIX = re.compile(_LOCAL.format(regions=_REGIONS) + "$")


@lru_cache(maxsize=1)
def _segmenter():
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    from policykg.ingest.dictionary import default
    for key in default().automaton.keys():
        if sum(1 for c in key if is_cjk(c)) >= 2 and all(is_cjk(c) for c in key) and len(key) <= 12:
            tok.add_word(key, freq=2000)
    return tok


@lru_cache(maxsize=1)
def tagger():
    """jieba's part-of-speech tagger over the same dictionary (for candidate names)."""
    import jieba.posseg
    return jieba.posseg.POSTokenizer(_segmenter())


MARGIN = 4          # characters of context each side of a Chinese match that the segmenter sees


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """jieba's tokens over a small window around one match (segmenting only there keeps linking fast)."""
    ws, we = max(0, start - MARGIN), min(len(text), end + MARGIN)
    window = text[ws:we]
    tok = _segmenter()
    route: dict = {}
    tok.calc(window, tok.get_DAG(window), route)         # jieba's best path (its cut without HMM), directly
    out, x = [], 0
    while x < len(window):
        y = route[x][1] + 1
        out.append((ws + x, ws + y))
        x = y
    return out


def _crossable(text: str, pos: int) -> bool:
    """Whether some word of the segmenter's dictionary spans position `pos` (starts before it, ends after).

    The segmenter only ever cuts out dictionary words (or single characters), so where no word spans
    a position no token can: the boundary holds without segmenting."""
    freq = _segmenter().FREQ            # holds every word and, with count 0, every prefix of a word
    for i in range(max(0, pos - 6), pos):
        for j in range(i + 1, min(len(text), i + 8) + 1):
            count = freq.get(text[i:j])
            if count is None:
                break                   # no word goes on from here
            if count and j > pos:
                return True
    return False


def _covering(tokens: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """The token that has `pos` strictly inside it, if any."""
    return next((t for t in tokens if t[0] < pos < t[1]), None)


def _word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _en_ok(text: str, start: int, end: int, kind: str = "") -> bool:
    """Boundaries of a match that begins or ends with a Latin letter or digit (checked on that side only)."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if _word(text[start]) and (_word(before) or before == "-" and start >= 2 and text[start - 2].isalpha()):
        return False
    if _word(text[end - 1]) and (_word(after) or after == "-" and end + 1 < len(text) and text[end + 1].isalpha()):
        return False
    if EN_INSTITUTION_AFTER.match(text, end) or EN_INSTITUTION_BEFORE.search(text[max(0, start - 20):start]):
        return False
    if kind in ("region", "sector") and text[start].isupper():
        nxt = EN_NEXT_NAME.match(text, end)          # 'Steel Panther', 'Hubei Jiao Tong ...': part of a name
        if nxt and nxt.group(1) not in EN_NAME_OK:
            return False
    return True


def _zh_ok(text: str, start: int, end: int) -> bool:
    """Boundaries of a match that begins or ends with a Chinese character (checked on that side only)."""
    left = is_cjk(text[start]) and start > 0 and is_cjk(text[start - 1]) and _crossable(text, start)
    right = is_cjk(text[end - 1]) and end < len(text) and is_cjk(text[end]) and _crossable(text, end)
    surname = start > 0 and text[start - 1] in SURNAMES
    tokens = _tokens(text, start, end) if left or right or surname else []
    if left and _covering(tokens, start):
        return False
    inner = _covering(tokens, end) if right else None
    if inner and text[end:inner[1]] not in HEADS:
        return False
    if text.startswith(NAME_SUFFIXES, end):
        return False
    if start and text[start - 1] in SURNAMES:
        titled = PERSON_BEFORE.search(text[max(0, start - 6):start - 1])
        alone = start < 2 or not is_cjk(text[start - 2]) or (start - 1, start) in tokens
        if titled or (alone and PERSON_AFTER.match(text, end)):
            return False
    return True


def _entry_for(entries: tuple[Entry, ...], surface: str) -> Entry | None:
    for e in entries:
        if not e.case_sensitive or surface == e.label or (not surface.isascii() and fold_width(surface) == e.label):
            return e
    return None


def candidates(text: str, folded: str, d: Dictionary) -> list[Mention]:
    """Dictionary matches whose boundaries hold, longest first, none overlapping a longer one.

    The boundary checks run longest first and only on matches no longer match has taken, so the
    segmenter sees a few characters around the matches that count, not the whole text."""
    raw = []
    for last, (key, entries) in d.automaton.iter(folded):
        start = last - len(key) + 1
        e = _entry_for(entries, text[start:last + 1])
        if e is not None:
            raw.append((start, last + 1, e))
    raw.sort(key=lambda r: (r[0] - r[1], -r[2].confidence, r[0]))
    used = bytearray(len(text) + 1)
    out = []
    for start, end, e in raw:
        if any(used[start:end]):
            continue
        if not _en_ok(text, start, end, e.type):
            if not _plural(text, start, end) or used[end]:
                continue
            end += 1
        if (is_cjk(text[start]) or is_cjk(text[end - 1])) and not _zh_ok(text, start, end):
            continue
        used[start:end] = b"\1" * (end - start)
        out.append(Mention(e.type, e.concept, text[start:end], start, end, e.confidence, e.method))
    out.extend(local_bodies(text, folded))
    return out


def local_bodies(text: str, folded: str) -> list[Mention]:
    """Local bodies: a body's name with a local place or level before it (湖北省经济和信息化厅, 市发展改革委)."""
    out = []
    for rx, key in LOCAL_BODY_NAMES:
        for m in rx.finditer(text):
            pre = LOCAL_PREFIX.search(text, max(0, m.start() - 12), m.start())
            if not pre:
                continue
            start = pre.start()
            if LISTED_PLACE.search(text, max(0, m.start() - 5), m.start()):
                start = m.start()        # 直辖市|工业和信息化主管部门: the 市 ends a kind of place listed before the body
            out.append(Mention("agency", key, text[start:m.end()], start, m.end(), 0.8, "localBody"))
    lines = {folded.rfind("\n", 0, i) + 1 for word in ("commission", " of industry and ", " of economy and ")
             for i in documents.find_all(folded, word)}
    for start in sorted(lines):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        for rx, key in EN_LOCAL_BODY:
            out.extend(Mention("agency", key, m.group(0), m.start(), m.end(), 0.8, "localBody")
                       for m in rx.finditer(text, start, end))
    return out


def _plural(text: str, start: int, end: int) -> bool:
    return (end < len(text) and text[end] == "s" and text[start:end].lower() == text[start:end]
            and end - start >= 3 and _en_ok(text, start, end + 1))


def longest(mentions: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest first (then the more confident, then the earlier)."""
    taken: list[Mention] = []
    used = bytearray()
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), -m.confidence, m.start)):
        if len(used) < m.end:
            used.extend(b"\0" * (m.end - len(used)))
        if any(used[m.start:m.end]):
            continue
        used[m.start:m.end] = b"\1" * (m.end - m.start)
        taken.append(m)
    return sorted(taken, key=lambda m: (m.start, m.end))


def link(text: str, d: Dictionary, titles: list[tuple[int, int]] = ()) -> list[Mention]:
    """The mentions of vocabulary concepts and known documents in `text`.

    Inside a title (《……》, or the spans given in `titles`) or a document number only the document
    itself is a mention: the names in a title or a number (工信部联运行……) are part of it.
    """
    folded = fold(text)
    found = candidates(text, folded, d)
    numbers = documents.numbers(text)
    chosen = longest(found + documents.mentions(text, folded, d, found, numbers))
    blocked = bytearray(len(text) + 1)
    spans = list(titles) + [(m.start(1), m.end(1)) for m in documents.BOOK_TITLE.finditer(text)]
    for s, e in spans + [(s, e) for _, s, e, _, _ in numbers]:
        blocked[s:e] = b"\1" * (e - s)
    return [m for m in chosen if m.type == "document" or not (blocked[m.start] and blocked[m.end - 1])]
