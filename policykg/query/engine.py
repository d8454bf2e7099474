"""Named SPARQL queries (queries/*.rq) and the engine that runs them on the built dataset.

A catalogue query is one file: a header of `#+ key: value` lines, then a SPARQL SELECT. Its
parameters are variables named `?_name`; the engine binds them with pyoxigraph's SEP-0007
substitutions, never by editing the query text, so a value cannot change the query. pyoxigraph
only substitutes variables of the SELECT projection, so every `?_name` is projected; those
columns are dropped from the results. An optional parameter that is not given stays unbound:
in a triple pattern it then matches anything; in a FILTER use `COALESCE(?x = ?_name, true)`
(pyoxigraph folds `BOUND(?_name)` before binding, so never test a parameter with BOUND).

    >>> from policykg.query import engine as query
    >>> rows = query.run("measures-by-sector", sector="汽车")
    >>> rows.values()[0]["measure"]

Entity parameters (type `iri`) accept a full IRI, a key (`sector/automobiles`, `pid:...`) or a
zh/en label; an ambiguous label is an error that lists the candidates.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import GRAPH, ONTOLOGY_GRAPH, PID, PKG, PREFIXES, VOCABULARY_GRAPH, XSD
from policykg.query.results import Result, from_pyoxigraph

PARAM_TYPES = ("iri", "label", "literal", "date", "integer")
HEADER_KEYS = ("title", "description", "topic", "param", "returns", "example")
RESERVED = ("graph", "store", "build")          # keywords of run(); not usable as parameter names
TOPICS = ("documents", "measures", "sectors", "instruments", "regions", "agencies-and-people",
          "enterprises", "targets-and-statistics", "provenance-and-conflicts", "links")
LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#altLabel",
                    PKG + "abbreviation", PKG + "title", PKG + "alternativeTitle")


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

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "params": [p.as_dict() for p in self.params]}


# ------------------------------------------------------------------------------------ catalogue

_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*\|\s*(?P<type>[a-z]+)(?::(?P<cls>[A-Za-z]+))?\s*\|"
                       r"\s*(?P<req>required|optional)\s*\|\s*(?P<example>[^|]*?)\s*(?:\|\s*(?P<about>.*))?$")


def parse(path: Path, text: str | None = None) -> NamedQuery:
    """Read one catalogue file; raises InputError naming the line of a bad header."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if text is None else text
    values: dict[str, list[str]] = {k: [] for k in HEADER_KEYS}
    params: list[Param] = []
    header_lines = 0
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
        else:
            values[key].append(value)
    name = path.stem
    for key in ("title", "description", "topic", "returns", "example"):
        if not values[key]:
            raise InputError(f"query '{name}' has no '#+ {key}:' header", path=path, line=1,
                             fix=f"add a '#+ {key}: ...' line at the top")
    topic = values["topic"][0]
    if topic not in TOPICS:
        raise InputError(f"unknown topic '{topic}'{did_you_mean(topic, TOPICS)}", path=path,
                         fix="use one of " + ", ".join(TOPICS))
    returns = [c.strip() for c in ",".join(values["returns"]).split(",") if c.strip()]
    return NamedQuery(name, path, text, values["title"][0], " ".join(values["description"]), topic,
                      params, returns, values["example"][0], header_lines)


@lru_cache(maxsize=4)
def _catalogue(queries_dir: str, stamp: tuple) -> dict[str, NamedQuery]:
    return {q.name: q for q in (parse(p) for p in sorted(Path(queries_dir).glob("*.rq")))}


def catalogue(queries_dir: Path | str | None = None) -> dict[str, NamedQuery]:
    """All named queries by name, sorted."""
    d = Path(queries_dir or paths.QUERIES_DIR)
    files = sorted(d.glob("*.rq"))
    return _catalogue(str(d), tuple((f.name, f.stat().st_mtime_ns) for f in files))


def get(name: str, queries_dir: Path | str | None = None) -> NamedQuery:
    cat = catalogue(queries_dir)
    if name not in cat:
        raise InputError(f"unknown query '{name}'{did_you_mean(name, cat)}",
                         fix="run 'policykg query --list' to see the named queries")
    return cat[name]


