"""SPARQL results as text: the SPARQL 1.1 JSON, CSV and TSV formats, Markdown and a terminal table.

A `Result` holds the variables and rows of a SELECT (or the boolean of an ASK, or the triples of a
CONSTRUCT/DESCRIBE) as pyoxigraph terms. It formats itself; it never prints. In Jupyter it shows
as an HTML table.
"""

from __future__ import annotations

import csv
import html
import io
import json
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.model.namespaces import PREFIXES, XSD

FORMATS = ("table", "csv", "tsv", "json", "md")
GRAPH_FORMATS = ("table", "csv", "tsv", "md", "nt", "ttl")
XSD_STRING = XSD + "string"
MAX_CELL = 60           # terminal table: longest cell, in display columns


@dataclass
class Result:
    """The answer to one query: `variables` and `rows` (SELECT), `boolean` (ASK) or `triples`."""

    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)     # tuples of ox terms or None, one per variable
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    total: int | None = None        # rows of the whole answer when `rows` is one page of it
    offset: int = 0                 # rows of the answer skipped before `rows`

    # -------------------------------------------------------------- Python access

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.dicts())

    def __getitem__(self, i):
        return self.dicts()[i]

    def dicts(self) -> list[dict]:
        """Rows as {variable: pyoxigraph term or None}."""
        return [dict(zip(self.variables, row)) for row in self.rows]

    def values(self) -> list[dict]:
        """Rows as {variable: plain Python value}: IRIs and strings as str, numbers as int/float,
        dates as str (ISO), booleans as bool, unbound as None."""
        return [{v: python_value(t) for v, t in zip(self.variables, row)} for row in self.rows]

    def column(self, variable: str) -> list:
        """The plain values of one column."""
        i = self.variables.index(variable)
        return [python_value(row[i]) for row in self.rows]

    def to_pandas(self):
        """The rows as a pandas DataFrame of plain values (one column per variable).

        Needs pandas (`pip install 'policykg[pandas]'`); ASK and CONSTRUCT results have no rows to turn.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ModuleNotFoundError("to_pandas() needs pandas, an optional dependency: "
                                      "pip install 'policykg[pandas]' (or pip install pandas)", name="pandas") from None
        if self.boolean is not None:
            raise ValueError("an ASK result has no rows: use .boolean")
        return pd.DataFrame(self.values(), columns=self.variables)

    def _repr_html_(self) -> str:
        return to_html(self)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"Result(boolean={self.boolean})"
        return f"Result({len(self.rows)} rows: {', '.join(self.variables)})"

    def format(self, fmt: str = "table") -> str:
        return format_result(self, fmt)

    def page_note(self) -> str | None:
        """'rows 21–40 of 1,234' for a page of an answer, else None."""
        if self.total is None:
            return None
        if not self.rows:
            return f"no rows from row {self.offset + 1:,} on: the answer has {self.total:,}"
        return f"rows {self.offset + 1:,}–{self.offset + len(self.rows):,} of {self.total:,}"

def from_pyoxigraph(answer, hide=lambda name: False, limits=None, limit: int | None = None,
                    offset: int = 0) -> Result:
    """Drain a pyoxigraph query answer into a Result; `hide(name)` drops columns (parameters);
    past `limits.max_rows` rows held (a bounds.Limits) it raises the row-cap error.

    With `limit` or `offset`, only the rows from `offset` on, at most `limit` of them, are kept
    (memory for one page, under the row cap), and `total` counts the rows of the whole answer."""
    from policykg.query.bounds import capped
    if isinstance(answer, ox.QueryBoolean):
        return Result(boolean=bool(answer))
    paged = limit is not None or offset > 0
    stop = None if limit is None else offset + limit
    if isinstance(answer, ox.QueryTriples):
        if not paged:
            triples, total = list(capped(answer, limits)), None
        else:
            triples, total = _window(answer, offset, stop, limits)
        return Result(["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in triples],
                      triples=triples, total=total, offset=offset)
    names = [v.value for v in answer.variables]
    keep = [i for i, n in enumerate(names) if not hide(n)]
    if not paged:
        sols, total = capped(answer, limits), None
    else:
        sols, total = _window(answer, offset, stop, limits)
    rows = [tuple(sol[i] for i in keep) for sol in sols]
    return Result([names[i] for i in keep], rows, total=total, offset=offset)


def _window(items, start: int, stop: int | None, limits) -> tuple[list, int]:
    """The items from `start` to `stop` (at most the row cap of `limits`) and the number of all items."""
    from policykg.query.bounds import rows_error
    cap = limits.max_rows if limits else None
    kept, n = [], 0
    for item in items:
        if start <= n and (stop is None or n < stop):
            if cap is not None and len(kept) >= cap:
                raise rows_error(limits)
            kept.append(item)
        n += 1
    return kept, n


# ------------------------------------------------------------------------------------ terms

def python_value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "positiveInteger",
                      XSD + "nonNegativeInteger", XSD + "short"):
                return int(term.value)
            if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
                return float(term.value)
            if dt == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            pass
        return term.value
    return term.value


def short_iri(iri: str) -> str:
    """pid:sector/automobiles for a PolicyKG IRI; the full IRI when no prefix fits."""
    best = ""
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, p
    if best:
        local = iri[len(best):]
        return f"{name}:{local}"
    return iri


def display(term) -> str:
    """How a term reads in a table: literals as their text, IRIs shortened."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "integer":
        return term.value
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# ------------------------------------------------------------------------------------ formats

