"""How each relation is drawn: a colour and a dash pattern per property, the same on every page.

Lineage (refers to, implements, based on, continues) is blue and dashed by kind; what a measure
addresses takes the colour of the class it points to (sectors green, instruments amber, agencies
teal, ...); structure (is part of, sets target, reports on) is grey. Relations not listed get grey
with a dash pattern chosen by their name, so two unlisted relations still look different.
"""

from __future__ import annotations

import zlib

# key: (colour, dashes) where dashes is False (solid) or [dash, gap] in pixels
STYLE = {
    "isPartOf": ("#b0b0b0", False),
    "setsTarget": ("#b07aa1", [2, 3]),
    "targetSetBy": ("#b07aa1", [2, 3]),
    "reportsOn": ("#9c755f", [8, 4]),
    "editionOf": ("#9c755f", [2, 3]),
    "issuedBy": ("#4f9a94", [8, 4]),
    "targetsSector": ("#3f8f3a", False),
    "refSector": ("#3f8f3a", [2, 3]),
    "usesInstrument": ("#c9a227", False),
    "responsibleAgency": ("#4f9a94", False),
    "appliesToRegion": ("#e0728a", False),
    "refArea": ("#e0728a", [2, 3]),
    "addressesEnterpriseCategory": ("#66b05a", [8, 4]),
    "refEnterpriseCategory": ("#66b05a", [2, 3]),
    "concernsProgram": ("#c05a8a", [8, 4]),
    "refersTo": ("#7a9cc6", [2, 4]),
    "implements": ("#1f4e9a", False),
    "basedOn": ("#1f4e9a", [10, 4]),
    "continues": ("#1f4e9a", [4, 3]),
    "broader": ("#8a8a8a", [2, 3]),
    "sharedMeasures": ("#7f7f7f", False),
    "commitsTo": ("#e15759", [2, 3]),
}
# labels for relations that are not properties of the ontology
EXTRA_LABELS = {
    "broader": {"en": "broader", "zh": "上位概念"},
    "sharedMeasures": {"en": "measures in common", "zh": "共同措施"},
}
_DASHES = [False, [8, 4], [2, 3], [10, 3, 2, 3]]


def style(rel: str) -> tuple[str, list | bool]:
    if rel in STYLE:
        return STYLE[rel]
    return "#8f8f8f", _DASHES[zlib.crc32(rel.encode()) % len(_DASHES)]


def table(rels, label) -> list[dict]:
    """The relations legend: key, labels, colour, dashes and count, most frequent first.
    `rels` is an iterable of relation keys (one per edge and relation); `label(key)` gives {en, zh}."""
    counts: dict[str, int] = {}
    for r in rels:
        counts[r] = counts.get(r, 0) + 1
    out = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        colour, dashes = style(key)
        names = EXTRA_LABELS.get(key) or label(key)
        out.append({"key": key, "en": names["en"], "zh": names["zh"], "color": colour, "dash": dashes, "count": n})
    return out
