"""What the graph says about one entity, source by source, with the passages that support it.

Claims are `pkg:Claim`/`rdf:Statement` nodes with `pkg:statedIn` (the source), `pkg:claimStatus`
and `pkg:evidence` → `oa:hasSelector` (`oa:start`, `oa:end`) on `oa:hasSource` (the source text,
identified by `pkg:sha256`). The graph holds offsets, not text: given a folder of the user's copies
of the sources, `texts()` finds each source's text by its SHA-256 and `passage()` quotes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import PID, PKG, PREFIXES
from policykg.query.engine import execute
from policykg.query.resolve import label_of, resolve_entity
from policykg.query.results import short_iri

QUOTE_MAX = 240           # characters of a quoted passage

_CLAIMS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?_e ?c ?dir ?src ?s ?p ?o ?status ?inferred ?reason ?note ?start ?end ?sha ?other
WHERE {
  { ?c rdf:subject ?_e . BIND("out" AS ?dir) } UNION { ?c rdf:object ?_e . BIND("in" AS ?dir) }
  ?c a pkg:Claim ; pkg:statedIn ?src ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pkg:claimStatus ?status .
  OPTIONAL { ?c pkg:inferred ?inferred }
  OPTIONAL { ?c pkg:inferenceReason ?reason FILTER(LANG(?reason) = "en") }
  OPTIONAL { ?c pkg:statusNote ?note }
  OPTIONAL { ?c pkg:contradictedBy ?other }
  OPTIONAL { ?c pkg:evidence ?ev . ?ev oa:hasSelector ?sel ; oa:hasSource ?text .
             ?sel oa:start ?start ; oa:end ?end . ?text pkg:sha256 ?sha }
}
"""


@dataclass
class Claim:
    subject: str
    predicate: str
    obj: object                      # ox term
    incoming: bool                   # the entity is the value, not the subject
    status: str                      # Accepted | Contradicted
    inferred: str | None = None      # the reason, when inferred
    note: str | None = None
    contradicted_by: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    sha256: str | None = None


@dataclass
class SourceView:
    source: str                      # IRI
    label: str
    claims: list[Claim]


@dataclass
class EntityView:
    iri: str
    label_en: str
    label_zh: str
    types: list[str]
    sources: list[SourceView]
    derived: list[tuple[str, str]]   # (predicate, object) in the inferred graph only


def about(store: ox.Store, entity: str) -> EntityView:
    """Everything the sources state about an entity (an IRI, a key or a zh/en label)."""
    node = resolve_entity(store, entity)
    rows = execute(_CLAIMS, store, substitutions={ox.Variable("_e"): node}, hide_params=True).dicts()
    claims: dict[str, Claim] = {}
    by_source: dict[str, list[str]] = {}
    for r in rows:
        key = r["c"].value + r["dir"].value
        cl = claims.get(key)
        if cl is None:
            cl = claims[key] = Claim(r["s"].value, r["p"].value, r["o"], r["dir"].value == "in",
                                     r["status"].value.rsplit("#", 1)[-1],
                                     inferred=(r["reason"].value if r["reason"] else "yes") if r["inferred"] else None,
                                     note=r["note"].value if r["note"] else None,
                                     sha256=r["sha"].value if r["sha"] else None)
            by_source.setdefault(r["src"].value, []).append(key)
        if r["start"] is not None:
            span = (int(r["start"].value), int(r["end"].value))
            if span not in cl.spans:
                cl.spans.append(span)
        if r["other"] is not None and r["other"].value not in cl.contradicted_by:
            cl.contradicted_by.append(r["other"].value)
    for cl in claims.values():
        cl.spans.sort()
        cl.contradicted_by.sort()
    sources = []
    for src in sorted(by_source):
        cls = sorted((claims[k] for k in by_source[src]),
                     key=lambda c: (c.incoming, c.predicate != PREFIXES["rdf"] + "type", c.predicate, c.subject, str(c.obj)))
        sources.append(SourceView(src, label_of(store, src, "en"), cls))
    types = sorted({q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(PREFIXES["rdf"] + "type"), None)
                    if q.object.value.startswith(PKG)})
    inferred_graph = ox.NamedNode(PREFIXES["pgraph"] + "inferred")
    stated = {(c.predicate, str(c.obj)) for c in claims.values() if not c.incoming}
    derived = sorted({(q.predicate.value, q.object.value) for q in store.quads_for_pattern(node, None, None, inferred_graph)
                      if q.predicate.value != PREFIXES["rdf"] + "type" and (q.predicate.value, str(q.object)) not in stated})
    return EntityView(node.value, label_of(store, node.value, "en"), label_of(store, node.value, "zh"), types, sources, derived)


