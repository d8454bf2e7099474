"""`policykg serve`: a read-only SPARQL endpoint over the build (thin adapter over policykg.serve)."""

from __future__ import annotations

from policykg.cli.options import add_build_option

import sys


def cmd_serve(args) -> int:
    from policykg.serve import server as serve
    server = serve.start(args.build, port=args.port, timeout_s=args.timeout)
    print(f"SPARQL endpoint: {server.url}  (read-only, union default graph, timeout {args.timeout:g}s; Ctrl-C stops)",
          flush=True)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0
    err = server.process.stderr.read().decode(errors="replace").strip() if server.process.stderr else ""
    if err:
        print(f"error: the oxigraph server stopped: {err.splitlines()[-1]}", file=sys.stderr)
    return 0 if code in (0, -15) else 1


def add(sub) -> None:
    s = sub.add_parser("serve", help="serve the build as a read-only SPARQL 1.1 endpoint on 127.0.0.1",
                       description="Load the build into an on-disk store (build/oxigraph/) and start the oxigraph "
                                   "server read-only on 127.0.0.1, with the union of all graphs as the default graph "
                                   "and a query timeout. Any SPARQL 1.1 Protocol client works against it. A timed-out "
                                   "query ends with a cut HTTP 200 body: clients must check the result is complete.")
    s.add_argument("--port", type=int, default=7878, help="port on 127.0.0.1 (default: 7878)")
    s.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="query timeout (default: 30)")
    add_build_option(s)
    s.set_defaults(func=cmd_serve)
