"""Document metadata read from the header and the closing lines: title, number, issuers,
addressees, date of issue and in-force status. Only what the text states; nothing is guessed."""

from __future__ import annotations

import re

from policykg.ingest import documents, mentions
from policykg.ingest.dictionary import Dictionary
from policykg.ingest.model import Mention, Metadata, Span

HEADER = 1500          # characters at the start where a document's own title, number and addressees stand
KINDS_ZH = r"(?:通知|意见|方案|办法|规定|决定|公告|通告|规划|计划|指南|批复|函|纲要|细则|措施|要点)"
_YEARS = r"(?:\s*[（(](?:19|20)\d\d(?:[—–-](?:19|20)\d\d)?年?[)）])?"
_STATUS = r"(?:\s*(?:\[[^\]\n]{2,20}\]|【[^】\n]{2,8}】))?"
_END = r"(?=\s*$|[ \t\u3000\u00a0]{2,})"           # end of line, or a run of spaces (bilingual title lines)
TITLE_ZH = re.compile(r"(?:^|(?<=[ \t\u3000\u00a0]{2}))(?![一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、])"
                      r"[\u4e00-\u9fff][^\n。：:,，;；]{3,120}?" + KINDS_ZH + _YEARS + r"(?=" + _STATUS + _END + ")", re.M)
TITLE_EN = re.compile(r"^(?:Notice|Circular|Opinions?|Guiding Opinions|Plan|Work Plan|Measures|Guidelines|Decision|"
                      r"Announcement|Provisions|Regulations|Implementation Plan)\b[^\n]{15,400}?"
                      r"(?=" + _STATUS + _END + ")", re.M)
NEWS_VERB = re.compile(r"印发|发布|出台|推出|解读|答记者问|召开|部署|联合|公布")
TITLE_LINES = 6          # a document's own title stands in its first lines
STATUS = re.compile(r"[\[【](现行有效|有效|已失效|失效|已废止|废止|Effective|In force|Invalid|Repealed|Expired)[\]】]")
IN_FORCE = {"现行有效": "InForce", "有效": "InForce", "Effective": "InForce", "In force": "InForce"}
LOCAL_OPENING = re.compile(r"(?:各省|各地|各市|各县|各区|省|市|县|有关省)")
DATE_ZH = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_LABEL = re.compile(r"(?:成文日期|发布日期|印发日期|发文日期|Date of (?:issue|issuance)|Issued on)\s*[:：]?\s*")


def _head_end(text: str) -> int:
    """Where the first TITLE_LINES non-empty lines end (at most HEADER characters)."""
    lines = [m for m in re.finditer(r"[^\n]*\S[^\n]*", text[:HEADER])][:TITLE_LINES]
    return lines[-1].end() if lines else 0


def _zh_title(text: str) -> Span | None:
    """The first line that reads as a document's title; a news headline (X印发Y方案) does not."""
    for m in TITLE_ZH.finditer(text, 0, _head_end(text)):
        line = m.group(0)
        if not NEWS_VERB.search(line[:line.find("关于")] if "关于" in line else line):
            return Span(line, m.start(), m.end(), "zh")
    return None


def _en_title(text: str) -> Span | None:
    m = TITLE_EN.search(text, 0, _head_end(text))
    return Span(m.group(0).rstrip(), m.start(), m.start() + len(m.group(0).rstrip()), "en") if m else None


def _own_number(text: str, start: int) -> bool:
    """A document's own number stands at the start of its line (工信部联运行〔2022〕160号, (No. 160 [2022] ...));
    one inside a sentence is a citation."""
    prefix = text[text.rfind("\n", 0, start) + 1:start]
    return prefix.strip(" \t\u3000(（") == "" or re.match(r"[ \t]*\(No\.", prefix) is not None


