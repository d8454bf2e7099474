"""Round trip: ingest the source texts our curated encodings locate facts in, and compare.

A curated fact whose value is a vocabulary concept or a document, with a locator (its own or its
entry's `at`) and not inferred, is a gold item; ingest recovers it when one of its mentions of the
same concept overlaps the locator. A draft mention that no such curated fact covers is an extra
item, for a person to judge (a fact the curated encoding lacks, or an error of ingest).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policykg import paths
from policykg.ingest import ingest
from policykg.ingest.relations import PROPERTY

KINDS = {"sector": "sector", "agency": "agency", "region": "region", "instrument": "instrument",
         "enterprise": "enterprise", "program": "program", "doc": "document"}
STRUCTURAL = {"isPartOf", "editionOf"}      # numbering, not mentions: scored as structure
PART_WORDS = ("/part/", "/measure/", "/action/", "/goal/", "/principle/", "/task/")


@dataclass
class Result:
    files: list[str] = field(default_factory=list)
    recall: dict = field(default_factory=dict)         # type -> (curated, recovered)
    extra: dict = field(default_factory=dict)          # type -> draft items no curated fact covers
    extra_items: list = field(default_factory=list)
    missed_items: list = field(default_factory=list)
    relations: tuple = (0, 0)                          # (curated, drafted)
    structure: tuple = (0, 0, 0)                       # (matched, curated, drafted sections)


def _locs(at) -> list[tuple[int, int]]:
    items = at if isinstance(at, list) else [at] if at else []
    out = []
    for a in items:
        s, e = str(a).split("-")
        out.append((int(s), int(e)))
    return out


def gold_facts(data: dict) -> list[tuple[str, str, str, str, list]]:
    """(type, subject, property, concept, locators) of the located facts of an encoding."""
    out = []
    entries = [(data["source"].get("key", ""), data["source"])] + list((data.get("entities") or {}).items())
    for subject, entry in entries:
        if not isinstance(entry, dict):
            continue
        default = _locs(entry.get("at"))
        for prop, values in (entry.get("facts") or {}).items():
            for v in values if isinstance(values, list) else [values]:
                value, locs = (v.get("v"), _locs(v.get("at")) or default) if isinstance(v, dict) else (v, default)
                if isinstance(v, dict) and (v.get("inferred") or v.get("contradicted")):
                    continue
                kind = str(value).split("/", 1)[0]
                if kind in KINDS and locs and prop not in STRUCTURAL and (kind != "doc" or str(value).count("/") == 1):
                    out.append((KINDS[kind], subject, prop, str(value), locs))
    return out


def _overlaps(a: tuple[int, int], spans) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def run(sources: Path, documents_dir: Path | None = None) -> Result:
    encodings = {}
    for f in sorted((documents_dir or paths.DOCUMENTS_DIR).glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        sha = (data.get("source") or {}).get("sha256")
        if sha:
            encodings[sha] = data
    res = Result()
    recall: dict[str, list[int]] = {}
    extra: dict[str, int] = {}
    rel = [0, 0]
    for path in sorted(Path(sources).glob("*.txt")):
        data = encodings.get(hashlib.sha256(path.read_bytes()).hexdigest())
        if data is None:
            continue
        res.files.append(path.name[:3])
        ex = ingest(path)
        facts = gold_facts(data)
        found = ex.mentions + ex.metadata.issuers + [m for m in ex.metadata.addressees if m not in ex.mentions]
        for t, subject, prop, concept, locs in facts:
            hit = any(m.concept == concept and _overlaps((m.start, m.end), locs) for m in found)
            c = recall.setdefault(t, [0, 0])
            c[0] += 1
            c[1] += hit
            if not hit:
                res.missed_items.append(f"{path.name[:3]} {locs} {t} {concept} ({prop} of {subject})")
            if prop in PROPERTY.values() and any(w in subject for w in PART_WORDS):
                rel[0] += 1
                rel[1] += any(r.prop == prop and r.concept == concept and _overlaps((r.start, r.end), locs)
                              for r in ex.relations)
        for m in found:
            if not any(c == m.concept and _overlaps((m.start, m.end), locs) for _, _, _, c, locs in facts):
                extra[m.type] = extra.get(m.type, 0) + 1
                res.extra_items.append(f"{path.name[:3]} {m.start}-{m.end} {m.type} {m.concept} "
                                       f"{m.surface!r} ({m.method} {m.confidence})")
        curated = {(s, e) for k, v in (data.get("entities") or {}).items() if isinstance(v, dict)
                   and v.get("type") in ("Part", "Measure") for s, e in _locs(v.get("at"))}
        if curated and data["source"].get("type") == "TextEdition":      # the Notice's own text
            ours = {(s.start, s.heading_end) for s in ex.sections if s.kind in ("part", "measure")}
            m, c, d = res.structure
            res.structure = (m + len(curated & ours), c + len(curated), d + len(ours))
    res.recall = {t: tuple(v) for t, v in recall.items()}
    res.extra = extra
    res.relations = tuple(rel)
    return res