def param_variables(q: NamedQuery) -> set[str]:
    """The parameter variables (?_name) the query body uses."""
    return {m[1:] for m in re.findall(r"[?$]_[A-Za-z0-9_]+", _strip(q.text))}


# ------------------------------------------------------------------------------------ lexing

_LEX = re.compile(r'''("""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*)''')


def _strip(text: str) -> str:
    """The query with strings, IRIs and comments blanked: what is left is keywords and names."""
    return _LEX.sub(lambda m: " " * len(m.group(0)) if m.group(0).startswith("#") else '""', text)


def uses_service(text: str) -> bool:
    """Whether a query has a SERVICE clause (which makes the engine fetch a URL)."""
    return re.search(r"(?<![\w?$:.-])SERVICE(?![\w:-])", _strip(text), re.IGNORECASE) is not None


def _undeclared_prefix(text: str, known: dict) -> str | None:
    body = _strip(text)
    declared = set(re.findall(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", body, re.IGNORECASE)) | set(known)
    for m in re.finditer(r"(?<![\w?$:\"'])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)", body):
        p = m.group(1) or ""
        if p.upper() not in ("PREFIX",) and p not in declared and not p.lower() in ("http", "https", "urn", "_"):
            return p
    return None


# ------------------------------------------------------------------------------------ store

def store(build_dir: Path | str | None = None) -> ox.Store:
    from policykg.store import load as dataset
    return dataset.load(build_dir)


def _graphs(st: ox.Store, graph: str | None):
    """Query options for the union of all graphs, or one source's graph with ontology and vocabularies."""
    if not graph:
        return {"use_default_graph_as_union": True}
    names = {g.value for g in st.named_graphs()}
    iri = graph if graph.startswith(("http://", "https://")) else GRAPH + graph.split("/", 1)[-1]
    if iri not in names:
        sources = sorted("source/" + n[len(GRAPH):] for n in names if n.startswith(GRAPH)
                         and n not in (ONTOLOGY_GRAPH, VOCABULARY_GRAPH, GRAPH + "inferred", GRAPH + "links"))
        raise InputError(f"no graph for source '{graph}'{did_you_mean(graph, sources)}",
                         fix="give a source key such as " + (sources[0] if sources else "source/...")
                         + " (sources: " + ", ".join(sources) + ")")
    return {"default_graph": [ox.NamedNode(iri), ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(VOCABULARY_GRAPH)]}


def execute(text: str, st: ox.Store, *, substitutions: dict | None = None, graph: str | None = None,
            allow_service: bool = False, path: Path | str | None = None, default_prefixes: bool = False,
            hide_params: bool = False) -> Result:
    """Run SPARQL text on a store. Syntax errors and SERVICE become InputError with line and column."""
    if not allow_service and uses_service(text):
        raise InputError("the query has a SERVICE clause, which would make this machine fetch a URL", path=path,
                         fix="remove it, or pass --allow-service if you mean it (allow_service=True)")
    prefixes = dict(PREFIXES) if default_prefixes else None
    opts = _graphs(st, graph)
    try:
        answer = st.query(text, prefixes=prefixes, substitutions=substitutions or None, **opts)
        return from_pyoxigraph(answer, hide=(lambda n: n.startswith("_")) if hide_params else (lambda n: False))
    except SyntaxError as e:
        raise _syntax_error(e, text, path, prefixes or {}) from None
    except RuntimeError as e:
        if "SELECT projection" in str(e):
            raise InputError(f"cannot bind parameters: {e}", path=path,
                             fix="add the parameter variables (?_name) to the SELECT clause") from None
        raise


def _syntax_error(e: SyntaxError, text: str, path, prefixes: dict) -> InputError:
    msg = str(e.msg if hasattr(e, "msg") else e)
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", msg, re.S)
    line, col, what = (int(m.group(1)), int(m.group(2)), m.group(3)) if m else (None, None, msg)
    if "The SELECT contains a variable that is unbound" in what:
        what = "the SELECT uses a variable that is neither grouped nor aggregated"
    elif what.startswith("expected one of"):
        items = [i.strip() for i in re.findall(r'"[^"]*"|[A-Z]{2,}', what)][:6]
        what = "expected one of " + ", ".join(items) if items else "unexpected input"
    what = " ".join(what.split())
    if len(what) > 160:
        what = what[:157] + "…"
    fix = "check the query near that position"
    undeclared = _undeclared_prefix(text, prefixes)
    if undeclared is not None:
        what += f" (prefix '{undeclared}:' is not declared)"
        fix = f"add 'PREFIX {undeclared}: <...>' or use a known prefix: {', '.join(PREFIXES)}"
    where = f"SPARQL syntax error at line {line}, column {col}: " if line else "SPARQL syntax error: "
    return InputError(where + what, path=path, line=line if path else None, fix=fix)


# ------------------------------------------------------------------------------------ parameters

_label_index: "weakref.WeakKeyDictionary[ox.Store, dict]" = weakref.WeakKeyDictionary()


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _labels(st: ox.Store) -> dict[str, set[str]]:
    """Normalized label → IRIs of entities with that label (any language, any label property)."""
    try:
        return _label_index[st]
    except (KeyError, TypeError):
        pass
    index: dict[str, set[str]] = {}
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for sol in st.query(f"SELECT DISTINCT ?e ?l WHERE {{ VALUES ?p {{ {props} }} ?e ?p ?l FILTER(isIRI(?e)) }}",
                        use_default_graph_as_union=True):
        index.setdefault(_norm(sol[1].value), set()).add(sol[0].value)
    try:
        _label_index[st] = index
    except TypeError:
        pass
    return index


def _exists(st: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in st.quads_for_pattern(node, None, None)) or \
        any(True for _ in st.quads_for_pattern(None, None, node))


def _has_class(st: ox.Store, iri: str, cls: str) -> bool:
    return any(True for _ in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(PREFIXES["rdf"] + "type"),
                                                  ox.NamedNode(cls)))


def key_of(iri: str) -> str:
    return iri[len(PID):] if iri.startswith(PID) else iri


def label_of(st: ox.Store, iri: str, lang: str = "en") -> str:
    best = {}
    for q in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL_PROPERTIES[1]), None):
        best.setdefault(q.object.language, q.object.value)
    if not best:
        for q in st.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL_PROPERTIES[0]), None):
            best.setdefault(q.object.language, q.object.value)
    return best.get(lang) or next(iter(best.values()), "")


