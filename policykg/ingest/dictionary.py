"""The dictionary ingest links with: vocabulary labels and the documents we know.

Entries come from the SKOS vocabularies (`ontology/vocab/*.ttl`: skos:prefLabel, skos:altLabel,
pkg:abbreviation, in zh and en) and from the encodings (`kg/documents/*.yaml`: the titles,
document numbers and labels of documents). Matching runs on a folded copy of the text that keeps
every offset: full-width forms become half-width, brackets and quotes one form, Latin letters lower
case (abbreviations written in capitals must match in capitals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import pyoxigraph as ox
import yaml

from policykg import paths

ID = "https://w3id.org/policykg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PKG = "https://w3id.org/policykg/ontology#"
PROPS = {SKOS + "prefLabel": "prefLabel", SKOS + "altLabel": "altLabel", PKG + "abbreviation": "abbreviation"}
KINDS = {"sector", "agency", "region", "instrument", "enterprise", "program"}
CONFIDENCE = {"prefLabel": 0.95, "altLabel": 0.9, "abbreviation": 0.85, "title": 0.98, "documentNumber": 0.99,
              "label": 0.9}

# Same-length folding: every character maps to one character, so offsets carry over.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(a): ord(b) for a, b in zip("〔〕【】［］（）“”‘’「」『』　—–", "[][][]()\"\"''\"\"\"\" --")})
_FOLD[ord("、")] = ord(" ")            # 工业和信息化部、国家发展改革委 = 工业和信息化部 国家发展改革委
_FOLD.update({c: c + 32 for c in range(0x41, 0x5B)})
_WIDTH = {k: v for k, v in _FOLD.items() if not 0x41 <= k <= 0x5A}


def fold(text: str) -> str:
    """Folded for matching: same length as `text`, position for position."""
    return text.translate(_FOLD)


def fold_width(text: str) -> str:
    """Full-width forms, brackets and quotes folded; case kept."""
    return text.translate(_WIDTH)


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@dataclass(frozen=True)
class Entry:
    type: str
    concept: str
    label: str           # as in the source of the entry
    method: str
    confidence: float
    case_sensitive: bool


@dataclass
class Dictionary:
    automaton: ahocorasick.Automaton
    entries: int
    titles: dict[str, str]        # folded title -> document key
    numbers: dict[str, str]       # normalized document number -> document key
    en_titles: dict[str, str]     # English title -> document key (for renderings that differ)
    labels: dict[str, dict]       # key -> {en, zh} labels


def number_key(number: str) -> str:
    """A document number compared without spaces, bracket forms or '第'."""
    n = fold_width(number)
    return re.sub(r"[\s第]", "", n).replace("(", "[").replace(")", "]")


def _usable(label: str, lang: str | None) -> bool:
    """Single CJK characters (province abbreviations such as 新, 云) and one-letter words are too ambiguous."""
    if lang == "zh" or any(is_cjk(c) for c in label):
        return sum(1 for c in label if is_cjk(c)) >= 2
    return len(label) >= 2


def vocabulary_entries(vocab_dir: Path) -> list[Entry]:
    out = []
    for f in sorted(Path(vocab_dir).glob("*.ttl")):
        for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            method = PROPS.get(q.predicate.value)
            if method is None or not q.subject.value.startswith(ID):
                continue
            key = q.subject.value[len(ID):]
            kind = key.split("/", 1)[0]
            label, lang = q.object.value, getattr(q.object, "language", None)
            if kind not in KINDS or not _usable(label, lang):
                continue
            case = method == "abbreviation" and label.upper() == label and lang != "zh"
            conf = CONFIDENCE[method] - (0.05 if len(label) <= 2 else 0)
            out.append(Entry(kind, key, label, method, round(conf, 2), case))
    return out


def document_entries(documents_dir: Path) -> tuple[list[Entry], dict, dict, dict]:
    """Titles, numbers and labels of the documents the encodings declare or describe."""
    entries, numbers, en_titles, labels = [], {}, {}, {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for f in sorted(Path(documents_dir).glob("*.yaml")):
        data = yaml.load(f.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, entry in (data.get("entities") or {}).items():
            if not isinstance(entry, dict) or not str(key).startswith("doc/") or key.count("/") != 1:
                continue
            if isinstance(entry.get("label"), dict):
                labels.setdefault(key, entry["label"])
            facts = entry.get("facts") or {}
            for prop in ("title", "documentNumber"):
                values = facts.get(prop)
                for v in values if isinstance(values, list) else [values] if values else []:
                    text = str(v.get("v") if isinstance(v, dict) else v)
                    if prop == "documentNumber":
                        numbers[number_key(text)] = key
                    elif isinstance(v, dict) and v.get("lang") == "en":
                        en_titles[text] = key
                    entries.append(Entry("document", key, text, prop, CONFIDENCE[prop], False))
    return entries, numbers, en_titles, labels


def build(vocab_dir: Path | None = None, documents_dir: Path | None = None) -> Dictionary:
    vocab = vocabulary_entries(vocab_dir or paths.VOCAB_DIR)
    docs, numbers, en_titles, labels = document_entries(documents_dir or paths.DOCUMENTS_DIR)
    grouped: dict[str, list[Entry]] = {}
    docs = docs + [Entry("document", key, short, "title", CONFIDENCE["title"] - 0.03, False)
                   for short, key in _short_titles(docs).items()]
    for e in vocab + docs:
        grouped.setdefault(fold(e.label), []).append(e)
    auto = ahocorasick.Automaton()
    for key, entries in grouped.items():
        auto.add_word(key, (key, tuple(_rank(entries))))
    auto.make_automaton()
    titles = {fold(e.label): e.concept for e in docs if e.method == "title"}
    titles.update({fold(short): key for short, key in _short_titles(docs).items()})
    return Dictionary(auto, len(grouped), titles, numbers, en_titles, labels)


def _short_titles(docs: list[Entry]) -> dict[str, str]:
    """A Chinese title without its issuers: 《关于……的通知》 as news reports cite it."""
    out = {}
    for e in docs:
        i = e.label.find("关于")
        if e.method == "title" and i > 0 and len(e.label) - i >= 8:
            out[e.label[i:]] = e.concept
    return out


def _rank(entries: list[Entry]) -> list[Entry]:
    """One entry per concept, best method first; several concepts for one label lower the confidence."""
    order = ["documentNumber", "title", "prefLabel", "altLabel", "abbreviation", "label"]
    best: dict[str, Entry] = {}
    for e in sorted(entries, key=lambda e: order.index(e.method)):
        best.setdefault(e.concept, e)
    ranked = list(best.values())
    if len(ranked) > 1:
        ranked = [Entry(e.type, e.concept, e.label, e.method + "/ambiguous", round(e.confidence * 0.6, 2),
                        e.case_sensitive) for e in ranked]
    return ranked


@lru_cache(maxsize=1)
def default() -> Dictionary:
    """The dictionary of this checkout's vocabularies and encodings, built once per process."""
    return build()