def texts(sources_dir: Path | str) -> dict[str, Path]:
    """SHA-256 → file, for the files directly in a folder (the user's copies of the sources)."""
    d = Path(sources_dir)
    if not d.is_dir():
        raise InputError("not a folder", path=d, fix="give the folder that holds your copies of the source texts")
    out = {}
    for f in sorted(d.iterdir()):
        if f.is_file():
            out[hashlib.sha256(f.read_bytes()).hexdigest()] = f
    return out


def passage(path: Path, start: int, end: int, limit: int = QUOTE_MAX) -> str:
    """Characters start..end (Unicode code points, end exclusive) of a text file, on one line."""
    text = path.read_text(encoding="utf-8")[start:end]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return t.value[len(PID):] if t.value.startswith(PID) else short_iri(t.value)
    return t.value if isinstance(t, ox.Literal) else str(t)


def render(view: EntityView, store: ox.Store, sources_dir: Path | str | None = None) -> str:
    """The view as text lines, quoting passages when the source texts are given."""
    files = texts(sources_dir) if sources_dir else {}
    key = view.iri[len(PID):] if view.iri.startswith(PID) else view.iri
    out = [f"{key}  {view.label_en}" + (f" / {view.label_zh}" if view.label_zh else ""),
           "  types: " + (", ".join(short_iri(t) for t in view.types) or "(none)")]
    if not view.sources:
        out.append("  no source states anything about it (it comes from the vocabularies or the ontology)")
    for sv in view.sources:
        src_key = sv.source[len(PID):] if sv.source.startswith(PID) else sv.source
        sha = next((c.sha256 for c in sv.claims if c.sha256), None)
        have = files.get(sha) if sha else None
        where = f"; text: {have.name}" if have else ("; text not found in the folder" if files else "")
        text_note = f"sha256 {sha[:12]}…{where}" if sha else "no text: the claims carry no passages"
        out += ["", f"{src_key} — {sv.label} ({text_note})"]
        for c in sv.claims:
            pred = short_iri(c.predicate)
            if c.incoming:
                line = f"  ← {_term(ox.NamedNode(c.subject))} {pred}"
            else:
                val = _term(c.obj)
                lab = label_of(store, c.obj.value, "en") if isinstance(c.obj, ox.NamedNode) else ""
                line = f"  {pred} {val}" + (f" ({lab})" if lab else "")
            if c.spans:
                line += "  [" + ", ".join(f"{a}-{b}" for a, b in c.spans) + "]"
            if c.status != "Accepted":
                by = ", ".join(_term(ox.NamedNode(x)) for x in c.contradicted_by)
                line += f"  CONTRADICTED by {by}"
            if c.inferred:
                line += "  INFERRED"
            out.append(line)
            if c.note:
                out.append(f"      note: {c.note}")
            if c.inferred and c.inferred != "yes":
                out.append(f"      reason: {c.inferred}")
            if have:
                for a, b in c.spans:
                    out.append(f"      “{passage(have, a, b)}”")
    if view.derived:
        out += ["", "derived by the reasoner (no source states these directly):"]
        out += [f"  {short_iri(p)} {_term(ox.NamedNode(o)) if o.startswith('http') else o}" for p, o in view.derived]
    return "\n".join(out) + "\n"
