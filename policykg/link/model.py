"""What a link is: its types, the defaults of the link stage, the `Link` record and its sort order
(the rules that make links are in `similarity` and `lineage`; see docs/links.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from policykg.link.graph import FACETS
from policykg.model.namespaces import PID

LINK_TYPES = ("continues", "related") + tuple(f"shares-{f}" for f in FACETS)
DEFAULT_MIN_SCORE = 0.15
DEFAULT_K = 5            # links a unit keeps (related), lineage links a later document keeps


@dataclass(slots=True)
class Link:
    type: str                                   # one of LINK_TYPES
    source: str                                 # IRI (for `continues`: the later document)
    target: str                                 # IRI (for `continues`: the earlier measure)
    score: float
    shared: dict[str, list[str]]                # facet -> shared entity IRIs (sorted)
    matched: list[str] = field(default_factory=list)   # for `continues`: the measure's actions matched
    via: list[str] = field(default_factory=list)       # for `continues`: documents continued that the measure applies
    explanation: str = ""

    @property
    def iri(self) -> str:
        digest = hashlib.sha256(f"{self.type}\n{self.source}\n{self.target}".encode()).hexdigest()[:16]
        return f"{PID}link/{self.type}/{digest}"

    def shared_entities(self) -> list[str]:
        return sorted({e for es in self.shared.values() for e in es} | set(self.via))


def order(l: Link) -> tuple:
    """Sort key of links: by type (LINK_TYPES), then strongest first, then by their ends."""
    return LINK_TYPES.index(l.type), -l.score, l.source, l.target
