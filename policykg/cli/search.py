"""`policykg search TEXT`: entities whose names match, ranked (adapter over policykg.query.search)."""

from __future__ import annotations

import json
import sys

from policykg.cli.options import add_build_option

FORMATS = ("table", "csv", "tsv", "json", "md")


def cmd_search(args) -> int:
    from policykg.query import engine as query
    from policykg.query import search
    hits = search.search(query.store(args.build), args.text, cls=args.cls, limit=args.limit)
    if args.format == "json":
        sys.stdout.write(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(search.as_result(hits).format(args.format))
    return 0


def add(sub) -> None:
    s = sub.add_parser("search", help="find entities by label, title, document number, code or definition",
                       description="Rank the entities whose zh/en labels, alternative labels, titles, document "
                                   "numbers, codes or definitions match TEXT. Each hit shows its key (as pid:KEY, "
                                   "which 'policykg sparql' accepts as written), class, labels, document, the number "
                                   "of sources that state something about it, and the name that matched.")
    s.add_argument("text", metavar="TEXT", help="a word, a name in Chinese or English, a key or a document number")
    s.add_argument("--class", dest="cls", metavar="CLASS", help="only entities of this class (e.g. Measure, Sector)")
    s.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20, at most 1000)")
    s.add_argument("--format", "-f", choices=FORMATS, default="table",
                   help="output: table, csv, tsv, json (a list of hits) or md (default: table)")
    add_build_option(s)
    s.set_defaults(func=cmd_search)