def _issuers(text: str, title: Span, d: Dictionary) -> list[Mention]:
    """Agencies named before 关于 in a Chinese title, or after 'by' in an English one."""
    if title.lang == "zh":
        cut = title.value.find("关于")
        if cut <= 0:
            return []
        end = title.start + cut
    else:
        m = re.match(r"\w+(?: \w+)? by ", title.value)
        if not m:
            return []
        end = title.end
    found = [Mention(m.type, m.concept, m.surface, m.start + title.start, m.end + title.start, m.confidence, m.method)
             for m in mentions.link(text[title.start:end], d)]
    if title.lang == "zh":
        return [m for m in found if m.type == "agency"]
    out, pos = [], title.start + m.end()
    for x in found:          # agencies in a row after 'by', joined by commas and 'and'
        if x.start < pos:
            continue
        if x.type != "agency" or not re.fullmatch(r"(?:,? ?(?:and )?(?:the )?)", text[pos:x.start]):
            break
        out.append(x)
        pos = x.end
    return out


def _local(text: str, start: int, end: int) -> list[Mention]:
    """Generic body names in an addressee line that opens with local places: the local bodies."""
    line = text[start:end]
    zh = re.search(r"[\u4e00-\u9fff]", line)
    if not zh or not LOCAL_OPENING.match(line, zh.start()):
        return []
    out = []
    for rx, key in mentions.LOCAL_BODY_NAMES:
        out.extend(Mention("agency", key, m.group(0), start + m.start(), start + m.end(), 0.88, "localBody")
                   for m in rx.finditer(line))
    return out


def _addressees(text: str, start: int, found: list[Mention]) -> tuple[Span | None, list[Mention]]:
    """The first line after the header that ends with a colon and names agencies."""
    for m in re.finditer(r"^[^\n]{4,600}?[:：]\s*$", text[:HEADER + 600], re.M):
        if m.start() < start:
            continue
        local = _local(text, m.start(), m.end())
        inside = mentions.longest(local + [x for x in found if m.start() <= x.start and x.end <= m.end()])
        inside = [x for x in inside if x.type == "agency"]
        if inside:
            zh = [x for x in inside if re.search(r"[\u4e00-\u9fff]", x.surface)]
            return Span(m.group(0).strip(), m.start(), m.end()), (zh or inside)
    return None, []


def _date(text: str) -> Span | None:
    """A date labelled as the date of issue, or a date standing alone on one of the last lines."""
    m = DATE_LABEL.search(text)
    if m:
        d = DATE_ZH.match(text, m.end())
        if d:
            return _span_of_date(d)
    tail = max(0, len(text) - 400)
    for line in reversed(list(re.finditer(r"^[^\n]*$", text[tail:], re.M))):
        d = DATE_ZH.fullmatch(line.group(0).strip())
        if d:
            start = tail + line.start() + line.group(0).index(d.group(0))
            return _span_of_date(DATE_ZH.match(text, start))
    return None


def _span_of_date(m: re.Match) -> Span:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return Span(f"{y:04d}-{mo:02d}-{d:02d}", m.start(), m.end())


def titles(text: str) -> list[Span]:
    """The document's own title lines (Chinese, English), in text order."""
    return sorted((t for t in (_zh_title(text), _en_title(text)) if t), key=lambda t: t.start)


def read(text: str, found: list[Mention], d: Dictionary) -> Metadata:
    meta = Metadata()
    meta.titles = titles(text)
    meta.numbers = [Span(w, s, e) for w, s, e, _, _ in documents.numbers(text[:HEADER]) if _own_number(text, s)]
    for t in meta.titles:
        meta.issuers.extend(x for x in _issuers(text, t, d) if x.concept not in {i.concept for i in meta.issuers})
    after = max([t.end for t in meta.titles] + [n.end for n in meta.numbers] + [0])
    meta.addressee_span, meta.addressees = _addressees(text, after, found)
    meta.date = _date(text)
    st = STATUS.search(text, 0, HEADER)
    if st:
        meta.in_force = Span(IN_FORCE.get(st.group(1), "NotInForce"), st.start(), st.end())
    own = [m for m in found if m.type == "document" and any(
        (s.start <= m.start and m.end <= s.end) for s in meta.titles + meta.numbers)]
    meta.known = own[0] if own else None
    return meta
