"""The endpoint's route for the named queries: `/catalogue` lists them, `/catalogue/NAME` runs one.

    GET /catalogue                                   the queries, their parameters and examples (JSON)
    GET /catalogue/measures-by-sector?sector=汽车&limit=50&offset=100

A call runs the query as `policykg query NAME --param …` and the API's `query()` do
(policykg.query.engine.run), so it has what the text sent to `/query` lacks:
- parameters by name (a key, a zh/en label, a document number, `措施二`), checked and typed, with
  the same one-line errors (an unknown entity lists its nearest names);
- the build's stored answers and the rows stored with their spans of days (policykg.query.stored),
  and the name index's candidates for queries that match names (policykg.query.candidates): these
  take milliseconds where the same text costs the engine seconds at 10,000 policies;
- pages: `limit` and `offset` (whole numbers) give one page of the rows; its headers then carry
  `X-PolicyKG-Total` (rows of the whole answer) and `X-PolicyKG-Offset`;
- `graph=source/KEY` (one source's view) and `tier=all` (with the extracted tier), as `--graph`
  and `--tier`.
`limit`, `offset`, `graph` and `tier` are reserved (no catalogue parameter has those names:
policykg.query.catalogue.RESERVED); every other name is a parameter of the query, given once.

The whole call (resolving names, reading stored rows or running the engine, serializing) runs in
one of the endpoint's pre-forked workers under the endpoint's limits, as a query sent to `/query`
does (policykg.query.bounds.within: the worker does not fork again), so a call costs the front
process nothing but the request. Results are SPARQL results (JSON by default; CSV, TSV or XML by
`Accept`), and errors are those of `/query`: 404 for an unknown query (with the nearest names), 400
for a bad parameter or page, 500 with `X-PolicyKG-Limit` for a limit hit.
"""

from __future__ import annotations

import json
import urllib.parse

import pyoxigraph as ox

from policykg.errors import did_you_mean
from policykg.query import catalogue
from policykg.query.bounds import Limits
from policykg.query.pool import Pool
from policykg.serve.answers import CONTENT_TYPES, Answer, Refused, in_worker, negotiate, render

ROUTE = "/catalogue"
CONTROLS = ("limit", "offset", "graph", "tier")      # the call's own arguments; the rest are the query's parameters


def handles(path: str) -> bool:
    p = urllib.parse.urlsplit(path).path
    return p == ROUTE or p.startswith(ROUTE + "/")


def listing() -> Answer:
    """The catalogue as JSON: each query's name, title, topic, description, parameters (name, type,
    required, example, class), result columns, how the build keeps its answer, and an example URL."""
    queries = []
    for name, q in catalogue.catalogue().items():
        example = {p.name: p.example for p in q.params if p.required and p.example}
        queries.append({**q.as_dict(), "topic": q.topic, "description": q.description, "returns": q.returns,
                        "answer": q.answer or "engine",
                        "example": f"{ROUTE}/{name}" + ("?" + urllib.parse.urlencode(example) if example else "")})
    body = json.dumps({"queries": queries}, ensure_ascii=False, indent=1).encode("utf-8")
    return Answer(body, "application/json")


def parse(path: str) -> tuple[str, dict[str, str], dict]:
    """(query name, parameters, call arguments) of a GET under /catalogue/; Refused when the query is
    unknown (404) or the request is malformed (400). Values are UTF-8, percent-encoded or not."""
    url = urllib.parse.urlsplit(_utf8(path))
    name = urllib.parse.unquote(url.path[len(ROUTE) + 1:])
    known = catalogue.catalogue()
    if name not in known:
        raise Refused(404, f"no named query '{name[:80]}'{did_you_mean(name[:80], known)}; GET {ROUTE} lists them")
    try:
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
    except ValueError:
        raise Refused(400, f"the query string '{url.query[:80]}' is not name=value pairs joined by &") from None
    seen: dict[str, str] = {}
    for k, v in pairs:
        if k in seen:
            raise Refused(400, f"'{k[:80]}' is given twice; give each parameter once")
        seen[k] = v
    args = {k: seen.pop(k) for k in CONTROLS if k in seen}
    q = known[name]
    for k in seen:
        if q.param(k) is None:
            names = [p.name for p in q.params]
            raise Refused(400, f"query '{name}' has no parameter '{k[:80]}'{did_you_mean(k[:80], names + list(CONTROLS))}; "
                               + (f"its parameters: {', '.join(names)}" if names else "it takes none")
                               + f" (and {', '.join(CONTROLS)})")
    for k in ("limit", "offset"):
        if k in args:
            text = args[k].strip()
            if not text.isdigit() or len(text) > 12:
                raise Refused(400, f"{k} '{args[k][:40]}' is not a whole number of rows; give 0 or more, e.g. {k}=50")
            args[k] = int(text)
    return name, seen, args


def _utf8(path: str) -> str:
    """The request line as sent: http.server reads it as Latin-1, a client may send UTF-8 unescaped."""
    try:
        return path.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return path


def answer(store: ox.Store, path: str, accept: str, limits: Limits, pool: Pool | None = None) -> Answer:
    """The answer to a GET under /catalogue (the listing, or one call run in a worker); Refused for errors."""
    if urllib.parse.urlsplit(path).path.rstrip("/") == ROUTE:
        return listing()
    name, params, args = parse(path)
    return in_worker(store, pool, limits, _call, name, params, args, accept, limits)


def _call(store: ox.Store, name: str, params: dict, args: dict, accept: str, limits: Limits) -> Answer:
    """In a worker: the named query's result in the negotiated format."""
    from policykg.query import engine
    out = _stored(store, name, params, args, accept, limits)
    if out is not None:
        return out
    res = engine.run(name, store=store, limits=limits, **args, **params)   # parameter names checked by parse()
    out = render(res, accept)
    if res.total is not None:
        out.headers.update({"X-PolicyKG-Total": str(res.total), "X-PolicyKG-Offset": str(res.offset)})
    return out


_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV}


def _stored(store: ox.Store, name: str, params: dict, args: dict, accept: str, limits: Limits) -> Answer | None:
    """A stored answer (policykg.query.stored) sent as it is stored, in TSV, or turned into JSON or
    XML or CSV by pyoxigraph, without making a Python object per term: a whole listing of 50,000
    rows costs a third of the time it takes through a Result. None when `engine.run` must answer
    (no stored answer for these values, a source graph or tier)."""
    from policykg.query import engine, stored
    q = catalogue.get(name)
    fmt = negotiate(accept, False)
    if not q.answer or args.get("graph") or args.get("tier", "curated") != "curated":
        return None
    got = stored.read_tsv(store, q, engine.bind(q, params, store), args.get("limit"), args.get("offset", 0), limits)
    if got is None:
        return None
    body, total = got
    if fmt in _RESULTS:
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(format=_RESULTS[fmt])
    out = Answer(body, CONTENT_TYPES[fmt])
    if "limit" in args or args.get("offset"):
        out.headers.update({"X-PolicyKG-Total": str(total), "X-PolicyKG-Offset": str(args.get("offset", 0))})
    return out


def cache_key(path: str) -> str:
    """The same call however its parameters are ordered or escaped."""
    url = urllib.parse.urlsplit(_utf8(path))
    pairs = sorted(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    return "GET " + urllib.parse.unquote(url.path).rstrip("/") + "?" + urllib.parse.urlencode(pairs)
