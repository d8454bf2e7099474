"""Scoring ingest: against the hand-annotated gold set (tests/gold/) and, as a round trip, against
the curated encodings of texts we hold (their located facts are gold annotations with offsets).

Used by benchmarks/ingest.py (which prints the figures) and by the tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from policykg.ingest import documents
from policykg.ingest.model import TYPES, Extraction

MARK = re.compile(r"\[\[([^|\n]+?)\|([^\[\]]+?)\]\]|\{\{([^{}]+)\}\}")
KIND_OF = {"doc": "document"}


@dataclass
class Gold:
    id: str
    lang: str
    text: str
    mentions: set = field(default_factory=set)      # (type, concept, start, end)
    numbers: set = field(default_factory=set)       # (start, end)
    titles: set = field(default_factory=set)
    candidates: set = field(default_factory=set)    # (type, start, end)
    distractors: list = field(default_factory=list)  # (start, end, surface)
    set: str = "development"                         # development (seen while building ingest) or held-out


def parse(marked: str, id: str = "", lang: str = "") -> Gold:
    """The plain text and the annotations of a marked-up passage (see tests/gold/README.md)."""
    g = Gold(id, lang, "")
    out, pos, n = [], 0, 0
    for m in MARK.finditer(marked):
        out.append(marked[pos:m.start()])
        n += m.start() - pos
        surface = m.group(1) or m.group(3)
        start, end = n, n + len(surface)
        out.append(surface)
        n, pos = end, m.end()
        if m.group(3):
            g.distractors.append((start, end, surface))
            continue
        fields = m.group(2).split("|")
        if fields[0] in ("number", "title"):
            (g.numbers if fields[0] == "number" else g.titles).add((start, end))
            continue
        if fields[0].startswith("candidate/"):
            g.candidates.add((fields[0].split("/", 1)[1], start, end))
            continue
        concept = fields[0]
        kind = concept.split("/", 1)[0]
        g.mentions.add((KIND_OF.get(kind, kind), concept, start, end))
        if len(fields) > 1:
            (g.numbers if fields[1] == "number" else g.titles).add((start, end))
    out.append(marked[pos:])
    g.text = "".join(out)
    return g


def load_gold(folder: Path) -> list[Gold]:
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    out = []
    for e in index:
        g = parse((folder / "passages" / f"{e['id']}.txt").read_text(encoding="utf-8"), e["id"], e["lang"])
        g.set = e.get("set", "development")
        out.append(g)
    return out


def system(ex: Extraction) -> dict[str, set]:
    """What ingest found, in the shape of the gold annotations."""
    titles = {(t.start, t.end) for t in ex.metadata.titles}
    short = {(m.start, m.end) for m in ex.mentions if m.method == "shortTitle"}
    titles |= {(m.start(1), m.end(1)) for m in documents.BOOK_TITLE.finditer(ex.text)} - short
    titles |= {(m.start, m.end) for m in ex.mentions if m.method in ("title", "fuzzyTitle")}
    return {
        "mentions": {(m.type, m.concept, m.start, m.end) for m in ex.mentions},
        "numbers": {(s, e) for _, s, e, _, _ in documents.numbers(ex.text)},
        "titles": titles,
        "candidates": {(c.type, c.start, c.end) for c in ex.candidates if c.type != "document"},
    }


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set, found: set) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def score(golds: list[Gold], extract) -> tuple[dict, list]:
    """{(lang, what): Counts} over the passages, and the errors [(passage, kind, item)].

    `what` is a mention type, 'EL' (all mention types), 'number', 'title', 'candidate', or
    'distractor' (fp = links inside distractors). `lang` is zh, en, mixed or all.
    """
    table: dict[tuple[str, str], Counts] = {}
    errors = []

    def bump(lang, what, gold, found):
        for lg in (lang, "all"):
            table.setdefault((lg, what), Counts()).add(gold, found)

    for g in golds:
        got = system(extract(g.text))
        for t in TYPES:
            bump(g.lang, t, {m for m in g.mentions if m[0] == t}, {m for m in got["mentions"] if m[0] == t})
        bump(g.lang, "EL", g.mentions, got["mentions"])
        bump(g.lang, "number", g.numbers, got["numbers"])
        bump(g.lang, "title", g.titles, got["titles"])
        bump(g.lang, "candidate", g.candidates, got["candidates"])
        inside = {m for m in got["mentions"] if any(s <= m[2] < e or s < m[3] <= e for s, e, _ in g.distractors)}
        for lg in (g.lang, "all"):
            table.setdefault((lg, "distractor"), Counts()).fp += len(inside)
        for m in sorted(g.mentions - got["mentions"], key=lambda m: m[2]):
            errors.append((g.id, "missed", f"{g.text[m[2]:m[3]]} → {m[1]} @{m[2]}"))
        for m in sorted(got["mentions"] - g.mentions, key=lambda m: m[2]):
            errors.append((g.id, "in distractor" if m in inside else "spurious",
                           f"{g.text[m[2]:m[3]]} → {m[1]} @{m[2]}"))
        for what in ("numbers", "titles"):
            gold_set = getattr(g, what)
            for s, e in sorted(gold_set - got[what]):
                errors.append((g.id, f"missed {what[:-1]}", g.text[s:e]))
            for s, e in sorted(got[what] - gold_set):
                errors.append((g.id, f"spurious {what[:-1]}", g.text[s:e]))
    return table, errors
