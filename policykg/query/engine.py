"""Named SPARQL queries (queries/*.rq) and the engine that runs them on the built dataset.

A catalogue query is one file: a header of `#+ key: value` lines, then a SPARQL SELECT. Its
parameters are variables named `?_name`; the engine checks and types each value, then writes the
resulting RDF term (as pyoxigraph prints it) where the query uses the variable (`inline`), so
that the engine plans from the value; a value cannot change the query's structure. Where that is
not possible the value is bound by pyoxigraph's SEP-0007 substitutions, which only substitute
variables of the SELECT projection, so every `?_name` is projected; those columns are dropped
from the results. An optional parameter that is not given stays unbound:
in a triple pattern it then matches anything; in a FILTER use `COALESCE(?x = ?_name, true)`
(pyoxigraph folds `BOUND(?_name)` before binding, so never test a parameter with BOUND).

    >>> from policykg.query import engine as query
    >>> rows = query.run("measures-by-sector", sector="汽车")
    >>> rows.values()[0]["measure"]

Entity parameters (type `iri`) accept whatever `policykg.query.resolve` does: an IRI, a key
(`sector/automobiles`, `pid:...`, `<doc/...>`), a zh/en label, a document number in any of its
variants, or a measure reference (`措施二`, `measure 2`); an ambiguous name is an error that lists
the candidates, an unknown one an error with ranked suggestions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import GRAPH, ONTOLOGY_GRAPH, PREFIXES, VOCABULARY_GRAPH, XSD
from policykg.query import bounds, candidates, kept, service, stored
from policykg.query.bounds import DEFAULT as DEFAULT_LIMITS, Limits
from policykg.query.pool import Pool
from policykg.query.catalogue import NamedQuery, Param, get, _undeclared_prefix
from policykg.query import paste
from policykg.query.inline import inline
from policykg.query.keyed import Keyed, count_text, page_text as keyed_page, split as split_keys
from policykg.query.resolve import resolve_entity
from policykg.query.results import Result, from_pyoxigraph
from policykg.store import union


def store(build_dir: Path | str | None = None) -> ox.Store:
    from policykg.store import load as dataset
    return dataset.load(build_dir)


TIERS = ("curated", "all")
EXTRACTED = GRAPH + "extracted/"


def _graphs(st: ox.Store, graph: str | None, tier: str = "curated") -> tuple[ox.Store, dict]:
    """The store and query options: the union of the tier's graphs (each triple once where the store
    holds the union, see `policykg.store.union`), or one source's view (its graph, the ontology, the
    vocabularies and what follows from them, see `query.view`).

    The curated tier is every graph but the extracted ones (`graph/extracted/...`, written by
    `policykg ingest --into-graph`); `all` adds them. The store's default graph holds the curated
    union; under `all`, an extracted triple that a curated graph also states comes back twice.
    """
    if tier not in TIERS:
        raise InputError(f"unknown tier '{tier}'{did_you_mean(tier, TIERS)}", fix="use --tier curated or --tier all")
    if not graph:
        from policykg.store import load
        if load.origin(st) is not None:      # a build's on-disk store never holds the extracted tier (store.load);
            return st, union.options(st)      # listing its graphs costs ms per 1,000 sources
        names = list(st.named_graphs())
        extracted = sorted((g for g in names if g.value.startswith(EXTRACTED)), key=str)
        if not extracted:
            return st, union.options(st)
        curated = sorted((g for g in names if not g.value.startswith(EXTRACTED)), key=str)
        if union.has_union(st):
            if tier == "all":
                return st, {"default_graph": [union.DEFAULT] + extracted}
            return st, {"default_graph": [union.DEFAULT], "named_graphs": curated}   # GRAPH ?g: curated only
        if tier == "all":
            return st, {"use_default_graph_as_union": True}
        return st, {"default_graph": curated, "named_graphs": curated}
    names = {g.value for g in st.named_graphs()}
    iri = graph if graph.startswith(("http://", "https://")) else GRAPH + graph.split("/", 1)[-1]
    if iri not in names:
        sources = sorted("source/" + n[len(GRAPH):] for n in names if n.startswith(GRAPH)
                         and n not in (ONTOLOGY_GRAPH, VOCABULARY_GRAPH, GRAPH + "inferred", GRAPH + "links",
                                       GRAPH + "statistics"))
        raise InputError(f"no graph for source '{graph}'{did_you_mean(graph, sources)}",
                         fix="give a source key such as " + (sources[0] if sources else "source/...")
                         + " (sources: " + ", ".join(sources) + ")")
    from policykg.query import view
    return view.source_view(st, iri), {}


def execute(text: str, st: ox.Store, *, substitutions: dict | None = None, graph: str | None = None,
            allow_service: bool = False, path: Path | str | None = None, default_prefixes: bool = False,
            hide_params: bool = False, limits: Limits | None = DEFAULT_LIMITS, check_service: bool = True,
            tier: str = "curated", limit: int | None = None, offset: int = 0, pool: Pool | None = None,
            keyed: Keyed | None = None) -> Result:
    """Run SPARQL text on a store in a bounded worker (policykg.query.bounds; `limits=None` runs it
    here, unbounded; with a `pool` of pre-forked workers on this store, in one of those). Syntax
    errors, SERVICE and limits become InputError with line and column.

    `tier`: curated (default: the graphs of the reviewed encodings, ontology and vocabularies) or all
    (adding the extracted tier). With `limit`/`offset`, the result holds one page of the rows and
    their `total`; with `keyed` (the parts of `text`, a `page: keys` query) the page is read from
    its key part (policykg.query.keyed) rather than from the whole answer."""
    _check_page(limit, offset)
    if not allow_service and check_service:
        service.refuse(text, path=path)
    prefixes = dict(PREFIXES) if default_prefixes else None
    st, opts = _graphs(st, graph, tier)
    if limits is not None and allow_service:
        limits = limits.but(network=True)

    if keyed is not None and (limit is not None or offset):
        text = (keyed_page(keyed, limit, offset), count_text(keyed))
    args = (text, prefixes, default_prefixes, substitutions or None, opts, hide_params, limits, limit, offset, path)
    if pool is not None and limits is not None and st is pool.store and pool.fits(limits):
        return pool.run(_work, *args, limits=limits)
    return bounds.run(lambda: _work(st, *args), limits)


def _work(st: ox.Store, text, prefixes, default_prefixes, substitutions, opts, hide_params, limits, limit, offset,
          path) -> Result:
    """The query itself, in a bounded worker (or here, without limits). `text` is the query, or the
    page and count queries of a `page: keys` query (policykg.query.keyed)."""
    base = paste.BASE if default_prefixes else None
    try:
        if isinstance(text, tuple):
            page, count = text
            answer = st.query(page, prefixes=prefixes, base_iri=base, substitutions=substitutions, **opts)
            result = from_pyoxigraph(answer, hide=_hidden if hide_params else _shown, limits=limits)
            total = next(iter(st.query(count, prefixes=prefixes, base_iri=base, substitutions=substitutions, **opts)))
            result.total, result.offset = int(total[0].value), offset
            return result
        answer = st.query(text, prefixes=prefixes, base_iri=base, substitutions=substitutions, **opts)
        return from_pyoxigraph(answer, hide=_hidden if hide_params else _shown, limits=limits, limit=limit,
                               offset=offset)
    except SyntaxError as e:
        raise _syntax_error(e, text if isinstance(text, str) else text[0], path, prefixes or {}) from None
    except (RuntimeError, OSError, ValueError) as e:
        if "SELECT projection" in str(e):
            raise InputError(f"cannot bind parameters: {e}", path=path,
                             fix="add the parameter variables (?_name) to the SELECT clause") from None
        raise InputError(f"the query failed: {' '.join(str(e).split())[:200]}", path=path,
                         fix="check the query (functions, types, SERVICE addresses)") from None


def _hidden(name: str) -> bool:
    return name.startswith("_")


def _shown(name: str) -> bool:
    return False


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


def _is_date(text: str) -> bool:
    import datetime
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def to_term(p: Param, raw, st: ox.Store):
    if isinstance(raw, (ox.NamedNode, ox.Literal)):
        return raw
    text = str(raw)
    if p.type == "iri":
        return resolve_entity(st, text, p.cls, what=p.name)
    if p.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or not _is_date(text):
            raise InputError(f"parameter '{p.name}' must be a date, not '{text}'", fix=f"write YYYY-MM-DD, e.g. {p.example}")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
    if p.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text.strip()):
            raise InputError(f"parameter '{p.name}' must be an integer, not '{text}'", fix=f"e.g. --param {p.name}={p.example}")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(text)          # label, literal: a plain string


def _check_page(limit, offset) -> None:
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise InputError(f"limit {limit!r} is not a whole number of rows", fix="give 0 or more, e.g. --limit 50")
    if not isinstance(offset, int) or offset < 0:
        raise InputError(f"offset {offset!r} is not a whole number of rows", fix="give 0 or more, e.g. --offset 50")


def run(name: str, graph: str | None = None, store: ox.Store | None = None, build: Path | str | None = None,
        limits: Limits | None = DEFAULT_LIMITS, tier: str = "curated", limit: int | None = None, offset: int = 0,
        pool: Pool | None = None, **params) -> Result:
    """Run a named query with its parameters; rows as a Result (iterable of dicts, `.values()`).

    `graph` restricts the query to one source's graph (with ontology and vocabularies);
    `store` is a pyoxigraph Store (default: the build in `build`, default build/);
    `limits` bound the time, memory and rows of the query (policykg.query.bounds.Limits);
    `tier` is curated (default) or all (with the extracted tier);
    `limit` and `offset` page the rows (`Result.total` is then the number of all rows);
    `pool` (policykg.query.pool.Pool on `store`) runs it in a pre-forked worker instead of a new one.
    """
    q = get(name)
    st = store if store is not None else _store(build)
    subs = bind(q, params, st)
    if q.answer and graph is None and tier == "curated":    # see query.stored
        _check_page(limit, offset)
        answer = stored.read(st, q, subs, limit, offset, limits)
        if answer is None and kept.wanted(st, q, subs, limit, offset) and kept.keep(st, q, subs, limits):
            answer = stored.read(st, q, subs, limit, offset, limits)      # kept by this call (query.kept)
        if answer is not None:
            return answer
    text = inline(q.text, subs)
    by_name = q.candidates is not None and graph is None and tier == "curated"    # see query.candidates
    if text is None:                                # bind by substitution (see inline)
        source = candidates.narrow(q, q.text, subs, st) if by_name else q.text
        return execute(source, st, substitutions=subs, graph=graph, path=q.path, hide_params=True,
                       limits=limits, check_service=False, tier=tier, limit=limit, offset=offset, pool=pool)
    if by_name:
        text = candidates.narrow(q, text, subs, st)
    keyed = split_keys(text) if q.page == "keys" else None
    return execute(text, st, graph=graph, path=q.path, hide_params=True, limits=limits, check_service=False,
                   tier=tier, limit=limit, offset=offset, pool=pool, keyed=keyed)   # catalogue queries are ours; no network


def sparql(text: str, graph: str | None = None, store: ox.Store | None = None, build: Path | str | None = None,
           allow_service: bool = False, path: Path | str | None = None,
           limits: Limits | None = DEFAULT_LIMITS, tier: str = "curated", limit: int | None = None,
           offset: int = 0, pool: Pool | None = None) -> Result:
    """Run any SPARQL query under `limits`; refuses SERVICE (found in the parsed query) unless allowed.
    `tier`: curated (default) or all. `limit` and `offset` page the rows (`Result.total` is then the
    number of all rows).

    The PolicyKG prefixes are predeclared, the BASE is `pid:` (so `<doc/miit-2022-160>` works) and
    keys as the commands print them (`pid:sector/automobiles`) are accepted (see query.paste).
    """
    st = store if store is not None else _store(build)
    return execute(paste.escape_keys(text), st, graph=graph, allow_service=allow_service, path=path,
                   default_prefixes=True, limits=limits, tier=tier, limit=limit, offset=offset, pool=pool)


_store = store    # run() and sparql() take a `store` argument, which hides the function of that name
