"""The rows of the `links` table, read for all links at once.

Links are most of the entities of a large graph (131,000 of 160,000 at 1,000 policies), so their
table is not read link by link (a store lookup per link and per value, about 3.7 ms a link): one
aggregate query gives, for every link, its stated type, ends, score, explanation and shared
entities and the English labels of its ends, each with the number of distinct values. A link
whose values are not single (two types, two English labels of an end, ...) is read by
`tables.link_row`, link by link, as before, so every row is what that function gives.

Bound: the query's groups (oxigraph holds one per link while it aggregates: about a kilobyte a
link), then the rows are sorted by key through `policykg.export.sort` (`sort.RUN` rows in memory).
"""

from __future__ import annotations

from policykg.export import sort
from policykg.export.facts import ENTITY, SEP, Facts
from policykg.model.namespaces import INFERRED_GRAPH, PKG, RDFS, SKOS
from policykg.query.index import printed


def _stated(var: str, prop: str, test: str, inner: str = "") -> str:
    """An OPTIONAL value of the link, from a named graph other than `inferred` (what `Facts.of` reads)."""
    return (f"OPTIONAL {{ GRAPH ?g_{var} {{ ?e <{PKG}{prop}> ?{var} }} "
            f"FILTER(?g_{var} != <{INFERRED_GRAPH}> && {test}(?{var})) {inner} }}")


def _label(end: str, var: str) -> str:
    """The English labels of an end (what `Facts.label` reads), none when the end is a claim or evidence."""
    return (f"OPTIONAL {{ ?{end} <{RDFS}label>|<{SKOS}prefLabel> ?{var} FILTER(isLiteral(?{var}) && LANG(?{var}) = \"en\") "
            f"FILTER NOT EXISTS {{ ?{end} a <{PKG}Claim> }} FILTER NOT EXISTS {{ ?{end} a <{PKG}Evidence> }} }}")


_ONE = ("t", "a", "b", "sc", "x", "al", "bl")       # single-valued in the common case: counted
QUERY = f"""SELECT ?e {" ".join(f"(SAMPLE(?{v}) AS ?{v}_) (COUNT(DISTINCT ?{v}) AS ?n_{v})" for v in _ONE)}
       (GROUP_CONCAT(DISTINCT STR(?sh); separator=" ") AS ?shared) WHERE {{
  ?e a <{PKG}Link> {ENTITY}
  {_stated("t", "linkType", "isIRI")}
  {_stated("a", "linkFrom", "isIRI", _label("a", "al"))} {_stated("b", "linkTo", "isIRI", _label("b", "bl"))}
  {_stated("sc", "score", "isLiteral")} {_stated("x", "explanation", "isLiteral")} {_stated("sh", "sharedEntity", "isIRI")}
}} GROUP BY ?e"""


def rows(f: Facts, one_by_one):
    """One row per link, sorted by key; `one_by_one(f, iri)` reads the links whose values are not single."""
    def unsorted():
        for r in f.store.query(QUERY, **f.union):
            iri = r["e"].value
            n = {v: int(r[f"n_{v}"].value) for v in _ONE}
            a, b = r["a_"], r["b_"]
            if any(n[v] > 1 for v in _ONE) or (a is not None and n["al"] != 1) or (b is not None and n["bl"] != 1):
                yield iri, one_by_one(f, iri)
                continue
            score, shared = r["sc_"], r["shared"]
            yield iri, {
                "id": printed(iri), "type": printed(r["t_"].value) if r["t_"] is not None else "",
                "from": printed(a.value) if a is not None else "", "from_en": r["al_"].value if a is not None else "",
                "to": printed(b.value) if b is not None else "", "to_en": r["bl_"].value if b is not None else "",
                "score": _number(score.value) if score is not None else None,
                "shared": SEP.join(printed(s) for s in sorted(set(shared.value.split()))) if shared is not None else "",
                "explanation": r["x_"].value if r["x_"] is not None else ""}
    for _, row in sort.sort(unsorted(), key=lambda kv: kv[0]):
        yield row


def _number(v: str):
    try:
        return float(v) if v else None
    except ValueError:
        return None
