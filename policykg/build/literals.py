"""Typed values in the form the store keeps them.

oxigraph stores a typed literal it can parse in its own encoding and gives it back in canonical
form: every type derived from xsd:integer becomes xsd:integer without leading zeros or '+'
("007"^^xsd:nonNegativeInteger is "7"^^xsd:integer), a decimal loses its trailing zeros ("5.0" is
"5", "-0.0" is "0"), a boolean "1" is "true". A value it cannot parse (out of its range, other
digits than ASCII) is kept as written. The build writes each source's graph to the dumps from its
cached N-Quads, so these must say what a query of the store sees.

`stored` applies those rules to the forms it is sure of and returns None for any other, which
`as_stored` then learns from a small in-memory store (as it did for every typed value before);
tests/test_build_units.py compares the rules with the store on every typed value of the real and
of a synthetic corpus, and on the edge cases of each rule.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg.model.namespaces import RDF, XSD

INTEGER = XSD + "integer"
_INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                                "unsignedShort", "unsignedByte")}
_UNCHANGED = {XSD + "string", RDF + "langString", XSD + "hexBinary"}
_INT_RE = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)             # 18 digits: within oxigraph's 64 bits
_DECIMAL_RE = re.compile(r"([+-]?)([0-9]{1,18})(?:\.([0-9]{1,18}))?", re.ASCII)   # within its 128-bit fixed point
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)  # canonical when valid, kept as written when not
_BOOLEAN = {"true": "true", "false": "false", "1": "true", "0": "false"}


def stored(value: str, datatype: str) -> tuple[str, str] | None:
    """(value, datatype) as the store gives back "value"^^datatype, or None where these rules do
    not decide."""
    if datatype in _UNCHANGED:
        return value, datatype
    if datatype in _INTEGERS:
        return (str(int(value)), INTEGER) if _INT_RE.fullmatch(value) else None
    if datatype == XSD + "decimal":
        m = _DECIMAL_RE.fullmatch(value)
        if not m:
            return None
        whole, fraction = m[2].lstrip("0") or "0", (m[3] or "").rstrip("0")
        sign = "-" if m[1] == "-" and (whole != "0" or fraction) else ""
        return sign + whole + ("." + fraction if fraction else ""), datatype
    if datatype == XSD + "date":
        return (value, datatype) if _DATE_RE.fullmatch(value) else None
    if datatype == XSD + "boolean":
        return (_BOOLEAN[value], datatype) if value in _BOOLEAN else None
    return None


def as_stored(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with their typed literals in the store's form (see `stored`)."""
    out, unsure = [], {}
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and not o.language:
            dt = o.datatype.value
            if dt not in _UNCHANGED:
                form = stored(o.value, dt)
                if form is None:
                    unsure[o] = None
                elif form != (o.value, dt):
                    q = ox.Quad(q.subject, q.predicate, ox.Literal(form[0], datatype=ox.NamedNode(form[1])), q.graph_name)
        out.append(q)
    if not unsure:
        return out
    found = probe(list(unsure))
    return [q if q.object not in found else ox.Quad(q.subject, q.predicate, found[q.object], q.graph_name) for q in out]


def probe(literals: list[ox.Literal]) -> dict:
    """Each literal as a small in-memory store gives it back."""
    store = ox.Store()
    p = ox.NamedNode("urn:x-policykg:value")
    store.extend(ox.Quad(ox.NamedNode(f"urn:x-policykg:{i}"), p, lit) for i, lit in enumerate(literals))
    return {literals[int(q.subject.value.rsplit(":", 1)[1])]: q.object for q in store}
