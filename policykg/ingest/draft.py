"""The draft encoding: what ingest found, in the format of kg/documents/*.yaml, for a person to review.

The draft declares what no encoding declares yet and only adds facts to what one does (the
documents, parts and measures we know), so that, once reviewed, it passes the encoding checker
when moved into kg/documents/. Every fact has its locator; its confidence and method follow as a
comment. Quantities and candidate names are listed in comments: they need a person to choose the
indicator or the concept.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml

from policykg import paths
from policykg.ingest.model import LOW_CONFIDENCE, Extraction, Mention, Section

DOC_TYPES = [(r"工作方案|Work Plan", "WorkPlan"), (r"行动计划|行动方案|Action Plan", "ActionPlan"),
             (r"规划|Development Plan", "DevelopmentPlan"), (r"指南|指引|Guidelines?", "Guideline"),
             (r"公告|Announcement", "Announcement"), (r"通知|Notice|Circular", "Notice")]


def slug(path: str | Path) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")
    return s[:60].strip("-") or "document"


@lru_cache(maxsize=4)
def _declared(documents_dir: str, stamp: tuple) -> frozenset[str]:
    keys = set()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for f in sorted(Path(documents_dir).glob("*.yaml")):
        data = yaml.load(f.read_text(encoding="utf-8"), Loader=loader) or {}
        src = data.get("source") or {}
        if src.get("key"):
            keys.add(src["key"])
        keys.update(k for k, v in (data.get("entities") or {}).items() if isinstance(v, dict) and "type" in v)
    return frozenset(keys)


def declared(documents_dir: Path | None = None) -> frozenset[str]:
    """The entity keys the encodings declare (the draft adds facts to these, and declares the rest)."""
    d = Path(documents_dir or paths.DOCUMENTS_DIR)
    files = sorted(d.glob("*.yaml"))
    return _declared(str(d), tuple((f.name, f.stat().st_mtime_ns) for f in files))


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _note(conf: float, method: str) -> str:
    return f"  # {conf:.2f} {method}" + (" LOW" if conf < LOW_CONFIDENCE else "")


def _doc_type(ex: Extraction) -> str:
    title = " ".join(t.value for t in ex.metadata.titles)
    return next((cls for rx, cls in DOC_TYPES if re.search(rx + r"$", title.strip()) or re.search(rx, title)),
                "PolicyDocument")


def _section_keys(ex: Extraction, doc: str) -> list[str]:
    counts: dict[str, int] = {}
    keys = []
    for s in ex.sections:
        counts[s.kind] = counts.get(s.kind, 0) + 1
        keys.append(f"{doc}/{s.kind}/{counts[s.kind]}")
    return keys


def render(ex: Extraction, source_slug: str, documents_dir: Path | None = None, version: str = "") -> str:
    known = declared(documents_dir)
    meta = ex.metadata
    source = f"source/{source_slug}"
    has_doc = bool(meta.titles or meta.numbers)
    doc = meta.known.concept if meta.known else f"doc/{source_slug}"
    title_zh = next((t for t in meta.titles if t.lang == "zh"), None)
    title_en = next((t for t in meta.titles if t.lang == "en"), None)
    out = [f"# Draft encoding written by 'policykg ingest' (version {version}) from {Path(ex.path).name}",
           f"# ({ex.kind}, file sha256 {ex.file_sha256}). Locators count code points of the text as read"
           + (", which ingest wrote beside this file." if ex.kind != "text" else "."),
           "# Review every fact against the text, put the labels in your own words, then move the file",
           "# into kg/documents/. The comment after a fact gives its confidence and method; LOW marks",
           f"# a confidence under {LOW_CONFIDENCE}.", ""]
    name = (title_zh or title_en).value if has_doc and (title_zh or title_en) else Path(ex.path).name
    out += ["source:", f"  key: {source}", f"  type: {'TextEdition' if has_doc else 'Document'}",
            f"  label: {{en: {_q('Text of ' + (title_en.value if title_en else name)[:120] + ' (ingested)')}, "
            f"zh: {_q((title_zh.value if title_zh else name)[:120] + '（导入文本）')}}}",
            f"  sha256: {ex.sha256}", f"  chars: {len(ex.text)}"]
    source_facts = []
    if has_doc:
        span = (meta.titles or meta.numbers)[0]
        source_facts.append(f"    editionOf: {{v: {doc}, at: {span.start}-{span.end}}}")
    else:
        seen = {}
        for m in ex.mentions:
            seen.setdefault(m.concept, m)
        if seen:
            source_facts.append("    mentions:")
            source_facts += [f"      - {{v: {m.concept}, at: {m.start}-{m.end}}}{_note(m.confidence, m.method)}"
                             for m in seen.values()]
    if source_facts:
        out += ["  facts:"] + source_facts
    out += ["", "entities:" if has_doc else "entities: {}"]
    if has_doc:
        out += _document(ex, doc, doc in known, title_zh, title_en, name)
    keys = _section_keys(ex, doc) if has_doc else []
    for i, s in enumerate(ex.sections if has_doc else []):
        parent = keys[s.parent] if s.parent is not None else doc
        out += _section(ex, i, s, keys[i], parent, keys[i] in known)
    out += _review_notes(ex)
    return "\n".join(out) + "\n"


def _document(ex, doc, is_known, title_zh, title_en, name) -> list[str]:
    meta = ex.metadata
    lines = [f"  {doc}:"]
    if not is_known:
        en = title_en.value if title_en else f"Document {meta.numbers[0].value}" if meta.numbers else name
        zh = title_zh.value if title_zh else en
        lines += [f"    type: {_doc_type(ex)}", f"    label: {{en: {_q(en[:200])}, zh: {_q(zh[:200])}}}"]
    facts = []
    if meta.titles:
        facts.append("      title:")
        facts += [f"        - {{v: {_q(t.value)}, lang: {t.lang}, at: {t.start}-{t.end}}}" for t in meta.titles]
    zh_numbers = [n for n in meta.numbers if re.search(r"[\u4e00-\u9fff]", n.value)]
    if zh_numbers:
        n = zh_numbers[0]
        facts.append(f"      documentNumber: {{v: {_q(n.value)}, at: {n.start}-{n.end}}}")
    for prop, ms in (("issuedBy", meta.issuers), ("addressedTo", meta.addressees)):
        if ms:
            facts.append(f"      {prop}:")
            facts += [f"        - {{v: {m.concept}, at: {m.start}-{m.end}}}{_note(m.confidence, m.method)}" for m in ms]
    if meta.date:
        facts.append(f"      dateIssued: {{v: {meta.date.value}, at: {meta.date.start}-{meta.date.end}}}")
    if meta.in_force:
        facts.append(f"      inForce: {{v: pkg:{meta.in_force.value}, at: {meta.in_force.start}-{meta.in_force.end}}}")
    regions = _addressee_regions(ex)
    if regions:
        facts.append("      appliesToRegion:")
        facts += [f"        - {{v: {m.concept}, at: {m.start}-{m.end}}}{_note(m.confidence, m.method)}" for m in regions]
    refs = [r for r in ex.relations if r.section is None and r.prop == "refersTo"]
    if refs:
        facts.append("      refersTo:")
        facts += [f"        - {{v: {r.concept}, at: {r.start}-{r.end}}}{_note(r.confidence, 'citation')}" for r in refs]
    return lines + (["    facts:"] + facts if facts else []) + [""]


def _addressee_regions(ex: Extraction) -> list[Mention]:
    span = ex.metadata.addressee_span
    if not span:
        return []
    best: dict[str, Mention] = {}
    for m in ex.mentions:          # one per region, the Chinese surface where there is one
        if m.type == "region" and span.start <= m.start and m.end <= span.end:
            if m.concept not in best or re.search(r"[\u4e00-\u9fff]", m.surface):
                best[m.concept] = m
    return sorted(best.values(), key=lambda m: m.start)


def _section(ex: Extraction, i: int, s: Section, key: str, parent: str, is_known: bool) -> list[str]:
    lines = [f"  {key}:"]
    if not is_known:
        cls = {"part": "Part", "measure": "Measure", "article": "Part", "item": "PolicyAction",
               "subitem": "PolicyAction"}[s.kind]
        heading = s.heading[len(s.marker):].strip()[:60] or s.marker
        en = f"{cls if cls != 'PolicyAction' else 'Action'} {s.ordinal} (ingested; to be labelled)"
        lines += [f"    type: {cls}", f"    label: {{en: {_q(en)}, zh: {_q(heading)}}}"]
    lines.append(f"    at: {s.start}-{s.heading_end}")
    facts = [f"      isPartOf: {parent}", f"      ordinal: {s.ordinal}"]
    by_prop: dict[str, list] = {}
    for r in ex.relations:
        if r.section == i:
            by_prop.setdefault(r.prop, []).append(r)
    for prop, rs in by_prop.items():
        facts.append(f"      {prop}:")
        facts += [f"        - {{v: {r.concept}, at: {r.start}-{r.end}}}{_note(r.confidence, 'co-occurrence')}"
                  for r in rs]
    return lines + ["    facts:"] + facts + [""]


def _review_notes(ex: Extraction) -> list[str]:
    out = []
    if ex.quantities:
        out += ["# Quantities found (add them as Statistic or Target entries with an indicator):"]
        out += [f"#   {q.start}-{q.end} {q.surface!s}: value {q.value}, unit {q.unit}, {q.kind}"
                + (f", period {q.period}" if q.period else "") + (f", area {q.area}" if q.area else "")
                for q in ex.quantities]
    if ex.candidates:
        out += ["# Names that look like entities but match no vocabulary concept (candidates):"]
        out += [f"#   {c.start}-{c.end} {c.type}: {c.surface}" for c in ex.candidates]
    return out
