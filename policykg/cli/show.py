"""`policykg show ENTITY`: what the graph says about an entity, source by source (adapter over policykg.query.entity)."""

from __future__ import annotations

from policykg.cli.options import add_build_option

import sys


def cmd_show(args) -> int:
    from policykg.query import engine as query
    from policykg.query import entity as show
    store = query.store(args.build)
    view = show.about(store, args.entity)
    from policykg.terminal import escape
    sys.stdout.write(escape(show.render(view, store, args.sources)))     # labels may hold control characters
    return 0


def add(sub) -> None:
    s = sub.add_parser("show", help="what the graph says about an entity, source by source",
                       description="Print every claim about an entity (an IRI, a key such as agency/miit, or a zh/en "
                                   "label), grouped by the source that makes it, with status, inference reasons and "
                                   "character offsets. With --sources DIR, find each source's text in DIR by its "
                                   "SHA-256 and quote the passages.")
    s.add_argument("entity", help="IRI, key or zh/en label")
    s.add_argument("--sources", metavar="DIR", help="a folder with your copies of the source texts")
    add_build_option(s)
    s.set_defaults(func=cmd_show)
