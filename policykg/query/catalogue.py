"""The catalogue of named queries (queries/*.rq): headers, parameters, and the generated README.

A catalogue query is one file: a header of `#+ key: value` lines (title, description, topic, param,
returns, example, candidates), then a SPARQL SELECT whose parameters are variables named `?_name`.
`#+ candidates: VAR | equal|contain | PARAM` says that the query only answers about entities
with a name equal to (or containing) the parameter, ignoring case, and that its VALUES block with
?VAR UNDEF in every row may be given those entities from the name index (policykg.query.candidates).
`#+ page: keys` says that a page of its rows is read from its key part (policykg.query.keyed).
`#+ answer: stored` says that the build stores its answer (without parameters, or for each value of
its one required parameter), in answer order, and that a call with those values reads its rows
from there (policykg.query.stored); `#+ answer: stored | PARAM | SELECT ?value WHERE { … }` names
the values of a required literal parameter by a query. `#+ answer: spans | DATE` (or `| FROM TO`)
says that the build stores every row the query gives at any date once, with the span of dates it
belongs to (`queries/spans/NAME.rq` gives them), and that a call reads the rows whose span holds
the date (or meets the span FROM–TO).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg import inputs, paths
from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import PKG

MAX_QUERY_BYTES = 1_000_000      # a query file is read whole
PARAM_TYPES = ("iri", "label", "literal", "date", "integer")
HEADER_KEYS = ("title", "description", "topic", "param", "returns", "example", "candidates", "page", "answer")
MATCHES = ("equal", "contain")   # how a `candidates` header matches names to its parameter
PAGE_KINDS = ("keys",)        # `#+ page: keys`: a page is read from the key part (query.keyed)
ANSWER_KINDS = ("stored", "spans")    # the build stores the answer, or its rows with their spans (query.stored)
SPANS_DIR = "spans"           # beside the catalogue: NAME.rq gives the rows of NAME at every date with their spans
RESERVED = ("graph", "store", "build", "limits", "limit", "offset")   # keywords of run(); not parameter names
TOPICS = ("documents", "measures", "sectors", "instruments", "regions", "agencies-and-people",
          "enterprises", "targets-and-statistics", "provenance-and-conflicts", "links")


@dataclass(frozen=True)
class Param:
    name: str
    type: str                       # one of PARAM_TYPES
    required: bool
    example: str
    about: str = ""
    cls: str | None = None          # for iri: the class the entity must have (an IRI)

    def as_dict(self) -> dict:
        d = {"name": self.name, "type": self.type, "required": self.required, "example": self.example}
        if self.cls:
            d["class"] = self.cls
        if self.about:
            d["description"] = self.about
        return d


@dataclass(frozen=True)
class Candidates:
    """`#+ candidates: var | match | param`: the entities `?var` can be, found by name."""
    var: str                        # without the ?
    match: str                      # one of MATCHES
    param: str


def placeholder(text: str, var: str) -> tuple[int, int, list[str] | None] | None:
    """Where a query's candidates for `?var` go: its one VALUES block whose first variable is `?var`
    and whose every row has UNDEF there (a no-op as written): `VALUES ?var { UNDEF }`, or
    `VALUES (?var ?x …) { (UNDEF a …) (UNDEF b …) }`. (start, end, the rest of each row as written,
    or None for the one-variable form); None when the query has no such block or more than one."""
    code = _LEX.sub(lambda m: " " * len(m.group(0)), text)        # strings, IRIs, comments blanked
    block = rf"VALUES\s*(?:\?{var}\b|\(\s*\?{var}\b[^()]*\))\s*\{{([^{{}}]*)\}}"
    blocks = list(re.finditer(block, code, re.IGNORECASE))
    if len(blocks) != 1:
        return None
    m = blocks[0]
    body = m.group(1)
    if not m.group(0).split("{")[0].strip().endswith(")"):
        return (m.start(), m.end(), None) if body.strip().upper() == "UNDEF" else None
    rows = list(re.finditer(r"\(\s*UNDEF\b([^()]*)\)", body, re.IGNORECASE))
    if not rows or re.sub(r"\(\s*UNDEF\b([^()]*)\)", "", body, flags=re.IGNORECASE).strip():
        return None
    at = m.start(1)
    return m.start(), m.end(), [text[at + r.start(1):at + r.end(1)].strip() for r in rows]


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    topic: str
    params: list[Param]
    returns: list[str]
    example: str
    header_lines: int = 0
    candidates: Candidates | None = None
    page: str = ""                  # "keys": pages are read by query.keyed
    answer: str = ""                # "stored": the build stores the answer (query.stored)
    answer_values: str = ""         # the SELECT giving the values of a literal parameter to store answers for
    span_params: tuple[str, ...] = ()   # "spans": the date parameters a row's span must meet (one: a day; two: from, to)
    spans: str = ""                 # "spans": the text of spans/NAME.rq (every row with its span ?_lo ?_hi)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "params": [p.as_dict() for p in self.params]}


_CANDIDATES_RE = re.compile(r"^(?P<var>[A-Za-z][A-Za-z0-9_]*)\s*\|\s*(?P<match>[a-z]+)\s*\|"
                            r"\s*(?P<param>[A-Za-z][A-Za-z0-9_]*)$")
_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*\|\s*(?P<type>[a-z]+)(?::(?P<cls>[A-Za-z]+))?\s*\|"
                       r"\s*(?P<req>required|optional)\s*\|\s*(?P<example>[^|]*?)\s*(?:\|\s*(?P<about>.*))?$")


def parse(path: Path, text: str | None = None) -> NamedQuery:
    """Read one catalogue file; raises InputError naming the line of a bad header."""
    path = Path(path)
    text = inputs.read_text(path, MAX_QUERY_BYTES, "a query file") if text is None else text
    values: dict[str, list[str]] = {k: [] for k in HEADER_KEYS}
    params: list[Param] = []
    header_lines = 0
    candidates: tuple[Candidates, int] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        header_lines = lineno
        m = re.match(r"#\+\s*([a-z]+)\s*:\s*(.*)$", line)
        if not m or m.group(1) not in HEADER_KEYS:
            key = m.group(1) if m else line
            raise InputError(f"unknown header line '{line.strip()}'{did_you_mean(key, HEADER_KEYS)}", path=path,
                             line=lineno, fix="use '#+ key: value' with key one of " + ", ".join(HEADER_KEYS))
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            pm = _PARAM_RE.match(value)
            if not pm or pm.group("type") not in PARAM_TYPES:
                raise InputError(f"bad parameter line '{value}'", path=path, line=lineno,
                                 fix="write '#+ param: NAME | TYPE | required|optional | EXAMPLE | what it is' "
                                     "with TYPE one of " + ", ".join(PARAM_TYPES) + " (iri:Class to restrict)")
            if pm.group("name") in RESERVED:
                raise InputError(f"parameter name '{pm.group('name')}' is reserved", path=path, line=lineno,
                                 fix="rename it (reserved: " + ", ".join(RESERVED) + ")")
            cls = pm.group("cls")
            params.append(Param(pm.group("name"), pm.group("type"), pm.group("req") == "required",
                                pm.group("example"), (pm.group("about") or "").strip(),
                                PKG + cls if cls else None))
        elif key == "candidates":
            cm = _CANDIDATES_RE.match(value)
            if not cm or cm.group("match") not in MATCHES or candidates is not None:
                raise InputError(f"bad candidates line '{value}'", path=path, line=lineno,
                                 fix="write one '#+ candidates: VAR | equal|contain | PARAM'")
            candidates = Candidates(cm.group("var"), cm.group("match"), cm.group("param")), lineno
        else:
            values[key].append(value)
    name = path.stem
    for key in ("title", "description", "topic", "returns", "example"):
        if not values[key]:
            raise InputError(f"query '{name}' has no '#+ {key}:' header", path=path, line=1,
                             fix=f"add a '#+ {key}: ...' line at the top")
    page = values["page"][0] if values["page"] else ""
    if page and page not in PAGE_KINDS:
        raise InputError(f"unknown page kind '{page}'{did_you_mean(page, PAGE_KINDS)}", path=path,
                         line=_header_line(text, "page"), fix="write '#+ page: keys' (docs/queries.md) or drop the line")
    answer, _, answer_values = (values["answer"][0] if values["answer"] else "").partition("|")
    answer, answer_values = answer.strip(), answer_values.strip()
    if answer and answer not in ANSWER_KINDS:
        raise InputError(f"unknown answer kind '{answer}'{did_you_mean(answer, ANSWER_KINDS)}", path=path,
                         line=_header_line(text, "answer"),
                         fix="write '#+ answer: stored' (docs/queries.md) or drop the line")
    required = [p for p in params if p.required]
    span_params, spans = (), ""
    if answer == "spans":
        span_params, spans = _spans(answer_values, required, path, _header_line(text, "answer"))
        answer_values = ""
    elif answer_values:
        answer_values = _answer_values(answer_values, required, path, _header_line(text, "answer"))
    elif answer and (len(required) > 1 or required and (required[0].type != "iri" or not required[0].cls)):
        raise InputError("a stored answer is kept for every value of one required parameter naming an entity of a "
                         "class, and this query has " + ", ".join(f"'{p.name}' ({p.type})" for p in required),
                         path=path, line=_header_line(text, "answer"),
                         fix="drop the '#+ answer: stored' line, or give the query one required parameter "
                             "of type iri:Class")
    topic = values["topic"][0]
    if topic not in TOPICS:
        raise InputError(f"unknown topic '{topic}'{did_you_mean(topic, TOPICS)}", path=path,
                         fix="use one of " + ", ".join(TOPICS))
    returns = [c.strip() for c in ",".join(values["returns"]).split(",") if c.strip()]
    if candidates is not None:
        _check_candidates(*candidates, params, text, path)
    return NamedQuery(name, path, text, values["title"][0], " ".join(values["description"]), topic,
                      params, returns, values["example"][0], header_lines,
                      candidates[0] if candidates else None, page, answer, answer_values, span_params, spans)


def _answer_values(value: str, required: list[Param], path: Path, line: int) -> str:
    """The SELECT of `#+ answer: stored | PARAM | SELECT ?value WHERE { … }`, checked."""
    name, _, select = value.partition("|")
    name, select = name.strip(), select.strip()
    fix = "write '#+ answer: stored | PARAM | SELECT ?value WHERE { … }' naming the one required literal parameter"
    if [p.name for p in required] != [name] or required[0].type not in ("literal", "label"):
        raise InputError(f"the values of stored answers are for '{name}', not the query's one required literal "
                         "parameter", path=path, line=line, fix=fix)
    if not re.match(r"SELECT\s+(DISTINCT\s+)?\?value\s+WHERE\s*\{", select, re.IGNORECASE):
        raise InputError("the values of stored answers are not a 'SELECT ?value WHERE { … }'", path=path, line=line,
                         fix=fix)
    return select


def _spans(value: str, required: list[Param], path: Path, line: int) -> tuple[tuple[str, ...], str]:
    """The date parameters and the text of `#+ answer: spans | DATE` (or `| FROM TO`), checked."""
    names = tuple(value.split())
    dates = [p.name for p in required if p.type == "date"]
    if not 1 <= len(names) <= 2 or set(names) != set(dates) or len(required) != len(dates):
        raise InputError(f"the spans of stored rows are met by '{value}', not by the query's required date "
                         "parameters (" + ", ".join(dates or ["none"]) + "), or the query has others",
                         path=path, line=line, fix="write '#+ answer: spans | DAY' or '#+ answer: spans | FROM TO' "
                                                   "naming the query's only required parameters, of type date")
    spans = path.parent / SPANS_DIR / path.name
    if not spans.is_file():
        raise InputError(f"the query's rows with their spans are not in {spans}", path=path, line=line,
                         fix=f"write {spans}: the query without its date filters, its columns then ?_lo ?_hi "
                             "(docs/queries.md), or drop the '#+ answer' line")
    text = inputs.read_text(spans, MAX_QUERY_BYTES, "a query file")
    try:                                            # parsed now, so that a build does not stop on it
        ox.Store().query(text)
    except SyntaxError as e:
        at = re.match(r"error at (\d+):", str(e))
        raise InputError(f"the query's rows with their spans do not parse: {' '.join(str(e).split())}", path=spans,
                         line=int(at[1]) if at else None, fix="mend the SPARQL of that file (docs/queries.md)") from None
    return names, text


def _header_line(text: str, key: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if re.match(r"#\+\s*" + key + r"\s*:", ln))


def _check_candidates(c: Candidates, lineno: int, params: list[Param], text: str, path: Path) -> None:
    p = next((p for p in params if p.name == c.param), None)
    if p is None or p.type not in ("label", "literal") or not p.required:
        raise InputError(f"the candidates header names '{c.param}', not a required label parameter", path=path,
                         line=lineno, fix="name a '#+ param: NAME | label | required | ...' of the query")
    if placeholder(text, c.var) is None:
        raise InputError(f"the query has no single VALUES block with ?{c.var} UNDEF in every row for its candidates",
                         path=path, line=lineno, fix=f"write 'VALUES ?{c.var} {{ UNDEF }}' or 'VALUES (?{c.var} ?x) "
                         f"{{ (UNDEF a) (UNDEF b) }}' where the entities are first read")


@lru_cache(maxsize=4)
def _catalogue(queries_dir: str, stamp: tuple) -> dict[str, NamedQuery]:
    return {q.name: q for q in (parse(p) for p in sorted(Path(queries_dir).glob("*.rq")))}


_RECHECK_S = 1.0            # how long a read of the catalogue is trusted before its files are looked at again
_stamps: dict[str, tuple[float, tuple]] = {}


def catalogue(queries_dir: Path | str | None = None) -> dict[str, NamedQuery]:
    """All named queries by name, sorted; the files are read again when one changes (checked at most
    once a second, so that running a query does not list and stat the folder every time)."""
    d = str(queries_dir or paths.QUERIES_DIR)
    now = time.monotonic()
    seen = _stamps.get(d)
    if seen is None or now - seen[0] > _RECHECK_S:
        files = sorted(Path(d).glob("*.rq")) + sorted(Path(d, SPANS_DIR).glob("*.rq"))
        seen = _stamps[d] = (now, tuple((f.name, f.stat().st_mtime_ns) for f in files))
    return _catalogue(d, seen[1])


def get(name: str, queries_dir: Path | str | None = None) -> NamedQuery:
    cat = catalogue(queries_dir)
    if name not in cat:
        raise InputError(f"unknown query '{name}'{did_you_mean(name, cat)}",
                         fix="run 'policykg query --list' to see the named queries")
    return cat[name]


def param_variables(q: NamedQuery) -> set[str]:
    """The parameter variables (?_name) the query body uses."""
    return {m[1:] for m in re.findall(r"[?$]_[A-Za-z0-9_]+", _strip(q.text))}


_LEX = re.compile(r'''("""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*)''')


def _strip(text: str) -> str:
    """The query with strings, IRIs and comments blanked: what is left is keywords and names."""
    return _LEX.sub(lambda m: " " * len(m.group(0)) if m.group(0).startswith("#") else '""', text)


def _undeclared_prefix(text: str, known: dict) -> str | None:
    body = _strip(text)
    declared = set(re.findall(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", body, re.IGNORECASE)) | set(known)
    for m in re.finditer(r"(?<![\w?$:\"'])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)", body):
        p = m.group(1) or ""
        if p.upper() not in ("PREFIX",) and p not in declared and not p.lower() in ("http", "https", "urn", "_"):
            return p
    return None


def readme(queries_dir: Path | str | None = None) -> str:
    """queries/README.md, generated from the headers."""
    cat = catalogue(queries_dir)
    out = ["<!-- Generated from the query headers by `python -m policykg.query.catalogue`. Do not edit: edit the .rq files. -->",
           "", "# Named queries", "",
           f"{len(cat)} SPARQL queries, one per file, grouped by topic. Run one with "
           "`policykg query NAME [--param name=value ...] [--format table|csv|tsv|json|md] [--graph SOURCE] [--limit N --offset M]`; "
           "list them with `policykg query --list`. Parameters are variables named `?_name` and are bound by the "
           "engine: checked, typed, and written in as RDF terms (docs/queries.md), never as the text you typed. Entity parameters (type `iri`) take an "
           "IRI, a key such as `sector/automobiles`, or a zh/en label.", ""]
    for topic in TOPICS:
        qs = [q for q in cat.values() if q.topic == topic]
        if not qs:
            continue
        out += [f"## {topic.replace('-', ' ').capitalize()}", ""]
        for q in qs:
            out += [f"### `{q.name}`", "", f"**{q.title}**", "", q.description, ""]
            if q.params:
                out += ["| Parameter | Type | Required | Example | What |", "|---|---|---|---|---|"]
                for p in q.params:
                    t = p.type + (f" ({p.cls.rsplit('#', 1)[-1]})" if p.cls else "")
                    out.append(f"| `{p.name}` | {t} | {'yes' if p.required else 'no'} | `{p.example}` | {p.about} |")
                out.append("")
            out += [f"Returns: {', '.join(f'`{c}`' for c in q.returns)}", "", "```sh", q.example, "```", ""]
    return "\n".join(out)


def write_readme(queries_dir: Path | str | None = None) -> Path:
    """Regenerate queries/README.md from the headers; returns its path."""
    path = Path(queries_dir or paths.QUERIES_DIR) / "README.md"
    path.write_text(readme(queries_dir), encoding="utf-8")
    return path


if __name__ == "__main__":            # python -m policykg.query.catalogue: regenerate queries/README.md
    write_readme()
