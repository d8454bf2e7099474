"""`policykg serve`: a read-only, bounded SPARQL endpoint over the build (thin adapter over policykg.serve)."""

from __future__ import annotations

from policykg.cli.options import add_build_option, add_limit_options, limits
from policykg.query.bounds import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S
from policykg.serve import DEFAULT_PORT, DEFAULT_WORKERS
from policykg.serve.cache import DEFAULT_MB as DEFAULT_CACHE_MB



def cmd_serve(args) -> int:
    from policykg import paths
    from policykg.serve import endpoint
    lim = limits(args)
    ep = endpoint.open_endpoint(paths.build_dir(args.build), args.port, lim, args.workers, args.cache_mb)

    def ready() -> None:                      # after the stop signals are handled: the line means it can be stopped
        print(f"SPARQL endpoint: http://{endpoint.HOST}:{args.port}/query  (read-only, default graph: the union of all graphs, each triple once; per query "
              f"{lim.timeout_s:g} s, {lim.memory_mb} MB, {lim.max_rows} rows, {args.workers} at once; "
              f"answers cached up to {args.cache_mb} MB; SERVICE refused; "
              "serves its own copy of the build and reloads it after a rebuild; Ctrl-C stops)", flush=True)
    return endpoint.serve_forever(ep, ready)


def add(sub) -> None:
    s = sub.add_parser("serve", help="serve the build as a read-only SPARQL 1.1 endpoint on 127.0.0.1",
                       description="Serve the build as a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 "
                                   "(GET or POST /query), with the union of all graphs (each triple once) as the default graph. Each "
                                   "query runs in a worker with a time limit, a memory limit, a row cap and no "
                                   "network; a query that hits a limit gets an error status and a one-line message. "
                                   "SERVICE is refused. See docs/reliability.md.")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default: {DEFAULT_PORT})")
    s.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N",
                   help=f"query workers, forked at start: queries that run at once; more wait (default: {DEFAULT_WORKERS})")
    s.add_argument("--cache-mb", type=int, default=DEFAULT_CACHE_MB, metavar="MB",
                   help="memory for answers already sent, sent again without running the query; "
                        f"0 turns the cache off (default: {DEFAULT_CACHE_MB})")
    add_limit_options(s, DEFAULT_TIMEOUT_S, DEFAULT_MEMORY_MB, DEFAULT_MAX_ROWS)
    add_build_option(s)
    s.set_defaults(func=cmd_serve)
