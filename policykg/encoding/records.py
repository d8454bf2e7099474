"""What reading an encoding gives (policykg.encoding.reader): a source's declarations and facts,
each with its locators or cited pages and the file line it came from, and the errors of a whole
set of files; `iri_of` turns a key into the IRI it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import PID


@dataclass(frozen=True)
class Locator:
    start: int
    end: int


@dataclass
class Fact:
    subject: str
    predicate: str
    obj: ox.NamedNode | ox.Literal
    locators: list[Locator]
    inferred: str | None = None
    contradicted_by: list[str] = field(default_factory=list)
    note: str | None = None
    path: Path | None = None
    line: int = 0
    cites: list[str] = field(default_factory=list)         # web page addresses (files with 'cites')
    verification: str | None = None                         # a caution from the reference notes


@dataclass
class Declaration:
    key: str
    iri: str
    type_iri: str
    labels: dict[str, str]
    locators: list[Locator]
    path: Path
    line: int
    cites: list[str] = field(default_factory=list)


@dataclass
class SourceEncoding:
    path: Path
    key: str
    iri: str
    graph: str
    type_iri: str
    labels: dict[str, str]
    sha256: str
    chars: int
    declarations: list[Declaration] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)     # cited files: name -> web page address
    graph_line: int = 0                                     # cited files: the line of 'graph'


class EncodingErrors(InputError):
    """Several input errors at once; each is one line."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__(errors[0].what, path=errors[0].path, line=errors[0].line, fix=errors[0].fix)

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in getattr(self, "errors", []))


def iri_of(key: str) -> str:
    return PID + key
