"""From what a user types to an entity of the graph, and back to labels. One resolver for every
way a user names an entity: used by `show`, `search`, query parameters, `viz --focus`, the API
and `serve`'s /id/ pages.

`resolve(store, text, cls=None)` accepts, in this order:

1. an IRI, `<IRI>`, `pid:KEY` (also with `\\/` escapes as written in SPARQL), `<KEY>` (relative to
   the documented BASE `https://w3id.org/policykg/id/`), a bare key such as `sector/automobiles`,
   or a prefixed name such as `pkg:Measure`;
2. a zh/en label, alternative label, abbreviation or title (case-, width- and space-insensitive);
3. a document number in its usual variants: `工信部联运行〔2022〕160号`, `〔2022〕160号`,
   `[2022] No. 160`, `No. 160 [2022]`, `Notice No. 160`, `第160号通知`;
4. a measure or part of a document: `measure 2`, `措施二`, `（二）`, `(2)`, `part 3`, `第三部分`,
   `Part III`, alone (when one document has it) or after a document (`Notice No. 160 measure 2`).

When nothing matches it raises InputError with up to five suggestions ranked by rapidfuzz, each
with its key, class and document (scored among the candidates `finder.near` gives: names and keys
of entities other than links and source texts, at most 4 × `finder.FUZZY_CANDIDATES`); an
ambiguous name lists the candidates the same way. Names are at most `MAX_NAME` characters.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from policykg.errors import InputError
from policykg.model.namespaces import PID, PKG, PREFIXES, RDFS, SKOS
from policykg.query import finder
from policykg.query.index import RDF_TYPE, Entry, Index, loose, norm, printed
from policykg.query.name_index import index

LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel",
                    PKG + "abbreviation", PKG + "title", PKG + "alternativeTitle")
MAX_NAME = 500           # characters of a name given to the resolver
SUGGESTIONS = 5          # suggestions in an error message
SUGGEST_CUTOFF = 70      # rapidfuzz WRatio score (0-100) below which a name is not suggested
BASE = PID               # the BASE of `sparql` queries and of `<key>` written here

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_NUM = r"(\d{1,3}|[零〇一二两三四五六七八九十]{1,4})"


def cn_number(text: str) -> int | None:
    """1-99 written in Arabic digits or Chinese numerals (十七 → 17, 二十 → 20); None otherwise."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else None


def roman(text: str) -> int | None:
    t = text.lower()
    if not t or any(c not in _ROMAN for c in t) or len(t) > 6:
        return None
    total = 0
    for a, b in zip(t, t[1:] + " "):
        v = _ROMAN[a]
        total += -v if b in _ROMAN and _ROMAN[b] > v else v
    return total


# ---------------------------------------------------------------------------- document numbers

_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]", "(": "[", ")": "]",
                           "（": "[", "）": "]", "﹝": "[", "﹞": "]", "第": " "})
_ZH_NUMBER = re.compile(r"^(?P<prefix>[^\[\]\d\s]*)\s*\[(?P<year>\d{4})\]\s*(?P<num>\d+)\s*号?(?:文|文件|通知)?$")
_EN_BEFORE = re.compile(r"^(?:[a-z ]*?\b)?\[(?P<year>\d{4})\]\s*no\.?\s*(?P<num>\d+)(?:\s+of\s+.*)?$")
_EN_AFTER = re.compile(r"^(?:[a-z ]*?\b)?no\.?\s*(?P<num>\d+)(?:\s*(?:of\s*)?\[?(?P<year>\d{4})\]?)?(?:\s+of\s+\D*)?$")
_ZH_ONLY_NUM = re.compile(r"^\s*(?P<num>\d+)\s*号(?:文|文件|通知)?$")


