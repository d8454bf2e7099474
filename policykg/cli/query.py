"""`policykg query` (named queries) and `policykg sparql` (any query): thin adapters over policykg.query."""

from __future__ import annotations

from policykg.cli.options import add_build_option, add_limit_options, limits
from policykg.query.bounds import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S

import sys
from pathlib import Path

FORMAT_CHOICES = ("table", "csv", "tsv", "json", "md")
MAX_QUERY_BYTES = 1_000_000


def _params(pairs) -> dict:
    from policykg.errors import InputError
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"bad --param '{pair}'", fix="write --param name=value")
        if name in out:
            raise InputError(f"--param {name} given twice", fix="give each parameter once")
        out[name] = value
    return out


def cmd_query(args) -> int:
    from policykg.query import catalogue, engine as query
    if args.list:
        cat = catalogue.catalogue()
        if args.format == "json":
            import json
            print(json.dumps([q.as_dict() for q in cat.values()], ensure_ascii=False, indent=2))
        else:
            from policykg.query.results import width
            n = max(width(name) for name in cat)
            for q in cat.values():
                params = " ".join(f"{p.name}={'<' + p.type + '>' if p.required else '[' + p.type + ']'}" for p in q.params)
                print(f"{q.name}{' ' * (n - width(q.name))}  {q.title}" + (f"  ({params})" if params else ""))
        return 0
    if not args.name:
        from policykg.errors import InputError
        raise InputError("no query name given", fix="run 'policykg query --list' to see the named queries")
    params = _params(args.param)
    if args.as_of:
        params = as_of(catalogue.get(args.name), params, args.as_of)
    result = query.run(args.name, graph=args.graph, build=args.build, limits=limits(args), tier=args.tier,
                       limit=args.limit, offset=args.offset, **params)
    _write(result.format(args.format), args.format)
    _page_note(result, args.format)
    return 0


def _write(text: str, fmt: str) -> None:
    """Results to stdout; text meant for reading (table, md), and anything bound for a terminal, with
    control characters from the data escaped (policykg.terminal)."""
    if fmt in ("table", "md") or sys.stdout.isatty():
        from policykg.terminal import escape
        text = escape(text)
    sys.stdout.write(text)


def _is_file(src: str) -> bool:
    """Whether the argument names a file (query text with braces or newlines never does)."""
    if "{" in src or "\n" in src or len(src) > 4096:
        return False
    try:
        return Path(src).is_file()
    except (OSError, ValueError):
        return False


def as_of(q, params: dict, date: str) -> dict:
    """--as-of DATE sets the query's `as_of` parameter; a query without one is an error naming those that have it."""
    from policykg.errors import InputError
    from policykg.query import catalogue
    if q.param("as_of") is None:
        having = sorted(n for n, other in catalogue.catalogue().items() if other.param("as_of") is not None)
        raise InputError(f"query '{q.name}' does not answer as of a date",
                         fix="use a query with an as_of parameter: " + ", ".join(having))
    if "as_of" in params and params["as_of"] != date:
        raise InputError("--as-of and --param as_of disagree", fix="give the date once")
    return {**params, "as_of": date}


def _page_note(result, fmt: str) -> None:
    """For a page of rows, how many there are: a last line under a table, else on stderr."""
    note = result.page_note()
    if note is not None:
        (sys.stdout if fmt in ("table", "md") else sys.stderr).write(note + "\n")


def _add_paging(p) -> None:
    p.add_argument("--limit", type=_rows, default=None, metavar="N",
                   help="print at most N rows, and the number of rows of the whole answer")
    p.add_argument("--offset", type=_rows, default=0, metavar="M", help="skip the first M rows (with --limit: a page)")


def _rows(text: str) -> int:
    import argparse
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of rows (0 or more)")
    return int(text)


def cmd_sparql(args) -> int:
    from policykg.query import catalogue, engine as query
    src = args.query
    path = None
    if src == "-":
        text = sys.stdin.read()
    elif src.endswith((".rq", ".sparql")) or _is_file(src):
        from policykg import inputs
        path = Path(src)
        text = inputs.read_text(path, MAX_QUERY_BYTES, "a query file (or the query text itself)")
    else:
        text = src
    result = query.sparql(text, graph=args.graph, build=args.build, allow_service=args.allow_service, path=path,
                          limits=limits(args), tier=args.tier, limit=args.limit, offset=args.offset)
    _write(result.format(args.format), args.format)
    _page_note(result, args.format)
    return 0


def _tier_option(p) -> None:
    p.add_argument("--tier", choices=("curated", "all"), default="curated",
                   help="curated: the reviewed encodings only (default); all: with the facts 'policykg ingest "
                        "--into-graph' extracted (graphs named graph/extracted/...)")


def add(sub) -> None:
    q = sub.add_parser("query", help="run a named query from queries/ (--list to see them)",
                       description="Run a named SPARQL query of the catalogue (queries/*.rq) on the built graph. "
                                   "Parameters are typed and bound by the engine; entity parameters take an IRI, a key "
                                   "such as sector/automobiles, or a zh/en label.")
    q.add_argument("name", nargs="?", help="the query's name (file name without .rq)")
    q.add_argument("--list", action="store_true", help="list the named queries with their parameters")
    q.add_argument("--param", "-p", action="append", metavar="NAME=VALUE", help="a parameter value (repeatable)")
    q.add_argument("--format", "-f", choices=FORMAT_CHOICES, default="table",
                   help="output: table (terminal), csv, tsv, json (SPARQL 1.1 results JSON), md (default: table)")
    q.add_argument("--graph", "-g", metavar="SOURCE",
                   help="one source's view: what it states and what follows from it, e.g. facts lifted "
                        "from its actions to measures (a source key such as source/chinanews-2022-11-22)")
    _tier_option(q)
    q.add_argument("--as-of", metavar="DATE",
                   help="answer as of a day (YYYY-MM-DD) for queries with an as_of parameter, e.g. in-force")
    add_build_option(q)
    add_limit_options(q, DEFAULT_TIMEOUT_S, DEFAULT_MEMORY_MB, DEFAULT_MAX_ROWS)
    _add_paging(q)
    q.set_defaults(func=cmd_query)

    s = sub.add_parser("sparql", help="run any SPARQL query on the built graph",
                       description="Run a SPARQL query (text, a .rq file, or - for stdin) on the built graph. The "
                                   "PolicyKG prefixes (pkg:, pid:, skos:, ...) are predeclared. SERVICE is refused "
                                   "unless --allow-service is given.")
    s.add_argument("query", metavar="QUERY_OR_FILE", help="the query text, a file, or - to read stdin")
    s.add_argument("--format", "-f", choices=FORMAT_CHOICES + ("nt", "ttl"), default="table",
                   help="output: table, csv, tsv, json, md; nt or ttl for CONSTRUCT/DESCRIBE (default: table)")
    s.add_argument("--graph", "-g", metavar="SOURCE",
                   help="one source's view: what it states and what follows from it")
    _tier_option(s)
    add_build_option(s)
    add_limit_options(s, DEFAULT_TIMEOUT_S, DEFAULT_MEMORY_MB, DEFAULT_MAX_ROWS)
    s.add_argument("--allow-service", action="store_true",
                   help="allow SERVICE clauses, which make this machine fetch URLs (off by default)")
    _add_paging(s)
    s.set_defaults(func=cmd_sparql)
