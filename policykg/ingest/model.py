"""What ingest finds in one document: mentions, metadata, structure, relations, quantities, candidates.

Offsets are Unicode code points into the text as read (for HTML and PDF, the extracted text),
end exclusive, as in the encodings' locators.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Mention types: the vocabularies' kinds plus documents (by title or number).
TYPES = ("sector", "agency", "region", "instrument", "enterprise", "program", "document")
LOW_CONFIDENCE = 0.7      # below this a link is marked `low` in every output


@dataclass(frozen=True)
class Mention:
    type: str            # one of TYPES
    concept: str         # entity key, e.g. sector/automobiles, doc/miit-2022-160
    surface: str         # the text as it appears
    start: int
    end: int
    confidence: float
    method: str          # prefLabel | altLabel | abbreviation | title | documentNumber | fuzzyTitle | shortTitle

    def as_json(self) -> dict:
        return {"type": self.type, "concept": self.concept, "surface": self.surface, "start": self.start,
                "end": self.end, "confidence": self.confidence, "method": self.method}


@dataclass(frozen=True)
class Span:
    """A piece of metadata read from the text, with where it was read."""
    value: str
    start: int
    end: int
    lang: str | None = None


@dataclass
class Metadata:
    titles: list[Span] = field(default_factory=list)
    numbers: list[Span] = field(default_factory=list)          # document numbers, as written
    issuers: list[Mention] = field(default_factory=list)
    addressees: list[Mention] = field(default_factory=list)
    addressee_span: Span | None = None
    date: Span | None = None                                   # value YYYY-MM-DD
    in_force: Span | None = None                               # value: InForce | Repealed | ...
    known: Mention | None = None                               # the document we already know, if any


@dataclass
class Section:
    """A numbered unit of the text: heading span [start, heading_end), whole span [start, end)."""
    kind: str            # part | measure | item | subitem | article
    marker: str          # 一、 （一） 1. （1） 第一条 I. (1)
    ordinal: int
    start: int
    heading_end: int
    end: int
    parent: int | None   # index of the enclosing section
    heading: str

    @property
    def level(self) -> int:
        return {"part": 0, "article": 0, "measure": 1, "item": 2, "subitem": 3}[self.kind]


@dataclass(frozen=True)
class Relation:
    """A drafted fact: section (index into sections, None = the document) -property-> concept."""
    section: int | None
    prop: str            # targetsSector, usesInstrument, appliesToRegion, addressesEnterpriseCategory,
                         # concernsProgram, refersTo
    concept: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class Quantity:
    value: str           # the number as a decimal string
    unit: str            # unit key (unit/percent) or the unit as written
    surface: str
    start: int
    end: int
    kind: str            # target | statistic | figure
    period: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A name that looks like an entity but is not in the vocabularies."""
    type: str
    surface: str
    start: int
    end: int


@dataclass
class Extraction:
    path: str
    kind: str            # text | html | pdf
    text: str
    sha256: str          # of the text as read, UTF-8 (the bytes the locators count in)
    file_sha256: str     # of the file's bytes
    lang: str            # zh | en | mixed
    metadata: Metadata
    sections: list[Section]
    mentions: list[Mention]
    relations: list[Relation]
    quantities: list[Quantity]
    candidates: list[Candidate]

    @property
    def measures(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "measure"]

    @property
    def parts(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "part"]
