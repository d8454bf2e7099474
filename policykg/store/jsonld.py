"""Compact JSON-LD of the built dataset, with a published context.

`write_dataset()` writes kg.jsonld, one object per named graph (as kg.trig holds them): each
source's graph from the text `fragment()` made of it once, in the per-source stage of the build
(cached beside its N-Quads), the other graphs streamed node by node (see its bound); `compact()`
compacts pyoxigraph's expanded JSON-LD of a few statements (the entity documents of `serve`). Both
use the prefix-only context `context.jsonld` (the prefixes of the Turtle files): IRIs become
`pid:...`/`pkg:...` compact IRIs, `rdf:type` becomes `@type`, plain strings lose their value
object and single values their array. With prefix definitions only, that is exactly JSON-LD 1.1
compaction with `compactArrays`; the tests expand the result with pyld and compare the quads.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from itertools import groupby
from json.encoder import encode_basestring as _enc
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import PREFIXES, RDF

CONTEXT_FILE = "context.jsonld"
_XSD_STRING = PREFIXES["xsd"] + "string"
_TYPE = RDF + "type"
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


GRAPH_INDENT = "  "                    # where a named graph's object sits in kg.jsonld (indent=1)
_NODE_INDENT = GRAPH_INDENT + "  "
_SEP = ",\n" + GRAPH_INDENT


def write_dataset(out: Path, parts) -> dict[str, Path]:
    """kg.jsonld, the dataset as compact JSON-LD, and context.jsonld (the context alone).

    The document is `{"@context": ..., "@graph": [G, ...]}` with one object G =
    `{"@id": GRAPH, "@graph": [NODE, ...]}` per named graph, laid out as `json.dumps(doc,
    ensure_ascii=False, indent=1)` lays it out. `parts` come in the order they are written, each
    either graph objects' text (`fragment`; a `Path` to a file of it, or a `str`) or an iterable of
    quads whose runs of the same graph and subject become the graph objects and nodes (a store's
    index order, and N-Quads written in it, group them). Memory: the largest text part, or one node
    of a streamed one. Written to a temporary file that replaces kg.jsonld when complete."""
    path = out / "kg.jsonld"
    tmp = path.with_name(f".{path.name}.tmp")
    head = json.dumps({**context(), "@graph": []}, ensure_ascii=False, indent=1)
    cut = head.rindex("[]")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            n = 0

            def sep() -> None:
                fh.write((head[:cut + 1] + "\n" + GRAPH_INDENT) if n == 0 else _SEP)

            for part in parts:
                if isinstance(part, (Path, str)):
                    text = part.read_text(encoding="utf-8") if isinstance(part, Path) else part
                    if text:
                        sep()
                        fh.write(text)
                        n += 1
                    continue
                for graph, quads in groupby(part, key=lambda q: q.graph_name):
                    sep()
                    _write_graph(fh, graph, quads)
                    n += 1
            fh.write(head[cut:] + "\n" if n == 0 else "\n " + head[cut + 1:] + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    (out / CONTEXT_FILE).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    return {"jsonld": path, "context": out / CONTEXT_FILE}


def fragment(quads) -> str:
    """The graph objects of `quads` (one source's graph, in any order) as `write_dataset` writes
    them: graphs by name, nodes by `@id`, joined by the document's separator. Memory: the quads."""
    graphs: dict = {}
    for q in quads:
        graphs.setdefault(q.graph_name, {}).setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    out = []
    for g in sorted(graphs, key=lambda g: _ref(_named(g))):
        nodes = graphs[g]
        out.append(_graph_head(g) + "".join(_node_text(i, s, nodes[s]) for i, s in enumerate(sorted(nodes, key=_ref)))
                   + _graph_tail(len(nodes)))
    return _SEP.join(out)


def _write_graph(fh, graph, quads) -> None:
    """One graph object, streamed: a node per run of quads with the same subject."""
    fh.write(_graph_head(_named(graph)))
    n = 0
    for subject, run in groupby(quads, key=lambda q: q.subject):
        props: dict = {}
        for q in run:
            props.setdefault(q.predicate.value, []).append(q.object)
        fh.write(_node_text(n, subject, props))
        n += 1
    fh.write(_graph_tail(n))


def _named(graph):
    if not isinstance(graph, (ox.NamedNode, ox.BlankNode)):
        raise ValueError("kg.jsonld holds named graphs only: a quad of the default graph was given")
    return graph


def _graph_head(graph) -> str:
    return "{\n" + GRAPH_INDENT + " " + _enc("@id") + ": " + _enc(_ref(graph)) + ",\n" + GRAPH_INDENT + " " + _enc("@graph") + ": ["


def _node_text(i: int, subject, props: dict) -> str:
    return ("\n" if i == 0 else ",\n") + _NODE_INDENT + _node_json(subject, props, _NODE_INDENT)


def _graph_tail(nodes: int) -> str:
    return ("]" if nodes == 0 else "\n" + GRAPH_INDENT + " ]") + "\n" + GRAPH_INDENT + "}"


def _node_json(subject, props: dict, ind: str) -> str:
    """One node, as `json.dumps(node, ensure_ascii=False, indent=1)` writes it indented by `ind`:
    `@id`, `@type`, then the properties by compact name, values sorted, each a single value or a
    list (json's indenting encoder is pure Python; this joins the text with its C string encoder)."""
    inner = ind + " "
    sub = inner + " "
    out = [inner + '"@id": ' + _enc(_ref(subject))]
    types = props.pop(_TYPE, None)
    if types is not None:
        if all(not isinstance(o, ox.Literal) for o in types):
            got = sorted(_ref(o) for o in types)
            out.append(inner + '"@type": ' + (_enc(got[0]) if len(got) == 1 else
                                              "[\n" + ",\n".join(sub + _enc(t) for t in got) + "\n" + inner + "]"))
        else:
            props[_TYPE] = types
    for key, objs in sorted((_iri(p), objs) for p, objs in props.items()):
        if len(objs) == 1:
            out.append(inner + _enc(key) + ": " + _value_json(objs[0], inner))
        else:
            out.append(inner + _enc(key) + ": [\n" + ",\n".join(sub + _value_json(o, sub) for o in sorted(objs, key=_order))
                       + "\n" + inner + "]")
    return "{\n" + ",\n".join(out) + "\n" + ind + "}"


def _value_json(o, ind: str) -> str:
    """A value as compaction with `context()` leaves it (see `_value`), as json.dumps writes it."""
    if not isinstance(o, ox.Literal):
        return "{\n" + ind + ' "@id": ' + _enc(_ref(o)) + "\n" + ind + "}"
    if o.language:
        return "{\n" + ind + ' "@language": ' + _enc(o.language) + ",\n" + ind + ' "@value": ' + _enc(o.value) + "\n" + ind + "}"
    dt = o.datatype.value
    if dt == _XSD_STRING:
        return _enc(o.value)
    return "{\n" + ind + ' "@value": ' + _enc(o.value) + ",\n" + ind + ' "@type": ' + _enc(_iri(dt)) + "\n" + ind + "}"


def _ref(term) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else _iri(term.value)


def _order(o):
    if isinstance(o, ox.Literal):
        return (2, o.value, o.language or "", o.datatype.value)
    return (0 if isinstance(o, ox.NamedNode) else 1, o.value, "", "")