def to_json(r: Result, indent: int | None = 2) -> str:
    """SPARQL 1.1 Query Results JSON Format; `indent=None`: on one line, written by the json
    module's C encoder (which it uses only without indentation): 4-5 times faster, and about half
    the bytes, for the endpoint."""
    if r.boolean is not None:
        doc = {"head": {}, "boolean": r.boolean}
    else:
        bindings = [{v: _json_term(t) for v, t in zip(r.variables, row) if t is not None} for row in r.rows]
        doc = {"head": {"vars": r.variables}, "results": {"bindings": bindings}}
    if indent is None:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(doc, ensure_ascii=False, indent=indent) + "\n"


def to_csv(r: Result) -> str:
    """SPARQL 1.1 Query Results CSV Format (CRLF line ends)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if r.boolean is not None:
        w.writerow(["boolean"])
        w.writerow(["true" if r.boolean else "false"])
        return buf.getvalue()
    w.writerow(r.variables)
    for row in r.rows:
        w.writerow([_csv_term(t) for t in row])
    return buf.getvalue()


def to_tsv(r: Result) -> str:
    """SPARQL 1.1 Query Results TSV Format (terms in N-Triples/Turtle syntax)."""
    if r.boolean is not None:
        return "?boolean\n" + ("true" if r.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in r.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in r.rows]
    return "\n".join(lines) + "\n"


def to_markdown(r: Result) -> str:
    if r.boolean is not None:
        return f"| boolean |\n|---|\n| {str(r.boolean).lower()} |\n"

    def cell(t):
        return display(t).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(r.variables) + " |", "|" + "---|" * len(r.variables)]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in r.rows]
    return "\n".join(lines) + "\n"


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and fullwidth characters take two columns."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _clip(text: str, limit: int) -> str:
    text = text.replace("\n", " ").replace("\t", " ")
    if width(text) <= limit:
        return text
    out, w = [], 0
    for ch in text:
        cw = width(ch)
        if w + cw > limit - 1:
            break
        out.append(ch)
        w += cw
    return "".join(out) + "…"


def _pad(text: str, n: int) -> str:
    return text + " " * (n - width(text))


def to_table(r: Result, max_cell: int = MAX_CELL) -> str:
    """A plain-text table for a terminal, columns aligned by display width (CJK = 2 columns)."""
    if r.boolean is not None:
        return ("true" if r.boolean else "false") + "\n"
    cells = [[_clip(display(t), max_cell) for t in row] for row in r.rows]
    widths = [width(v) for v in r.variables]
    for row in cells:
        widths = [max(a, width(c)) for a, c in zip(widths, row)]
    lines = ["  ".join(_pad(v, n) for v, n in zip(r.variables, widths)).rstrip(),
             "  ".join("─" * n for n in widths)]
    lines += ["  ".join(_pad(c, n) for c, n in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(r.rows)} row{'s' if len(r.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def to_html(r: Result) -> str:
    if r.boolean is not None:
        return f"<p>{str(r.boolean).lower()}</p>"
    head = "".join(f"<th>{html.escape(v)}</th>" for v in r.variables)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(display(t))}</td>" for t in row) + "</tr>" for row in r.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{len(r.rows)} rows</p>"


def format_result(r: Result, fmt: str = "table") -> str:
    if r.triples is not None and fmt in ("nt", "ttl"):
        rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE
        prefixes = PREFIXES if fmt == "ttl" else None
        return ox.serialize(r.triples, format=rdf_format, **({"prefixes": prefixes} if prefixes else {})).decode()
    writers = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json, "md": to_markdown}
    if fmt not in writers or (r.triples is not None and fmt == "json"):
        from policykg.errors import InputError
        choices = GRAPH_FORMATS if r.triples is not None else FORMATS
        raise InputError(f"format '{fmt}' does not fit this result", fix=f"use one of: {', '.join(choices)}")
    return writers[fmt](r)
