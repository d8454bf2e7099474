"""Compact JSON-LD of the built graph, with a published context.

`write()` streams kg.jsonld node by node from the store (see its bound); `compact()` compacts
pyoxigraph's expanded JSON-LD of a few statements (the entity documents of `serve`). Both use the
prefix-only context `context.jsonld` (the prefixes of the Turtle files): IRIs become
`pid:...`/`pkg:...` compact IRIs, `rdf:type` becomes `@type`, plain strings lose their value
object and single values their array. With prefix definitions only, that is exactly JSON-LD 1.1
compaction with `compactArrays`; the tests expand the result with pyld and compare the triples.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
from functools import lru_cache
from json.encoder import encode_basestring as _enc
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import PREFIXES, RDF
from policykg.store import union

CONTEXT_FILE = "context.jsonld"
_XSD_STRING = PREFIXES["xsd"] + "string"
_ORDER = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))       # longest namespace first


def context() -> dict:
    """The JSON-LD context of the dumps: the PolicyKG prefixes."""
    return {"@context": dict(PREFIXES)}


@lru_cache(maxsize=1 << 16)
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
    """kg.jsonld (compact, with the context inline) and context.jsonld (the context alone).

    Written by streaming, one node at a time: the triples come from the store's default graph when
    it holds the union of the graphs (a built store does), in the store's index order, which groups
    them by subject and depends only on the content; a store without the union is first copied,
    each triple once, into a temporary on-disk store's default graph. `triples`, when given, must
    come grouped by subject (each subject's triples together). Memory: one node's triples."""
    path = out / "kg.jsonld"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tempfile.TemporaryDirectory(dir=out, prefix=".jsonld-") as scratch:
            with open(tmp, "w", encoding="utf-8") as fh:
                write_nodes(fh, triples if triples is not None else _union(store, scratch))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    (out / CONTEXT_FILE).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    return {"jsonld": path, "context": out / CONTEXT_FILE}


def _union(store: ox.Store, scratch: str):
    """The union of the store's graphs, each triple once, grouped by subject (see `write`)."""
    if union.has_union(store):
        yield from store.quads_for_pattern(None, None, None, union.DEFAULT)
        return
    disk = ox.Store(scratch)
    try:
        disk.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, union.DEFAULT) for q in store)
        yield from disk.quads_for_pattern(None, None, None, union.DEFAULT)
    finally:
        del disk
        gc.collect()                            # closes the temporary store before its folder goes


def write_nodes(fh, triples) -> int:
    """Write the compact JSON-LD document of `triples` (grouped by subject) to the text file `fh`,
    laid out as `json.dumps(doc, ensure_ascii=False, indent=1)` lays it out; returns the nodes."""
    head = json.dumps({**context(), "@graph": []}, ensure_ascii=False, indent=1)
    cut = head.rindex("[]")
    nodes = 0
    for node in _nodes(triples):
        fh.write((head[:cut + 1] + "\n  ") if nodes == 0 else ",\n  ")
        fh.write(_dumps(node, "  "))
        nodes += 1
    fh.write(head[cut:] + "\n" if nodes == 0 else "\n " + head[cut + 1:] + "\n")
    return nodes


def _dumps(v, ind: str) -> str:
    """`json.dumps(v, ensure_ascii=False, indent=1)` for a node (strings, flat dicts of strings, lists
    of those), indented by `ind`: json's indenting encoder is pure Python, this uses its C string encoder."""
    if isinstance(v, str):
        return _enc(v)
    inner = ind + " "
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(f"{inner}{_enc(k)}: {_dumps(x, inner)}" for k, x in v.items()) + "\n" + ind + "}"
    if not v:
        return "[]"
    return "[\n" + ",\n".join(inner + _dumps(x, inner) for x in v) + "\n" + ind + "]"


def _nodes(triples):
    """Compact node objects, one per run of triples with the same subject."""
    subject, props = None, {}
    for t in triples:
        if t.subject != subject:
            if subject is not None:
                yield _node(subject, props)
            subject, props = t.subject, {}
        props.setdefault(t.predicate.value, []).append(t.object)
    if subject is not None:
        yield _node(subject, props)


def _node(subject, props: dict) -> dict:
    """One node: `@id`, `@type`, then the properties by compact name, values sorted."""
    out = {"@id": _ref(subject)}
    types = props.pop(RDF + "type", None)
    if types is not None:
        if all(not isinstance(o, ox.Literal) for o in types):
            got = sorted(_ref(o) for o in types)
            out["@type"] = got[0] if len(got) == 1 else got
        else:
            props[RDF + "type"] = types
    for key, objs in sorted((_iri(p), objs) for p, objs in props.items()):
        got = [_term(o) for o in sorted(objs, key=_order)]
        out[key] = got[0] if len(got) == 1 else got
    return out


def _ref(term) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else _iri(term.value)


def _term(o):
    """A value as compaction with `context()` leaves it (see `_value`)."""
    if not isinstance(o, ox.Literal):
        return {"@id": _ref(o)}
    if o.language:
        return {"@language": o.language, "@value": o.value}
    if o.datatype.value == _XSD_STRING:
        return o.value
    return {"@value": o.value, "@type": _iri(o.datatype.value)}


def _order(o):
    if isinstance(o, ox.Literal):
        return (2, o.value, o.language or "", o.datatype.value)
    return (0 if isinstance(o, ox.NamedNode) else 1, o.value, "", "")
