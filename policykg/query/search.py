"""`policykg search TEXT`: entities ranked by how well their names match, in both languages.

Each entity is scored on its labels, alternative labels and abbreviations, titles, document
numbers, codes and definitions (zh and en), and keeps its best field:

| match | score |
|---|---|
| the whole name (case-, width- and space-insensitive), a key, a document number in any variant, a measure reference | 100 |
| a bare number that is the number of a document (`160`) | 95 |
| the text inside a name | 80-90 (shorter names first) |
| rapidfuzz WRatio of text and name, when ≥ 75 (not for definitions, codes and names shorter than 3) | 0.9 × WRatio |

Definitions count 0.8 of the above, alternative labels 0.97, titles 0.95. Ties go to the entity
that more sources state things about, then to the key. Bounds: the text is at most
`MAX_TEXT` characters and at most `MAX_LIMIT` hits are returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import PID, PKG, XSD
from policykg.query.index import index, norm, printed
from policykg.query.resolve import candidates, parse_number
from policykg.query.results import Result

MAX_TEXT = 200
MAX_LIMIT = 1000
FUZZY_CUTOFF = 75
WEIGHT = {"label": 1.0, "number": 1.0, "code": 1.0, "alt": 0.97, "title": 0.95, "definition": 0.8}
COLUMNS = ["key", "class", "label_en", "label_zh", "document", "sources", "score", "field", "matched"]


@dataclass(frozen=True)
class Hit:
    iri: str
    key: str              # as printed: pid:KEY (pastes into `policykg sparql`)
    cls: str
    label_en: str
    label_zh: str
    document: str         # pid:KEY of the document a part or measure belongs to, or ''
    sources: int          # how many sources state something about it
    score: float
    field: str            # which name matched: label, alt, title, number, code, definition
    matched: str          # the name that matched

    def as_dict(self) -> dict:
        return {c: getattr(self, "cls" if c == "class" else c) for c in COLUMNS} | {"iri": self.iri}


def search(store: ox.Store, text: str, cls: str | None = None, limit: int = 20) -> list[Hit]:
    """The entities whose names best match `text`, best first (see the module's docstring)."""
    q = norm(text)
    if not q:
        raise InputError("nothing to search for", fix="give a word, a name, a key or a document number")
    if len(q) > MAX_TEXT:
        raise InputError(f"the search text has {len(q)} characters (at most {MAX_TEXT})", fix="give a shorter text")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}", fix="give e.g. --limit 20")
    idx = index(store)
    want = class_iri(idx, cls) if cls else None
    best: dict[str, tuple[float, str, str]] = {}

    def offer(iri: str, score: float, fld: str, name: str) -> None:
        if iri in idx.entries and (iri not in best or score > best[iri][0]):
            best[iri] = (score, fld, name)

    for iri in candidates(store, text, idx):            # keys, whole names, numbers, measure references
        e = idx.entries.get(iri)
        if e is not None:
            fld, name = _which(e, q)
            offer(iri, 100.0, fld, name)
    if q.isdigit():                                     # a bare number: documents with that number
        for iri in candidates(store, f"No. {q}", idx):
            offer(iri, 95.0, "number", idx.entries[iri].text("number"))
    choices, owners = [], []
    for e in idx.entries.values():
        for fld, vals in e.names.items():
            for name, _ in vals:
                choices.append(norm(name))
                owners.append((e.iri, fld, name))
    for i, name in enumerate(choices):
        if q in name:
            iri, fld, raw = owners[i]
            offer(iri, (90 - 10 * (len(name) - len(q)) / len(name)) * WEIGHT[fld], fld, raw)
    for _, score, i in process.extract(q, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=FUZZY_CUTOFF):
        iri, fld, raw = owners[i]
        if fld not in ("definition", "code") and len(choices[i]) >= 3:
            offer(iri, 0.9 * score * WEIGHT[fld], fld, raw)
    hits = []
    for iri, (score, fld, name) in best.items():
        e = idx.entries[iri]
        if want and want not in e.classes:
            continue
        hits.append(Hit(iri, printed(iri), e.cls, e.label("en"), e.label("zh"),
                        printed(e.document) if e.document else "", e.sources, round(score, 1), fld, name))
    hits.sort(key=lambda h: (-h.score, -h.sources, h.key))
    return hits[:limit]


def _which(e, q: str) -> tuple[str, str]:
    for fld in ("label", "alt", "title", "number", "code"):
        for name, _ in e.names.get(fld, ()):
            if norm(name) == q:
                return fld, name
    if e.names.get("number") and parse_number(q):
        return "number", e.text("number")
    return "reference", printed(e.iri)


def class_iri(idx, cls: str) -> str:
    """`Measure`, `pkg:Measure` or the class IRI → the IRI of a PolicyKG class that has instances."""
    name = cls.split("#")[-1].removeprefix("pkg:")
    known = sorted({c.rsplit("#", 1)[-1] for e in idx.entries.values() for c in e.classes})
    if name not in known:
        raise InputError(f"no class '{cls}' among the entities{did_you_mean(name, known)}",
                         fix="give a class such as " + ", ".join(k for k in ("Measure", "Sector", "Agency", "PolicyDocument")
                                                                   if k in known))
    return PKG + name


def as_result(hits: list[Hit]) -> Result:
    """The hits as a query Result, to format as table, CSV, TSV, JSON or Markdown."""
    def lit(v, col):
        if col in ("key", "document") and v:
            return ox.NamedNode(v.replace("pid:", PID, 1).replace("pkg:", PKG, 1))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return ox.Literal(str(v), datatype=ox.NamedNode(XSD + ("integer" if isinstance(v, int) else "decimal")))
        return ox.Literal(v) if v != "" else None
    return Result(variables=list(COLUMNS), rows=[tuple(lit(getattr(h, "cls" if c == "class" else c), c) for c in COLUMNS)
                                                 for h in hits])