def parse_number(text: str) -> tuple[str, int | None, int] | None:
    """(issuer prefix or '', year or None, number) of a document number in one of its variants."""
    t = norm(text).translate(_BRACKETS).strip()
    for rx in (_ZH_NUMBER, _EN_BEFORE, _EN_AFTER, _ZH_ONLY_NUM):
        m = rx.match(t)
        if m:
            d = m.groupdict()
            year = int(d["year"]) if d.get("year") else None
            return (d.get("prefix") or "").strip(), year, int(d["num"])
    return None


def _documents_numbered(idx: Index, text: str) -> list[str] | None:
    """Documents whose number matches a variant; None when `text` is not a document number."""
    want = parse_number(text)
    if want is None:
        return None
    prefix, year, num = want
    out = []
    for iri, number in idx.numbers():
        have = parse_number(number)
        if have and have[2] == num and (year is None or have[1] == year) and \
                (not prefix or have[0] == prefix) and (not out or out[-1] != iri):
            out.append(iri)
    return out


# ---------------------------------------------------------------------------- parts of documents

_MEASURE = re.compile(rf"(?:\bmeasure\s*(?:no\.?\s*)?{_NUM}|措施\s*{_NUM}|第{_NUM}条|\[\s*{_NUM}\s*\])$")
_PART = re.compile(rf"(?:\bpart\s*(\d{{1,2}}|[ivxl]{{1,6}})|第{_NUM}部分)$")


def _reference(text: str) -> tuple[str, str, int] | None:
    """(what comes before, 'measure' | 'part', ordinal) for a trailing measure or part reference."""
    t = norm(text).translate(str.maketrans({"（": "[", "）": "]", "(": "[", ")": "]"}))
    for kind, rx in (("measure", _MEASURE), ("part", _PART)):
        m = rx.search(t)
        if not m:
            continue
        raw = next(g for g in m.groups() if g)
        n = cn_number(raw) if raw[0] not in "ivxl" else roman(raw)
        if n:
            rest = t[:m.start()].strip(" ,;:/、，的之")
            return rest, kind, n
    return None


# ---------------------------------------------------------------------------- the resolver

def describe(e: Entry, lang: str = "en") -> str:
    """`pid:KEY (Class, label; in pid:DOC)` for messages and suggestions."""
    bits = ", ".join(b for b in (e.cls, e.label(lang)) if b)
    doc = f"; in {printed(e.document)}" if e.document else ""
    return f"{printed(e.iri)} ({bits}{doc})"


def as_iri(text: str) -> str | None:
    """The IRI written as an IRI, `<IRI>`, `<key>`, `pid:key` or a bare key; None for other text."""
    v = text.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1].strip()
        return v if re.match(r"^[a-z][a-z0-9+.-]*:", v) else BASE + v.lstrip("/")
    if v.startswith(("http://", "https://", "urn:")):
        return v
    if v.startswith("pid:"):
        return PID + v[4:].replace("\\", "")
    prefix, sep, local = v.partition(":")
    if sep and prefix in PREFIXES and re.fullmatch(r"[A-Za-z_][\w.-]*", local):
        return PREFIXES[prefix] + local
    if re.fullmatch(r"[a-z][a-z0-9-]*/[A-Za-z0-9_./-]+", v):
        return PID + v
    return None


def label_of(st: ox.Store, iri: str, lang: str = "en") -> str:
    """The entity's skos:prefLabel (else rdfs:label) in `lang`, else in any language, else ''."""
    best: dict = {}
    for prop in LABEL_PROPERTIES[1::-1]:
        for q in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop), None):
            best.setdefault(q.object.language, q.object.value)
        if best:
            break
    return best.get(lang) or next(iter(best.values()), "")