def resolve_entity(st: ox.Store, value: str, cls: str | None = None, what: str = "entity") -> ox.NamedNode:
    """An IRI, a key (`sector/steel`, `pid:sector/steel`) or a zh/en label → the entity's IRI."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    if v.startswith(("http://", "https://", "urn:")):
        iri = v
    elif v.startswith("pid:"):
        iri = PID + v[4:]
    elif re.fullmatch(r"[a-z][a-z0-9-]*/[A-Za-z0-9_./-]+", v):
        iri = PID + v
    else:
        iri = None
    if iri is not None:
        if not _exists(st, iri):
            keys = [key_of(i) for ids in _labels(st).values() for i in ids]
            raise InputError(f"no {what} '{value}' in the graph{did_you_mean(key_of(iri), keys)}",
                             fix="give an existing IRI or key, or a zh/en label")
        if cls and not _has_class(st, iri, cls):
            raise InputError(f"'{value}' is not a {cls.rsplit('#', 1)[-1]}",
                             fix=f"give a {cls.rsplit('#', 1)[-1]} (run 'policykg show {value}' to see what it is)")
        return ox.NamedNode(iri)
    index = _labels(st)
    found = sorted(index.get(_norm(v), ()))
    if cls:
        found = [i for i in found if _has_class(st, i, cls)]
    if len(found) == 1:
        return ox.NamedNode(found[0])
    if not found:
        hint = did_you_mean(_norm(v), index)
        kind = f" (a {cls.rsplit('#', 1)[-1]})" if cls else ""
        raise InputError(f"no {what}{kind} labelled '{value}'{hint}",
                         fix="give an IRI, a key such as sector/automobiles, or an exact zh/en label")
    shown = "; ".join(f"{key_of(i)} ({label_of(st, i, 'en')} / {label_of(st, i, 'zh')})" for i in found[:8])
    raise InputError(f"label '{value}' is ambiguous: {len(found)} entities have it: {shown}",
                     fix="give the key of the one you mean")


def bind(q: NamedQuery, params: dict, st: ox.Store) -> dict:
    """Check and type the parameter values: {Variable('_name'): term}."""
    unknown = [k for k in params if q.param(k) is None]
    if unknown:
        names = [p.name for p in q.params]
        raise InputError(f"query '{q.name}' has no parameter '{unknown[0]}'{did_you_mean(unknown[0], names)}",
                         fix=("its parameters: " + ", ".join(names)) if names else "it takes no parameters")
    subs = {}
    for p in q.params:
        raw = params.get(p.name)
        if raw is None or raw == "":
            if p.required:
                raise InputError(f"query '{q.name}' needs parameter '{p.name}' ({p.type})",
                                 fix=f"add --param {p.name}={p.example}")
            continue
        subs[ox.Variable("_" + p.name)] = to_term(p, raw, st)
    return subs


def to_term(p: Param, raw, st: ox.Store):
    if isinstance(raw, (ox.NamedNode, ox.Literal)):
        return raw
    text = str(raw)
    if p.type == "iri":
        return resolve_entity(st, text, p.cls, what=p.name)
    if p.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise InputError(f"parameter '{p.name}' must be a date, not '{text}'", fix=f"write YYYY-MM-DD, e.g. {p.example}")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
    if p.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", text.strip()):
            raise InputError(f"parameter '{p.name}' must be an integer, not '{text}'", fix=f"e.g. --param {p.name}={p.example}")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(text)          # label, literal: a plain string


# ------------------------------------------------------------------------------------ API

def run(name: str, graph: str | None = None, store: ox.Store | None = None, build: Path | str | None = None,
        **params) -> Result:
    """Run a named query with its parameters; rows as a Result (iterable of dicts, `.values()`).

    `graph` restricts the query to one source's graph (with ontology and vocabularies);
    `store` is a pyoxigraph Store (default: the build in `build`, default build/).
    """
    q = get(name)
    st = store if store is not None else _store(build)
    return execute(q.text, st, substitutions=bind(q, params, st), graph=graph, path=q.path, hide_params=True)


def sparql(text: str, graph: str | None = None, store: ox.Store | None = None, build: Path | str | None = None,
           allow_service: bool = False, path: Path | str | None = None) -> Result:
    """Run any SPARQL query (the PolicyKG prefixes are predeclared); refuses SERVICE unless allowed."""
    st = store if store is not None else _store(build)
    return execute(text, st, graph=graph, allow_service=allow_service, path=path, default_prefixes=True)


_store = store    # run() and sparql() take a `store` argument, which hides the function of that name


# ------------------------------------------------------------------------------------ README

def readme(queries_dir: Path | str | None = None) -> str:
    """queries/README.md, generated from the headers."""
    cat = catalogue(queries_dir)
    out = ["<!-- Generated from the query headers by `python -m policykg.query.engine`. Do not edit: edit the .rq files. -->",
           "", "# Named queries", "",
           f"{len(cat)} SPARQL queries, one per file, grouped by topic. Run one with "
           "`policykg query NAME [--param name=value ...] [--format table|csv|tsv|json|md] [--graph SOURCE]`; "
           "list them with `policykg query --list`. Parameters are variables named `?_name` and are bound by the "
           "engine (SEP-0007 substitution), never pasted into the text. Entity parameters (type `iri`) take an "
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


if __name__ == "__main__":            # python -m policykg.query.engine: regenerate queries/README.md
    write_readme()
