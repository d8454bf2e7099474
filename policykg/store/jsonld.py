"""Compact JSON-LD of the built graph, with a published context.

pyoxigraph writes expanded JSON-LD (sorted, deterministic); `compact()` compacts it with the
prefix-only context `context.jsonld` (the prefixes of the Turtle files): IRIs become
`pid:...`/`pkg:...` compact IRIs, `rdf:type` becomes `@type`, plain strings lose their value
object and single values their array. With prefix definitions only, that is exactly JSON-LD 1.1
compaction with `compactArrays`; the tests expand the result with pyld and compare the triples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import PREFIXES, RDF
from policykg.store.dumps import canonical

CONTEXT_FILE = "context.jsonld"
_ORDER = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))       # longest namespace first


def context() -> dict:
    """The JSON-LD context of the dumps: the PolicyKG prefixes."""
    return {"@context": dict(PREFIXES)}


def _iri(iri: str) -> str:
    for prefix, ns in _ORDER:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _value(v: dict):
    if "@id" in v:
        return {"@id": v["@id"] if v["@id"].startswith("_:") else _iri(v["@id"])}
    if "@type" in v:
        return {"@value": v["@value"], "@type": _iri(v["@type"])}
    if set(v) == {"@value"} and isinstance(v["@value"], str):
        return v["@value"]                                  # a plain string compacts to itself
    return v


def compact(expanded: list) -> dict:
    """Expanded, flattened JSON-LD (a list of node objects) compacted with `context()`."""
    nodes = []
    for node in expanded:
        out = {}
        for key, vals in node.items():
            if key == "@id":
                out["@id"] = vals if vals.startswith("_:") else _iri(vals)
            elif key == "@type" or key == RDF + "type" and all("@id" in v for v in vals):
                types = vals if key == "@type" else [v["@id"] for v in vals]
                got = [t if t.startswith("_:") else _iri(t) for t in types]
                out["@type"] = got[0] if len(got) == 1 else got
            else:
                got = [_value(v) for v in vals]
                out[_iri(key)] = got[0] if len(got) == 1 else got
        nodes.append(out)
    return {**context(), "@graph": nodes}


def write(store: ox.Store, out: Path, triples=None) -> dict[str, Path]:
    """kg.jsonld (compact, with the context inline) and context.jsonld (the context alone)."""
    if triples is None:                                  # the union, each triple once, sorted: same bytes every time
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in canonical(store)},
                         key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    (out / "kg.jsonld").write_text(json.dumps(compact(expanded), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / CONTEXT_FILE).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    return {"jsonld": out / "kg.jsonld", "context": out / CONTEXT_FILE}