def resolve(store: ox.Store, text: str, cls: str | None = None, what: str = "entity") -> ox.NamedNode:
    """The entity a user means by `text` (see the module's docstring); InputError when none or many."""
    if len(text) > MAX_NAME:
        raise InputError(f"the name of an entity has at most {MAX_NAME} characters, not {len(text)}",
                         fix="give a key, a label or a document number")
    iri = as_iri(text)
    if iri is not None and holds(store, iri, cls):       # a key or IRI: no need for the name index
        return ox.NamedNode(iri)
    idx = index(store)
    named = candidates(store, text, idx)
    found = [i for i in named if idx.has_class(i, cls, store)] if cls else named
    if len(found) == 1:
        return ox.NamedNode(found[0])
    cname = cls.rsplit("#", 1)[-1] if cls else ""
    kind = f" (a {cname})" if cls else ""
    if not found and named:
        shown = "; ".join(describe(idx.get(i) or Entry(i)) for i in named[:8])
        raise InputError(f"'{text}' names {shown}, not a {cname}",
                         fix=f"give a {cname}; 'policykg search TEXT --class {cname}' lists them")
    if not found:
        hint = suggestions(idx, store, text, cls)
        raise InputError(f"no {what}{kind} labelled '{text}'" + (f" (did you mean {hint}?)" if hint else ""),
                         fix="give a key such as sector/automobiles, a zh/en label or a document number; "
                             "'policykg search TEXT' lists matches")
    shown = "; ".join(describe(idx.get(i) or Entry(i)) for i in found[:8])
    raise InputError(f"label '{text}' is ambiguous: {len(found)} entities{kind} have it: {shown}",
                     fix="give the key of the one you mean")


resolve_entity = resolve          # the name the query engine and the entity view import


def candidates(store: ox.Store, text: str, idx: Index | None = None) -> list[str]:
    """All entities `text` names exactly (no fuzzy matching), sorted."""
    idx = idx or index(store)
    iri = as_iri(text)
    if iri is not None:
        try:
            ox.NamedNode(iri)
        except ValueError as e:
            raise InputError(f"'{text}' is not a valid IRI ({e})", fix="give an IRI without spaces or <>, a key "
                             "such as sector/automobiles, or a zh/en label") from None
        return [iri] if iri in idx.entries or _exists(store, iri) else []
    exact = idx.by_name.get(norm(text)) or idx.by_loose.get(loose(text))
    if exact:
        return sorted(exact)
    numbered = _documents_numbered(idx, text)
    if numbered:
        return sorted(numbered)
    ref = _reference(text)
    if ref:
        rest, kind, n = ref
        if rest:
            docs = candidates(store, rest, idx)
        else:
            docs = idx.documents()
        found = [d + f"/{kind}/{n}" for d in docs]
        return [i for i in found if i in idx.entries]
    return []


def suggestions(idx: Index, store: ox.Store, text: str, cls: str | None = None, n: int = SUGGESTIONS) -> str:
    """`'pid:a' (Class, label; in doc) or ...` for the closest names and keys, '' when nothing is close.
    The names scored are `finder.near`'s candidates, not all names."""
    query = norm(text)
    owners: dict[str, set[str]] = {}                     # normalized name or key → IRIs
    for iri, _, _, _, _, name in finder.near(idx, query, (*finder.NAME_FIELDS, finder.KEY)):
        owners.setdefault(name, set()).add(iri)
    names = list(owners)
    seen: list[str] = []
    for name, score, _ in process.extract(query, names, scorer=fuzz.WRatio, limit=n * 8):
        if score < SUGGEST_CUTOFF:
            break
        for iri in sorted(owners[name]):
            if iri in seen or (cls and not idx.has_class(iri, cls, store)):
                continue
            seen.append(iri)
        if len(seen) >= n:
            break
    return " or ".join(describe(idx.entries[i]) for i in seen[:n])


def holds(store: ox.Store, iri: str, cls: str | None) -> bool:
    """Whether `iri` is a valid IRI that the store holds (as an instance of `cls`, when given)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    if cls:
        return any(True for _ in store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls)))
    return _exists(store, iri)


def _exists(store: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in store.quads_for_pattern(node, None, None)) or \
        any(True for _ in store.quads_for_pattern(None, None, node))
