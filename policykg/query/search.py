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

Only the entities users look up by name are searched: links and source texts are not (their keys
and whole labels still name them). The names are not all read: SQLite gives the best `limit`
entities with a name containing the text and at most 4 × `finder.FUZZY_CANDIDATES` fuzzy
candidates (`finder.py`, which gives the rows SQLite reads), so a search holds a few thousand rows
and takes well under a second at 10,000 policies (docs/scale.md); a misspelling sharing no three characters in a row with the name it
means is found only when that name has at most `finder.SHORT` characters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import PID, PKG, XSD
from policykg.query import finder
from policykg.query.index import norm, printed
from policykg.query.name_index import index
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
    short = want[len(PKG):] if want else None
    best: dict[str, tuple[float, str, str, int, str]] = {}      # IRI → score, field, name, sources, key

    def offer(iri: str, score: float, fld: str, name: str, sources: int, key: str) -> None:
        if iri not in best or score > best[iri][0]:
            best[iri] = (score, fld, name, sources, key)

    exact = candidates(store, text, idx)                # keys, whole names, numbers, measure references
    numbered = candidates(store, f"No. {q}", idx) if q.isdigit() else []   # a bare number: documents with it
    for iris, score in ((exact, 100.0), (numbered, 95.0)):
        for iri in iris:
            e = idx.entries.get(iri)
            if e is not None and (not want or want in e.classes):
                fld, name = _which(e, q) if score == 100.0 else ("number", e.text("number"))
                offer(iri, score, fld, name, e.sources, printed(iri))
    for iri, key, sources, fld, raw, score in finder.within(idx, q, WEIGHT, short, limit):
        offer(iri, score, fld, raw, sources, key)
    near = [row for row in finder.near(idx, q, finder.NAME_FIELDS, short) if len(row[5]) >= 3]
    for _, score, i in process.extract(q, [row[5] for row in near], scorer=fuzz.WRatio, limit=None,
                                       score_cutoff=FUZZY_CUTOFF):
        iri, key, sources, fld, raw, _ = near[i]
        offer(iri, 0.9 * score * WEIGHT[fld], fld, raw, sources, key)
    ranked = sorted(best.items(), key=lambda b: (-round(b[1][0], 1), -b[1][3], b[1][4]))[:limit]
    hits = []
    for iri, (score, fld, name, sources, key) in ranked:
        e = idx.entries[iri]
        hits.append(Hit(iri, key, e.cls, e.label("en"), e.label("zh"),
                        printed(e.document) if e.document else "", sources, round(score, 1), fld, name))
    return hits


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
    known = finder.classes(idx)
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
