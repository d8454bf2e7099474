"""The flat tables of `policykg export`, one function per table, each column described.

`measures` has one row per policy document, measure and action (column `level`), as the OECD STIP
Compass and Global Trade Alert publish one row per initiative or intervention: the document's
number, date and title, the part and measure, and what the row's own entity targets, uses,
assigns and addresses, with the codes that statistics use. `documents`, `targets`, `statistics`
and `links` follow. List cells join their values with "; " in the same order across the columns
of one concept (keys, English labels, Chinese labels). The codebook is made from `COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykg.export.facts import SEP, Facts
from policykg.model.namespaces import ELI, PKG
from policykg.query.index import printed


@dataclass(frozen=True)
class Column:
    name: str
    type: str          # string, integer, number, date, boolean, list (strings joined by "; ")
    description: str


def _concept(name: str, what: str, prop: str, codes: tuple[tuple[str, str, str], ...] = ()) -> list[Column]:
    cols = [Column(name, "list", f"keys of the {what} the row's own entity {prop} (pid:KEY)"),
            Column(f"{name}_en", "list", f"English labels of those {what}, in the same order"),
            Column(f"{name}_zh", "list", f"Chinese labels of those {what}, in the same order")]
    return cols + [Column(f"{name}_{suffix}", "list", desc) for suffix, _, desc in codes]


SECTOR_CODES = (("gbt4754", "gbt4754-2017", "GB/T 4754-2017 codes (divisions or groups) the sectors match, sorted"),
                ("isic", "isic-rev4", "ISIC Rev.4 codes the sectors match, sorted"))
INSTRUMENT_CODES = (("stip", "oecd-stip", "OECD STIP Compass instrument types (PI codes) of the instruments, sorted"),
                    ("gta", "gta-types", "Global Trade Alert intervention types of the instruments, sorted"),
                    ("mast", "un-mast", "UN MAST chapters of the instruments, sorted"))

_DOC = [
    Column("document", "string", "key of the policy document (pid:doc/...)"),
    Column("document_number", "string", "the official document number (文号), e.g. 工信部联运行〔2022〕160号; empty when none is known"),
    Column("date_issued", "date", "the date of issue (YYYY-MM-DD) that the sources state (a date other sources contradict is a claim, not a fact, and is left out); else the publication date"),
    Column("document_en", "string", "English label of the document"),
    Column("document_zh", "string", "Chinese label of the document"),
]
CONCEPTS = [("sectors", "sectors", "targets", (PKG + "targetsSector",), SECTOR_CODES),
            ("instruments", "policy instruments", "uses", (PKG + "usesInstrument",), INSTRUMENT_CODES),
            ("agencies", "agencies", "makes responsible", (PKG + "responsibleAgency",), ()),
            ("regions", "regions", "applies to", (PKG + "appliesToRegion",), ()),
            ("enterprise_categories", "enterprise categories", "addresses", (PKG + "addressesEnterpriseCategory",), ()),
            ("programs", "programs and campaigns", "concerns", (PKG + "concernsProgram",), ())]

def _quantity(kind: str, verb: str) -> list[Column]:
    """The columns targets and statistics share."""
    return [Column("id", "string", f"key of the {kind}"), Column(f"{kind}_en", "string", "English label"),
            Column(f"{kind}_zh", "string", "Chinese label"), Column("indicator", "string", "key of the indicator"),
            Column("value", "number", f"the value (the source that {verb} gives it)"),
            Column("unit", "string", "key of the unit"), Column("period", "string", "key of the period it refers to")]


COLUMNS: dict[str, list[Column]] = {
    "measures": [Column("id", "string", "key of the row's own entity: the document, the measure or the action"),
                 Column("level", "string", "document, measure or action")] + _DOC + [
        Column("part", "string", "key of the part of the document that holds the measure"),
        Column("part_en", "string", "English label of the part"),
        Column("measure", "string", "key of the measure (pid:doc/.../measure/N)"),
        Column("measure_no", "integer", "the measure's ordinal in the document (（二） = 2)"),
        Column("ordinal_inferred", "boolean", "true when a source does not state the ordinal and it was inferred (the reason is in the graph)"),
        Column("measure_en", "string", "English label of the measure"),
        Column("measure_zh", "string", "Chinese label of the measure"),
        Column("action", "string", "key of the action (pid:doc/.../action/M-K); empty on document and measure rows"),
        Column("action_en", "string", "English label of the action"),
        Column("action_zh", "string", "Chinese label of the action"),
    ] + [c for name, what, verb, _, codes in CONCEPTS for c in _concept(name, what, verb, codes)] + [
        Column("region_gbt2260", "list", "GB/T 2260 administrative division codes of the regions, in the order of `regions` (empty where a region has none)"),
        Column("issuers", "list", "keys of the agencies that issued the document"),
        Column("targets", "list", "keys of the quantitative targets the row's own entity sets (see the targets table)"),
        Column("sources", "list", "keys of the sources that state facts about the row's own entity"),
        Column("source_count", "integer", "how many sources state facts about the row's own entity"),
    ],
    "documents": _DOC + [
        Column("class", "string", "the document's most specific class (Notice, WorkPlan, Announcement, ...)"),
        Column("title_zh", "string", "the official Chinese title where a source gives it"),
        Column("title_en", "string", "an English title where a source gives it"),
        Column("issuers", "list", "keys of the issuing agencies"),
        Column("issuers_en", "list", "English labels of the issuing agencies, in the same order"),
        Column("measures", "integer", "number of measures encoded for the document"),
        Column("actions", "integer", "number of actions encoded for the document"),
        Column("in_force", "string", "validity status where a source gives it (InForce, ...)"),
        Column("sources", "list", "keys of the sources that state facts about the document"),
        Column("source_count", "integer", "how many sources state facts about the document"),
    ],
    "targets": _quantity("target", "sets the target") + [
        Column("document", "string", "key of the document that sets the target"),
        Column("indicator_en", "string", "English label of the indicator"),
        Column("qualifier", "string", "key of the qualifier (about, at least, ...)"),
        Column("sectors", "list", "keys of the sectors the target refers to"),
        Column("sectors_gbt4754", "list", "GB/T 4754-2017 codes of those sectors"),
        Column("sources", "list", "keys of the sources that state the target"),
    ],
    "statistics": _quantity("statistic", "reports it") + [
        Column("regions", "list", "keys of the regions (reference areas)"),
        Column("sectors", "list", "keys of the sectors the statistic refers to"),
        Column("enterprise_categories", "list", "keys of the enterprise categories it refers to"),
        Column("stated_by", "string", "key of the person who stated it, where a source names one"),
        Column("sources", "list", "keys of the sources that report it"),
    ],
    "links": [
        Column("id", "string", "key of the link"), Column("type", "string", "the link type (a pkg: class, e.g. pkg:SharedSectorLink)"),
        Column("from", "string", "key of the document or measure the link starts at"),
        Column("from_en", "string", "English label of it"),
        Column("to", "string", "key of the document or measure the link points to"), Column("to_en", "string", "English label of it"),
        Column("score", "number", "the link's score (see docs/links.md)"),
        Column("shared", "list", "keys of the shared entities (sectors, instruments, ...) the link rests on"),
        Column("explanation", "string", "why the link was made, in words"),
    ],
}


def measures(f: Facts):
    """One row per policy document, per measure and per action (`level`), documents sorted by key and their
    measures and actions by ordinal. Concept columns hold what the row's own entity states: a measure row lists
    what the measure targets, an action row what the action targets (read both, or filter on `level`)."""
    by_doc = f.by_document("Measure")             # (document, measure), sorted like the documents
    pending = next(by_doc, None)
    for doc in f.prefetched(f.instances("PolicyDocument")):
        mine = set()
        while pending is not None and pending[0] <= doc:
            if pending[0] == doc:
                mine.add(pending[1])
            pending = next(by_doc, None)
        mine |= {m for m in f.iris(doc, PKG + "hasPart", ELI + "has_part") if f.is_instance(m, "Measure")}
        f.prefetch(mine)
        f.prefetch(a for m in mine for a in f.iris(m, PKG + "commitsTo"))
        yield _row(f, doc, "document", doc, None, None)
        for m in sorted(mine, key=_ordinal_key):
            yield _row(f, m, "measure", doc, m, None)
            for a in sorted(f.iris(m, PKG + "commitsTo"), key=_ordinal_key):
                yield _row(f, a, "action", doc, m, a)


def _ordinal_key(iri: str):
    tail = iri.rsplit("/", 1)[-1]
    return [int(x) if x.isdigit() else x for x in tail.replace("-", " ").split()]


def _doc_columns(f: Facts, doc: str) -> dict:
    date = ""
    for prop in (PKG + "dateIssued", PKG + "datePublished"):      # contradicted claims are not facts: not here
        stated = sorted({o.value for o in f.of(doc, prop)})
        if stated:
            date = stated[0]
            break
    return {"document": printed(doc), "document_number": f.literal(doc, PKG + "documentNumber"), "date_issued": date,
            "document_en": f.label(doc, "en"), "document_zh": f.label(doc, "zh")}


def _row(f: Facts, iri: str, level: str, doc: str, measure: str | None, action: str | None) -> dict:
    row = {"id": printed(iri), "level": level, **_doc_columns(f, doc)}
    part = next(iter(f.iris(measure, PKG + "isPartOf")), "") if measure else ""
    row |= {"part": printed(part) if part else "", "part_en": f.label(part, "en") if part else ""}
    no = f.literal(measure, PKG + "ordinal") if measure else ""
    row |= {"measure": printed(measure) if measure else "", "measure_no": int(no) if no else None,
            "ordinal_inferred": f.ordinal_inferred(measure) if measure else None,
            "measure_en": f.label(measure, "en") if measure else "", "measure_zh": f.label(measure, "zh") if measure else "",
            "action": printed(action) if action else "", "action_en": f.label(action, "en") if action else "",
            "action_zh": f.label(action, "zh") if action else ""}
    for name, _, _, props, codes in CONCEPTS:
        vals = f.iris(iri, *props)
        row |= {name: f.keys(vals), f"{name}_en": f.labels(vals, "en"), f"{name}_zh": f.labels(vals, "zh")}
        for suffix, scheme, _ in codes:
            row[f"{name}_{suffix}"] = f.code_list(vals, scheme)
    regions = f.iris(iri, PKG + "appliesToRegion")
    codes = [f.literal(r, PKG + "gbt2260Code") for r in regions]
    row["region_gbt2260"] = SEP.join(codes) if any(codes) else ""
    row["issuers"] = f.keys(f.iris(doc, PKG + "issuedBy"))
    row["targets"] = f.keys(f.iris(iri, PKG + "setsTarget"))
    srcs = f.source_keys(iri)
    row |= {"sources": SEP.join(srcs), "source_count": len(srcs)}
    return row


def documents(f: Facts):
    """One row per policy document (notices, plans, announcements, ...)."""
    measures_of = _per_document(f, "Measure")
    actions_of = _per_document(f, "PolicyAction")
    for doc in f.prefetched(f.instances("PolicyDocument")):
        issuers = f.iris(doc, PKG + "issuedBy")
        status = f.iris(doc, PKG + "inForce")
        srcs = f.source_keys(doc)
        yield _doc_columns(f, doc) | {
            "class": f.entry(doc).cls, "title_zh": f.literal(doc, PKG + "title", "zh"),
            "title_en": f.literal(doc, PKG + "title", "en"), "issuers": f.keys(issuers),
            "issuers_en": f.labels(issuers, "en"), "measures": measures_of.get(doc, 0), "actions": actions_of.get(doc, 0),
            "in_force": SEP.join(printed(s) for s in status), "sources": SEP.join(srcs), "source_count": len(srcs)}


def _per_document(f: Facts, cls: str) -> dict[str, int]:
    """Document IRI → how many entities of the class are under its key (one number per document)."""
    out: dict[str, int] = {}
    for d, _ in f.by_document(cls):
        out[d] = out.get(d, 0) + 1
    return out


def _one(f: Facts, s: str, prop: str) -> str:
    vals = f.iris(s, prop)
    return printed(vals[0]) if vals else ""


def _number(f: Facts, s: str, prop: str):
    v = f.literal(s, prop)
    try:
        return float(v) if v else None
    except ValueError:
        return None


def _quantity_row(f: Facts, s: str, kind: str) -> dict:
    return {"id": printed(s), f"{kind}_en": f.label(s, "en"), f"{kind}_zh": f.label(s, "zh"),
            "indicator": _one(f, s, PKG + "indicator"), "value": _number(f, s, PKG + "value"),
            "unit": _one(f, s, PKG + "unit"), "period": _one(f, s, PKG + "refPeriod"), "sources": SEP.join(f.source_keys(s))}


def targets(f: Facts):
    """One row per quantitative target a document sets (for example a sector's value-added growth in a year)."""
    for t in f.prefetched(f.instances("Target")):
        sectors = f.iris(t, PKG + "refSector")
        ind = f.iris(t, PKG + "indicator")
        yield _quantity_row(f, t, "target") | {
            "document": _one(f, t, PKG + "targetSetBy"), "indicator_en": f.label(ind[0], "en") if ind else "",
            "qualifier": _one(f, t, PKG + "qualifier"), "sectors": f.keys(sectors),
            "sectors_gbt4754": f.code_list(sectors, "gbt4754-2017")}


def statistics(f: Facts):
    """One row per statistic a source reports (value, unit, period, what it refers to)."""
    return (_quantity_row(f, s, "statistic") | {
        "regions": f.keys(f.iris(s, PKG + "refArea")), "sectors": f.keys(f.iris(s, PKG + "refSector")),
        "enterprise_categories": f.keys(f.iris(s, PKG + "refEnterpriseCategory")),
        "stated_by": _one(f, s, PKG + "statedBy")} for s in f.prefetched(f.instances("Statistic")))


LINK_PROPS = tuple(PKG + p for p in ("linkFrom", "linkTo", "linkType", "score", "sharedEntity", "explanation"))


def links(f: Facts):
    """One row per link between documents or measures that `policykg link` computes (see docs/links.md)."""
    for link in f.prefetched(f.instances("Link"), LINK_PROPS):
        a, b = _one(f, link, PKG + "linkFrom"), _one(f, link, PKG + "linkTo")
        fa, fb = f.iris(link, PKG + "linkFrom"), f.iris(link, PKG + "linkTo")
        yield {"id": printed(link), "type": _one(f, link, PKG + "linkType"), "from": a,
               "from_en": f.label(fa[0], "en") if fa else "", "to": b, "to_en": f.label(fb[0], "en") if fb else "",
               "score": _number(f, link, PKG + "score"), "shared": f.keys(f.iris(link, PKG + "sharedEntity")),
               "explanation": f.literal(link, PKG + "explanation")}


TABLES = {"measures": measures, "documents": documents, "targets": targets, "statistics": statistics, "links": links}
